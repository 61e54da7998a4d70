// GICH_LRn field access (IHI 0048B 5.3.9). An LR describes one virtual interrupt: VirtualID [9:0],
// PhysicalID [19:10] (with HW = 0: EOI request in bit 19 and, for SGIs, the source CPU in [12:10]),
// Priority [27:23] (priority[7:3]), State [29:28], Grp1 [30], HW [31].

import {
  GICH_LR_CPUID_SHIFT,
  GICH_LR_EOI,
  GICH_LR_GRP1,
  GICH_LR_HW,
  GICH_LR_PHYSICALID_SHIFT,
  GICH_LR_PRIORITY_SHIFT,
  GICH_LR_STATE_SHIFT,
  GICH_LR_VIRTUALID_MASK,
  LR_STATE_INVALID,
  SGI_COUNT,
  VIRTUAL_PRIORITY_BITS,
} from "./registers.js";

export function lrVirtualId(lr: number): number {
  return lr & GICH_LR_VIRTUALID_MASK;
}

/** The source CPU recorded in an SGI's LR (HW = 0). */
export function lrCpuId(lr: number): number {
  return (lr >>> GICH_LR_CPUID_SHIFT) & 7;
}

export function lrPhysicalId(lr: number): number {
  return (lr >>> GICH_LR_PHYSICALID_SHIFT) & 0x3ff;
}

export function lrState(lr: number): number {
  return (lr >>> GICH_LR_STATE_SHIFT) & 3;
}

/** The 8-bit priority an LR stands for (its 5-bit field is priority[7:3]). */
export function lrPriority(lr: number): number {
  return ((lr >>> GICH_LR_PRIORITY_SHIFT) & 0x1f) << (8 - VIRTUAL_PRIORITY_BITS);
}

export function lrGroup(lr: number): number {
  return (lr & GICH_LR_GRP1) !== 0 ? 1 : 0;
}

export function lrIsHw(lr: number): boolean {
  return (lr & GICH_LR_HW) !== 0;
}

/** The ID a guest reads from GICV_IAR for this LR: VirtualID, plus the source CPU for an SGI. */
export function lrAcknowledgeId(lr: number): number {
  const id = lr & GICH_LR_VIRTUALID_MASK;
  if (id < SGI_COUNT && (lr & GICH_LR_HW) === 0) return id | (lrCpuId(lr) << 10);
  return id;
}

/** EISR: deactivated (state invalid) software interrupt that asked for an EOI maintenance interrupt. */
export function lrSignalsEoi(lr: number): boolean {
  return lrState(lr) === LR_STATE_INVALID && (lr & GICH_LR_HW) === 0 && (lr & GICH_LR_EOI) !== 0;
}

/** ELRSR: the LR holds no interrupt. An LR whose EOI maintenance is still signalled is not empty
 * until the hypervisor rewrites it. */
export function lrIsEmpty(lr: number): boolean {
  return lrState(lr) === LR_STATE_INVALID && ((lr & GICH_LR_HW) !== 0 || (lr & GICH_LR_EOI) === 0);
}

/** Builds a software (HW = 0) LR value. `priority` is the 8-bit priority; `source` is the SGI source CPU. */
export function makeLr(
  virtualId: number,
  source: number,
  priority: number,
  state: number,
  group: number,
  eoi: boolean,
): number {
  return (
    ((virtualId & GICH_LR_VIRTUALID_MASK) |
      ((source & 7) << GICH_LR_CPUID_SHIFT) |
      (eoi ? GICH_LR_EOI : 0) |
      (((priority & 0xff) >>> (8 - VIRTUAL_PRIORITY_BITS)) << GICH_LR_PRIORITY_SHIFT) |
      ((state & 3) << GICH_LR_STATE_SHIFT) |
      (group !== 0 ? GICH_LR_GRP1 : 0)) >>>
    0
  );
}

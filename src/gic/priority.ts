// Priority arithmetic of the virtual CPU interface (IHI 0048B 3.3 and 5.3): group priority from
// the binary points, the active priority bits of GICH_APR and the running priority they imply.
// The interface implements 5 priority bits, so priorities are multiples of 8 and GICH_APR has one
// bit per group priority level (bit n = priority n << 3).

import { GICV_CTLR_CBPR, GICH_VMCR_VMABP_SHIFT, GICH_VMCR_VMBP_SHIFT, VIRTUAL_PRIORITY_BITS } from "./registers.js";

/** Smallest GICV_BPR value: with 5 priority bits the group priority can be at most priority[7:3]. */
export const MIN_BPR = 7 - VIRTUAL_PRIORITY_BITS;
/** Smallest GICV_ABPR value: the Group 1 binary point is offset by one (it splits at bit ABPR, not ABPR+1). */
export const MIN_ABPR = MIN_BPR + 1;
/** Running priority when no interrupt is active; GICV_RPR reads it as 0xFF. */
export const IDLE_PRIORITY = 0x100;

/**
 * The group priority of an 8-bit priority: the bits that take part in preemption. Group 0
 * interrupts (and Group 1 when VMCR.CBPR is set) split at BPR+1, Group 1 at ABPR.
 */
export function groupPriority(priority: number, group: number, vmcr: number): number {
  let split: number;
  if (group !== 0 && (vmcr & GICV_CTLR_CBPR) === 0) split = (vmcr >>> GICH_VMCR_VMABP_SHIFT) & 7;
  else split = ((vmcr >>> GICH_VMCR_VMBP_SHIFT) & 7) + 1;
  return priority & ((0xff << split) & 0xff);
}

/** The GICH_APR bit standing for a group priority. */
export function activePriorityBit(groupPrio: number): number {
  return 1 << (groupPrio >>> (8 - VIRTUAL_PRIORITY_BITS));
}

/** The running priority: that of the highest-priority (lowest-numbered) active priority bit. */
export function runningPriority(apr: number): number {
  if (apr === 0) return IDLE_PRIORITY;
  return (31 - Math.clz32(apr & -apr)) << (8 - VIRTUAL_PRIORITY_BITS);
}

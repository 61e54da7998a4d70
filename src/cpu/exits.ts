// What the core hands to the hypervisor: exit reasons and the syndrome in the HSR format that Hyp
// mode would receive (DDI 0406C B3.13.6, "Use of the HSR").

import { DOUBLE_ZERO } from "./double-field.js";

/** HSR.EC exception classes used by this core. */
export const EC = {
  UNKNOWN: 0x00,
  WFI_WFE: 0x01,
  CP15_32: 0x03,
  CP15_64: 0x04,
  CP14_32: 0x05,
  CP10: 0x07,
  HVC: 0x12,
  SMC: 0x13,
  PABT_LOWER: 0x20,
  DABT_LOWER: 0x24,
} as const;

export const HSR_IL = 1 << 25;
// Data-abort ISS fields.
export const ISS_ISV = 1 << 24;
export const ISS_SAS_SHIFT = 22;
export const ISS_SSE = 1 << 21;
export const ISS_SRT_SHIFT = 16;
export const ISS_WNR = 1 << 6;
/** DFSC for a stage-2 translation fault at level 3, as an unbacked IPA is reported. */
export const DFSC_TRANSLATION = 0x07;
/** DFSC of an Alignment fault (long-descriptor status 0b100001). */
export const DFSC_ALIGNMENT = 0x21;
/** HSR[5:0]: the fault status code of an abort. */
export const HSR_DFSC_MASK = 0x3f;

/** Why Cpu.run returned. */
export const ExitReason = {
  /** The instruction budget ran out. */
  SLICE: 0,
  /** WFI or WFE with HCR.TWI/TWE set. */
  WFX: 1,
  HVC: 2,
  SMC: 3,
  /** A physical IRQ is pending for the hypervisor (HCR.IMO routes it to Hyp). */
  IRQ: 4,
  /** The hypervisor asked the vcpu to stop (kick). */
  KICK: 5,
} as const;

export function makeHsr(ec: number, il32: boolean, iss: number): number {
  return ((ec << 26) | (il32 ? HSR_IL : 0) | (iss & 0x1ffffff)) >>> 0;
}

/** The syndrome registers filled on an exit or a synchronous trap. */
export class ExitInfo {
  reason: number = ExitReason.SLICE;
  /** HSR value. */
  hsr = DOUBLE_ZERO;
  /** HDFAR: the faulting virtual address of a data abort. */
  hdfar = DOUBLE_ZERO;
  /** The faulting intermediate physical address (HPFAR holds IPA[39:12] in bits [31:4]; we keep it whole). */
  ipa = 0;

  constructor() {
    // +0, in the fields made doubles by DOUBLE_ZERO.
    this.hsr = this.hdfar = 0;
  }
}

/**
 * Traps that Hyp mode takes in the middle of an instruction. The handler runs between the faulting
 * access and the completion of the instruction, exactly as the hardware's exception to Hyp mode and
 * ERET would: after it returns the instruction completes architecturally.
 */
export interface HypTraps {
  /**
   * Stage-2 data abort on an IPA that the VM's map does not back with RAM (MMIO), or a stage-2
   * Alignment fault (DFSC 0x21: an unaligned access to a hardware window, Device at stage 2). `hsr` carries
   * ISV/SAS/SSE/SRT/WnR when the instruction is a single-register load or store. `size` (1, 2, 4)
   * and `value` (for a write) are always given, as the hypervisor could decode them from the instruction.
   * Returns the data for a read (zero-extended to `size`). Set `abort` on the cpu's exit info to
   * answer with an external abort instead.
   */
  dataAbort(hsr: number, ipa: number, va: number, size: number, isWrite: boolean, value: number): number;
  /**
   * A trapped MCR/MRC (EC 0x03) or MCRR/MRRC (EC 0x04). For writes `lo`/`hi` hold the register values.
   * For reads the handler returns the low word and sets `trapHi` for a 64-bit read.
   */
  coprocTrap(hsr: number, lo: number, hi: number): number;
  /**
   * A CP10/CP11 (VFP) instruction trapped by HCPTR.TCP10/TCP11 (EC 0x07). The handler makes the
   * VFP usable and clears the trap bits (a lazy FP switch); the instruction then executes.
   */
  fpTrap?(hsr: number): void;
  /** The high word of the last 64-bit coprocTrap read. */
  trapHi: number;
  /** Set by dataAbort to make the access end in a synchronous external abort into the guest. */
  externalAbort: boolean;
}

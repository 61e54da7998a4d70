// The instruction syndrome of a stage-2 data abort (DDI 0406C B3.13.6, ISS for EC 0x24): decoded
// from the faulting instruction, as the hardware reports it to Hyp mode. The syndrome is valid
// (ISV = 1) only for single-register loads and stores (LDR, LDRB, LDRH, LDRSB, LDRSH, STR, STRB,
// STRH and their unprivileged T forms) that do not write back their base register; we also
// leave it invalid for transfers to or from the PC. Everything else (LDM/STM, LDRD/STRD, the
// exclusives, VFP loads, writeback forms) gets ISV = 0 and the hypervisor must decode it itself.
//
// The decoders return ISV | SAS | SSE | SRT | WnR-of-the-instruction, or 0 when not valid; the
// caller keeps them only if they describe the access that actually faulted.

import {
  DFSC_ALIGNMENT,
  DFSC_TRANSLATION,
  EC,
  ISS_ISV,
  ISS_SAS_SHIFT,
  ISS_SRT_SHIFT,
  ISS_SSE,
  ISS_WNR,
  makeHsr,
} from "./exits.js";

const SAS_BYTE = 0;
const SAS_HALF = 1;
const SAS_WORD = 2;

/** DFSC for a stage-2 permission fault at level 3 (a write to read-only RAM such as flash). */
export const DFSC_PERMISSION = 0x0f;

function iss(sas: number, signed: boolean, rt: number, isStore: boolean): number {
  if (rt === 15) return 0;
  return ISS_ISV | (sas << ISS_SAS_SHIFT) | (signed ? ISS_SSE : 0) | (rt << ISS_SRT_SHIFT) | (isStore ? ISS_WNR : 0);
}

/** A32 (A5.3 load/store word and unsigned byte, A5.2.8 extra load/store). */
export function syndromeA32(instr: number): number {
  const op = (instr >>> 25) & 7;
  const writeback = ((instr >>> 24) & 1) === 0 || ((instr >>> 21) & 1) === 1;
  const isStore = ((instr >>> 20) & 1) === 0;
  const rt = (instr >>> 12) & 15;
  if (op === 2 || (op === 3 && (instr & 0x10) === 0)) {
    if (writeback) return 0; // post-indexed (including LDRT/STRT) or pre-indexed with writeback
    return iss(instr & (1 << 22) ? SAS_BYTE : SAS_WORD, false, rt, isStore);
  }
  if (op === 0 && (instr & 0x90) === 0x90 && (instr & 0x60) !== 0) {
    if (writeback) return 0;
    const op2 = (instr >>> 5) & 3;
    if (op2 === 1) return iss(SAS_HALF, false, rt, isStore); // STRH / LDRH
    if (isStore) return 0; // LDRD / STRD
    return iss(op2 === 2 ? SAS_BYTE : SAS_HALF, true, rt, false); // LDRSB / LDRSH
  }
  return 0;
}

/** 16-bit Thumb loads and stores (A6.2.4). */
export function syndromeT16(hw: number): number {
  switch (hw >>> 12) {
    case 0x4:
      // 01001: LDR (literal).
      return hw >>> 11 === 9 ? iss(SAS_WORD, false, (hw >>> 8) & 7, false) : 0;
    case 0x5: {
      // 0101 opB: register offset.
      const rt = hw & 7;
      switch ((hw >>> 9) & 7) {
        case 0:
          return iss(SAS_WORD, false, rt, true);
        case 1:
          return iss(SAS_HALF, false, rt, true);
        case 2:
          return iss(SAS_BYTE, false, rt, true);
        case 3:
          return iss(SAS_BYTE, true, rt, false);
        case 4:
          return iss(SAS_WORD, false, rt, false);
        case 5:
          return iss(SAS_HALF, false, rt, false);
        case 6:
          return iss(SAS_BYTE, false, rt, false);
        default:
          return iss(SAS_HALF, true, rt, false);
      }
    }
    case 0x6:
      return iss(SAS_WORD, false, hw & 7, (hw & 0x800) === 0);
    case 0x7:
      return iss(SAS_BYTE, false, hw & 7, (hw & 0x800) === 0);
    case 0x8:
      return iss(SAS_HALF, false, hw & 7, (hw & 0x800) === 0);
    case 0x9:
      return iss(SAS_WORD, false, (hw >>> 8) & 7, (hw & 0x800) === 0);
    default:
      return 0;
  }
}

/** 32-bit Thumb single-register loads and stores (A6.3.7-A6.3.10): hw1 = 1111 100x xxxx xxxx. */
export function syndromeT32(hw1: number, hw2: number): number {
  if ((hw1 & 0xfe00) !== 0xf800) return 0;
  const signed = (hw1 & 0x100) !== 0;
  const sas = (hw1 >>> 5) & 3;
  const isStore = (hw1 & 0x10) === 0;
  if (sas === 3 || (signed && (isStore || sas === SAS_WORD))) return 0;
  const rn = hw1 & 15;
  if (rn !== 15 && (hw1 & 0x80) === 0 && (hw2 & 0x800) !== 0) {
    // imm8 forms: hw2[10:8] = P U W. P=1 U=1 W=0 is the unprivileged (T) form, without writeback.
    if ((hw2 & 0x400) === 0 || (hw2 & 0x100) !== 0) return 0;
  }
  return iss(sas, signed, hw2 >>> 12, isStore);
}

/**
 * The HSR of a stage-2 data abort (EC 0x24, from a lower privilege level). `decoded` is the
 * instruction's syndrome (0 if none); it is dropped if its size or direction disagree with the
 * access (a split unaligned access, an LDRD half...).
 */
export function dataAbortHsr(decoded: number, il32: boolean, size: number, isWrite: boolean, dfsc: number): number {
  let iss = dfsc | (isWrite ? ISS_WNR : 0);
  if (decoded !== 0) {
    const sas = (decoded >>> ISS_SAS_SHIFT) & 3;
    if (1 << sas === size && ((decoded & ISS_WNR) !== 0) === isWrite) iss |= decoded;
  }
  return makeHsr(EC.DABT_LOWER, il32, iss);
}

export { DFSC_ALIGNMENT, DFSC_TRANSLATION };

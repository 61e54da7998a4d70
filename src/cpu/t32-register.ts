// T32 data processing (register), A6.3.12-A6.3.15: shifts by a register, sign/zero extends with
// optional add, parallel add/subtract, and the miscellaneous operations (saturating add/subtract,
// byte/bit reversal, SEL, CLZ). hw1 = 1111 1010 op1 Rn, hw2 = 1111 Rd op2 Rm.

import type { Cpu } from "./core.js";
import { alu, shiftRegC } from "./alu.js";
import {
  media,
  parallelAddSub,
  pasOpFromT32,
  PAS_S,
  PAS_U,
  sxtah,
  uxtah,
  sxtab16,
  uxtab16,
  sxtab,
  uxtab,
  sxth,
  uxth,
  sxtb16,
  uxtb16,
  sxtb,
  uxtb,
  qadd,
  qdadd,
  qsub,
  qdsub,
  rev,
  rev16,
  rbit,
  revsh,
  sel,
} from "./ops-media.js";

export function dataProcessingRegister(cpu: Cpu, instr: number): void {
  if ((instr & 0xf000) !== 0xf000) {
    cpu.undefinedInstruction();
    return;
  }
  const op1 = (instr >>> 20) & 0xf;
  const op2 = (instr >>> 4) & 0xf;
  const r = cpu.r;
  const n = (instr >>> 16) & 0xf;
  const d = (instr >>> 8) & 0xf;
  const m = instr & 0xf;
  if (d === 15) {
    // Every instruction of this class names a destination; Rd = PC is UNPREDICTABLE.
    cpu.undefinedInstruction();
    return;
  }
  let result: number;
  if (op1 < 8) {
    if (op2 === 0) {
      // LSL/LSR/ASR/ROR{S}.W Rd, Rn, Rm: op1 = 0 type S.
      result = shiftRegC(r[n], op1 >>> 1, r[m] & 0xff, cpu.c);
      if (op1 & 1) {
        cpu.n = result >>> 31;
        cpu.z = result === 0 ? 1 : 0;
        cpu.c = alu.carry;
      }
    } else if ((op2 & 0xc) === 8 && op1 < 6) {
      // hw2[6] is (0) in the extends: set, the encoding is UNDEFINED (as QEMU makes it).
      result = extend(op1, n === 15, r[n], r[m], (instr >>> 1) & 0x18);
    } else {
      cpu.undefinedInstruction();
      return;
    }
  } else if (op2 < 8) {
    // Parallel add/subtract: prefix from hw2[6:4], operation from hw1[6:4].
    const prefix = ((op2 & 4) | ((op2 & 3) + 1)) & 7;
    const op = pasOpFromT32(op1);
    if (op < 0 || (op2 & 3) === 3) {
      cpu.undefinedInstruction();
      return;
    }
    result = parallelAddSub(prefix, op, r[n], r[m]);
    if (prefix === PAS_S || prefix === PAS_U) cpu.ge = media.ge;
  } else if (op1 < 12 && op2 < 12) {
    result = miscellaneous(cpu, ((op1 & 3) << 2) | (op2 & 3), r[n], r[m]);
    if (result === MISC_UNDEFINED) return;
  } else {
    cpu.undefinedInstruction();
    return;
  }
  r[d] = result;
}

/** SXTAH, UXTAH, SXTAB16, UXTAB16, SXTAB, UXTAB (op1 0..5); Rn = PC selects the forms without add. */
function extend(op1: number, noAdd: boolean, n: number, m: number, rot: number): number {
  switch (op1) {
    case 0:
      return noAdd ? sxth(m, rot) : sxtah(n, m, rot);
    case 1:
      return noAdd ? uxth(m, rot) : uxtah(n, m, rot);
    case 2:
      return noAdd ? sxtb16(m, rot) : sxtab16(n, m, rot);
    case 3:
      return noAdd ? uxtb16(m, rot) : uxtab16(n, m, rot);
    case 4:
      return noAdd ? sxtb(m, rot) : sxtab(n, m, rot);
    default:
      return noAdd ? uxtb(m, rot) : uxtab(n, m, rot);
  }
}

/** Returned by miscellaneous() after raising UNDEFINED: outside the int32 range of real results. */
const MISC_UNDEFINED = 0x80000000;

/** A6.3.15, `op` = op1[1:0]:op2[1:0]. */
function miscellaneous(cpu: Cpu, op: number, n: number, m: number): number {
  let result: number;
  switch (op) {
    case 0x0: // QADD Rd, Rm, Rn
      result = qadd(m, n);
      break;
    case 0x1: // QDADD
      result = qdadd(m, n);
      break;
    case 0x2: // QSUB
      result = qsub(m, n);
      break;
    case 0x3: // QDSUB
      result = qdsub(m, n);
      break;
    case 0x4:
      return rev(m);
    case 0x5:
      return rev16(m);
    case 0x6:
      return rbit(m);
    case 0x7:
      return revsh(m);
    case 0x8: // SEL Rd, Rn, Rm
      return sel(n, m, cpu.ge);
    case 0xc: // CLZ
      return Math.clz32(m);
    default:
      cpu.undefinedInstruction();
      return MISC_UNDEFINED;
  }
  if (media.sat) cpu.q = 1;
  return result;
}

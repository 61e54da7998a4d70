// A32 media instructions (DDI 0406C A5.4): parallel add/subtract, packing, extends, saturation,
// byte reversal, USAD8, the bit-field instructions and UDF. Signed multiplies of the same space are
// in a32-multiply.ts. The arithmetic lives in ops-media.ts, shared with T32.

import type { Cpu } from "./core.js";
import { shiftImmC } from "./alu.js";
import { signedMultiply } from "./a32-multiply.js";
import {
  media,
  parallelAddSub,
  PAS_S,
  PAS_U,
  ssat,
  usat,
  ssat16,
  usat16,
  sel,
  usad8,
  pkhbt,
  pkhtb,
  sxtb,
  sxth,
  uxtb,
  uxth,
  sxtab,
  sxtah,
  uxtab,
  uxtah,
  sxtb16,
  uxtb16,
  sxtab16,
  uxtab16,
  rev,
  rev16,
  revsh,
  rbit,
  bfi,
  ubfx,
  sbfx,
} from "./ops-media.js";

/** Media instructions: bits [27:25] = 0b011 and bit 4 = 1. op1 = bits [24:20], op2 = bits [7:5]. */
export function mediaInstruction(cpu: Cpu, instr: number): void {
  const op1 = (instr >>> 20) & 31;
  switch (op1 >>> 3) {
    case 0:
      parallel(cpu, instr);
      return;
    case 1:
      packSatReverse(cpu, instr);
      return;
    case 2:
      signedMultiply(cpu, instr);
      return;
    default:
      bitField(cpu, instr, op1);
      return;
  }
}

/** Parallel add/subtract (A5.4.1, A5.4.2): op1[2:0] is the prefix, op2 the operation. */
function parallel(cpu: Cpu, instr: number): void {
  const d = (instr >>> 12) & 15;
  const prefix = (instr >>> 20) & 7;
  const r = cpu.r;
  const res = parallelAddSub(prefix, (instr >>> 5) & 7, r[(instr >>> 16) & 15], r[instr & 15]);
  if (media.ge < 0 || d === 15) {
    cpu.undefinedInstruction();
    return;
  }
  r[d] = res;
  if (prefix === PAS_S || prefix === PAS_U) cpu.ge = media.ge;
}

/** Packing, unpacking, saturation and reversal (A5.4.3). */
function packSatReverse(cpu: Cpu, instr: number): void {
  const r = cpu.r;
  const d = (instr >>> 12) & 15;
  const nField = (instr >>> 16) & 15;
  const m = instr & 15;
  const op2 = (instr >>> 5) & 7;
  const rot = (instr >>> 7) & 0x18; // rotate field [11:10] × 8
  if (d === 15) {
    cpu.undefinedInstruction();
    return;
  }
  switch ((instr >>> 20) & 7) {
    case 0:
      if ((op2 & 1) === 0) {
        // PKHBT / PKHTB
        const imm5 = (instr >>> 7) & 31;
        const mv = r[m];
        if (instr & 0x40) r[d] = pkhtb(r[nField], shiftImmC(mv, 2, imm5, 0));
        else r[d] = pkhbt(r[nField], mv << imm5);
        return;
      }
      if (op2 === 3) {
        r[d] = nField === 15 ? sxtb16(r[m], rot) : sxtab16(r[nField], r[m], rot);
        return;
      }
      if (op2 === 5) {
        r[d] = sel(r[nField], r[m], cpu.ge);
        return;
      }
      break;
    case 2:
    case 3:
      if ((op2 & 1) === 0) {
        r[d] = ssat(satOperand(cpu, instr), ((instr >>> 16) & 31) + 1);
        cpu.q |= media.sat;
        return;
      }
      if ((instr & 0x100000) === 0) {
        if (op2 === 1) {
          r[d] = ssat16(r[m], nField + 1); // sat_imm is [19:16]
          cpu.q |= media.sat;
          return;
        }
        if (op2 === 3) {
          r[d] = nField === 15 ? sxtb(r[m], rot) : sxtab(r[nField], r[m], rot);
          return;
        }
      } else {
        if (op2 === 1) {
          r[d] = rev(r[m]);
          return;
        }
        if (op2 === 3) {
          r[d] = nField === 15 ? sxth(r[m], rot) : sxtah(r[nField], r[m], rot);
          return;
        }
        if (op2 === 5) {
          r[d] = rev16(r[m]);
          return;
        }
      }
      break;
    case 4:
      if (op2 === 3) {
        r[d] = nField === 15 ? uxtb16(r[m], rot) : uxtab16(r[nField], r[m], rot);
        return;
      }
      break;
    case 6:
    case 7:
      if ((op2 & 1) === 0) {
        r[d] = usat(satOperand(cpu, instr), (instr >>> 16) & 31);
        cpu.q |= media.sat;
        return;
      }
      if ((instr & 0x100000) === 0) {
        if (op2 === 1) {
          r[d] = usat16(r[m], nField);
          cpu.q |= media.sat;
          return;
        }
        if (op2 === 3) {
          r[d] = nField === 15 ? uxtb(r[m], rot) : uxtab(r[nField], r[m], rot);
          return;
        }
      } else {
        if (op2 === 1) {
          r[d] = rbit(r[m]);
          return;
        }
        if (op2 === 3) {
          r[d] = nField === 15 ? uxth(r[m], rot) : uxtah(r[nField], r[m], rot);
          return;
        }
        if (op2 === 5) {
          r[d] = revsh(r[m]);
          return;
        }
      }
      break;
    default:
      break;
  }
  cpu.undefinedInstruction();
}

/** The SSAT/USAT operand: Rn (bits [3:0]) shifted LSL (sh = 0) or ASR (sh = 1, #0 meaning 32) by imm5. */
function satOperand(cpu: Cpu, instr: number): number {
  const v = cpu.r[instr & 15];
  const imm5 = (instr >>> 7) & 31;
  return instr & 0x40 ? shiftImmC(v, 2, imm5, 0) : v << imm5;
}

/** USAD8/USADA8, SBFX, BFC/BFI, UBFX and UDF (op1 = 0b11xxx). */
function bitField(cpu: Cpu, instr: number, op1: number): void {
  const r = cpu.r;
  const op2 = (instr >>> 5) & 7;
  const rn = instr & 15;
  const lsb = (instr >>> 7) & 31;
  const hiField = (instr >>> 16) & 31; // widthm1 or msb
  const d = (instr >>> 12) & 15;
  switch (op1) {
    case 0x18:
      if (op2 === 0) {
        // USAD8 / USADA8: Rd [19:16], Ra [15:12], Rm [11:8], Rn [3:0]
        const rd = (instr >>> 16) & 15;
        if (rd === 15) break;
        const sum = usad8(r[rn], r[(instr >>> 8) & 15]);
        r[rd] = d === 15 ? sum : (sum + r[d]) | 0;
        return;
      }
      break;
    case 0x1a:
    case 0x1b: // SBFX
      if ((op2 & 3) !== 2 || d === 15 || lsb + hiField > 31) break;
      r[d] = sbfx(r[rn], lsb, hiField + 1);
      return;
    case 0x1c:
    case 0x1d: // BFC (Rn = 15) / BFI
      if ((op2 & 3) !== 0 || d === 15 || hiField < lsb) break;
      r[d] = bfi(r[d], rn === 15 ? 0 : r[rn], lsb, hiField);
      return;
    case 0x1e:
    case 0x1f:
      if ((op2 & 3) === 2) {
        // UBFX
        if (d === 15 || lsb + hiField > 31) break;
        r[d] = ubfx(r[rn], lsb, hiField + 1);
        return;
      }
      // UDF (op1 = 0b11111, op2 = 0b111) and everything else: UNDEFINED
      break;
    default:
      break;
  }
  cpu.undefinedInstruction();
}

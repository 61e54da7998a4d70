// A32 multiplies and divides (DDI 0406C A5.2.5, A5.2.7, A5.4.4): MUL/MLA/MLS, the long multiplies
// and UMAAL, the halfword multiplies (SMLA<x><y>, SMULW<y>...), the dual and most-significant-word
// multiplies, and SDIV/UDIV. The arithmetic lives in ops-multiply.ts, shared with T32.

import type { Cpu } from "./core.js";
import {
  mul,
  mla,
  mls,
  umull64,
  smull64,
  umlal64,
  smlal64,
  umaal,
  smulxy,
  smlaxy,
  smlalxy,
  smulwy,
  smlawy,
  smuad,
  smlad,
  smusd,
  smlsd,
  smlald,
  smlsld,
  smmul,
  smmla,
  smmls,
  sdiv,
  udiv,
} from "./ops-multiply.js";

/** Multiply and multiply accumulate (A5.2.5): bits [7:4] = 0b1001, bit 24 = 0. Register fields:
 * Rd/RdHi [19:16], Ra/RdLo [15:12], Rm [11:8], Rn [3:0]. A PC operand is UNPREDICTABLE. */
export function multiply(cpu: Cpu, instr: number): void {
  const r = cpu.r;
  const hiReg = (instr >>> 16) & 15;
  const loReg = (instr >>> 12) & 15;
  const nv = r[instr & 15];
  const mv = r[(instr >>> 8) & 15];
  const s = (instr >>> 20) & 1;
  const op = (instr >>> 21) & 7;
  if (hiReg === 15 || (op >= 2 && loReg === 15)) {
    cpu.undefinedInstruction();
    return;
  }
  let res = 0;
  switch (op) {
    case 0: // MUL
      res = Math.imul(nv, mv);
      break;
    case 1: // MLA
      res = mla(nv, mv, r[loReg]);
      break;
    case 2: // UMAAL (S = 1 is unallocated)
      if (s) break;
      r[loReg] = umaal(nv, mv, r[loReg], r[hiReg]);
      r[hiReg] = mul.hi;
      return;
    case 3: // MLS (S = 1 is unallocated)
      if (s) break;
      r[hiReg] = mls(nv, mv, r[loReg]);
      return;
    default: {
      let lo: number;
      if (op === 4) lo = umull64(nv, mv);
      else if (op === 5) lo = umlal64(nv, mv, r[loReg], r[hiReg]);
      else if (op === 6) lo = smull64(nv, mv);
      else lo = smlal64(nv, mv, r[loReg], r[hiReg]);
      const hi = mul.hi;
      r[loReg] = lo;
      r[hiReg] = hi;
      if (s) {
        cpu.n = hi >>> 31;
        cpu.z = (hi | lo) === 0 ? 1 : 0;
      }
      return;
    }
  }
  if (op >= 2) {
    cpu.undefinedInstruction();
    return;
  }
  r[hiReg] = res;
  if (s) {
    // C and V are unchanged from ARMv6 on.
    cpu.n = res >>> 31;
    cpu.z = res === 0 ? 1 : 0;
  }
}

/** Halfword multiply and multiply accumulate (A5.2.7): op1 = bits [22:21], N = bit 5, M = bit 6. */
export function halfwordMultiply(cpu: Cpu, instr: number): void {
  const r = cpu.r;
  const d = (instr >>> 16) & 15;
  const a = (instr >>> 12) & 15;
  const nv = r[instr & 15];
  const mv = r[(instr >>> 8) & 15];
  const nTop = (instr >>> 5) & 1;
  const mTop = (instr >>> 6) & 1;
  if (d === 15) {
    cpu.undefinedInstruction();
    return;
  }
  switch ((instr >>> 21) & 3) {
    case 0: // SMLA<x><y>
      r[d] = smlaxy(nv, mv, r[a], nTop, mTop);
      cpu.q |= mul.q;
      return;
    case 1:
      if (nTop) {
        r[d] = smulwy(nv, mv, mTop); // SMULW<y>
      } else {
        r[d] = smlawy(nv, mv, r[a], mTop); // SMLAW<y>
        cpu.q |= mul.q;
      }
      return;
    case 2: {
      // SMLAL<x><y>: RdLo = [15:12], RdHi = [19:16]
      const lo = smlalxy(nv, mv, r[a], r[d], nTop, mTop);
      r[a] = lo;
      r[d] = mul.hi;
      return;
    }
    default: // SMUL<x><y>
      r[d] = smulxy(nv, mv, nTop, mTop);
      return;
  }
}

/** Signed multiplies and divides of the media space (A5.4.4): op1 = bits [22:20], op2 = bits [7:5].
 * Rd/RdHi [19:16], Ra/RdLo [15:12] (0b1111 selects the forms without accumulate), Rm [11:8], Rn [3:0]. */
export function signedMultiply(cpu: Cpu, instr: number): void {
  const r = cpu.r;
  const d = (instr >>> 16) & 15;
  const a = (instr >>> 12) & 15;
  const nv = r[instr & 15];
  const mv = r[(instr >>> 8) & 15];
  const op2 = (instr >>> 5) & 7;
  const x = op2 & 1; // the X (swap halves) or R (round) bit
  if (d === 15) {
    cpu.undefinedInstruction();
    return;
  }
  switch ((instr >>> 20) & 7) {
    case 0:
      if (op2 < 2) {
        if (a === 15) r[d] = smuad(nv, mv, x);
        else r[d] = smlad(nv, mv, r[a], x);
        cpu.q |= mul.q;
        return;
      }
      if (op2 < 4) {
        if (a === 15) r[d] = smusd(nv, mv, x);
        else {
          r[d] = smlsd(nv, mv, r[a], x);
          cpu.q |= mul.q;
        }
        return;
      }
      break;
    case 1: // SDIV
      if (op2 !== 0 || a !== 15) break;
      r[d] = sdiv(nv, mv);
      return;
    case 3: // UDIV
      if (op2 !== 0 || a !== 15) break;
      r[d] = udiv(nv, mv);
      return;
    case 4:
      if (op2 < 4) {
        if (a === 15) break;
        const lo = op2 < 2 ? smlald(nv, mv, r[a], r[d], x) : smlsld(nv, mv, r[a], r[d], x);
        r[a] = lo;
        r[d] = mul.hi;
        return;
      }
      break;
    case 5:
      if (op2 < 2) {
        r[d] = a === 15 ? smmul(nv, mv, x) : smmla(nv, mv, r[a], x);
        return;
      }
      if (op2 >= 6) {
        if (a === 15) break;
        r[d] = smmls(nv, mv, r[a], x);
        return;
      }
      break;
    default:
      break;
  }
  cpu.undefinedInstruction();
}

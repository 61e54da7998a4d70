// T32 multiply, multiply accumulate and absolute difference (A6.3.16), and long multiply, long
// multiply accumulate and divide (A6.3.17). The arithmetic is in ops-multiply.ts / ops-media.ts.

import type { Cpu } from "./core.js";
import {
  mul,
  mla,
  mls,
  smulxy,
  smlaxy,
  smuad,
  smlad,
  smulwy,
  smlawy,
  smusd,
  smlsd,
  smmul,
  smmla,
  smmls,
  smull64,
  umull64,
  smlal64,
  umlal64,
  umaal,
  smlalxy,
  smlald,
  smlsld,
  sdiv,
  udiv,
} from "./ops-multiply.js";
import { usad8, usada8 } from "./ops-media.js";

/** A6.3.16: hw1 = 1111 1011 0 op1 Rn, hw2 = Ra Rd 00 op2 Rm; Ra = PC selects the forms without
 * accumulate. */
export function multiplyAccumulate(cpu: Cpu, instr: number): void {
  const r = cpu.r;
  const n = r[(instr >>> 16) & 0xf];
  const m = r[instr & 0xf];
  const a = (instr >>> 12) & 0xf;
  const d = (instr >>> 8) & 0xf;
  const op2 = (instr >>> 4) & 0xf; // hw2[7:4]; hw2[7:6] must be 00
  const noAcc = a === 15;
  const acc = r[a];
  let result: number;
  let setsQ = false;
  if (d === 15 || op2 > 3) {
    cpu.undefinedInstruction();
    return;
  }
  switch ((instr >>> 20) & 7) {
    case 0:
      // MLS with Ra = PC (UNPREDICTABLE) accumulates the PC value, as QEMU does.
      if (op2 === 0) result = noAcc ? Math.imul(n, m) : mla(n, m, acc);
      else if (op2 === 1) result = mls(n, m, acc);
      else return undefinedForm(cpu);
      break;
    case 1: // SMUL<x><y> / SMLA<x><y>: N = hw2[5], M = hw2[4]
      if (noAcc) result = smulxy(n, m, op2 & 2, op2 & 1);
      else {
        result = smlaxy(n, m, acc, op2 & 2, op2 & 1);
        setsQ = true;
      }
      break;
    case 2: // SMUAD{X} / SMLAD{X}
      if (op2 > 1) return undefinedForm(cpu);
      result = noAcc ? smuad(n, m, op2) : smlad(n, m, acc, op2);
      setsQ = true;
      break;
    case 3: // SMULW<y> / SMLAW<y>
      if (op2 > 1) return undefinedForm(cpu);
      if (noAcc) result = smulwy(n, m, op2);
      else {
        result = smlawy(n, m, acc, op2);
        setsQ = true;
      }
      break;
    case 4: // SMUSD{X} / SMLSD{X}
      if (op2 > 1) return undefinedForm(cpu);
      if (noAcc) result = smusd(n, m, op2);
      else {
        result = smlsd(n, m, acc, op2);
        setsQ = true;
      }
      break;
    case 5: // SMMUL{R} / SMMLA{R}
      if (op2 > 1) return undefinedForm(cpu);
      result = noAcc ? smmul(n, m, op2) : smmla(n, m, acc, op2);
      break;
    case 6: // SMMLS{R}: Ra = PC is UNPREDICTABLE; QEMU then computes SMMUL{R}, and so do we
      if (op2 > 1) return undefinedForm(cpu);
      result = noAcc ? smmul(n, m, op2) : smmls(n, m, acc, op2);
      break;
    default: // USAD8 / USADA8
      if (op2 !== 0) return undefinedForm(cpu);
      result = noAcc ? usad8(n, m) : usada8(n, m, acc);
      break;
  }
  if (setsQ && mul.q) cpu.q = 1;
  r[d] = result;
}

/** A6.3.17: hw1 = 1111 1011 1 op1 Rn, hw2 = RdLo RdHi op2 Rm (SDIV/UDIV: hw2 = 1111 Rd 1111 Rm). */
export function longMultiplyDivide(cpu: Cpu, instr: number): void {
  const r = cpu.r;
  const n = r[(instr >>> 16) & 0xf];
  const m = r[instr & 0xf];
  const dLo = (instr >>> 12) & 0xf;
  const dHi = (instr >>> 8) & 0xf;
  const op1 = (instr >>> 20) & 7;
  const op2 = (instr >>> 4) & 0xf;
  if (op1 === 1 || op1 === 3) {
    // SDIV/UDIV Rd, Rn, Rm (division by zero gives zero: no divide trap on the A profile).
    if (op2 !== 0xf || dLo !== 15 || dHi === 15) return undefinedForm(cpu);
    r[dHi] = op1 === 1 ? sdiv(n, m) : udiv(n, m);
    return;
  }
  if (dLo === 15 || dHi === 15) return undefinedForm(cpu);
  const lo = r[dLo];
  const hi = r[dHi];
  let resultLo: number;
  switch (op1) {
    case 0: // SMULL
      if (op2 !== 0) return undefinedForm(cpu);
      resultLo = smull64(n, m);
      break;
    case 2: // UMULL
      if (op2 !== 0) return undefinedForm(cpu);
      resultLo = umull64(n, m);
      break;
    case 4:
      if (op2 === 0) resultLo = smlal64(n, m, lo, hi);
      else if ((op2 & 0xc) === 0x8)
        resultLo = smlalxy(n, m, lo, hi, op2 & 2, op2 & 1); // SMLAL<x><y>
      else if ((op2 & 0xe) === 0xc)
        resultLo = smlald(n, m, lo, hi, op2 & 1); // SMLALD{X}
      else return undefinedForm(cpu);
      break;
    case 5: // SMLSLD{X}
      if ((op2 & 0xe) !== 0xc) return undefinedForm(cpu);
      resultLo = smlsld(n, m, lo, hi, op2 & 1);
      break;
    case 6:
      if (op2 === 0) resultLo = umlal64(n, m, lo, hi);
      else if (op2 === 6) resultLo = umaal(n, m, lo, hi);
      else return undefinedForm(cpu);
      break;
    default:
      return undefinedForm(cpu);
  }
  r[dLo] = resultLo;
  r[dHi] = mul.hi;
}

function undefinedForm(cpu: Cpu): void {
  cpu.undefinedInstruction();
}

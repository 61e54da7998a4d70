// VFP data-processing instructions (DDI 0406C A7.5): cond 1110 opc1 opc2 Vd 101 sz opc3 M 0 Vm.
// Scalar only: FPSCR.Len is RAZ, so there are no short vectors. Access checks are done by the caller.

import type { Cpu } from "./core.js";
import type { VfpState } from "./vfp-state.js";
import { fpEnv } from "./vfp-env.js";
import { SIGN32 } from "./vfp-bits.js";
import { add32, compare32, div32, mul32, sqrt32, sub32 } from "./vfp-arith32.js";
import { add64, compare64, div64, mul64, sqrt64, sub64 } from "./vfp-arith64.js";
import { f32ToF64, f32ToFixed, f64ToF32, f64ToFixed, fixedSource, fixedToF32, fixedToF64 } from "./vfp-convert.js";

/** Writes a double result: a NaN goes in as the words fpEnv holds, never through a JS number. */
function putD(st: VfpState, d: number, value: number): void {
  if (value !== value) {
    st.w[2 * d] = fpEnv.nanLo;
    st.w[2 * d + 1] = fpEnv.nanHi;
  } else {
    st.d[d] = value;
  }
}

export function executeVfpDataProcessing(cpu: Cpu, instr: number): void {
  const st = cpu.vfp;
  const dp = (instr >>> 8) & 1;
  // opc1 without the D bit: bits 23, 21, 20.
  const opc1 = ((instr >>> 21) & 4) | ((instr >>> 20) & 3);
  const op = (instr >>> 6) & 1;
  const D = (instr >>> 22) & 1;
  const Vd = (instr >>> 12) & 0xf;
  const N = (instr >>> 7) & 1;
  const Vn = (instr >>> 16) & 0xf;
  const M = (instr >>> 5) & 1;
  const Vm = instr & 0xf;
  const d = dp ? (D << 4) | Vd : (Vd << 1) | D;
  const n = dp ? (N << 4) | Vn : (Vn << 1) | N;
  const m = dp ? (M << 4) | Vm : (Vm << 1) | M;
  // VFMA/VFMS/VFNMA/VFNMS are VFPv4; VDIV has op = 0.
  if (opc1 === 5 || opc1 === 6 || (opc1 === 4 && op === 1)) {
    cpu.undefinedInstruction();
    return;
  }
  const env = fpEnv;
  env.load(st.fpscr);
  if (opc1 === 7) {
    if (!executeOther(cpu, st, instr, dp, d, m)) return;
  } else if (dp) {
    threeRegister64(st, opc1, op, d, n, m);
  } else {
    threeRegister32(st, opc1, op, d, n, m);
  }
  if (env.exc !== 0) st.fpscr = (st.fpscr | env.exc) >>> 0;
}

function threeRegister32(st: VfpState, opc1: number, op: number, d: number, n: number, m: number): void {
  const w = st.w;
  switch (opc1) {
    case 0: {
      // VMLA (op 0), VMLS (op 1): Sd + (+/-)(Sn * Sm), rounded twice.
      const product = mul32(w[n], w[m]);
      w[d] = add32(w[d], op ? product ^ SIGN32 : product);
      return;
    }
    case 1: {
      // VNMLS (op 0): -Sd + Sn*Sm; VNMLA (op 1): -Sd - Sn*Sm.
      const product = mul32(w[n], w[m]);
      w[d] = add32(w[d] ^ SIGN32, op ? product ^ SIGN32 : product);
      return;
    }
    case 2: {
      // VMUL (op 0), VNMUL (op 1): the negation flips a NaN's sign too (FPNeg).
      const product = mul32(w[n], w[m]);
      w[d] = op ? product ^ SIGN32 : product;
      return;
    }
    case 3:
      w[d] = op ? sub32(w[n], w[m]) : add32(w[n], w[m]);
      return;
    default:
      w[d] = div32(w[n], w[m]);
  }
}

function threeRegister64(st: VfpState, opc1: number, op: number, d: number, n: number, m: number): void {
  const w = st.w;
  const v = st.d;
  const env = fpEnv;
  const nHi = w[2 * n + 1];
  const nLo = w[2 * n];
  const mHi = w[2 * m + 1];
  const mLo = w[2 * m];
  switch (opc1) {
    case 0:
    case 1: {
      // VMLA/VMLS (opc1 0) and VNMLS/VNMLA (opc1 1): the product, negated when op = 1, is added to Dd,
      // which VNMLA/VNMLS negate first. Negation flips a NaN's sign bit.
      let p = mul64(v[n], nHi, nLo, v[m], mHi, mLo);
      let pHi = env.nanHi;
      const pLo = env.nanLo;
      if (op) {
        p = -p;
        pHi ^= SIGN32;
      }
      let acc = v[d];
      let accHi = w[2 * d + 1];
      if (opc1 === 1) {
        acc = -acc;
        accHi ^= SIGN32;
      }
      putD(st, d, add64(acc, accHi, w[2 * d], p, pHi, pLo));
      return;
    }
    case 2: {
      let p = mul64(v[n], nHi, nLo, v[m], mHi, mLo);
      if (op) {
        p = -p;
        env.nanHi ^= SIGN32;
      }
      putD(st, d, p);
      return;
    }
    case 3:
      putD(st, d, op ? sub64(v[n], nHi, nLo, v[m], mHi, mLo) : add64(v[n], nHi, nLo, v[m], mHi, mLo));
      return;
    default:
      putD(st, d, div64(v[n], nHi, nLo, v[m], mHi, mLo));
  }
}

/** VFPExpandImm: sign, exponent NOT(b6):b6..b6:b5:b4, fraction b3..b0 then zeros. Returns the top word. */
function expandImmHigh(imm8: number, dp: number): number {
  const sign = (imm8 & 0x80) << 24;
  const b6 = (imm8 >>> 6) & 1;
  const low6 = imm8 & 0x3f;
  if (dp) return sign | ((b6 ^ 1) << 30) | (b6 ? 0x3fc00000 : 0) | (low6 << 16);
  return sign | ((b6 ^ 1) << 30) | (b6 ? 0x3e000000 : 0) | (low6 << 19);
}

/** The opc1 = 1x11 group; returns false if the instruction was UNDEFINED. */
function executeOther(cpu: Cpu, st: VfpState, instr: number, dp: number, d: number, m: number): boolean {
  const w = st.w;
  const v = st.d;
  const opc2 = (instr >>> 16) & 0xf;
  const opc3 = (instr >>> 6) & 3;
  if ((opc3 & 1) === 0) {
    // VMOV (immediate).
    const hi = expandImmHigh(((instr >>> 12) & 0xf0) | (instr & 0xf), dp);
    if (dp) {
      w[2 * d] = 0;
      w[2 * d + 1] = hi;
    } else {
      w[d] = hi;
    }
    return true;
  }
  const bit7 = opc3 >>> 1;
  switch (opc2) {
    case 0:
    case 1:
      if (opc2 === 0 && opc3 === 1) {
        // VMOV (register): raw bits.
        if (dp) {
          w[2 * d] = w[2 * m];
          w[2 * d + 1] = w[2 * m + 1];
        } else {
          w[d] = w[m];
        }
      } else if (opc3 === 1) {
        // VNEG, VABS: sign bit only, NaNs included, no exceptions.
        if (dp) {
          w[2 * d] = w[2 * m];
          w[2 * d + 1] = w[2 * m + 1] ^ SIGN32;
        } else {
          w[d] = w[m] ^ SIGN32;
        }
      } else if (opc2 === 0) {
        if (dp) {
          w[2 * d] = w[2 * m];
          w[2 * d + 1] = w[2 * m + 1] & 0x7fffffff;
        } else {
          w[d] = w[m] & 0x7fffffff;
        }
      } else if (dp) {
        putD(st, d, sqrt64(v[m], w[2 * m + 1], w[2 * m]));
      } else {
        w[d] = sqrt32(w[m]);
      }
      return true;
    case 4:
    case 5: {
      // VCMP, VCMPE (bit 7), against Dm/Sm or +0.
      const zero = opc2 === 5;
      let nzcv: number;
      if (dp) nzcv = compare64(v[d], w[2 * d + 1], zero ? 0 : v[m], zero ? 0 : w[2 * m + 1], bit7 === 1);
      else nzcv = compare32(w[d], zero ? 0 : w[m], bit7 === 1);
      st.fpscr = ((st.fpscr & 0x0fffffff) | (nzcv << 28)) >>> 0;
      return true;
    }
    case 7: {
      if (opc3 !== 3) break;
      // VCVT between double and single: sz = 1 converts Dm to Sd, sz = 0 Sm to Dd.
      const D = (instr >>> 22) & 1;
      const Vd = (instr >>> 12) & 0xf;
      const M = (instr >>> 5) & 1;
      const Vm = instr & 0xf;
      if (dp) {
        const sd = (Vd << 1) | D;
        const dm = (M << 4) | Vm;
        w[sd] = f64ToF32(v[dm], w[2 * dm + 1], w[2 * dm]);
      } else {
        putD(st, (D << 4) | Vd, f32ToF64(w[(Vm << 1) | M]));
      }
      return true;
    }
    case 8: {
      // VCVT from a 32-bit integer in Sm (bit 7: signed) to Sd/Dd, rounded per FPSCR.
      const sm = ((instr & 0xf) << 1) | ((instr >>> 5) & 1);
      const value = fixedSource(w[sm], 32, bit7 === 0);
      if (dp) putD(st, d, fixedToF64(value, 0));
      else w[d] = fixedToF32(value, 0, false);
      return true;
    }
    case 12:
    case 13: {
      // VCVT (bit 7 = 1: towards zero) / VCVTR (FPSCR rounding) to a 32-bit integer in Sd; opc2 13 signed.
      const sd = (((instr >>> 12) & 0xf) << 1) | ((instr >>> 22) & 1);
      const unsigned = opc2 === 12;
      w[sd] = dp ? f64ToFixed(v[m], 32, 0, unsigned, bit7 === 1) : f32ToFixed(w[m], 32, 0, unsigned, bit7 === 1);
      return true;
    }
    case 10:
    case 11:
    case 14:
    case 15: {
      // VCVT between floating point and fixed point, in place in Sd/Dd: opc2<2> to fixed, opc2<0> unsigned,
      // bit 7 (sx) 32-bit else 16-bit, fbits = size - imm4:i.
      const size = bit7 ? 32 : 16;
      const fbits = size - (((instr & 0xf) << 1) | ((instr >>> 5) & 1));
      if (fbits < 0) break;
      const unsigned = (opc2 & 1) === 1;
      if (opc2 & 4) {
        // Towards zero; the result is sign- or zero-extended to the register width.
        if (dp) {
          const r = f64ToFixed(v[d], size, fbits, unsigned, true);
          w[2 * d] = r;
          w[2 * d + 1] = unsigned ? 0 : r >> 31;
        } else {
          w[d] = f32ToFixed(w[d], size, fbits, unsigned, true);
        }
      } else if (dp) {
        putD(st, d, fixedToF64(fixedSource(w[2 * d], size, unsigned), fbits));
      } else {
        // Round to nearest whatever FPSCR.RMode says.
        w[d] = fixedToF32(fixedSource(w[d], size, unsigned), fbits, true);
      }
      return true;
    }
  }
  // VCVTB/VCVTT (half precision, not implemented: MVFR1 says so), and unallocated encodings.
  cpu.undefinedInstruction();
  return false;
}

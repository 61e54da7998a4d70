// Single-precision arithmetic on raw bits (DDI 0406C A2.7.x FPAdd, FPSub, FPMul, FPDiv, FPSqrt,
// FPCompare). Values are computed in double precision, where sums carry their exact error (TwoSum),
// products are exact, and quotients and roots carry the sign of their residual; roundF32 does the rest.

import { fpEnv, RM, EXC_DZC, EXC_IDC, EXC_IOC } from "./vfp-env.js";
import { f32FromBits, SIGN32 } from "./vfp-bits.js";
import { invalid32, isNaN32, processNaN32, processNaNs32 } from "./vfp-nan.js";
import { roundF32 } from "./vfp-round.js";
import { twoProductErr, twoSumErr } from "./vfp-exact.js";

const INF_32 = 0x7f800000;

/** FPUnpack's flush of a denormal input when FPSCR.FZ is set: a zero of the same sign, raising IDC. */
export function flush32(bits: number): number {
  if ((bits & 0x7f800000) === 0 && (bits & 0x007fffff) !== 0) {
    fpEnv.exc |= EXC_IDC;
    return bits & SIGN32;
  }
  return bits;
}

function isInf32(bits: number): boolean {
  return (bits & 0x7fffffff) === INF_32;
}

function isZero32(bits: number): boolean {
  return (bits & 0x7fffffff) === 0;
}

/** The zero an exact cancellation produces: -0 when rounding towards minus infinity, else +0. */
function exactZero32(): number {
  return fpEnv.rmode === RM ? SIGN32 : 0;
}

export function add32(a: number, b: number): number {
  if (fpEnv.fz) {
    a = flush32(a);
    b = flush32(b);
  }
  if (isNaN32(a) || isNaN32(b)) return processNaNs32(a, b);
  const aInf = isInf32(a);
  const bInf = isInf32(b);
  if (aInf || bInf) {
    if (aInf && bInf && (a ^ b) < 0) return invalid32();
    return aInf ? a : b;
  }
  const aZero = isZero32(a);
  if (aZero && isZero32(b)) return a === b ? a : exactZero32();
  const x = f32FromBits(a);
  const y = f32FromBits(b);
  const s = x + y;
  if (s === 0) return exactZero32();
  return roundF32(s, twoSumErr(x, y, s));
}

export function sub32(a: number, b: number): number {
  // NaNs propagate with their own sign: only a number operand is negated.
  if (isNaN32(a) || isNaN32(b)) {
    if (fpEnv.fz) {
      a = flush32(a);
      b = flush32(b);
    }
    return processNaNs32(a, b);
  }
  return add32(a, b ^ SIGN32);
}

export function mul32(a: number, b: number): number {
  if (fpEnv.fz) {
    a = flush32(a);
    b = flush32(b);
  }
  if (isNaN32(a) || isNaN32(b)) return processNaNs32(a, b);
  const sign = (a ^ b) & SIGN32;
  const aInf = isInf32(a);
  const bInf = isInf32(b);
  const aZero = isZero32(a);
  const bZero = isZero32(b);
  if ((aInf && bZero) || (aZero && bInf)) return invalid32();
  if (aInf || bInf) return sign | INF_32;
  if (aZero || bZero) return sign;
  // A product of two 24-bit significands is exact in double precision.
  return roundF32(f32FromBits(a) * f32FromBits(b), 0);
}

export function div32(a: number, b: number): number {
  if (fpEnv.fz) {
    a = flush32(a);
    b = flush32(b);
  }
  if (isNaN32(a) || isNaN32(b)) return processNaNs32(a, b);
  const sign = (a ^ b) & SIGN32;
  const aInf = isInf32(a);
  const bInf = isInf32(b);
  const aZero = isZero32(a);
  const bZero = isZero32(b);
  if ((aInf && bInf) || (aZero && bZero)) return invalid32();
  if (aInf || bZero) {
    if (!aInf) fpEnv.exc |= EXC_DZC;
    return sign | INF_32;
  }
  if (aZero || bInf) return sign;
  const x = f32FromBits(a);
  const y = f32FromBits(b);
  const q = x / y;
  // Residual x - q*y, exact: q*y is split exactly and x - p is exact (Sterbenz).
  const p = q * y;
  const r = x - p - twoProductErr(q, y, p);
  return roundF32(q, r / y);
}

export function sqrt32(a: number): number {
  if (fpEnv.fz) a = flush32(a);
  if (isNaN32(a)) return processNaN32(a);
  if (isZero32(a)) return a;
  if (a < 0) return invalid32();
  if (a === INF_32) return a;
  const x = f32FromBits(a);
  const q = Math.sqrt(x);
  const p = q * q;
  const r = x - p - twoProductErr(q, q, p);
  return roundF32(q, r / (2 * q));
}

/** FPCompare: returns NZCV as a 4-bit value. `quietNanExc` (VCMPE) makes quiet NaNs raise IOC too. */
export function compare32(a: number, b: number, quietNanExc: boolean): number {
  if (fpEnv.fz) {
    a = flush32(a);
    b = flush32(b);
  }
  const aNaN = isNaN32(a);
  const bNaN = isNaN32(b);
  if (aNaN || bNaN) {
    if (quietNanExc || (aNaN && (a & 0x00400000) === 0) || (bNaN && (b & 0x00400000) === 0)) fpEnv.exc |= EXC_IOC;
    return 0b0011;
  }
  const x = f32FromBits(a);
  const y = f32FromBits(b);
  if (x === y) return 0b0110;
  return x < y ? 0b1000 : 0b0010;
}

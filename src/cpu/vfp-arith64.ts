// Double-precision arithmetic (DDI 0406C A2.7.x FPAdd, FPSub, FPMul, FPDiv, FPSqrt, FPCompare).
// An operand is a value plus its raw words (hi, lo), which are read only when the value is a NaN; a NaN
// result is returned as NaN with its words in fpEnv.nanHi/nanLo. Results are JS's correctly rounded
// ones plus their exact error (TwoSum, TwoProduct, residuals); operands far from 1 are scaled first
// so that the error terms and overflowing or underflowing results stay exact, and roundF64 finishes.

import { fpEnv, RM, EXC_DZC, EXC_IDC, EXC_IOC } from "./vfp-env.js";
import { frexp, frexpExp } from "./vfp-bits.js";
import { invalid64, isSignallingHi64, processNaN64, processNaNs64 } from "./vfp-nan.js";
import { roundF64 } from "./vfp-round.js";
import { twoProductErr, twoSumErr } from "./vfp-exact.js";

const MIN_NORMAL = 2 ** -1022;
// Within [SAFE_LO, SAFE_HI] products and quotients of two operands, and their error terms, are exact.
const SAFE_LO = 2 ** -400;
const SAFE_HI = 2 ** 400;
// Square roots of values within these bounds need no scaling.
const SQRT_SAFE_LO = 2 ** -900;
const SQRT_SAFE_HI = 2 ** 900;

/** FPUnpack's flush of a denormal input when FPSCR.FZ is set: a zero of the same sign, raising IDC. */
export function flush64(x: number): number {
  if (x !== 0 && x < MIN_NORMAL && x > -MIN_NORMAL) {
    fpEnv.exc |= EXC_IDC;
    return x > 0 ? 0 : -0;
  }
  return x;
}

function isNegative(x: number): boolean {
  return x < 0 || (x === 0 && 1 / x < 0);
}

function isInf(x: number): boolean {
  return x === Infinity || x === -Infinity;
}

/** The zero an exact cancellation produces: -0 when rounding towards minus infinity, else +0. */
function exactZero64(): number {
  return fpEnv.rmode === RM ? -0 : 0;
}

export function add64(a: number, aHi: number, aLo: number, b: number, bHi: number, bLo: number): number {
  if (fpEnv.fz) {
    a = flush64(a);
    b = flush64(b);
  }
  if (a !== a || b !== b) return processNaNs64(a, aHi, aLo, b, bHi, bLo);
  if (isInf(a) || isInf(b)) {
    const s = a + b;
    return s !== s ? invalid64() : s;
  }
  if (a === 0 && b === 0) return isNegative(a) === isNegative(b) ? a : exactZero64();
  const s = a + b;
  if (s === 0) return exactZero64();
  if (isInf(s)) {
    // Overflowed at double's exponent range: both operands are then large, so a quarter of each is exact.
    const a4 = a * 0.25;
    const b4 = b * 0.25;
    const s4 = a4 + b4;
    return roundF64(s4, twoSumErr(a4, b4, s4), 2);
  }
  return roundF64(s, twoSumErr(a, b, s), 0);
}

export function sub64(a: number, aHi: number, aLo: number, b: number, bHi: number, bLo: number): number {
  if (a !== a || b !== b) {
    // NaNs propagate with their own sign: only a number operand is negated.
    if (fpEnv.fz) {
      a = flush64(a);
      b = flush64(b);
    }
    return processNaNs64(a, aHi, aLo, b, bHi, bLo);
  }
  return add64(a, aHi, aLo, -b, bHi, bLo);
}

export function mul64(a: number, aHi: number, aLo: number, b: number, bHi: number, bLo: number): number {
  if (fpEnv.fz) {
    a = flush64(a);
    b = flush64(b);
  }
  if (a !== a || b !== b) return processNaNs64(a, aHi, aLo, b, bHi, bLo);
  const aInf = isInf(a);
  const bInf = isInf(b);
  if ((aInf && b === 0) || (a === 0 && bInf)) return invalid64();
  const negative = isNegative(a) !== isNegative(b);
  if (aInf || bInf) return negative ? -Infinity : Infinity;
  if (a === 0 || b === 0) return negative ? -0 : 0;
  const aa = a < 0 ? -a : a;
  const ab = b < 0 ? -b : b;
  if (aa >= SAFE_LO && aa <= SAFE_HI && ab >= SAFE_LO && ab <= SAFE_HI) {
    const p = a * b;
    return roundF64(p, twoProductErr(a, b, p), 0);
  }
  // Multiply the significands, add the exponents.
  const ma = frexp(aa);
  const ea = frexpExp;
  const mb = frexp(ab);
  const eb = frexpExp;
  const p = ma * mb;
  const err = twoProductErr(ma, mb, p);
  return negative ? roundF64(-p, -err, ea + eb) : roundF64(p, err, ea + eb);
}

export function div64(a: number, aHi: number, aLo: number, b: number, bHi: number, bLo: number): number {
  if (fpEnv.fz) {
    a = flush64(a);
    b = flush64(b);
  }
  if (a !== a || b !== b) return processNaNs64(a, aHi, aLo, b, bHi, bLo);
  const aInf = isInf(a);
  const bInf = isInf(b);
  if ((aInf && bInf) || (a === 0 && b === 0)) return invalid64();
  const negative = isNegative(a) !== isNegative(b);
  if (aInf || b === 0) {
    if (!aInf) fpEnv.exc |= EXC_DZC;
    return negative ? -Infinity : Infinity;
  }
  if (a === 0 || bInf) return negative ? -0 : 0;
  const aa = a < 0 ? -a : a;
  const ab = b < 0 ? -b : b;
  if (aa >= SAFE_LO && aa <= SAFE_HI && ab >= SAFE_LO && ab <= SAFE_HI) {
    const q = a / b;
    const p = q * b;
    const r = a - p - twoProductErr(q, b, p);
    return roundF64(q, r / b, 0);
  }
  const ma = frexp(aa);
  const ea = frexpExp;
  const mb = frexp(ab);
  const eb = frexpExp;
  const q = ma / mb;
  const p = q * mb;
  const lo = (ma - p - twoProductErr(q, mb, p)) / mb;
  return negative ? roundF64(-q, -lo, ea - eb) : roundF64(q, lo, ea - eb);
}

export function sqrt64(a: number, aHi: number, aLo: number): number {
  if (fpEnv.fz) a = flush64(a);
  if (a !== a) return processNaN64(aHi, aLo);
  if (a === 0) return a;
  if (a < 0) return invalid64();
  if (a === Infinity) return a;
  if (a >= SQRT_SAFE_LO && a <= SQRT_SAFE_HI) {
    const q = Math.sqrt(a);
    const p = q * q;
    return roundF64(q, (a - p - twoProductErr(q, q, p)) / (2 * q), 0);
  }
  // Take an even power of two out: sqrt(m * 2^e) = sqrt(m) * 2^(e/2) with m in [1, 4).
  let m = frexp(a);
  let e = frexpExp;
  if (e & 1) {
    m *= 2;
    e -= 1;
  }
  const q = Math.sqrt(m);
  const p = q * q;
  return roundF64(q, (m - p - twoProductErr(q, q, p)) / (2 * q), e / 2);
}

/** FPCompare: returns NZCV as a 4-bit value. `quietNanExc` (VCMPE) makes quiet NaNs raise IOC too. */
export function compare64(a: number, aHi: number, b: number, bHi: number, quietNanExc: boolean): number {
  if (fpEnv.fz) {
    a = flush64(a);
    b = flush64(b);
  }
  const aNaN = a !== a;
  const bNaN = b !== b;
  if (aNaN || bNaN) {
    if (quietNanExc || (aNaN && isSignallingHi64(aHi)) || (bNaN && isSignallingHi64(bHi))) fpEnv.exc |= EXC_IOC;
    return 0b0011;
  }
  if (a === b) return 0b0110;
  return a < b ? 0b1000 : 0b0010;
}

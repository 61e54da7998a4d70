// Conversions (DDI 0406C A2.7.x FPSingleToDouble, FPDoubleToSingle, FPToFixed, FixedToFP): between the
// two precisions, and between floating point and 16/32-bit integers with fraction bits.

import { fpEnv, RN, RP, RZ, EXC_IOC, EXC_IXC } from "./vfp-env.js";
import { f32FromBits, pow2, SIGN32 } from "./vfp-bits.js";
import { DEFAULT_NAN_32, DEFAULT_NAN_64_HI, isNaN32, isSignallingHi64 } from "./vfp-nan.js";
import { roundF32, roundF64 } from "./vfp-round.js";
import { flush32 } from "./vfp-arith32.js";
import { flush64 } from "./vfp-arith64.js";

/** Single to double: exact but for NaNs, whose payload moves to the top of the double's fraction. */
export function f32ToF64(bits: number): number {
  const env = fpEnv;
  if (env.fz) bits = flush32(bits);
  if (isNaN32(bits)) {
    if ((bits & 0x00400000) === 0) env.exc |= EXC_IOC;
    if (env.dn) {
      env.nanHi = DEFAULT_NAN_64_HI;
      env.nanLo = 0;
    } else {
      env.nanHi = (bits & SIGN32) | DEFAULT_NAN_64_HI | ((bits & 0x3fffff) >>> 3);
      env.nanLo = (bits & 7) << 29;
    }
    return NaN;
  }
  return f32FromBits(bits);
}

/** Double to single bits; a NaN keeps the top of its fraction. */
export function f64ToF32(x: number, hi: number, lo: number): number {
  const env = fpEnv;
  if (env.fz) x = flush64(x);
  if (x !== x) {
    if (isSignallingHi64(hi)) env.exc |= EXC_IOC;
    if (env.dn) return DEFAULT_NAN_32;
    return (hi & SIGN32) | DEFAULT_NAN_32 | ((hi & 0x7ffff) << 3) | (lo >>> 29);
  }
  if (x === 0) return 1 / x < 0 ? SIGN32 : 0;
  if (x === Infinity) return 0x7f800000;
  if (x === -Infinity) return 0xff800000 | 0;
  return roundF32(x, 0);
}

/**
 * FPToFixed: `x` (a value; NaN allowed, already flushed if FZ) times 2^fbits, rounded in `rmode` and
 * saturated to a `size`-bit integer. Saturation and NaNs raise IOC (a NaN converts to 0); otherwise an
 * inexact result raises IXC. Returns the integer sign- or zero-extended to 32 bits.
 */
function toFixed(x: number, size: number, fbits: number, unsigned: boolean, rmode: number): number {
  const env = fpEnv;
  if (x !== x) {
    env.exc |= EXC_IOC;
    return 0;
  }
  const max = unsigned ? (size === 32 ? 4294967295 : 65535) : size === 32 ? 2147483647 : 32767;
  const min = unsigned ? 0 : size === 32 ? -2147483648 : -32768;
  const v = fbits === 0 ? x : x * pow2(fbits);
  if (v === Infinity || v === -Infinity) {
    env.exc |= EXC_IOC;
    return (v > 0 ? max : min) | 0;
  }
  let i = Math.floor(v);
  const err = v - i;
  let up: boolean;
  if (rmode === RN) up = err > 0.5 || (err === 0.5 && i % 2 !== 0);
  else if (rmode === RP) up = err !== 0;
  else if (rmode === RZ) up = err !== 0 && i < 0;
  else up = false;
  if (up) i += 1;
  if (i > max) {
    env.exc |= EXC_IOC;
    return max | 0;
  }
  if (i < min) {
    env.exc |= EXC_IOC;
    return min;
  }
  if (err !== 0) env.exc |= EXC_IXC;
  return i | 0;
}

/** Single-precision bits to a fixed-point integer; `roundZero` overrides FPSCR's rounding mode. */
export function f32ToFixed(bits: number, size: number, fbits: number, unsigned: boolean, roundZero: boolean): number {
  const env = fpEnv;
  if (env.fz) bits = flush32(bits);
  const x = isNaN32(bits) ? NaN : f32FromBits(bits);
  return toFixed(x, size, fbits, unsigned, roundZero ? RZ : env.rmode);
}

/** A double to a fixed-point integer; `roundZero` overrides FPSCR's rounding mode. */
export function f64ToFixed(x: number, size: number, fbits: number, unsigned: boolean, roundZero: boolean): number {
  const env = fpEnv;
  if (env.fz) x = flush64(x);
  return toFixed(x, size, fbits, unsigned, roundZero ? RZ : env.rmode);
}

/** The value of the low `size` bits of `raw` as a signed or unsigned integer. */
export function fixedSource(raw: number, size: number, unsigned: boolean): number {
  if (size === 16) return unsigned ? raw & 0xffff : (raw << 16) >> 16;
  return unsigned ? raw >>> 0 : raw | 0;
}

/** FixedToFP to single bits: an integer value over 2^fbits; zero gives +0. `nearest` overrides FPSCR.RMode. */
export function fixedToF32(value: number, fbits: number, nearest: boolean): number {
  if (value === 0) return 0;
  const env = fpEnv;
  const saved = env.rmode;
  if (nearest) env.rmode = RN;
  // value * 2^-fbits is exact in double precision: at most 32 significant bits.
  const result = roundF32(fbits === 0 ? value : value * pow2(-fbits), 0);
  env.rmode = saved;
  return result;
}

/** FixedToFP to a double (always exact: at most 32 significant bits). */
export function fixedToF64(value: number, fbits: number): number {
  if (value === 0) return 0;
  return roundF64(fbits === 0 ? value : value * pow2(-fbits), 0, 0);
}

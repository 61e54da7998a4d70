// NaN propagation on raw bits (DDI 0406C A2.7.x FPProcessNaN, FPProcessNaNs): a signalling NaN is
// quietened and raises IOC; a signalling operand wins over a quiet one, the first operand over the
// second; FPSCR.DN replaces any NaN result with the default NaN.

import { fpEnv, EXC_IOC } from "./vfp-env.js";

export const DEFAULT_NAN_32 = 0x7fc00000;
export const DEFAULT_NAN_64_HI = 0x7ff80000;
const QUIET_32 = 0x00400000;
const QUIET_64_HI = 0x00080000;

export function isNaN32(bits: number): boolean {
  return (bits & 0x7fffffff) > 0x7f800000;
}

function isSignalling32(bits: number): boolean {
  return (bits & 0x7fffffff) > 0x7f800000 && (bits & QUIET_32) === 0;
}

export function processNaN32(bits: number): number {
  if ((bits & QUIET_32) === 0) {
    bits |= QUIET_32;
    fpEnv.exc |= EXC_IOC;
  }
  return fpEnv.dn ? DEFAULT_NAN_32 : bits;
}

/** The NaN result of a two-operand single-precision operation; at least one operand is a NaN. */
export function processNaNs32(a: number, b: number): number {
  if (isSignalling32(a)) return processNaN32(a);
  if (isSignalling32(b)) return processNaN32(b);
  return processNaN32(isNaN32(a) ? a : b);
}

/** Produces the default NaN (an invalid operation) as a single-precision result. */
export function invalid32(): number {
  fpEnv.exc |= EXC_IOC;
  return DEFAULT_NAN_32;
}

// Double precision: operands are a value plus its words; the words are consulted only when the value
// is a NaN. NaN results are returned as NaN with their words in fpEnv.nanHi/nanLo.

/** Whether the NaN with high word `hi` is signalling. */
export function isSignallingHi64(hi: number): boolean {
  return (hi & QUIET_64_HI) === 0;
}

export function processNaN64(hi: number, lo: number): number {
  const env = fpEnv;
  if ((hi & QUIET_64_HI) === 0) {
    hi |= QUIET_64_HI;
    env.exc |= EXC_IOC;
  }
  if (env.dn) {
    env.nanHi = DEFAULT_NAN_64_HI;
    env.nanLo = 0;
  } else {
    env.nanHi = hi;
    env.nanLo = lo;
  }
  return NaN;
}

/** The NaN result of a two-operand double-precision operation; at least one of a, b is a NaN. */
export function processNaNs64(a: number, aHi: number, aLo: number, b: number, bHi: number, bLo: number): number {
  const aNaN = a !== a;
  const bNaN = b !== b;
  if (aNaN && isSignallingHi64(aHi)) return processNaN64(aHi, aLo);
  if (bNaN && isSignallingHi64(bHi)) return processNaN64(bHi, bLo);
  return aNaN ? processNaN64(aHi, aLo) : processNaN64(bHi, bLo);
}

/** Produces the default NaN (an invalid operation) as a double-precision result. */
export function invalid64(): number {
  const env = fpEnv;
  env.exc |= EXC_IOC;
  env.nanHi = DEFAULT_NAN_64_HI;
  env.nanLo = 0;
  return NaN;
}

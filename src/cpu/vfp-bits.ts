// Bit-level views of IEEE values through one preallocated scratch word pair (no allocation per use).
// Only non-NaN values go through a JS number: NaN payloads always travel as raw words.
// Assumes a little-endian host, as the register file does (word 0 is the low half of a double).

const F64 = new Float64Array(1);
const I32 = new Int32Array(F64.buffer);
const F32 = new Float32Array(F64.buffer);

export const TWO32 = 4294967296;
export const TWO52 = 4503599627370496;
export const TWO53 = 9007199254740992;
export const TWO64 = 18446744073709551616;

export const SIGN32 = 0x80000000 | 0;

/** The value of single-precision `bits` (not a NaN: payloads would not survive). */
export function f32FromBits(bits: number): number {
  I32[0] = bits;
  return F32[0];
}

/** The single-precision bits of `x`, which must be exactly representable (or infinite) and not a NaN. */
export function f32Bits(x: number): number {
  F32[0] = x;
  return I32[0];
}

/** The double with these words (not a NaN). */
export function f64FromWords(hi: number, lo: number): number {
  I32[0] = lo;
  I32[1] = hi;
  return F64[0];
}

/** The high word of double `x` (not a NaN). */
export function f64HighWord(x: number): number {
  F64[0] = x;
  return I32[1];
}

/** 2^n for -1074 <= n <= 1023, built from its bits (exact, subnormals included). */
export function pow2(n: number): number {
  if (n >= -1022) {
    I32[0] = 0;
    I32[1] = (n + 1023) << 20;
  } else {
    const bit = n + 1074;
    I32[0] = bit < 32 ? 1 << bit : 0;
    I32[1] = bit < 32 ? 0 : 1 << (bit - 32);
  }
  return F64[0];
}

/** Exponent of the last frexp() argument. */
export let frexpExp = 0;

/** For finite nonzero `x`, the significand scaled into [1, 2) with x's sign; the exponent goes to frexpExp. */
export function frexp(x: number): number {
  F64[0] = x;
  let ef = (I32[1] >>> 20) & 0x7ff;
  let adjust = 0;
  if (ef === 0) {
    // Subnormal: scale into the normal range first (exact).
    F64[0] = x * TWO64;
    ef = (I32[1] >>> 20) & 0x7ff;
    adjust = 64;
  }
  frexpExp = ef - 1023 - adjust;
  I32[1] = (I32[1] & 0x800fffff) | (1023 << 20);
  return F64[0];
}

// Raw access for the rounding code, which takes a double apart field by field.
export const scratchF64 = F64;
export const scratchI32 = I32;
export const scratchF32 = F32;

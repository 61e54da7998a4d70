// 64-bit counter arithmetic without BigInt. The counter, CVAL and CNTVOFF are 64-bit unsigned
// values; the rest of the machine passes them as float64 numbers (exact below 2^53). Inside the
// timer a compare value is kept as two 32-bit words, so sums and differences modulo 2^64 stay exact
// even when a negative TVAL wraps CVAL past zero.
//
// A "count" argument is any integer-valued float64 that stands for a value modulo 2^64: a negative
// number is a wrapped one (the virtual count when CNTVOFF exceeds the physical count). Splitting is
// exact for every such number, because division by 2^32, floor and ToUint32 are exact.

export const TWO_32 = 4294967296;
export const TWO_64 = 18446744073709551616;
/** Differences whose high word reaches this are beyond 2^53 ticks (about 4.6 years): never. */
const TWO_21 = 2097152;

/** Bits [63:32] of `x` modulo 2^64. */
export function hiWord(x: number): number {
  return Math.floor(x / TWO_32) >>> 0;
}

/** Bits [31:0] of `x` modulo 2^64. */
export function loWord(x: number): number {
  return x >>> 0;
}

/** The largest float64 below 2^64: values that would round up to 2^64 read as this. */
export const MAX_BELOW_2_64 = TWO_64 - 2048;

/** hi:lo as a float64 in [0, 2^64) (exact below 2^53, the nearest float above). */
export function fromWords(hi: number, lo: number): number {
  const x = (hi >>> 0) * TWO_32 + (lo >>> 0);
  return x < TWO_64 ? x : MAX_BELOW_2_64;
}

/** Reduces an integer-valued float64 modulo 2^64 into [0, 2^64). A value that rounds to 2^64 is
 * clamped to the largest float below it, so that hiWord never overflows. */
export function wrapU64(x: number): number {
  if (x >= 0 && x < TWO_64) return x;
  let r = x % TWO_64;
  if (r < 0) r += TWO_64;
  return r < TWO_64 ? r : MAX_BELOW_2_64;
}

/** (hi:lo) <= count, unsigned 64-bit. */
export function lessOrEqual(hi: number, lo: number, count: number): boolean {
  const cHi = hiWord(count);
  return hi < cHi || (hi === cHi && lo <= loWord(count));
}

/** (hi:lo) − count modulo 2^64, as a float64; Infinity when it is 2^53 or more. */
export function ticksFrom(hi: number, lo: number, count: number): number {
  let dLo = lo - loWord(count);
  let dHi = hi - hiWord(count);
  if (dLo < 0) {
    dLo += TWO_32;
    dHi -= 1;
  }
  dHi >>>= 0;
  return dHi >= TWO_21 ? Infinity : dHi * TWO_32 + dLo;
}

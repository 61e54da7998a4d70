// Error-free transformations: the exact rounding error of a double-precision sum or product, which
// tells the rounding code which way (and whether) a result was rounded.

/** 2^27 + 1, Veltkamp's splitting constant for 53-bit significands. */
const SPLITTER = 134217729;

/** For s = a + b rounded to nearest, the exact error (a + b) - s (Knuth's TwoSum). Needs no overflow. */
export function twoSumErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

/**
 * For p = a * b rounded to nearest, the exact error a * b - p (Dekker's TwoProduct). Exact while
 * |a|, |b| < 2^995 and the partial products stay clear of the subnormal range (|a * b| > 2^-900).
 */
export function twoProductErr(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

// Semantics of the multiply and divide instructions beyond MUL/MLA, shared by the A32 and T32
// executors (DDI 0406C A8.8): long multiplies, UMAAL, halfword and dual multiplies, most-significant-
// word multiplies and SDIV/UDIV. Pure functions of operand values, exact without BigInt.
// 64-bit results: the low word is returned and the high word left in `mul.hi`; instructions that can
// set CPSR.Q leave 1 in `mul.q` when they overflowed (0 otherwise). Read them right after the call.

export const mul = {
  /** High word of the last 64-bit result. */
  hi: 0,
  /** 1 when the last Q-setting multiply overflowed. */
  q: 0,
};

const TWO32 = 4294967296;

function sx16(x: number): number {
  return (x << 16) >> 16;
}

/** (hi:lo) + (hi2:lo2) mod 2^64; returns the low word, high word in mul.hi. */
function add64(lo: number, hi: number, lo2: number, hi2: number): number {
  const l = (lo >>> 0) + (lo2 >>> 0);
  mul.hi = (hi + hi2 + (l >= TWO32 ? 1 : 0)) | 0;
  return l | 0;
}

/** UMULL: unsigned 32×32→64. */
export function umull64(a: number, b: number): number {
  // Schoolbook on 16-bit limbs: every partial product is below 2^32, so each stays an exact
  // integer that `>>>` and `&` take as it is (no division or modulo on doubles).
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  mul.hi = (ah * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) | 0;
  return (mid << 16) | (ll & 0xffff);
}

/** SMULL: signed 32×32→64. */
export function smull64(a: number, b: number): number {
  const lo = umull64(a, b);
  // Signed product = unsigned product − 2^32·(a<0 ? b : 0) − 2^32·(b<0 ? a : 0) (mod 2^64).
  let hi = mul.hi;
  if ((a | 0) < 0) hi = (hi - b) | 0;
  if ((b | 0) < 0) hi = (hi - a) | 0;
  mul.hi = hi;
  return lo;
}

/** UMLAL: (hi:lo) + a·b unsigned. */
export function umlal64(a: number, b: number, lo: number, hi: number): number {
  const plo = umull64(a, b);
  return add64(plo, mul.hi, lo, hi);
}

/** SMLAL: (hi:lo) + a·b signed. */
export function smlal64(a: number, b: number, lo: number, hi: number): number {
  const plo = smull64(a, b);
  return add64(plo, mul.hi, lo, hi);
}

/** UMAAL: a·b + lo + hi, all unsigned (never overflows 64 bits). */
export function umaal(a: number, b: number, lo: number, hi: number): number {
  const plo = umull64(a, b);
  const r = add64(plo, mul.hi, lo, 0);
  return add64(r, mul.hi, hi, 0);
}

/** MLA: a·b + acc (low 32 bits). */
export function mla(a: number, b: number, acc: number): number {
  return (Math.imul(a, b) + acc) | 0;
}

/** MLS: acc − a·b (low 32 bits). */
export function mls(a: number, b: number, acc: number): number {
  return (acc - Math.imul(a, b)) | 0;
}

/** Half of a register for the SMUL<x><y> family: the top half (signed) when `top` is nonzero. */
function half(x: number, top: number): number {
  return top ? x >> 16 : sx16(x);
}

/** SMUL<x><y>: signed 16×16 (never overflows). */
export function smulxy(n: number, m: number, nTop: number, mTop: number): number {
  return (half(n, nTop) * half(m, mTop)) | 0;
}

/** SMLA<x><y>: 16×16 + acc; mul.q on signed overflow of the addition. */
export function smlaxy(n: number, m: number, acc: number, nTop: number, mTop: number): number {
  const r = half(n, nTop) * half(m, mTop) + (acc | 0);
  const res = r | 0;
  mul.q = r !== res ? 1 : 0;
  return res;
}

/** SMLAL<x><y>: (hi:lo) + 16×16, 64-bit. */
export function smlalxy(n: number, m: number, lo: number, hi: number, nTop: number, mTop: number): number {
  const p = half(n, nTop) * half(m, mTop);
  return add64(p | 0, p < 0 ? -1 : 0, lo, hi);
}

/** SMULW<y>: bits [47:16] of the 48-bit product of n and a half of m. */
export function smulwy(n: number, m: number, mTop: number): number {
  return Math.floor(((n | 0) * half(m, mTop)) / 65536) | 0;
}

/** SMLAW<y>: bits [47:16] of (n·half(m) + acc<<16); mul.q on overflow of that field. */
export function smlawy(n: number, m: number, acc: number, mTop: number): number {
  const r = Math.floor(((n | 0) * half(m, mTop)) / 65536) + (acc | 0);
  const res = r | 0;
  mul.q = r !== res ? 1 : 0;
  return res;
}

/** The two dual-multiply products; `swap` exchanges the halves of m first (the X forms). */
let dualP1 = 0;
let dualP2 = 0;
function dualProducts(n: number, m: number, swap: number): void {
  const mm = swap ? (m >>> 16) | (m << 16) : m;
  dualP1 = sx16(n) * sx16(mm);
  dualP2 = (n >> 16) * (mm >> 16);
}

/** SMUAD{X}: p1 + p2; mul.q on overflow (only 0x8000·0x8000 twice can). */
export function smuad(n: number, m: number, swap: number): number {
  dualProducts(n, m, swap);
  const r = dualP1 + dualP2;
  const res = r | 0;
  mul.q = r !== res ? 1 : 0;
  return res;
}

/** SMLAD{X}: p1 + p2 + acc; mul.q on overflow. */
export function smlad(n: number, m: number, acc: number, swap: number): number {
  dualProducts(n, m, swap);
  const r = dualP1 + dualP2 + (acc | 0);
  const res = r | 0;
  mul.q = r !== res ? 1 : 0;
  return res;
}

/** SMUSD{X}: p1 − p2 (cannot overflow). */
export function smusd(n: number, m: number, swap: number): number {
  dualProducts(n, m, swap);
  return (dualP1 - dualP2) | 0;
}

/** SMLSD{X}: p1 − p2 + acc; mul.q on overflow. */
export function smlsd(n: number, m: number, acc: number, swap: number): number {
  dualProducts(n, m, swap);
  const r = dualP1 - dualP2 + (acc | 0);
  const res = r | 0;
  mul.q = r !== res ? 1 : 0;
  return res;
}

/** SMLALD{X}: (hi:lo) + p1 + p2, 64-bit. */
export function smlald(n: number, m: number, lo: number, hi: number, swap: number): number {
  dualProducts(n, m, swap);
  const s = dualP1 + dualP2; // |s| ≤ 2^31: fits the sign-extended pair below
  return add64(s | 0, s < 0 ? -1 : 0, lo, hi);
}

/** SMLSLD{X}: (hi:lo) + p1 − p2, 64-bit. */
export function smlsld(n: number, m: number, lo: number, hi: number, swap: number): number {
  dualProducts(n, m, swap);
  const s = dualP1 - dualP2;
  return add64(s | 0, s < 0 ? -1 : 0, lo, hi);
}

/** SMMUL{R}: high word of n·m, rounded when `round` (adds 0x80000000 before truncating). */
export function smmul(n: number, m: number, round: number): number {
  const lo = smull64(n, m);
  return (mul.hi + (round && lo >>> 0 >= 0x80000000 ? 1 : 0)) | 0;
}

/** SMMLA{R}: high word of (acc<<32) + n·m (+ 0x80000000 when rounding). */
export function smmla(n: number, m: number, acc: number, round: number): number {
  const lo = smull64(n, m);
  return (acc + mul.hi + (round && lo >>> 0 >= 0x80000000 ? 1 : 0)) | 0;
}

/** SMMLS{R}: high word of (acc<<32) − n·m (+ 0x80000000 when rounding). */
export function smmls(n: number, m: number, acc: number, round: number): number {
  const lo = smull64(n, m);
  // Low word of 0 − lo + rounding, as an exact value in (−2^32, 2^31]: negative means a borrow.
  const low = (round ? 0x80000000 : 0) - (lo >>> 0);
  return (acc - mul.hi + (low < 0 ? -1 : 0)) | 0;
}

/** SDIV: signed division rounding towards zero; /0 gives 0 and INT_MIN/−1 gives INT_MIN. */
export function sdiv(n: number, m: number): number {
  if (m === 0) return 0;
  return ((n | 0) / (m | 0)) | 0;
}

/** UDIV: unsigned division; /0 gives 0. */
export function udiv(n: number, m: number): number {
  if (m === 0) return 0;
  return ((n >>> 0) / (m >>> 0)) | 0;
}

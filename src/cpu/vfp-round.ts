// FPRound (DDI 0406C A2.7.x pseudocode): rounds an exact real result to single or double precision under
// FPSCR's rounding mode and FZ, raising OFC, UFC (tiny before rounding and inexact) and IXC.
//
// The exact result X arrives as a double-double: X = (hi + lo) * 2^k, where hi is X rounded to nearest
// at 53 bits (unbounded exponent) and lo is the remaining error, |lo| <= ulp(hi) / 2. Only lo's sign
// and, in one corner, its comparison with half an ulp matter, so division and square root may pass any
// lo of the right sign that is strictly smaller than half an ulp.

import { fpEnv, RN, RP, RM, EXC_IXC, EXC_OFC, EXC_UFC } from "./vfp-env.js";
import { pow2, scratchF32, scratchF64, scratchI32, TWO32, TWO52, TWO53, TWO64 } from "./vfp-bits.js";

const MIN_NORMAL_F32 = 2 ** -126;
const MIN_NORMAL_F64 = 2 ** -1022;
const TWO23 = 8388608;
/** Stands in for an error so small that scaling it underflowed: only its sign is used. */
const TINY = 2 ** -60;

// roundCore's result fields.
let rSign = 0;
let rBiased = 0;
let rFrac = 0;

/** Rounds (hi + lo) * 2^k (hi nonzero and finite) into rSign, rBiased, rFrac. */
function roundCore(hi: number, lo: number, k: number, dbl: boolean): void {
  const env = fpEnv;
  const rmode = env.rmode;
  let sign = 0;
  if (hi < 0) {
    sign = 1;
    hi = -hi;
    lo = -lo;
  }
  rSign = sign;
  // Round away from zero (in magnitude) for RP on positives and RM on negatives.
  const upMag = (rmode === RP && sign === 0) || (rmode === RM && sign === 1);

  const F64 = scratchF64;
  const I32 = scratchI32;
  F64[0] = hi;
  let ef = (I32[1] >>> 20) & 0x7ff;
  if (ef === 0) {
    hi *= TWO64;
    lo *= TWO64;
    k -= 64;
    F64[0] = hi;
    ef = (I32[1] >>> 20) & 0x7ff;
  }
  const e = ef - 1023;
  const mant = (I32[1] & 0xfffff) * TWO32 + (I32[0] >>> 0) + TWO52;
  // The error in units of hi's last place, in [-0.5, 0.5].
  let L = 0;
  if (lo !== 0) {
    L = lo * TWO52 * pow2(-e);
    if (L === 0) L = lo > 0 ? TINY : -TINY;
  }
  const E = e + k;
  // Exponent of X itself: just below a power of two when hi is one and the error is negative.
  const Etrue = mant === TWO52 && L < 0 ? E - 1 : E;
  const emin = dbl ? -1022 : -126;

  if (env.fz && Etrue < emin) {
    // Flush to zero: judged on the unrounded result, and only UFC (no IXC).
    env.exc |= EXC_UFC;
    rBiased = 0;
    rFrac = 0;
    return;
  }

  let biased: number;
  let frac: number;
  let inexact: boolean;
  if (dbl && Etrue >= emin) {
    // A normal double: hi is the nearest result; directed modes step one ulp when the error points away.
    let q = mant;
    let ex = E;
    inexact = L !== 0;
    if (inexact && rmode !== RN) {
      if (L > 0) {
        if (upMag) {
          q += 1;
          if (q === TWO53) {
            q = TWO52;
            ex += 1;
          }
        }
      } else if (!upMag) {
        if (q === TWO52) {
          q = TWO53 - 1;
          ex -= 1;
        } else {
          q -= 1;
        }
      }
    }
    biased = ex + 1023;
    frac = q - TWO52;
  } else {
    // Fewer significant bits than hi holds: shift them out and classify the remainder.
    const F = dbl ? 52 : 23;
    const one = dbl ? TWO52 : TWO23;
    const lsbExp = (Etrue > emin ? Etrue : emin) - F;
    const sh = lsbExp - (E - 52);
    let q: number;
    let cls: number; // 0 exact, 1 below half an ulp, 2 exactly half, 3 above half
    if (sh > 53) {
      q = 0;
      cls = 1;
    } else {
      const p = pow2(sh);
      q = Math.floor(mant / p);
      const R = mant - q * p;
      if (R === 0) {
        if (L === 0) cls = 0;
        else if (L > 0) cls = sh === 0 && L === 0.5 ? 2 : 1;
        else {
          q -= 1;
          cls = sh === 0 && L === -0.5 ? 2 : 3;
        }
      } else {
        const half = p / 2;
        if (R === half) cls = L > 0 ? 3 : L < 0 ? 1 : 2;
        else cls = R < half ? 1 : 3;
      }
    }
    inexact = cls !== 0;
    const tiny = Etrue < emin;
    if (tiny && inexact) env.exc |= EXC_UFC;
    const up = rmode === RN ? cls === 3 || (cls === 2 && q % 2 === 1) : inexact && upMag;
    if (up) q += 1;
    if (tiny) {
      // A subnormal's bits are its integer significand; rounding up to 2^F lands on the smallest normal.
      biased = q >= one ? 1 : 0;
      frac = q - biased * one;
    } else {
      biased = Etrue - emin + 1;
      if (q === 2 * one) {
        q = one;
        biased += 1;
      }
      frac = q - one;
    }
  }

  const maxBiased = dbl ? 2047 : 255;
  if (biased >= maxBiased) {
    env.exc |= EXC_OFC | EXC_IXC;
    if (rmode === RN || upMag) {
      biased = maxBiased;
      frac = 0;
    } else {
      biased = maxBiased - 1;
      frac = (dbl ? TWO52 : TWO23) - 1;
    }
  } else if (inexact) {
    env.exc |= EXC_IXC;
  }
  rBiased = biased;
  rFrac = frac;
}

/** Rounds hi + lo (hi nonzero and finite) to single precision; returns the bits. */
export function roundF32(hi: number, lo: number): number {
  const env = fpEnv;
  if (env.rmode === RN) {
    // Nearest: rounding the nearest double again gives the nearest single for +, -, *, / and sqrt of
    // singles, as 53 >= 2 * 24 + 2 bits (double rounding is innocuous); tiny and overflowing results
    // take the full path for their flags.
    const r = Math.fround(hi);
    const a = hi < 0 ? -hi : hi;
    if (a > MIN_NORMAL_F32 && r !== Infinity && r !== -Infinity) {
      if (r !== hi || lo !== 0) env.exc |= EXC_IXC;
      scratchF32[0] = r;
      return scratchI32[0];
    }
  }
  roundCore(hi, lo, 0, false);
  return (rSign << 31) | (rBiased << 23) | rFrac;
}

/** Rounds (hi + lo) * 2^k (hi nonzero and finite) to double precision; returns the value. */
export function roundF64(hi: number, lo: number, k: number): number {
  const env = fpEnv;
  if (k === 0 && env.rmode === RN) {
    const a = hi < 0 ? -hi : hi;
    if (a > MIN_NORMAL_F64) {
      if (lo !== 0) env.exc |= EXC_IXC;
      return hi;
    }
  }
  roundCore(hi, lo, k, true);
  const I32 = scratchI32;
  I32[0] = (rFrac % TWO32) | 0;
  I32[1] = (rSign << 31) | (rBiased << 20) | Math.floor(rFrac / TWO32);
  return scratchF64[0];
}

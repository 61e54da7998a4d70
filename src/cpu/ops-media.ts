// Semantics of the ARMv6/v7 "media" integer instructions, shared by the A32 and T32 executors
// (DDI 0406C A8.8): parallel add/subtract, saturation, SEL, USAD8, packing, extends, byte reversal
// and bit-field operations. Pure functions of operand values; the instruction-specific shift or
// rotation of an operand is applied by the caller unless a parameter says otherwise.
// Second results go to the preallocated `media` scratch object: read them right after the call.

export const media = {
  /** GE[3:0] computed by the last parallel add/subtract (meaningful for the S and U prefixes only). */
  ge: 0,
  /** 1 when the last saturating operation saturated (the caller then sets CPSR.Q). */
  sat: 0,
};

// Parallel add/subtract prefixes, numbered as the A32 encoding's op1 field (bits [22:20]).
// T32 (A6.3.13/A6.3.14) maps hw2[5:4] = 00 → S/U, 01 → Q/UQ, 10 → SH/UH, with hw2[6] selecting the
// unsigned row: prefix = (hw2[6] << 2) | (hw2[5:4] + 1).
/** Signed, sets GE. */
export const PAS_S = 1;
/** Signed saturating. */
export const PAS_Q = 2;
/** Signed halving. */
export const PAS_SH = 3;
/** Unsigned, sets GE. */
export const PAS_U = 5;
/** Unsigned saturating. */
export const PAS_UQ = 6;
/** Unsigned halving. */
export const PAS_UH = 7;

// Parallel add/subtract operations, numbered as the A32 encoding's op2 field (bits [7:5]).
// T32 hw1[6:4]: 001 ADD16, 010 ASX, 110 SAX, 101 SUB16, 000 ADD8, 100 SUB8.
export const PAS_ADD16 = 0;
export const PAS_ASX = 1;
export const PAS_SAX = 2;
export const PAS_SUB16 = 3;
export const PAS_ADD8 = 4;
export const PAS_SUB8 = 7;

/** Maps the T32 parallel add/subtract hw1[6:4] operation field to the PAS_* operation (-1: unallocated). */
export function pasOpFromT32(op1: number): number {
  switch (op1 & 7) {
    case 0:
      return PAS_ADD8;
    case 1:
      return PAS_ADD16;
    case 2:
      return PAS_ASX;
    case 4:
      return PAS_SUB8;
    case 5:
      return PAS_SUB16;
    case 6:
      return PAS_SAX;
    default:
      return -1;
  }
}

/** One lane of a parallel add/subtract: `x` is the exact (unbounded) lane result, `bits` 8 or 16.
 * Returns the lane's field (masked to `bits`) as the prefix (plain, saturating, halving) makes it. */
function lane(x: number, bits: number, prefix: number): number {
  const mask = bits === 16 ? 0xffff : 0xff;
  switch (prefix) {
    case PAS_S:
    case PAS_U:
      return x & mask;
    case PAS_Q: {
      const max = bits === 16 ? 0x7fff : 0x7f;
      const v = x > max ? max : x < -max - 1 ? -max - 1 : x;
      return v & mask;
    }
    case PAS_UQ: {
      const v = x > mask ? mask : x < 0 ? 0 : x;
      return v;
    }
    default:
      // Halving: bits [bits:1] of the exact result.
      return (x >> 1) & mask;
  }
}

function sx16(x: number): number {
  return (x << 16) >> 16;
}

function sx8(x: number): number {
  return (x << 24) >> 24;
}

/**
 * Parallel add/subtract (SADD16, UQSUB8, SHASX... A8.8.143 etc.): `prefix` PAS_S..PAS_UH, `op`
 * PAS_ADD16..PAS_SUB8, `n` = R[n], `m` = R[m]. Returns R[d]; sets media.ge (S and U prefixes write it
 * to CPSR.GE, the others leave GE alone). Returns 0 and sets media.ge = -1 for an unallocated op/prefix.
 */
export function parallelAddSub(prefix: number, op: number, n: number, m: number): number {
  const signed = prefix < 4;
  if ((prefix & 3) === 0 || prefix > 7) {
    media.ge = -1;
    return 0;
  }
  let ge = 0;
  let res = 0;
  switch (op) {
    case PAS_ADD16:
    case PAS_ASX:
    case PAS_SAX:
    case PAS_SUB16: {
      const nlo = signed ? sx16(n) : n & 0xffff;
      const nhi = signed ? n >> 16 : n >>> 16;
      const mlo = signed ? sx16(m) : m & 0xffff;
      const mhi = signed ? m >> 16 : m >>> 16;
      let lo: number;
      let hi: number;
      // Whether each lane is an addition (for the unsigned GE rule: carry out ≥ 0x10000).
      let loAdd: boolean;
      let hiAdd: boolean;
      if (op === PAS_ADD16) {
        lo = nlo + mlo;
        hi = nhi + mhi;
        loAdd = hiAdd = true;
      } else if (op === PAS_ASX) {
        lo = nlo - mhi;
        hi = nhi + mlo;
        loAdd = false;
        hiAdd = true;
      } else if (op === PAS_SAX) {
        lo = nlo + mhi;
        hi = nhi - mlo;
        loAdd = true;
        hiAdd = false;
      } else {
        lo = nlo - mlo;
        hi = nhi - mhi;
        loAdd = hiAdd = false;
      }
      if (signed || !loAdd ? lo >= 0 : lo >= 0x10000) ge |= 3;
      if (signed || !hiAdd ? hi >= 0 : hi >= 0x10000) ge |= 0xc;
      res = lane(lo, 16, prefix) | (lane(hi, 16, prefix) << 16);
      break;
    }
    case PAS_ADD8:
    case PAS_SUB8: {
      const sub = op === PAS_SUB8;
      for (let k = 0; k < 32; k += 8) {
        const a = signed ? sx8(n >>> k) : (n >>> k) & 0xff;
        const b = signed ? sx8(m >>> k) : (m >>> k) & 0xff;
        const x = sub ? a - b : a + b;
        if (signed || sub ? x >= 0 : x >= 0x100) ge |= 1 << (k >>> 3);
        res |= lane(x, 8, prefix) << k;
      }
      break;
    }
    default:
      media.ge = -1;
      return 0;
  }
  media.ge = ge;
  return res | 0;
}

/** SignedSat(x, bits) for an exact integer `x` (may exceed 32 bits); sets media.sat. */
export function signedSatQ(x: number, bits: number): number {
  const max = 2 ** (bits - 1) - 1;
  const min = -(2 ** (bits - 1));
  if (x > max) {
    media.sat = 1;
    return max | 0;
  }
  if (x < min) {
    media.sat = 1;
    return min | 0;
  }
  media.sat = 0;
  return x | 0;
}

/** UnsignedSat(x, bits) for an exact integer `x`, bits 0..31; sets media.sat. */
export function unsignedSatQ(x: number, bits: number): number {
  const max = 2 ** bits - 1;
  if (x > max) {
    media.sat = 1;
    return max | 0;
  }
  if (x < 0) {
    media.sat = 1;
    return 0;
  }
  media.sat = 0;
  return x | 0;
}

/** QADD: SignedSat(m + n, 32) (A8.8.134; note the operand order Rd, Rm, Rn). Sets media.sat. */
export function qadd(m: number, n: number): number {
  return signedSatQ((m | 0) + (n | 0), 32);
}

/** QSUB: SignedSat(m - n, 32). Sets media.sat. */
export function qsub(m: number, n: number): number {
  return signedSatQ((m | 0) - (n | 0), 32);
}

/** QDADD: SignedSat(m + SignedSat(2·n, 32), 32); media.sat is set if either step saturated. */
export function qdadd(m: number, n: number): number {
  const d = signedSatQ(2 * (n | 0), 32);
  const s1 = media.sat;
  const r = signedSatQ((m | 0) + d, 32);
  media.sat |= s1;
  return r;
}

/** QDSUB: SignedSat(m - SignedSat(2·n, 32), 32); media.sat as for qdadd. */
export function qdsub(m: number, n: number): number {
  const d = signedSatQ(2 * (n | 0), 32);
  const s1 = media.sat;
  const r = signedSatQ((m | 0) - d, 32);
  media.sat |= s1;
  return r;
}

/** SSAT: `operand` already shifted; saturates to `satImm` bits (1..32). Sets media.sat. */
export function ssat(operand: number, satImm: number): number {
  return signedSatQ(operand | 0, satImm);
}

/** USAT: `operand` already shifted; saturates to `satImm` bits (0..31). Sets media.sat. */
export function usat(operand: number, satImm: number): number {
  return unsignedSatQ(operand | 0, satImm);
}

/** SSAT16: each signed halfword saturated to `satImm` bits (1..16). Sets media.sat if either did. */
export function ssat16(operand: number, satImm: number): number {
  const lo = signedSatQ(sx16(operand), satImm);
  const s = media.sat;
  const hi = signedSatQ(operand >> 16, satImm);
  media.sat |= s;
  return (lo & 0xffff) | (hi << 16) | 0;
}

/** USAT16: each signed halfword saturated to unsigned `satImm` bits (0..15). Sets media.sat. */
export function usat16(operand: number, satImm: number): number {
  const lo = unsignedSatQ(sx16(operand), satImm);
  const s = media.sat;
  const hi = unsignedSatQ(operand >> 16, satImm);
  media.sat |= s;
  return (lo & 0xffff) | (hi << 16) | 0;
}

/** SEL: byte k from `n` where GE[k] is set, else from `m`. */
export function sel(n: number, m: number, ge: number): number {
  let mask = 0;
  if (ge & 1) mask |= 0xff;
  if (ge & 2) mask |= 0xff00;
  if (ge & 4) mask |= 0xff0000;
  if (ge & 8) mask |= 0xff000000;
  return (n & mask) | (m & ~mask) | 0;
}

/** USAD8: sum of the absolute differences of the four unsigned bytes. USADA8 adds `acc`. */
export function usad8(n: number, m: number): number {
  let sum = 0;
  for (let k = 0; k < 32; k += 8) {
    const d = ((n >>> k) & 0xff) - ((m >>> k) & 0xff);
    sum += d < 0 ? -d : d;
  }
  return sum;
}

export function usada8(n: number, m: number, acc: number): number {
  return (usad8(n, m) + acc) | 0;
}

/** PKHBT: bottom half of `n`, top half of `shiftedM` (= Rm LSL imm). */
export function pkhbt(n: number, shiftedM: number): number {
  return (n & 0xffff) | (shiftedM & 0xffff0000) | 0;
}

/** PKHTB: top half of `n`, bottom half of `shiftedM` (= Rm ASR imm, ASR #0 meaning 32). */
export function pkhtb(n: number, shiftedM: number): number {
  return (n & 0xffff0000) | (shiftedM & 0xffff) | 0;
}

/** ROR by `rot` (0, 8, 16 or 24), as the extend instructions rotate Rm. */
export function rorBytes(value: number, rot: number): number {
  return rot === 0 ? value : (value >>> rot) | (value << (32 - rot)) | 0;
}

// Extends (A8.8.223 SXTAB ... A8.8.274 UXTH). `m` is Rm, `rot` its rotation (0/8/16/24).
export function sxtb(m: number, rot: number): number {
  return (rorBytes(m, rot) << 24) >> 24;
}
export function sxth(m: number, rot: number): number {
  return (rorBytes(m, rot) << 16) >> 16;
}
export function uxtb(m: number, rot: number): number {
  return rorBytes(m, rot) & 0xff;
}
export function uxth(m: number, rot: number): number {
  return rorBytes(m, rot) & 0xffff;
}
export function sxtab(n: number, m: number, rot: number): number {
  return (n + sxtb(m, rot)) | 0;
}
export function sxtah(n: number, m: number, rot: number): number {
  return (n + sxth(m, rot)) | 0;
}
export function uxtab(n: number, m: number, rot: number): number {
  return (n + uxtb(m, rot)) | 0;
}
export function uxtah(n: number, m: number, rot: number): number {
  return (n + uxth(m, rot)) | 0;
}
/** SXTB16: bytes 0 and 2 of the rotated value, sign-extended into each halfword. */
export function sxtb16(m: number, rot: number): number {
  const r = rorBytes(m, rot);
  return (sx8(r) & 0xffff) | (sx8(r >>> 16) << 16) | 0;
}
export function uxtb16(m: number, rot: number): number {
  return rorBytes(m, rot) & 0x00ff00ff;
}
/** SXTAB16: halfword-wise n + sign-extended bytes 0 and 2 of the rotated Rm. */
export function sxtab16(n: number, m: number, rot: number): number {
  const r = rorBytes(m, rot);
  const lo = (n + sx8(r)) & 0xffff;
  const hi = ((n >>> 16) + sx8(r >>> 16)) & 0xffff;
  return lo | (hi << 16) | 0;
}
export function uxtab16(n: number, m: number, rot: number): number {
  const r = rorBytes(m, rot);
  const lo = (n + (r & 0xff)) & 0xffff;
  const hi = ((n >>> 16) + ((r >>> 16) & 0xff)) & 0xffff;
  return lo | (hi << 16) | 0;
}

/** REV: byte-reverse a word. */
export function rev(x: number): number {
  return (x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24) | 0;
}

/** REV16: byte-reverse each halfword. */
export function rev16(x: number): number {
  return ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8) | 0;
}

/** REVSH: byte-reverse the low halfword and sign-extend it. */
export function revsh(x: number): number {
  return ((x << 24) >> 16) | ((x >>> 8) & 0xff) | 0;
}

/** RBIT: reverse the bit order of a word. */
export function rbit(x: number): number {
  let v = x | 0;
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  return rev(v);
}

// Bit-field instructions (A8.8.16 BFC, A8.8.17 BFI, A8.8.154 SBFX, A8.8.239 UBFX).
// `lsb`/`msb` as encoded; the caller makes msb < lsb UNPREDICTABLE (these return `d` unchanged then).

/** BFI: insert bits [msb-lsb:0] of `n` into `d` at lsb. BFC is bfi(d, 0, lsb, msb). */
export function bfi(d: number, n: number, lsb: number, msb: number): number {
  if (msb < lsb) return d;
  const width = msb - lsb + 1;
  const mask = (width === 32 ? -1 : (1 << width) - 1) << lsb;
  return (d & ~mask) | ((n << lsb) & mask) | 0;
}

/** UBFX: zero-extended field of `width` bits (1..32) at `lsb`; lsb + width must be ≤ 32. */
export function ubfx(n: number, lsb: number, width: number): number {
  if (width >= 32) return n | 0;
  return (n >>> lsb) & ((1 << width) - 1);
}

/** SBFX: sign-extended field of `width` bits (1..32) at `lsb`; lsb + width must be ≤ 32. */
export function sbfx(n: number, lsb: number, width: number): number {
  const top = 32 - lsb - width;
  return (n << top) >> (32 - width);
}

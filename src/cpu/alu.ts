// Shared integer helpers for the A32 and T32 executors (DDI 0406C A2.2, A8.4).
// Results that carry a flag out set `carryOut`/`overflowOut` on the module-level scratch object to avoid
// allocating; read them immediately after the call.

export const alu = {
  /** Carry out of the last shift or add. */
  carry: 0,
  /** Overflow of the last add. */
  overflow: 0,
};

/** AddWithCarry(x, y, carry_in) → result; sets alu.carry and alu.overflow. */
export function addWithCarry(x: number, y: number, carryIn: number): number {
  const ux = x >>> 0;
  const uy = y >>> 0;
  const usum = ux + uy + carryIn;
  const result = usum | 0;
  alu.carry = usum > 0xffffffff ? 1 : 0;
  // Signed overflow: operands of the same sign and a result of the other sign.
  alu.overflow = ((x ^ result) & (y ^ result)) >>> 31;
  return result;
}

/** Shift_C for an immediate shift (A8.4.3): `type` 0 LSL, 1 LSR, 2 ASR, 3 ROR (amount 0 = RRX),
 * with the immediate as encoded (LSR/ASR #0 mean 32). Sets alu.carry. */
export function shiftImmC(value: number, type: number, imm5: number, carryIn: number): number {
  switch (type) {
    case 0:
      if (imm5 === 0) {
        alu.carry = carryIn;
        return value;
      }
      alu.carry = (value >>> (32 - imm5)) & 1;
      return value << imm5;
    case 1:
      if (imm5 === 0) {
        alu.carry = value >>> 31;
        return 0;
      }
      alu.carry = (value >>> (imm5 - 1)) & 1;
      return (value >>> imm5) | 0;
    case 2:
      if (imm5 === 0) {
        alu.carry = value >>> 31;
        return value >> 31;
      }
      alu.carry = (value >>> (imm5 - 1)) & 1;
      return value >> imm5;
    default:
      if (imm5 === 0) {
        // RRX
        alu.carry = value & 1;
        return (carryIn << 31) | (value >>> 1) | 0;
      }
      alu.carry = (value >>> (imm5 - 1)) & 1;
      return (value >>> imm5) | (value << (32 - imm5)) | 0;
  }
}

/** Shift_C for a register-specified shift: `amount` is Rs[7:0] (0..255). Sets alu.carry. */
export function shiftRegC(value: number, type: number, amount: number, carryIn: number): number {
  if (amount === 0) {
    alu.carry = carryIn;
    return value;
  }
  switch (type) {
    case 0:
      if (amount < 32) {
        alu.carry = (value >>> (32 - amount)) & 1;
        return value << amount;
      }
      alu.carry = amount === 32 ? value & 1 : 0;
      return 0;
    case 1:
      if (amount < 32) {
        alu.carry = (value >>> (amount - 1)) & 1;
        return (value >>> amount) | 0;
      }
      alu.carry = amount === 32 ? value >>> 31 : 0;
      return 0;
    case 2:
      if (amount < 32) {
        alu.carry = (value >>> (amount - 1)) & 1;
        return value >> amount;
      }
      alu.carry = value >>> 31;
      return value >> 31;
    default: {
      const rot = amount & 31;
      if (rot === 0) {
        alu.carry = value >>> 31;
        return value;
      }
      alu.carry = (value >>> (rot - 1)) & 1;
      return (value >>> rot) | (value << (32 - rot)) | 0;
    }
  }
}

/** Shift_C's result alone for an immediate shift (as shiftImmC, without writing alu.carry): the
 * shifted register offset of LDR/STR/LDRB/STRB, whose carry out is not used (the run loop in a32.ts
 * and a32-loadstore.ts). Small enough for V8 to inline there. */
export function shiftImm(value: number, type: number, imm5: number, carryIn: number): number {
  switch (type) {
    case 0:
      return value << imm5;
    case 1:
      return imm5 === 0 ? 0 : (value >>> imm5) | 0;
    case 2:
      return value >> (imm5 === 0 ? 31 : imm5);
    default:
      // ROR, or RRX for an amount of 0.
      if (imm5 === 0) return (carryIn << 31) | (value >>> 1);
      return (value >>> imm5) | (value << (32 - imm5));
  }
}

/** ARMExpandImm_C (A5.2.4): 12-bit modified immediate of A32. Sets alu.carry. */
export function armExpandImmC(imm12: number, carryIn: number): number {
  const rot = (imm12 >>> 8) << 1;
  const base = imm12 & 0xff;
  if (rot === 0) {
    alu.carry = carryIn;
    return base;
  }
  const value = (base >>> rot) | (base << (32 - rot)) | 0;
  alu.carry = value >>> 31;
  return value;
}

/** ThumbExpandImm_C (A6.3.2): 12-bit modified immediate of T32. Returns -1 never; UNPREDICTABLE
 * encodings are produced as the pseudocode computes them. Sets alu.carry. */
export function thumbExpandImmC(imm12: number, carryIn: number): number {
  if (imm12 >>> 10 === 0) {
    const b = imm12 & 0xff;
    alu.carry = carryIn;
    switch ((imm12 >>> 8) & 3) {
      case 0:
        return b;
      case 1:
        return (b << 16) | b;
      case 2:
        return (b << 24) | (b << 8);
      default:
        return (b << 24) | (b << 16) | (b << 8) | b;
    }
  }
  const unrotated = 0x80 | (imm12 & 0x7f);
  const rot = imm12 >>> 7;
  const value = (unrotated >>> rot) | (unrotated << (32 - rot)) | 0;
  alu.carry = value >>> 31;
  return value;
}

/** Signed saturation to `bits` (1..32); sets alu.overflow to 1 when it saturated. */
export function signedSat(value: number, bits: number): number {
  const max = bits >= 32 ? 0x7fffffff : (1 << (bits - 1)) - 1;
  const min = bits >= 32 ? -0x80000000 : -(1 << (bits - 1));
  if (value > max) {
    alu.overflow = 1;
    return max;
  }
  if (value < min) {
    alu.overflow = 1;
    return min;
  }
  alu.overflow = 0;
  return value;
}

/** Unsigned saturation to `bits` (0..31); sets alu.overflow to 1 when it saturated. */
export function unsignedSat(value: number, bits: number): number {
  const max = bits >= 32 ? 0xffffffff : (1 << bits) - 1 >= 0 ? (1 << bits) - 1 : 0xffffffff;
  if (value > max) {
    alu.overflow = 1;
    return max | 0;
  }
  if (value < 0) {
    alu.overflow = 1;
    return 0;
  }
  alu.overflow = 0;
  return value;
}

/** Count leading zeros. */
export function clz(value: number): number {
  return Math.clz32(value);
}

/** 32×32→64 unsigned multiply: low word returned, high word in mulHi.hi. Exact, no BigInt. */
export const mulHi = { hi: 0 };
export function umull(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  mulHi.hi = (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
  return (mid << 16) | (p00 & 0xffff) | 0;
}

/** 32×32→64 signed multiply: low word returned, high word in mulHi.hi. */
export function smull(a: number, b: number): number {
  const lo = umull(a, b);
  let hi = mulHi.hi;
  // Test the signs as int32: callers may pass register values in uint32 form.
  if ((a | 0) < 0) hi = (hi - b) | 0;
  if ((b | 0) < 0) hi = (hi - a) | 0;
  mulHi.hi = hi;
  return lo;
}

/** 64-bit add of (hi:lo) + (hi2:lo2); returns the low word and puts the high word in mulHi.hi. */
export function add64(lo: number, hi: number, lo2: number, hi2: number): number {
  const l = (lo >>> 0) + (lo2 >>> 0);
  mulHi.hi = (hi + hi2 + (l > 0xffffffff ? 1 : 0)) | 0;
  return l | 0;
}

// VFP arithmetic: rounding modes, exceptions, flush-to-zero, default NaN and NaN propagation, the
// multiply-accumulate family, single and double precision. Expected values are worked out by hand in
// the comments (binary expansions, ties) or come from the host's IEEE round-to-nearest arithmetic.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DN,
  DZC,
  exec,
  f32,
  f64,
  flagsOf,
  FZ,
  getD,
  getS,
  IDC,
  IOC,
  IXC,
  OFC,
  RM,
  RN,
  RP,
  RZ,
  setD,
  setS,
  UFC,
} from "./vfp-harness.js";

const VADD_S = 0xee300a81; // vadd.f32 s0, s1, s2
const VSUB_S = 0xee300ac1; // vsub.f32 s0, s1, s2
const VMUL_S = 0xee200a81; // vmul.f32 s0, s1, s2
const VNMUL_S = 0xee200ac1; // vnmul.f32 s0, s1, s2
const VDIV_S = 0xee800a81; // vdiv.f32 s0, s1, s2
const VMLA_S = 0xee000a81; // vmla.f32 s0, s1, s2
const VMLS_S = 0xee000ac1; // vmls.f32 s0, s1, s2
const VNMLA_S = 0xee100ac1; // vnmla.f32 s0, s1, s2
const VNMLS_S = 0xee100a81; // vnmls.f32 s0, s1, s2
const VSQRT_S = 0xeeb10ae0; // vsqrt.f32 s0, s1
const VADD_D = 0xee310b02; // vadd.f64 d0, d1, d2
const VSUB_D = 0xee310b42; // vsub.f64 d0, d1, d2
const VMUL_D = 0xee210b02; // vmul.f64 d0, d1, d2
const VNMUL_D = 0xee210b42; // vnmul.f64 d0, d1, d2
const VDIV_D = 0xee810b02; // vdiv.f64 d0, d1, d2
const VMLA_D = 0xee010b02; // vmla.f64 d0, d1, d2
const VMLS_D = 0xee010b42; // vmls.f64 d0, d1, d2
const VNMLA_D = 0xee110b42; // vnmla.f64 d0, d1, d2
const VNMLS_D = 0xee110b02; // vnmls.f64 d0, d1, d2
const VSQRT_D = 0xeeb10bc1; // vsqrt.f64 d0, d1

const ONE = 0x3f800000;
const TWO_M24 = 0x33800000; // 2^-24, half an ulp of 1.0
const FLT_MAX = 0x7f7fffff;
const FLT_MIN = 0x00800000; // smallest normal, 2^-126
const QNAN = 0x7fc00000; // the default NaN
const INF = 0x7f800000;
const NEG = 0x80000000;

/** Runs a single-precision instruction with S1 = a, S2 = b (S0 = acc) and returns [S0 bits, flags]. */
function s(instr: number, fpscr: number, a: number, b: number, acc = 0): [number, number] {
  const cpu = exec(instr, fpscr, (c) => {
    setS(c, 0, acc);
    setS(c, 1, a);
    setS(c, 2, b);
  });
  return [getS(cpu, 0), flagsOf(cpu)];
}

/** Runs a double-precision instruction with D1 = a, D2 = b (D0 = acc) and returns [D0 hex, flags]. */
function d(instr: number, fpscr: number, a: string, b: string, acc = "0000000000000000"): [string, number] {
  const cpu = exec(instr, fpscr, (c) => {
    setD(c, 0, acc);
    setD(c, 1, a);
    setD(c, 2, b);
  });
  return [getD(cpu, 0), flagsOf(cpu)];
}

test("single: 1 + 2^-24 is a tie: nearest-even keeps 1.0, RP steps up, RM/RZ truncate", () => {
  assert.deepEqual(s(VADD_S, RN, ONE, TWO_M24), [ONE, IXC]);
  assert.deepEqual(s(VADD_S, RP, ONE, TWO_M24), [0x3f800001, IXC]);
  assert.deepEqual(s(VADD_S, RM, ONE, TWO_M24), [ONE, IXC]);
  assert.deepEqual(s(VADD_S, RZ, ONE, TWO_M24), [ONE, IXC]);
  // Negative: RM is now the one moving away from zero.
  assert.deepEqual(s(VADD_S, RM, ONE | NEG, TWO_M24 | NEG), [0xbf800001, IXC]);
  assert.deepEqual(s(VADD_S, RP, ONE | NEG, TWO_M24 | NEG), [0xbf800000, IXC]);
  // (1 + 2^-23) + 2^-24 ties between an odd and an even significand: nearest-even rounds up.
  assert.deepEqual(s(VADD_S, RN, 0x3f800001, TWO_M24), [0x3f800002, IXC]);
  // Exact sums raise nothing.
  assert.deepEqual(s(VADD_S, RN, f32(1.5), f32(2.25)), [f32(3.75), 0]);
});

test("1/3 in every rounding mode (1/3 = 1.0101...b x 2^-2)", () => {
  // Single: 23 fraction bits 0x2aaaaa, remainder 0.101...b = 2/3 ulp, so nearest rounds up.
  const third: [number, number, number][] = [
    [RN, 0x3eaaaaab, 0xbeaaaaab],
    [RP, 0x3eaaaaab, 0xbeaaaaaa],
    [RM, 0x3eaaaaaa, 0xbeaaaaab],
    [RZ, 0x3eaaaaaa, 0xbeaaaaaa],
  ];
  for (const [mode, pos, neg] of third) {
    assert.deepEqual(s(VDIV_S, mode, ONE, f32(3)), [pos, IXC]);
    assert.deepEqual(s(VDIV_S, mode, ONE | NEG, f32(3)), [neg, IXC]);
  }
  // Double: 52 fraction bits 0x5555555555555, remainder 1/3 ulp, so nearest rounds down.
  const one = f64(1);
  const three = f64(3);
  assert.deepEqual(d(VDIV_D, RN, one, three), ["3fd5555555555555", IXC]);
  assert.deepEqual(d(VDIV_D, RP, one, three), ["3fd5555555555556", IXC]);
  assert.deepEqual(d(VDIV_D, RM, one, three), ["3fd5555555555555", IXC]);
  assert.deepEqual(d(VDIV_D, RZ, one, three), ["3fd5555555555555", IXC]);
  assert.deepEqual(d(VDIV_D, RM, f64(-1), three), ["bfd5555555555556", IXC]);
  assert.deepEqual(d(VDIV_D, RN, f64(6), three), [f64(2), 0]);
});

test("square roots: sqrt(2) rounds up to nearest in double and down in single", () => {
  // sqrt(2) = 1.41421356237309504880...; the double 0x3ff6a09e667f3bcd = 1.41421356237309514547 is above it.
  assert.deepEqual(d(VSQRT_D, RN, f64(2), f64(0)), ["3ff6a09e667f3bcd", IXC]);
  assert.deepEqual(d(VSQRT_D, RZ, f64(2), f64(0)), ["3ff6a09e667f3bcc", IXC]);
  assert.deepEqual(d(VSQRT_D, RP, f64(2), f64(0)), ["3ff6a09e667f3bcd", IXC]);
  // The single 0x3fb504f3 = 1.41421353816986083984375 is below it.
  assert.deepEqual(s(VSQRT_S, RN, f32(2), 0), [0x3fb504f3, IXC]);
  assert.deepEqual(s(VSQRT_S, RP, f32(2), 0), [0x3fb504f4, IXC]);
  assert.deepEqual(s(VSQRT_S, RN, f32(6.25), 0), [f32(2.5), 0]);
  // sqrt(2^-1074) = 2^-537 exactly, from a subnormal operand.
  assert.deepEqual(d(VSQRT_D, RN, "0000000000000001", f64(0)), ["1e60000000000000", 0]);
  // Host IEEE arithmetic is the reference for round-to-nearest.
  assert.deepEqual(d(VSQRT_D, RN, f64(Number.MAX_VALUE), f64(0)), [f64(Math.sqrt(Number.MAX_VALUE)), IXC]);
});

test("square roots of zeros, negatives and infinities", () => {
  assert.deepEqual(s(VSQRT_S, RN, NEG, 0), [NEG, 0], "sqrt(-0) = -0");
  assert.deepEqual(s(VSQRT_S, RN, f32(-1), 0), [QNAN, IOC]);
  assert.deepEqual(s(VSQRT_S, RN, INF, 0), [INF, 0]);
  assert.deepEqual(s(VSQRT_S, RN, INF | NEG, 0), [QNAN, IOC]);
  assert.deepEqual(d(VSQRT_D, RN, f64(-4), f64(0)), ["7ff8000000000000", IOC]);
});

test("single overflow: RN and the away-from-zero direction give infinity, the others the largest finite", () => {
  const two = f32(2);
  assert.deepEqual(s(VMUL_S, RN, FLT_MAX, two), [INF, OFC | IXC]);
  assert.deepEqual(s(VMUL_S, RP, FLT_MAX, two), [INF, OFC | IXC]);
  assert.deepEqual(s(VMUL_S, RM, FLT_MAX, two), [FLT_MAX, OFC | IXC]);
  assert.deepEqual(s(VMUL_S, RZ, FLT_MAX, two), [FLT_MAX, OFC | IXC]);
  assert.deepEqual(s(VMUL_S, RP, FLT_MAX | NEG, two), [(FLT_MAX | NEG) >>> 0, OFC | IXC]);
  assert.deepEqual(s(VMUL_S, RM, FLT_MAX | NEG, two), [(INF | NEG) >>> 0, OFC | IXC]);
  // FLT_MAX + 2^103 (half its ulp) ties; nearest-even rounds the odd significand up, into overflow.
  assert.deepEqual(s(VADD_S, RN, FLT_MAX, 0x73000000), [INF, OFC | IXC]);
  assert.deepEqual(s(VADD_S, RZ, FLT_MAX, 0x73000000), [FLT_MAX, IXC]);
});

test("double overflow, from an addition and from a product", () => {
  const max = "7fefffffffffffff";
  assert.deepEqual(d(VADD_D, RN, max, max), ["7ff0000000000000", OFC | IXC]);
  assert.deepEqual(d(VADD_D, RZ, max, max), [max, OFC | IXC]);
  assert.deepEqual(d(VADD_D, RM, max, max), [max, OFC | IXC]);
  assert.deepEqual(d(VADD_D, RM, "ffefffffffffffff", "ffefffffffffffff"), ["fff0000000000000", OFC | IXC]);
  const p600 = "6570000000000000"; // 2^600
  assert.deepEqual(d(VMUL_D, RN, p600, p600), ["7ff0000000000000", OFC | IXC]);
  assert.deepEqual(d(VMUL_D, RZ, p600, p600), [max, OFC | IXC]);
  assert.deepEqual(d(VDIV_D, RP, p600, "1a70000000000000" /* 2^-600 */), ["7ff0000000000000", OFC | IXC]);
});

test("single underflow: tininess is judged before rounding, UFC only when inexact", () => {
  // (1 - 2^-24) * 2^-126 = 2^-126 - 2^-150: a tie between 0x007fffff and 0x00800000; even wins, which is
  // the smallest normal, but the exact result was tiny and inexact: UFC.
  assert.deepEqual(s(VMUL_S, RN, 0x3f7fffff, FLT_MIN), [FLT_MIN, UFC | IXC]);
  // 2^-126 * 0.5 = 2^-127 is an exact subnormal: no flags.
  assert.deepEqual(s(VMUL_S, RN, FLT_MIN, f32(0.5)), [0x00400000, 0]);
  // (2^-126 + 2^-149) * 0.5 = 2^-127 + 2^-150: half a subnormal ulp; even is 0x00400000.
  assert.deepEqual(s(VMUL_S, RN, 0x00800001, f32(0.5)), [0x00400000, UFC | IXC]);
  assert.deepEqual(s(VMUL_S, RP, 0x00800001, f32(0.5)), [0x00400001, UFC | IXC]);
  // Far below the smallest subnormal: zero in RN, the smallest subnormal in RP.
  assert.deepEqual(s(VMUL_S, RN, FLT_MIN, FLT_MIN), [0, UFC | IXC]);
  assert.deepEqual(s(VMUL_S, RP, FLT_MIN, FLT_MIN), [1, UFC | IXC]);
  assert.deepEqual(s(VMUL_S, RM, FLT_MIN | NEG, FLT_MIN), [(NEG | 1) >>> 0, UFC | IXC]);
});

test("double underflow: subnormal ties, directed rounding of tiny products and quotients", () => {
  // (1 + 2^-52) * 2^-1023 = 2^-1023 + 2^-1075: half a subnormal ulp above 0x0008000000000000 (even).
  const a = "3ff0000000000001";
  const b = "0008000000000000";
  assert.deepEqual(d(VMUL_D, RN, a, b), ["0008000000000000", UFC | IXC]);
  assert.deepEqual(d(VMUL_D, RP, a, b), ["0008000000000001", UFC | IXC]);
  assert.deepEqual(d(VMUL_D, RZ, a, b), ["0008000000000000", UFC | IXC]);
  const m600 = "1a70000000000000"; // 2^-600
  assert.deepEqual(d(VMUL_D, RN, m600, m600), ["0000000000000000", UFC | IXC]);
  assert.deepEqual(d(VMUL_D, RP, m600, m600), ["0000000000000001", UFC | IXC]);
  assert.deepEqual(d(VMUL_D, RM, "9a70000000000000", m600), ["8000000000000001", UFC | IXC]);
  // 2^-1000 * 2^-50 = 2^-1050 = 2^24 subnormal units: exact.
  assert.deepEqual(d(VMUL_D, RN, "0170000000000000", "3cd0000000000000"), ["0000000001000000", 0]);
  // (1 + 2^-52) * 2^-500 times (1 - 2^-52) * 2^-522 = 2^-1022 - 2^-1126: tiny, although to nearest it
  // rounds up to the smallest normal; truncation gives the largest subnormal; FZ flushes it.
  const a1 = "20b0000000000001";
  const b1 = "1f4ffffffffffffe";
  assert.deepEqual(d(VMUL_D, RN, a1, b1), ["0010000000000000", UFC | IXC]);
  assert.deepEqual(d(VMUL_D, RZ, a1, b1), ["000fffffffffffff", UFC | IXC]);
  assert.deepEqual(d(VMUL_D, RN | FZ, a1, "9f4ffffffffffffe"), ["8000000000000000", UFC]);
  // 2^-1030 / 3 = (2^44 / 3) units = 0x55555555555.555...: round down to nearest, up in RP.
  assert.deepEqual(d(VDIV_D, RN, "0000100000000000", f64(3)), ["0000055555555555", UFC | IXC]);
  assert.deepEqual(d(VDIV_D, RP, "0000100000000000", f64(3)), ["0000055555555556", UFC | IXC]);
});

test("double: directed rounding steps from the nearest result by the sign of the exact error", () => {
  const one = f64(1);
  const tiny = "3c30000000000000"; // 2^-60
  assert.deepEqual(d(VADD_D, RN, one, tiny), [one, IXC]);
  assert.deepEqual(d(VADD_D, RP, one, tiny), ["3ff0000000000001", IXC]);
  assert.deepEqual(d(VADD_D, RZ, one, tiny), [one, IXC]);
  // 1 - 2^-60 lies just below a power of two: truncation gives the largest double below 1.
  assert.deepEqual(d(VSUB_D, RN, one, tiny), [one, IXC]);
  assert.deepEqual(d(VSUB_D, RZ, one, tiny), ["3fefffffffffffff", IXC]);
  assert.deepEqual(d(VSUB_D, RM, one, tiny), ["3fefffffffffffff", IXC]);
  assert.deepEqual(d(VSUB_D, RP, one, tiny), [one, IXC]);
  // 3 * 0.1: 0x1999999999999a * 3 / 4 = 5404319552844595.5, a tie; even is ...596 (0.30000000000000004).
  const tenth = f64(0.1);
  assert.deepEqual(d(VMUL_D, RN, f64(3), tenth), ["3fd3333333333334", IXC]);
  assert.deepEqual(d(VMUL_D, RZ, f64(3), tenth), ["3fd3333333333333", IXC]);
  assert.deepEqual(d(VMUL_D, RP, f64(3), tenth), ["3fd3333333333334", IXC]);
  assert.deepEqual(d(VMUL_D, RM, f64(-3), tenth), ["bfd3333333333334", IXC]);
});

test("flush-to-zero: denormal inputs become signed zeros (IDC), tiny results become zeros (UFC only)", () => {
  // 1 + denormal: the denormal is flushed, so the sum is exact.
  assert.deepEqual(s(VADD_S, FZ, ONE, 0x00000001), [ONE, IDC]);
  assert.deepEqual(s(VADD_S, FZ, 0x80000001, 0x80000003), [NEG, IDC], "-0 + -0 = -0");
  // 2^-127 is tiny: flushed, UFC without IXC.
  assert.deepEqual(s(VMUL_S, FZ, FLT_MIN, f32(0.5)), [0, UFC]);
  // Tiny before rounding even though nearest would round to the smallest normal.
  assert.deepEqual(s(VMUL_S, FZ, 0x3f7fffff, FLT_MIN | NEG), [NEG, UFC]);
  // A flushed divisor is a zero divisor.
  assert.deepEqual(s(VDIV_S, FZ, ONE, 0x00000010), [INF, DZC | IDC]);
  // Without FZ the same inputs are ordinary numbers.
  assert.deepEqual(d(VADD_D, 0, "000fffffffffffff", "0000000000000001"), ["0010000000000000", 0]);
  assert.deepEqual(d(VADD_D, FZ, "000fffffffffffff", "0000000000000001"), ["0000000000000000", IDC]);
  assert.deepEqual(d(VSQRT_D, FZ, "8000000000000001", f64(0)), ["8000000000000000", IDC]);
});

test("default NaN mode replaces NaN results; without it the payload propagates", () => {
  assert.deepEqual(s(VADD_S, 0, 0x7fc12345, ONE), [0x7fc12345, 0]);
  assert.deepEqual(s(VADD_S, DN, 0x7fc12345, ONE), [QNAN, 0]);
  assert.deepEqual(s(VADD_S, 0, 0x7f812345, ONE), [0x7fc12345, IOC], "a signalling NaN is quietened");
  assert.deepEqual(s(VADD_S, DN, 0x7f812345, ONE), [QNAN, IOC]);
  assert.deepEqual(d(VMUL_D, 0, "7ff0000000000001", f64(2)), ["7ff8000000000001", IOC]);
  assert.deepEqual(d(VMUL_D, DN, "7ff0000000000001", f64(2)), ["7ff8000000000000", IOC]);
  assert.deepEqual(d(VADD_D, 0, f64(2), "fff80000deadbeef"), ["fff80000deadbeef", 0]);
});

test("NaN operand priority: signalling before quiet, then the first operand", () => {
  assert.deepEqual(s(VADD_S, 0, 0x7fc00001, 0xff800002), [0xffc00002, IOC]);
  assert.deepEqual(s(VMUL_S, 0, 0x7fc00001, 0xffc00002), [0x7fc00001, 0]);
  assert.deepEqual(s(VDIV_S, 0, ONE, 0xffc00002), [0xffc00002, 0]);
  assert.deepEqual(s(VADD_S, 0, 0x7f800001, 0x7f800002), [0x7fc00001, IOC]);
  assert.deepEqual(d(VADD_D, 0, "7ff4000000000000", "7ff8000000000123"), ["7ffc000000000000", IOC]);
  assert.deepEqual(d(VDIV_D, 0, "7ff8000000000123", "fff0000000000456"), ["fff8000000000456", IOC]);
  // VSUB does not negate a NaN second operand.
  assert.deepEqual(s(VSUB_S, 0, ONE, 0x7fc00005), [0x7fc00005, 0]);
  assert.deepEqual(d(VSUB_D, 0, f64(1), "7ff8000000000005"), ["7ff8000000000005", 0]);
});

test("invalid operations give the default NaN and IOC", () => {
  assert.deepEqual(s(VSUB_S, 0, INF, INF), [QNAN, IOC]);
  assert.deepEqual(s(VADD_S, 0, INF, INF | NEG), [QNAN, IOC]);
  assert.deepEqual(s(VMUL_S, 0, 0, INF), [QNAN, IOC]);
  assert.deepEqual(s(VDIV_S, 0, 0, NEG), [QNAN, IOC], "0/0 is invalid, not a division by zero");
  assert.deepEqual(s(VDIV_S, 0, INF, INF), [QNAN, IOC]);
  assert.deepEqual(d(VADD_D, 0, "7ff0000000000000", "fff0000000000000"), ["7ff8000000000000", IOC]);
  assert.deepEqual(d(VMUL_D, 0, "fff0000000000000", "8000000000000000"), ["7ff8000000000000", IOC]);
});

test("division by zero: DZC and a signed infinity, but not for an infinite dividend", () => {
  assert.deepEqual(s(VDIV_S, 0, ONE, 0), [INF, DZC]);
  assert.deepEqual(s(VDIV_S, 0, ONE | NEG, 0), [(INF | NEG) >>> 0, DZC]);
  assert.deepEqual(s(VDIV_S, 0, ONE, NEG), [(INF | NEG) >>> 0, DZC]);
  assert.deepEqual(s(VDIV_S, 0, INF, 0), [INF, 0]);
  assert.deepEqual(s(VDIV_S, 0, ONE, INF | NEG), [NEG, 0]);
  assert.deepEqual(d(VDIV_D, 0, f64(-3), "0000000000000000"), ["fff0000000000000", DZC]);
});

test("signed zeros: x + (-x) is +0, or -0 when rounding towards minus infinity", () => {
  assert.deepEqual(s(VADD_S, RN, 0, NEG), [0, 0]);
  assert.deepEqual(s(VADD_S, RM, 0, NEG), [NEG, 0]);
  assert.deepEqual(s(VADD_S, RN, NEG, NEG), [NEG, 0]);
  assert.deepEqual(s(VSUB_S, RN, ONE, ONE), [0, 0]);
  assert.deepEqual(s(VSUB_S, RM, ONE, ONE), [NEG, 0]);
  assert.deepEqual(d(VADD_D, RM, f64(2.5), f64(-2.5)), ["8000000000000000", 0]);
  assert.deepEqual(d(VADD_D, RZ, f64(2.5), f64(-2.5)), ["0000000000000000", 0]);
  assert.deepEqual(s(VMUL_S, RN, NEG, ONE), [NEG, 0]);
});

test("multiply-accumulate forms: VMLA, VMLS, VNMLA, VNMLS, VNMUL signs", () => {
  const [two, three, one] = [f32(2), f32(3), f32(1)];
  assert.deepEqual(s(VMLA_S, 0, two, three, one), [f32(7), 0], "1 + 2*3");
  assert.deepEqual(s(VMLS_S, 0, two, three, one), [f32(-5), 0], "1 - 2*3");
  assert.deepEqual(s(VNMLA_S, 0, two, three, one), [f32(-7), 0], "-1 - 2*3");
  assert.deepEqual(s(VNMLS_S, 0, two, three, one), [f32(5), 0], "-1 + 2*3");
  assert.deepEqual(s(VNMUL_S, 0, two, three, one), [f32(-6), 0], "-(2*3)");
  const [dtwo, dthree, done] = [f64(2), f64(3), f64(1)];
  assert.deepEqual(d(VMLA_D, 0, dtwo, dthree, done), [f64(7), 0]);
  assert.deepEqual(d(VMLS_D, 0, dtwo, dthree, done), [f64(-5), 0]);
  assert.deepEqual(d(VNMLA_D, 0, dtwo, dthree, done), [f64(-7), 0]);
  assert.deepEqual(d(VNMLS_D, 0, dtwo, dthree, done), [f64(5), 0]);
  assert.deepEqual(d(VNMUL_D, 0, dtwo, dthree, done), [f64(-6), 0]);
});

test("VMLA is not fused: the product is rounded before the addition", () => {
  // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: the 2^-24 is a tie at single precision and goes (to even);
  // adding -1 then leaves exactly 2^-11 (a fused multiply-add would keep 2^-11 + 2^-24).
  assert.deepEqual(s(VMLA_S, 0, 0x3f800800, 0x3f800800, ONE | NEG), [0x3a000000, IXC]);
  // The same at double precision with (1 + 2^-27)^2 = 1 + 2^-26 + 2^-54.
  assert.deepEqual(d(VMLA_D, 0, "3ff0000002000000", "3ff0000002000000", f64(-1)), ["3e50000000000000", IXC]);
});

test("the negating forms flip a NaN's sign bit (FPNeg), before NaN propagation", () => {
  // VMLS: -(NaN product) is added to 1.0, so the result is the NaN with its sign flipped.
  assert.deepEqual(s(VMLS_S, 0, 0x7fc00001, ONE, ONE), [0xffc00001, 0]);
  // VNMUL of an invalid product: the default NaN, negated.
  assert.deepEqual(s(VNMUL_S, 0, INF, 0, 0), [0xffc00000, IOC]);
  assert.deepEqual(d(VNMUL_D, 0, "7ff0000000000000", "0000000000000000"), ["fff8000000000000", IOC]);
  // VNMLA negates the accumulator: a positive signalling NaN comes out negative and quiet.
  assert.deepEqual(s(VNMLA_S, 0, f32(2), f32(3), 0x7f800001), [0xffc00001, IOC]);
  assert.deepEqual(d(VNMLS_D, 0, f64(2), f64(3), "7ff0000000000001"), ["fff8000000000001", IOC]);
});

test("VFPv3-D32: D16-D31 are registers too", () => {
  const cpu = exec(0xee710baf /* vadd.f64 d16, d17, d31 */, 0, (c) => {
    setD(c, 17, f64(1.5));
    setD(c, 31, f64(2.25));
  });
  assert.equal(getD(cpu, 16), f64(3.75));
});

test("flags accumulate: earlier FPSCR flags stay set", () => {
  const cpu = exec(VADD_S, IOC | DZC, (c) => {
    setS(c, 1, ONE);
    setS(c, 2, TWO_M24);
  });
  assert.equal(flagsOf(cpu), IOC | DZC | IXC);
});

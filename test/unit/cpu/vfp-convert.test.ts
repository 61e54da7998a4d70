// VCVT: single <-> double, floating point <-> 32-bit integers (VCVT rounds towards zero, VCVTR and
// integer-to-float use FPSCR), and floating point <-> 16/32-bit fixed point (to fixed: towards zero;
// from fixed: to nearest whatever FPSCR says). NaNs convert to 0 and out-of-range values saturate, with IOC.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DN,
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
import type { Cpu } from "../../../src/cpu/core.js";

const VCVT_F64_F32 = 0xeeb70ac1; // vcvt.f64.f32 d0, s2
const VCVT_F32_F64 = 0xeeb70bc1; // vcvt.f32.f64 s0, d1
const VCVT_S32_F32 = 0xeebd0ae0; // vcvt.s32.f32 s0, s1
const VCVTR_S32_F32 = 0xeebd0a60; // vcvtr.s32.f32 s0, s1
const VCVT_U32_F32 = 0xeebc0ae0; // vcvt.u32.f32 s0, s1
const VCVT_S32_F64 = 0xeebd0bc1; // vcvt.s32.f64 s0, d1
const VCVTR_S32_F64 = 0xeebd0b41; // vcvtr.s32.f64 s0, d1
const VCVT_U32_F64 = 0xeebc0bc1; // vcvt.u32.f64 s0, d1
const VCVT_F32_S32 = 0xeeb80ae0; // vcvt.f32.s32 s0, s1
const VCVT_F32_U32 = 0xeeb80a60; // vcvt.f32.u32 s0, s1
const VCVT_F64_S32 = 0xeeb80bc1; // vcvt.f64.s32 d0, s2
const VCVT_F64_U32 = 0xeeb80b41; // vcvt.f64.u32 d0, s2
const VCVT_S32_F32_16 = 0xeebe0ac8; // vcvt.s32.f32 s0, s0, #16
const VCVT_F32_S32_16 = 0xeeba0ac8; // vcvt.f32.s32 s0, s0, #16
const VCVT_S16_F32_8 = 0xeebe0a44; // vcvt.s16.f32 s0, s0, #8
const VCVT_U16_F32_16 = 0xeebf0a40; // vcvt.u16.f32 s0, s0, #16
const VCVT_U16_F32_0 = 0xeebf0a48; // vcvt.u16.f32 s0, s0, #0 (imm4:i = 16)
const VCVT_F32_U16_16 = 0xeebb0a40; // vcvt.f32.u16 s0, s0, #16
const VCVT_F32_S16_16 = 0xeeba0a40; // vcvt.f32.s16 s0, s0, #16
const VCVT_F32_S32_1 = 0xeeba0aef; // vcvt.f32.s32 s0, s0, #1
const VCVT_S32_F64_1 = 0xeebe0bef; // vcvt.s32.f64 d0, d0, #1
const VCVT_U32_F64_32 = 0xeebf0bc0; // vcvt.u32.f64 d0, d0, #32
const VCVT_F64_S16_4 = 0xeeba0b46; // vcvt.f64.s16 d0, d0, #4
const VCVT_F64_U32_32 = 0xeebb0bc0; // vcvt.f64.u32 d0, d0, #32

/** Runs a conversion reading S1 (and S0, S2 for the in-place and to-double forms); returns [S0, flags]. */
function cvtS(instr: number, fpscr: number, src: number): [number, number] {
  const cpu = exec(instr, fpscr, (c) => {
    setS(c, 0, src);
    setS(c, 1, src);
    setS(c, 2, src);
  });
  return [getS(cpu, 0), flagsOf(cpu)];
}

/** Runs a conversion reading D1 (or D0 in place); returns [S0, flags]. */
function cvtFromD(instr: number, fpscr: number, src: string): [number, number] {
  const cpu = exec(instr, fpscr, (c) => {
    setD(c, 0, src);
    setD(c, 1, src);
  });
  return [getS(cpu, 0), flagsOf(cpu)];
}

/** Runs a conversion writing D0; returns [D0, flags]. */
function cvtToD(instr: number, fpscr: number, setup: (c: Cpu) => void): [string, number] {
  const cpu = exec(instr, fpscr, setup);
  return [getD(cpu, 0), flagsOf(cpu)];
}

const u = (x: number): number => x >>> 0;

test("VCVT to integer rounds towards zero; VCVTR uses FPSCR.RMode", () => {
  assert.deepEqual(cvtS(VCVT_S32_F32, RN, f32(2.5)), [2, IXC]);
  assert.deepEqual(cvtS(VCVT_S32_F32, RN, f32(-2.5)), [u(-2), IXC]);
  assert.deepEqual(cvtS(VCVT_S32_F32, RN, f32(7)), [7, 0]);
  assert.deepEqual(cvtS(VCVTR_S32_F32, RN, f32(2.5)), [2, IXC], "ties to even");
  assert.deepEqual(cvtS(VCVTR_S32_F32, RN, f32(3.5)), [4, IXC]);
  assert.deepEqual(cvtS(VCVTR_S32_F32, RN, f32(-2.5)), [u(-2), IXC]);
  assert.deepEqual(cvtS(VCVTR_S32_F32, RM, f32(-2.5)), [u(-3), IXC]);
  assert.deepEqual(cvtS(VCVTR_S32_F32, RP, f32(2.125)), [3, IXC]);
  assert.deepEqual(cvtS(VCVTR_S32_F32, RZ, f32(-2.875)), [u(-2), IXC]);
  assert.deepEqual(cvtS(VCVTR_S32_F32, RP, 0x00000001), [1, IXC], "a denormal rounds up in RP");
  assert.deepEqual(cvtS(VCVTR_S32_F32, RP | FZ, 0x00000001), [0, IDC], "...but is zero under FZ");
});

test("to integer: NaN gives 0, out of range saturates, each with IOC and no IXC", () => {
  assert.deepEqual(cvtS(VCVT_S32_F32, 0, 0x7fc00000), [0, IOC]);
  assert.deepEqual(cvtS(VCVT_S32_F32, 0, 0xff800001), [0, IOC]);
  assert.deepEqual(cvtS(VCVT_S32_F32, 0, 0x7f800000), [0x7fffffff, IOC]);
  assert.deepEqual(cvtS(VCVT_S32_F32, 0, 0xff800000), [0x80000000, IOC]);
  const threeE9 = f32(2999999488); // 3e9 rounded to single precision
  assert.deepEqual(cvtS(VCVT_S32_F32, 0, threeE9), [0x7fffffff, IOC]);
  assert.deepEqual(cvtS(VCVT_S32_F32, 0, 0x4f000000 /* 2^31 */), [0x7fffffff, IOC]);
  assert.deepEqual(cvtS(VCVT_S32_F32, 0, 0xcf000000 /* -2^31 */), [0x80000000, 0]);
  assert.deepEqual(cvtS(VCVT_U32_F32, 0, threeE9), [2999999488, 0]);
  assert.deepEqual(cvtS(VCVT_U32_F32, 0, f32(-1)), [0, IOC]);
  assert.deepEqual(cvtS(VCVT_U32_F32, 0, f32(-0.5)), [0, IXC], "-0.5 truncates to 0: in range");
  assert.deepEqual(cvtS(VCVT_U32_F32, 0, 0x4f800000 /* 2^32 */), [0xffffffff, IOC]);
});

test("double to integer: the edges of the 32-bit range", () => {
  assert.deepEqual(cvtFromD(VCVT_S32_F64, 0, f64(2147483647.5)), [0x7fffffff, IXC]);
  // Nearest: 2147483647.5 is a tie, even is 2^31, which saturates: IOC, not IXC.
  assert.deepEqual(cvtFromD(VCVTR_S32_F64, RN, f64(2147483647.5)), [0x7fffffff, IOC]);
  assert.deepEqual(cvtFromD(VCVTR_S32_F64, RN, f64(-2147483648.5)), [0x80000000, IXC]);
  assert.deepEqual(cvtFromD(VCVT_S32_F64, 0, f64(-2147483648.9)), [0x80000000, IXC]);
  assert.deepEqual(cvtFromD(VCVT_S32_F64, 0, f64(-2147483649)), [0x80000000, IOC]);
  assert.deepEqual(cvtFromD(VCVT_U32_F64, 0, f64(4294967295.75)), [0xffffffff, IXC]);
  assert.deepEqual(cvtFromD(VCVT_U32_F64, 0, f64(1e300)), [0xffffffff, IOC]);
  assert.deepEqual(cvtFromD(VCVT_U32_F64, 0, "7ff8000000000000"), [0, IOC]);
});

test("integer to floating point rounds per FPSCR", () => {
  // 2^24 + 1 needs 25 bits: a tie between 2^24 (even) and 2^24 + 2.
  assert.deepEqual(cvtS(VCVT_F32_S32, RN, 16777217), [0x4b800000, IXC]);
  assert.deepEqual(cvtS(VCVT_F32_S32, RP, 16777217), [0x4b800001, IXC]);
  assert.deepEqual(cvtS(VCVT_F32_S32, RZ, 16777217), [0x4b800000, IXC]);
  assert.deepEqual(cvtS(VCVT_F32_S32, RN, -16777219), [0xcb800002, IXC], "-(2^24 + 3): tie, even is 2^24 + 4");
  assert.deepEqual(cvtS(VCVT_F32_S32, RN, 0x80000000), [0xcf000000, 0]);
  assert.deepEqual(cvtS(VCVT_F32_S32, RN, 0), [0, 0], "+0");
  assert.deepEqual(cvtS(VCVT_F32_U32, RN, 0xffffffff), [0x4f800000, IXC], "2^32 - 1 rounds to 2^32");
  assert.deepEqual(cvtS(VCVT_F32_U32, RZ, 0xffffffff), [0x4f7fffff, IXC]);
  assert.deepEqual(
    cvtToD(VCVT_F64_S32, 0, (c) => setS(c, 2, -1)),
    [f64(-1), 0],
  );
  assert.deepEqual(
    cvtToD(VCVT_F64_U32, 0, (c) => setS(c, 2, -1)),
    [f64(4294967295), 0],
  );
});

test("single to double: exact, denormals included; NaN payloads move to the top of the fraction", () => {
  assert.deepEqual(
    cvtToD(VCVT_F64_F32, 0, (c) => setS(c, 2, 0x3dcccccd)),
    ["3fb99999a0000000", 0],
  );
  assert.deepEqual(
    cvtToD(VCVT_F64_F32, 0, (c) => setS(c, 2, 0x00000001)),
    ["36a0000000000000", 0],
    "2^-149",
  );
  assert.deepEqual(
    cvtToD(VCVT_F64_F32, FZ, (c) => setS(c, 2, 0x80000001)),
    ["8000000000000000", IDC],
  );
  assert.deepEqual(
    cvtToD(VCVT_F64_F32, 0, (c) => setS(c, 2, 0x7fc00001)),
    ["7ff8000020000000", 0],
  );
  assert.deepEqual(
    cvtToD(VCVT_F64_F32, 0, (c) => setS(c, 2, 0xff800001)),
    ["fff8000020000000", IOC],
  );
  assert.deepEqual(
    cvtToD(VCVT_F64_F32, DN, (c) => setS(c, 2, 0xffc00001)),
    ["7ff8000000000000", 0],
  );
  assert.deepEqual(
    cvtToD(VCVT_F64_F32, 0, (c) => setS(c, 2, 0xff800000)),
    ["fff0000000000000", 0],
  );
});

test("double to single rounds, overflows and underflows like arithmetic", () => {
  assert.deepEqual(cvtFromD(VCVT_F32_F64, RN, f64(0.1)), [0x3dcccccd, IXC]);
  assert.deepEqual(cvtFromD(VCVT_F32_F64, RZ, f64(0.1)), [0x3dcccccc, IXC]);
  assert.deepEqual(cvtFromD(VCVT_F32_F64, RN, f64(1.5)), [f32(1.5), 0]);
  assert.deepEqual(cvtFromD(VCVT_F32_F64, RN, f64(1e300)), [0x7f800000, OFC | IXC]);
  assert.deepEqual(cvtFromD(VCVT_F32_F64, RZ, f64(1e300)), [0x7f7fffff, OFC | IXC]);
  assert.deepEqual(cvtFromD(VCVT_F32_F64, RN, f64(1e-300)), [0, UFC | IXC]);
  assert.deepEqual(cvtFromD(VCVT_F32_F64, RP, f64(1e-300)), [1, UFC | IXC]);
  assert.deepEqual(cvtFromD(VCVT_F32_F64, FZ, f64(1e-40)), [0, UFC], "tiny: flushed");
  // 1.5 * 2^-149 lies halfway between 1 and 2 subnormal units; even is 2.
  assert.deepEqual(cvtFromD(VCVT_F32_F64, RN, f64(1.5 * 2 ** -149)), [2, UFC | IXC]);
  assert.deepEqual(cvtFromD(VCVT_F32_F64, RN, "8000000000000000"), [0x80000000, 0]);
});

test("double to single NaNs: quietened, fraction bits 50:29 kept, unless DN", () => {
  assert.deepEqual(cvtFromD(VCVT_F32_F64, 0, "7ff0000000000001"), [0x7fc00000, IOC]);
  assert.deepEqual(cvtFromD(VCVT_F32_F64, 0, "fff4000020000000"), [0xffe00001, IOC]);
  assert.deepEqual(cvtFromD(VCVT_F32_F64, 0, "7ff80000e0000000"), [0x7fc00007, 0]);
  assert.deepEqual(cvtFromD(VCVT_F32_F64, DN, "fff80000e0000000"), [0x7fc00000, 0]);
});

test("to fixed point: towards zero, scaled by 2^fbits, 16-bit results sign- or zero-extended", () => {
  assert.deepEqual(cvtS(VCVT_S32_F32_16, RN, f32(1.5)), [0x00018000, 0]);
  assert.deepEqual(cvtS(VCVT_S32_F32_16, RN, f32(-1.25)), [0xfffec000, 0]);
  assert.deepEqual(cvtS(VCVT_S32_F32_16, RP, f32(1 + 2 ** -20)), [0x00010000, IXC], "towards zero even in RP");
  assert.deepEqual(cvtS(VCVT_S16_F32_8, RN, f32(-1.5)), [0xfffffe80, 0], "-384, sign-extended");
  assert.deepEqual(cvtS(VCVT_U16_F32_16, RN, f32(0.5)), [0x00008000, 0], "zero-extended");
  assert.deepEqual(cvtS(VCVT_U16_F32_16, RN, f32(1)), [0x0000ffff, IOC], "65536 saturates");
  assert.deepEqual(cvtS(VCVT_U16_F32_16, RN, f32(-0.25)), [0, IOC]);
  assert.deepEqual(cvtS(VCVT_U16_F32_0, RN, f32(70000)), [0x0000ffff, IOC]);
  assert.deepEqual(cvtS(VCVT_S16_F32_8, RN, 0x7fc00000), [0, IOC]);
});

test("from fixed point: the low 16 or 32 bits, rounded to nearest regardless of FPSCR", () => {
  assert.deepEqual(cvtS(VCVT_F32_S32_16, RN, 0x00018000), [f32(1.5), 0]);
  assert.deepEqual(cvtS(VCVT_F32_U16_16, RN, 0xffff8000), [f32(0.5), 0], "the upper half is ignored");
  assert.deepEqual(cvtS(VCVT_F32_S16_16, RN, 0xffff8000), [f32(-0.5), 0]);
  // (2^24 + 1) / 2 = 2^23 + 0.5 needs 25 bits: a tie, even is 2^23, in RP as in RN.
  assert.deepEqual(cvtS(VCVT_F32_S32_1, RP, 16777217), [0x4b000000, IXC]);
  assert.deepEqual(cvtS(VCVT_F32_S32_1, RZ, 16777219), [0x4b000002, IXC], "2^23 + 1.5 ties up to 2^23 + 2");
});

test("fixed point in a D register: 64-bit sign/zero extension, low bits as the source", () => {
  assert.deepEqual(
    cvtToD(VCVT_S32_F64_1, 0, (c) => setD(c, 0, f64(-2.75))),
    ["fffffffffffffffb", IXC],
    "-5.5 truncates to -5",
  );
  assert.deepEqual(
    cvtToD(VCVT_U32_F64_32, 0, (c) => setD(c, 0, f64(0.5))),
    ["0000000080000000", 0],
  );
  assert.deepEqual(
    cvtToD(VCVT_F64_S16_4, 0, (c) => setD(c, 0, "123456780000fff8")),
    [f64(-0.5), 0],
    "0xfff8 = -8, / 16",
  );
  assert.deepEqual(
    cvtToD(VCVT_F64_U32_32, 0, (c) => setD(c, 0, "deadbeefffffffff")),
    [f64(1 - 2 ** -32), 0],
  );
});

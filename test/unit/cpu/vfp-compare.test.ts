// VCMP/VCMPE: FPSCR.NZCV from the comparison (equal 0110, less 1000, greater 0010, unordered 0011),
// IOC for signalling NaNs (and for quiet ones with VCMPE), and VMRS APSR_nzcv to use the result.

import { test } from "node:test";
import assert from "node:assert/strict";
import { exec, f32, f64, flagsOf, FZ, IDC, IOC, IXC, RM, setD, setS, vfp } from "./vfp-harness.js";

const VCMP_S = 0xeeb40a60; // vcmp.f32 s0, s1
const VCMPE_S = 0xeeb40ae0; // vcmpe.f32 s0, s1
const VCMP_S0 = 0xeeb50a40; // vcmp.f32 s0, #0
const VCMPE_S0 = 0xeeb50ac0; // vcmpe.f32 s0, #0
const VCMP_D = 0xeeb40b41; // vcmp.f64 d0, d1
const VCMPE_D = 0xeeb40bc1; // vcmpe.f64 d0, d1
const VCMP_D0 = 0xeeb50b40; // vcmp.f64 d0, #0
const VCMPE_D16_0 = 0xeef50bc0; // vcmpe.f64 d16, #0
const VMRS_APSR = 0xeef1fa10; // vmrs APSR_nzcv, fpscr

const LESS = 0b1000;
const EQUAL = 0b0110;
const GREATER = 0b0010;
const UNORDERED = 0b0011;

/** Single compare of S0 with S1; returns [NZCV, flags]. */
function cs(instr: number, a: number, b: number, fpscr = 0): [number, number] {
  const cpu = exec(instr, fpscr, (c) => {
    setS(c, 0, a);
    setS(c, 1, b);
  });
  return [cpu.vfp.fpscr >>> 28, flagsOf(cpu)];
}

/** Double compare of D0 (or D16) with D1; returns [NZCV, flags]. */
function cd(instr: number, a: string, b: string, fpscr = 0, dn = 0): [number, number] {
  const cpu = exec(instr, fpscr, (c) => {
    setD(c, dn, a);
    setD(c, 1, b);
  });
  return [cpu.vfp.fpscr >>> 28, flagsOf(cpu)];
}

test("single compares: less, equal, greater, with signed zeros and infinities", () => {
  assert.deepEqual(cs(VCMP_S, f32(1), f32(2)), [LESS, 0]);
  assert.deepEqual(cs(VCMP_S, f32(2), f32(1)), [GREATER, 0]);
  assert.deepEqual(cs(VCMP_S, f32(-3.5), f32(-3.5)), [EQUAL, 0]);
  assert.deepEqual(cs(VCMP_S, 0, 0x80000000), [EQUAL, 0], "+0 == -0");
  assert.deepEqual(cs(VCMP_S, 0x7f800000, 0x7f800000), [EQUAL, 0]);
  assert.deepEqual(cs(VCMP_S, 0xff800000, f32(-(2 ** 127))), [LESS, 0]);
  assert.deepEqual(cs(VCMP_S, 0x00000001, 0), [GREATER, 0], "a denormal is above zero without FZ");
});

test("unordered: quiet NaNs raise IOC only for VCMPE; signalling NaNs always", () => {
  assert.deepEqual(cs(VCMP_S, 0x7fc00000, f32(1)), [UNORDERED, 0]);
  assert.deepEqual(cs(VCMP_S, f32(1), 0xffc00123), [UNORDERED, 0]);
  assert.deepEqual(cs(VCMPE_S, 0x7fc00000, f32(1)), [UNORDERED, IOC]);
  assert.deepEqual(cs(VCMP_S, f32(1), 0x7f800001), [UNORDERED, IOC]);
  assert.deepEqual(cs(VCMPE_S, f32(1), f32(1)), [EQUAL, 0]);
  assert.deepEqual(cd(VCMP_D, "7ff8000000000000", f64(1)), [UNORDERED, 0]);
  assert.deepEqual(cd(VCMPE_D, "7ff8000000000000", f64(1)), [UNORDERED, IOC]);
  assert.deepEqual(cd(VCMP_D, f64(1), "fff0000000000001"), [UNORDERED, IOC]);
});

test("compare with zero forms", () => {
  assert.deepEqual(cs(VCMP_S0, f32(-1), 0x12345678), [LESS, 0], "the second register is not read");
  assert.deepEqual(cs(VCMP_S0, 0x80000000, 0), [EQUAL, 0]);
  assert.deepEqual(cs(VCMPE_S0, 0x7fc00000, 0), [UNORDERED, IOC]);
  assert.deepEqual(cd(VCMP_D0, f64(1e-300), f64(0)), [GREATER, 0]);
  assert.deepEqual(cd(VCMPE_D16_0, "7ff8000000000000", f64(0), 0, 16), [UNORDERED, IOC]);
  assert.deepEqual(cd(VCMPE_D16_0, f64(-0.5), f64(0), 0, 16), [LESS, 0]);
});

test("with FZ, a denormal compares as a zero and raises IDC", () => {
  assert.deepEqual(cs(VCMP_S0, 0x00000001, 0, FZ), [EQUAL, IDC]);
  assert.deepEqual(cs(VCMP_S, 0x80000005, 0x00000003, FZ), [EQUAL, IDC]);
  assert.deepEqual(cd(VCMP_D, "0000000000000001", "8000000000000000", FZ), [EQUAL, IDC]);
});

test("double compares order by value", () => {
  assert.deepEqual(cd(VCMP_D, f64(1), f64(1 + 2 ** -52)), [LESS, 0]);
  assert.deepEqual(cd(VCMP_D, f64(-1e300), f64(-Infinity)), [GREATER, 0]);
  assert.deepEqual(cd(VCMP_D, "8000000000000000", "0000000000000000"), [EQUAL, 0]);
});

test("VCMP keeps the rest of FPSCR: mode bits and earlier flags", () => {
  const cpu = exec(VCMPE_S, RM | IXC | 0xf0000000, (c) => {
    setS(c, 0, f32(1));
    setS(c, 1, f32(2));
  });
  assert.equal(cpu.vfp.fpscr >>> 0, (0x80000000 | RM | IXC) >>> 0);
});

test("VCMP then VMRS APSR_nzcv, FPSCR moves the result into the CPSR flags", () => {
  const { cpu } = vfp([VCMP_S, VMRS_APSR, VCMP_S, VMRS_APSR]);
  setS(cpu, 0, 0x7fc00000);
  setS(cpu, 1, f32(1));
  cpu.run(2);
  assert.deepEqual([cpu.n, cpu.z, cpu.c, cpu.v], [0, 0, 1, 1], "unordered: C and V");
  setS(cpu, 0, f32(1));
  cpu.run(2);
  assert.deepEqual([cpu.n, cpu.z, cpu.c, cpu.v], [0, 1, 1, 0], "equal: Z and C");
});

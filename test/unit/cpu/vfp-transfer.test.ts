// Register moves: VMOV between core and extension registers (all forms), VMOV immediate/register,
// VABS/VNEG. Moves are raw: NaN payloads and signalling NaNs pass unchanged and raise nothing.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Mode } from "../../../src/cpu/state.js";
import { assertUndefined, CODE, f32, f64, flagsOf, getD, getS, setD, setS, vfp, vfpThumb } from "./vfp-harness.js";

test("VMOV Sn <-> Rt moves raw bits, a signalling NaN included", () => {
  const { cpu } = vfp([0xee012a90 /* vmov s3, r2 */, 0xee114a90 /* vmov r4, s3 */]);
  cpu.r[2] = 0x7f800001;
  cpu.run(2);
  assert.equal(getS(cpu, 3), 0x7f800001);
  assert.equal(cpu.r[4], 0x7f800001);
  assert.equal(flagsOf(cpu), 0);
});

test("VMOV Dm <-> Rt, Rt2: Rt is the low word, Rt2 the high word", () => {
  const { cpu } = vfp([0xec410b31 /* vmov d17, r0, r1 */, 0xec532b31 /* vmov r2, r3, d17 */]);
  cpu.r[0] = 0x89abcdef | 0;
  cpu.r[1] = 0x7ff01234;
  cpu.run(1);
  assert.equal(getD(cpu, 17), "7ff0123489abcdef");
  cpu.run(1);
  assert.equal(cpu.r[2] >>> 0, 0x89abcdef);
  assert.equal(cpu.r[3] >>> 0, 0x7ff01234);
});

test("VMOV Sm, Sm+1 <-> Rt, Rt2", () => {
  const { cpu } = vfp([0xec432a1f /* vmov s30, s31, r2, r3 */, 0xec554a1f /* vmov r4, r5, s30, s31 */]);
  cpu.r[2] = 0x11111111;
  cpu.r[3] = 0x22222222;
  cpu.run(2);
  assert.equal(getS(cpu, 30), 0x11111111);
  assert.equal(getS(cpu, 31), 0x22222222);
  assert.equal(getD(cpu, 15), "2222222211111111", "S30/S31 are D15");
  assert.equal(cpu.r[4], 0x11111111);
  assert.equal(cpu.r[5], 0x22222222);
});

test("VMOV.32 Dd[x] <-> Rt addresses the halves of D0-D31", () => {
  const { cpu } = vfp([
    0xee213b90, // vmov.32 d17[1], r3
    0xee116b90, // vmov.32 r6, d17[0]
    0xee0f7b90, // vmov.32 d31[0], r7
  ]);
  setD(cpu, 17, "0123456789abcdef");
  cpu.r[3] = 0xfedcba98 | 0;
  cpu.r[7] = 0x5a5a5a5a;
  cpu.run(3);
  assert.equal(getD(cpu, 17), "fedcba9889abcdef");
  assert.equal(cpu.r[6] >>> 0, 0x89abcdef);
  assert.equal(getD(cpu, 31), "000000005a5a5a5a");
});

test("VMOV (register) copies NaN payloads exactly, without IOC", () => {
  const { cpu } = vfp([0xeeb00a60 /* vmov.f32 s0, s1 */, 0xeeb00b61 /* vmov.f64 d0, d17 */]);
  setS(cpu, 1, 0xff800123);
  cpu.run(1);
  assert.equal(getS(cpu, 0), 0xff800123);
  setD(cpu, 17, "7ff0000000000001");
  cpu.run(1);
  assert.equal(getD(cpu, 0), "7ff0000000000001");
  assert.equal(flagsOf(cpu), 0);
});

test("VMOV (immediate) expands imm8 (VFPExpandImm)", () => {
  const { cpu } = vfp([0xeef32a0f /* vmov.f32 s5, #31.0 */, 0xeefc4b08 /* vmov.f64 d20, #-0.1875 */]);
  setD(cpu, 20, "ffffffffffffffff");
  cpu.run(2);
  assert.equal(getS(cpu, 5), f32(31));
  assert.equal(getD(cpu, 20), f64(-0.1875), "the low word is cleared too");
});

test("VABS and VNEG change only the sign bit, NaNs included, and raise nothing", () => {
  const { cpu } = vfp([0xeeb00ae0 /* vabs.f32 s0, s1 */, 0xeeb10b61 /* vneg.f64 d0, d17 */]);
  setS(cpu, 1, 0xff800001);
  setD(cpu, 17, "7ff0000000000001");
  cpu.run(2);
  assert.equal(getD(cpu, 0), "fff0000000000001");
  const second = vfp([0xeeb00ae0]);
  setS(second.cpu, 1, 0xff800001);
  second.cpu.run(1);
  assert.equal(getS(second.cpu, 0), 0x7f800001);
  assert.equal(flagsOf(cpu) | flagsOf(second.cpu), 0);
});

test("transfers to or from the PC, and Rt = Rt2 on a 64-bit read, are UNDEFINED", () => {
  for (const instr of [
    0xee11fa90, // vmov pc, s3
    0xec5f2b31, // vmov r2, pc, d17
    0xec500b10, // vmov r0, r0, d0
  ]) {
    const { cpu } = vfp([instr]);
    cpu.run(1);
    assertUndefined(cpu);
  }
});

test("Advanced SIMD transfers (8-bit scalars, VDUP) are UNDEFINED: no NEON", () => {
  for (const instr of [
    0xee400b30, // vmov.8 d0[1], r0
    0xee800b10, // vdup.32 d0, r0
    0xeed00b30, // vmov.u8 r0, d0[1]
  ]) {
    const { cpu } = vfp([instr]);
    cpu.run(1);
    assertUndefined(cpu);
  }
});

test("Thumb: the same encodings (hw1:hw2) work", () => {
  const { cpu } = vfpThumb([0xee01, 0x2a90 /* vmov s3, r2 */, 0xee30, 0x0a81 /* vadd.f32 s0, s1, s2 */]);
  cpu.r[2] = f32(1.25);
  setS(cpu, 1, f32(2));
  setS(cpu, 2, f32(0.5));
  cpu.run(2);
  assert.equal(cpu.mode, Mode.SVC);
  assert.equal(getS(cpu, 3), f32(1.25));
  assert.equal(getS(cpu, 0), f32(2.5));
  assert.equal(cpu.nextPc, CODE + 8);
});

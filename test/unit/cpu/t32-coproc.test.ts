// The T32 coprocessor space (A6.3.18): MRC/MCR to CP15 (the TLS register reads busybox makes from
// user mode), VFP routing, and the Advanced SIMD and "2" encodings that are UNDEFINED on this core.

import { test } from "node:test";
import assert from "node:assert/strict";
import { thumb, u, CODE, expectUndefined } from "./t32-harness.js";
import { Mode } from "../../../src/cpu/state.js";
import { FPEXC_EN } from "../../../src/cpu/vfp-state.js";

test("MRC p15 TPIDRURO works from user mode; MCR sets it at PL1", () => {
  const t = thumb([0xee0d, 0x1f70, 0xee1d, 0x0f70], { 1: 0xb6f0a000 }); // mcr p15, 0, r1, c13, c0, 3; mrc p15, 0, r0, c13, c0, 3
  t.cpu.run(1);
  assert.equal(t.cpu.cp15.tpidruro >>> 0, 0xb6f0a000);
  t.cpu.switchMode(Mode.USR);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0xb6f0a000);
  assert.equal(t.cpu.nextPc, CODE + 8);
  assert.equal(t.cpu.mode, Mode.USR);
});

test("VFP instructions reach the VFP with the full 32-bit word", () => {
  const t = thumb([0xee00, 0x1a10], { 1: 0x3f800000 }); // vmov s0, r1
  t.cpu.cp15.cpacr = 0x00f00000;
  t.cpu.vfp.fpexc = FPEXC_EN;
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 4);
  assert.equal(t.cpu.vfp.w[0], 0x3f800000);
});

test("Advanced SIMD, the unconditional coprocessor forms and op1 = 00000x are UNDEFINED", () => {
  expectUndefined([0xef80, 0x0010]); // vmov.i32 d0, #0
  expectUndefined([0xef21, 0x0802]); // vadd.i32 d0, d1, d2
  expectUndefined([0xff01, 0x0d02]); // Advanced SIMD data processing with U = 1
  expectUndefined([0xf920, 0x078f]); // vld1.32 {d0}, [r0]
  expectUndefined([0xfe1d, 0x0f70]); // mrc2 p15, ...
  expectUndefined([0xfc91, 0x0b00]); // ldc2 / "vldr" with T = 1
  expectUndefined([0xec01, 0x0b00]); // coprocessor op1 = 00000x
});

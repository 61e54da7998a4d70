// 16-bit Thumb control flow and miscellaneous instructions (DDI 0406C A6.2.5, A6.2.6): B, B<cond>,
// CBZ/CBNZ, SVC, UDF, BKPT, CPS, SETEND, hints and unallocated encodings.

import { test } from "node:test";
import assert from "node:assert/strict";
import { thumb, u, setFlags, CODE, expectUndefined } from "./t32-harness.js";
import { Mode } from "../../../src/cpu/state.js";
import { ExitReason } from "../../../src/cpu/exits.js";

test("B<cond> branches on its own condition, offset imm8 * 2 from PC", () => {
  let t = thumb([0xd0fc]); // beq .-4
  setFlags(t.cpu, "nZcv");
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE - 4);
  t = thumb([0xd0fc]);
  setFlags(t.cpu, "nzcv");
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 2);
  t = thumb([0xd17e]); // bne .+256
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 256);
});

test("B (T2) reaches ±2 KiB", () => {
  let t = thumb([0xe3fe]); // b .+2048
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 2048);
  t = thumb([0xe400]); // b .-2044
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE - 2044);
});

test("CBZ/CBNZ branch forward on zero / non-zero and never touch the flags", () => {
  let t = thumb([0xb3f8], { 0: 0 }); // cbz r0, .+130
  setFlags(t.cpu, "NzCv");
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 130);
  assert.equal(t.cpu.n, 1);
  t = thumb([0xb3f8], { 0: 1 });
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 2);
  t = thumb([0xb901], { 1: 5 }); // cbnz r1, .+4
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 4);
  t = thumb([0xb901], { 1: 0 });
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 2);
});

test("SVC enters SVC mode with LR = next instruction and SPSR.T set", () => {
  const t = thumb([0xdf05]); // svc 5
  t.cpu.switchMode(Mode.USR);
  t.cpu.run(1);
  assert.equal(t.cpu.mode, Mode.SVC);
  assert.equal(t.cpu.nextPc, 0x08);
  assert.equal(u(t.cpu, 14), CODE + 2);
  assert.equal((t.cpu.getSpsr() >>> 5) & 1, 1);
  assert.equal(t.cpu.getSpsr() & 0x1f, Mode.USR);
});

test("UDF, BKPT and unallocated miscellaneous encodings", () => {
  expectUndefined([0xde01]); // udf #1
  expectUndefined([0xb700]); // 1011 0111 ...: unallocated
  expectUndefined([0xb800]); // 1011 1000 ...: unallocated
  expectUndefined([0xba88]); // HLT (ARMv8) is unallocated in ARMv7
  expectUndefined([0xb658]); // setend be: no big-endian data
  expectUndefined([0xc800]); // ldmia r0!, {}: empty list
  const t = thumb([0xbe01]); // bkpt 0x0001
  t.cpu.run(1);
  assert.equal(t.cpu.mode, Mode.ABT);
  assert.equal(t.cpu.nextPc, 0x0c);
  assert.equal(t.cpu.cp15.ifsr, 0x2);
});

test("CPSID/CPSIE change the masks at PL1 and are NOPs at PL0", () => {
  let t = thumb([0xb672, 0xb665]); // cpsid i; cpsie af
  t.cpu.i = 0;
  t.cpu.run(1);
  assert.equal(t.cpu.i, 1);
  t.cpu.run(1);
  assert.equal(t.cpu.a, 0);
  assert.equal(t.cpu.f, 0);
  assert.equal(t.cpu.i, 1);
  t = thumb([0xb672]);
  t.cpu.switchMode(Mode.USR);
  t.cpu.i = 0;
  t.cpu.run(1);
  assert.equal(t.cpu.i, 0);
});

test("hints: NOP, YIELD, SETEND LE do nothing; WFI exits when trapped; SEV then WFE falls through", () => {
  let t = thumb([0xbf00, 0xbf10, 0xb650]); // nop; yield; setend le
  t.cpu.run(3);
  assert.equal(t.cpu.nextPc, CODE + 6);
  assert.equal(t.cpu.mode, Mode.SVC);
  t = thumb([0xbf30, 0xbf00]); // wfi; nop
  assert.equal(t.cpu.run(10), ExitReason.WFX);
  assert.equal(t.cpu.nextPc, CODE + 2);
  t = thumb([0xbf40, 0xbf20, 0xbf00]); // sev; wfe; nop
  assert.equal(t.cpu.run(3), ExitReason.SLICE);
  assert.equal(t.cpu.nextPc, CODE + 6);
});

// UNPREDICTABLE encodings that this core makes UNDEFINED (or executes in a fixed way) the same way
// QEMU does, so that lockstep comparisons with QEMU agree: should-be-zero/one fields set wrongly,
// single-register T32 LDM/STM, and the accumulator = PC forms of MLS and SMMLS.

import { test } from "node:test";
import assert from "node:assert/strict";
import { thumb, u, CODE, expectUndefined } from "./t32-harness.js";

test("T32 LDM/STM need two registers (the 16-bit forms take one)", () => {
  expectUndefined([0xe880, 0x0002], { 0: 0x8000 }); // stmia.w r0, {r1}
  expectUndefined([0xe890, 0x0002], { 0: 0x8000 }); // ldmia.w r0, {r1}
  const t = thumb([0xc002], { 0: 0x8000, 1: 5 }); // stmia r0!, {r1}
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 2);
  assert.equal(u(t.cpu, 0), 0x8004);
});

test("(0)/(1) fields set wrongly are UNDEFINED", () => {
  expectUndefined([0xf701, 0x0007]); // ssat r0, #8, r1 with i = 1
  expectUndefined([0xf301, 0x0027]); // ssat with hw2[5] = 1
  expectUndefined([0xfa01, 0xf0c2]); // sxtah with hw2[6] = 1
  expectUndefined([0xea41, 0x8002]); // orr.w r0, r1, r2 with hw2[15] = 1
  expectUndefined([0xf3bf, 0x8f2e]); // clrex with hw2[3:0] != 1111
  expectUndefined([0xf3be, 0x8f2f]); // clrex with hw1[3:0] != 1111
  expectUndefined([0xe8d1, 0x0e4f]); // ldrexb with hw2[11:8] != 1111
  expectUndefined([0xe8d1, 0x0f4e]); // ldrexb with hw2[3:0] != 1111
  expectUndefined([0xe8c1, 0x0e44]); // strexb with hw2[11:8] != 1111
  expectUndefined([0xe8d1, 0xe000]); // tbb with hw2[15:12] != 1111
  expectUndefined([0xfb91, 0xe0f2]); // sdiv with hw2[15:12] != 1111
  expectUndefined([0x4701]); // bx r0 with hw[2:0] != 000
  expectUndefined([0xf3ef, 0x8001]); // mrs with hw2[7:0] != 0
  expectUndefined([0xf380, 0x8801]); // msr with hw2[7:0] != 0
  expectUndefined([0xf3ef, 0xa000]); // mrs with hw2[13] = 1
  expectUndefined([0xf3de, 0x8e04]); // subs pc, lr with hw2[11:8] != 1111
  expectUndefined([0xf7f0, 0x8001]); // smc with hw2 != 0x8000
  expectUndefined([0xe82c, 0xc013]); // srsdb with Rn != SP
});

test("MLS with Ra = PC accumulates the PC value; SMMLS with Ra = PC is SMMUL", () => {
  const t = thumb([0xfb01, 0xf012], { 1: 2, 2: 3 }); // mls r0, r1, r2, pc
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), CODE + 4 - 6);
  const s = thumb([0xfb61, 0xf002], { 1: 0x40000000, 2: 8 }); // smmls r0, r1, r2, pc
  s.cpu.run(1);
  assert.equal(u(s.cpu, 0), 2);
});

// 32-bit Thumb multiplies (A6.3.16) and long multiplies and divides (A6.3.17).

import { test } from "node:test";
import assert from "node:assert/strict";
import { thumb, u, CODE, expectUndefined } from "./t32-harness.js";

function run1(hw1: number, hw2: number, regs: Record<number, number>) {
  const t = thumb([hw1, hw2], regs);
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 4, "falls through");
  return t.cpu;
}

test("MUL/MLA/MLS", () => {
  assert.equal(u(run1(0xfb01, 0xf002, { 1: 0x10000, 2: 0x10001 }), 0), 0x00010000); // mul.w r0, r1, r2
  assert.equal(u(run1(0xfb01, 0x3002, { 1: 3, 2: 4, 3: 5 }), 0), 17); // mla r0, r1, r2, r3
  assert.equal(run1(0xfb01, 0x3012, { 1: 3, 2: 4, 3: 5 }).r[0], -7); // mls r0, r1, r2, r3
});

test("halfword multiplies and Q on accumulate overflow", () => {
  let cpu = run1(0xfb11, 0x3012, { 1: 0xfffe, 2: 0x00030000, 3: 10 }); // smlabt r0, r1, r2, r3
  assert.equal(u(cpu, 0), 4);
  assert.equal(cpu.q, 0);
  cpu = run1(0xfb11, 0x3012, { 1: 0x7fff, 2: 0x7fff0000, 3: 0x7fffffff }); // smlabt overflowing
  assert.equal(u(cpu, 0), (0x3fff0001 + 0x7fffffff) >>> 0);
  assert.equal(cpu.q, 1);
  assert.equal(run1(0xfb11, 0xf022, { 1: 0xfffe0000, 2: 5 }).r[0], -10); // smultb r0, r1, r2
  assert.equal(u(run1(0xfb31, 0x3012, { 1: 0x10000, 2: 0x20000, 3: 5 }), 0), 7); // smlawt r0, r1, r2, r3
  assert.equal(run1(0xfb31, 0xf002, { 1: 0xffff0000, 2: 3 }).r[0], -3); // smulwb r0, r1, r2
});

test("dual multiplies (SMUAD/SMLAD/SMUSD/SMLSD, X swaps halves)", () => {
  assert.equal(u(run1(0xfb21, 0x3012, { 1: 0x00020003, 2: 0x00050007, 3: 10 }), 0), 39); // smladx r0, r1, r2, r3
  const cpu = run1(0xfb21, 0xf002, { 1: 0x80008000, 2: 0x80008000 }); // smuad r0, r1, r2
  assert.equal(u(cpu, 0), 0x80000000);
  assert.equal(cpu.q, 1);
  assert.equal(u(run1(0xfb41, 0x3002, { 1: 0x00020003, 2: 0x00040005, 3: 1 }), 0), 8); // smlsd r0, r1, r2, r3
  assert.equal(u(run1(0xfb41, 0xf012, { 1: 0x00020003, 2: 0x00040005 }), 0), 2); // smusdx r0, r1, r2
});

test("most-significant-word multiplies with rounding", () => {
  assert.equal(u(run1(0xfb51, 0x3012, { 1: 0x40000000, 2: 3, 3: 5 }), 0), 6); // smmlar r0, r1, r2, r3
  assert.equal(u(run1(0xfb51, 0xf002, { 1: 0x40000000, 2: 8 }), 0), 2); // smmul r0, r1, r2
  assert.equal(u(run1(0xfb61, 0x3002, { 1: 1, 2: 1, 3: 5 }), 0), 4); // smmls r0, r1, r2, r3
});

test("USAD8/USADA8", () => {
  assert.equal(u(run1(0xfb71, 0xf002, { 1: 0x01020304, 2: 0x04030201 }), 0), 8); // usad8 r0, r1, r2
  assert.equal(u(run1(0xfb71, 0x3002, { 1: 0x01020304, 2: 0x04030201, 3: 100 }), 0), 108); // usada8
});

test("long multiplies and accumulates", () => {
  let cpu = run1(0xfb82, 0x0103, { 2: -2, 3: 3 }); // smull r0, r1, r2, r3
  assert.deepEqual([u(cpu, 0), u(cpu, 1)], [0xfffffffa, 0xffffffff]);
  cpu = run1(0xfba2, 0x0103, { 2: 0xffffffff, 3: 0xffffffff }); // umull r0, r1, r2, r3
  assert.deepEqual([u(cpu, 0), u(cpu, 1)], [0x00000001, 0xfffffffe]);
  cpu = run1(0xfbc2, 0x0103, { 0: 0xffffffff, 1: 0, 2: 1, 3: 1 }); // smlal r0, r1, r2, r3
  assert.deepEqual([u(cpu, 0), u(cpu, 1)], [0, 1]);
  cpu = run1(0xfbc2, 0x01a3, { 0: 1, 1: 0, 2: 0xffff0000, 3: 2 }); // smlaltb r0, r1, r2, r3
  assert.deepEqual([u(cpu, 0), u(cpu, 1)], [0xffffffff, 0xffffffff]);
  cpu = run1(0xfbc2, 0x01d3, { 0: 0, 1: 0, 2: 0x00020003, 3: 0x00040005 }); // smlaldx r0, r1, r2, r3
  assert.deepEqual([u(cpu, 0), u(cpu, 1)], [22, 0]);
  cpu = run1(0xfbd2, 0x01c3, { 0: 0xfffffffe, 1: 0xffffffff, 2: 0x00020003, 3: 0x00040005 }); // smlsld
  assert.deepEqual([u(cpu, 0), u(cpu, 1)], [5, 0]);
  cpu = run1(0xfbe2, 0x0103, { 0: 0xffffffff, 1: 1, 2: 2, 3: 3 }); // umlal r0, r1, r2, r3
  assert.deepEqual([u(cpu, 0), u(cpu, 1)], [5, 2]);
  cpu = run1(0xfbe2, 0x0163, { 0: -1, 1: -1, 2: -1, 3: -1 }); // umaal r0, r1, r2, r3
  assert.deepEqual([u(cpu, 0), u(cpu, 1)], [0xffffffff, 0xffffffff]);
});

test("SDIV/UDIV round towards zero and give zero for a zero divisor", () => {
  assert.equal(run1(0xfb91, 0xf0f2, { 1: -7, 2: 2 }).r[0], -3); // sdiv r0, r1, r2
  assert.equal(u(run1(0xfb91, 0xf0f2, { 1: 0x80000000, 2: -1 }), 0), 0x80000000);
  assert.equal(u(run1(0xfb91, 0xf0f2, { 0: 5, 1: 9, 2: 0 }), 0), 0);
  assert.equal(u(run1(0xfbb1, 0xf0f2, { 1: 0xffffffff, 2: 2 }), 0), 0x7fffffff); // udiv r0, r1, r2
  assert.equal(u(run1(0xfbb1, 0xf0f2, { 0: 5, 1: 9, 2: 0 }), 0), 0);
});

test("UNDEFINED multiply encodings", () => {
  expectUndefined([0xfb01, 0xf042]); // hw2[7:6] != 00
  expectUndefined([0xfb01, 0xf022]); // op1 = 000, op2 = 10
  expectUndefined([0xfb82, 0x0113]); // smull with op2 != 0000
  expectUndefined([0xfb91, 0xf0e2]); // sdiv with op2 != 1111
  expectUndefined([0xfbf2, 0x0103]); // long multiply op1 = 111
  expectUndefined([0xfb01, 0xff02]); // mul with Rd = PC
});

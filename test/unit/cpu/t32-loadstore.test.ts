// 32-bit Thumb load/store single (A6.3.7-A6.3.10): every addressing form, the unprivileged T forms,
// literal loads from Align(PC, 4), memory hints, LDR to the PC, and the UNDEFINED encodings.

import { test } from "node:test";
import assert from "node:assert/strict";
import { thumb, u, write32, read32, CODE, expectUndefined } from "./t32-harness.js";
import { flatMap } from "./mmu-tables.js";

const DATA = 0x8000;

/** Runs one instruction with RAM mapped as Normal memory, where unaligned accesses are allowed. */
function load(hw1: number, hw2: number, regs: Record<number, number>, mem: [number, number][]) {
  const t = thumb([hw1, hw2], regs);
  flatMap(t.cpu, t.stage2);
  for (const [a, v] of mem) write32(t.stage2, a, v);
  t.cpu.run(1);
  return t;
}

test("LDR.W immediate forms: imm12, negative imm8, pre- and post-indexed with writeback", () => {
  let t = load(0xf8d1, 0x0fff, { 1: DATA }, [[DATA + 0xfff, 0x11223344]]); // ldr.w r0, [r1, #4095]
  assert.equal(u(t.cpu, 0), 0x11223344);
  assert.equal(u(t.cpu, 1), DATA);
  t = load(0xf851, 0x0cff, { 1: DATA + 0x100 }, [[DATA + 1, 0xa5a5a5a5]]); // ldr.w r0, [r1, #-255]
  assert.equal(u(t.cpu, 0), 0xa5a5a5a5);
  assert.equal(u(t.cpu, 1), DATA + 0x100);
  t = load(0xf851, 0x0f04, { 1: DATA }, [[DATA + 4, 0x44]]); // ldr.w r0, [r1, #4]!
  assert.equal(u(t.cpu, 0), 0x44);
  assert.equal(u(t.cpu, 1), DATA + 4);
  t = load(0xf851, 0x0904, { 1: DATA }, [[DATA, 0x55]]); // ldr.w r0, [r1], #-4
  assert.equal(u(t.cpu, 0), 0x55);
  assert.equal(u(t.cpu, 1), DATA - 4);
});

test("LDR.W register offset with LSL", () => {
  const t = load(0xf851, 0x0032, { 1: DATA, 2: 3 }, [[DATA + 24, 0x77]]); // ldr.w r0, [r1, r2, lsl #3]
  assert.equal(u(t.cpu, 0), 0x77);
});

test("literal loads use Align(PC, 4) and the U bit", () => {
  // ldr.w r0, [pc, #16] at CODE + 2: base CODE + 4.
  let t = thumb([0xbf00, 0xf8df, 0x0010]);
  write32(t.stage2, CODE + 4 + 16, 0x600df00d);
  t.cpu.run(2);
  assert.equal(u(t.cpu, 0), 0x600df00d);
  t = thumb([0xf85f, 0x0010]); // ldr.w r0, [pc, #-16] at CODE: base CODE + 4
  write32(t.stage2, CODE + 4 - 16, 0xbadc0de0);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0xbadc0de0);
  t = thumb([0xf91f, 0x0009]); // ldrsb.w r0, [pc, #-9]
  t.stage2.memory[CODE + 4 - 9] = 0x80;
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0xffffff80);
  t = thumb([0xf8bf, 0x0006]); // ldrh.w r0, [pc, #6]
  write32(t.stage2, CODE + 10, 0xffff9876);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0x9876);
});

test("byte and halfword loads zero- or sign-extend", () => {
  const mem: [number, number][] = [[DATA, 0x80ff8081]];
  assert.equal(u(load(0xf891, 0x0001, { 1: DATA }, mem).cpu, 0), 0x80); // ldrb.w r0, [r1, #1]
  assert.equal(u(load(0xf991, 0x0001, { 1: DATA }, mem).cpu, 0), 0xffffff80); // ldrsb.w r0, [r1, #1]
  assert.equal(u(load(0xf911, 0x0c01, { 1: DATA + 3 }, mem).cpu, 0), 0xffffffff); // ldrsb.w r0, [r1, #-1]
  assert.equal(u(load(0xf8b1, 0x0002, { 1: DATA }, mem).cpu, 0), 0x80ff); // ldrh.w r0, [r1, #2]
  assert.equal(u(load(0xf931, 0x0002, { 1: DATA, 2: 0 }, mem).cpu, 0), 0xffff8081); // ldrsh.w r0, [r1, r2]
  const t = load(0xf931, 0x0b02, { 1: DATA + 2 }, mem); // ldrsh.w r0, [r1], #2
  assert.equal(u(t.cpu, 0), 0xffff80ff);
  assert.equal(u(t.cpu, 1), DATA + 4);
});

test("stores: imm12, pre/post-indexed, register, negative offset", () => {
  let t = load(0xf8c1, 0x0fff, { 0: 0xcafe, 1: DATA }, []); // str.w r0, [r1, #4095]
  assert.equal(read32(t.stage2, DATA + 0xfff), 0xcafe);
  t = load(0xf841, 0x0d04, { 0: 0x1234, 1: DATA + 8 }, []); // str.w r0, [r1, #-4]!
  assert.equal(read32(t.stage2, DATA + 4), 0x1234);
  assert.equal(u(t.cpu, 1), DATA + 4);
  t = load(0xf841, 0x0b04, { 0: 0x5678, 1: DATA }, []); // str.w r0, [r1], #4
  assert.equal(read32(t.stage2, DATA), 0x5678);
  assert.equal(u(t.cpu, 1), DATA + 4);
  t = load(0xf801, 0x0012, { 0: 0x1ab, 1: DATA, 2: 2 }, [[DATA + 4, 0xffffffff]]); // strb.w r0, [r1, r2, lsl #1]
  assert.equal(read32(t.stage2, DATA + 4), 0xffffffab);
  t = load(0xf821, 0x0c02, { 0: 0x12345678, 1: DATA + 2 }, []); // strh.w r0, [r1, #-2]
  assert.equal(read32(t.stage2, DATA), 0x5678);
});

test("PUSH/POP single registers use the LDR/STR T4 forms", () => {
  const t = thumb([0xf84d, 0x4d04, 0xf85d, 0x5b04], { 4: 0x4444, 13: DATA + 0x40 }); // str.w r4, [sp, #-4]!; ldr.w r5, [sp], #4
  t.cpu.run(1);
  assert.equal(u(t.cpu, 13), DATA + 0x3c);
  assert.equal(read32(t.stage2, DATA + 0x3c), 0x4444);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 5), 0x4444);
  assert.equal(u(t.cpu, 13), DATA + 0x40);
});

test("LDR.W to the PC interworks", () => {
  let t = load(0xf8d1, 0xf004, { 1: DATA }, [[DATA + 4, 0x2001]]); // ldr.w pc, [r1, #4]
  assert.equal(t.cpu.nextPc, 0x2000);
  assert.equal(t.cpu.t, 1);
  t = load(0xf8d1, 0xf004, { 1: DATA }, [[DATA + 4, 0x2000]]);
  assert.equal(t.cpu.nextPc, 0x2000);
  assert.equal(t.cpu.t, 0);
});

test("the T forms use the unprivileged accessors", () => {
  const seen: string[] = [];
  // prettier-ignore
  const t = thumb(
    [
      0xf851, 0x0e08, // ldrt r0, [r1, #8]
      0xf911, 0x0e00, // ldrsbt r0, [r1]
      0xf831, 0x0e02, // ldrht r0, [r1, #2]
      0xf841, 0x0e04, // strt r0, [r1, #4]
      0xf801, 0x0e03, // strbt r0, [r1, #3]
      0xf821, 0x0e04, // strht r0, [r1, #4]
    ],
    { 1: DATA },
  );
  const mmu = t.cpu.mmu;
  mmu.read32u = (va: number) => (seen.push(`r32 ${va - DATA}`), 0x12345678);
  mmu.read8u = (va: number) => (seen.push(`r8 ${va - DATA}`), 0x80);
  mmu.read16u = (va: number) => (seen.push(`r16 ${va - DATA}`), 0x8001);
  mmu.write32u = (va: number, v: number) => void seen.push(`w32 ${va - DATA} ${v >>> 0}`);
  mmu.write8u = (va: number, v: number) => void seen.push(`w8 ${va - DATA} ${v}`);
  mmu.write16u = (va: number, v: number) => void seen.push(`w16 ${va - DATA} ${v}`);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0x12345678);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0xffffff80);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0x8001);
  t.cpu.run(3);
  assert.deepEqual(seen, ["r32 8", "r8 0", "r16 2", "w32 4 32769", "w8 3 1", "w16 4 32769"]);
  assert.equal(u(t.cpu, 1), DATA);
});

test("PLD/PLDW/PLI are hints: no access, no abort, no writeback", () => {
  const hints = [
    [0xf891, 0xf004], // pld [r1, #4]
    [0xf811, 0xfc04], // pld [r1, #-4]
    [0xf81f, 0xf004], // pld [pc, #-4]
    [0xf811, 0xf002], // pld [r1, r2]
    [0xf8b1, 0xf008], // pldw [r1, #8]
    [0xf831, 0xf012], // pldw [r1, r2, lsl #1]
    [0xf991, 0xf008], // pli [r1, #8]
    [0xf99f, 0xf008], // pli [pc, #8]
  ];
  for (const [hw1, hw2] of hints) {
    const t = thumb([hw1, hw2], { 1: 0x40000000, 2: 0 }); // r1 outside RAM
    t.cpu.run(1);
    assert.equal(t.cpu.nextPc, CODE + 4, `${hw1.toString(16)} ${hw2.toString(16)}`);
    assert.equal(t.cpu.mode, 0x13);
  }
});

test("UNDEFINED load/store encodings", () => {
  expectUndefined([0xf851, 0x0804]); // imm8 form with P = 0, W = 0
  expectUndefined([0xf8cf, 0x0000]); // str.w r0, [pc, #0]: stores have no literal form
  expectUndefined([0xf871, 0x0000]); // size = 11
  expectUndefined([0xf981, 0x0000]); // S = 1 store: Advanced SIMD element space
  expectUndefined([0xf951, 0x0000]); // LDRS with a word size
  expectUndefined([0xf851, 0x0100]); // register form with hw2[11:6] != 0
});

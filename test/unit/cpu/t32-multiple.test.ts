// 32-bit Thumb load/store multiple (A6.3.5) with PUSH.W/POP.W, RFE and SRS; load/store dual,
// exclusive and table branch (A6.3.6).

import { test } from "node:test";
import assert from "node:assert/strict";
import { thumb, u, write32, read32, CODE, expectUndefined, assertUndefined } from "./t32-harness.js";
import { Mode } from "../../../src/cpu/state.js";

const DATA = 0x8000;

test("PUSH.W stores ascending below SP; POP.W restores and interworks through the PC", () => {
  const regs: Record<number, number> = { 13: DATA + 0x100, 14: 0x3001 };
  for (let k = 4; k <= 11; k++) regs[k] = 0x100 + k;
  // push.w {r4-r11, lr}; pop.w {r4-r11, pc}
  const t = thumb([0xe92d, 0x4ff0, 0xe8bd, 0x8ff0], regs);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 13), DATA + 0x100 - 36);
  for (let k = 4; k <= 11; k++) assert.equal(read32(t.stage2, DATA + 0x100 - 36 + 4 * (k - 4)), 0x100 + k);
  assert.equal(read32(t.stage2, DATA + 0x100 - 4), 0x3001);
  for (let k = 4; k <= 11; k++) t.cpu.r[k] = 0;
  t.cpu.run(1);
  for (let k = 4; k <= 11; k++) assert.equal(u(t.cpu, k), 0x100 + k);
  assert.equal(u(t.cpu, 13), DATA + 0x100);
  assert.equal(t.cpu.nextPc, 0x3000);
  assert.equal(t.cpu.t, 1);
});

test("LDMDB/LDMIA/STMDB/STMIA address ranges and writeback", () => {
  let t = thumb([0xe930, 0x000e], { 0: DATA + 12 }); // ldmdb r0!, {r1, r2, r3}
  write32(t.stage2, DATA, 1);
  write32(t.stage2, DATA + 4, 2);
  write32(t.stage2, DATA + 8, 3);
  t.cpu.run(1);
  assert.deepEqual([u(t.cpu, 1), u(t.cpu, 2), u(t.cpu, 3), u(t.cpu, 0)], [1, 2, 3, DATA]);
  t = thumb([0xe890, 0x0006], { 0: DATA }); // ldmia.w r0, {r1, r2}
  write32(t.stage2, DATA, 7);
  write32(t.stage2, DATA + 4, 8);
  t.cpu.run(1);
  assert.deepEqual([u(t.cpu, 1), u(t.cpu, 2), u(t.cpu, 0)], [7, 8, DATA]);
  t = thumb([0xe900, 0x0006], { 0: DATA + 8, 1: 0xa, 2: 0xb }); // stmdb r0, {r1, r2}
  t.cpu.run(1);
  assert.deepEqual([read32(t.stage2, DATA), read32(t.stage2, DATA + 4), u(t.cpu, 0)], [0xa, 0xb, DATA + 8]);
  t = thumb([0xe8a0, 0x000e], { 0: DATA, 1: 1, 2: 2, 3: 3 }); // stmia.w r0!, {r1, r2, r3}
  t.cpu.run(1);
  assert.equal(read32(t.stage2, DATA + 8), 3);
  assert.equal(u(t.cpu, 0), DATA + 12);
});

test("LDM/STM UNDEFINED forms: writeback with the base in the list, empty list, Rn = PC", () => {
  expectUndefined([0xe8b0, 0x0003], { 0: DATA }); // ldmia.w r0!, {r0, r1}
  expectUndefined([0xe8a0, 0x0003], { 0: DATA }); // stmia.w r0!, {r0, r1}
  expectUndefined([0xe890, 0x0000], { 0: DATA }); // ldmia.w r0, {}
  expectUndefined([0xe89f, 0x0003]); // ldmia.w pc, {r0, r1}
});

test("SRSDB stores LR and SPSR on another mode's stack; RFEIA returns with that CPSR", () => {
  const t = thumb([0xe82d, 0xc013]); // srsdb sp!, #0x13 (SVC)
  t.cpu.r[13] = DATA + 0x200; // SVC SP
  t.cpu.switchMode(Mode.IRQ);
  t.cpu.r[14] = 0x4321;
  t.cpu.setSpsr(0x600001b0); // Z, C, Thumb, USR... with T set
  t.cpu.run(1);
  assert.equal(read32(t.stage2, DATA + 0x200 - 8), 0x4321);
  assert.equal(read32(t.stage2, DATA + 0x200 - 4), 0x600001b0);
  assert.equal(t.cpu.bankedSpLr[3 * 2] >>> 0, DATA + 0x200 - 8);
  assert.equal(t.cpu.mode, Mode.IRQ);

  // rfeia r0 from SVC: PC and CPSR from [r0], [r0 + 4]; no writeback.
  const r = thumb([0xe990, 0xc000], { 0: DATA });
  write32(r.stage2, DATA, 0x2001);
  write32(r.stage2, DATA + 4, 0x80000030); // N, Thumb, USR
  r.cpu.run(1);
  assert.equal(r.cpu.mode, Mode.USR);
  assert.equal(r.cpu.n, 1);
  assert.equal(r.cpu.t, 1);
  assert.equal(r.cpu.nextPc, 0x2000);
  assert.equal(u(r.cpu, 0), DATA);
});

test("RFEDB writes back; RFE and SRS are UNDEFINED at PL0", () => {
  const t = thumb([0xe830, 0xc000], { 0: DATA + 8 }); // rfedb r0!
  write32(t.stage2, DATA, 0x3000);
  write32(t.stage2, DATA + 4, 0x000001d3); // ARM state, SVC, A/I masked
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), DATA);
  assert.equal(t.cpu.t, 0);
  assert.equal(t.cpu.nextPc, 0x3000);
  assert.equal(t.cpu.mode, Mode.SVC);
  for (const code of [
    [0xe830, 0xc000], // rfedb r0!
    [0xe82d, 0xc013], // srsdb sp!, #0x13
  ]) {
    const p = thumb(code, { 0: DATA + 8 });
    p.cpu.switchMode(Mode.USR);
    p.cpu.r[13] = DATA;
    p.cpu.run(1);
    assertUndefined(p.cpu, CODE);
  }
});

test("LDRD/STRD: offset, pre-indexed, post-indexed, literal, and the alignment check", () => {
  let t = thumb([0xe9d0, 0x2302], { 0: DATA }); // ldrd r2, r3, [r0, #8]
  write32(t.stage2, DATA + 8, 0x22);
  write32(t.stage2, DATA + 12, 0x33);
  t.cpu.run(1);
  assert.deepEqual([u(t.cpu, 2), u(t.cpu, 3), u(t.cpu, 0)], [0x22, 0x33, DATA]);
  t = thumb([0xe970, 0x2302], { 0: DATA + 16 }); // ldrd r2, r3, [r0, #-8]!
  write32(t.stage2, DATA + 8, 0x44);
  t.cpu.run(1);
  assert.deepEqual([u(t.cpu, 2), u(t.cpu, 0)], [0x44, DATA + 8]);
  t = thumb([0xe8f0, 0x2302], { 0: DATA }); // ldrd r2, r3, [r0], #8
  write32(t.stage2, DATA + 4, 0x55);
  t.cpu.run(1);
  assert.deepEqual([u(t.cpu, 3), u(t.cpu, 0)], [0x55, DATA + 8]);
  t = thumb([0xe940, 0x2301], { 0: DATA + 4, 2: 0xaa, 3: 0xbb }); // strd r2, r3, [r0, #-4]
  t.cpu.run(1);
  assert.deepEqual([read32(t.stage2, DATA), read32(t.stage2, DATA + 4), u(t.cpu, 0)], [0xaa, 0xbb, DATA + 4]);
  t = thumb([0xe860, 0x2302], { 0: DATA, 2: 0xcc, 3: 0xdd }); // strd r2, r3, [r0], #-8
  t.cpu.run(1);
  assert.deepEqual([read32(t.stage2, DATA + 4), u(t.cpu, 0)], [0xdd, DATA - 8]);
  t = thumb([0xbf00, 0xe9df, 0x2302]); // nop; ldrd r2, r3, [pc, #8] at CODE + 2: base CODE + 4
  write32(t.stage2, CODE + 12, 0x1212);
  write32(t.stage2, CODE + 16, 0x3434);
  t.cpu.run(2);
  assert.deepEqual([u(t.cpu, 2), u(t.cpu, 3)], [0x1212, 0x3434]);
  t = thumb([0xe9d0, 0x2302], { 0: DATA + 2 }); // ldrd r2, r3, [r0, #8] unaligned
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, 0x10);
  assert.equal(t.cpu.cp15.dfsr & 0xf, 1);
  expectUndefined([0xe9d0, 0xf302], { 0: DATA }); // ldrd pc, r3, [r0, #8]
});

test("LDREX/STREX succeed as a pair and fail without, after CLREX, or after a first STREX", () => {
  // ldrex r0, [r1]; add r0, #1; strex r2, r0, [r1]; strex r2, r0, [r1]
  const t = thumb([0xe851, 0x0f00, 0x3001, 0xe841, 0x0200, 0xe841, 0x0200], { 1: DATA });
  write32(t.stage2, DATA, 41);
  t.cpu.run(3);
  assert.equal(u(t.cpu, 2), 0);
  assert.equal(read32(t.stage2, DATA), 42);
  t.cpu.r[0] = 99;
  t.cpu.run(1);
  assert.equal(u(t.cpu, 2), 1);
  assert.equal(read32(t.stage2, DATA), 42);

  // ldrex r0, [r1]; clrex; strex r2, r0, [r1]
  const c = thumb([0xe851, 0x0f00, 0xf3bf, 0x8f2f, 0xe841, 0x0200], { 1: DATA, 2: 7 });
  write32(c.stage2, DATA, 5);
  c.cpu.run(3);
  assert.equal(u(c.cpu, 2), 1);

  // ldrex r0, [r1, #8]; strex r2, r0, [r1]: different address fails
  const d = thumb([0xe851, 0x0f02, 0xe841, 0x0200], { 1: DATA });
  d.cpu.run(2);
  assert.equal(u(d.cpu, 2), 1);

  // Unaligned LDREX takes an alignment fault.
  const a = thumb([0xe851, 0x0f00], { 1: DATA + 2 });
  a.cpu.run(1);
  assert.equal(a.cpu.nextPc, 0x10);
  assert.equal(a.cpu.cp15.dfsr & 0xf, 1);
});

test("byte, halfword and doubleword exclusives", () => {
  // ldrexb r0, [r1]; strexb r4, r0, [r1]
  let t = thumb([0xe8d1, 0x0f4f, 0xe8c1, 0x0f44], { 1: DATA + 1 });
  write32(t.stage2, DATA, 0x0000ab00);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0xab);
  t.cpu.r[0] = 0x1cd;
  t.cpu.run(1);
  assert.equal(u(t.cpu, 4), 0);
  assert.equal(read32(t.stage2, DATA), 0x0000cd00);
  // ldrexh r0, [r1]; strexh r4, r0, [r1]
  t = thumb([0xe8d1, 0x0f5f, 0xe8c1, 0x0f54], { 1: DATA + 2, 4: 9 });
  write32(t.stage2, DATA, 0xbeef0000);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0xbeef);
  t.cpu.r[0] = 0x12345678;
  t.cpu.run(1);
  assert.equal(u(t.cpu, 4), 0);
  assert.equal(read32(t.stage2, DATA), 0x56780000);
  t = thumb([0xe8d1, 0x0f5f], { 1: DATA + 1 }); // ldrexh at an odd address
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, 0x10);
  // ldrexd r2, r3, [r1]; strexd r4, r2, r3, [r1]
  t = thumb([0xe8d1, 0x237f, 0xe8c1, 0x2374], { 1: DATA });
  write32(t.stage2, DATA, 0x1111);
  write32(t.stage2, DATA + 4, 0x2222);
  t.cpu.run(1);
  assert.deepEqual([u(t.cpu, 2), u(t.cpu, 3)], [0x1111, 0x2222]);
  t.cpu.r[2] = 0x3333;
  t.cpu.r[3] = 0x4444;
  t.cpu.run(1);
  assert.equal(u(t.cpu, 4), 0);
  assert.deepEqual([read32(t.stage2, DATA), read32(t.stage2, DATA + 4)], [0x3333, 0x4444]);
  t = thumb([0xe8d1, 0x237f], { 1: DATA + 4 }); // ldrexd needs 8-byte alignment
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, 0x10);
});

test("TBB/TBH branch forward by twice the unsigned table entry", () => {
  // tbb [pc, r0]; table at CODE + 4: 2, 5, 0xff
  let t = thumb([0xe8df, 0xf000, 0x0502, 0x00ff], { 0: 1 });
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 4 + 10);
  t = thumb([0xe8df, 0xf000, 0x0502, 0x00ff], { 0: 2 });
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 4 + 510);
  // tbh [pc, r0, lsl #1]; table: 0x0100, 0x8000
  t = thumb([0xe8df, 0xf010, 0x0100, 0x8000], { 0: 0 });
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 4 + 0x200);
  t = thumb([0xe8df, 0xf010, 0x0100, 0x8000], { 0: 1 });
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 4 + 0x10000);
  // tbb [r1, r0] with a table elsewhere
  t = thumb([0xe8d1, 0xf000], { 0: 3, 1: DATA });
  t.stage2.memory[DATA + 3] = 0x20;
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 4 + 0x40);
});

// 16-bit Thumb data processing (DDI 0406C A6.2.1-A6.2.3): shifts, add/sub/mov/cmp immediates,
// the register data-processing group and the high-register special forms with BX/BLX.

import { test } from "node:test";
import assert from "node:assert/strict";
import { thumb, u, flags, setFlags, CODE } from "./t32-harness.js";

test("LSLS #imm shifts out into C; LSRS/ASRS #32 use the imm5 = 0 encoding", () => {
  let t = thumb([0x0048], { 1: 0x80000001 }); // lsls r0, r1, #1
  setFlags(t.cpu, "nzcV");
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 2);
  assert.equal(flags(t.cpu), "nzCV"); // V is not touched by a shift
  t = thumb([0x0808], { 1: 0x80000000 }); // lsrs r0, r1, #32
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0);
  assert.equal(flags(t.cpu), "nZCv");
  t = thumb([0x1008], { 1: 0x80000000 }); // asrs r0, r1, #32
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0xffffffff);
  assert.equal(flags(t.cpu), "NzCv");
});

test("ADDS/SUBS register and 3-bit immediate set NZCV", () => {
  let t = thumb([0x1888], { 1: 0x7fffffff, 2: 1 }); // adds r0, r1, r2
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0x80000000);
  assert.equal(flags(t.cpu), "NzcV");
  t = thumb([0x1a88], { 1: 1, 2: 2 }); // subs r0, r1, r2
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0xffffffff);
  assert.equal(flags(t.cpu), "Nzcv"); // borrow: C = 0
  t = thumb([0x1a88], { 1: 5, 2: 5 }); // subs r0, r1, r2
  t.cpu.run(1);
  assert.equal(flags(t.cpu), "nZCv");
  t = thumb([0x1dc8], { 1: 0xfffffffa }); // adds r0, r1, #7
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 1);
  assert.equal(flags(t.cpu), "nzCv");
  t = thumb([0x1e48], { 1: 0x80000000 }); // subs r0, r1, #1
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0x7fffffff);
  assert.equal(flags(t.cpu), "nzCV");
});

test("MOVS/CMP/ADDS/SUBS with an 8-bit immediate", () => {
  const t = thumb(
    [
      0x2300, // movs r3, #0
      0x2b01, // cmp r3, #1
      0x33ff, // adds r3, #255
      0x3b01, // subs r3, #1
    ],
    { 3: 77 },
  );
  setFlags(t.cpu, "NzCV");
  t.cpu.run(1);
  assert.equal(u(t.cpu, 3), 0);
  assert.equal(flags(t.cpu), "nZCV"); // MOVS leaves C and V
  t.cpu.run(1);
  assert.equal(u(t.cpu, 3), 0); // CMP writes no register
  assert.equal(flags(t.cpu), "Nzcv");
  t.cpu.run(1);
  assert.equal(u(t.cpu, 3), 255);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 3), 254);
  assert.equal(flags(t.cpu), "nzCv");
});

test("logical register operations set N and Z and keep C and V", () => {
  const cases: [number, number, number, number][] = [
    [0x4008, 0xff00ff00, 0x0ff00ff0, 0x0f000f00], // ands r0, r1
    [0x4048, 0xff00ff00, 0x0ff00ff0, 0xf0f0f0f0], // eors r0, r1
    [0x4308, 0xff00ff00, 0x0ff00ff0, 0xfff0fff0], // orrs r0, r1
    [0x4388, 0xff00ff00, 0x0ff00ff0, 0xf000f000], // bics r0, r1
    [0x43c8, 0x12345678, 0x0ff00ff0, 0xf00ff00f], // mvns r0, r1
  ];
  for (const [hw, r0, r1, want] of cases) {
    const t = thumb([hw], { 0: r0, 1: r1 });
    setFlags(t.cpu, "nZCV");
    t.cpu.run(1);
    assert.equal(u(t.cpu, 0), want, hw.toString(16));
    assert.equal(flags(t.cpu), want >>> 31 ? "NzCV" : "nzCV", hw.toString(16));
  }
});

test("shifts by register use Rm[7:0] and the 32/over-32 rules", () => {
  const cases: [number, number, number, number, string][] = [
    [0x4088, 1, 31, 0x80000000, "NzcV"], // lsls r0, r1: by 31
    [0x4088, 0x3, 32, 0, "nZCV"], // by 32: C = bit 0
    [0x4088, 0x3, 33, 0, "nZcV"], // by 33: C = 0
    [0x4088, 0x3, 0x100, 3, "nzcV"], // Rm[7:0] = 0: unchanged, C kept (0)
    [0x40c8, 0x80000000, 32, 0, "nZCV"], // lsrs r0, r1: by 32, C = bit 31
    [0x4108, 0x80000000, 40, 0xffffffff, "NzCV"], // asrs r0, r1: by 40
    [0x41c8, 0x00000001, 1, 0x80000000, "NzCV"], // rors r0, r1: by 1
    [0x41c8, 0x80000001, 32, 0x80000001, "NzCV"], // by 32: value kept, C = bit 31
  ];
  for (const [hw, r0, r1, want, f] of cases) {
    const t = thumb([hw], { 0: r0, 1: r1 });
    setFlags(t.cpu, "nzcV");
    t.cpu.run(1);
    assert.equal(u(t.cpu, 0), want, `${hw.toString(16)} by ${r1}`);
    assert.equal(flags(t.cpu), f, `${hw.toString(16)} by ${r1}`);
  }
});

test("ADCS/SBCS use the carry; NEGS, CMP, CMN, TST; MULS leaves C", () => {
  let t = thumb([0x4148], { 0: 1, 1: 1 }); // adcs r0, r1
  setFlags(t.cpu, "nzCv");
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 3);
  assert.equal(flags(t.cpu), "nzcv");
  t = thumb([0x4188], { 0: 5, 1: 3 }); // sbcs r0, r1 with C = 0: 5 - 3 - 1
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 1);
  assert.equal(flags(t.cpu), "nzCv");
  t = thumb([0x4248], { 1: 1 }); // negs r0, r1
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0xffffffff);
  assert.equal(flags(t.cpu), "Nzcv");
  t = thumb([0x4248], { 1: 0 }); // negs r0, r1 of zero: no borrow
  t.cpu.run(1);
  assert.equal(flags(t.cpu), "nZCv");
  t = thumb([0x4288], { 0: 0x80000000, 1: 1 }); // cmp r0, r1
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0x80000000);
  assert.equal(flags(t.cpu), "nzCV");
  t = thumb([0x42c8], { 0: 0xffffffff, 1: 1 }); // cmn r0, r1
  t.cpu.run(1);
  assert.equal(flags(t.cpu), "nZCv");
  t = thumb([0x4208], { 0: 0xf0, 1: 0x0f }); // tst r0, r1
  setFlags(t.cpu, "NzCV");
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0xf0);
  assert.equal(flags(t.cpu), "nZCV");
  t = thumb([0x4348], { 0: 3, 1: -2 }); // muls r0, r1, r0
  setFlags(t.cpu, "nZCV");
  t.cpu.run(1);
  assert.equal(t.cpu.r[0], -6);
  assert.equal(flags(t.cpu), "NzCV");
});

test("high-register ADD, CMP and MOV set no flags (except CMP) and may use SP", () => {
  let t = thumb([0x4488], { 8: 0x10, 1: 0x22 }); // add r8, r1
  setFlags(t.cpu, "nZcv");
  t.cpu.run(1);
  assert.equal(u(t.cpu, 8), 0x32);
  assert.equal(flags(t.cpu), "nZcv");
  t = thumb([0x4495], { 13: 0x8000, 2: 0x40 }); // add sp, r2
  t.cpu.run(1);
  assert.equal(u(t.cpu, 13), 0x8040);
  t = thumb([0x4588], { 8: 1, 1: 2 }); // cmp r8, r1
  t.cpu.run(1);
  assert.equal(flags(t.cpu), "Nzcv");
  t = thumb([0x46e9], { 13: 0x7ff0 }); // mov r9, sp
  t.cpu.run(1);
  assert.equal(u(t.cpu, 9), 0x7ff0);
});

test("MOV PC and ADD PC branch without leaving Thumb state; the PC reads as this instruction + 4", () => {
  let t = thumb([0x4687], { 0: 0x2001 }); // mov pc, r0
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, 0x2000);
  assert.equal(t.cpu.t, 1);
  t = thumb([0x448f], { 1: 0x100 }); // add pc, r1
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 4 + 0x100);
  assert.equal(t.cpu.t, 1);
});

test("BX interworks on bit 0; BLX sets LR to the next instruction with bit 0 set", () => {
  let t = thumb([0x4700], { 0: 0x3000 }); // bx r0
  t.cpu.run(1);
  assert.equal(t.cpu.t, 0);
  assert.equal(t.cpu.nextPc, 0x3000);
  t = thumb([0x4770], { 14: 0x3005 }); // bx lr
  t.cpu.run(1);
  assert.equal(t.cpu.t, 1);
  assert.equal(t.cpu.nextPc, 0x3004);
  t = thumb([0x4798], { 3: 0x4001 }); // blx r3
  t.cpu.run(1);
  assert.equal(u(t.cpu, 14), CODE + 2 + 1);
  assert.equal(t.cpu.nextPc, 0x4000);
  assert.equal(t.cpu.t, 1);
});

test("ADR uses Align(PC, 4); ADD Rd, SP, #imm and ADD/SUB SP, #imm", () => {
  // At CODE + 2 the PC reads CODE + 6, aligned down to CODE + 4.
  let t = thumb([0xbf00, 0xa001]); // nop; adr r0, #4
  t.cpu.run(2);
  assert.equal(u(t.cpu, 0), CODE + 4 + 4);
  t = thumb([0xa8ff, 0xb07f, 0xb081], { 13: 0x10000 }); // add r0, sp, #1020; add sp, #508; sub sp, #4
  t.cpu.run(3);
  assert.equal(u(t.cpu, 0), 0x10000 + 1020);
  assert.equal(u(t.cpu, 13), 0x10000 + 508 - 4);
});

test("extends and byte reversals", () => {
  const cases: [number, number, number][] = [
    [0xb208, 0x12348765, 0xffff8765], // sxth r0, r1
    [0xb248, 0x12345680, 0xffffff80], // sxtb r0, r1
    [0xb288, 0x12348765, 0x00008765], // uxth r0, r1
    [0xb2c8, 0x12345680, 0x00000080], // uxtb r0, r1
    [0xba08, 0x12345678, 0x78563412], // rev r0, r1
    [0xba48, 0x12345678, 0x34127856], // rev16 r0, r1
    [0xbac8, 0x12345680, 0xffff8056], // revsh r0, r1
    [0xbac8, 0x12348012, 0x00001280], // revsh r0, r1
  ];
  for (const [hw, r1, want] of cases) {
    const t = thumb([hw], { 1: r1 });
    t.cpu.run(1);
    assert.equal(u(t.cpu, 0), want, hw.toString(16));
  }
});

// 16-bit Thumb loads and stores (DDI 0406C A6.2.4): literal, register offset, immediate offset,
// SP-relative, and LDM/STM/PUSH/POP with their writeback rules and interworking pops.

import { test } from "node:test";
import assert from "node:assert/strict";
import { thumb, u, write32, read32, CODE } from "./t32-harness.js";

const DATA = 0x8000;

test("LDR literal reads from Align(PC, 4) + imm8 * 4", () => {
  // ldr r0, [pc, #4] at CODE + 2: PC = CODE + 6, aligned CODE + 4, address CODE + 8.
  const t = thumb([0xbf00, 0x4801]); // nop; ldr r0, [pc, #4]
  write32(t.stage2, CODE + 8, 0xcafef00d);
  write32(t.stage2, CODE + 10, 0x11111111); // would be read if the PC were not aligned
  write32(t.stage2, CODE + 8, 0xcafef00d);
  t.cpu.run(2);
  assert.equal(u(t.cpu, 0), 0xcafef00d);
});

test("register-offset stores write the low bytes and loads extend correctly", () => {
  const t = thumb(
    [
      0x5088, // str r0, [r1, r2]
      0x5288, // strh r0, [r1, r2] (at +4 via r2 change below)
    ],
    { 0: 0x89abcdef, 1: DATA, 2: 0 },
  );
  t.cpu.run(1);
  assert.equal(read32(t.stage2, DATA), 0x89abcdef);
  t.cpu.r[2] = 8;
  t.cpu.run(1);
  assert.equal(read32(t.stage2, DATA + 8), 0x0000cdef);

  const loads: [number, number][] = [
    [0x5688, 0xffffff80], // ldrsb r0, [r1, r2]
    [0x5888, 0x12348180], // ldr r0, [r1, r2]
    [0x5a88, 0x00008180], // ldrh r0, [r1, r2]
    [0x5c88, 0x00000080], // ldrb r0, [r1, r2]
    [0x5e88, 0xffff8180], // ldrsh r0, [r1, r2]
  ];
  for (const [hw, want] of loads) {
    const l = thumb([hw], { 1: DATA, 2: 4 });
    write32(l.stage2, DATA + 4, 0x12348180);
    l.cpu.run(1);
    assert.equal(u(l.cpu, 0), want, hw.toString(16));
  }
  const b = thumb([0x5488], { 0: 0x1234, 1: DATA, 2: 3 }); // strb r0, [r1, r2]
  write32(b.stage2, DATA, 0xaaaaaaaa);
  b.cpu.run(1);
  assert.equal(read32(b.stage2, DATA), 0x34aaaaaa);
});

test("immediate-offset forms scale the offset by the access size", () => {
  const t = thumb(
    [
      0x67c8, // str r0, [r1, #124]
      0x77c8, // strb r0, [r1, #31]
      0x87c8, // strh r0, [r1, #62]
      0x6848, // ldr r0, [r1, #4]
      0x7848, // ldrb r0, [r1, #1]
      0x8848, // ldrh r0, [r1, #2]
    ],
    { 0: 0x11223344, 1: DATA },
  );
  write32(t.stage2, DATA + 4, 0xdeadbeef);
  t.cpu.run(3);
  assert.equal(read32(t.stage2, DATA + 124), 0x11223344);
  assert.equal(t.stage2.memory[DATA + 31], 0x44);
  assert.equal(read32(t.stage2, DATA + 60), 0x33440000);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0xdeadbeef);
  write32(t.stage2, DATA, 0x5566aa77);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0xaa);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0x5566);
});

test("SP-relative STR/LDR", () => {
  const t = thumb([0x90ff, 0x9801], { 0: 0x600d, 13: DATA }); // str r0, [sp, #1020]; ldr r0, [sp, #4]
  write32(t.stage2, DATA + 4, 0x1234);
  t.cpu.run(1);
  assert.equal(read32(t.stage2, DATA + 1020), 0x600d);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0x1234);
});

test("STMIA always writes back; LDMIA writes back only when the base is not loaded", () => {
  let t = thumb([0xc006], { 0: DATA, 1: 0x11, 2: 0x22 }); // stmia r0!, {r1, r2}
  t.cpu.run(1);
  assert.equal(read32(t.stage2, DATA), 0x11);
  assert.equal(read32(t.stage2, DATA + 4), 0x22);
  assert.equal(u(t.cpu, 0), DATA + 8);

  t = thumb([0xc806], { 0: DATA }); // ldmia r0!, {r1, r2}
  write32(t.stage2, DATA, 0xa1);
  write32(t.stage2, DATA + 4, 0xa2);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 1), 0xa1);
  assert.equal(u(t.cpu, 2), 0xa2);
  assert.equal(u(t.cpu, 0), DATA + 8);

  t = thumb([0xc803], { 0: DATA }); // ldmia r0, {r0, r1}: r0 gets the loaded word
  write32(t.stage2, DATA, 0xb0);
  write32(t.stage2, DATA + 4, 0xb1);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0xb0);
  assert.equal(u(t.cpu, 1), 0xb1);
});

test("LDM/STM need a word-aligned address", () => {
  const t = thumb([0xc806], { 0: DATA + 2 }); // ldmia r0!, {r1, r2}
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, 0x10); // data abort vector
  assert.equal(u(t.cpu, 0), DATA + 2); // base not written back
  assert.equal(t.cpu.cp15.dfsr & 0xf, 0x1); // alignment fault
});

test("PUSH stores the lowest register lowest; POP to the PC interworks", () => {
  const t = thumb([0xb511, 0xbd11], { 0: 0x10, 4: 0x40, 14: 0x3001, 13: DATA + 0x100 }); // push {r0, r4, lr}; pop {r0, r4, pc}
  t.cpu.run(1);
  assert.equal(u(t.cpu, 13), DATA + 0x100 - 12);
  assert.equal(read32(t.stage2, DATA + 0x100 - 12), 0x10);
  assert.equal(read32(t.stage2, DATA + 0x100 - 8), 0x40);
  assert.equal(read32(t.stage2, DATA + 0x100 - 4), 0x3001);
  t.cpu.r[0] = 0;
  t.cpu.r[4] = 0;
  // Pop an ARM-state return address: bit 0 clear switches to ARM.
  write32(t.stage2, DATA + 0x100 - 4, 0x3000);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0x10);
  assert.equal(u(t.cpu, 4), 0x40);
  assert.equal(u(t.cpu, 13), DATA + 0x100);
  assert.equal(t.cpu.nextPc, 0x3000);
  assert.equal(t.cpu.t, 0);
});

test("POP {pc} with bit 0 set stays in Thumb state", () => {
  const t = thumb([0xbd00], { 13: DATA }); // pop {pc}
  write32(t.stage2, DATA, 0x2345);
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, 0x2344);
  assert.equal(t.cpu.t, 1);
  assert.equal(u(t.cpu, 13), DATA + 4);
});

test("a faulting POP leaves SP and the registers unchanged", () => {
  const t = thumb([0xbd11], { 0: 7, 4: 8, 13: 0x100000 - 8 }); // pop {r0, r4, pc}: last word past RAM
  t.cpu.traps = null; // no hypervisor: an access outside RAM is an external abort
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, 0x10);
  assert.equal(u(t.cpu, 0), 7);
  // Banked SP of SVC mode, now in ABT mode: read through the saved bank.
  assert.equal(t.cpu.bankedSpLr[3 * 2] >>> 0, 0x100000 - 8);
});

// IT blocks (DDI 0406C A8.8.54 IT, A2.5.2 ITSTATE): the IT instruction's ITSTATE value and its
// advance, conditional execution and skipping, flag setting suppressed for 16-bit instructions inside
// a block, 32-bit and branch instructions in a block, and ITSTATE saved on an exception.

import { test } from "node:test";
import assert from "node:assert/strict";
import { thumb, u, flags, setFlags, CODE } from "./t32-harness.js";
import { Mode } from "../../../src/cpu/state.js";

test("ITE: then/else execute by condition and 16-bit adds set no flags inside the block", () => {
  const t = thumb(
    [
      0x2000, // movs r0, #0 (Z = 1)
      0xbf0c, // ite eq
      0x3101, // addeq r1, #1
      0x3201, // addne r2, #1
      0x3301, // adds r3, #1 (after the block: sets flags again)
    ],
    { 1: 0xffffffff, 2: 10, 3: 0x7fffffff },
  );
  t.cpu.run(2);
  assert.equal(t.cpu.it, 0x0c); // firstcond EQ, mask 1100
  t.cpu.run(1);
  assert.equal(u(t.cpu, 1), 0); // executed; a flag-setting add would have set C and Z
  assert.equal(flags(t.cpu), "nZcv");
  t.cpu.run(1);
  assert.equal(u(t.cpu, 2), 10); // skipped
  assert.equal(t.cpu.it, 0);
  t.cpu.run(1);
  assert.equal(u(t.cpu, 3), 0x80000000);
  assert.equal(flags(t.cpu), "NzcV");
});

test("ITETE LT: ITSTATE advances by shifting the mask and ends after four instructions", () => {
  const t = thumb([0xbfb5, 0xbf00, 0xbf00, 0xbf00, 0xbf00, 0xbf00]); // itete lt; nop x5
  t.cpu.run(1);
  assert.equal(t.cpu.it, 0xb5);
  const expected = [0xaa, 0xb4, 0xa8, 0x00];
  for (const want of expected) {
    t.cpu.run(1);
    assert.equal(t.cpu.it, want);
  }
  // The IT bits show in the CPSR while inside a block: IT[1:0] at 26:25, IT[7:2] at 15:10.
  const c = thumb([0xbfb5, 0xbf00]);
  c.cpu.run(1);
  const cpsr = c.cpu.getCpsr();
  assert.equal(((cpsr >>> 25) & 3) | (((cpsr >>> 10) & 0x3f) << 2), 0xb5);
});

test("a 32-bit instruction in an IT block runs conditionally; LSL inside sets no flags", () => {
  let t = thumb([0xbf1c, 0xf100, 0x0001, 0x0049], { 0: 5, 1: 0x80000000 }); // itt ne; addne.w r0, r0, #1; lslne r1, r1, #1
  setFlags(t.cpu, "nzcv");
  t.cpu.run(3);
  assert.equal(u(t.cpu, 0), 6);
  assert.equal(u(t.cpu, 1), 0);
  assert.equal(flags(t.cpu), "nzcv"); // LSLS outside a block would set Z and C
  assert.equal(t.cpu.nextPc, CODE + 8);
  t = thumb([0xbf1c, 0xf100, 0x0001, 0x0049], { 0: 5, 1: 3 });
  setFlags(t.cpu, "nZcv");
  t.cpu.run(3);
  assert.equal(u(t.cpu, 0), 5);
  assert.equal(u(t.cpu, 1), 3);
  assert.equal(t.cpu.nextPc, CODE + 8);
});

test("a compare in an IT block sets flags that the rest of the block sees", () => {
  const t = thumb([0xbf04, 0x4288, 0x2205], { 0: 1, 1: 2 }); // itt eq; cmpeq r0, r1; moveq r2, #5
  setFlags(t.cpu, "nZcv");
  t.cpu.run(3);
  assert.equal(flags(t.cpu), "Nzcv"); // 1 - 2
  assert.equal(u(t.cpu, 2), 0); // the compare made EQ false
});

test("branches as the last instruction of an IT block", () => {
  let t = thumb([0xbf08, 0xf000, 0xbffe]); // it eq; beq.w .+0x1000
  setFlags(t.cpu, "nZcv");
  t.cpu.run(2);
  assert.equal(t.cpu.nextPc, CODE + 2 + 0x1000);
  assert.equal(t.cpu.it, 0);
  t = thumb([0xbf08, 0xf000, 0xbffe]);
  t.cpu.run(2);
  assert.equal(t.cpu.nextPc, CODE + 6);
  t = thumb([0xbf18, 0xe00e]); // it ne; bne .+0x20 (the 16-bit B encoding, conditional by ITSTATE)
  t.cpu.run(2);
  assert.equal(t.cpu.nextPc, CODE + 2 + 0x20);
  t = thumb([0xbf18, 0xe00e]);
  setFlags(t.cpu, "nZcv");
  t.cpu.run(2);
  assert.equal(t.cpu.nextPc, CODE + 4);
});

test("a skipped load does not access memory; a faulting one saves ITSTATE in the SPSR", () => {
  // itt eq; ldreq r0, [r1]; addeq r2, #1 with r1 outside RAM.
  let t = thumb([0xbf04, 0x6808, 0x3201], { 0: 9, 1: 0x200000 });
  t.cpu.traps = null;
  t.cpu.run(3);
  assert.equal(t.cpu.mode, Mode.SVC);
  assert.equal(u(t.cpu, 0), 9);
  assert.equal(t.cpu.nextPc, CODE + 6);
  t = thumb([0xbf04, 0x6808, 0x3201], { 0: 9, 1: 0x200000 });
  t.cpu.traps = null; // no hypervisor: an access outside RAM is an external abort
  setFlags(t.cpu, "nZcv");
  t.cpu.run(2);
  assert.equal(t.cpu.mode, Mode.ABT);
  assert.equal(t.cpu.it, 0);
  const spsr = t.cpu.getSpsr();
  assert.equal(((spsr >>> 25) & 3) | (((spsr >>> 10) & 0x3f) << 2), 0x04); // itt eq, first slot
  assert.equal(u(t.cpu, 14), CODE + 2 + 8);
});

test("ITTT HI ending in BX LR returns only when the condition holds", () => {
  // ittt hi; strhi r0, [r1]; movhi r0, #1; bxhi lr
  const code = [0xbf82, 0x6008, 0x2001, 0x4770];
  let t = thumb(code, { 0: 0x77, 1: 0x8000, 14: 0x5001 });
  setFlags(t.cpu, "nzCv");
  t.cpu.run(4);
  assert.equal(t.stage2.memory[0x8000], 0x77);
  assert.equal(u(t.cpu, 0), 1);
  assert.equal(t.cpu.nextPc, 0x5000);
  t = thumb(code, { 0: 0x77, 1: 0x8000, 14: 0x5001 });
  setFlags(t.cpu, "nZCv");
  t.cpu.run(4);
  assert.equal(t.stage2.memory[0x8000], 0);
  assert.equal(u(t.cpu, 0), 0x77);
  assert.equal(t.cpu.nextPc, CODE + 8);
});

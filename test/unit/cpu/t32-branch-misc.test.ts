// 32-bit Thumb branches and miscellaneous control (A6.3.4): B T3/T4, BL, BLX (immediate), hints,
// barriers, CLREX, CPS, MSR/MRS (with the banked forms), BXJ, SUBS PC, LR, HVC, SMC and UDF.

import { test } from "node:test";
import assert from "node:assert/strict";
import { thumb, u, setFlags, CODE, expectUndefined, assertUndefined } from "./t32-harness.js";
import { Mode } from "../../../src/cpu/state.js";
import { ExitReason, EC } from "../../../src/cpu/exits.js";

test("B<cond>.W (T3) checks its own condition and reaches ±1 MiB", () => {
  let t = thumb([0xf000, 0x87fe]); // beq.w .+0x1000
  setFlags(t.cpu, "nZcv");
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 0x1000);
  t = thumb([0xf000, 0x87fe]);
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 4);
  t = thumb([0xf440, 0x8000]); // bne.w .-0xffffc
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc >>> 0, (CODE - 0xffffc) >>> 0);
});

test("B.W (T4) and BL use I1/I2 = NOT(J XOR S) for ±16 MiB", () => {
  let t = thumb([0xf3ff, 0xbffe]); // b.w .+0x400000
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 0x400000);
  t = thumb([0xf400, 0x9000]); // b.w .-0xfffffc
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc >>> 0, (CODE - 0xfffffc) >>> 0);
  t = thumb([0xf123, 0xfa29]); // bl .+0x123456
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 0x123456);
  assert.equal(u(t.cpu, 14), CODE + 4 + 1);
  assert.equal(t.cpu.t, 1);
  t = thumb([0xf7ff, 0xdffe]); // bl .-0x800000
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc >>> 0, (CODE - 0x800000) >>> 0);
});

test("BLX (immediate) switches to ARM at Align(PC, 4) + offset; H = 1 is UNDEFINED", () => {
  let t = thumb([0xf000, 0xeffe]); // blx .+0x1000 (at CODE)
  t.cpu.run(1);
  assert.equal(t.cpu.t, 0);
  assert.equal(t.cpu.nextPc, CODE + 0x1000);
  assert.equal(u(t.cpu, 14), CODE + 4 + 1);
  t = thumb([0xbf00, 0xf000, 0xeffe]); // nop; the same encoding at CODE + 2: base Align(CODE + 6, 4)
  t.cpu.run(2);
  assert.equal(t.cpu.nextPc, CODE + 0x1000);
  assert.equal(u(t.cpu, 14), CODE + 6 + 1);
  expectUndefined([0xf000, 0xefff]);
});

test("32-bit hints, barriers and BXJ", () => {
  let t = thumb([0xf3af, 0x8000, 0xf3af, 0x8001, 0xf3af, 0x80f5, 0xf3bf, 0x8f5f, 0xf3bf, 0x8f6f, 0xf3bf, 0x8f4b]);
  // nop.w; yield.w; dbg #5; dmb sy; isb sy; dsb ish
  t.cpu.run(6);
  assert.equal(t.cpu.nextPc, CODE + 24);
  assert.equal(t.cpu.mode, Mode.SVC);
  t = thumb([0xf3af, 0x8003]); // wfi.w
  assert.equal(t.cpu.run(5), ExitReason.WFX);
  assert.equal(t.cpu.nextPc, CODE + 4);
  assert.equal(t.cpu.exit.hsr >>> 26, EC.WFI_WFE);
  assert.equal((t.cpu.exit.hsr >>> 25) & 1, 1, "IL: 32-bit instruction");
  t = thumb([0xf3af, 0x8004, 0xf3af, 0x8002]); // sev.w; wfe.w: the event is consumed
  assert.equal(t.cpu.run(2), ExitReason.SLICE);
  assert.equal(t.cpu.eventRegister, 0);
  t = thumb([0xf3c3, 0x8f00], { 3: 0x6000 }); // bxj r3: no Jazelle, acts as BX
  t.cpu.run(1);
  assert.equal(t.cpu.t, 0);
  assert.equal(t.cpu.nextPc, 0x6000);
  expectUndefined([0xf3bf, 0x8f0f]); // LEAVEX: no ThumbEE
  expectUndefined([0xf3bf, 0x8f7f]); // unallocated miscellaneous control
  expectUndefined([0xf780, 0x8000]); // op = 1111000: unallocated
});

test("CPS.W changes masks and mode at PL1 and is a NOP at PL0", () => {
  let t = thumb([0xf3af, 0x8640, 0xf3af, 0x85ff, 0xf3af, 0x8110]); // cpsid.w i; cpsie aif, #31; cps #16
  t.cpu.i = 0;
  t.cpu.run(1);
  assert.equal(t.cpu.i, 1);
  t.cpu.run(1);
  assert.deepEqual([t.cpu.a, t.cpu.i, t.cpu.f, t.cpu.mode], [0, 0, 0, Mode.SYS]);
  t.cpu.run(1);
  assert.equal(t.cpu.mode, Mode.USR);
  t = thumb([0xf3af, 0x8640]);
  t.cpu.switchMode(Mode.USR);
  t.cpu.i = 0;
  t.cpu.run(1);
  assert.equal(t.cpu.i, 0);
});

test("MRS reads the CPSR without the execution-state bits; MRS SPSR", () => {
  const t = thumb([0xf3ef, 0x8000, 0xf3ff, 0x8100]); // mrs r0, apsr; mrs r1, spsr
  setFlags(t.cpu, "NzCv");
  t.cpu.q = 1;
  t.cpu.ge = 0x5;
  t.cpu.setSpsr(0x12345678);
  t.cpu.run(2);
  // N, C, Q, GE = 0101, A I F set, SVC; T (bit 5) reads as zero.
  assert.equal(u(t.cpu, 0), 0xa80501d3);
  assert.equal(u(t.cpu, 1), 0x12345678);
  const s = thumb([0xf3ff, 0x8100]); // mrs r1, spsr in SYS mode: there is none
  s.cpu.switchMode(Mode.SYS);
  s.cpu.run(1);
  assertUndefined(s.cpu, CODE);
});

test("MSR writes only NZCVQ and GE at PL0; all masked fields at PL1", () => {
  let t = thumb([0xf380, 0x8f00], { 0: 0xf80f0193 }); // msr cpsr_fsxc, r0
  t.cpu.switchMode(Mode.USR);
  t.cpu.i = 0;
  t.cpu.run(1);
  assert.deepEqual([t.cpu.n, t.cpu.z, t.cpu.c, t.cpu.v, t.cpu.q, t.cpu.ge], [1, 1, 1, 1, 1, 0xf]);
  assert.equal(t.cpu.mode, Mode.USR);
  assert.equal(t.cpu.i, 0);
  assert.equal(t.cpu.t, 1);
  t = thumb([0xf380, 0x8100], { 0: 0x0000001f }); // msr cpsr_c, r0: SYS, A kept, I F cleared
  t.cpu.run(1);
  assert.deepEqual([t.cpu.mode, t.cpu.i, t.cpu.f, t.cpu.a, t.cpu.t], [Mode.SYS, 0, 0, 1, 1]);
  t = thumb([0xf380, 0x8400], { 0: 0xffffffff }); // msr cpsr_s, r0: GE only
  t.cpu.run(1);
  assert.deepEqual([t.cpu.ge, t.cpu.n, t.cpu.mode], [0xf, 0, Mode.SVC]);
  t = thumb([0xf391, 0x8900], { 1: 0xaabbccdd }); // msr spsr_fc, r1
  t.cpu.setSpsr(0x11223344);
  t.cpu.run(1);
  assert.equal(t.cpu.getSpsr(), 0xaa2233dd);
});

test("banked MRS/MSR reach other modes' registers", () => {
  // prettier-ignore
  const t = thumb([
    0xf3e0, 0x8220, // mrs r2, r8_usr
    0xf3e0, 0x8330, // mrs r3, lr_irq
    0xf395, 0x8630, // msr spsr_und, r5
    0xf3fe, 0x8620, // mrs r6, spsr_fiq
    0xf387, 0x8a20, // msr r10_fiq, r7
  ]);
  const cpu = t.cpu;
  cpu.r[8] = 0x88;
  cpu.r[5] = 0x55;
  cpu.r[7] = 0x77;
  cpu.bankedSpLr[2 * 2 + 1] = 0x1234; // LR_irq
  cpu.spsr[1] = 0x4321; // SPSR_fiq
  cpu.run(5);
  assert.equal(u(cpu, 2), 0x88);
  assert.equal(u(cpu, 3), 0x1234);
  assert.equal(cpu.spsr[5], 0x55);
  assert.equal(u(cpu, 6), 0x4321);
  assert.equal(cpu.hiRegs[5 + 2], 0x77);
  assert.equal(u(cpu, 10), 0); // the current (non-FIQ) r10 untouched

  // From IRQ mode, MSR SP_svc writes the SVC bank.
  const s = thumb([0xf384, 0x8330], { 4: 0x9000 }); // msr sp_svc, r4
  s.cpu.switchMode(Mode.IRQ);
  s.cpu.run(1);
  s.cpu.switchMode(Mode.SVC);
  assert.equal(u(s.cpu, 13), 0x9000);

  // From FIQ mode, R8_usr is the saved user copy.
  const f = thumb([0xf3e0, 0x8220]); // mrs r2, r8_usr
  f.cpu.r[8] = 0x1111;
  f.cpu.switchMode(Mode.FIQ);
  f.cpu.r[8] = 0x2222;
  f.cpu.run(1);
  assert.equal(u(f.cpu, 2), 0x1111);

  expectUndefined([0xf3ef, 0x8030]); // mrs r0, sp_hyp: not from Non-secure PL1
  const p = thumb([0xf3e0, 0x8220]);
  p.cpu.switchMode(Mode.USR);
  p.cpu.run(1);
  assertUndefined(p.cpu, CODE);
});

test("SUBS PC, LR, #imm returns to the SPSR's mode and state; UNDEFINED in USR", () => {
  const t = thumb([0xf3de, 0x8f04]); // subs pc, lr, #4
  t.cpu.switchMode(Mode.IRQ);
  t.cpu.r[14] = 0x2006;
  t.cpu.setSpsr(0x20000030); // C, Thumb, USR
  t.cpu.run(1);
  assert.equal(t.cpu.mode, Mode.USR);
  assert.equal(t.cpu.t, 1);
  assert.equal(t.cpu.c, 1);
  assert.equal(t.cpu.nextPc, 0x2002);
  const e = thumb([0xf3de, 0x8f00]); // eret outside Hyp mode = subs pc, lr, #0
  e.cpu.r[14] = 0x3000;
  e.cpu.setSpsr(0x000001d3); // ARM, SVC
  e.cpu.run(1);
  assert.equal(e.cpu.t, 0);
  assert.equal(e.cpu.nextPc, 0x3000);
  const p = thumb([0xf3de, 0x8f04]);
  p.cpu.switchMode(Mode.USR);
  p.cpu.run(1);
  assertUndefined(p.cpu, CODE);
});

test("SUBS PC, LR as the last instruction of an IT block restores ITSTATE unadvanced", () => {
  const t = thumb([0xbf08, 0xf3de, 0x8f04]); // it eq; subseq pc, lr, #4
  t.cpu.switchMode(Mode.IRQ);
  t.cpu.r[14] = 0x2004;
  t.cpu.setSpsr(0x40000c30); // Z, IT = 0x0c (an ITE EQ block), Thumb, USR
  setFlags(t.cpu, "nZcv");
  t.cpu.run(2);
  assert.equal(t.cpu.mode, Mode.USR);
  assert.equal(t.cpu.nextPc, 0x2000);
  assert.equal(t.cpu.it, 0x0c);
});

test("HVC and SMC exit to the hypervisor at PL1 and are UNDEFINED at PL0; UDF.W", () => {
  let t = thumb([0xf7ea, 0x8bcd]); // hvc #0xabcd
  assert.equal(t.cpu.run(3), ExitReason.HVC);
  assert.equal(t.cpu.exit.hsr >>> 26, EC.HVC);
  assert.equal(t.cpu.exit.hsr & 0xffff, 0xabcd);
  assert.equal(t.cpu.nextPc, CODE + 4);
  t = thumb([0xf7f3, 0x8000]); // smc #3
  assert.equal(t.cpu.run(3), ExitReason.SMC);
  assert.equal(t.cpu.exit.hsr & 0xf, 3);
  for (const code of [
    [0xf7ea, 0x8bcd],
    [0xf7f3, 0x8000],
  ]) {
    const p = thumb(code);
    p.cpu.switchMode(Mode.USR);
    p.cpu.run(1);
    assertUndefined(p.cpu, CODE);
  }
  expectUndefined([0xf7f1, 0xa234]); // udf.w #0x1234
});

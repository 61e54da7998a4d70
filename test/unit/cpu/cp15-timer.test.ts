// Generic timer registers through CP15: routing to the timer block, PL0 access by CNTKCTL, and
// traps to Hyp by CNTHCTL with the EC 0x03/0x04 syndromes (DDI 0406C B8.1.2, B4.1.25-26, B3.13.6).

import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCpu } from "../../helpers/cpu-harness.js";
import type { Cpu } from "../../../src/cpu/core.js";
import type { HypTraps } from "../../../src/cpu/exits.js";
import type { TimerRegisterFile } from "../../../src/cpu/timer-regs.js";
import { Mode } from "../../../src/cpu/state.js";

class FakeTimer implements TimerRegisterFile {
  readonly cntfrq = 62500000;
  cntkctl = 0;
  cnthctl = 3; // PL1PCTEN | PL1PCEN: nothing trapped
  physical = 0x00123456789abcde;
  virtual = 0x0000000100000002;
  readonly ctl = [0, 0];
  readonly cval = [0, 0];
  readonly calls: string[] = [];
  readPhysicalCount(): number {
    return this.physical;
  }
  readVirtualCount(): number {
    return this.virtual;
  }
  readCtl(timer: number): number {
    this.calls.push(`readCtl ${timer}`);
    return this.ctl[timer];
  }
  writeCtl(timer: number, value: number): void {
    this.calls.push(`writeCtl ${timer} ${value}`);
    this.ctl[timer] = value;
  }
  readCval(timer: number): number {
    return this.cval[timer];
  }
  writeCval(timer: number, value: number): void {
    this.calls.push(`writeCval ${timer} ${value.toString(16)}`);
    this.cval[timer] = value;
  }
  readTval(timer: number): number {
    this.calls.push(`readTval ${timer}`);
    return -5;
  }
  writeTval(timer: number, value: number): void {
    this.calls.push(`writeTval ${timer} ${value}`);
  }
}

class Traps implements HypTraps {
  trapHi = 0;
  externalAbort = false;
  answer = 0;
  readonly log: { hsr: number; lo: number; hi: number }[] = [];
  dataAbort(): number {
    return 0;
  }
  coprocTrap(hsr: number, lo: number, hi: number): number {
    this.log.push({ hsr, lo, hi });
    return this.answer;
  }
}

function setup() {
  const { cpu } = makeCpu();
  const timer = new FakeTimer();
  const traps = new Traps();
  cpu.timer = timer;
  cpu.traps = traps;
  return { cpu, timer, traps };
}

/** Executes at PC 0x300; returns true if UNDEFINED (and restores the mode). */
function exec(cpu: Cpu, instr: number): boolean {
  cpu.curPc = 0x300;
  cpu.exceptionTaken = false;
  const mode = cpu.mode;
  cpu.cp15.execute(instr);
  const undef = cpu.exceptionTaken && cpu.mode === Mode.UND;
  if (undef) cpu.switchMode(mode);
  return undef;
}

const hex = (v: number) => "0x" + (v >>> 0).toString(16);

// Encodings (arm-none-eabi-as).
const MRC_CNTFRQ = 0xee1e1f10; // mrc p15, 0, r1, c14, c0, 0
const MCR_CNTFRQ = 0xee0e1f10; // mcr p15, 0, r1, c14, c0, 0
const MCR_CNTKCTL = 0xee0e1f11; // mcr p15, 0, r1, c14, c1, 0
const MRC_CNTKCTL = 0xee1e1f11; // mrc p15, 0, r1, c14, c1, 0
const MRC_CNTP_CTL = 0xee1e2f32; // mrc p15, 0, r2, c14, c2, 1
const MCR_CNTP_CTL = 0xee0e2f32; // mcr p15, 0, r2, c14, c2, 1
const MCRNE_CNTP_CTL = 0x1e0e2f32; // mcrne p15, 0, r2, c14, c2, 1
const MRC_CNTP_TVAL = 0xee1e2f12; // mrc p15, 0, r2, c14, c2, 0
const MRC_CNTV_CTL = 0xee1e3f33; // mrc p15, 0, r3, c14, c3, 1
const MCR_CNTV_CTL = 0xee0e3f33; // mcr p15, 0, r3, c14, c3, 1
const MRC_CNTV_TVAL = 0xee1e3f13; // mrc p15, 0, r3, c14, c3, 0
const MCR_CNTV_TVAL = 0xee0e3f13; // mcr p15, 0, r3, c14, c3, 0
const MRRC_CNTPCT = 0xec554f0e; // mrrc p15, 0, r4, r5, c14
const MRRC_CNTVCT = 0xec554f1e; // mrrc p15, 1, r4, r5, c14
const MRRC_CNTP_CVAL = 0xec554f2e; // mrrc p15, 2, r4, r5, c14
const MCRR_CNTP_CVAL = 0xec454f2e; // mcrr p15, 2, r4, r5, c14
const MCRR_CNTV_CVAL = 0xec454f3e; // mcrr p15, 3, r4, r5, c14
const MRRC_CNTV_CVAL = 0xec554f3e; // mrrc p15, 3, r4, r5, c14

test("virtual timer, CNTFRQ and CNTKCTL at PL1 go straight to the timer block", () => {
  const { cpu, timer, traps } = setup();
  timer.cnthctl = 0; // physical timer trapped: must not matter for CNTV_*
  assert.equal(exec(cpu, MRC_CNTFRQ), false);
  assert.equal(cpu.r[1], 62500000);
  cpu.r[3] = 5;
  assert.equal(exec(cpu, MCR_CNTV_CTL), false);
  assert.equal(exec(cpu, MRC_CNTV_CTL), false);
  assert.equal(cpu.r[3], 5);
  cpu.r[3] = -100;
  assert.equal(exec(cpu, MCR_CNTV_TVAL), false);
  assert.equal(exec(cpu, MRC_CNTV_TVAL), false);
  assert.equal(cpu.r[3], -5, "TVAL is a signed 32-bit value");
  cpu.r[4] = 0x89abcdef;
  cpu.r[5] = 0x00001234;
  assert.equal(exec(cpu, MCRR_CNTV_CVAL), false);
  assert.equal(timer.cval[1], 0x123489abcdef);
  cpu.r[4] = cpu.r[5] = 0;
  assert.equal(exec(cpu, MRRC_CNTV_CVAL), false);
  assert.deepEqual([hex(cpu.r[4]), hex(cpu.r[5])], ["0x89abcdef", "0x1234"]);
  assert.equal(exec(cpu, MRRC_CNTVCT), false);
  assert.deepEqual([cpu.r[4], cpu.r[5]], [2, 1]);
  cpu.r[1] = 0xffffffff;
  assert.equal(exec(cpu, MCR_CNTKCTL), false);
  assert.equal(timer.cntkctl, 0x3ff);
  assert.equal(exec(cpu, MRC_CNTKCTL), false);
  assert.equal(cpu.r[1], 0x3ff);
  assert.deepEqual(timer.calls, [
    "writeCtl 1 5",
    "readCtl 1",
    "writeTval 1 -100",
    "readTval 1",
    "writeCval 1 123489abcdef",
  ]);
  assert.equal(traps.log.length, 0);
});

test("physical timer with CNTHCTL.PL1PCEN = 1 is direct; with 0 it traps with an EC 0x03 syndrome", () => {
  const { cpu, timer, traps } = setup();
  timer.ctl[0] = 1;
  assert.equal(exec(cpu, MRC_CNTP_CTL), false);
  assert.equal(cpu.r[2], 1);
  assert.equal(exec(cpu, MRC_CNTP_TVAL), false);
  assert.equal(cpu.r[2], -5);
  timer.cnthctl = 1; // PL1PCTEN only
  timer.calls.length = 0;
  traps.answer = 0x44;
  assert.equal(exec(cpu, MRC_CNTP_CTL), false);
  assert.equal(cpu.r[2], 0x44, "the hypervisor's value lands in Rt");
  // EC 0x03, IL, CV, COND 0xe, Opc2 1, Opc1 0, CRn 14, Rt 2, CRm 2, Direction 1 (read).
  assert.equal(hex(traps.log[0].hsr), "0xfe23845");
  assert.equal(hex(cpu.exit.hsr), "0xfe23845");
  cpu.r[2] = 3;
  assert.equal(exec(cpu, MCR_CNTP_CTL), false);
  assert.deepEqual(traps.log[1], { hsr: 0x0fe23844, lo: 3, hi: 0 });
  assert.equal(exec(cpu, MCRNE_CNTP_CTL), false);
  assert.equal(hex(traps.log[2].hsr), "0xf123844", "COND from the A32 instruction");
  // Thumb inside an IT EQ block: COND comes from ITSTATE.
  cpu.t = 1;
  cpu.it = 0x08;
  assert.equal(exec(cpu, MRC_CNTP_CTL), false);
  assert.equal(hex(traps.log[3].hsr), "0xf023845");
  cpu.t = 0;
  cpu.it = 0;
  assert.deepEqual(timer.calls, [], "the timer block was not touched while trapped");
});

test("CNTPCT traps with an EC 0x04 syndrome when CNTHCTL.PL1PCTEN = 0; 64-bit values round-trip", () => {
  const { cpu, timer, traps } = setup();
  assert.equal(exec(cpu, MRRC_CNTPCT), false);
  assert.deepEqual([hex(cpu.r[4]), hex(cpu.r[5])], ["0x789abcde", "0x123456"]);
  timer.cnthctl = 2; // PL1PCEN only
  traps.answer = 0x11111111;
  traps.trapHi = 0x22222222;
  assert.equal(exec(cpu, MRRC_CNTPCT), false);
  assert.deepEqual([cpu.r[4], cpu.r[5]], [0x11111111, 0x22222222]);
  // EC 0x04, IL, CV, COND 0xe, Opc1 0, Rt2 5, Rt 4, CRm 14, Direction 1.
  assert.equal(hex(traps.log[0].hsr), "0x13e0149d");
  assert.equal(exec(cpu, MRRC_CNTVCT), false, "the virtual count is never trapped");
  assert.equal(traps.log.length, 1);
  timer.cnthctl = 1; // physical timer trapped
  cpu.r[4] = 0xdeadbeef;
  cpu.r[5] = 7;
  assert.equal(exec(cpu, MCRR_CNTP_CVAL), false);
  assert.deepEqual(traps.log[1], { hsr: 0x13e2149c, lo: 0xdeadbeef | 0, hi: 7 });
  timer.cnthctl = 3;
  assert.equal(exec(cpu, MCRR_CNTP_CVAL), false);
  assert.equal(timer.cval[0], 7 * 2 ** 32 + 0xdeadbeef);
  cpu.r[4] = cpu.r[5] = 0;
  assert.equal(exec(cpu, MRRC_CNTP_CVAL), false);
  assert.deepEqual([hex(cpu.r[4]), cpu.r[5]], ["0xdeadbeef", 7]);
});

test("PL0 access follows CNTKCTL, then the Hyp trap rules still apply", () => {
  const { cpu, timer, traps } = setup();
  cpu.switchMode(Mode.USR);
  for (const instr of [MRRC_CNTVCT, MRRC_CNTPCT, MRC_CNTFRQ, MRC_CNTV_CTL, MRC_CNTP_CTL, MRC_CNTKCTL, MCR_CNTKCTL]) {
    assert.equal(exec(cpu, instr), true, hex(instr));
  }
  timer.cntkctl = 2; // PL0VCTEN: the vDSO's clock
  assert.equal(exec(cpu, MRRC_CNTVCT), false);
  assert.equal(exec(cpu, MRC_CNTFRQ), false);
  assert.equal(exec(cpu, MRRC_CNTPCT), true);
  assert.equal(exec(cpu, MRC_CNTV_CTL), true);
  assert.equal(exec(cpu, MCR_CNTFRQ), true, "CNTFRQ is never writable at PL0");
  timer.cntkctl = 1; // PL0PCTEN
  assert.equal(exec(cpu, MRC_CNTFRQ), false);
  assert.equal(exec(cpu, MRRC_CNTPCT), false);
  assert.equal(exec(cpu, MRRC_CNTVCT), true);
  timer.cntkctl = 0x100; // PL0VTEN
  assert.equal(exec(cpu, MRC_CNTV_CTL), false);
  assert.equal(exec(cpu, MRC_CNTP_CTL), true);
  timer.cntkctl = 0x200; // PL0PTEN, but the physical timer is trapped to Hyp
  timer.cnthctl = 0;
  assert.equal(exec(cpu, MRC_CNTP_CTL), false);
  assert.equal(traps.log.length, 1);
  timer.cntkctl = 0;
  assert.equal(exec(cpu, MRC_CNTP_CTL), true, "UNDEFINED at PL0 wins over the trap");
  assert.equal(traps.log.length, 1);
});

test("CNTFRQ writes at PL1 are ignored (only Secure PL1 or Hyp may write it)", () => {
  const { cpu, timer } = setup();
  cpu.r[1] = 1000;
  assert.equal(exec(cpu, MCR_CNTFRQ), false);
  assert.equal(timer.cntfrq, 62500000);
});

test("without a timer block, timer registers read as zero", () => {
  const { cpu } = makeCpu();
  cpu.r[3] = 9;
  assert.equal(exec(cpu, MRC_CNTV_CTL), false);
  assert.equal(cpu.r[3], 0);
  cpu.r[4] = cpu.r[5] = 9;
  assert.equal(exec(cpu, MRRC_CNTVCT), false);
  assert.deepEqual([cpu.r[4], cpu.r[5]], [0, 0]);
  assert.equal(exec(cpu, MCR_CNTV_CTL), false);
  assert.equal(exec(cpu, MRC_CNTP_CTL), false);
  cpu.switchMode(Mode.USR);
  assert.equal(exec(cpu, MRRC_CNTVCT), true);
});

// The generic timer of one physical CPU, checked against DDI 0406C B8: the timer condition
// CVAL <= count, ISTATUS and the output, TVAL's signed view, CNTVOFF, 64-bit compare values, and
// the deadline the scheduler uses.

import { test } from "node:test";
import assert from "node:assert/strict";
import { GenericTimer } from "../../../src/timer/generic-timer.js";
import { PHYS_TIMER, VIRT_TIMER, HYP_TIMER } from "../../../src/timer/registers.js";
import { FakeClock, RecordingLine } from "./fakes.js";

const ENABLE = 1;
const IMASK = 2;
const ISTATUS = 4;
const TWO_32 = 2 ** 32;

function setup(t = 0): { clock: FakeClock; timer: GenericTimer; lines: RecordingLine[] } {
  const clock = new FakeClock(t);
  const timer = new GenericTimer(clock);
  const lines = [new RecordingLine(), new RecordingLine(), new RecordingLine()];
  for (let k = 0; k < 3; k++) timer.connect(k, lines[k]);
  return { clock, timer, lines };
}

test("CNTFRQ is 62.5 MHz and the counters follow the clock", () => {
  const { clock, timer } = setup(12345);
  assert.equal(timer.cntfrq, 62_500_000);
  assert.equal(timer.readPhysicalCount(), 12345);
  clock.t = 99999;
  assert.equal(timer.readPhysicalCount(), 99999);
  assert.equal(timer.readVirtualCount(), 99999, "CNTVOFF resets to 0 here");
});

test("condition: the output rises when the count reaches CVAL, not one tick before", () => {
  const { clock, timer, lines } = setup(1000);
  timer.writeCval(PHYS_TIMER, 1500);
  timer.writeCtl(PHYS_TIMER, ENABLE);
  assert.equal(lines[PHYS_TIMER].level, false);
  assert.equal(timer.readCtl(PHYS_TIMER), ENABLE, "ISTATUS clear before the deadline");
  clock.t = 1499;
  timer.update();
  assert.equal(lines[PHYS_TIMER].level, false);
  clock.t = 1500; // CVAL <= count: met at equality
  timer.update();
  assert.equal(lines[PHYS_TIMER].level, true);
  assert.equal(timer.readCtl(PHYS_TIMER), ENABLE | ISTATUS);
  assert.equal(timer.outputLevel(PHYS_TIMER), true);
  assert.equal(lines[VIRT_TIMER].level, false, "other timers unaffected");
});

test("ISTATUS reflects the condition while IMASK hides it from the output; ENABLE=0 clears both", () => {
  const { timer, lines } = setup(1000);
  timer.writeCval(VIRT_TIMER, 900); // already in the past
  timer.writeCtl(VIRT_TIMER, ENABLE | IMASK);
  assert.equal(timer.readCtl(VIRT_TIMER), ENABLE | IMASK | ISTATUS);
  assert.equal(lines[VIRT_TIMER].level, false, "masked: no interrupt");
  timer.writeCtl(VIRT_TIMER, ENABLE);
  assert.equal(lines[VIRT_TIMER].level, true, "unmasking with the condition met raises it at once");
  timer.writeCtl(VIRT_TIMER, IMASK);
  assert.equal(timer.readCtl(VIRT_TIMER), IMASK, "disabled: ISTATUS reads 0");
  assert.equal(lines[VIRT_TIMER].level, false);
});

test("CTL writes keep only ENABLE and IMASK (ISTATUS is read-only)", () => {
  const { timer } = setup(0);
  timer.writeCval(PHYS_TIMER, 1_000_000);
  timer.writeCtl(PHYS_TIMER, 0xffff_ffff);
  assert.equal(timer.readCtl(PHYS_TIMER), ENABLE | IMASK, "ISTATUS stays 0: condition not met");
});

test("TVAL counts down, through zero, to negative values", () => {
  const { clock, timer, lines } = setup(1000);
  timer.writeTval(PHYS_TIMER, 100); // CVAL = 1000 + 100
  assert.equal(timer.readCval(PHYS_TIMER), 1100);
  timer.writeCtl(PHYS_TIMER, ENABLE);
  clock.t = 1050;
  assert.equal(timer.readTval(PHYS_TIMER), 50);
  clock.t = 1100;
  assert.equal(timer.readTval(PHYS_TIMER), 0);
  clock.t = 1150;
  assert.equal(timer.readTval(PHYS_TIMER), -50, "CVAL − count = −50, as a signed 32-bit value");
  assert.equal(timer.readTval(PHYS_TIMER) >>> 0, 0xffff_ffce);
  timer.update();
  assert.equal(lines[PHYS_TIMER].level, true);
});

test("TVAL writes are sign-extended: a negative TVAL puts CVAL in the past", () => {
  const { timer, lines } = setup(1000);
  timer.writeCtl(VIRT_TIMER, ENABLE);
  timer.writeTval(VIRT_TIMER, -10);
  assert.equal(timer.readCval(VIRT_TIMER), 990);
  assert.equal(lines[VIRT_TIMER].level, true, "fires at once");
  // 0x8000_0000 is −2^31, not +2^31.
  const { timer: t2 } = setup(2 * TWO_32);
  t2.writeTval(PHYS_TIMER, 0x8000_0000);
  assert.equal(t2.readCval(PHYS_TIMER), 2 * TWO_32 - 2 ** 31);
  t2.writeTval(PHYS_TIMER, 0x7fff_ffff);
  assert.equal(t2.readCval(PHYS_TIMER), 2 * TWO_32 + 0x7fff_ffff);
});

test("TVAL write carries into the high word of CVAL", () => {
  const { timer } = setup(0xffff_fff0);
  timer.writeTval(PHYS_TIMER, 0x20);
  assert.equal(timer.readCval(PHYS_TIMER), TWO_32 + 0x10);
});

test("64-bit CVAL from two halves; the comparison crosses the 2^32 boundary", () => {
  const { clock, timer, lines } = setup(TWO_32 - 5);
  // MCRR p15, 2, lo, hi, c14 with hi = 1, lo = 0xffffffff: CVAL = 0x1_ffff_ffff.
  timer.writeCval(PHYS_TIMER, 1 * TWO_32 + 0xffff_ffff);
  assert.equal(timer.readCval(PHYS_TIMER), 0x1_ffff_ffff);
  timer.writeCtl(PHYS_TIMER, ENABLE);
  clock.t = 0x1_ffff_fffe;
  timer.update();
  assert.equal(lines[PHYS_TIMER].level, false, "low word 0xffffffff > 0xfffffffe");
  assert.equal(timer.readTval(PHYS_TIMER), 1);
  clock.t = 0x1_ffff_ffff;
  timer.update();
  assert.equal(lines[PHYS_TIMER].level, true);
  // A high word larger than the count's wins even with a smaller low word.
  timer.writeCvalWords(PHYS_TIMER, 2, 0);
  assert.equal(lines[PHYS_TIMER].level, false);
  assert.equal(timer.readCval(PHYS_TIMER), 2 * TWO_32);
});

test("a negative TVAL near count 0 wraps CVAL past 2^64: unsigned, so the timer does not fire", () => {
  const { clock, timer, lines } = setup(50);
  timer.writeCtl(PHYS_TIMER, ENABLE);
  timer.writeTval(PHYS_TIMER, -100); // CVAL = 50 − 100 mod 2^64 = 0xffff_ffff_ffff_ffce
  assert.equal(lines[PHYS_TIMER].level, false, "CVAL is huge as an unsigned value");
  assert.equal(timer.readCtl(PHYS_TIMER) & ISTATUS, 0);
  assert.equal(timer.readTval(PHYS_TIMER), -100, "TVAL still reads exactly");
  clock.t = 60;
  assert.equal(timer.readTval(PHYS_TIMER), -110);
  const cval = timer.readCval(PHYS_TIMER);
  assert.ok(cval < 2 ** 64 && cval > 2 ** 64 - 4096, "CVAL reads as a value just below 2^64");
  assert.equal(timer.nextDeadline(), Infinity, "centuries away");
});

test("CVAL = all ones (hi*2^32+lo rounds to 2^64) means never, not 0", () => {
  const { timer, lines } = setup(1000);
  timer.writeCtl(PHYS_TIMER, ENABLE);
  timer.writeCval(PHYS_TIMER, 0xffff_ffff * TWO_32 + 0xffff_ffff); // MCRR with both words all ones
  assert.equal(lines[PHYS_TIMER].level, false);
  assert.equal(timer.readCvalHi(PHYS_TIMER), 0xffff_ffff);
  assert.equal(timer.nextDeadline(), Infinity);
  timer.writeCvalWords(PHYS_TIMER, 0xffff_ffff, 0xffff_ffff); // the exact path
  assert.equal(timer.readCvalLo(PHYS_TIMER), 0xffff_ffff);
  assert.equal(timer.readTval(PHYS_TIMER), (0xffff_ffff - 1000) | 0);
  assert.equal(lines[PHYS_TIMER].level, false);
});

test("CNTVOFF: the virtual count and the virtual timer are offset from the physical count", () => {
  const { clock, timer, lines } = setup(5000);
  timer.cntvoff = 1000;
  assert.equal(timer.readVirtualCount(), 4000);
  assert.equal(timer.readPhysicalCount(), 5000);
  timer.writeCval(VIRT_TIMER, 4500); // virtual 4500 = physical 5500
  timer.writeCtl(VIRT_TIMER, ENABLE);
  assert.equal(timer.readTval(VIRT_TIMER), 500);
  assert.equal(timer.nextDeadline(), 5500);
  clock.t = 5499;
  timer.update();
  assert.equal(lines[VIRT_TIMER].level, false);
  clock.t = 5500;
  timer.update();
  assert.equal(lines[VIRT_TIMER].level, true);
  // The physical timer ignores CNTVOFF.
  timer.writeCval(PHYS_TIMER, 5000);
  timer.writeCtl(PHYS_TIMER, ENABLE);
  assert.equal(lines[PHYS_TIMER].level, true);
  // A TVAL write on the virtual timer counts from the virtual count.
  timer.writeTval(VIRT_TIMER, 10);
  assert.equal(timer.readCval(VIRT_TIMER), 4510);
});

test("CNTVOFF larger than the physical count wraps the virtual count modulo 2^64", () => {
  const { clock, timer, lines } = setup(100);
  timer.cntvoff = 300; // virtual count = 100 − 300 = −200 mod 2^64 = 0xffff_ffff_ffff_ff38
  assert.ok(timer.readVirtualCount() > 2 ** 64 - 4096);
  timer.writeCtl(VIRT_TIMER, ENABLE);
  timer.writeTval(VIRT_TIMER, 250); // CVAL = count + 250 = 50 after the carry out of bit 63
  assert.equal(timer.readCval(VIRT_TIMER), 50);
  assert.equal(lines[VIRT_TIMER].level, true, "unsigned: 50 <= 0xffff_ffff_ffff_ff38, so it fires");
  timer.writeCvalWords(VIRT_TIMER, 0xffff_ffff, 0xffff_ff9c); // −100 mod 2^64
  assert.equal(lines[VIRT_TIMER].level, false);
  assert.equal(timer.readTval(VIRT_TIMER), 100);
  assert.equal(timer.nextDeadline(), 200, "the virtual count reaches −100 at physical 200");
  clock.t = 200;
  timer.update();
  assert.equal(lines[VIRT_TIMER].level, true);
});

test("nextDeadline: the earliest low output that can rise; Infinity when none", () => {
  const { timer } = setup(1000);
  assert.equal(timer.nextDeadline(), Infinity, "all disabled");
  timer.writeCval(PHYS_TIMER, 3000);
  timer.writeCtl(PHYS_TIMER, ENABLE);
  timer.writeCval(HYP_TIMER, 2000);
  timer.writeCtl(HYP_TIMER, ENABLE);
  timer.writeCval(VIRT_TIMER, 1500);
  timer.writeCtl(VIRT_TIMER, ENABLE | IMASK);
  assert.equal(timer.nextDeadline(), 2000, "masked virtual timer is not a deadline");
  timer.writeCtl(VIRT_TIMER, ENABLE);
  assert.equal(timer.nextDeadline(), 1500);
  timer.writeCval(VIRT_TIMER, 500);
  assert.equal(timer.nextDeadline(), 2000, "a timer already firing is not a deadline");
  timer.writeCtl(HYP_TIMER, 0);
  timer.writeCtl(PHYS_TIMER, 0);
  assert.equal(timer.nextDeadline(), Infinity);
});

test("the Hyp timer works like the others and counts the physical count", () => {
  const { timer, lines } = setup(7000);
  timer.cntvoff = 5000;
  timer.writeTval(HYP_TIMER, -1);
  timer.writeCtl(HYP_TIMER, ENABLE);
  assert.equal(timer.readCval(HYP_TIMER), 6999);
  assert.equal(lines[HYP_TIMER].level, true);
});

test("output lines are driven only on changes, and re-evaluated after every register write", () => {
  const { clock, timer, lines } = setup(0);
  const line = lines[VIRT_TIMER];
  const before = line.history.length; // connect() reported the initial level
  timer.writeCval(VIRT_TIMER, 100);
  timer.writeCtl(VIRT_TIMER, ENABLE);
  timer.update();
  assert.equal(line.history.length, before, "still low: nothing driven");
  clock.t = 200;
  timer.update();
  timer.update();
  assert.deepEqual(line.history.slice(before), [true]);
  timer.writeCval(VIRT_TIMER, 300); // moves the condition into the future
  assert.deepEqual(line.history.slice(before), [true, false]);
});

test("onProgrammed runs after CTL, CVAL and TVAL writes, not after reads", () => {
  const { timer } = setup(0);
  let calls = 0;
  timer.onProgrammed = () => calls++;
  timer.readCtl(VIRT_TIMER);
  timer.readCval(VIRT_TIMER);
  timer.readTval(VIRT_TIMER);
  timer.readVirtualCount();
  assert.equal(calls, 0);
  timer.writeCtl(VIRT_TIMER, ENABLE);
  timer.writeCval(VIRT_TIMER, 5);
  timer.writeTval(PHYS_TIMER, 5);
  assert.equal(calls, 3);
});

test("CNTKCTL and CNTHCTL keep only their defined bits", () => {
  const { timer } = setup(0);
  timer.cntkctl = 0xffff_ffff;
  assert.equal(timer.cntkctl, 0x3ff);
  timer.cnthctl = 0xffff_ffff;
  assert.equal(timer.cnthctl, 0xff);
});

test("CNTVOFF of 2^63 or more (the virtual count ahead of the physical one) reads back and offsets exactly", () => {
  const { clock, timer, lines } = setup(100);
  timer.cntvoff = 2 ** 64 - 2048; // virtual = physical + 2048
  assert.equal(timer.cntvoff, 2 ** 64 - 2048);
  assert.equal(timer.readVirtualCount(), 2148);
  timer.writeCval(VIRT_TIMER, 3000);
  timer.writeCtl(VIRT_TIMER, ENABLE);
  assert.equal(timer.readTval(VIRT_TIMER), 852);
  assert.equal(timer.nextDeadline(), 952, "physical count when the virtual one reaches 3000");
  clock.t = 952;
  timer.update();
  assert.equal(lines[VIRT_TIMER].level, true);
  timer.cntvoff = 2 ** 63;
  assert.equal(timer.cntvoff, 2 ** 63);
});

test("reset: timers disabled, controls and CNTVOFF at their reset values, outputs driven low", () => {
  const { timer, lines } = setup(1000);
  for (const t of [PHYS_TIMER, VIRT_TIMER, HYP_TIMER]) {
    timer.writeCval(t, 10);
    timer.writeCtl(t, ENABLE);
    assert.equal(lines[t].level, true);
  }
  timer.cntkctl = 0x3ff;
  timer.cnthctl = 0;
  timer.cntvoff = 5;
  timer.reset();
  for (const t of [PHYS_TIMER, VIRT_TIMER, HYP_TIMER]) {
    assert.equal(lines[t].level, false, `timer ${t}`);
    assert.equal(timer.outputLevel(t), false);
    assert.equal(timer.readCtl(t), 0);
    assert.equal(timer.readCval(t), 0);
  }
  assert.equal(timer.cntkctl, 0);
  assert.equal(timer.cnthctl, 3, "PL1PCTEN and PL1PCEN");
  assert.equal(timer.cntvoff, 0);
  assert.equal(timer.readVirtualCount(), 1000);
});

test("connect drives the output's current level onto the new line", () => {
  const { timer } = setup(1000);
  timer.writeCval(PHYS_TIMER, 10);
  timer.writeCtl(PHYS_TIMER, ENABLE);
  const late = new RecordingLine();
  timer.connect(PHYS_TIMER, late);
  assert.deepEqual(late.history, [true], "high at once");
  const low = new RecordingLine();
  timer.connect(VIRT_TIMER, low);
  assert.deepEqual(low.history, [false]);
});

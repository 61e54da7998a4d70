// One comparator of the generic timer (CompareTimer) and the 64-bit arithmetic under it (u64.ts),
// at their edges: TVAL writes of 0 and with a carry of exactly 2^32, the condition at equality, the
// 2^53-tick horizon of ticksUntilFire, values that wrap or saturate at 2^64, and the copies the
// hypervisor makes of a timer when it saves and restores one.

import { test } from "node:test";
import assert from "node:assert/strict";
import { CompareTimer } from "../../../src/timer/compare-timer.js";
import {
  fromWords,
  hiWord,
  lessOrEqual,
  loWord,
  MAX_BELOW_2_64,
  ticksFrom,
  TWO_32,
  TWO_64,
  wrapU64,
} from "../../../src/timer/u64.js";

const ENABLE = 1;
const IMASK = 2;
const ISTATUS = 4;

function timer(ctl: number, hi: number, lo: number): CompareTimer {
  const t = new CompareTimer();
  t.writeCtl(ctl);
  t.writeCvalWords(hi, lo);
  return t;
}

test("TVAL = 0 puts CVAL at the count itself (zero is not negative)", () => {
  const t = new CompareTimer();
  const count = 5 * TWO_32 + 1000;
  t.writeTval(count, 0);
  assert.deepEqual([t.cvalHi, t.cvalLo], [5, 1000]);
  assert.equal(t.readCval(), count);
  assert.equal(t.readTval(count), 0);
});

test("TVAL = -1 puts CVAL one tick behind the count, borrowing from the high word", () => {
  const t = new CompareTimer();
  t.writeTval(5 * TWO_32, -1);
  assert.deepEqual([t.cvalHi, t.cvalLo], [4, 0xffffffff]);
  t.writeTval(5 * TWO_32 + 7, 0xffffffff); // the same -1, as the 32-bit register value
  assert.deepEqual([t.cvalHi, t.cvalLo], [5, 6]);
});

test("a TVAL write whose low-word sum is exactly 2^32 carries into the high word", () => {
  const t = new CompareTimer();
  t.writeTval(3 * TWO_32 + 0xffffffff, 1);
  assert.deepEqual([t.cvalHi, t.cvalLo], [4, 0]);
  t.writeTval(3 * TWO_32 + 0xfffffffe, 1);
  assert.deepEqual([t.cvalHi, t.cvalLo], [3, 0xffffffff], "one less: no carry");
  t.writeTval(3 * TWO_32 + 0x80000000, 0x7fffffff);
  assert.deepEqual([t.cvalHi, t.cvalLo], [3, 0xffffffff]);
});

test("ticksUntilFire: 0 once the condition is met (at and after CVAL), the distance before", () => {
  const t = timer(ENABLE, 1, 100);
  assert.equal(t.ticksUntilFire(TWO_32 + 100), 0, "at CVAL");
  assert.equal(t.ticksUntilFire(TWO_32 + 5000), 0, "past CVAL");
  assert.equal(t.ticksUntilFire(7 * TWO_32), 0, "long past CVAL");
  assert.equal(t.ticksUntilFire(TWO_32 + 99), 1);
  assert.equal(t.ticksUntilFire(0), TWO_32 + 100);
});

test("ticksUntilFire: Infinity when disabled or masked, whatever the condition", () => {
  assert.equal(timer(0, 0, 10).ticksUntilFire(0), Infinity);
  assert.equal(timer(0, 0, 10).ticksUntilFire(20), Infinity);
  assert.equal(timer(ENABLE | IMASK, 0, 10).ticksUntilFire(0), Infinity);
  assert.equal(timer(ENABLE | IMASK, 0, 10).ticksUntilFire(20), Infinity);
  assert.equal(timer(IMASK, 0, 10).ticksUntilFire(20), Infinity);
});

test("canFire, output and ISTATUS", () => {
  const t = timer(ENABLE, 0, 10);
  assert.equal(t.canFire, true);
  assert.equal(t.output(9), false);
  assert.equal(t.output(10), true);
  assert.equal(t.readCtl(9), ENABLE);
  assert.equal(t.readCtl(10), ENABLE | ISTATUS);
  t.writeCtl(ENABLE | IMASK | ISTATUS | 0xf0);
  assert.equal(t.ctl, ENABLE | IMASK, "only ENABLE and IMASK are kept");
  assert.equal(t.canFire, false);
  assert.equal(t.output(10), false);
  assert.equal(t.readCtl(10), ENABLE | IMASK | ISTATUS, "ISTATUS whatever IMASK says");
  t.writeCtl(IMASK);
  assert.equal(t.canFire, false);
  assert.equal(t.readCtl(10), IMASK, "disabled: no ISTATUS");
  t.writeCtl(0);
  assert.equal(t.canFire, false);
});

test("reset clears CTL and both CVAL words; copyFrom copies all three", () => {
  const a = timer(ENABLE | IMASK, 0x1234, 0x5678);
  const b = new CompareTimer();
  b.copyFrom(a);
  assert.deepEqual([b.ctl, b.cvalHi, b.cvalLo], [ENABLE | IMASK, 0x1234, 0x5678]);
  a.reset();
  assert.deepEqual([a.ctl, a.cvalHi, a.cvalLo], [0, 0, 0]);
  assert.deepEqual([b.ctl, b.cvalHi, b.cvalLo], [ENABLE | IMASK, 0x1234, 0x5678], "a copy, not a view");
});

test("writeCval: below 2^64 exact words; 2^64 and above saturate to the largest value below it", () => {
  const t = new CompareTimer();
  t.writeCval(3 * TWO_32 + 9);
  assert.deepEqual([t.cvalHi, t.cvalLo], [3, 9]);
  t.writeCval(TWO_64);
  assert.deepEqual([t.cvalHi, t.cvalLo], [0xffffffff, 0xfffff800]);
  assert.equal(t.readCval(), MAX_BELOW_2_64);
  t.writeCval(MAX_BELOW_2_64);
  assert.deepEqual([t.cvalHi, t.cvalLo], [0xffffffff, 0xfffff800]);
  t.writeCvalWords(-1, -2);
  assert.deepEqual([t.cvalHi, t.cvalLo], [0xffffffff, 0xfffffffe], "words taken as unsigned");
});

test("readTval: (CVAL - count)[31:0] as a signed value", () => {
  const t = timer(ENABLE, 2, 5);
  assert.equal(t.readTval(2 * TWO_32 + 4), 1);
  assert.equal(t.readTval(2 * TWO_32 + 6), -1);
  assert.equal(t.readTval(TWO_32 + 5), 0, "the high words do not take part");
});

test("u64: words of numbers modulo 2^64, negative ones included", () => {
  assert.equal(hiWord(5 * TWO_32 + 3), 5);
  assert.equal(loWord(5 * TWO_32 + 3), 3);
  assert.equal(hiWord(-1), 0xffffffff);
  assert.equal(loWord(-1), 0xffffffff);
  assert.equal(hiWord(-TWO_32), 0xffffffff);
  assert.equal(loWord(-TWO_32), 0);
  assert.equal(fromWords(0xffffffff, 0xffffffff), MAX_BELOW_2_64, "2^64 - 1 rounds to 2^64: saturated");
  assert.equal(fromWords(1, 2), TWO_32 + 2);
  assert.equal(fromWords(-1, 0), 0xffffffff * TWO_32);
});

test("u64: wrapU64 reduces into [0, 2^64)", () => {
  assert.equal(wrapU64(0), 0);
  assert.equal(wrapU64(12345), 12345);
  assert.equal(wrapU64(-1), MAX_BELOW_2_64, "2^64 - 1 is not a float64: clamped");
  assert.equal(wrapU64(-TWO_32), TWO_64 - TWO_32);
  assert.equal(wrapU64(TWO_64), 0);
  assert.equal(wrapU64(TWO_64 + TWO_32 * 4096), TWO_32 * 4096);
  assert.equal(wrapU64(-TWO_64 - 4096), TWO_64 - 4096);
  assert.equal(wrapU64(-2048), MAX_BELOW_2_64, "-2048 + 2^64 is representable");
  assert.equal(wrapU64(-1024), MAX_BELOW_2_64, "-1024 + 2^64 rounds to 2^64: clamped below it");
});

test("u64: lessOrEqual compares high words first, then low words, unsigned", () => {
  assert.equal(lessOrEqual(1, 0xffffffff, 2 * TWO_32), true, "high word smaller");
  assert.equal(lessOrEqual(2, 0, TWO_32 + 0xffffffff), false, "high word larger");
  assert.equal(lessOrEqual(2, 7, 2 * TWO_32 + 7), true, "equal");
  assert.equal(lessOrEqual(2, 8, 2 * TWO_32 + 7), false);
  assert.equal(lessOrEqual(2, 6, 2 * TWO_32 + 7), true);
  assert.equal(lessOrEqual(0xffffffff, 0, -1), true, "count -1 is 2^64 - 1");
});

test("u64: ticksFrom borrows across the words and stops at 2^53 ticks", () => {
  assert.equal(ticksFrom(1, 0, 1), TWO_32 - 1, "borrow");
  assert.equal(ticksFrom(1, 5, 5), TWO_32, "no borrow at equal low words");
  assert.equal(ticksFrom(0, 10, 4), 6);
  assert.equal(ticksFrom(0x1fffff, 0xffffffff, 0), 2 ** 53 - 1, "the last finite distance");
  assert.equal(ticksFrom(0x200000, 0, 0), Infinity, "2^53 ticks away: never");
  assert.equal(ticksFrom(0, 0, 1), Infinity, "CVAL behind the count wraps to nearly 2^64");
  assert.equal(ticksFrom(0, 0, -(2 ** 20)), 2 ** 20, "a count that wrapped below zero");
});

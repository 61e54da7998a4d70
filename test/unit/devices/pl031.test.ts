import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Pl031,
  RTCCR,
  RTCDR,
  RTCICR,
  RTCIMSC,
  RTCLR,
  RTCMIS,
  RTCMR,
  RTCRIS,
  RTC_INT,
} from "../../../src/devices/pl031.js";
import type { IrqLine } from "../../../src/devices/device.js";
import type { Clock, TimerHandle, TimerQueue } from "../../../src/host/time.js";

const HZ = 1000; // a slow counter keeps the arithmetic readable

class FakeLine implements IrqLine {
  level = false;
  set(level: boolean): void {
    this.level = level;
  }
}

/** A clock moved by hand and a timer queue that fires deadlines as the clock passes them. */
class FakeTime implements Clock, TimerQueue {
  t = 5000; // the RTC must not assume the clock starts at 0
  private nextId = 1;
  readonly pending = new Map<number, { deadline: number; callback: () => void }>();
  now(): number {
    return this.t;
  }
  schedule(deadline: number, callback: () => void): TimerHandle {
    const id = this.nextId++;
    this.pending.set(id, { deadline, callback });
    return { id };
  }
  cancel(handle: TimerHandle): void {
    this.pending.delete(handle.id);
  }
  deadlines(): number[] {
    return [...this.pending.values()].map((p) => p.deadline).sort((a, b) => a - b);
  }
  advanceTo(t: number): void {
    for (;;) {
      let first: [number, { deadline: number; callback: () => void }] | null = null;
      for (const e of this.pending)
        if (e[1].deadline <= t && (first === null || e[1].deadline < first[1].deadline)) first = e;
      if (first === null) break;
      this.t = first[1].deadline;
      this.pending.delete(first[0]);
      first[1].callback();
    }
    this.t = t;
  }
}

const START = 1_700_000_000;

function rtc(startEnabled = true): { d: Pl031; line: FakeLine; time: FakeTime } {
  const line = new FakeLine();
  const time = new FakeTime();
  const d = new Pl031(line, time, time, { startEpochSeconds: START + 0.75, startEnabled, hz: HZ });
  return { d, line, time };
}

const r = (d: Pl031, off: number, size = 4): number => d.read(off, size, 0);
const w = (d: Pl031, off: number, value: number): void => d.write(off, 4, value, 0);

test("PrimeCell identification registers read PL031 / PrimeCell IDs", () => {
  const { d } = rtc();
  const ids = [];
  for (let off = 0xfe0; off <= 0xffc; off += 4) ids.push(r(d, off));
  assert.deepEqual(ids, [0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
});

test("RTCDR counts whole seconds of guest time from the wall-clock start", () => {
  const { d, time } = rtc();
  assert.equal(r(d, RTCDR), START, "fractions of the start time are dropped");
  assert.equal(r(d, RTCCR), 1, "comes up started");
  time.advanceTo(5000 + HZ - 1);
  assert.equal(r(d, RTCDR), START);
  time.advanceTo(5000 + HZ);
  assert.equal(r(d, RTCDR), START + 1);
  time.advanceTo(5000 + 3 * HZ + 500);
  assert.equal(r(d, RTCDR), START + 3);
});

test("RTCLR loads the counter; the 1 Hz tick keeps its phase", () => {
  const { d, time } = rtc();
  time.advanceTo(5000 + 1500); // 1.5 s in
  w(d, RTCLR, 100);
  assert.equal(r(d, RTCDR), 100);
  assert.equal(r(d, RTCLR), 100, "RTCLR reads back the last value loaded");
  time.advanceTo(5000 + 1999);
  assert.equal(r(d, RTCDR), 100);
  time.advanceTo(5000 + 2000); // the next tick is at 2 s, not 2.5 s
  assert.equal(r(d, RTCDR), 101);
});

test("the counter wraps at 32 bits", () => {
  const { d, time } = rtc();
  w(d, RTCLR, 0xffff_ffff);
  time.advanceTo(5000 + HZ);
  assert.equal(r(d, RTCDR), 0);
});

test("match interrupt fires on time, from a scheduled deadline (no polling)", () => {
  const { d, line, time } = rtc();
  w(d, RTCLR, 1000);
  w(d, RTCIMSC, RTC_INT);
  w(d, RTCMR, 1003);
  assert.deepEqual(time.deadlines(), [5000 + 3 * HZ], "armed for the tick the counter reaches 1003");
  time.advanceTo(5000 + 3 * HZ - 1);
  assert.equal(r(d, RTCRIS), 0);
  assert.equal(line.level, false);
  time.advanceTo(5000 + 3 * HZ);
  assert.equal(r(d, RTCDR), 1003);
  assert.equal(r(d, RTCRIS), RTC_INT);
  assert.equal(r(d, RTCMIS), RTC_INT);
  assert.equal(line.level, true);
  time.advanceTo(5000 + 10 * HZ);
  assert.equal(line.level, true, "the level holds until cleared");
  w(d, RTCICR, RTC_INT);
  assert.equal(r(d, RTCRIS), 0);
  assert.equal(line.level, false);
  assert.deepEqual(time.deadlines(), [], "a match is one-shot");
});

test("the mask gates the line but not the raw status", () => {
  const { d, line, time } = rtc();
  w(d, RTCMR, START + 2);
  time.advanceTo(5000 + 2 * HZ);
  assert.equal(r(d, RTCRIS), RTC_INT);
  assert.equal(r(d, RTCMIS), 0);
  assert.equal(line.level, false);
  w(d, RTCIMSC, RTC_INT);
  assert.equal(line.level, true);
  w(d, RTCIMSC, 0);
  assert.equal(line.level, false);
});

test("a match equal to the counter now fires at once (as QEMU); a past match waits for the wrap", () => {
  const { d, time } = rtc();
  w(d, RTCMR, START);
  assert.equal(r(d, RTCRIS), RTC_INT);
  w(d, RTCICR, RTC_INT);
  w(d, RTCMR, START - 1); // reached only after a 2^32-second wrap
  assert.equal(r(d, RTCRIS), 0);
  assert.deepEqual(time.deadlines(), [5000 + (2 ** 32 - 1) * HZ]);
});

test("at 62.5 MHz a match beyond 2^53 counts (after a wrap) is not armed", () => {
  const line = new FakeLine();
  const time = new FakeTime();
  const d = new Pl031(line, time, time, { startEpochSeconds: START });
  d.write(RTCMR, 4, START - 1, 0);
  assert.deepEqual(time.deadlines(), []);
  d.write(RTCMR, 4, START + 86_400, 0); // tomorrow is fine
  assert.deepEqual(time.deadlines(), [5000 + 86_400 * 62_500_000]);
});

test("rewriting RTCMR or RTCLR re-arms the match", () => {
  const { d, time } = rtc();
  w(d, RTCMR, START + 5);
  w(d, RTCMR, START + 2);
  assert.deepEqual(time.deadlines(), [5000 + 2 * HZ], "the old deadline is cancelled");
  w(d, RTCLR, START + 1); // now 1 second from the match
  assert.deepEqual(time.deadlines(), [5000 + HZ]);
  time.advanceTo(5000 + HZ);
  assert.equal(r(d, RTCRIS), RTC_INT);
});

test("RTCCR: a stopped RTC holds its value, starts on a 1, and cannot be stopped", () => {
  const { d, time } = rtc(false);
  assert.equal(r(d, RTCCR), 0);
  time.advanceTo(5000 + 5 * HZ);
  assert.equal(r(d, RTCDR), START, "frozen while stopped");
  w(d, RTCLR, 42);
  assert.equal(r(d, RTCDR), 42);
  w(d, RTCMR, 44);
  assert.deepEqual(time.deadlines(), [], "no match while stopped");
  time.advanceTo(5000 + 5 * HZ + 300);
  w(d, RTCCR, 1);
  assert.equal(r(d, RTCCR), 1);
  assert.equal(r(d, RTCDR), 42);
  time.advanceTo(5000 + 6 * HZ);
  assert.equal(r(d, RTCDR), 43);
  w(d, RTCCR, 0);
  assert.equal(r(d, RTCCR), 1, "writes of 0 have no effect once started");
  time.advanceTo(5000 + 7 * HZ);
  assert.equal(r(d, RTCDR), 44);
  assert.equal(r(d, RTCRIS), RTC_INT, "the match armed at start fired");
});

test("read-only registers ignore writes; register widths", () => {
  const { d } = rtc();
  w(d, RTCDR, 5);
  assert.equal(r(d, RTCDR), START);
  w(d, RTCRIS, 1);
  assert.equal(r(d, RTCRIS), 0);
  w(d, RTCIMSC, 0xffff_ffff);
  assert.equal(r(d, RTCIMSC), 1);
  assert.equal(r(d, RTCICR), 0, "write-only");
  assert.equal(r(d, 0x020), 0, "reserved");
});

test("reset() clears registers and the pending match but keeps the time", () => {
  const { d, line, time } = rtc();
  w(d, RTCIMSC, RTC_INT);
  w(d, RTCMR, START);
  assert.equal(line.level, true);
  w(d, RTCMR, START + 9);
  d.reset();
  assert.equal(line.level, false);
  assert.equal(r(d, RTCMR), 0);
  assert.deepEqual(time.deadlines(), []);
  time.advanceTo(5000 + 2 * HZ);
  assert.equal(r(d, RTCDR), START + 2);
});

test("the default rate is the generic timer's 62.5 MHz", () => {
  const line = new FakeLine();
  const time = new FakeTime();
  time.t = 0;
  const d = new Pl031(line, time, time, { startEpochSeconds: 10 });
  time.t = 62_500_000 * 2;
  assert.equal(d.read(RTCDR, 4, 0), 12);
});

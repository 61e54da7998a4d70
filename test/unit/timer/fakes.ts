// Test doubles for timer tests: a clock moved by hand, a deadline queue run by hand, and a line
// that records every level it is given.

import type { IrqLine } from "../../../src/devices/device.js";
import type { Clock, TimerHandle, TimerQueue } from "../../../src/host/time.js";

export class FakeClock implements Clock {
  t: number;
  constructor(t = 0) {
    this.t = t;
  }
  now(): number {
    return this.t;
  }
}

interface Entry extends TimerHandle {
  deadline: number;
  callback: () => void;
}

/** A queue whose callbacks run only when the test advances time with `advanceTo`. */
export class FakeQueue implements TimerQueue {
  readonly entries: Entry[] = [];
  cancelled = 0;
  private nextId = 1;
  private readonly clock: FakeClock;

  constructor(clock: FakeClock) {
    this.clock = clock;
  }

  schedule(deadline: number, callback: () => void): TimerHandle {
    const e = { id: this.nextId++, deadline, callback };
    this.entries.push(e);
    return e;
  }

  cancel(handle: TimerHandle): void {
    const k = this.entries.findIndex((e) => e.id === handle.id);
    if (k >= 0) {
      this.entries.splice(k, 1);
      this.cancelled++;
    }
  }

  /** Deadlines still pending, earliest first. */
  deadlines(): number[] {
    return this.entries.map((e) => e.deadline).sort((a, b) => a - b);
  }

  /** Moves the clock to `t`, running every callback due by then, in deadline order. */
  advanceTo(t: number): void {
    for (;;) {
      let k = -1;
      for (let i = 0; i < this.entries.length; i++) {
        if (this.entries[i].deadline <= t && (k < 0 || this.entries[i].deadline < this.entries[k].deadline)) k = i;
      }
      if (k < 0) break;
      const e = this.entries[k];
      this.entries.splice(k, 1);
      this.clock.t = Math.max(this.clock.t, e.deadline);
      e.callback();
    }
    this.clock.t = t;
  }
}

export class RecordingLine implements IrqLine {
  level = false;
  readonly history: boolean[] = [];
  set(level: boolean): void {
    this.level = level;
    this.history.push(level);
  }
  /** Number of set(true) calls. */
  get raises(): number {
    return this.history.filter((l) => l).length;
  }
}

// A vcpu thread's clock correction against the I/O thread's, and a held shared clock.

import { test } from "node:test";
import assert from "node:assert/strict";
import { answerClockSync, measureClockCorrection } from "../../../src/host/clock-sync.js";
import { epochMs, HostClock } from "../../../src/host/clock.js";
import type { FromVcpu } from "../../../src/host/thread-messages.js";

test("clock sync: an I/O thread whose timeOrigin reads 250 ms ahead gives a correction of 250 ms", () => {
  const epoch = new Float64Array(2);
  const seq = new Int32Array(new SharedArrayBuffer(8));
  const asked: FromVcpu[] = [];
  const sink = {
    post(m: FromVcpu) {
      asked.push(m);
      answerClockSync(epoch, seq, 1);
      epoch[1] += 250;
    },
  };
  const c = measureClockCorrection(sink, 1, epoch, seq);
  assert.ok(Math.abs(c - 250) < 1, `correction ${c}`);
  assert.equal(asked.length, 5);
  assert.deepEqual(asked[0], { k: "clock", vcpu: 1 });
});

/** Spins for `ms` (a slow round trip). */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

test("clock sync: an offset within half the quickest round trip is noise, not a correction", () => {
  const epoch = new Float64Array(1);
  const seq = new Int32Array(new SharedArrayBuffer(4));
  let rounds = 0;
  // Every round takes 8 ms and the I/O thread answers 3 ms into it: the clocks agree, and the
  // 1 ms by which the answer is off the middle of the round trip says nothing.
  const sink = {
    post() {
      rounds++;
      spin(3);
      answerClockSync(epoch, seq, 0);
      spin(5);
    },
  };
  assert.equal(measureClockCorrection(sink, 0, epoch, seq), 0);
  assert.equal(rounds, 40, "slow round trips: it tries up to 40 times for a quick one");
});

test("clock sync: a slow start is outlasted, and the quick round's offset is the one kept", () => {
  const epoch = new Float64Array(1);
  const seq = new Int32Array(new SharedArrayBuffer(4));
  let rounds = 0;
  // The first rounds are slow (a thread starting on a busy host), then the answers come at once.
  const sink = {
    post() {
      rounds++;
      if (rounds <= 6) spin(4);
      answerClockSync(epoch, seq, 0);
      epoch[0] += 100;
      if (rounds <= 6) spin(4);
    },
  };
  const c = measureClockCorrection(sink, 0, epoch, seq);
  assert.ok(Math.abs(c - 100) < 0.5, `correction ${c}`);
  assert.equal(rounds, 7, "it stops at the first quick round after the slow ones");
});

test("clock sync: no answer leaves the clock uncorrected", () => {
  const seq = new Int32Array(new SharedArrayBuffer(4));
  const start = performance.now();
  const c = measureClockCorrection({ post() {} }, 0, new Float64Array(1), seq);
  assert.equal(c, 0);
  assert.ok(performance.now() - start >= 900, "gave up without waiting for the answer");
});

test("two clocks on one base agree once corrected, and a hold stops both at one count", async () => {
  const base = new Float64Array(new SharedArrayBuffer(16));
  const io = new HostClock(base);
  // The correction moves a thread's reading by just that much (here, as if its timeOrigin were
  // understated by 200 ms); with none, two threads of one process agree.
  const ahead = new HostClock(base, 200);
  const corrected = new HostClock(base, 0);
  const gap = (ahead.now() - io.now()) / 62_500;
  assert.ok(gap > 199 && gap < 201, `${gap} ms`);
  assert.ok(Math.abs(corrected.now() - io.now()) < 62_500);
  io.hold(true);
  const held = io.now();
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(io.now(), held);
  assert.equal(corrected.now(), held, "another thread's clock runs on while held");
  assert.equal(ahead.now(), held, "a held count is the same on every thread");
  io.hold(false);
  await new Promise((r) => setTimeout(r, 20));
  const after = corrected.now();
  assert.ok(after >= held + 62_500 && after < held + 40 * 62_500, `count ${after - held} ticks after the hold`);
  assert.ok(epochMs(5) - epochMs() >= 4.99);
});

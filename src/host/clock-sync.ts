// A vcpu thread's clock against the I/O thread's: the VM's count is one shared base read through
// each thread's own `performance.now()`, placed on a common scale by `performance.timeOrigin`,
// which browsers do not keep exact between workers (Chromium's workers were seen 200 ms apart).
// So a vcpu thread asks the I/O thread for the time a few times, Cristian's way: the answer was
// read between the question and its arrival, and the quickest round trip bounds the error.

import type { MessageSink } from "./thread-messages.js";
import { epochMs } from "./clock.js";

/** Rounds: at least the first number, and more (up to the second) until one is quick. A busy
 * host (threads starting, a loaded machine) makes round trips of tens of milliseconds, and the
 * error of the correction is up to half the quickest one: vcpus whose clocks disagree by tens of
 * milliseconds hang Linux (its clocksource must agree between CPUs). */
const ROUNDS_MIN = 5;
const ROUNDS_MAX = 40;
const QUICK_ROUND_MS = 0.5;
const ANSWER_WAIT_MS = 1000;

/** The I/O thread's half: the answer slot of vcpu `v` gets the time now. */
export function answerClockSync(epoch: Float64Array, seq: Int32Array, v: number): void {
  epoch[v] = epochMs();
  Atomics.add(seq, v, 1);
  Atomics.notify(seq, v);
}

/** The vcpu thread's half: the correction (ms) to add to this thread's timeOrigin so that its
 * epoch agrees with the I/O thread's; 0 if the I/O thread does not answer. */
export function measureClockCorrection(sink: MessageSink, vcpu: number, epoch: Float64Array, seq: Int32Array): number {
  let best = Infinity;
  let correction = 0;
  for (let k = 0; k < ROUNDS_MAX && (k < ROUNDS_MIN || best > QUICK_ROUND_MS); k++) {
    const before = Atomics.load(seq, vcpu);
    const t0 = epochMs();
    sink.post({ k: "clock", vcpu });
    if (Atomics.wait(seq, vcpu, before, ANSWER_WAIT_MS) === "timed-out") break;
    const t1 = epochMs();
    if (t1 - t0 < best) {
      best = t1 - t0;
      correction = epoch[vcpu] - (t0 + t1) / 2;
    }
  }
  // Within the round trip's uncertainty the clocks already agree (Node's threads do, exactly):
  // a "correction" there would only be measurement noise, and vcpus whose clocks disagree by it
  // could show a guest time going backwards between CPUs.
  return Math.abs(correction) <= best / 2 ? 0 : correction;
}

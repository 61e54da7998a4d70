import { test } from "node:test";
import assert from "node:assert/strict";
import { DeadlineQueue } from "../../../src/host/timer-queue.js";
import { IcountClock, INSTRUCTIONS_PER_TICK } from "../../../src/host/clock.js";

test("deadlines fire in order, ties in scheduling order, cancelled ones never", () => {
  const q = new DeadlineQueue();
  const fired: string[] = [];
  q.schedule(30, () => fired.push("c"));
  q.schedule(10, () => fired.push("a1"));
  const gone = q.schedule(20, () => fired.push("never"));
  q.schedule(10, () => fired.push("a2"));
  q.cancel(gone);
  assert.equal(q.nextDeadline(), 10);
  assert.equal(q.runExpired(9), 0);
  assert.equal(q.runExpired(25), 2);
  assert.deepEqual(fired, ["a1", "a2"]);
  assert.equal(q.nextDeadline(), 30);
  q.runExpired(100);
  assert.deepEqual(fired, ["a1", "a2", "c"]);
  assert.equal(q.nextDeadline(), Infinity);
});

test("a callback may schedule another deadline that is already due", () => {
  const q = new DeadlineQueue();
  const fired: number[] = [];
  q.schedule(5, () => {
    fired.push(5);
    q.schedule(6, () => fired.push(6));
  });
  q.runExpired(10);
  assert.deepEqual(fired, [5, 6]);
});

test("icount clock counts instructions and warps forward only", () => {
  let insns = 0;
  const clock = new IcountClock(() => insns);
  insns = 160;
  assert.equal(clock.now(), 160 / INSTRUCTIONS_PER_TICK);
  clock.warpTo(1000);
  assert.equal(clock.now(), 1000);
  clock.warpTo(500);
  assert.equal(clock.now(), 1000, "never backwards");
  insns += 16 * INSTRUCTIONS_PER_TICK;
  assert.equal(clock.now(), 1016);
});

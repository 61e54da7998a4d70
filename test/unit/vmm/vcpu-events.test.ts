// The live event rings of the vcpus: nothing is written while nobody watches; watched, each vcpu's
// lane stamps its entries with its clock, keeps them apart from the other vcpus', and a reader gets
// them in order with every field, or the newest ones still in the ring after falling behind.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SharedArrays } from "../../../src/host/shared-arrays.js";
import { EV_BLOCK, EV_INJECT, EV_RUN, EVENT_RING, VcpuEventLane, VcpuEvents } from "../../../src/vmm/vcpu-events.js";
import { FakeClock } from "../timer/fakes.js";

function entries(ev: VcpuEvents, v: number, from = 0): number[][] {
  const out: number[][] = [];
  ev.read(v, from, (t, kind, arg) => out.push([t, kind, arg]));
  return out;
}

test("nothing is recorded while nobody watches", () => {
  const ev = new VcpuEvents(2, new SharedArrays());
  const lane = new VcpuEventLane(ev, 1, new FakeClock(5));
  assert.equal(lane.watched, false);
  lane.record(EV_RUN, 0);
  ev.record(0, 1, EV_RUN, 0);
  assert.deepEqual([...ev.heads], [0, 0]);
  assert.deepEqual(entries(ev, 1), []);
});

test("watched: each lane's entries carry its clock's time, the kind and the argument, apart from the other vcpu's", () => {
  const ev = new VcpuEvents(2, new SharedArrays());
  ev.watching[0] = 1;
  const clock = new FakeClock(100);
  const lanes = [new VcpuEventLane(ev, 0, clock), new VcpuEventLane(ev, 1, clock)];
  assert.equal(lanes[1].watched, true);
  lanes[1].record(EV_RUN, 0);
  clock.t = 250;
  lanes[0].record(EV_INJECT, 1);
  lanes[1].record(EV_BLOCK, 7000);
  assert.deepEqual(entries(ev, 0), [[250, EV_INJECT, 1]]);
  assert.deepEqual(entries(ev, 1), [
    [100, EV_RUN, 0],
    [250, EV_BLOCK, 7000],
  ]);
  assert.deepEqual(entries(ev, 1, 1), [[250, EV_BLOCK, 7000]], "from where the reader left off");
  assert.equal(
    ev.read(1, 0, () => {}),
    2,
  );
});

test("a reader that fell a ring behind gets only entries still in the ring, the newest last", () => {
  const ev = new VcpuEvents(2, new SharedArrays());
  ev.watching[0] = 1;
  const total = EVENT_RING + 100;
  for (let k = 0; k < total; k++) ev.record(1, k, EV_RUN, k);
  const seen = entries(ev, 1).map(([t]) => t);
  assert.ok(seen[0] >= total - EVENT_RING, "no overwritten entry");
  assert.ok(seen.length >= EVENT_RING - 64, "no more than a small margin dropped");
  assert.equal(seen.at(-1), total - 1);
  for (let k = 1; k < seen.length; k++) assert.equal(seen[k], seen[k - 1] + 1);
  assert.deepEqual(entries(ev, 0), [], "vcpu 0's ring untouched");
});

// The VM's shared control words: kicks, fate, and the clean log that tells vcpu threads which
// pages' translated code an instruction-cache invalidate must drop.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CLEAN_LOG,
  Fate,
  MAINT_CODE,
  MAINT_SAVE,
  MAINT_STATS,
  MAINT_TLB,
  TLB_ASID,
  TLB_LOG,
  TLB_MVA,
  TLB_MVA_ALL_ASID,
  VmControl,
} from "../../../src/vmm/vm-control.js";
import { SharedArrays } from "../../../src/host/shared-arrays.js";

function pagesFrom(c: VmControl, from: number): { pages: number[]; next: number } {
  const pages: number[] = [];
  const next = c.readCleaned(from, (p) => pages.push(p));
  return { pages, next };
}

test("clean log: a reader gets the pages logged since it last looked, in order", () => {
  const c = new VmControl(2);
  const start = c.cleanedSoFar();
  c.logCleaned(0x3000);
  c.logCleaned(0x5000);
  let r = pagesFrom(c, start);
  assert.deepEqual(r.pages, [0x3000, 0x5000]);
  c.logCleaned(-1);
  r = pagesFrom(c, r.next);
  assert.deepEqual(r.pages, [-1], "a clean by set/way reaches every page");
  assert.deepEqual(pagesFrom(c, r.next).pages, [], "nothing new");
});

test("clean log: a reader that fell more than a log behind drops everything once", () => {
  const c = new VmControl(1);
  const start = c.cleanedSoFar();
  for (let k = 0; k <= CLEAN_LOG; k++) c.logCleaned(k << 12);
  const r = pagesFrom(c, start);
  assert.deepEqual(r.pages, [-1]);
  assert.equal(r.next, c.cleanedSoFar());
});

test("another thread's view of the same buffers sees the same log, kicks and fate", () => {
  const a = new VmControl(2);
  const b = new VmControl(2, new SharedArrays(a.mem.buffers));
  a.logCleaned(0x7000);
  assert.deepEqual(pagesFrom(b, 0).pages, [0x7000]);
  b.kick(1);
  assert.equal(Atomics.load(a.kicks, 1), 1);
  assert.equal(a.setFate(Fate.POWER_OFF), true);
  assert.equal(b.setFate(Fate.RESET), false, "the first fate set wins");
  assert.equal(b.running, false);
  assert.equal(Atomics.load(b.kicks, 0), 1, "ending the VM kicks every vcpu");
});

test("TLB log: broadcast invalidations reach a reader in order; a reader a whole log behind flushes all", () => {
  const c = new VmControl(2);
  let from = c.tlbOps.end();
  c.tlbOps.append(TLB_MVA, 0x40001005);
  c.tlbOps.append(TLB_ASID, 5);
  const seen: [number, number][] = [];
  let lost = 0;
  from = c.tlbOps.read(
    from,
    (kind, value) => seen.push([kind, value]),
    () => lost++,
  );
  assert.deepEqual(seen, [
    [TLB_MVA, 0x40001005],
    [TLB_ASID, 5],
  ]);
  assert.equal(lost, 0);
  for (let k = 0; k <= TLB_LOG; k++) c.tlbOps.append(TLB_MVA_ALL_ASID, k << 12);
  seen.length = 0;
  c.tlbOps.read(
    from,
    (kind, value) => seen.push([kind, value]),
    () => lost++,
  );
  assert.deepEqual(seen, [], "entries overwritten before they were read are not replayed");
  assert.equal(lost, 1, "the reader is told once, and flushes everything");
});

test("requests: a snapshot request waits for the hold; the others are taken at once, each vcpu its own", () => {
  const c = new VmControl(2);
  Atomics.or(c.maintenance, 0, MAINT_SAVE | MAINT_TLB | MAINT_STATS);
  Atomics.or(c.maintenance, 1, MAINT_CODE);
  // At the entry gate or in an MMIO trap (not held): everything but the save.
  assert.equal(c.takeRequests(0, false), MAINT_TLB | MAINT_STATS);
  assert.equal(c.maintenance[0], MAINT_SAVE, "the save request stays for the hold");
  assert.equal(c.takeRequests(0, false), 0);
  // Held between slices: the save is taken, and nothing is left.
  Atomics.or(c.maintenance, 0, MAINT_TLB);
  assert.equal(c.takeRequests(0, true), MAINT_SAVE | MAINT_TLB);
  assert.equal(c.maintenance[0], 0);
  assert.equal(c.takeRequests(1, true), MAINT_CODE, "vcpu 1's own request, untouched by vcpu 0's");
});

test("parking: a snapshot's wait ends once every other vcpu is parked, when the hold ends, or when the VM stops", () => {
  const c = new VmControl(3);
  // Another thread's view of the same words (a vcpu thread parks itself there).
  const view = new VmControl(3, new SharedArrays(c.mem.buffers));
  c.setHold(true);
  view.park(1);
  view.park(2);
  // Vcpu 0 (itself not parked) finds the others parked: no wait. (Each of these calls would
  // otherwise wait for ever, and the test fail on its timeout.)
  const started = performance.now();
  c.waitAllParked(0);
  assert.ok(performance.now() - started < 50, "waited although every other vcpu was parked");
  // A vcpu that left the hold is waited for until the hold ends, or the VM ends.
  view.unpark(2);
  c.setHold(false);
  c.waitAllParked(0);
  c.setHold(true);
  c.setFate(Fate.POWER_OFF);
  c.waitAllParked(0);
});

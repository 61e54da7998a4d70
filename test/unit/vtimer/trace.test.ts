// `--trace vtimer` line by line and the vtimer counters of --stats: host timers armed when a vcpu
// blocks or is descheduled, fired at the deadline or early, the soft physical timer, with the
// vcpu's own number in every line.

import { test } from "node:test";
import assert from "node:assert/strict";
import { VIRT_TIMER } from "../../../src/timer/registers.js";
import { Vtimer } from "../../../src/vmm/vtimer.js";
import { RecordingLine } from "../timer/fakes.js";
import { rig, T0, type Rig } from "./rig.js";

const ENABLE = 1;
const IMASK = 2;
/** MCR p15, 0, r1, c14, c2, 0 — write CNTP_TVAL (see vtimer-phys.test.ts). */
const MCR_CNTP_TVAL = 0x0fe0_3824;
/** MCR p15, 0, r3, c14, c2, 1 — write CNTP_CTL. */
const MCR_CNTP_CTL = 0x0fe2_3864;

/** A vcpu 3 on the rig's hardware, tracing into `lines`. */
function vcpu3(r: Rig, lines: string[]): { vt: Vtimer; virt: RecordingLine; phys: RecordingLine; wakes: number[] } {
  const virt = new RecordingLine();
  const phys = new RecordingLine();
  const wakes: number[] = [];
  const vt = new Vtimer(r.vm, {
    id: 3,
    hw: r.hw,
    hostIrq: r.hostIrq,
    virtIrq: virt,
    physIrq: phys,
    wake: () => wakes.push(r.clock.t),
  });
  vt.trace = (m) => lines.push(m);
  return { vt, virt, phys, wakes };
}

test("trace: a blocking vcpu's host timer, armed and fired at the deadline", () => {
  const r = rig();
  const lines: string[] = [];
  const { vt, wakes } = vcpu3(r, lines);
  vt.load();
  r.hw.writeTval(VIRT_TIMER, 5000);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.clock.t = T0 + 1000;
  vt.put(true);
  r.queue.advanceTo(T0 + 5000);
  assert.deepEqual(lines, [
    `vcpu3 blocks: host timer at ${T0 + 5000} (+4000)`,
    "vcpu3 host timer fired: ppi 27 raised, wake",
  ]);
  assert.deepEqual(wakes, [T0 + 5000]);
  const s = vt.stats;
  assert.deepEqual(
    [s.hostTimersArmed, s.hostTimerWakes, s.hostTimersEarly, s.virtInjected, s.injectedWhileBlocked],
    [1, 1, 0, 1, 1],
  );
});

test("trace: a descheduled vcpu 'leaves'; loading again cancels its host timer, silently", () => {
  const r = rig();
  const lines: string[] = [];
  const { vt } = vcpu3(r, lines);
  vt.load();
  r.hw.writeTval(VIRT_TIMER, 70);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  vt.put(false);
  vt.load();
  r.queue.advanceTo(T0 + 100);
  assert.deepEqual(lines, [`vcpu3 leaves: host timer at ${T0 + 70} (+70)`]);
  assert.equal(vt.stats.hostTimerWakes, 0);
  assert.equal(r.queue.cancelled, 1);
});

test("a host timer that fires early is counted, re-armed at the deadline, and traces nothing", () => {
  const r = rig();
  const lines: string[] = [];
  const { vt, virt, wakes } = vcpu3(r, lines);
  vt.load();
  r.hw.writeTval(VIRT_TIMER, 500);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  vt.put(true);
  // The host timer runs 200 ticks before the virtual deadline (as a host clock behind would).
  const entry = r.queue.entries[0];
  r.queue.entries.length = 0;
  r.clock.t = T0 + 300;
  entry.callback();
  assert.equal(vt.stats.hostTimersEarly, 1);
  assert.equal(virt.level, false);
  assert.deepEqual(wakes, []);
  assert.deepEqual(r.queue.deadlines(), [T0 + 500], "re-armed at the deadline itself");
  r.queue.advanceTo(T0 + 500);
  assert.equal(virt.level, true);
  assert.deepEqual(wakes, [T0 + 500]);
  assert.equal(vt.stats.hostTimerWakes, 1);
  assert.equal(lines.length, 2, "the arm and the real firing");
});

test("an early host timer for a timer since masked is counted and not re-armed", () => {
  const r = rig();
  const { vt, virt } = vcpu3(r, []);
  vt.load();
  r.hw.writeTval(VIRT_TIMER, 500);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  vt.put(true);
  const entry = r.queue.entries[0];
  r.queue.entries.length = 0;
  // The saved copy is what the host timer looks at; make it unable to fire.
  vt.load();
  r.hw.writeCtl(VIRT_TIMER, ENABLE | IMASK);
  vt.put(true);
  assert.equal(r.queue.entries.length, 0, "masked: nothing armed");
  entry.callback();
  assert.equal(vt.stats.hostTimersEarly, 1);
  assert.equal(r.queue.entries.length, 0, "never: not re-armed");
  assert.equal(virt.level, false);
});

test("a host timer that fires after the vcpu is back on its CPU does nothing", () => {
  const r = rig();
  const { vt, virt, wakes } = vcpu3(r, []);
  vt.load();
  r.hw.writeTval(VIRT_TIMER, 500);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  vt.put(true);
  const entry = r.queue.entries[0];
  vt.load();
  r.clock.t = T0 + 600;
  entry.callback();
  assert.deepEqual([vt.stats.hostTimerWakes, vt.stats.hostTimersEarly], [0, 0]);
  assert.deepEqual(wakes, []);
  assert.equal(virt.level, false, "the exit after the slice finds it instead");
});

test("trace: the soft physical timer fires, raises PPI 30 and wakes the vcpu", () => {
  const r = rig();
  const lines: string[] = [];
  const { vt, phys, wakes } = vcpu3(r, lines);
  vt.load();
  assert.equal(vt.handleCoprocTrap(MCR_CNTP_TVAL, 300, 0), true);
  assert.equal(vt.handleCoprocTrap(MCR_CNTP_CTL, ENABLE, 0), true);
  vt.put(true);
  r.queue.advanceTo(T0 + 300);
  assert.deepEqual(lines, ["vcpu3 physical soft timer fired: ppi 30 raised"]);
  assert.equal(phys.level, true);
  assert.deepEqual(wakes, [T0 + 300]);
  const s = vt.stats;
  assert.deepEqual([s.physInjected, s.injectedWhileBlocked, s.injectedWhileRunning, s.physTraps], [1, 1, 0, 2]);
});

test("a physical timer condition met by a trapped write while running: injected, no wake, no trace", () => {
  const r = rig();
  const lines: string[] = [];
  const { vt, phys, wakes } = vcpu3(r, lines);
  vt.load();
  vt.handleCoprocTrap(MCR_CNTP_TVAL, -5, 0);
  vt.handleCoprocTrap(MCR_CNTP_CTL, ENABLE, 0);
  assert.equal(phys.level, true);
  assert.deepEqual(wakes, []);
  assert.deepEqual(lines, []);
  assert.deepEqual([vt.stats.physInjected, vt.stats.injectedWhileRunning, vt.stats.injectedWhileBlocked], [1, 1, 0]);
});

test("no trace sink: the same events, no lines", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, 50);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.vtimer.put(true);
  r.queue.advanceTo(T0 + 50);
  assert.equal(r.vtimer.trace, null);
  assert.equal(r.vtimer.stats.hostTimerWakes, 1);
});

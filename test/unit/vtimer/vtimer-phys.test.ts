// The trapped physical timer: guest CNTP_CTL/TVAL/CVAL and CNTPCT accesses arrive as HSR
// syndromes (EC 0x03 MCR/MRC, EC 0x04 MCRR/MRRC) and are emulated with a soft timer on PPI 30.
//
// Syndromes, hand-encoded (DDI 0406C B3.13.6), all with IL=1, CV=1, COND=0xE:
//   EC 0x03 ISS: Opc2[19:17] Opc1[16:14] CRn[13:10] Rt[8:5] CRm[4:1] Dir[0] (1 = read)
//   EC 0x04 ISS: Opc1[19:16] Rt2[13:10] Rt[8:5] CRm[4:1] Dir[0]

import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeTimerTrap, TimerTrapReg } from "../../../src/vmm/vtimer-trap.js";
import { rig, T0 } from "./rig.js";
import { EmulatedPhysTimer } from "../../../src/vmm/vtimer-phys.js";
import { DeadlineQueue } from "../../../src/host/timer-queue.js";
import { FakeClock, RecordingLine } from "../timer/fakes.js";
import { saved } from "../../helpers/state-bytes.js";

/** MRC p15, 0, r2, c14, c2, 1 — read CNTP_CTL. 0x0C000000|IL|CV|COND E|opc2 1<<17|CRn 14<<10|Rt 2<<5|CRm 2<<1|1 */
const MRC_CNTP_CTL = 0x0fe2_3845;
/** MCR p15, 0, r3, c14, c2, 1 — write CNTP_CTL. */
const MCR_CNTP_CTL = 0x0fe2_3864;
/** MCR p15, 0, r1, c14, c2, 0 — write CNTP_TVAL. */
const MCR_CNTP_TVAL = 0x0fe0_3824;
/** MRC p15, 0, r1, c14, c2, 0 — read CNTP_TVAL. */
const MRC_CNTP_TVAL = 0x0fe0_3825;
/** MCRR p15, 2, r0, r1, c14 — write CNTP_CVAL. 0x10000000|IL|CV|COND E|opc1 2<<16|Rt2 1<<10|CRm 14<<1 */
const MCRR_CNTP_CVAL = 0x13e2_041c;
/** MRRC p15, 2, r0, r1, c14 — read CNTP_CVAL. */
const MRRC_CNTP_CVAL = 0x13e2_041d;
/** MRRC p15, 0, r0, r1, c14 — read CNTPCT. */
const MRRC_CNTPCT = 0x13e0_041d;
/** MCRR p15, 0, r0, r1, c14 — CNTPCT is read-only: not ours. */
const MCRR_CNTPCT = 0x13e0_041c;
/** MRC p15, 0, r0, c14, c3, 1 — CNTV_CTL, never trapped: not ours. */
const MRC_CNTV_CTL = 0x0fe2_3807;
/** MRC p15, 0, r0, c1, c0, 0 — SCTLR: not a timer register. */
const MRC_SCTLR = 0x0fe0_0401;

const ENABLE = 1;
const IMASK = 2;
const ISTATUS = 4;

test("the syndrome decoder names the trapped timer registers and nothing else", () => {
  assert.equal(decodeTimerTrap(MRC_CNTP_CTL), TimerTrapReg.CNTP_CTL);
  assert.equal(decodeTimerTrap(MCR_CNTP_CTL), TimerTrapReg.CNTP_CTL);
  assert.equal(decodeTimerTrap(MCR_CNTP_TVAL), TimerTrapReg.CNTP_TVAL);
  assert.equal(decodeTimerTrap(MRC_CNTP_TVAL), TimerTrapReg.CNTP_TVAL);
  assert.equal(decodeTimerTrap(MCRR_CNTP_CVAL), TimerTrapReg.CNTP_CVAL);
  assert.equal(decodeTimerTrap(MRRC_CNTP_CVAL), TimerTrapReg.CNTP_CVAL);
  assert.equal(decodeTimerTrap(MRRC_CNTPCT), TimerTrapReg.CNTPCT);
  assert.equal(decodeTimerTrap(MCRR_CNTPCT), TimerTrapReg.NONE);
  assert.equal(decodeTimerTrap(MRC_CNTV_CTL), TimerTrapReg.NONE);
  assert.equal(decodeTimerTrap(MRC_SCTLR), TimerTrapReg.NONE);
  assert.equal(decodeTimerTrap(0x4800_0000), TimerTrapReg.NONE, "HVC class");
});

test("a non-timer trap is left to the caller", () => {
  const r = rig();
  assert.equal(r.vtimer.handleCoprocTrap(MRC_SCTLR, 0, 0), false);
  assert.equal(r.vtimer.stats.physTraps, 0);
});

test("CNTPCT reads the physical count, both words", () => {
  const r = rig();
  r.clock.t = 3 * 2 ** 32 + 0x1234;
  assert.equal(r.vtimer.handleCoprocTrap(MRRC_CNTPCT, 0, 0), true);
  assert.equal(r.vtimer.trapValue, 0x1234);
  assert.equal(r.vtimer.trapValueHi, 3);
});

test("CNTP_CVAL: MCRR writes both halves, MRRC reads them back", () => {
  const r = rig();
  assert.ok(r.vtimer.handleCoprocTrap(MCRR_CNTP_CVAL, 0xdead_beef, 0x0000_0042));
  assert.ok(r.vtimer.handleCoprocTrap(MRRC_CNTP_CVAL, 0, 0));
  assert.equal(r.vtimer.trapValue >>> 0, 0xdead_beef);
  assert.equal(r.vtimer.trapValueHi, 0x42);
});

test("CNTP_TVAL: write sets CVAL = count + TVAL; reads count down and go negative", () => {
  const r = rig();
  r.vtimer.handleCoprocTrap(MCR_CNTP_TVAL, 1000, 0);
  r.vtimer.handleCoprocTrap(MRRC_CNTP_CVAL, 0, 0);
  assert.equal(r.vtimer.trapValue, T0 + 1000, "the physical timer counts the physical count");
  r.clock.t = T0 + 400;
  r.vtimer.handleCoprocTrap(MRC_CNTP_TVAL, 0, 0);
  assert.equal(r.vtimer.trapValue, 600);
  r.clock.t = T0 + 1300;
  r.vtimer.handleCoprocTrap(MRC_CNTP_TVAL, 0, 0);
  assert.equal(r.vtimer.trapValue | 0, -300);
  // A negative TVAL write (0xffffff9c = −100) is sign-extended.
  r.vtimer.handleCoprocTrap(MCR_CNTP_TVAL, 0xffff_ff9c, 0);
  r.vtimer.handleCoprocTrap(MRRC_CNTP_CVAL, 0, 0);
  assert.equal(r.vtimer.trapValue, T0 + 1300 - 100);
});

test("CNTP_CTL: ENABLE/IMASK stored, ISTATUS computed, written ISTATUS ignored", () => {
  const r = rig();
  r.vtimer.handleCoprocTrap(MCR_CNTP_TVAL, 100, 0);
  r.vtimer.handleCoprocTrap(MCR_CNTP_CTL, ENABLE | IMASK | ISTATUS, 0);
  r.vtimer.handleCoprocTrap(MRC_CNTP_CTL, 0, 0);
  assert.equal(r.vtimer.trapValue, ENABLE | IMASK);
  r.clock.t = T0 + 100;
  r.vtimer.handleCoprocTrap(MRC_CNTP_CTL, 0, 0);
  assert.equal(r.vtimer.trapValue, ENABLE | IMASK | ISTATUS, "condition met, even though masked");
  assert.equal(r.physIrq.level, false, "masked: no interrupt");
  assert.equal(r.vtimer.stats.physTraps, 4);
});

test("the soft timer raises PPI 30 at the deadline and wakes a blocked vcpu", () => {
  const r = rig();
  r.vtimer.load();
  r.vtimer.handleCoprocTrap(MCR_CNTP_TVAL, 625_000, 0);
  r.vtimer.handleCoprocTrap(MCR_CNTP_CTL, ENABLE, 0);
  assert.deepEqual(r.queue.deadlines(), [T0 + 625_000]);
  r.vtimer.put(true); // WFI
  r.queue.advanceTo(T0 + 624_999);
  assert.equal(r.physIrq.level, false);
  r.queue.advanceTo(T0 + 625_000);
  assert.equal(r.physIrq.level, true);
  assert.equal(r.wakes.count, 1);
  assert.equal(r.vtimer.stats.physInjected, 1);
  assert.equal(r.vtimer.stats.injectedWhileBlocked, 1);
  assert.equal(r.virtIrq.level, false, "the virtual timer's line is separate");
});

test("IMASK through the trap drops PPI 30 and unmasking raises it again (level semantics)", () => {
  const r = rig();
  r.vtimer.load();
  r.vtimer.handleCoprocTrap(MCR_CNTP_TVAL, 0xffff_fff6, 0); // −10: already expired
  r.vtimer.handleCoprocTrap(MCR_CNTP_CTL, ENABLE, 0);
  assert.equal(r.physIrq.level, true, "CVAL in the past fires at once");
  assert.equal(r.wakes.count, 0, "raised during the guest's own access: it is running");
  r.vtimer.handleCoprocTrap(MCR_CNTP_CTL, ENABLE | IMASK, 0);
  assert.equal(r.physIrq.level, false);
  r.vtimer.handleCoprocTrap(MCR_CNTP_CTL, ENABLE, 0);
  assert.equal(r.physIrq.level, true);
  assert.deepEqual(r.physIrq.history, [true, false, true]);
  assert.equal(r.queue.entries.length, 0, "nothing to wait for while it fires");
});

test("reprogramming into the future drops PPI 30 and moves the soft timer; disabling cancels it", () => {
  const r = rig();
  r.vtimer.handleCoprocTrap(MCR_CNTP_TVAL, 0, 0);
  r.vtimer.handleCoprocTrap(MCR_CNTP_CTL, ENABLE, 0);
  assert.equal(r.physIrq.level, true);
  r.vtimer.handleCoprocTrap(MCRR_CNTP_CVAL, T0 + 5000, 0);
  assert.equal(r.physIrq.level, false);
  assert.deepEqual(r.queue.deadlines(), [T0 + 5000]);
  r.vtimer.handleCoprocTrap(MCR_CNTP_TVAL, 200, 0);
  assert.deepEqual(r.queue.deadlines(), [T0 + 200], "the old deadline is cancelled");
  r.vtimer.handleCoprocTrap(MCR_CNTP_CTL, 0, 0);
  assert.deepEqual(r.queue.deadlines(), []);
  r.queue.advanceTo(T0 + 10_000);
  assert.equal(r.physIrq.raises, 1, "only the first, immediate one");
});

test("reset disables the physical timer and drops PPI 30", () => {
  const r = rig();
  r.vtimer.handleCoprocTrap(MCR_CNTP_TVAL, 0, 0);
  r.vtimer.handleCoprocTrap(MCR_CNTP_CTL, ENABLE, 0);
  r.vtimer.reset();
  assert.equal(r.physIrq.level, false);
  r.vtimer.handleCoprocTrap(MRC_CNTP_CTL, 0, 0);
  assert.equal(r.vtimer.trapValue, 0);
});

/** A CP15 MCR/MRC syndrome (EC 0x03) with the given fields, Rt = r0. */
function mcr(opc1: number, crn: number, crm: number, opc2: number, read: boolean): number {
  return ((0x03 << 26) | (1 << 25) | (opc2 << 17) | (opc1 << 14) | (crn << 10) | (crm << 1) | (read ? 1 : 0)) >>> 0;
}
/** A CP15 MCRR/MRRC syndrome (EC 0x04) with the given fields. */
function mcrr(opc1: number, crm: number, read: boolean, ec = 0x04): number {
  return ((ec << 26) | (1 << 25) | (opc1 << 16) | (1 << 10) | (crm << 1) | (read ? 1 : 0)) >>> 0;
}

test("the decoder needs every field right: opc1, CRn, CRm and opc2 of MCR/MRC; opc1 and CRm of MCRR/MRRC", () => {
  assert.equal(decodeTimerTrap(mcr(0, 14, 2, 0, true)), TimerTrapReg.CNTP_TVAL);
  assert.equal(decodeTimerTrap(mcr(0, 14, 2, 1, false)), TimerTrapReg.CNTP_CTL);
  assert.equal(decodeTimerTrap(mcr(1, 14, 2, 1, true)), TimerTrapReg.NONE, "opc1 1");
  assert.equal(decodeTimerTrap(mcr(0, 13, 2, 1, true)), TimerTrapReg.NONE, "CRn 13");
  assert.equal(decodeTimerTrap(mcr(0, 14, 0, 0, true)), TimerTrapReg.NONE, "CNTFRQ (c14, c0, 0)");
  assert.equal(decodeTimerTrap(mcr(0, 14, 3, 0, true)), TimerTrapReg.NONE, "CNTV_TVAL (c14, c3, 0)");
  assert.equal(decodeTimerTrap(mcr(0, 14, 1, 0, true)), TimerTrapReg.NONE, "CNTKCTL (c14, c1, 0)");
  assert.equal(decodeTimerTrap(mcr(0, 14, 2, 2, true)), TimerTrapReg.NONE, "opc2 2");
  assert.equal(decodeTimerTrap(mcr(4, 14, 2, 0, true)), TimerTrapReg.NONE, "CNTHP_TVAL (opc1 4)");
  assert.equal(decodeTimerTrap(mcrr(2, 14, false)), TimerTrapReg.CNTP_CVAL);
  assert.equal(decodeTimerTrap(mcrr(2, 15, false)), TimerTrapReg.NONE, "CRm 15");
  assert.equal(decodeTimerTrap(mcrr(1, 14, true)), TimerTrapReg.NONE, "CNTVCT (MRRC opc1 1)");
  assert.equal(decodeTimerTrap(mcrr(3, 14, true)), TimerTrapReg.NONE, "CNTV_CVAL (opc1 3)");
  assert.equal(decodeTimerTrap(mcrr(0, 14, true)), TimerTrapReg.CNTPCT);
  assert.equal(decodeTimerTrap(mcrr(2, 14, true, 0x05)), TimerTrapReg.NONE, "CP14 (EC 0x05)");
  assert.equal(decodeTimerTrap(mcrr(2, 14, true, 0x0c)), TimerTrapReg.NONE, "MRRC to CP14 (EC 0x0C)");
});

test("a CVAL or TVAL write that meets the condition raises PPI 30 at once, without a wake, and a fall is no injection", () => {
  const r = rig();
  r.vtimer.load();
  r.vtimer.handleCoprocTrap(MCRR_CNTP_CVAL, T0 + 5000, 0);
  r.vtimer.handleCoprocTrap(MCR_CNTP_CTL, ENABLE, 0);
  assert.equal(r.physIrq.level, false);
  r.vtimer.handleCoprocTrap(MCRR_CNTP_CVAL, T0 - 1, 0); // in the past
  assert.equal(r.physIrq.level, true);
  r.vtimer.handleCoprocTrap(MCRR_CNTP_CVAL, T0 + 5000, 0);
  assert.equal(r.physIrq.level, false);
  r.vtimer.handleCoprocTrap(MCR_CNTP_TVAL, 0, 0); // CVAL = now
  assert.equal(r.physIrq.level, true);
  assert.equal(r.wakes.count, 0, "the guest is running its own access: nothing to wake");
  assert.equal(r.vtimer.stats.physInjected, 2, "two rises; the fall between is not counted");
  assert.equal(r.vtimer.stats.injectedWhileRunning, 2);
});

test("an access that leaves the deadline where it was does not touch the soft timer", () => {
  const r = rig();
  r.vtimer.handleCoprocTrap(MCR_CNTP_TVAL, 300, 0);
  r.vtimer.handleCoprocTrap(MCR_CNTP_CTL, ENABLE, 0);
  const armed = r.queue.entries[0];
  r.vtimer.handleCoprocTrap(MCR_CNTP_CTL, ENABLE, 0);
  r.vtimer.handleCoprocTrap(MCRR_CNTP_CVAL, T0 + 300, 0);
  assert.deepEqual(r.queue.entries, [armed]);
  assert.equal(r.queue.cancelled, 0);
});

test("restore replaces the soft timer with the saved one: armed, it fires at its deadline; none, none is left", () => {
  const from = rig();
  from.vtimer.handleCoprocTrap(MCR_CNTP_TVAL, 5000, 0);
  from.vtimer.handleCoprocTrap(MCR_CNTP_CTL, ENABLE, 0);
  const armed = saved((w) => from.vtimer.phys.save(w));
  from.vtimer.handleCoprocTrap(MCR_CNTP_CTL, 0, 0);
  const idle = saved((w) => from.vtimer.phys.save(w));

  const to = rig();
  to.vtimer.handleCoprocTrap(MCR_CNTP_TVAL, 200, 0);
  to.vtimer.handleCoprocTrap(MCR_CNTP_CTL, ENABLE, 0);
  to.vtimer.phys.restore(armed);
  assert.deepEqual(to.queue.deadlines(), [T0 + 5000], "the restoring machine's own soft timer is cancelled");
  to.queue.advanceTo(T0 + 4999);
  assert.equal(to.physIrq.level, false);
  to.queue.advanceTo(T0 + 5000);
  assert.equal(to.physIrq.level, true);
  assert.equal(to.wakes.count, 1);

  const off = rig();
  off.vtimer.handleCoprocTrap(MCR_CNTP_TVAL, 200, 0);
  off.vtimer.handleCoprocTrap(MCR_CNTP_CTL, ENABLE, 0);
  off.vtimer.phys.restore(idle);
  assert.deepEqual(off.queue.deadlines(), [], "a disabled timer has nothing to wait for");
});

test("a restored soft timer keeps its place among the host timers of the same deadline", () => {
  const clock = new FakeClock(T0);
  const before = new DeadlineQueue();
  before.schedule(T0 + 1, () => {});
  before.schedule(T0 + 100, () => {}); // another timer, scheduled before the guest's
  const phys = new EmulatedPhysTimer(clock, before, new RecordingLine(), () => {});
  phys.writeCvalWords(0, T0 + 100);
  phys.writeCtl(ENABLE);
  const state = saved((w) => phys.save(w));

  const order: string[] = [];
  const after = new DeadlineQueue();
  after.schedule(T0 + 100, () => order.push("other"), 1); // restored with its own order
  const restored = new EmulatedPhysTimer(clock, after, new RecordingLine(), () => order.push("phys"));
  restored.restore(state);
  clock.t = T0 + 100;
  after.runExpired(T0 + 100);
  assert.deepEqual(order, ["other", "phys"], "ties fire in the original scheduling order");
});

// Virtual-timer virtualization for one vcpu: CNTVOFF, save/restore across put/load, the host timer
// that keeps a blocked vcpu's tick, the level on PPI 27 (no storm, no duplicate, dropped on IMASK),
// and the interplay with the host's PPI gate. The guest side is played by writing the physical
// CPU's GenericTimer directly, as the core's CP15 code does for guest CNTV_* accesses.

import { test } from "node:test";
import assert from "node:assert/strict";
import { CompareTimer } from "../../../src/timer/compare-timer.js";
import { PHYS_TIMER, VIRT_TIMER } from "../../../src/timer/registers.js";
import { PPI_VIRT_TIMER } from "../../../src/vmm/host-irq.js";
import { rig, T0 } from "./rig.js";
import { DeadlineQueue } from "../../../src/host/timer-queue.js";
import { GenericTimer } from "../../../src/timer/generic-timer.js";
import { HostIrq } from "../../../src/vmm/host-irq.js";
import { Vtimer } from "../../../src/vmm/vtimer.js";
import { VtimerVm } from "../../../src/vmm/vtimer-vm.js";
import { FakeClock, RecordingLine } from "../timer/fakes.js";
import { saved } from "../../helpers/state-bytes.js";

const ENABLE = 1;
const IMASK = 2;
const ISTATUS = 4;
test("CNTVOFF is the count at VM creation: after load the guest's virtual count starts near 0", () => {
  const r = rig();
  assert.equal(r.vm.cntvoff, T0);
  r.clock.t = T0 + 42;
  r.vtimer.load();
  assert.equal(r.hw.cntvoff, T0);
  assert.equal(r.hw.readVirtualCount(), 42);
  assert.equal(r.hw.readPhysicalCount(), T0 + 42);
});

test("load traps CNTP_* (PL1PCEN=0) and lets CNTPCT through (PL1PCTEN=1); put gives both back", () => {
  const r = rig();
  r.vtimer.load();
  assert.equal(r.hw.cnthctl & 3, 0b01);
  r.vtimer.put(false);
  assert.equal(r.hw.cnthctl & 3, 0b11);
});

test("CNTV_CTL, CNTV_CVAL and CNTKCTL survive put/load while the hardware is used by someone else", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeCvalWords(VIRT_TIMER, 0x1, 0x2345_6789); // beyond 32 bits, far in the future
  r.hw.writeCtl(VIRT_TIMER, ENABLE | IMASK);
  r.hw.cntkctl = 0x103; // PL0VTEN | PL0VCTEN | PL0PCTEN
  r.vtimer.put(true);
  assert.equal(r.hw.readCtl(VIRT_TIMER), 0, "the hardware timer is disabled while the vcpu is away");
  // Another context uses the physical CPU's timer.
  r.hw.writeCval(VIRT_TIMER, 7);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.hw.cntkctl = 0;
  r.hw.writeCtl(VIRT_TIMER, 0);
  r.vtimer.load();
  assert.equal(r.hw.readCval(VIRT_TIMER), 0x1_2345_6789);
  assert.equal(r.hw.readCtl(VIRT_TIMER), ENABLE | IMASK);
  assert.equal(r.hw.cntkctl, 0x103);
  const seen = r.vtimer.virtualTimer(new CompareTimer());
  assert.equal(seen.cvalHi, 1);
  assert.equal(seen.cvalLo, 0x2345_6789);
});

test("blocked in WFI: the host timer fires at the deadline, raises PPI 27 and wakes the vcpu", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, 625_000); // 10 ms at 62.5 MHz
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.vtimer.put(true);
  const deadline = T0 + 625_000;
  assert.deepEqual(r.queue.deadlines(), [deadline], "host timer armed on the physical count");
  r.queue.advanceTo(deadline - 1);
  assert.equal(r.virtIrq.level, false);
  assert.equal(r.wakes.count, 0);
  r.queue.advanceTo(deadline);
  assert.equal(r.virtIrq.level, true);
  assert.equal(r.wakes.count, 1);
  assert.equal(r.vtimer.stats.virtInjected, 1);
  assert.equal(r.vtimer.stats.injectedWhileBlocked, 1);
  assert.equal(r.vtimer.stats.injectedWhileRunning, 0);
  assert.equal(r.vtimer.stats.hostTimersArmed, 1);
});

test("back on the CPU with the level already injected: no extra IRQ exit, no second injection", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, 1000);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.vtimer.put(true);
  r.queue.advanceTo(T0 + 1000);
  assert.equal(r.virtIrq.raises, 1);
  r.vtimer.load();
  r.vtimer.updateHardware();
  assert.equal(r.hw.readCtl(VIRT_TIMER), ENABLE | ISTATUS, "the guest still sees its timer firing");
  assert.equal(r.cpuIrq.level, false, "the host PPI is gated while the level is injected");
  assert.equal(r.virtIrq.raises, 1);
});

test("load cancels the host timer; a deadline reached on the CPU is injected at the exit instead", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, 5000);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.vtimer.put(true);
  assert.equal(r.queue.entries.length, 1);
  r.clock.t = T0 + 100;
  r.vtimer.load();
  assert.equal(r.queue.entries.length, 0, "cancelled");
  assert.equal(r.queue.cancelled, 1);
  // The guest runs past the deadline; the hardware output rises and the core takes an IRQ exit.
  r.clock.t = T0 + 5000;
  r.hw.update();
  assert.equal(r.cpuIrq.level, true, "the physical CPU's virtual-timer PPI makes an IRQ exit");
  assert.equal(r.hostIrq.pending(PPI_VIRT_TIMER), true);
  r.vtimer.handleHostIrq();
  assert.equal(r.virtIrq.level, true);
  assert.equal(r.wakes.count, 0, "a running vcpu is not woken");
  assert.equal(r.vtimer.stats.injectedWhileRunning, 1);
  assert.equal(r.vtimer.stats.injectedWhileBlocked, 0);
  assert.equal(r.vtimer.stats.hostIrqs, 1, "found with the hardware output high");
});

test("no interrupt storm: once injected, the still-high hardware output makes no further exits", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, 10);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.clock.t = T0 + 10;
  r.hw.update();
  assert.equal(r.cpuIrq.level, true);
  r.vtimer.handleHostIrq();
  assert.equal(r.cpuIrq.level, false, "PPI disabled at the host while the guest owns the level");
  assert.equal(r.hw.outputLevel(VIRT_TIMER), true, "the timer itself still fires");
  // Entries and exits go on while the guest has not yet handled it.
  for (let k = 0; k < 5; k++) {
    r.clock.t += 100;
    r.vtimer.updateHardware();
    assert.equal(r.cpuIrq.level, false);
  }
  assert.equal(r.virtIrq.raises, 1, "injected exactly once");
  assert.equal(r.vtimer.stats.virtInjected, 1);
});

test("the level follows the condition: IMASK drops it, unmasking with the condition true raises it again", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, 0); // CVAL = now: condition met at once
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.vtimer.updateHardware(); // the exit after the guest's write
  assert.equal(r.virtIrq.level, true);
  r.hw.writeCtl(VIRT_TIMER, ENABLE | IMASK); // guest masks it
  assert.equal(r.virtIrq.level, true, "the vgic sees it at the next exit, not before");
  r.vtimer.updateHardware();
  assert.equal(r.virtIrq.level, false, "level dropped");
  assert.equal(r.cpuIrq.level, false);
  r.hw.writeCtl(VIRT_TIMER, ENABLE); // unmask, condition still true
  assert.equal(r.cpuIrq.level, true, "the host PPI is enabled again, so the hardware exits");
  r.vtimer.handleHostIrq();
  assert.equal(r.virtIrq.level, true);
  assert.deepEqual(r.virtIrq.history, [true, false, true]);
  assert.equal(r.vtimer.stats.virtInjected, 2);
});

test("a periodic tick while running: each one injected once, none lost, the level dropped between", () => {
  const r = rig();
  const period = 625_000; // 100 Hz
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, period);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  for (let tick = 1; tick <= 10; tick++) {
    const deadline = r.hw.nextDeadline();
    assert.equal(deadline, T0 + tick * period, `tick ${tick} deadline`);
    r.clock.t = deadline;
    r.hw.update(); // the scheduler ends the slice at the deadline
    assert.equal(r.cpuIrq.level, true);
    r.vtimer.handleHostIrq();
    // The guest's handler: program the next tick from the old compare value (no drift), then EOI,
    // which is a maintenance exit.
    r.hw.writeCval(VIRT_TIMER, r.hw.readCval(VIRT_TIMER) + period);
    r.vtimer.updateHardware();
    assert.equal(r.virtIrq.level, false, `tick ${tick}: level dropped once reprogrammed`);
  }
  assert.equal(r.vtimer.stats.virtInjected, 10);
  assert.equal(r.virtIrq.raises, 10);
});

test("leaving re-derives the level too: masked before the exit that blocks, it is dropped", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, 0);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.vtimer.updateHardware();
  assert.equal(r.virtIrq.level, true);
  r.hw.writeCtl(VIRT_TIMER, ENABLE | IMASK);
  r.vtimer.put(true); // straight from the guest's write to WFI, no exit in between
  assert.equal(r.virtIrq.level, false);
  assert.equal(r.wakes.count, 0);
});

test("leaving with the condition already met injects at once, wakes a blocking vcpu, arms nothing", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, 50);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.clock.t = T0 + 60; // passed during the slice that ended in WFI
  r.vtimer.put(true);
  assert.equal(r.virtIrq.level, true);
  assert.equal(r.wakes.count, 1);
  assert.equal(r.queue.entries.length, 0);
});

test("a disabled or masked timer arms no host timer; a descheduled vcpu's timer is kept alive", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, 1000);
  r.hw.writeCtl(VIRT_TIMER, ENABLE | IMASK);
  r.vtimer.put(true);
  assert.equal(r.queue.entries.length, 0, "masked");
  r.vtimer.load();
  r.hw.writeCtl(VIRT_TIMER, 0);
  r.vtimer.put(true);
  assert.equal(r.queue.entries.length, 0, "disabled");
  r.vtimer.load();
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.vtimer.put(false); // descheduled, still runnable
  assert.deepEqual(r.queue.deadlines(), [T0 + 1000]);
  r.queue.advanceTo(T0 + 1000);
  assert.equal(r.virtIrq.level, true);
});

test("a host timer that runs early re-arms for the deadline instead of injecting", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, 1000);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.vtimer.put(true);
  const early = r.queue.entries[0];
  r.queue.entries.length = 0;
  r.clock.t = T0 + 990;
  early.callback();
  assert.equal(r.virtIrq.level, false);
  assert.deepEqual(r.queue.deadlines(), [T0 + 1000]);
  r.queue.advanceTo(T0 + 1000);
  assert.equal(r.virtIrq.level, true);
  assert.equal(r.wakes.count, 1);
});

test("hardwareDeadline is where the loaded virtual timer fires, on the physical count", () => {
  const r = rig();
  r.vtimer.load();
  assert.equal(r.vtimer.hardwareDeadline(), Infinity);
  r.hw.writeCval(VIRT_TIMER, 2000); // virtual 2000 = physical T0 + 2000
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  assert.equal(r.vtimer.hardwareDeadline(), T0 + 2000);
  r.vtimer.put(true);
  assert.equal(r.vtimer.hardwareDeadline(), Infinity, "away: the host timer has it");
});

test("reset disables both timers, drops both levels and cancels their timers", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, 0);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.vtimer.updateHardware();
  r.hw.writeCtl(PHYS_TIMER, ENABLE); // the hardware physical timer is the host's: untouched
  r.vtimer.put(false);
  r.vtimer.reset();
  assert.equal(r.virtIrq.level, false);
  r.vtimer.load();
  assert.equal(r.hw.readCtl(VIRT_TIMER), 0);
  assert.equal(r.hw.cntkctl, 0);
  r.vtimer.put(true);
  assert.equal(r.queue.entries.length, 0);
});

test("virtualTimer() reads the live hardware while loaded, the saved registers while away", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeCval(VIRT_TIMER, 777);
  r.hw.writeCtl(VIRT_TIMER, ENABLE | IMASK);
  let seen = r.vtimer.virtualTimer(new CompareTimer());
  assert.deepEqual([seen.cvalLo, seen.ctl], [777, ENABLE | IMASK], "the guest's write, not yet saved");
  r.vtimer.put(false);
  r.hw.writeCval(VIRT_TIMER, 5); // the physical CPU's timer, used by someone else
  seen = r.vtimer.virtualTimer(new CompareTimer());
  assert.deepEqual([seen.cvalLo, seen.ctl], [777, ENABLE | IMASK]);
});

test("a second load or put in a row changes nothing: the guest's timer is neither rolled back nor lost", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeCval(VIRT_TIMER, 3000);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.vtimer.load();
  assert.equal(r.vtimer.isLoaded, true);
  assert.equal(r.hw.readCval(VIRT_TIMER), 3000, "not replaced by the stale saved copy");
  assert.equal(r.hw.readCtl(VIRT_TIMER), ENABLE);
  r.vtimer.put(true);
  r.vtimer.put(true);
  assert.equal(r.vtimer.isLoaded, false);
  assert.deepEqual(r.queue.deadlines(), [T0 + 3000], "one host timer");
  r.vtimer.load();
  assert.equal(r.hw.readCtl(VIRT_TIMER), ENABLE, "not the disabled hardware of the first put");
  assert.equal(r.hw.readCval(VIRT_TIMER), 3000);
});

test("leaving with the level already injected injects nothing more and wakes nothing", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, 0);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.vtimer.updateHardware();
  assert.equal(r.virtIrq.level, true);
  r.vtimer.put(true); // the guest waits in WFI with its interrupt still pending
  assert.equal(r.vtimer.virtualLevel, true);
  assert.equal(r.virtIrq.raises, 1);
  assert.equal(r.wakes.count, 0);
  assert.equal(r.vtimer.stats.virtInjected, 1);
  assert.deepEqual([r.vtimer.stats.injectedWhileRunning, r.vtimer.stats.injectedWhileBlocked], [1, 0]);
});

test("a deadline that passed before the vcpu left counts as found while away", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, 50);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.clock.t = T0 + 60;
  r.vtimer.put(false);
  assert.equal(r.virtIrq.level, true);
  assert.deepEqual([r.vtimer.stats.injectedWhileRunning, r.vtimer.stats.injectedWhileBlocked], [0, 1]);
});

test("a deadline passed while the vcpu was away, with no host timer run yet, is injected at load without an exit", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, 100);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.vtimer.put(false);
  r.clock.t = T0 + 150; // the host timer is due but has not run
  r.vtimer.load();
  assert.equal(r.virtIrq.level, true);
  assert.equal(r.cpuIrq.level, false, "the host PPI is held off: the level is already injected");
  assert.deepEqual([r.vtimer.stats.injectedWhileRunning, r.vtimer.stats.injectedWhileBlocked], [0, 1]);
  assert.equal(r.queue.entries.length, 0, "the host timer is cancelled");
});

test("a deadline found at an exit is not counted as a hardware timer IRQ; nor is a fall", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, 100);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.clock.t = T0 + 100; // the slice ended at the deadline, before the output was re-evaluated
  r.vtimer.updateHardware();
  assert.equal(r.virtIrq.level, true);
  assert.equal(r.vtimer.stats.hostIrqs, 0);
  r.hw.writeCtl(VIRT_TIMER, 0);
  r.vtimer.updateHardware();
  assert.equal(r.virtIrq.level, false);
  assert.equal(r.vtimer.stats.hostIrqs, 0);
});

test("reset while loaded (SYSTEM_RESET from this vcpu) clears the hardware timer at once", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, 1000);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.hw.cntkctl = 0x3;
  r.vtimer.reset();
  assert.equal(r.hw.readCtl(VIRT_TIMER), 0);
  assert.equal(r.hw.cntkctl, 0);
  assert.equal(r.vtimer.hardwareDeadline(), Infinity, "the old deadline no longer ends slices");
  r.clock.t = T0 + 1000;
  r.hw.update();
  assert.equal(r.cpuIrq.level, false);
});

test("reset while loaded with the level injected gives the host its PPI back", () => {
  const r = rig();
  r.vtimer.load();
  r.hw.writeTval(VIRT_TIMER, 0);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.vtimer.updateHardware();
  r.vtimer.reset();
  assert.equal(r.virtIrq.level, false);
  // The reset guest programs its timer again; its first tick must make an IRQ exit.
  r.hw.writeTval(VIRT_TIMER, 10);
  r.hw.writeCtl(VIRT_TIMER, ENABLE);
  r.clock.t = T0 + 10;
  r.hw.update();
  assert.equal(r.cpuIrq.level, true);
});

test("restore without a host timer leaves none; the restoring machine's own is cancelled", () => {
  const from = rig();
  from.vtimer.load();
  from.vtimer.put(true); // timer disabled: nothing armed
  const state = saved((w) => from.vtimer.save(w));
  const to = rig();
  to.vtimer.load();
  to.hw.writeTval(VIRT_TIMER, 500);
  to.hw.writeCtl(VIRT_TIMER, ENABLE);
  to.vtimer.put(true);
  assert.equal(to.queue.entries.length, 1);
  to.vtimer.restore(state);
  assert.deepEqual(to.queue.deadlines(), []);
});

test("a restored host timer keeps its place among the host timers of the same deadline", () => {
  const clock = new FakeClock(T0);
  const hw = new GenericTimer(clock);
  const make = (queue: DeadlineQueue, wake: () => void): Vtimer =>
    new Vtimer(new VtimerVm(clock, queue, T0), {
      id: 0,
      hw,
      hostIrq: new HostIrq(() => {}),
      virtIrq: new RecordingLine(),
      physIrq: new RecordingLine(),
      wake,
    });
  const before = new DeadlineQueue();
  before.schedule(T0 + 1, () => {});
  before.schedule(T0 + 100, () => {}); // another timer, scheduled before the vcpu left
  const v = make(before, () => {});
  v.load();
  hw.writeTval(VIRT_TIMER, 100);
  hw.writeCtl(VIRT_TIMER, ENABLE);
  v.put(true);
  const state = saved((w) => v.save(w));

  const order: string[] = [];
  const after = new DeadlineQueue();
  after.schedule(T0 + 100, () => order.push("other"), 1);
  make(after, () => order.push("vcpu woken")).restore(state);
  clock.t = T0 + 100;
  after.runExpired(T0 + 100);
  assert.deepEqual(order, ["other", "vcpu woken"]);
});

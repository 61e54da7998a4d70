// The life of a vcpu thread (bhyve's vcpu thread looping on vm_run, KVM's on KVM_RUN): run a slice,
// handle the exit, and when the vcpu waits in WFI block for real until the earlier of its timer
// deadline and a kick. Between slices it honours what other threads asked of it: a TLB or
// instruction-cache broadcast, a halt for a distributor access, CPU_ON, the end of the VM.

import type { CpuBroadcast } from "../cpu/core.js";
import type { VirtVcpuThread } from "../board/virt-vcpu-thread.js";
import { ExitReason } from "../cpu/exits.js";
import { VcpuState } from "../vmm/vcpu.js";
import { MAINT_CODE, MAINT_SAVE, MAINT_STATS, MAINT_TLB } from "../vmm/vm-control.js";
import { EV_BLOCK, EV_DEADLINE, EV_HOLD, EV_OFF, EV_RUN, EV_WFI } from "../vmm/vcpu-events.js";
import { COUNTER_HZ } from "./time.js";
import type { MessageSink, VcpuThreadStats } from "./thread-messages.js";

const TICKS_PER_MS = COUNTER_HZ / 1000;
/** The longest slice, in instructions: a running vcpu sees kicks at block boundaries anyway. */
const SLICE_MAX = 200_000;
/** The shortest slice cut for a deadline. */
const SLICE_MIN = 500;
/** How early a timed wait is asked to end (ms, plus a fraction of the wait), measured lateness
 * of Atomics.wait on Linux: about 0.1 ms, growing with the length of the wait. */
const WAKE_EARLY_MS = 0.12;
const WAKE_EARLY_FRACTION = 0.004;
/** Halt polling bounds (ms): the first poll, and the longest. */
const POLL_START_MS = 0.01;
const POLL_MAX_MS = 0.2;
/** How long a vcpu in WFE watches for an event before it sleeps, and the longest it then sleeps
 * before it looks again (ms). */
const WFE_SPIN_MS = 0.02;
const WFE_WAIT_MS = 0.05;
/** Wait-then-recheck bound while a DSB waits for another vcpu's maintenance (ms). */
const BROADCAST_RECHECK_MS = 1;

/** Maintenance another vcpu must honour before this one's DSB completes. */
const BROADCAST_BITS = MAINT_TLB | MAINT_CODE;

/** TLB and instruction-cache maintenance to the inner-shareable domain: the other vcpus are asked
 * (and kicked), and a DSB waits until each has done it or is out of its guest (it then does it
 * before it runs guest code again). While it waits this vcpu counts as out of its guest too, so a
 * distributor access that halts the others cannot wait for it.
 *
 * Translated code is each thread's instruction cache. Its own stores it sees (code-cache.ts);
 * stores by other threads it learns from the clean log: ARMv7 requires new instructions to be
 * cleaned from the data cache (DC*MVA*) before the instruction cache is invalidated, so at an
 * IC invalidate every vcpu drops the blocks of the pages cleaned since it last looked. Linux
 * invalidates the whole instruction cache each time it maps an executable page; dropping every
 * block then would throw the translations away thousands of times a second. */
class ThreadBroadcast implements CpuBroadcast {
  private pending = false;
  /** The last page this vcpu logged (consecutive lines of a page are logged once). */
  private lastCleaned = -2;
  constructor(private readonly t: VirtVcpuThread) {}

  tlb(kind: number, value: number): void {
    const c = this.t.control;
    c.tlbOps.append(kind, value);
    for (let v = 0; v < c.vcpus; v++) {
      if (v === this.t.id) continue;
      Atomics.or(c.maintenance, v, MAINT_TLB);
      c.kick(v);
    }
    this.pending = true;
  }

  cleaned(va: number): void {
    const page = va < 0 ? -1 : this.t.cpu.mmu.codePageOf(va);
    if (va >= 0 && page < 0) return;
    if (page === this.lastCleaned) return;
    this.lastCleaned = page;
    this.t.control.logCleaned(page);
  }

  code(page: number): void {
    const t = this.t;
    const c = t.control;
    if (page >= 0) c.logCleaned(page);
    this.lastCleaned = -2;
    t.dropCleanedCode();
    for (let v = 0; v < c.vcpus; v++) {
      if (v === t.id) continue;
      Atomics.or(c.maintenance, v, MAINT_CODE);
      c.kick(v);
    }
    this.pending = true;
  }

  event(): void {
    Atomics.notify(this.t.control.cpuWords, 3);
  }

  complete(): void {
    if (!this.pending) return;
    this.pending = false;
    const t = this.t;
    const c = t.control;
    let left = false;
    for (let v = 0; v < c.vcpus; v++) {
      if (v === t.id) continue;
      for (;;) {
        const m = Atomics.load(c.maintenance, v);
        if ((m & BROADCAST_BITS) === 0 || !t.lock.isInGuest(v) || !c.running) break;
        if (!left) {
          t.lock.leaveGuest(t.id);
          left = true;
        }
        Atomics.wait(c.maintenance, v, m, BROADCAST_RECHECK_MS);
      }
    }
    if (left) t.enterGuest();
  }
}

/** Runs the vcpu until the VM's fate is decided; then reports its statistics. */
export function runVcpuThread(t: VirtVcpuThread, sink: MessageSink): void {
  const { control, vcpu, cpu, queue, clock, lock } = t;
  const id = t.id;
  const kicks = control.kicks;
  if (control.vcpus > 1) cpu.broadcast = new ThreadBroadcast(t);
  let busyMs = 0;
  /** Instructions per counter tick, measured over recent slices (for slice lengths). */
  let rate = 4;

  const stats = (final: boolean): void => {
    const s: VcpuThreadStats = {
      vcpu: id,
      exits: vcpu.stats.rows(),
      instructions: cpu.instructions,
      vtimer: t.vtimer.stats.rows(),
      jit: cpu.mmu.code.describe(cpu.jit),
      busyMs,
    };
    sink.post({ k: "stats", stats: s, final });
  };

  /** Honours what other threads asked; a snapshot request only once this vcpu is `held`
   * (VmControl.takeRequests says why). */
  const serviceRequests = (held: boolean): void => {
    const m = control.takeRequests(id, held);
    if (m === 0) return;
    if (m & MAINT_TLB) t.applyTlbOps();
    if (m & MAINT_CODE) t.dropCleanedCode();
    Atomics.notify(control.maintenance, id);
    if (m & MAINT_STATS) stats(false);
    if (m & MAINT_SAVE) {
      const data = t.saveState();
      sink.post({ k: "saved", vcpu: id, data });
    }
  };
  t.serviceRequests = () => serviceRequests(false);

  /** Blocks until `deadline` (counter ticks) or a kick. A timed Atomics.wait wakes some 100 µs
   * late, more for long waits (0.2–0.3 ms at 200 ms); so it is asked to wake early, and the loop
   * comes back here: a long wait is followed by a short one, which ends about 0.1 ms late, and
   * only what is left within WAKE_EARLY_MS is spun. Spinning the whole margin instead (after the
   * first wait, with a margin that follows the lateness seen) was measured in session 8: a vcpu
   * asleep met its deadlines a little sooner, but with the other vcpu busy, or both vcpus waking
   * at once (the heartbeat), the spinning cores starved the other threads of the 2-core host and
   * the latency doubled. */
  const sleepUntil = (deadline: number): void => {
    if (!Number.isFinite(deadline)) {
      Atomics.wait(kicks, id, 0);
      return;
    }
    const ms = (deadline - clock.now()) / TICKS_PER_MS;
    const early = WAKE_EARLY_MS + ms * WAKE_EARLY_FRACTION;
    if (ms > early) {
      Atomics.wait(kicks, id, 0, ms - early);
      return;
    }
    while (clock.now() < deadline && Atomics.load(kicks, id) === 0);
  };

  /** Halt polling: how long a blocking vcpu watches for a kick before it sleeps (ms). */
  let pollMs = 0;
  let polled = false;
  let blockedSince = -1;
  // For the live timeline: what this vcpu last reported.
  const events = t.events;
  let shown = 0;
  /** Reports a change of what this vcpu is doing (EV_RUN, EV_WFI, EV_BLOCK, EV_OFF, EV_HOLD). */
  const show = (kind: number, arg: number): void => {
    if (kind === shown) return;
    shown = kind;
    events.record(kind, arg);
  };
  let lastDeadline = -1;
  sink.post({ k: "ready", vcpu: id });

  for (;;) {
    Atomics.store(kicks, id, 0);
    if (!control.running) break;
    if (Atomics.load(control.hold, 0) !== 0) {
      // Paused (or a snapshot is being taken): guest time stands still meanwhile (the clock is
      // held), so nothing falls due. A snapshot waits until every vcpu is parked here, and a
      // CPU_ON accepted before the others stopped starts its vcpu first, so that the snapshot
      // holds it as on.
      show(EV_HOLD, 0);
      control.park(id);
      if ((Atomics.load(control.maintenance, id) & MAINT_SAVE) !== 0) control.waitAllParked(id);
      t.takePowerOn();
      serviceRequests(true);
      Atomics.wait(control.hold, 0, 1);
      continue;
    }
    control.unpark(id);
    t.takePowerOn();
    queue.runExpired(clock.now());
    if (vcpu.state === VcpuState.OFF) {
      show(EV_OFF, 0);
      t.serviceRequests();
      Atomics.wait(kicks, id, 0);
      continue;
    }
    if (vcpu.state === VcpuState.BLOCKED) {
      t.serviceRequests();
      if (blockedSince < 0) {
        blockedSince = performance.now();
        show(EV_WFI, 0);
      }
      if (!t.vgic.hasDeliverable(id)) {
        // WFI: watch for a kick a little while first (KVM's halt polling), then sleep until the
        // timer deadline (the vtimer armed it on this thread's queue) or a kick.
        const deadline = queue.nextDeadline();
        if (pollMs > 0 && !polled) {
          polled = true;
          const until = performance.now() + pollMs;
          while (Atomics.load(kicks, id) === 0 && performance.now() < until && clock.now() < deadline);
          continue;
        }
        show(EV_BLOCK, Number.isFinite(deadline) ? deadline : -1);
        sleepUntil(deadline);
        continue;
      }
      vcpu.state = VcpuState.RUNNABLE;
    }
    if (blockedSince >= 0) {
      // Halt polling adapts as KVM's does: it grows while wake-ups come soon after the vcpu
      // blocked (IPIs between vcpus), and shrinks to nothing when they do not (an idle guest).
      const blocked = performance.now() - blockedSince;
      if (blocked <= POLL_MAX_MS) pollMs = Math.min(POLL_MAX_MS, Math.max(POLL_START_MS, pollMs * 2));
      else pollMs = pollMs / 2 < POLL_START_MS ? 0 : pollMs / 2;
      blockedSince = -1;
      polled = false;
    }
    show(EV_RUN, 0);
    t.enterGuest();
    const start = performance.now();
    const now = clock.now();
    const deadline = Math.min(queue.nextDeadline(), t.vtimer.hardwareDeadline());
    let budget = SLICE_MAX;
    if (Number.isFinite(deadline))
      budget = Math.max(SLICE_MIN, Math.min(SLICE_MAX, Math.ceil((deadline - now) * rate)));
    // When the slice should end at the measured rate: a deadline the guest programs before then
    // ends it early (virt-vcpu-thread.ts), a later one need not.
    t.sliceEnd = now + budget / rate;
    const before = cpu.instructions;
    vcpu.runSlice(budget);
    lock.leaveGuest(id);
    if (events.watched) {
      const d = t.vtimer.hardwareDeadline();
      if (d !== lastDeadline && Number.isFinite(d)) events.record(EV_DEADLINE, d);
      lastDeadline = d;
    }
    if (cpu.exit.reason === ExitReason.WFX && (cpu.exit.hsr & 1) !== 0) {
      // WFE with no event: the lock it spins on is held by another vcpu. Wait for a SEV (any
      // CPU's SEV changes the count), briefly, since an interrupt must end the wait too. Most
      // locks are held for a moment: look for a while before sleeping (a futex wake-up costs
      // tens of microseconds here, an eternity for a spinlock).
      const spinUntil = performance.now() + WFE_SPIN_MS;
      while (Atomics.load(cpu.shared, 3) === cpu.seenEvents && Atomics.load(kicks, id) === 0) {
        if (performance.now() > spinUntil) {
          Atomics.wait(cpu.shared, 3, cpu.seenEvents, WFE_WAIT_MS);
          break;
        }
      }
    }
    const elapsed = performance.now() - start;
    busyMs += elapsed;
    const ran = cpu.instructions - before;
    control.instructions[id] = cpu.instructions;
    if (ran > 1000 && elapsed > 0) rate = rate * 0.75 + (ran / (elapsed * TICKS_PER_MS)) * 0.25;
  }
  stats(true);
}

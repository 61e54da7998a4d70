// The generic timer of one physical CPU (DDI 0406C chapter B8): the system counter as this core
// sees it (CNTPCT, and CNTVCT = CNTPCT − CNTVOFF), and its three timers — physical (CNTP_*),
// virtual (CNTV_*) and Hyp (CNTHP_*) — each driving an interrupt output as a level.
//
// The core's CP15 code reaches the registers through TimerRegisterFile and applies the PL0
// (CNTKCTL) and trap-to-Hyp (CNTHCTL) rules itself; the hypervisor reaches the Hyp-only parts
// (CNTVOFF, CNTHCTL, save/restore of a timer) through the extra methods here.
//
// The counter moves with the Clock, but an output only changes when it is re-evaluated: after
// every register write, and whenever the owner calls update(). The owner (the scheduler) keeps the
// outputs true by ending a slice at nextDeadline(), and `onProgrammed` tells it when a write may
// have moved that deadline.

import type { IrqLine } from "../devices/device.js";
import { NO_LINE } from "../devices/device.js";
import type { TimerRegisterFile } from "../cpu/timer-regs.js";
import { COUNTER_HZ, type Clock } from "../host/time.js";
import { CompareTimer } from "./compare-timer.js";
import { CNTHCTL_MASK, CNTHCTL_PL1PCEN, CNTHCTL_PL1PCTEN, CNTKCTL_MASK, TIMER_COUNT, VIRT_TIMER } from "./registers.js";
import { TWO_64, wrapU64 } from "./u64.js";
import type { StateReader, StateWriter } from "../snapshot/state-stream.js";

const TWO_63 = TWO_64 / 2;

export class GenericTimer implements TimerRegisterFile {
  readonly cntfrq = COUNTER_HZ;
  /** Called after every CTL, CVAL or TVAL write (the deadline may have moved). */
  onProgrammed: (() => void) | null = null;

  private readonly clock: Clock;
  /** Indexed by PHYS_TIMER, VIRT_TIMER, HYP_TIMER. */
  private readonly timers: CompareTimer[] = [];
  private readonly lines: IrqLine[] = [];
  /** Output levels last driven (bit n = timer n). */
  private levels = 0;
  private kctl = 0;
  private hctl = CNTHCTL_PL1PCTEN | CNTHCTL_PL1PCEN;
  /** CNTVOFF as a signed stand-in for the 64-bit value: an offset of 2^63 or more (virtual count
   * ahead of physical) is held as the negative number it is modulo 2^64. */
  private voff = 0;

  constructor(clock: Clock) {
    this.clock = clock;
    for (let t = 0; t < TIMER_COUNT; t++) {
      this.timers.push(new CompareTimer());
      this.lines.push(NO_LINE);
    }
  }

  /** Warm reset: timers disabled, controls at their reset values, outputs low. */
  reset(): void {
    for (const timer of this.timers) timer.reset();
    this.kctl = 0;
    this.hctl = CNTHCTL_PL1PCTEN | CNTHCTL_PL1PCEN;
    this.voff = 0;
    this.update();
  }

  /** Wires timer `timer`'s interrupt output (a PPI input of the host interrupt controller). */
  connect(timer: number, line: IrqLine): void {
    this.lines[timer] = line;
    line.set(((this.levels >>> timer) & 1) === 1);
  }

  // ---- Controls ----

  get cntkctl(): number {
    return this.kctl;
  }

  set cntkctl(value: number) {
    this.kctl = value & CNTKCTL_MASK;
  }

  get cnthctl(): number {
    return this.hctl;
  }

  set cnthctl(value: number) {
    this.hctl = value & CNTHCTL_MASK;
  }

  /** CNTVOFF (Hyp): a float64 in [0, 2^64). */
  get cntvoff(): number {
    return wrapU64(this.voff);
  }

  set cntvoff(value: number) {
    const v = wrapU64(value);
    this.voff = v >= TWO_63 ? v - TWO_64 : v;
    this.update();
  }

  // ---- Counters ----

  readPhysicalCount(): number {
    return this.clock.now();
  }

  readVirtualCount(): number {
    return wrapU64(this.clock.now() - this.voff);
  }

  // ---- Timers (TimerRegisterFile) ----

  readCtl(timer: number): number {
    return this.timers[timer].readCtl(this.countFor(timer, this.clock.now()));
  }

  writeCtl(timer: number, value: number): void {
    this.timers[timer].writeCtl(value);
    this.programmed();
  }

  readCval(timer: number): number {
    return this.timers[timer].readCval();
  }

  writeCval(timer: number, value: number): void {
    this.timers[timer].writeCval(value);
    this.programmed();
  }

  /** MCRR with both words, exact over the whole 64-bit range. */
  writeCvalWords(timer: number, hi: number, lo: number): void {
    this.timers[timer].writeCvalWords(hi, lo);
    this.programmed();
  }

  /** CVAL's high and low words, exact over the whole 64-bit range (MRRC). */
  readCvalHi(timer: number): number {
    return this.timers[timer].cvalHi;
  }

  readCvalLo(timer: number): number {
    return this.timers[timer].cvalLo;
  }

  readTval(timer: number): number {
    return this.timers[timer].readTval(this.countFor(timer, this.clock.now()));
  }

  writeTval(timer: number, value: number): void {
    this.timers[timer].writeTval(this.countFor(timer, this.clock.now()), value);
    this.programmed();
  }

  // ---- Hyp: world switch ----

  /** Copies a timer's CTL and exact CVAL out (the hypervisor's MRC/MRRC on a vcpu switch). */
  saveTimer(timer: number, into: CompareTimer): void {
    into.copyFrom(this.timers[timer]);
  }

  /** Loads a timer's CTL and CVAL (CVAL first, then CTL, so no stale compare value can fire). */
  restoreTimer(timer: number, from: CompareTimer): void {
    this.timers[timer].copyFrom(from);
    this.programmed();
  }

  // ---- Snapshots ----

  /** Every register and the output levels as last driven (the lines' receivers restore theirs). */
  save(w: StateWriter): void {
    for (const t of this.timers) {
      w.f64(t.ctl);
      w.f64(t.cvalHi);
      w.f64(t.cvalLo);
    }
    w.f64(this.levels);
    w.f64(this.kctl);
    w.f64(this.hctl);
    w.f64(this.voff);
  }

  restore(r: StateReader): void {
    for (const t of this.timers) {
      t.ctl = r.f64();
      t.cvalHi = r.f64();
      t.cvalLo = r.f64();
    }
    this.levels = r.f64();
    this.kctl = r.f64();
    this.hctl = r.f64();
    this.voff = r.f64();
  }

  // ---- Outputs ----

  /** The level timer `timer` drives on its output line (as of the last update). */
  outputLevel(timer: number): boolean {
    return ((this.levels >>> timer) & 1) === 1;
  }

  /** Re-evaluates every output at the current count, driving the lines that change. */
  update(): void {
    const now = this.clock.now();
    for (let t = 0; t < TIMER_COUNT; t++) {
      const level = this.timers[t].output(this.countFor(t, now)) ? 1 : 0;
      if (((this.levels >>> t) & 1) === level) continue;
      this.levels ^= 1 << t;
      this.lines[t].set(level === 1);
    }
  }

  /**
   * The smallest physical count at which an output that is low now (enabled, unmasked, condition
   * not met) will rise; Infinity if none. Outputs that are already high are not deadlines.
   */
  nextDeadline(): number {
    const now = this.clock.now();
    let best = Infinity;
    for (let t = 0; t < TIMER_COUNT; t++) {
      const ticks = this.timers[t].ticksUntilFire(this.countFor(t, now));
      if (ticks > 0 && now + ticks < best) best = now + ticks;
    }
    return best;
  }

  /** The count timer `timer` compares against, given the physical count (may be negative: see voff). */
  private countFor(timer: number, physical: number): number {
    return timer === VIRT_TIMER ? physical - this.voff : physical;
  }

  private programmed(): void {
    this.update();
    this.onProgrammed?.();
  }
}

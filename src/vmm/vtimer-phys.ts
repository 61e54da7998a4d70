// The guest's physical timer (CNTP_*), emulated. The hardware physical timer belongs to the host, so
// CNTHCTL.PL1PCEN = 0 makes every guest access trap and this object answers it with the same
// register rules (CompareTimer). A soft timer on the host's deadline queue stands in for the
// comparator: it raises PPI 30 at the deadline whether the vcpu runs, waits in WFI or is
// descheduled. The guest reads CNTPCT directly (PL1PCTEN = 1), so the timer counts the physical
// count, the Clock.
//
// The level on PPI 30 is exact at all times: it can only rise when the count passes CVAL (the soft
// timer, or a write that puts CVAL in the past) and only fall by a trapped write, which is seen here.

import type { IrqLine } from "../devices/device.js";
import type { Clock, TimerHandle, TimerQueue } from "../host/time.js";
import { CompareTimer } from "../timer/compare-timer.js";
import type { StateReader, StateWriter } from "../snapshot/state-stream.js";

export class EmulatedPhysTimer {
  readonly regs = new CompareTimer();
  /** The level driven on PPI 30. */
  level = false;
  private readonly clock: Clock;
  private readonly queue: TimerQueue;
  private readonly line: IrqLine;
  /** Told about each rising edge; `fromTimer` when the soft timer found it (the vcpu may be asleep). */
  private readonly onRise: (fromTimer: boolean) => void;
  private handle: TimerHandle | null = null;
  /** The soft timer's deadline on the physical count, or Infinity when none is armed. */
  armedDeadline = Infinity;
  /** The soft timer's callback, made once. */
  private readonly expire = (): void => {
    this.handle = null;
    this.armedDeadline = Infinity;
    this.evaluate(true);
  };

  constructor(clock: Clock, queue: TimerQueue, line: IrqLine, onRise: (fromTimer: boolean) => void) {
    this.clock = clock;
    this.queue = queue;
    this.line = line;
    this.onRise = onRise;
  }

  reset(): void {
    this.regs.reset();
    this.evaluate(false);
  }

  readCtl(): number {
    return this.regs.readCtl(this.clock.now());
  }

  writeCtl(value: number): void {
    this.regs.writeCtl(value);
    this.evaluate(false);
  }

  writeCvalWords(hi: number, lo: number): void {
    this.regs.writeCvalWords(hi, lo);
    this.evaluate(false);
  }

  readTval(): number {
    return this.regs.readTval(this.clock.now());
  }

  writeTval(value: number): void {
    this.regs.writeTval(this.clock.now(), value);
    this.evaluate(false);
  }

  /** Snapshots: the registers, the level and the armed soft timer (deadline and order). */
  save(w: StateWriter): void {
    this.regs.save(w);
    w.bool(this.level);
    w.f64(this.armedDeadline);
    w.f64(this.handle?.seq ?? 0);
  }

  restore(r: StateReader): void {
    this.regs.restore(r);
    this.level = r.bool();
    const deadline = r.f64();
    const seq = r.f64();
    if (this.handle !== null) this.queue.cancel(this.handle);
    this.handle = deadline < Infinity ? this.queue.schedule(deadline, this.expire, seq) : null;
    this.armedDeadline = deadline;
  }

  /** Sets the level to the condition now and arms the soft timer for the next rise, if any. */
  private evaluate(fromTimer: boolean): void {
    const now = this.clock.now();
    const ticks = this.regs.ticksUntilFire(now);
    const fire = ticks === 0;
    if (fire !== this.level) {
      this.level = fire;
      this.line.set(fire);
      if (fire) this.onRise(fromTimer);
    }
    const deadline = ticks > 0 && ticks < Infinity ? now + ticks : Infinity;
    if (deadline === this.armedDeadline) return;
    if (this.handle !== null) this.queue.cancel(this.handle);
    this.handle = deadline < Infinity ? this.queue.schedule(deadline, this.expire) : null;
    this.armedDeadline = deadline;
  }
}

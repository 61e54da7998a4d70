// ARM PrimeCell Real Time Clock (PL031), ARM DDI 0224: a 32-bit seconds counter with a match
// interrupt.
//
// Time source: the counter is wall-clock-at-start plus guest elapsed time, where guest time is the
// machine's one Clock (the generic timer's count, COUNTER_HZ). In host mode that follows the host's
// monotonic clock; in icount mode it follows executed instructions, so a run with a fixed start time
// reads the same seconds at the same instruction, and the match interrupt fires at the same point.
// The seconds tick on fixed boundaries (every COUNTER_HZ counts from construction), like the
// CLK1HZ input that is independent of RTCLR writes.
//
// The match interrupt is scheduled on the TimerQueue for the count at which the counter reaches
// RTCMR (no polling). As in QEMU, writing RTCMR (or loading the counter) so that the counter
// already equals the match value raises the interrupt at once. A match whose count lies beyond 2^53
// (about 4.5 years of guest time at 62.5 MHz; any match that needs the counter to wrap) can never
// be reached and is not scheduled.
//
// RTCCR: the counter can only be started, never stopped (the TRM: once enabled, writes to the start
// bit have no effect until reset). By default the RTC comes up started, as a battery-backed RTC the
// firmware has already enabled; `startEnabled: false` gives the bare reset state. `reset()` (a
// system reset) clears the registers but keeps the time, as a battery would.

import type { IrqLine, MmioDevice } from "./device.js";
import { COUNTER_HZ, type Clock, type TimerHandle, type TimerQueue } from "../host/time.js";
import { PrimeCellDevice } from "./register-access.js";
import type { StateReader, StateWriter } from "../snapshot/state-stream.js";

// Register byte offsets (DDI 0224 3.2, "Summary of RTC registers").
export const RTCDR = 0x000;
export const RTCMR = 0x004;
export const RTCLR = 0x008;
export const RTCCR = 0x00c;
export const RTCIMSC = 0x010;
export const RTCRIS = 0x014;
export const RTCMIS = 0x018;
export const RTCICR = 0x01c;

/** RTCCR.RTCStart, and the one interrupt bit of RTCIMSC/RTCRIS/RTCMIS/RTCICR. */
export const RTCCR_START = 1;
export const RTC_INT = 1;

/** Peripheral ID bytes 0xFE0..0xFEC: part 0x031, designer ARM (0x41), revision 1. */
export const PL031_PERIPH_ID = [0x31, 0x10, 0x14, 0x00] as const;

export interface Pl031Options {
  /** Wall-clock time at construction, in seconds since the epoch (fractions are dropped). */
  startEpochSeconds: number;
  /** Whether the counter is already running (default true). */
  startEnabled?: boolean;
  /** Counts per second of `clock` (default COUNTER_HZ). */
  hz?: number;
}

export class Pl031 extends PrimeCellDevice implements MmioDevice {
  private readonly hz: number;
  /** Clock count at which second 0 of the 1 Hz tick began. */
  private t0: number;
  private running: boolean;
  /** While running: counter = offset + elapsed seconds (mod 2^32). While stopped: the frozen value. */
  private offset: number;
  private mr = 0;
  private lr = 0;
  private imsc = 0;
  private ris = 0;
  private level = false;
  private matchTimer: TimerHandle | null = null;
  private readonly onMatch = (): void => {
    this.matchTimer = null;
    this.ris |= RTC_INT;
    this.update();
  };

  constructor(
    private readonly irq: IrqLine,
    private readonly clock: Clock,
    private readonly timers: TimerQueue,
    options: Pl031Options,
  ) {
    super(PL031_PERIPH_ID);
    this.hz = options.hz ?? COUNTER_HZ;
    this.t0 = clock.now();
    this.running = options.startEnabled ?? true;
    this.offset = Math.floor(options.startEpochSeconds) >>> 0;
  }

  /** System reset: registers to their reset values, interrupt dropped; the time is kept. */
  reset(): void {
    this.mr = 0;
    this.lr = 0;
    this.imsc = 0;
    this.ris = 0;
    this.cancelMatch();
    this.update();
  }

  /** Snapshots: the registers, the time base (so the counter continues with guest time), the
   * interrupt level and the armed match (deadline and order). */
  save(w: StateWriter): void {
    for (const v of [this.t0, this.offset, this.mr, this.lr, this.imsc, this.ris]) w.f64(v);
    w.bool(this.running);
    w.bool(this.level);
    const m = this.matchTimer;
    w.f64(m === null ? -1 : (m.deadline ?? -1));
    w.f64(m?.seq ?? 0);
  }

  restore(r: StateReader): void {
    this.t0 = r.f64();
    this.offset = r.f64();
    this.mr = r.f64();
    this.lr = r.f64();
    this.imsc = r.f64();
    this.ris = r.f64();
    this.running = r.bool();
    this.level = r.bool();
    const deadline = r.f64();
    const seq = r.f64();
    this.cancelMatch();
    if (deadline >= 0) this.matchTimer = this.timers.schedule(deadline, this.onMatch, seq);
  }

  /** The counter value now (RTCDR). */
  counter(): number {
    return this.running ? (this.offset + this.elapsedSeconds()) >>> 0 : this.offset;
  }

  protected readRegister(reg: number): number {
    switch (reg) {
      case RTCDR:
        return this.counter();
      case RTCMR:
        return this.mr;
      case RTCLR:
        return this.lr;
      case RTCCR:
        return this.running ? RTCCR_START : 0;
      case RTCIMSC:
        return this.imsc;
      case RTCRIS:
        return this.ris;
      case RTCMIS:
        return this.ris & this.imsc;
      default:
        // RTCICR is write-only; reserved and test registers read as zero.
        return this.otherRegister(reg);
    }
  }

  protected writeRegister(reg: number, v: number): void {
    switch (reg) {
      case RTCMR:
        this.mr = v;
        this.scheduleMatch();
        break;
      case RTCLR:
        this.lr = v;
        this.offset = this.running ? (v - this.elapsedSeconds()) >>> 0 : v;
        this.scheduleMatch();
        break;
      case RTCCR:
        if ((v & RTCCR_START) !== 0 && !this.running) {
          this.offset = (this.offset - this.elapsedSeconds()) >>> 0;
          this.running = true;
          this.scheduleMatch();
        }
        break;
      case RTCIMSC:
        this.imsc = v & RTC_INT;
        this.update();
        break;
      case RTCICR:
        this.ris &= ~(v & RTC_INT);
        this.update();
        break;
      default:
        // RTCDR, RTCRIS, RTCMIS and the ID registers are read-only; reserved space ignores writes.
        break;
    }
  }

  private elapsedSeconds(): number {
    return Math.floor((this.clock.now() - this.t0) / this.hz);
  }

  private cancelMatch(): void {
    if (this.matchTimer !== null) {
      this.timers.cancel(this.matchTimer);
      this.matchTimer = null;
    }
  }

  /** Arms the timer for the tick at which the counter next equals RTCMR. */
  private scheduleMatch(): void {
    this.cancelMatch();
    if (!this.running) return;
    const elapsed = this.elapsedSeconds();
    const delta = (this.mr - ((this.offset + elapsed) >>> 0)) >>> 0;
    if (delta === 0) {
      this.onMatch();
      return;
    }
    const deadline = this.t0 + (elapsed + delta) * this.hz;
    if (deadline > Number.MAX_SAFE_INTEGER) return;
    this.matchTimer = this.timers.schedule(deadline, this.onMatch);
  }

  /** RTCINTR: the masked interrupt. */
  private update(): void {
    const level = (this.ris & this.imsc) !== 0;
    if (level !== this.level) {
      this.level = level;
      this.irq.set(level);
    }
  }
}

// The two clocks of DESIGN.md's "Time". Host: the counter follows the host's monotonic clock.
// Icount: the counter advances with executed instructions (one instruction = 1 ns of guest time,
// as QEMU's -icount shift=0), and jumps to the next deadline when every vcpu waits, so the same
// inputs give the same run, byte for byte.

import { COUNTER_HZ, type Clock } from "./time.js";

const TICKS_PER_MS = COUNTER_HZ / 1000;

export interface IdleClock extends Clock {
  readonly mode: "host" | "icount";
  /** Called when every vcpu is blocked: in icount mode guest time jumps to `deadline` (if finite). */
  warpTo(deadline: number): void;
  /** Host milliseconds to sleep before the counter reaches `deadline` (0 in icount mode). */
  hostDelayUntil(deadline: number): number;
  /** A debugger holds the VM (true) or lets it go: guest time stands still meanwhile, as QEMU's
   * virtual clock does while the VM is stopped. */
  hold(on: boolean): void;
  /** What a snapshot keeps of the clock, and its restore: the count goes on from the saved one. */
  saveBase(): number;
  restoreBase(base: number): void;
}

/** Milliseconds since the epoch, precise to the host's monotonic clock. Each thread has its own
 * `performance.now()` origin; `performance.timeOrigin` says where it is, but not always exactly
 * (a browser's workers can disagree by a good part of a second), so a vcpu thread measures its
 * `correction` against the I/O thread once (see clock-sync.ts). */
export function epochMs(correction = 0): number {
  return performance.timeOrigin + correction + performance.now();
}

export class HostClock implements IdleClock {
  readonly mode = "host" as const;
  /** [0] where the count starts (epoch ms); [1] the epoch ms at which the VM was held (a debugger,
   * a pause), or -1 while it runs. Shared memory when the VM's threads share one clock: a hold
   * then stops guest time for all of them. */
  private readonly base: Float64Array;
  /** Where this thread's `performance.now()` starts, on the I/O thread's epoch scale. */
  private readonly origin: number;

  /** `base`: the VM's shared words (the first clock made over them starts the count).
   * `correction`: this thread's timeOrigin error against the I/O thread's (ms). */
  constructor(base: Float64Array = new Float64Array(2), correction = 0) {
    this.base = base;
    this.origin = performance.timeOrigin + correction;
    if (base[0] === 0) {
      base[1] = -1;
      base[0] = epochMs(correction);
    }
  }

  now(): number {
    const b = this.base;
    // performance.now() minus this thread's view of the start, so the difference keeps its
    // precision (the epoch figures themselves are only good to a fraction of a microsecond).
    const start = b[0] - this.origin;
    const host = b[1] >= 0 ? b[1] - this.origin : performance.now();
    return Math.floor((host - start) * TICKS_PER_MS);
  }

  private epoch(): number {
    return this.origin + performance.now();
  }

  hold(on: boolean): void {
    const b = this.base;
    if (on && b[1] < 0) b[1] = this.epoch();
    else if (!on && b[1] >= 0) {
      b[0] += this.epoch() - b[1];
      b[1] = -1;
    }
  }

  warpTo(): void {}

  /** The count now: a restored machine resumes it, however long it was paused. */
  saveBase(): number {
    return this.now();
  }

  restoreBase(count: number): void {
    const b = this.base;
    const at = this.epoch();
    b[0] = at - count / TICKS_PER_MS;
    if (b[1] >= 0) b[1] = at;
  }

  hostDelayUntil(deadline: number): number {
    if (!Number.isFinite(deadline)) return Infinity;
    return Math.max(0, (deadline - this.now()) / TICKS_PER_MS);
  }
}

/** Guest instructions per counter tick: 1 ns per instruction at 62.5 MHz. */
export const INSTRUCTIONS_PER_TICK = 1_000_000_000 / COUNTER_HZ;

export class IcountClock implements IdleClock {
  readonly mode = "icount" as const;
  /** Ticks added by idle jumps. */
  private warp = 0;
  /** Sums the instructions executed so far by every vcpu (read live, mid-slice included). */
  private readonly instructions: () => number;

  constructor(instructions: () => number) {
    this.instructions = instructions;
  }

  now(): number {
    return Math.floor(this.instructions() / INSTRUCTIONS_PER_TICK) + this.warp;
  }

  warpTo(deadline: number): void {
    if (!Number.isFinite(deadline)) return;
    const now = this.now();
    if (deadline > now) this.warp += deadline - now;
  }

  hostDelayUntil(): number {
    return 0;
  }

  /** Guest time moves only with instructions and idle jumps, which a held VM does not make. */
  hold(): void {}
  /** The ticks idle jumps added (the instructions are restored with the cores). */
  saveBase(): number {
    return this.warp;
  }

  restoreBase(warp: number): void {
    this.warp = warp;
  }
}

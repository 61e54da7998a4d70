// Guest time, as every part of the machine sees it: one counter (the generic timer's CNTPCT,
// 62.5 MHz) and a queue of deadlines on that counter. In host mode the counter follows the host's
// monotonic clock; in icount mode it advances with executed instructions (see clock.ts).

/** Counter frequency (CNTFRQ), as QEMU's virt machine reports it. */
export const COUNTER_HZ = 62_500_000;

export interface Clock {
  /** The physical count now, in counter ticks (a float64 holding an integer below 2^53). */
  now(): number;
}

export interface TimerHandle {
  readonly id: number;
  /** Scheduling order (ties fire in it); snapshots keep it so restored ties fire as before. */
  readonly seq?: number;
  /** The deadline it was scheduled for. */
  readonly deadline?: number;
}

/** Deadlines in counter ticks. Callbacks run on the host event loop between vcpu slices. */
export interface TimerQueue {
  /** `seq`: a restored deadline's original scheduling order (see TimerHandle.seq). */
  schedule(deadline: number, callback: () => void, seq?: number): TimerHandle;
  cancel(handle: TimerHandle): void;
}

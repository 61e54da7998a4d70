// Runs every vcpu of a VM on the host's event loop, round-robin with a fair slice. A blocked vcpu
// costs nothing; when every vcpu is blocked the host sleeps until the next deadline (host clock) or
// guest time jumps to it (icount), or until input arrives. Never a polling loop.

import type { IdleClock } from "./clock.js";
import { INSTRUCTIONS_PER_TICK } from "./clock.js";
import type { DeadlineQueue } from "./timer-queue.js";

/** The host event loop, abstracted so the machine can run under Node or in a browser. */
export interface HostLoop {
  /** Runs `callback` soon, after pending I/O events. */
  defer(callback: () => void): void;
  /** Runs `callback` after `ms` milliseconds; returns a cancel function. */
  sleep(ms: number, callback: () => void): () => void;
}

/** One schedulable vcpu, as the scheduler sees it. */
export interface Schedulable {
  /** True if it has work to do. */
  runnable(): boolean;
  /** Runs one slice of at most `budget` instructions. */
  runSlice(budget: number): void;
  /** The next deadline of its running hardware timer (Infinity if none). */
  hardwareDeadline(): number;
}

/** A debugger's hold on the vcpus (src/debug): which may run, and a look after each slice. */
export interface SchedulerGate {
  /** Whether vcpu `index` may run now (a held vcpu keeps its state, runnable or not). */
  allows(index: number): boolean;
  /** Vcpu `index` just ran a slice. */
  sliceDone(index: number): void;
}

/** Instructions per slice: about a millisecond of work at the interpreter's speed. */
export const SLICE_INSTRUCTIONS = 50_000;
/** Host milliseconds of guest work between returns to the host event loop (input, output). */
const WORK_QUANTUM_MS = 8;

export class Scheduler {
  private readonly vcpus: Schedulable[];
  private readonly clock: IdleClock;
  private readonly queue: DeadlineQueue;
  private readonly loop: HostLoop;
  private cancelSleep: (() => void) | null = null;
  private scheduled = false;
  private stopped = false;
  /** Held by a debugger: nothing runs, no deadline fires, guest time does not jump. */
  private paused = false;
  private gate: SchedulerGate | null = null;
  private onStop: (() => void) | null = null;
  /** Round-robin position. */
  private next = 0;
  /** Host milliseconds spent running guest code (for idle-cost figures). */
  busyMs = 0;
  /** Called before each round, where every vcpu is between slices and every device between
   * requests: the point where snapshots are taken. */
  checkpoint: (() => void) | null = null;

  /** The round-robin position, for snapshots (a restored run goes on with the same vcpu). */
  get position(): number {
    return this.next;
  }

  set position(next: number) {
    this.next = next;
  }

  constructor(vcpus: Schedulable[], clock: IdleClock, queue: DeadlineQueue, loop: HostLoop) {
    this.vcpus = vcpus;
    this.clock = clock;
    this.queue = queue;
    this.loop = loop;
  }

  /** Starts running; resolves when stop() is called. */
  run(): Promise<void> {
    return new Promise((resolve) => {
      this.onStop = resolve;
      this.wake();
    });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelSleep?.();
    this.cancelSleep = null;
    const done = this.onStop;
    this.onStop = null;
    if (done) this.loop.defer(done);
  }

  /** Holds every vcpu where it is (after the slice in progress) until resume(). */
  pause(): void {
    this.paused = true;
    this.cancelSleep?.();
    this.cancelSleep = null;
  }

  resume(): void {
    this.paused = false;
    this.wake();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  setGate(gate: SchedulerGate | null): void {
    this.gate = gate;
  }

  private mayRun(index: number): boolean {
    return this.vcpus[index].runnable() && (this.gate === null || this.gate.allows(index));
  }

  /** Something happened outside the guest (input, a device): reconsider now. */
  wake(): void {
    if (this.stopped || this.scheduled || this.paused) return;
    this.cancelSleep?.();
    this.cancelSleep = null;
    this.scheduled = true;
    this.loop.defer(() => this.tick());
  }

  private tick(): void {
    this.scheduled = false;
    if (this.stopped || this.paused) return;
    const start = performance.now();
    const vcpus = this.vcpus;
    const n = vcpus.length;
    do {
      this.checkpoint?.();
      if (this.stopped) break;
      this.queue.runExpired(this.clock.now());
      let ran = false;
      for (let k = 0; k < n && !this.stopped && !this.paused; k++) {
        const index = (this.next + k) % n;
        const vcpu = vcpus[index];
        if (!this.mayRun(index)) continue;
        vcpu.runSlice(this.budgetFor(vcpu));
        this.gate?.sliceDone(index);
        if (this.paused) break;
        this.queue.runExpired(this.clock.now());
        ran = true;
      }
      // Rotate only after a round that ran something, so where host-time quanta fall never changes
      // the order of vcpus (icount runs stay deterministic).
      if (!ran) break;
      this.next = (this.next + 1) % n;
    } while (!this.stopped && !this.paused && performance.now() - start < WORK_QUANTUM_MS);
    this.busyMs += performance.now() - start;
    if (this.stopped || this.paused) return;
    if (vcpus.some((_, index) => this.mayRun(index))) {
      this.wake();
      return;
    }
    this.idle();
  }

  /** Every vcpu is blocked: wait for the next deadline or for input. */
  private idle(): void {
    const deadline = this.queue.nextDeadline();
    if (this.clock.mode === "icount") {
      if (!Number.isFinite(deadline)) return; // only input can wake the guest: wait for wake()
      // Jump one event-loop turn later, so host work already queued (console input the guest
      // made room for) reaches the guest before its time moves on.
      this.loop.defer(() => {
        if (this.stopped || this.scheduled || this.paused || this.vcpus.some((_, index) => this.mayRun(index))) return;
        this.clock.warpTo(this.queue.nextDeadline());
        this.wake();
      });
      return;
    }
    const delay = this.clock.hostDelayUntil(deadline);
    if (!Number.isFinite(delay)) return;
    this.cancelSleep = this.loop.sleep(delay, () => {
      this.cancelSleep = null;
      this.wake();
    });
  }

  /** In icount mode a slice ends exactly at the next deadline, so timers fire at the right instruction. */
  private budgetFor(vcpu: Schedulable): number {
    if (this.clock.mode !== "icount") return SLICE_INSTRUCTIONS;
    const deadline = Math.min(this.queue.nextDeadline(), vcpu.hardwareDeadline());
    if (!Number.isFinite(deadline)) return SLICE_INSTRUCTIONS;
    const ticks = deadline - this.clock.now();
    if (ticks <= 0) return 1;
    return Math.max(1, Math.min(SLICE_INSTRUCTIONS, Math.ceil(ticks * INSTRUCTIONS_PER_TICK)));
  }
}

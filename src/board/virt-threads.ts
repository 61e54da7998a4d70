// The I/O thread's side of a VM whose vcpus run on threads of their own: it starts one thread per
// vcpu, answers their MMIO reads (synchronously, through each vcpu's shared answer slot) and
// writes (posted, in order per vcpu) with the devices that live here, prints their warnings and
// their trace merged in time order, and gathers their statistics at the end.

import type { VcpuThreadHandle, VcpuThreadHost } from "../host/thread-host.js";
import { COUNTER_HZ } from "../host/time.js";
import type { FromVcpu, VcpuThreadInit, VcpuThreadStats } from "../host/thread-messages.js";
import { Fate, MAINT_SAVE, MAINT_STATS, type VmControl } from "../vmm/vm-control.js";
import type { Vm } from "../vmm/vm.js";
import { answerClockSync } from "../host/clock-sync.js";

/** The threads' clocks share an origin through `performance.timeOrigin`, which each thread reads
 * from the wall clock: a line is held this much longer (ms) in case they disagree a little. */
const CLOCK_SKEW_MS = 2;
const TICKS_PER_MS = COUNTER_HZ / 1000;

export interface VirtThreadsConfig {
  vm: Vm;
  control: VmControl;
  host: VcpuThreadHost;
  init: (vcpu: number) => VcpuThreadInit;
  log: (message: string) => void;
  traceOut: (line: string) => void;
  /** Device state may have changed (a new deadline): the I/O thread's scheduler looks again. */
  devicesTouched: () => void;
  /** The VM's clock (counter ticks), which stamps the trace lines. */
  now: () => number;
  /** Every vcpu thread is built and about to run. */
  allReady?: () => void;
}

export class VirtThreads {
  readonly stats: (VcpuThreadStats | null)[];
  private readonly cfg: VirtThreadsConfig;
  private readonly handles: VcpuThreadHandle[] = [];
  private readonly warned = new Set<string>();
  private trace: { t: number; seq: number; line: string }[] = [];
  private traceSeq = 0;
  /** Per vcpu: trace lines received, and the stamp of the last one. */
  private readonly traceReceived: number[];
  private readonly traceLast: number[];
  private traceTimer: ReturnType<typeof setTimeout> | null = null;
  private finals = 0;
  private readyCount = 0;
  private saved: (Uint8Array | null)[] = [];
  private savedDone: ((states: Uint8Array[]) => void) | null = null;
  private done: (() => void) | null = null;
  private failure: string | null = null;

  constructor(cfg: VirtThreadsConfig) {
    this.cfg = cfg;
    this.stats = new Array<VcpuThreadStats | null>(cfg.control.vcpus).fill(null);
    this.traceReceived = new Array<number>(cfg.control.vcpus).fill(0);
    this.traceLast = new Array<number>(cfg.control.vcpus).fill(0);
  }

  /** Runs until every vcpu thread has stopped; rejects with a one-line reason if one failed. */
  run(): Promise<void> {
    const c = this.cfg.control;
    return new Promise<void>((resolve, reject) => {
      this.done = () => {
        if (this.traceTimer !== null) clearTimeout(this.traceTimer);
        this.flushTrace(Infinity);
        for (const h of this.handles) h.terminate();
        if (this.failure !== null) reject(new Error(this.failure));
        else resolve();
      };
      for (let v = 0; v < c.vcpus; v++) {
        this.handles.push(
          this.cfg.host.spawn(
            this.cfg.init(v),
            (m) => this.receive(m),
            (e) => this.fail(`vcpu${v} thread: ${e.message}`),
          ),
        );
      }
    });
  }

  stop(): void {
    this.cfg.control.setFate(Fate.STOPPED);
  }

  /** Holds every vcpu (VmControl.hold) and has each send its snapshot section; resolves with them,
   * by vcpu, once all are in. The vcpus stay held: the caller lets them go. Every posted write a
   * vcpu made before it stopped has been carried out by then (its messages arrive in order). */
  collectStates(): Promise<Uint8Array[]> {
    const c = this.cfg.control;
    if (this.savedDone !== null) return Promise.reject(new Error("a snapshot is already being taken"));
    return new Promise((resolve) => {
      this.saved = new Array<Uint8Array | null>(c.vcpus).fill(null);
      this.savedDone = resolve;
      for (let v = 0; v < c.vcpus; v++) Atomics.or(c.maintenance, v, MAINT_SAVE);
      c.setHold(true);
      // Vcpus already held (a pause) wait on the hold word: have them look again.
      Atomics.notify(c.hold, 0);
    });
  }

  /** Asks every vcpu thread for fresh statistics (they arrive on their next loop turn). */
  requestStats(): void {
    const c = this.cfg.control;
    for (let v = 0; v < c.vcpus; v++) {
      Atomics.or(c.maintenance, v, MAINT_STATS);
      c.kick(v);
    }
  }

  private fail(reason: string): void {
    if (this.failure !== null || this.done === null) return;
    this.failure = reason.split("\n")[0];
    this.cfg.control.setFate(Fate.STOPPED);
    this.done();
    this.done = null;
  }

  private receive(m: FromVcpu): void {
    const { vm, control } = this.cfg;
    switch (m.k) {
      case "read": {
        const value = vm.mmioRead(m.vcpu, m.ipa, m.size);
        const slot = control.mmio;
        slot[m.vcpu * 2 + 1] = value ?? 0;
        Atomics.store(slot, m.vcpu * 2, value === undefined ? 2 : 1);
        Atomics.notify(slot, m.vcpu * 2);
        this.cfg.devicesTouched();
        return;
      }
      case "write": {
        // Posted: the vcpu waits for its writes only before it folds its list registers.
        vm.mmioWrite(m.vcpu, m.ipa, m.size, m.value);
        Atomics.add(control.writesDone, m.vcpu, 1);
        Atomics.notify(control.writesDone, m.vcpu);
        this.cfg.devicesTouched();
        return;
      }
      case "warn":
        if (this.warned.has(m.key)) return;
        this.warned.add(m.key);
        this.cfg.log(m.message);
        return;
      case "trace":
        this.trace.push({ t: m.t, seq: this.traceSeq++, line: m.line });
        this.traceReceived[m.vcpu]++;
        this.traceLast[m.vcpu] = m.t;
        this.flushTrace(this.traceHorizon());
        if (this.trace.length > 0) this.scheduleTraceFlush();
        return;
      case "stats":
        this.stats[m.stats.vcpu] = m.stats;
        if (m.final && ++this.finals === control.vcpus && this.done !== null) {
          this.done();
          this.done = null;
        }
        return;
      case "ready":
        if (++this.readyCount === control.vcpus) this.cfg.allReady?.();
        return;
      case "saved":
        this.saved[m.vcpu] = m.data;
        if (this.saved.every((s) => s !== null)) {
          const states = this.saved as Uint8Array[];
          this.saved = [];
          this.savedDone?.(states);
          this.savedDone = null;
        }
        return;
      case "clock":
        answerClockSync(control.clockAnswer, control.clockAnswers, m.vcpu);
        return;
      case "fatal":
        this.fail(`internal error in a vcpu thread: ${m.message}`);
        return;
    }
  }

  /** The time before which no trace line can still arrive. A vcpu whose lines are all here stamps
   * its next one after now (it counts a line as posted before it reads the clock); one with lines
   * on their way stamps them no earlier than its last line here (each thread's lines come in
   * order). */
  private traceHorizon(): number {
    const now = this.cfg.now() - CLOCK_SKEW_MS * TICKS_PER_MS;
    let horizon = now;
    const posted = this.cfg.control.tracePosted;
    for (let v = 0; v < posted.length; v++) {
      if (Atomics.load(posted, v) !== this.traceReceived[v]) horizon = Math.min(horizon, this.traceLast[v]);
    }
    return horizon;
  }

  /** Lines still held once their vcpus have gone quiet are printed a little later. */
  private scheduleTraceFlush(): void {
    this.traceTimer ??= setTimeout(() => {
      this.traceTimer = null;
      this.flushTrace(this.traceHorizon());
      if (this.trace.length > 0) this.scheduleTraceFlush();
    }, CLOCK_SKEW_MS * 2);
  }

  /** Prints the held trace lines stamped before `before`, in time order (all of them at the end). */
  private flushTrace(before: number): void {
    if (this.trace.length === 0) return;
    this.trace.sort((a, b) => a.t - b.t || a.seq - b.seq);
    let n = 0;
    while (n < this.trace.length && this.trace[n].t <= before) n++;
    const lines = this.trace.splice(0, n);
    for (const l of lines) this.cfg.traceOut(l.line);
  }
}

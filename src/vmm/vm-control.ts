// The words vcpu threads and the I/O thread share to run one VM together: bhyve's per-vcpu state
// and KVM's requests, in shared memory. Kicks (a word per vcpu that the run loops check at block
// boundaries, and that a blocked vcpu waits on), power state and PSCI CPU_ON requests, the VM's
// fate, broadcast maintenance requests, and the slots synchronous MMIO reads are answered in.
// With every vcpu on one thread the same object serves, and nothing ever waits on it.

import { HOT_BLOCK_SLOTS } from "../cpu/hot-blocks.js";
import { SharedArrays } from "../host/shared-arrays.js";
import { SharedLog } from "./shared-log.js";
import { VcpuEvents } from "./vcpu-events.js";

export const Power = {
  OFF: 0,
  ON: 1,
  /** PSCI CPU_ON accepted, the vcpu not yet started. */
  ON_PENDING: 2,
  /** A CPU_ON is writing the entry point (seen as ON_PENDING). */
  CLAIMED: 3,
} as const;

/** Maintenance requests to a vcpu (bits of its `maintenance` word). */
export const MAINT_TLB = 1;
/** Drop the translated blocks of the pages cleaned since the vcpu last looked (the clean log). */
export const MAINT_CODE = 2;
/** Post a statistics snapshot to the I/O thread. */
export const MAINT_STATS = 8;
/** Send the vcpu's snapshot section to the I/O thread (asked while the VM is held). */
export const MAINT_SAVE = 16;

/** Entries of the clean log: a vcpu that falls further behind drops all its translated code. */
export const CLEAN_LOG = 4096;
/** Entries of the TLB log: a vcpu that falls further behind invalidates its whole TLB. */
export const TLB_LOG = 1024;

/** Broadcast TLB operations, as logged. */
export const TLB_ALL = 0;
/** By MVA: operand = MVA | ASID (TLBIMVAIS). */
export const TLB_MVA = 1;
/** By ASID: operand = ASID (TLBIASIDIS). */
export const TLB_ASID = 2;
/** By MVA, all ASIDs: operand = MVA (TLBIMVAAIS). */
export const TLB_MVA_ALL_ASID = 3;

export const Fate = {
  RUNNING: 0,
  POWER_OFF: 1,
  RESET: 2,
  /** Stopped by the host (the user quit, an error). */
  STOPPED: 3,
} as const;

export class VmControl {
  readonly vcpus: number;
  readonly mem: SharedArrays;
  /** Per vcpu: non-zero when it has something to look at (the Cpu's `external` word). */
  readonly kicks: Int32Array;
  /** Per vcpu: Power.*. */
  readonly power: Int32Array;
  /** Per vcpu: the entry point and context id of an accepted CPU_ON. */
  readonly onEntry: Int32Array;
  readonly onContext: Int32Array;
  /** Per vcpu: MAINT_* requests. */
  readonly maintenance: Int32Array;
  /** Pages (byte offsets in guest memory; -1: every page) that a DC clean or invalidate by
   * address reached, in order. */
  readonly cleaned: SharedLog;
  /** Broadcast TLB invalidations (TLB_* kind, operand), in order. */
  readonly tlbOps: SharedLog;
  /** [0] Fate.*. */
  readonly fate: Int32Array;
  /** The cores' shared words (Cpu.shared): the doubleword-exclusive lock and the fence word;
   * [3] counts SEVs. */
  readonly cpuWords: Int32Array;
  /** Per vcpu: [state, value] of its synchronous MMIO access (state 0 waiting, 1 done, 2 unmapped). */
  readonly mmio: Int32Array;
  /** Per vcpu: instructions executed, as of its last slice (for figures while the VM runs). */
  readonly instructions: Float64Array;
  /** Per vcpu: posted MMIO writes the I/O thread has carried out (a count). */
  readonly writesDone: Int32Array;
  /** Per vcpu: trace lines stamped so far (counted before the stamp is read). */
  readonly tracePosted: Int32Array;
  /** What the vcpus did, for live views. */
  readonly events: VcpuEvents;
  /** The host clock's shared base (HostClock): every thread's clock reads the same count. */
  readonly clockBase: Float64Array;
  /** [0] non-zero while the VM is paused: vcpus wait on it before guest code. */
  readonly hold: Int32Array;
  /** Per vcpu: the I/O thread's time (epoch ms) as it answered the vcpu's clock question, and a
   * count of answers (host/clock-sync.ts). */
  readonly clockAnswer: Float64Array;
  readonly clockAnswers: Int32Array;
  /** Per vcpu: non-zero while it waits at the hold, out of its guest (park, unpark). */
  private readonly parked: Int32Array;
  /** The blocks some vcpu thread translated (cpu/hot-blocks.ts). */
  readonly hotBlocks: Int32Array;

  constructor(vcpus: number, mem = new SharedArrays()) {
    this.vcpus = vcpus;
    this.mem = mem;
    this.kicks = mem.i32(vcpus);
    this.power = mem.i32(vcpus);
    this.onEntry = mem.i32(vcpus);
    this.onContext = mem.i32(vcpus);
    this.maintenance = mem.i32(vcpus);
    this.cleaned = new SharedLog(mem, CLEAN_LOG);
    this.tlbOps = new SharedLog(mem, TLB_LOG);
    this.fate = mem.i32(1);
    this.cpuWords = mem.i32(4);
    this.mmio = mem.i32(vcpus * 2);
    this.instructions = mem.f64(vcpus);
    this.writesDone = mem.i32(vcpus);
    this.tracePosted = mem.i32(vcpus);
    this.events = new VcpuEvents(vcpus, mem);
    this.clockBase = mem.f64(2);
    this.hold = mem.i32(1);
    this.clockAnswer = mem.f64(vcpus);
    this.clockAnswers = mem.i32(vcpus);
    this.parked = mem.i32(vcpus);
    this.hotBlocks = mem.i32(HOT_BLOCK_SLOTS);
  }

  /** Pauses (true) or resumes every vcpu thread: each waits at its next loop turn. */
  setHold(on: boolean): void {
    Atomics.store(this.hold, 0, on ? 1 : 0);
    if (on) this.kickAll();
    else Atomics.notify(this.hold, 0);
  }

  /** Makes vcpu `v` look up: a blocked one wakes, a running one stops at its next block boundary. */
  kick(v: number): void {
    Atomics.store(this.kicks, v, 1);
    Atomics.notify(this.kicks, v);
  }

  /** Takes vcpu `v`'s maintenance requests to serve now. A snapshot request (MAINT_SAVE) is
   * taken only once the vcpu is `held`: one served anywhere else (at the entry gate, in an MMIO
   * trap mid-slice) would be followed by more guest code, so the vcpu's saved registers would be
   * older than the memory saved after them, and the restored guest would redo what memory
   * already holds (a lock taken twice: a deadlock). */
  takeRequests(v: number, held: boolean): number {
    const keep = held ? 0 : MAINT_SAVE;
    return Atomics.and(this.maintenance, v, keep) & ~keep;
  }

  /** Vcpu `v` waits at the hold, out of its guest: a snapshot may count it as stopped. */
  park(v: number): void {
    Atomics.store(this.parked, v, 1);
    Atomics.notify(this.parked, v);
  }

  /** Vcpu `v` leaves the hold for its guest. */
  unpark(v: number): void {
    if (Atomics.load(this.parked, v) !== 0) Atomics.store(this.parked, v, 0);
  }

  /** Waits (as vcpu `self`, parked) until every vcpu is parked at the hold, or the hold ends, or
   * the VM stops. A snapshot is taken from there: a vcpu that saved while another still ran could
   * miss what that one did meanwhile (a CPU_ON for it accepted after it saved its power state). */
  waitAllParked(self: number): void {
    for (let v = 0; v < this.vcpus; v++) {
      while (v !== self && Atomics.load(this.parked, v) === 0) {
        if (Atomics.load(this.hold, 0) === 0 || !this.running) return;
        Atomics.wait(this.parked, v, 0, 1);
      }
    }
  }

  kickAll(): void {
    for (let v = 0; v < this.vcpus; v++) this.kick(v);
  }

  /** Ends the VM (the first fate set wins); true if this call set it. */
  setFate(fate: number): boolean {
    const won = Atomics.compareExchange(this.fate, 0, Fate.RUNNING, fate) === Fate.RUNNING;
    if (won) this.kickAll();
    return won;
  }

  get running(): boolean {
    return Atomics.load(this.fate, 0) === Fate.RUNNING;
  }

  /** Logs a page a DC clean or invalidate by address reached (-1: every page). */
  logCleaned(page: number): void {
    this.cleaned.append(page, 0);
  }

  /** Where the clean log ends now (a new reader starts there). */
  cleanedSoFar(): number {
    return this.cleaned.end();
  }

  /** Calls `drop` with each page logged from entry `from` on (-1 once if the log has been
   * overwritten since); returns where the reader is now. */
  readCleaned(from: number, drop: (page: number) => void): number {
    return this.cleaned.read(
      from,
      (page) => drop(page),
      () => drop(-1),
    );
  }
}

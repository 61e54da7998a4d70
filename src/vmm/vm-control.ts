// The words vcpu threads and the I/O thread share to run one VM together: bhyve's per-vcpu state
// and KVM's requests, in shared memory. Kicks (a word per vcpu that the run loops check at block
// boundaries, and that a blocked vcpu waits on), power state and PSCI CPU_ON requests, the VM's
// fate, broadcast maintenance requests, and the slots synchronous MMIO reads are answered in.
// With every vcpu on one thread the same object serves, and nothing ever waits on it.

import { SharedArrays } from "../host/shared-arrays.js";

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
/** Drop every translated block. */
export const MAINT_CODE_ALL = 2;
/** Drop the translated blocks of the pages listed in the vcpu's code ring. */
export const MAINT_CODE_PAGES = 4;
/** Post a statistics snapshot to the I/O thread. */
export const MAINT_STATS = 8;

/** Pages a code ring holds before a request degrades to dropping everything. */
export const CODE_RING = 16;

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
  /** Per vcpu: a count then CODE_RING page offsets. */
  readonly codeRing: Int32Array;
  /** [0] Fate.*. */
  readonly fate: Int32Array;
  /** The cores' shared words (Cpu.shared): the doubleword-exclusive lock and the fence word;
   * [2] guards the code rings; [3] counts SEVs. */
  readonly cpuWords: Int32Array;
  /** Per vcpu: [state, value] of its synchronous MMIO access (state 0 waiting, 1 done, 2 unmapped). */
  readonly mmio: Int32Array;
  /** Per vcpu: instructions executed, as of its last slice (for figures while the VM runs). */
  readonly instructions: Float64Array;

  constructor(vcpus: number, mem = new SharedArrays()) {
    this.vcpus = vcpus;
    this.mem = mem;
    this.kicks = mem.i32(vcpus);
    this.power = mem.i32(vcpus);
    this.onEntry = mem.i32(vcpus);
    this.onContext = mem.i32(vcpus);
    this.maintenance = mem.i32(vcpus);
    this.codeRing = mem.i32(vcpus * (CODE_RING + 1));
    this.fate = mem.i32(1);
    this.cpuWords = mem.i32(4);
    this.mmio = mem.i32(vcpus * 2);
    this.instructions = mem.f64(vcpus);
  }

  /** Makes vcpu `v` look up: a blocked one wakes, a running one stops at its next block boundary. */
  kick(v: number): void {
    Atomics.store(this.kicks, v, 1);
    Atomics.notify(this.kicks, v);
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

  /** Asks vcpu `v` to drop translated code from page `page` (a byte offset), or all (< 0). */
  requestCode(v: number, page: number): void {
    const ring = this.codeRing;
    const base = v * (CODE_RING + 1);
    this.lockRings();
    const n = ring[base];
    if (page < 0 || n === CODE_RING) {
      Atomics.or(this.maintenance, v, MAINT_CODE_ALL);
    } else if (n === 0 || ring[base + n] !== page) {
      ring[base + 1 + n] = page;
      ring[base] = n + 1;
      Atomics.or(this.maintenance, v, MAINT_CODE_PAGES);
    }
    this.unlockRings();
  }

  /** Vcpu `v` takes its listed pages into `out`; returns how many. */
  takeCodePages(v: number, out: Int32Array): number {
    const ring = this.codeRing;
    const base = v * (CODE_RING + 1);
    this.lockRings();
    const n = ring[base];
    for (let k = 0; k < n; k++) out[k] = ring[base + 1 + k];
    ring[base] = 0;
    this.unlockRings();
    return n;
  }

  private lockRings(): void {
    while (Atomics.compareExchange(this.cpuWords, 2, 0, 1) !== 0);
  }

  private unlockRings(): void {
    Atomics.store(this.cpuWords, 2, 0);
  }
}

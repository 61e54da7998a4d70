// What each vcpu and its timers did, and when, for a live view (the browser page's timeline): a
// ring of (time, kind, argument) per vcpu in shared memory, written by the vcpu's own thread and
// read by whoever draws it. Recording costs one load while nobody watches (`watching` is 0), and a
// few stores when someone does; the reader keeps up by the ring's head and drops what it missed.

import type { SharedArrays } from "../host/shared-arrays.js";
import type { Clock } from "../host/time.js";

/** The vcpu entered guest code after waiting (or for the first time). */
export const EV_RUN = 1;
/** A WFI found nothing to deliver: the vcpu waits, first watching for a kick (halt polling). */
export const EV_WFI = 2;
/** The vcpu sleeps on the host until a kick or its timer's host timer; arg: that deadline (count)
 * or -1. */
export const EV_BLOCK = 3;
/** The guest's virtual timer deadline, on the physical count, as the vcpu left its guest. */
export const EV_DEADLINE = 4;
/** The vtimer armed a host timer for the descheduled vcpu's virtual timer; arg: its deadline. */
export const EV_HOST_TIMER = 5;
/** A host timer fired for a descheduled vcpu and woke it. */
export const EV_HOST_FIRED = 6;
/** The virtual timer's level was injected into the vgic (PPI 27); arg: 1 while the vcpu ran. */
export const EV_INJECT = 7;
/** The guest acknowledged an interrupt at its GICV_IAR; arg: the INTID. */
export const EV_ACK = 8;
/** PSCI CPU_OFF, or not started yet. */
export const EV_OFF = 9;
/** The VM is paused. */
export const EV_HOLD = 10;
/** The vgic wrote a newly pending interrupt into one of the vcpu's list registers; arg: INTID. */
export const EV_LR_FILL = 11;

/** Entries per vcpu (a power of two). */
export const EVENT_RING = 4096;
const FIELDS = 3;

export class VcpuEvents {
  readonly vcpus: number;
  /** [0]: non-zero while someone reads the rings. */
  readonly watching: Int32Array;
  /** Per vcpu: entries written so far (the ring holds the last EVENT_RING). */
  readonly heads: Int32Array;
  /** Per vcpu, per entry: time (counter ticks), kind, argument. */
  readonly entries: Float64Array;

  constructor(vcpus: number, mem: SharedArrays) {
    this.vcpus = vcpus;
    this.watching = mem.i32(1);
    this.heads = mem.i32(vcpus);
    this.entries = mem.f64(vcpus * EVENT_RING * FIELDS);
  }

  record(vcpu: number, t: number, kind: number, arg: number): void {
    if (this.watching[0] === 0) return;
    const head = this.heads[vcpu];
    const at = (vcpu * EVENT_RING + (head & (EVENT_RING - 1))) * FIELDS;
    this.entries[at] = t;
    this.entries[at + 1] = kind;
    this.entries[at + 2] = arg;
    Atomics.store(this.heads, vcpu, head + 1);
  }

  /** Calls `each` with vcpu `v`'s entries from number `from` on (the oldest still in the ring if
   * `from` was overwritten); returns the number to read from next time. */
  read(v: number, from: number, each: (t: number, kind: number, arg: number) => void): number {
    const head = Atomics.load(this.heads, v);
    let k = Math.max(from, head - EVENT_RING + 64);
    for (; k < head; k++) {
      const at = (v * EVENT_RING + (k & (EVENT_RING - 1))) * FIELDS;
      each(this.entries[at], this.entries[at + 1], this.entries[at + 2]);
    }
    return head;
  }
}

/** One vcpu's lane of the rings, stamped by its clock. */
export class VcpuEventLane {
  constructor(
    private readonly events: VcpuEvents,
    private readonly vcpu: number,
    private readonly clock: Clock,
  ) {}

  get watched(): boolean {
    return this.events.watching[0] !== 0;
  }

  record(kind: number, arg: number): void {
    if (this.events.watching[0] === 0) return;
    this.events.record(this.vcpu, this.clock.now(), kind, arg);
  }
}

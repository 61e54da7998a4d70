// The emulated distributor's per-interrupt state (the hypervisor's record of every virtual
// interrupt), changed only by distributor writes, device lines and LR sync. Private interrupts
// (SGIs, PPIs) have one copy per vcpu; SPIs one copy. Each state is a typed array indexed by
//   idx = vcpu * 32 + intid          for intid < 32
//   idx = vcpus * 32 + (intid - 32)  for SPIs.
// An interrupt that is pending or active sits on exactly one vcpu's queue (a bitmap by INTID):
// the vcpu it is active on, else the vcpu it targets; flush looks only there.
//
// The arrays are shared memory: with a thread per vcpu every thread maps the same state and
// changes it only under the vgic lock (see vgic-lock.ts).

import { PRIVATE_COUNT, SGI_COUNT } from "../../gic/registers.js";
import { SharedArrays } from "../../host/shared-arrays.js";

export class IrqState {
  readonly vcpus: number;
  readonly spis: number;
  /** Number of INTIDs: 32 private + SPIs. */
  readonly intids: number;
  readonly size: number;
  /** Mask of the existing CPUs in an 8-bit CPU target list. */
  readonly cpuMask: number;

  readonly enabled: Uint8Array;
  /** Pending state that does not come from the line: edges, GICD_ISPENDR writes. */
  readonly pendingLatch: Uint8Array;
  /** Level of the input line. */
  readonly lineLevel: Uint8Array;
  readonly active: Uint8Array;
  /** 8-bit priority (5 bits implemented: low 3 bits always 0). */
  readonly priority: Uint8Array;
  readonly group: Uint8Array;
  /** 1 = edge-triggered, 0 = level-sensitive. */
  readonly edge: Uint8Array;
  /** SPIs: GICD_ITARGETSR CPU target list. */
  readonly targets: Uint8Array;
  /** SPIs: the vcpu the interrupt is active on. */
  readonly activeOn: Int8Array;
  /** SGIs: pending and active state per source CPU (bit n = from CPU n). */
  readonly sgiPending: Uint8Array;
  readonly sgiActive: Uint8Array;
  /** The vcpu whose queue holds the interrupt, or -1. */
  readonly queuedOn: Int8Array;
  /** Per vcpu: bitmap by INTID of interrupts pending or active for it. */
  readonly queue: Uint32Array[];

  constructor(vcpus: number, spis: number, mem = new SharedArrays()) {
    this.vcpus = vcpus;
    this.spis = spis;
    this.intids = PRIVATE_COUNT + spis;
    this.size = vcpus * PRIVATE_COUNT + spis;
    this.cpuMask = (1 << vcpus) - 1;
    const n = this.size;
    this.enabled = mem.u8(n);
    this.pendingLatch = mem.u8(n);
    this.lineLevel = mem.u8(n);
    this.active = mem.u8(n);
    this.priority = mem.u8(n);
    this.group = mem.u8(n);
    this.edge = mem.u8(n);
    this.targets = mem.u8(n);
    this.activeOn = mem.i8(n);
    this.sgiPending = mem.u8(n);
    this.sgiActive = mem.u8(n);
    this.queuedOn = mem.i8(n);
    this.queue = [];
    for (let v = 0; v < vcpus; v++) this.queue.push(mem.u32(this.intids >>> 5));
    if (!mem.fresh) return;
    this.activeOn.fill(-1);
    this.queuedOn.fill(-1);
    for (let v = 0; v < vcpus; v++) {
      for (let id = 0; id < SGI_COUNT; id++) {
        // SGIs are always enabled and edge-triggered (GIC-400 behaviour; 4.3.5, 4.3.13).
        this.enabled[v * PRIVATE_COUNT + id] = 1;
        this.edge[v * PRIVATE_COUNT + id] = 1;
      }
    }
  }

  /** The state index of `intid` as seen by `vcpu`. */
  index(vcpu: number, intid: number): number {
    return intid < PRIVATE_COUNT ? vcpu * PRIVATE_COUNT + intid : this.vcpus * PRIVATE_COUNT + intid - PRIVATE_COUNT;
  }

  /** The INTID of state index `idx`. */
  intidOf(idx: number): number {
    const privates = this.vcpus * PRIVATE_COUNT;
    return idx < privates ? idx % PRIVATE_COUNT : idx - privates + PRIVATE_COUNT;
  }

  isPrivate(idx: number): boolean {
    return idx < this.vcpus * PRIVATE_COUNT;
  }

  isSgi(idx: number): boolean {
    return idx < this.vcpus * PRIVATE_COUNT && idx % PRIVATE_COUNT < SGI_COUNT;
  }

  isPending(idx: number): boolean {
    if (this.isSgi(idx)) return this.sgiPending[idx] !== 0;
    return this.pendingLatch[idx] !== 0 || (this.edge[idx] === 0 && this.lineLevel[idx] !== 0);
  }

  isActive(idx: number): boolean {
    if (this.isSgi(idx)) return this.sgiActive[idx] !== 0;
    return this.active[idx] !== 0;
  }

  /** The vcpu an SPI is delivered to: the lowest CPU in its target list (every interrupt goes to
   * CPU 0 on a uniprocessor GIC), or -1 when it targets no existing CPU. */
  spiTarget(idx: number): number {
    if (this.vcpus === 1) return 0;
    const t = this.targets[idx] & this.cpuMask;
    return t === 0 ? -1 : 31 - Math.clz32(t & -t);
  }

  /** Puts the interrupt on the queue of the vcpu that must see it (or none) after a state change. */
  requeue(idx: number): void {
    let owner = -1;
    const pending = this.isPending(idx);
    const active = this.isActive(idx);
    if (pending || active) {
      if (this.isPrivate(idx)) owner = (idx / PRIVATE_COUNT) | 0;
      else if (active && this.activeOn[idx] >= 0) owner = this.activeOn[idx];
      else owner = this.spiTarget(idx);
    }
    const old = this.queuedOn[idx];
    if (old === owner) return;
    const intid = this.intidOf(idx);
    const bit = 1 << (intid & 31);
    if (old >= 0) this.queue[old][intid >>> 5] &= ~bit;
    if (owner >= 0) this.queue[owner][intid >>> 5] |= bit;
    this.queuedOn[idx] = owner;
  }
}

// The hypervisor's virtual GIC (bhyve's vgic): the emulated distributor and per-interrupt state,
// interrupt inputs for devices and timers, and the list-register traffic around each guest entry.
//
// Wiring (done by the board): for each physical CPU i build a GicVirtualInterface with
//   virq → core i LINE_VIRQ, vfiq → core i LINE_VFIQ, maintenance → the host's PPI 25 of CPU i
//   (an IRQ exit of core i), and map its `gicv` window at the guest's GICC address in core i's
//   stage-2 (src/board/virt-machine.ts does this); then
//   new Vgic({ vcpus, spis, gich: interfaces.map((i) => i.gich), now, trace, kick })
// and map `vgic.distributor` (an MmioDevice) at GICD. Devices get `vgic.spiLine(intid)`, the timers
// of vcpu v `vgic.ppiLine(v, 27)` / `(v, 30)`. The run loop calls `flush(v)` before every entry and
// `sync(v)` after every exit, and blocks a vcpu in WFI until `hasDeliverable(v)`; `kick(v)` is
// called whenever an interrupt becomes pending for v. Distributor accesses (traps) fold and reload
// the LRs of every vcpu themselves, so they need no flush/sync around them.

import type { IrqLine } from "../../devices/device.js";
import type { RegisterWindow } from "../../gic/virtual-interface.js";
import { PRIVATE_COUNT, SGI_COUNT } from "../../gic/registers.js";
import { IrqState } from "./irq-state.js";
import { ListRegisters, type LrContext } from "./list-registers.js";
import { VgicStats, formatMicros } from "./stats.js";
import { Distributor } from "./distributor.js";
import { SINGLE_THREAD, type VgicSync } from "./vgic-lock.js";
import { SharedArrays } from "../../host/shared-arrays.js";

export interface VgicOptions {
  /** Number of vcpus, 1..8. */
  vcpus: number;
  /** Number of SPIs, a multiple of 32 (64 → INTIDs 32..95), at most 960. */
  spis: number;
  /** Most list registers to use per vcpu (default: all the interface implements, per GICH_VTR). */
  lrs?: number;
  /** GICH frame of the virtual CPU interface each vcpu runs on, by vcpu index. */
  gich: readonly RegisterWindow[];
  /** Guest time in counter ticks (62.5 MHz), for the trace. */
  now: () => number;
  /** Trace sink (`--trace vgic`), or null. */
  trace: ((text: string) => void) | null;
  /** Wakes a blocked vcpu, or makes a running one exit promptly. */
  kick: (vcpu: number) => void;
  /** Shared memory for the state (attach to another thread's vgic by passing its buffers). */
  mem?: SharedArrays;
  /** Locking against other threads (default: every vcpu on this thread). */
  sync?: VgicSync;
}

/** An interrupt input (a device's or a timer's line) feeding one vgic interrupt. */
class VgicInput implements IrqLine {
  constructor(
    private readonly vgic: Vgic,
    private readonly idx: number,
  ) {}
  set(level: boolean): void {
    this.vgic.setLine(this.idx, level);
  }
}

export class Vgic implements LrContext {
  readonly vcpus: number;
  readonly state: IrqState;
  readonly stats: VgicStats;
  readonly distributor: Distributor;
  readonly lrs: ListRegisters;
  /** GICD_CTLR (word 0): EnableGrp0 (bit 0), EnableGrp1 (bit 1). */
  private readonly words: Int32Array;
  readonly locks: VgicSync;
  readonly trace: ((vcpu: number, text: string) => void) | null;
  onFill: ((vcpu: number, intid: number) => void) | null = null;
  private readonly kickHook: (vcpu: number) => void;
  private readonly inputs: VgicInput[];

  constructor(options: VgicOptions) {
    const { vcpus, spis } = options;
    if (!Number.isInteger(vcpus) || vcpus < 1 || vcpus > 8) throw new RangeError(`vcpus must be 1..8, got ${vcpus}`);
    if (!Number.isInteger(spis) || spis < 0 || spis > 960 || spis % 32 !== 0)
      throw new RangeError(`spis must be a multiple of 32 up to 960, got ${spis}`);
    if (options.gich.length < vcpus) throw new RangeError(`need a GICH frame per vcpu (${vcpus})`);
    this.vcpus = vcpus;
    const mem = options.mem ?? new SharedArrays();
    this.locks = options.sync ?? SINGLE_THREAD;
    this.state = new IrqState(vcpus, spis, mem);
    this.words = mem.i32(1);
    this.stats = new VgicStats(this.state.intids, mem);
    this.kickHook = options.kick;
    const sink = options.trace;
    const now = options.now;
    this.trace = sink === null ? null : (vcpu, text) => sink(`vgic ${formatMicros(now())}us vcpu${vcpu}: ${text}`);
    this.lrs = new ListRegisters(this, options.gich, options.lrs ?? 64, mem);
    this.distributor = new Distributor(this);
    this.inputs = [];
    for (let idx = 0; idx < this.state.size; idx++) this.inputs.push(new VgicInput(this, idx));
  }

  get ctlr(): number {
    return this.words[0];
  }
  set ctlr(v: number) {
    this.words[0] = v;
  }

  // ---- Inputs ----

  /** The input line of SPI `intid` (32 ≤ intid < 32 + spis). */
  spiLine(intid: number): IrqLine {
    if (!Number.isInteger(intid) || intid < PRIVATE_COUNT || intid >= this.state.intids)
      throw new RangeError(`no SPI ${intid}`);
    return this.inputs[this.state.index(0, intid)];
  }

  /** The input line of PPI `intid` (16..31) of `vcpu`. */
  ppiLine(vcpu: number, intid: number): IrqLine {
    if (!Number.isInteger(vcpu) || vcpu < 0 || vcpu >= this.vcpus) throw new RangeError(`no vcpu ${vcpu}`);
    if (!Number.isInteger(intid) || intid < SGI_COUNT || intid >= PRIVATE_COUNT)
      throw new RangeError(`no PPI ${intid}`);
    return this.inputs[this.state.index(vcpu, intid)];
  }

  /** A device or timer drives an input: level interrupts follow the line, edge ones latch a rising edge. */
  setLine(idx: number, level: boolean): void {
    const st = this.state;
    const lv = level ? 1 : 0;
    if (st.lineLevel[idx] === lv) return;
    this.locks.lock();
    try {
      this.changeLine(idx, lv);
    } finally {
      this.locks.unlock();
    }
  }

  private changeLine(idx: number, lv: number): void {
    const st = this.state;
    if (st.lineLevel[idx] === lv) return;
    st.lineLevel[idx] = lv;
    const intid = st.intidOf(idx);
    if (lv !== 0) {
      this.stats.injections[intid]++;
      if (st.edge[idx] !== 0) {
        st.pendingLatch[idx] = 1;
        this.lrs.listed[idx] = 0;
      }
    }
    st.requeue(idx);
    const owner = st.queuedOn[idx];
    if (this.trace !== null) {
      const who = owner >= 0 ? owner : st.isPrivate(idx) ? (idx / PRIVATE_COUNT) | 0 : 0;
      this.trace(who, `${lv !== 0 ? "inject" : "release"} INTID ${intid} (${st.edge[idx] !== 0 ? "edge" : "level"})`);
    }
    if (lv !== 0 && owner >= 0 && this.canForward(idx)) this.kickHook(owner);
  }

  /** GICD_SGIR: SGI `intid` from `from` to each vcpu in `targets`. */
  sendSgi(from: number, intid: number, targets: number): void {
    const st = this.state;
    for (let t = 0; t < this.vcpus; t++) {
      if (((targets >>> t) & 1) === 0) continue;
      const idx = st.index(t, intid);
      st.sgiPending[idx] |= 1 << from;
      this.lrs.listed[idx] &= ~(1 << from);
      st.requeue(idx);
      this.stats.injections[intid]++;
      if (this.trace !== null) this.trace(t, `inject SGI ${intid} from cpu${from}`);
      if (t !== from && this.canForward(idx)) this.kickHook(t);
    }
  }

  kick(vcpu: number): void {
    this.kickHook(vcpu);
  }

  canForward(idx: number): boolean {
    const st = this.state;
    return st.enabled[idx] !== 0 && ((this.ctlr >>> st.group[idx]) & 1) !== 0;
  }

  // ---- Entry and exit ----

  /** Before entry: load the vcpu's deliverable interrupts into its list registers. */
  flush(vcpu: number): void {
    this.locks.lock();
    this.lrs.flush(vcpu);
    this.locks.unlock();
  }

  /** After exit: fold the list registers back into the vgic's state. */
  sync(vcpu: number): void {
    this.locks.lock();
    this.lrs.fold(vcpu);
    this.locks.unlock();
  }

  /** Returns all LR state of every vcpu to the vgic (before the distributor reads or changes it). */
  syncAll(): void {
    for (let v = 0; v < this.vcpus; v++) this.lrs.fold(v);
  }

  /** Would an interrupt be signalled to the vcpu: pending, not active, forwardable, above its PMR? */
  hasDeliverable(vcpu: number): boolean {
    this.locks.lock();
    try {
      return this.deliverable(vcpu);
    } finally {
      this.locks.unlock();
    }
  }

  private deliverable(vcpu: number): boolean {
    if (this.lrs.lrHasDeliverable(vcpu)) return true;
    const st = this.state;
    const q = st.queue[vcpu];
    const pmr = this.priorityMask(vcpu);
    for (let w = 0; w < q.length; w++) {
      let bits = q[w];
      while (bits !== 0) {
        const b = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
        const intid = (w << 5) | b;
        const idx = st.index(vcpu, intid);
        if (!this.canForward(idx) || st.priority[idx] >= pmr) continue;
        if (intid < SGI_COUNT) {
          if ((st.sgiPending[idx] & ~st.sgiActive[idx]) !== 0) return true;
        } else if (st.isPending(idx) && st.active[idx] === 0) return true;
      }
    }
    return false;
  }

  private priorityMask(vcpu: number): number {
    return this.lrs.priorityMask(vcpu);
  }

  formatStats(): string {
    return this.stats.format();
  }
}

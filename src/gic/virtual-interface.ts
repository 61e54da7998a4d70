// The GICv2 virtual CPU interface of one physical CPU (IHI 0048B chapter 5): the GICH control
// block the hypervisor programs (HCR, VTR, VMCR, MISR, EISR, ELRSR, APR, LRs) and the state behind
// the GICV registers the guest sees at its GICC address. Everything the guest observes is computed
// from the list registers, VMCR and APR alone; no hypervisor code runs on a GICV access. Its outputs
// are the virtual IRQ and FIQ lines to the core and the maintenance interrupt line to the host,
// re-evaluated after every register write through either window.

import type { IrqLine } from "../devices/device.js";
import {
  GICH_APR,
  GICH_EISR0,
  GICH_EISR1,
  GICH_ELRSR0,
  GICH_ELRSR1,
  GICH_HCR,
  GICH_HCR_EN,
  GICH_HCR_EOICOUNT_SHIFT,
  GICH_HCR_LRENPIE,
  GICH_HCR_NPIE,
  GICH_HCR_UIE,
  GICH_HCR_VGRP0DIE,
  GICH_HCR_VGRP0EIE,
  GICH_HCR_VGRP1DIE,
  GICH_HCR_VGRP1EIE,
  GICH_HCR_WRITABLE,
  GICH_LR0,
  GICH_LR_ACTIVE,
  GICH_LR_MAX,
  GICH_LR_PENDING,
  GICH_LR_WRITABLE,
  GICH_MISR,
  GICH_MISR_EOI,
  GICH_MISR_LRENP,
  GICH_MISR_NP,
  GICH_MISR_U,
  GICH_MISR_VGRP0D,
  GICH_MISR_VGRP0E,
  GICH_MISR_VGRP1D,
  GICH_MISR_VGRP1E,
  GICH_VMCR,
  GICH_VMCR_VMABP_SHIFT,
  GICH_VMCR_VMBP_SHIFT,
  GICH_VMCR_VMPRIMASK_SHIFT,
  GICH_VMCR_WRITABLE,
  GICH_VTR,
  GICH_VTR_PREBITS_SHIFT,
  GICH_VTR_PRIBITS_SHIFT,
  GICV_CTLR_ACKCTL,
  GICV_CTLR_ENABLE_GRP0,
  GICV_CTLR_ENABLE_GRP1,
  GICV_CTLR_EOIMODE,
  GICV_CTLR_FIQEN,
  INTID_SPURIOUS,
  INTID_SPURIOUS_GRP1,
  LR_STATE_PENDING,
  SGI_COUNT,
  VIRTUAL_PRIORITY_BITS,
} from "./registers.js";
import {
  lrAcknowledgeId,
  lrCpuId,
  lrGroup,
  lrIsEmpty,
  lrIsHw,
  lrPhysicalId,
  lrPriority,
  lrSignalsEoi,
  lrState,
  lrVirtualId,
} from "./list-register.js";
import { MIN_ABPR, MIN_BPR, activePriorityBit, groupPriority, runningPriority } from "./priority.js";
import { GicvWindow } from "./gicv-window.js";
import { SharedArrays } from "../host/shared-arrays.js";
import type { StateReader, StateWriter } from "../snapshot/state-stream.js";

/** A 32-bit register block addressed by byte offset (word accesses only), as the GICH frame is. */
export interface RegisterWindow {
  read(offset: number): number;
  write(offset: number, value: number): void;
}

export interface VirtualInterfaceOptions {
  /** Implemented list registers, 1..64 (GICH_VTR.ListRegs + 1); 4 as on GIC-400 by default. */
  listRegisters?: number;
  /** Virtual IRQ input of the core this interface belongs to. */
  virq: IrqLine;
  /** Virtual FIQ input of the core (Group 0 interrupts when GICV_CTLR.FIQEn is set). */
  vfiq: IrqLine;
  /** The maintenance interrupt (PPI 25, level) to the host. */
  maintenance: IrqLine;
  /** Deactivation of a HW = 1 list register deactivates this physical interrupt (none by default). */
  deactivatePhysical?: (intid: number) => void;
  /** Where the registers live (another thread's interface: attach to its buffers). */
  mem?: SharedArrays;
}

/** VMCR at reset: everything off, binary points at their minimums. */
const VMCR_RESET = ((MIN_BPR << GICH_VMCR_VMBP_SHIFT) | (MIN_ABPR << GICH_VMCR_VMABP_SHIFT)) >>> 0;

export class GicVirtualInterface {
  readonly listRegisters: number;
  /** GICH_HCR, GICH_VMCR, GICH_APR, in shared memory: with a thread per vcpu the hypervisor may
   * program another CPU's interface while that CPU is halted (GICv2 gives each processor's GICH
   * frame an alias every processor can reach). */
  private readonly regs: Uint32Array;
  /** GICH_LR0..n-1. */
  readonly lr: Uint32Array;
  /** The hypervisor's view: the GICH frame. */
  readonly gich: RegisterWindow;
  /** The guest's view at its GICC address: the GICV frame. */
  readonly gicv: GicvWindow;

  private readonly virq: IrqLine;
  private readonly vfiq: IrqLine;
  private readonly maintenanceLine: IrqLine;
  private readonly deactivatePhysical: ((intid: number) => void) | null;
  /** Told each INTID the guest acknowledges (a probe for live views, not part of the GIC). */
  onAcknowledge: ((intid: number) => void) | null = null;
  private virqLevel = false;
  private vfiqLevel = false;
  private maintenanceLevel = false;

  constructor(options: VirtualInterfaceOptions) {
    const n = options.listRegisters ?? 4;
    if (!Number.isInteger(n) || n < 1 || n > GICH_LR_MAX) throw new RangeError(`listRegisters must be 1..64, got ${n}`);
    this.listRegisters = n;
    const mem = options.mem ?? new SharedArrays();
    this.regs = mem.u32(3);
    this.lr = mem.u32(n);
    if (mem.fresh) this.vmcr = VMCR_RESET;
    this.virq = options.virq;
    this.vfiq = options.vfiq;
    this.maintenanceLine = options.maintenance;
    this.deactivatePhysical = options.deactivatePhysical ?? null;
    this.gich = { read: (offset) => this.readGich(offset), write: (offset, value) => this.writeGich(offset, value) };
    this.gicv = new GicvWindow(this);
  }

  get hcr(): number {
    return this.regs[0];
  }
  set hcr(v: number) {
    this.regs[0] = v;
  }
  get vmcr(): number {
    return this.regs[1];
  }
  set vmcr(v: number) {
    this.regs[1] = v;
  }
  get apr(): number {
    return this.regs[2];
  }
  set apr(v: number) {
    this.regs[2] = v;
  }

  // ---- Snapshots ----

  /** HCR, VMCR, APR, the list registers, and the output levels as last driven (the core's and
   * the host's lines are restored with them, so nothing is driven here). */
  save(w: StateWriter): void {
    w.array(this.regs);
    w.array(this.lr);
    w.bool(this.virqLevel);
    w.bool(this.vfiqLevel);
    w.bool(this.maintenanceLevel);
  }

  restore(r: StateReader): void {
    r.array(this.regs);
    r.array(this.lr);
    this.virqLevel = r.bool();
    this.vfiqLevel = r.bool();
    this.maintenanceLevel = r.bool();
  }

  // ---- GICH frame ----

  readGich(offset: number): number {
    if ((offset & 3) !== 0) return 0;
    switch (offset) {
      case GICH_HCR:
        return this.hcr >>> 0;
      case GICH_VTR:
        return (
          (((VIRTUAL_PRIORITY_BITS - 1) << GICH_VTR_PRIBITS_SHIFT) |
            ((VIRTUAL_PRIORITY_BITS - 1) << GICH_VTR_PREBITS_SHIFT) |
            (this.listRegisters - 1)) >>>
          0
        );
      case GICH_VMCR:
        return this.vmcr >>> 0;
      case GICH_MISR:
        return this.misr();
      case GICH_EISR0:
        return this.statusBits(0, true);
      case GICH_EISR1:
        return this.statusBits(32, true);
      case GICH_ELRSR0:
        return this.statusBits(0, false);
      case GICH_ELRSR1:
        return this.statusBits(32, false);
      case GICH_APR:
        return this.apr >>> 0;
    }
    if (offset >= GICH_LR0 && offset < GICH_LR0 + 4 * GICH_LR_MAX) {
      const n = (offset - GICH_LR0) >>> 2;
      return n < this.listRegisters ? this.lr[n] : 0;
    }
    return 0;
  }

  writeGich(offset: number, value: number): void {
    if ((offset & 3) !== 0) return;
    switch (offset) {
      case GICH_HCR:
        this.hcr = (value & GICH_HCR_WRITABLE) >>> 0;
        break;
      case GICH_VMCR:
        this.writeVmcr(value);
        break;
      case GICH_APR:
        this.apr = value >>> 0;
        break;
      default:
        if (offset >= GICH_LR0 && offset < GICH_LR0 + 4 * GICH_LR_MAX) {
          const n = (offset - GICH_LR0) >>> 2;
          if (n < this.listRegisters) this.lr[n] = (value & GICH_LR_WRITABLE) >>> 0;
        }
        // VTR, MISR, EISR, ELRSR are read-only; the rest is reserved.
        break;
    }
    this.update();
  }

  /** Writes VMCR; binary points below the minimum read back as the minimum. */
  writeVmcr(value: number): void {
    let v = value & GICH_VMCR_WRITABLE;
    if (((v >>> GICH_VMCR_VMBP_SHIFT) & 7) < MIN_BPR)
      v = (v & ~(7 << GICH_VMCR_VMBP_SHIFT)) | (MIN_BPR << GICH_VMCR_VMBP_SHIFT);
    if (((v >>> GICH_VMCR_VMABP_SHIFT) & 7) < MIN_ABPR)
      v = (v & ~(7 << GICH_VMCR_VMABP_SHIFT)) | (MIN_ABPR << GICH_VMCR_VMABP_SHIFT);
    this.vmcr = v >>> 0;
  }

  /** GICH_MISR, computed from HCR, VMCR and the LRs. */
  misr(): number {
    const hcr = this.hcr;
    let valid = 0;
    let pending = 0;
    let eoi = false;
    for (let n = 0; n < this.listRegisters; n++) {
      const lr = this.lr[n];
      const state = lrState(lr);
      if (state !== 0) valid++;
      if (state === LR_STATE_PENDING) pending++;
      if (lrSignalsEoi(lr)) eoi = true;
    }
    let m = 0;
    if (eoi) m |= GICH_MISR_EOI;
    if ((hcr & GICH_HCR_UIE) !== 0 && valid <= 1) m |= GICH_MISR_U;
    if ((hcr & GICH_HCR_LRENPIE) !== 0 && hcr >>> GICH_HCR_EOICOUNT_SHIFT !== 0) m |= GICH_MISR_LRENP;
    if ((hcr & GICH_HCR_NPIE) !== 0 && pending === 0) m |= GICH_MISR_NP;
    const grp0 = (this.vmcr & GICV_CTLR_ENABLE_GRP0) !== 0;
    const grp1 = (this.vmcr & GICV_CTLR_ENABLE_GRP1) !== 0;
    if ((hcr & GICH_HCR_VGRP0EIE) !== 0 && grp0) m |= GICH_MISR_VGRP0E;
    if ((hcr & GICH_HCR_VGRP0DIE) !== 0 && !grp0) m |= GICH_MISR_VGRP0D;
    if ((hcr & GICH_HCR_VGRP1EIE) !== 0 && grp1) m |= GICH_MISR_VGRP1E;
    if ((hcr & GICH_HCR_VGRP1DIE) !== 0 && !grp1) m |= GICH_MISR_VGRP1D;
    return m;
  }

  /** EISR (eoi) or ELRSR (!eoi) bits for LRs first..first+31; unimplemented LRs read as 0. */
  private statusBits(first: number, eoi: boolean): number {
    let bits = 0;
    const end = Math.min(this.listRegisters, first + 32);
    for (let n = first; n < end; n++) {
      const lr = this.lr[n];
      if (eoi ? lrSignalsEoi(lr) : lrIsEmpty(lr)) bits |= 1 << (n - first);
    }
    return bits >>> 0;
  }

  // ---- The virtual CPU interface behaviour behind GICV ----

  /** Priority mask (GICV_PMR) as an 8-bit priority. */
  priorityMask(): number {
    return (this.vmcr >>> GICH_VMCR_VMPRIMASK_SHIFT) << (8 - VIRTUAL_PRIORITY_BITS);
  }

  /** The pending (not active) LR with the highest priority whose group is enabled, or -1. */
  bestPendingLr(): number {
    const vmcr = this.vmcr;
    let best = -1;
    let bestPrio = 0x100;
    for (let n = 0; n < this.listRegisters; n++) {
      const lr = this.lr[n];
      if (lrState(lr) !== LR_STATE_PENDING) continue;
      const enable = lrGroup(lr) === 0 ? GICV_CTLR_ENABLE_GRP0 : GICV_CTLR_ENABLE_GRP1;
      if ((vmcr & enable) === 0) continue;
      const prio = lrPriority(lr);
      if (prio < bestPrio) {
        bestPrio = prio;
        best = n;
      }
    }
    return best;
  }

  /** GICV_HPPIR (aliased = false) or GICV_AHPPIR (aliased = true). */
  highestPending(aliased: boolean): number {
    if ((this.hcr & GICH_HCR_EN) === 0) return INTID_SPURIOUS;
    const n = this.bestPendingLr();
    if (n < 0) return INTID_SPURIOUS;
    const lr = this.lr[n];
    if (lrPriority(lr) >= this.priorityMask()) return INTID_SPURIOUS;
    return this.groupFilter(lr, aliased);
  }

  /** The ID an IAR/HPPIR (or AIAR/AHPPIR) read reports for LR value `lr`: 1023 or 1022 when its
   * group makes it invisible through that register. */
  private groupFilter(lr: number, aliased: boolean): number {
    const group = lrGroup(lr);
    if (aliased) return group === 1 ? lrAcknowledgeId(lr) : INTID_SPURIOUS;
    if (group === 1 && (this.vmcr & GICV_CTLR_ACKCTL) === 0) return INTID_SPURIOUS_GRP1;
    return lrAcknowledgeId(lr);
  }

  /** GICV_IAR (aliased = false) or GICV_AIAR (aliased = true): acknowledge the highest priority
   * pending interrupt if it may preempt, making its LR active and raising the running priority. */
  acknowledge(aliased: boolean): number {
    if ((this.hcr & GICH_HCR_EN) === 0) return INTID_SPURIOUS;
    const n = this.bestPendingLr();
    if (n < 0) return INTID_SPURIOUS;
    const lr = this.lr[n];
    const prio = lrPriority(lr);
    if (prio >= this.priorityMask()) return INTID_SPURIOUS;
    const groupPrio = groupPriority(prio, lrGroup(lr), this.vmcr);
    if (groupPrio >= runningPriority(this.apr)) return INTID_SPURIOUS;
    const id = this.groupFilter(lr, aliased);
    if (id === INTID_SPURIOUS || id === INTID_SPURIOUS_GRP1) return id;
    this.lr[n] = ((lr & ~GICH_LR_PENDING) | GICH_LR_ACTIVE) >>> 0;
    this.apr = (this.apr | activePriorityBit(groupPrio)) >>> 0;
    this.update();
    if (this.onAcknowledge !== null) this.onAcknowledge(lrVirtualId(lr));
    return id;
  }

  /** GICV_EOIR / GICV_AEOIR: drop the running priority; with EOImode 0 also deactivate. */
  endOfInterrupt(value: number): void {
    const id = value & 0x3ff;
    if (id >= INTID_SPURIOUS_GRP1) return;
    const dropped = this.apr !== 0;
    // Priority drop: the interrupt being completed is the highest priority active one.
    this.apr = (this.apr & (this.apr - 1)) >>> 0;
    if ((this.vmcr & GICV_CTLR_EOIMODE) === 0) {
      const n = this.findActiveLr(value);
      if (n >= 0) this.deactivateLr(n);
      else if (dropped) this.countEoi();
    }
    this.update();
  }

  /** GICV_DIR: deactivate (meaningful only with EOImode 1; ignored otherwise, as UNPREDICTABLE). */
  deactivate(value: number): void {
    const id = value & 0x3ff;
    if (id >= INTID_SPURIOUS_GRP1 || (this.vmcr & GICV_CTLR_EOIMODE) === 0) return;
    const n = this.findActiveLr(value);
    if (n >= 0) this.deactivateLr(n);
    else this.countEoi();
    this.update();
  }

  /** The LR holding interrupt `value` (ID, and source CPU for an SGI) in the active state, or -1. */
  private findActiveLr(value: number): number {
    const id = value & 0x3ff;
    const cpu = (value >>> 10) & 7;
    for (let n = 0; n < this.listRegisters; n++) {
      const lr = this.lr[n];
      if ((lr & GICH_LR_ACTIVE) === 0 || lrVirtualId(lr) !== id) continue;
      if (id < SGI_COUNT && !lrIsHw(lr) && lrCpuId(lr) !== cpu) continue;
      return n;
    }
    return -1;
  }

  private deactivateLr(n: number): void {
    const lr = this.lr[n];
    this.lr[n] = (lr & ~GICH_LR_ACTIVE) >>> 0;
    if (lrIsHw(lr) && this.deactivatePhysical !== null) this.deactivatePhysical(lrPhysicalId(lr));
  }

  /** An EOI with no matching LR: EOICount counts it (wrapping at 32) for the hypervisor. */
  private countEoi(): void {
    const count = ((this.hcr >>> GICH_HCR_EOICOUNT_SHIFT) + 1) & 0x1f;
    this.hcr = ((this.hcr & ~(0x1f << GICH_HCR_EOICOUNT_SHIFT)) | (count << GICH_HCR_EOICOUNT_SHIFT)) >>> 0;
  }

  // ---- Outputs ----

  /** Recomputes the virtual IRQ/FIQ and maintenance lines, driving only the ones that change. */
  update(): void {
    let irq = false;
    let fiq = false;
    const enabled = (this.hcr & GICH_HCR_EN) !== 0;
    if (enabled) {
      const n = this.bestPendingLr();
      if (n >= 0) {
        const lr = this.lr[n];
        const prio = lrPriority(lr);
        const group = lrGroup(lr);
        if (prio < this.priorityMask() && groupPriority(prio, group, this.vmcr) < runningPriority(this.apr)) {
          if (group === 0 && (this.vmcr & GICV_CTLR_FIQEN) !== 0) fiq = true;
          else irq = true;
        }
      }
    }
    const maintenance = enabled && this.misr() !== 0;
    if (irq !== this.virqLevel) {
      this.virqLevel = irq;
      this.virq.set(irq);
    }
    if (fiq !== this.vfiqLevel) {
      this.vfiqLevel = fiq;
      this.vfiq.set(fiq);
    }
    if (maintenance !== this.maintenanceLevel) {
      this.maintenanceLevel = maintenance;
      this.maintenanceLine.set(maintenance);
    }
  }

  /** Current levels of the outputs (for tests and debugging). */
  get virqAsserted(): boolean {
    return this.virqLevel;
  }
  get vfiqAsserted(): boolean {
    return this.vfiqLevel;
  }
  get maintenanceAsserted(): boolean {
    return this.maintenanceLevel;
  }
}

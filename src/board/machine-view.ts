// A read-only window on a running virt machine from another thread (the browser page): it attaches
// to the machine's shared buffers, as a vcpu thread does, and reads the vgic's per-interrupt state,
// every CPU's GIC virtual interface (list registers, HCR, VMCR, APR, MISR) and the VM's counters
// and event rings, without locks and without a message to the machine. What it reads is a moment's
// state, consistent enough to draw; nothing here writes except the rings' `watching` word.

import { GicVirtualInterface } from "../gic/virtual-interface.js";
import { GICH_APR, GICH_ELRSR0, GICH_HCR, GICH_MISR, GICH_VMCR, PRIVATE_COUNT } from "../gic/registers.js";
import { lrIsHw, lrPhysicalId, lrPriority, lrState, lrVirtualId } from "../gic/list-register.js";
import { SharedArrays } from "../host/shared-arrays.js";
import { Vgic } from "../vmm/vgic/vgic.js";
import { MAINTENANCE_KINDS } from "../vmm/vgic/stats.js";
import { VmControl } from "../vmm/vm-control.js";
import type { VcpuEvents } from "../vmm/vcpu-events.js";
import type { MachineBuffers } from "./virt-machine.js";
import { VIRT_SPIS } from "./virt.js";

const NO_LINE = { set(): void {} };

export interface ListRegisterView {
  /** 0 invalid, 1 pending, 2 active, 3 pending and active (GICH_LR.State). */
  state: number;
  intid: number;
  priority: number;
  hw: boolean;
  /** The physical INTID of a HW = 1 entry. */
  physical: number;
}

export interface CpuInterfaceView {
  lrs: ListRegisterView[];
  hcr: number;
  vmcr: number;
  apr: number;
  misr: number;
  elrsr: number;
  /** INTIDs pending or active for this vcpu that are not in a list register: the overflow queue. */
  queued: number[];
}

export interface InterruptView {
  intid: number;
  /** The vcpu whose copy this is (private interrupts), or -1 for an SPI. */
  vcpu: number;
  enabled: boolean;
  pending: boolean;
  active: boolean;
  priority: number;
  edge: boolean;
  /** SPIs: GICD_ITARGETSR's CPU list. */
  targets: number;
}

export interface VgicCounters {
  lrFills: number;
  acknowledges: number;
  eois: number;
  maintenance: number;
  maintenanceByKind: [string, number][];
  overflows: number;
  deepestQueue: number;
  injections: [number, number][];
}

export class MachineView {
  readonly vcpus: number;
  readonly vgic: Vgic;
  readonly control: VmControl;
  private readonly interfaces: GicVirtualInterface[];

  constructor(buffers: MachineBuffers) {
    this.vcpus = buffers.vcpus;
    this.interfaces = buffers.gic.map(
      (b) => new GicVirtualInterface({ virq: NO_LINE, vfiq: NO_LINE, maintenance: NO_LINE, mem: new SharedArrays(b) }),
    );
    this.vgic = new Vgic({
      vcpus: buffers.vcpus,
      spis: VIRT_SPIS,
      gich: this.interfaces.map((i) => i.gich),
      now: () => 0,
      trace: null,
      kick: () => {},
      mem: new SharedArrays(buffers.vgic),
    });
    this.control = new VmControl(buffers.vcpus, new SharedArrays(buffers.control));
  }

  get events(): VcpuEvents {
    return this.control.events;
  }

  /** Starts or stops the vcpus' event recording (it costs them nothing while off). */
  watch(on: boolean): void {
    Atomics.store(this.control.events.watching, 0, on ? 1 : 0);
  }

  cpuInterface(v: number): CpuInterfaceView {
    const vif = this.interfaces[v];
    const lrs: ListRegisterView[] = [];
    const inLr = new Set<number>();
    for (let n = 0; n < vif.listRegisters; n++) {
      const lr = vif.lr[n];
      const state = lrState(lr);
      const intid = lrVirtualId(lr);
      if (state !== 0) inLr.add(intid);
      lrs.push({ state, intid, priority: lrPriority(lr), hw: lrIsHw(lr), physical: lrIsHw(lr) ? lrPhysicalId(lr) : 0 });
    }
    const queued: number[] = [];
    const bitmap = this.vgic.state.queue[v];
    for (let w = 0; w < bitmap.length; w++) {
      let bits = bitmap[w];
      while (bits !== 0) {
        const b = 31 - Math.clz32(bits);
        bits &= ~(1 << b);
        const intid = w * 32 + b;
        if (!inLr.has(intid)) queued.push(intid);
      }
    }
    queued.sort((a, b) => a - b);
    const g = vif.gich;
    return {
      lrs,
      hcr: g.read(GICH_HCR) >>> 0,
      vmcr: g.read(GICH_VMCR) >>> 0,
      apr: g.read(GICH_APR) >>> 0,
      misr: g.read(GICH_MISR) >>> 0,
      elrsr: g.read(GICH_ELRSR0) >>> 0,
      queued,
    };
  }

  /** The distributor's interrupts worth showing: every one that is enabled, pending or active
   * (each vcpu's copy of a private one). */
  interrupts(): InterruptView[] {
    const st = this.vgic.state;
    const out: InterruptView[] = [];
    for (let idx = 0; idx < st.size; idx++) {
      const pending = st.isPending(idx);
      const active = st.isActive(idx);
      if (st.enabled[idx] === 0 && !pending && !active) continue;
      const intid = st.intidOf(idx);
      // SGIs are always enabled: show them only when something is happening.
      if (intid < 16 && !pending && !active) continue;
      out.push({
        intid,
        vcpu: st.isPrivate(idx) ? Math.floor(idx / PRIVATE_COUNT) : -1,
        enabled: st.enabled[idx] !== 0,
        pending,
        active,
        priority: st.priority[idx],
        edge: st.edge[idx] !== 0,
        targets: st.isPrivate(idx) ? 1 << Math.floor(idx / PRIVATE_COUNT) : st.targets[idx],
      });
    }
    return out;
  }

  /** Whether the guest turned the distributor on (GICD_CTLR). */
  get distributorEnabled(): number {
    return this.vgic.ctlr;
  }

  counters(): VgicCounters {
    const s = this.vgic.stats;
    const injections: [number, number][] = [];
    for (let id = 0; id < s.injections.length; id++)
      if (s.injections[id] !== 0) injections.push([id, s.injections[id]]);
    return {
      lrFills: s.lrFills,
      acknowledges: s.acknowledges,
      eois: s.eois,
      maintenance: s.maintenanceInterrupts,
      maintenanceByKind: MAINTENANCE_KINDS.map((k, i) => [k, s.maintenanceByKind[i]]),
      overflows: s.overflows,
      deepestQueue: s.deepestQueue,
      injections,
    };
  }

  /** Instructions each vcpu has executed (as of its last slice). */
  instructions(): number[] {
    return Array.from(this.control.instructions);
  }
}

// The GICv2 distributor as the guest sees it at GICD (IHI 0048B 4.3), emulated on trap. A GIC
// without the Security Extensions: both groups are controlled here, GICD_SGIR.NSATT is ignored.
// Every register takes word accesses; IPRIORITYR, ITARGETSR, CPENDSGIR and SPENDSGIR take byte
// accesses too (4.1.4). Other sizes, reserved offsets and interrupts past the last one read as zero
// and ignore writes.
//
// Accesses that read or change interrupt state first bring every vcpu's list registers back into
// the vgic (as KVM halts the guest to change active state), act on that one copy, then reload
// every vcpu's LRs (the accessing vcpu returns straight into its guest code) and kick the vcpus
// that had nothing to take before and have now.

import type { MmioDevice } from "../../devices/device.js";
import {
  GICD_CIDR3,
  GICD_CPENDSGIR,
  GICD_CTLR,
  GICD_CTLR_ENABLE_GRP0,
  GICD_CTLR_ENABLE_GRP1,
  GICD_ICACTIVER,
  GICD_ICENABLER,
  GICD_ICFGR,
  GICD_ICPENDR,
  GICD_ID_VALUES,
  GICD_IGROUPR,
  GICD_IIDR,
  GICD_IIDR_VALUE,
  GICD_IPRIORITYR,
  GICD_ISACTIVER,
  GICD_ISENABLER,
  GICD_ISPENDR,
  GICD_ITARGETSR,
  GICD_PIDR4,
  GICD_SGIR,
  GICD_SGIR_FILTER_SHIFT,
  GICD_SGIR_TARGET_LIST_SHIFT,
  GICD_SPENDSGIR,
  GICD_TYPER,
  PRIORITY_MASK,
  PRIVATE_COUNT,
  SGIR_FILTER_ALL_BUT_SELF,
  SGIR_FILTER_LIST,
  SGIR_FILTER_SELF,
  SGI_COUNT,
  perIrqRegisterAt,
  type PerIrqRegister,
} from "../../gic/registers.js";
import type { Vgic } from "./vgic.js";

export class Distributor implements MmioDevice {
  /** hasDeliverable per vcpu before the access in progress. */
  private readonly hadDeliverable: Uint8Array;

  constructor(private readonly vgic: Vgic) {
    this.hadDeliverable = new Uint8Array(vgic.vcpus);
  }

  /** Brings all LR state back before an access that reads or changes interrupt state. */
  private begin(): void {
    const vgic = this.vgic;
    for (let v = 0; v < vgic.vcpus; v++) this.hadDeliverable[v] = vgic.hasDeliverable(v) ? 1 : 0;
    vgic.syncAll();
  }

  /** Reloads every vcpu's LRs and wakes those that have just got something to take. */
  private end(cpu: number, kick: boolean): void {
    const vgic = this.vgic;
    for (let v = 0; v < vgic.vcpus; v++) vgic.flush(v);
    if (!kick) return;
    for (let v = 0; v < vgic.vcpus; v++) {
      if (v !== cpu && this.hadDeliverable[v] === 0 && vgic.hasDeliverable(v)) vgic.kick(v);
    }
  }

  /** Does an access at `offset` need every other vcpu out of its guest (its LRs folded)? Pending
   * and active state, enables, priorities, targets and configuration: anything that flush or
   * deliverability depends on. GICD_SGIR and the ID registers do not. */
  private haltsGuests(offset: number, isWrite: boolean): boolean {
    if (offset === GICD_SGIR) return false;
    const reg = perIrqRegisterAt(offset);
    if (reg !== undefined) return isWrite || (reg.base >= GICD_ISPENDR && reg.base <= GICD_ICACTIVER);
    if (offset === GICD_CTLR) return isWrite;
    return offset >= GICD_CPENDSGIR && offset < GICD_SPENDSGIR + 16;
  }

  read(offset: number, size: number, cpu: number): number {
    const locks = this.vgic.locks;
    const halt = this.haltsGuests(offset, false);
    if (halt) locks.haltOthers(cpu);
    locks.lock();
    try {
      return this.readLocked(offset, size, cpu);
    } finally {
      locks.unlock();
      if (halt) locks.resumeOthers();
    }
  }

  write(offset: number, size: number, value: number, cpu: number): void {
    const locks = this.vgic.locks;
    const halt = this.haltsGuests(offset, true);
    if (halt) locks.haltOthers(cpu);
    locks.lock();
    try {
      this.writeLocked(offset, size, value, cpu);
    } finally {
      locks.unlock();
      if (halt) locks.resumeOthers();
    }
  }

  private readLocked(offset: number, size: number, cpu: number): number {
    if (!this.validAccess(offset, size, cpu)) return 0;
    const reg = perIrqRegisterAt(offset);
    if (reg !== undefined) {
      if (reg.base < GICD_ISPENDR || reg.base > GICD_ICACTIVER) return this.readPerIrq(reg, offset, size, cpu);
      // Pending and active state may live in list registers: bring it back, read, reload.
      this.begin();
      const value = this.readPerIrq(reg, offset, size, cpu);
      this.end(cpu, false);
      return value;
    }
    switch (offset) {
      case GICD_CTLR:
        return this.vgic.ctlr;
      case GICD_TYPER: {
        // ITLinesNumber: 32·(N+1) interrupt IDs; CPUNumber: CPUs - 1; no Security Extensions.
        const st = this.vgic.state;
        return ((st.intids >>> 5) - 1) | ((st.vcpus - 1) << 5);
      }
      case GICD_IIDR:
        return GICD_IIDR_VALUE;
    }
    if (offset >= GICD_CPENDSGIR && offset < GICD_SPENDSGIR + 16) {
      this.begin();
      const value = this.readSgiPending(offset, size, cpu);
      this.end(cpu, false);
      return value;
    }
    if (offset >= GICD_PIDR4 && offset <= GICD_CIDR3) return GICD_ID_VALUES[(offset - GICD_PIDR4) >>> 2];
    return 0;
  }

  private writeLocked(offset: number, size: number, value: number, cpu: number): void {
    if (!this.validAccess(offset, size, cpu)) return;
    const vgic = this.vgic;
    const reg = perIrqRegisterAt(offset);
    if (reg !== undefined) {
      this.begin();
      this.writePerIrq(reg, offset, size, value, cpu);
    } else if (offset === GICD_CTLR) {
      this.begin();
      vgic.ctlr = value & (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
    } else if (offset === GICD_SGIR) {
      // Only the sender's own LRs are touched (KVM's vgic_v2_dispatch_sgi): other targets are
      // kicked and take the SGI at their next entry, so an IPI never halts the other vcpus.
      vgic.lrs.fold(cpu);
      this.writeSgir(value, cpu); // kicks its other targets itself
      vgic.lrs.flush(cpu);
      return;
    } else if (offset >= GICD_CPENDSGIR && offset < GICD_SPENDSGIR + 16) {
      this.begin();
      this.writeSgiPending(offset, size, value, cpu);
    } else {
      // TYPER, IIDR and the ID registers are read-only; everything else here is reserved.
      return;
    }
    this.end(cpu, true);
  }

  /** Word accesses everywhere, byte accesses where the spec allows them; a known vcpu. */
  private validAccess(offset: number, size: number, cpu: number): boolean {
    if (cpu < 0 || cpu >= this.vgic.vcpus || offset < 0 || offset >= 0x1000) return false;
    if (size === 4) return (offset & 3) === 0;
    if (size !== 1) return false;
    if (offset >= GICD_CPENDSGIR && offset < GICD_SPENDSGIR + 16) return true;
    const reg = perIrqRegisterAt(offset);
    return reg !== undefined && reg.byteAccess;
  }

  // ---- Per-interrupt registers ----

  private readPerIrq(reg: PerIrqRegister, offset: number, size: number, cpu: number): number {
    const bits = reg.bitsPerIrq;
    const first = ((offset - reg.base) * 8) / bits;
    const n = (size * 8) / bits;
    const st = this.vgic.state;
    let value = 0;
    for (let k = 0; k < n; k++) {
      const intid = first + k;
      if (intid >= st.intids) break;
      value |= this.readField(reg.base, st.index(cpu, intid), intid, cpu) << (k * bits);
    }
    return value >>> 0;
  }

  private writePerIrq(reg: PerIrqRegister, offset: number, size: number, value: number, cpu: number): void {
    const bits = reg.bitsPerIrq;
    const first = ((offset - reg.base) * 8) / bits;
    const n = (size * 8) / bits;
    const mask = (1 << bits) - 1;
    const st = this.vgic.state;
    for (let k = 0; k < n; k++) {
      const intid = first + k;
      if (intid >= st.intids) break;
      const idx = st.index(cpu, intid);
      this.writeField(reg.base, idx, intid, cpu, (value >>> (k * bits)) & mask);
      st.requeue(idx);
    }
  }

  private readField(base: number, idx: number, intid: number, cpu: number): number {
    const st = this.vgic.state;
    switch (base) {
      case GICD_IGROUPR:
        return st.group[idx];
      case GICD_ISENABLER:
      case GICD_ICENABLER:
        return st.enabled[idx];
      case GICD_ISPENDR:
      case GICD_ICPENDR:
        return st.isPending(idx) ? 1 : 0;
      case GICD_ISACTIVER:
      case GICD_ICACTIVER:
        return st.isActive(idx) ? 1 : 0;
      case GICD_IPRIORITYR:
        return st.priority[idx];
      case GICD_ITARGETSR:
        // SGIs and PPIs target the reader; SPIs read back their targets among the existing CPUs.
        // KVM's vgic-v2 (vgic_mmio_read_target) does so on every VM size, one vcpu included; QEMU
        // makes the registers RAZ/WI with one CPU, as a uniprocessor GIC may.
        return intid < PRIVATE_COUNT ? 1 << cpu : st.targets[idx] & st.cpuMask;
      case GICD_ICFGR:
        // Int_config[1] set = edge-triggered; Int_config[0] is reserved in GICv2.
        return st.edge[idx] !== 0 ? 2 : 0;
    }
    return 0;
  }

  private writeField(base: number, idx: number, intid: number, cpu: number, field: number): void {
    const vgic = this.vgic;
    const st = vgic.state;
    const sgi = intid < SGI_COUNT;
    switch (base) {
      case GICD_IGROUPR:
        st.group[idx] = field;
        return;
      case GICD_ISENABLER:
        // SGIs are permanently enabled (their enable bits are RAO/WI).
        if (field !== 0 && !sgi) st.enabled[idx] = 1;
        return;
      case GICD_ICENABLER:
        if (field !== 0 && !sgi) st.enabled[idx] = 0;
        return;
      case GICD_ISPENDR:
        // SGI pending state is set per source through GICD_SPENDSGIR instead.
        if (field !== 0 && !sgi) {
          st.pendingLatch[idx] = 1;
          vgic.lrs.listed[idx] = 0;
          vgic.stats.injections[intid]++;
          if (vgic.trace !== null) vgic.trace(cpu, `inject INTID ${intid} (GICD_ISPENDR)`);
        }
        return;
      case GICD_ICPENDR:
        if (field !== 0 && !sgi) st.pendingLatch[idx] = 0;
        return;
      case GICD_ISACTIVER:
        if (field === 0) return;
        if (sgi) st.sgiActive[idx] |= 1 << cpu;
        else {
          st.active[idx] = 1;
          const target = st.isPrivate(idx) ? cpu : st.spiTarget(idx);
          st.activeOn[idx] = target >= 0 ? target : cpu;
        }
        return;
      case GICD_ICACTIVER:
        if (field === 0) return;
        if (sgi) st.sgiActive[idx] = 0;
        else {
          st.active[idx] = 0;
          st.activeOn[idx] = -1;
        }
        return;
      case GICD_IPRIORITYR:
        st.priority[idx] = field & PRIORITY_MASK;
        return;
      case GICD_ITARGETSR:
        // SGI/PPI targets are fixed; SPI targets name existing CPUs only (KVM's
        // vgic_mmio_write_target masks them with the online vcpus, one vcpu included).
        if (intid >= PRIVATE_COUNT) st.targets[idx] = field & st.cpuMask;
        return;
      case GICD_ICFGR:
        // SGIs are always edge-triggered, PPIs are fixed by the hardware that drives them.
        if (intid >= PRIVATE_COUNT) st.edge[idx] = (field >>> 1) & 1;
        return;
    }
  }

  // ---- SGIs ----

  private writeSgir(value: number, cpu: number): void {
    const st = this.vgic.state;
    const intid = value & 0xf;
    let targets: number;
    switch ((value >>> GICD_SGIR_FILTER_SHIFT) & 3) {
      case SGIR_FILTER_LIST:
        targets = (value >>> GICD_SGIR_TARGET_LIST_SHIFT) & st.cpuMask;
        break;
      case SGIR_FILTER_ALL_BUT_SELF:
        targets = st.cpuMask & ~(1 << cpu);
        break;
      case SGIR_FILTER_SELF:
        targets = 1 << cpu;
        break;
      default:
        return; // reserved filter value: no SGI
    }
    this.vgic.sendSgi(cpu, intid, targets);
  }

  /** GICD_CPENDSGIR/SPENDSGIR: byte n of the 16 covers SGI n; bit m = pending from CPU m. */
  private readSgiPending(offset: number, size: number, cpu: number): number {
    const st = this.vgic.state;
    const first = (offset - GICD_CPENDSGIR) & 0xf;
    let value = 0;
    for (let k = 0; k < size; k++) value |= (st.sgiPending[st.index(cpu, first + k)] & st.cpuMask) << (8 * k);
    return value >>> 0;
  }

  private writeSgiPending(offset: number, size: number, value: number, cpu: number): void {
    const vgic = this.vgic;
    const st = vgic.state;
    const set = offset >= GICD_SPENDSGIR;
    const first = (offset - GICD_CPENDSGIR) & 0xf;
    for (let k = 0; k < size; k++) {
      const sources = (value >>> (8 * k)) & st.cpuMask;
      if (sources === 0) continue;
      const intid = first + k;
      const idx = st.index(cpu, intid);
      if (set) {
        st.sgiPending[idx] |= sources;
        vgic.lrs.listed[idx] &= ~sources;
        vgic.stats.injections[intid]++;
        if (vgic.trace !== null) vgic.trace(cpu, `inject SGI ${intid} (GICD_SPENDSGIR 0x${sources.toString(16)})`);
      } else st.sgiPending[idx] &= ~sources;
      st.requeue(idx);
    }
  }
}

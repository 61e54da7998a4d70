// The performance monitors of one vcpu (KVM's kvm_pmu, for a PMU the vcpu owns). Each vcpu is
// pinned to a physical CPU of its own, so the hardware PMU's counters hold this vcpu's state alone
// and count only its instructions, with no save and restore (a round-robin thread runs each vcpu
// on its own core object). What the hypervisor does is what KVM does around that:
//  - HDCR.HPMN = N: the guest sees every counter; HDCR.TPMCR traps PMCR, which the hypervisor
//    emulates on the hardware (KVM keeps PMCR to itself too);
//  - the overflow interrupt: the hardware's output is the physical PPI 23, whose IRQ exit ends
//    the slice at the overflowing instruction; after every exit its level is copied to the vgic's
//    PPI 23 for this vcpu (KVM's kvm_pmu_update_state). While that level is high the physical PPI
//    stays disabled, as the vtimer does with PPI 27, so a pending overflow makes no IRQ-exit
//    storm; the guest's EOI is a maintenance exit, after which the level is current again.

import type { IrqLine } from "../devices/device.js";
import type { Cpu } from "../cpu/core.js";
import { HDCR_TPMCR, PMU_COUNTERS, isPmuKey } from "../cpu/pmu-regs.js";
import { PPI_PMU, type HostIrq } from "./host-irq.js";
import type { StateReader, StateWriter } from "../snapshot/state-stream.js";

export class Vpmu {
  /** Rising edges injected on the vgic's PPI 23. */
  injected = 0;
  /** The answer to the last trapped read. */
  trapValue = 0;
  private readonly cpu: Cpu;
  private readonly hostIrq: HostIrq;
  private readonly virtIrq: IrqLine;
  private level = false;

  constructor(cpu: Cpu, hostIrq: HostIrq, virtIrq: IrqLine) {
    this.cpu = cpu;
    this.hostIrq = hostIrq;
    this.virtIrq = virtIrq;
    cpu.pmu.connect(hostIrq.line(PPI_PMU));
    hostIrq.enable(PPI_PMU, true);
    cpu.writeHdcr(PMU_COUNTERS | HDCR_TPMCR);
  }

  /** Around every guest entry and exit: the overflow level goes to the vgic. */
  update(): void {
    const level = this.cpu.pmu.interruptLevel;
    if (level === this.level) return;
    this.level = level;
    if (level) this.injected++;
    this.hostIrq.enable(PPI_PMU, !level);
    this.virtIrq.set(level);
  }

  /** Snapshots: the hardware PMU and the level last given to the vgic (whose own state holds the
   * line). */
  save(w: StateWriter): void {
    this.cpu.pmu.save(w);
    w.bool(this.level);
    w.f64(this.injected);
  }

  restore(r: StateReader): void {
    this.cpu.pmu.restore(r);
    this.level = r.bool();
    this.injected = r.f64();
    this.hostIrq.enable(PPI_PMU, !this.level);
  }

  /** A trapped PMU access (HSR EC 0x03); false if the syndrome names another register. */
  handleCoprocTrap(hsr: number, value: number): boolean {
    const crn = (hsr >>> 10) & 15;
    const opc1 = (hsr >>> 14) & 7;
    const opc2 = (hsr >>> 17) & 7;
    const crm = (hsr >>> 1) & 15;
    const key = (crn << 12) | (opc1 << 8) | (crm << 4) | opc2;
    if (hsr >>> 26 !== 0x03 || !isPmuKey(key)) return false;
    const pmu = this.cpu.pmu;
    if (hsr & 1) this.trapValue = pmu.read(key);
    else pmu.write(key, value);
    return true;
  }
}

// The host's side of the physical GIC for one physical CPU, reduced to what the hypervisor uses:
// the private peripheral interrupts that the hardware raises towards Hyp mode (the virtual-timer
// output, the GIC maintenance interrupt, ...), each of which can be enabled or disabled, and whose
// OR drives the core's physical IRQ input (an IRQ exit, since HCR.IMO routes IRQs to Hyp).

import type { StateReader, StateWriter } from "../snapshot/state-stream.js";
import type { IrqLine } from "../devices/device.js";

/** PPI INTIDs the hypervisor cares about (DESIGN.md's board table). */
export const PPI_PMU = 23;
export const PPI_MAINTENANCE = 25;
export const PPI_HYP_TIMER = 26;
export const PPI_VIRT_TIMER = 27;
export const PPI_PHYS_TIMER = 30;

export class HostIrq {
  /** Asserted PPI lines (bit n = INTID n, 16..31). */
  private asserted = 0;
  /** Enabled PPIs (as the host's GICD_ISENABLER0 would say). */
  private enabled = 0;
  private readonly output: (level: boolean) => void;
  private readonly lines: IrqLine[] = [];

  constructor(output: (level: boolean) => void) {
    this.output = output;
    for (let n = 0; n < 32; n++) {
      const bit = 1 << n;
      this.lines.push({
        set: (level) => {
          this.asserted = level ? this.asserted | bit : this.asserted & ~bit;
          this.update();
        },
      });
    }
  }

  /** The input line for PPI `intid` (16..31). */
  line(intid: number): IrqLine {
    return this.lines[intid];
  }

  enable(intid: number, on: boolean): void {
    const bit = 1 << intid;
    this.enabled = on ? this.enabled | bit : this.enabled & ~bit;
    this.update();
  }

  /** True if `intid` is asserted and enabled (what acknowledging the host GIC would return). */
  pending(intid: number): boolean {
    return ((this.asserted & this.enabled) >>> intid) & 1 ? true : false;
  }

  isAsserted(intid: number): boolean {
    return ((this.asserted >>> intid) & 1) === 1;
  }

  /** Snapshots: asserted and enabled PPIs (the core's IRQ line is restored with the core). */
  save(w: StateWriter): void {
    w.f64(this.asserted);
    w.f64(this.enabled);
  }

  restore(r: StateReader): void {
    this.asserted = r.f64();
    this.enabled = r.f64();
  }

  private update(): void {
    this.output((this.asserted & this.enabled) !== 0);
  }
}

// The GICV frame (IHI 0048B 5.5): what the guest reaches at its GICC address, directly (a
// stage-2 hardware window, no exit). Registers are 32-bit; other access sizes read as zero and
// are ignored, as are reserved offsets. Every write re-evaluates the interface's outputs.

import type { HardwareWindow } from "../cpu/stage2.js";
import {
  GICC_ABPR,
  GICC_AEOIR,
  GICC_AHPPIR,
  GICC_AIAR,
  GICC_APR0,
  GICC_BPR,
  GICC_CTLR,
  GICC_DIR,
  GICC_EOIR,
  GICC_HPPIR,
  GICC_IAR,
  GICC_IIDR,
  GICC_PMR,
  GICC_RPR,
  GICH_VMCR_VMABP_SHIFT,
  GICH_VMCR_VMBP_SHIFT,
  GICH_VMCR_VMPRIMASK_SHIFT,
  GICV_CTLR_MASK,
  GICV_IIDR_VALUE,
  PRIORITY_MASK,
} from "./registers.js";
import { IDLE_PRIORITY, runningPriority } from "./priority.js";
import type { GicVirtualInterface } from "./virtual-interface.js";

export class GicvWindow implements HardwareWindow {
  constructor(private readonly vif: GicVirtualInterface) {}

  read(offset: number, size: number): number {
    if (size !== 4 || (offset & 3) !== 0) return 0;
    const vif = this.vif;
    switch (offset) {
      case GICC_CTLR:
        return vif.vmcr & GICV_CTLR_MASK;
      case GICC_PMR:
        return vif.priorityMask();
      case GICC_BPR:
        return (vif.vmcr >>> GICH_VMCR_VMBP_SHIFT) & 7;
      case GICC_ABPR:
        return (vif.vmcr >>> GICH_VMCR_VMABP_SHIFT) & 7;
      case GICC_IAR:
        return vif.acknowledge(false);
      case GICC_AIAR:
        return vif.acknowledge(true);
      case GICC_HPPIR:
        return vif.highestPending(false);
      case GICC_AHPPIR:
        return vif.highestPending(true);
      case GICC_RPR: {
        const rp = runningPriority(vif.apr);
        return rp === IDLE_PRIORITY ? 0xff : rp;
      }
      case GICC_APR0:
        return vif.apr >>> 0;
      case GICC_IIDR:
        return GICV_IIDR_VALUE;
      default:
        // EOIR, AEOIR and DIR are write-only; APR1-3 and NSAPR0-3 are RAZ here.
        return 0;
    }
  }

  write(offset: number, size: number, value: number): void {
    if (size !== 4 || (offset & 3) !== 0) return;
    const vif = this.vif;
    switch (offset) {
      case GICC_CTLR:
        vif.vmcr = ((vif.vmcr & ~GICV_CTLR_MASK) | (value & GICV_CTLR_MASK)) >>> 0;
        break;
      case GICC_PMR:
        vif.vmcr =
          ((vif.vmcr & ~(0x1f << GICH_VMCR_VMPRIMASK_SHIFT)) |
            (((value & PRIORITY_MASK) >>> 3) << GICH_VMCR_VMPRIMASK_SHIFT)) >>>
          0;
        break;
      case GICC_BPR:
        vif.writeVmcr((vif.vmcr & ~(7 << GICH_VMCR_VMBP_SHIFT)) | ((value & 7) << GICH_VMCR_VMBP_SHIFT));
        break;
      case GICC_ABPR:
        vif.writeVmcr((vif.vmcr & ~(7 << GICH_VMCR_VMABP_SHIFT)) | ((value & 7) << GICH_VMCR_VMABP_SHIFT));
        break;
      case GICC_EOIR:
      case GICC_AEOIR:
        vif.endOfInterrupt(value);
        return;
      case GICC_DIR:
        vif.deactivate(value);
        return;
      case GICC_APR0:
        vif.apr = value >>> 0;
        break;
      default:
        return;
    }
    vif.update();
  }
}

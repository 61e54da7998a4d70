// A virtual CPU interface on fake output lines, and small helpers to program it as a hypervisor
// would (through the GICH frame) and drive it as a guest would (through the GICV frame).

import type { IrqLine } from "../../../src/devices/device.js";
import { GicVirtualInterface } from "../../../src/gic/virtual-interface.js";
import { GICH_LR0 } from "../../../src/gic/registers.js";

/** An output line that remembers its level and how many times it changed. */
export class FakeLine implements IrqLine {
  level = false;
  changes = 0;
  set(level: boolean): void {
    if (level !== this.level) this.changes++;
    this.level = level;
  }
}

export interface Vif {
  vif: GicVirtualInterface;
  virq: FakeLine;
  vfiq: FakeLine;
  maint: FakeLine;
  /** GICH register access. */
  h(offset: number, value?: number): number;
  /** GICV 32-bit register access. */
  v(offset: number, value?: number): number;
  setLr(n: number, value: number): void;
  lr(n: number): number;
}

export function makeVif(listRegisters = 4): Vif {
  const virq = new FakeLine();
  const vfiq = new FakeLine();
  const maint = new FakeLine();
  const vif = new GicVirtualInterface({ listRegisters, virq, vfiq, maintenance: maint });
  return {
    vif,
    virq,
    vfiq,
    maint,
    h(offset, value) {
      if (value === undefined) return vif.gich.read(offset);
      vif.gich.write(offset, value);
      return 0;
    },
    v(offset, value) {
      if (value === undefined) return vif.gicv.read(offset, 4);
      vif.gicv.write(offset, 4, value);
      return 0;
    },
    setLr(n, value) {
      vif.gich.write(GICH_LR0 + 4 * n, value);
    },
    lr(n) {
      return vif.gich.read(GICH_LR0 + 4 * n);
    },
  };
}

// LR encodings written out by hand from the field layout (IHI 0048B 5.3.9), so the tests do not
// depend on the code under test to build them:
//   [31] HW  [30] Grp1  [29:28] State (01 pending, 10 active, 11 both)  [27:23] Priority[7:3]
//   [19] EOI (HW = 0)   [12:10] CPUID of an SGI  [9:0] VirtualID
export const PENDING = 0x1000_0000;
export const ACTIVE = 0x2000_0000;
export const GRP1 = 0x4000_0000;
export const EOI = 0x0008_0000;
/** Priority field for an 8-bit priority p (a multiple of 8). */
export function prio(p: number): number {
  return (p >>> 3) << 23;
}

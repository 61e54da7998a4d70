// A vgic on real virtual CPU interfaces with fake output lines: the "guest" is played by GICV
// register accesses and the "run loop" by explicit flush/sync calls.

import { GicVirtualInterface } from "../../../src/gic/virtual-interface.js";
import { Vgic } from "../../../src/vmm/vgic/vgic.js";
import type { IrqLine } from "../../../src/devices/device.js";
import { GICC_CTLR, GICC_EOIR, GICC_IAR, GICC_PMR, GICD_CTLR } from "../../../src/gic/registers.js";

export class FakeLine implements IrqLine {
  level = false;
  rises = 0;
  set(level: boolean): void {
    if (level && !this.level) this.rises++;
    this.level = level;
  }
}

export interface Machine {
  vgic: Vgic;
  vifs: GicVirtualInterface[];
  virq: FakeLine[];
  maint: FakeLine[];
  kicks: number[];
  trace: string[];
  /** Guest time in ticks, for the trace. */
  time: { now: number };
  /** Distributor access as vcpu `cpu` (32-bit unless `size` is given). */
  rd(offset: number, cpu?: number, size?: number): number;
  wr(offset: number, value: number, cpu?: number, size?: number): void;
  /** GICV access by vcpu `cpu`. */
  iar(cpu?: number): number;
  eoir(value: number, cpu?: number): void;
  gicv(cpu: number, offset: number, value?: number): number;
}

export interface MachineOptions {
  vcpus?: number;
  spis?: number;
  lrs?: number;
  tracing?: boolean;
}

export function makeMachine(options: MachineOptions = {}): Machine {
  const vcpus = options.vcpus ?? 1;
  const virq: FakeLine[] = [];
  const maint: FakeLine[] = [];
  const vifs: GicVirtualInterface[] = [];
  for (let i = 0; i < vcpus; i++) {
    virq.push(new FakeLine());
    maint.push(new FakeLine());
    vifs.push(
      new GicVirtualInterface({
        listRegisters: options.lrs ?? 4,
        virq: virq[i],
        vfiq: new FakeLine(),
        maintenance: maint[i],
      }),
    );
  }
  const kicks: number[] = [];
  const trace: string[] = [];
  const time = { now: 0 };
  const vgic = new Vgic({
    vcpus,
    spis: options.spis ?? 64,
    gich: vifs.map((v) => v.gich),
    now: () => time.now,
    trace: options.tracing === true ? (t) => trace.push(t) : null,
    kick: (v) => kicks.push(v),
  });
  const m: Machine = {
    vgic,
    vifs,
    virq,
    maint,
    kicks,
    trace,
    time,
    rd: (offset, cpu = 0, size = 4) => vgic.distributor.read(offset, size, cpu),
    wr: (offset, value, cpu = 0, size = 4) => vgic.distributor.write(offset, size, value >>> 0, cpu),
    iar: (cpu = 0) => vifs[cpu].gicv.read(GICC_IAR, 4),
    eoir: (value, cpu = 0) => vifs[cpu].gicv.write(GICC_EOIR, 4, value),
    gicv(cpu, offset, value) {
      if (value === undefined) return vifs[cpu].gicv.read(offset, 4);
      vifs[cpu].gicv.write(offset, 4, value);
      return 0;
    },
  };
  return m;
}

/** The guest's usual bring-up: distributor Group 0 on, each CPU interface Group 0 on, mask open. */
export function bringUp(m: Machine): void {
  m.wr(GICD_CTLR, 1);
  for (let v = 0; v < m.vifs.length; v++) {
    m.gicv(v, GICC_CTLR, 1);
    m.gicv(v, GICC_PMR, 0xff);
  }
}

/** GICD per-interrupt bit register helpers: the word holding `intid` and its bit. */
export function bitReg(base: number, intid: number): number {
  return base + 4 * (intid >>> 5);
}
export function bit(intid: number): number {
  return (1 << (intid & 31)) >>> 0;
}

/** Takes every interrupt the interface offers, completing each at once (EOImode 0). */
export function drain(m: Machine, cpu = 0): number[] {
  const got: number[] = [];
  for (;;) {
    const id = m.iar(cpu);
    if ((id & 0x3ff) >= 1020) return got;
    got.push(id);
    m.eoir(id, cpu);
  }
}

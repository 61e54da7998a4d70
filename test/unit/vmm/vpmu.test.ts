// The hypervisor's side of the PMU: HDCR as KVM sets it (HPMN = N, PMCR trapped and emulated on
// the hardware), the overflow level copied to the vgic's PPI 23 with the physical PPI held off
// while it is high, and vcpus on one thread that never count each other's instructions.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Vm } from "../../../src/vmm/vm.js";
import { Vpmu } from "../../../src/vmm/vpmu.js";
import { PPI_PMU } from "../../../src/vmm/host-irq.js";
import * as P from "../../../src/cpu/pmu-regs.js";
import { vmWithCode } from "../../helpers/vm-with-code.js";

const RAM = 0x4000_0000;
const CODE = [
  0xee193f1c, // mrc p15, 0, r3, c9, c12, 0 (PMCR)
  0xee094f1c, // mcr p15, 0, r4, c9, c12, 0 (PMCR)
  0xeafffffe, // b .
];

function setup(): { vm: Vm; levels: boolean[][]; pmus: Vpmu[] } {
  const vm = vmWithCode(RAM, CODE, 2);
  const levels: boolean[][] = [];
  const pmus = vm.vcpus.map((vcpu) => {
    const mine: boolean[] = [];
    levels.push(mine);
    vcpu.pmu = new Vpmu(vcpu.cpu, vcpu.hostIrq, { set: (level) => mine.push(level) });
    vcpu.powerOn(RAM, 0);
    vcpu.cpu.r[4] = P.PMCR_E; // what the guest's code writes to PMCR
    return vcpu.pmu;
  });
  return { vm, levels, pmus };
}

test("HDCR: HPMN = 6 and TPMCR; the guest's PMCR accesses trap and reach the hardware PMU", () => {
  const { vm } = setup();
  const vcpu = vm.vcpus[0];
  assert.equal(vcpu.cpu.hyp.hdcr, 6 | P.HDCR_TPMCR);
  vcpu.cpu.r[4] = P.PMCR_E;
  vcpu.runSlice(2);
  assert.equal(vcpu.cpu.r[3] >>> 0, 0x410f3000, "the trapped read");
  assert.equal(vcpu.cpu.pmu.pmcr, P.PMCR_E, "the trapped write");
  assert.equal(vcpu.stats.sysreg, 2);
});

test("overflow: PPI 23 follows the PMU's output into the vgic; the host's PPI 23 is off while it is high", () => {
  const { vm, levels } = setup();
  const vcpu = vm.vcpus[0];
  const pmu = vcpu.cpu.pmu;
  pmu.write(P.PMCCNTR, 0xffffffff - 9);
  pmu.write(P.PMCNTENSET, P.CYCLE_BIT);
  pmu.write(P.PMINTENSET, P.CYCLE_BIT);
  pmu.write(P.PMCR, P.PMCR_E);
  vcpu.runSlice(1000);
  assert.equal(vcpu.cpu.instructions, 10, "the slice ends at the overflowing instruction");
  assert.equal(vcpu.stats.irq, 1, "an IRQ exit");
  assert.deepEqual(levels[0], [true]);
  assert.equal(vcpu.stats.pmuIrq, 1);
  assert.equal(vcpu.hostIrq.pending(PPI_PMU), false, "held off while injected");
  vcpu.runSlice(100);
  assert.equal(vcpu.cpu.instructions, 110, "no IRQ-exit storm");
  pmu.write(P.PMOVSR, P.CYCLE_BIT);
  vcpu.runSlice(1);
  assert.deepEqual(levels[0], [true, false]);
  assert.equal(vcpu.stats.pmuIrq, 1, "the fall is no injection");
  assert.deepEqual(levels[1], [], "the other vcpu's line stays quiet");
});

test("vcpus taking turns on one thread count only their own instructions", () => {
  const { vm } = setup();
  const [a, b] = vm.vcpus;
  for (const v of [a, b]) {
    v.cpu.pmu.write(P.PMCNTENSET, P.CYCLE_BIT);
    v.cpu.pmu.write(P.PMCR, P.PMCR_E);
  }
  a.runSlice(100);
  b.runSlice(50);
  a.runSlice(10);
  b.runSlice(7);
  assert.equal(a.cpu.pmu.read(P.PMCCNTR), 110);
  assert.equal(b.cpu.pmu.read(P.PMCCNTR), 57);
});

test("a trapped access is the PMU's only if it is an MCR/MRC (EC 0x03) to a PMU register", () => {
  const { pmus } = setup();
  /** MRC/MCR p15, opc1, r0, CRn, CRm, opc2 (EC 0x03, IL, CV, COND 0xE). */
  const mcr = (crn: number, opc1: number, crm: number, opc2: number, read: boolean): number =>
    ((0x03 << 26) |
      (1 << 25) |
      (0x1e << 20) |
      (opc2 << 17) |
      (opc1 << 14) |
      (crn << 10) |
      (crm << 1) |
      (read ? 1 : 0)) >>>
    0;
  assert.equal(pmus[0].handleCoprocTrap(mcr(9, 0, 12, 0, true), 0), true, "PMCR");
  assert.equal(pmus[0].trapValue >>> 0, 0x410f3000);
  pmus[0].trapValue = 0;
  assert.equal(pmus[0].handleCoprocTrap(mcr(1, 0, 0, 0, true), 0), false, "SCTLR");
  assert.equal(pmus[0].handleCoprocTrap(mcr(1, 0, 0, 0, false), 1), false, "SCTLR write");
  // MCRR p15, 0, r0, r9, c12 (EC 0x04): Rt2 = 9 sits where an MCR's CRn is and CRm is 12, so its
  // fields read as PMCR's; a 64-bit transfer is never a PMU register.
  const mcrr = ((0x04 << 26) | (1 << 25) | (0x1e << 20) | (9 << 10) | (12 << 1) | 1) >>> 0;
  assert.equal(pmus[0].handleCoprocTrap(mcrr, 0), false, "MRRC");
  assert.equal(pmus[0].trapValue, 0, "nothing read");
});

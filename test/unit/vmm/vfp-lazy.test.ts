// The lazy FP switch on a VM whose vcpus share one thread, and with it one VFP register file: the
// first VFP instruction of a slice traps (HCPTR, EC 0x07), the vcpu's state is switched in and out
// around it, each vcpu keeps its own registers, and --stats counts the switches.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Vm } from "../../../src/vmm/vm.js";
import { vmWithCode } from "../../helpers/vm-with-code.js";

const RAM = 0x4000_0000;
const CODE = [
  0xee001a10, // vmov s0, r1
  0xe320f000, // nop
  0xee102a10, // vmov r2, s0
  0xeafffffe, // b .
];

function twoVcpus(): Vm {
  const vm = vmWithCode(RAM, CODE, 2);
  for (const [k, vcpu] of vm.vcpus.entries()) {
    vcpu.powerOn(RAM, 0);
    vcpu.cpu.cp15.cpacr = 0x00f00000;
    vcpu.cpu.r[1] = 0x11 * (k + 1);
  }
  return vm;
}

test("two vcpus on one register file keep their own VFP registers, switched at the first use per slice", () => {
  const vm = twoVcpus();
  const [a, b] = vm.vcpus;
  assert.equal(a.cpu.vfp, b.cpu.vfp, "one register file on one thread");
  // Each guest has enabled its VFP through FPEXC (which the lazy switch loads with the rest).
  for (const v of vm.vcpus) {
    v.fp.reset();
    v.fp.trap();
    v.cpu.vfp.fpexc = 0x40000000;
    v.fp.exit();
  }
  a.stats.fp = b.stats.fp = 0;
  a.runSlice(1); // vmov s0, r1 (0x11)
  b.runSlice(1); // vmov s0, r1 (0x22)
  a.runSlice(1); // nop: no VFP, no switch
  a.runSlice(1); // vmov r2, s0
  b.runSlice(2); // nop; vmov r2, s0
  assert.equal(a.cpu.r[2], 0x11);
  assert.equal(b.cpu.r[2], 0x22);
  assert.deepEqual([a.stats.fp, b.stats.fp], [2, 2]);
  // Between slices the register file holds the host's state, the vcpus' are in their contexts.
  assert.equal(a.cpu.vfp.w[0], 0);
});

test("a vcpu reset clears its saved VFP state", () => {
  const vm = twoVcpus();
  const a = vm.vcpus[0];
  a.cpu.vfp.fpexc = 0x40000000;
  a.fp.trap();
  a.cpu.vfp.fpexc = 0x40000000;
  a.cpu.vfp.w[0] = 99;
  a.fp.exit();
  a.powerOn(RAM, 0);
  a.fp.trap();
  assert.equal(a.cpu.vfp.w[0], 0);
  assert.equal(a.cpu.vfp.fpexc, 0);
});

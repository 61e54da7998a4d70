// The lazy FP switch on a VM whose vcpus share one thread, and with it one VFP register file: the
// first VFP instruction of a slice traps (HCPTR, EC 0x07), the vcpu's state is switched in and out
// around it, each vcpu keeps its own registers, and --stats counts the switches.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Vm } from "../../../src/vmm/vm.js";
import { vmWithCode } from "../../helpers/vm-with-code.js";
import { VfpState } from "../../../src/cpu/vfp-state.js";
import { HCPTR_TCP10, HCPTR_TCP11 } from "../../../src/cpu/vfp-trap.js";

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
  assert.deepEqual([a.fp.switches, b.fp.switches], [3, 3], "with the one of the set-up");
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

/** A vcpu whose VFP context holds D0 low word 5 and FPSCR 0x10 while the register file holds the
 * host's (word 7, FPSCR 0x20), returned with its state on the CPU (after the trap). */
function loadedVcpu(): Vm["vcpus"][number] {
  const v = twoVcpus().vcpus[0];
  v.fp.reset();
  v.cpu.vfp.w[0] = 7;
  v.cpu.vfp.fpscr = 0x20;
  v.fp.trap();
  v.cpu.vfp.w[0] = 5;
  v.cpu.vfp.fpscr = 0x10;
  return v;
}

test("state() and withGuest() see the vcpu's registers on the CPU while they are loaded", () => {
  const v = loadedVcpu();
  const seen = v.fp.state(new VfpState());
  assert.deepEqual([seen.w[0], seen.fpscr], [5, 0x10]);
  assert.equal(
    v.fp.withGuest(() => v.cpu.vfp.w[0]),
    5,
    "already on the CPU: nothing to switch",
  );
  v.fp.exit();
  assert.deepEqual([v.cpu.vfp.w[0], v.cpu.vfp.fpscr], [7, 0x20], "the host's state is back");
});

test("state() and withGuest() see the vcpu's saved registers between slices, and leave the host's in place", () => {
  const v = loadedVcpu();
  v.fp.exit();
  const seen = v.fp.state(new VfpState());
  assert.deepEqual([seen.w[0], seen.fpscr], [5, 0x10]);
  assert.equal(v.cpu.vfp.w[0], 7);
  // A debugger's register write between slices reaches the vcpu's context, not the host's.
  v.fp.withGuest(() => (v.cpu.vfp.w[0] = 9));
  assert.equal(v.cpu.vfp.w[0], 7);
  assert.equal(v.fp.state(new VfpState()).w[0], 9);
});

test("once the vcpu's state is loaded, a further trap keeps it and entry sets no trap bits", () => {
  const v = loadedVcpu();
  v.fp.trap();
  assert.deepEqual([v.cpu.vfp.w[0], v.cpu.vfp.fpscr], [5, 0x10], "the guest's live registers kept");
  v.fp.enter();
  assert.equal(v.cpu.hyp.hcptr & (HCPTR_TCP10 | HCPTR_TCP11), 0, "nothing left to switch in");
  assert.equal(v.fp.switches, 1);
  v.fp.exit();
  assert.equal(v.cpu.vfp.w[0], 7, "the host's state, saved at the first trap");
});

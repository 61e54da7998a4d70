// The Vgic's options are checked when it is built, and its input lines exist exactly for the
// interrupts a device or timer can drive: SPIs 32..(31 + spis), PPIs 16..31 of an existing vcpu.
// Each line returned must drive that interrupt and no other.

import { test } from "node:test";
import assert from "node:assert/strict";
import { GicVirtualInterface, type RegisterWindow } from "../../../src/gic/virtual-interface.js";
import { GICD_ISPENDR } from "../../../src/gic/registers.js";
import { Vgic } from "../../../src/vmm/vgic/vgic.js";
import { FakeLine, bit, bitReg, makeMachine } from "./vgic-harness.js";

function frames(n: number): RegisterWindow[] {
  const out: RegisterWindow[] = [];
  for (let i = 0; i < n; i++) {
    out.push(new GicVirtualInterface({ virq: new FakeLine(), vfiq: new FakeLine(), maintenance: new FakeLine() }).gich);
  }
  return out;
}

function build(vcpus: number, spis: number, gich = frames(Number.isInteger(vcpus) && vcpus > 0 ? vcpus : 1)): Vgic {
  return new Vgic({ vcpus, spis, gich, now: () => 0, trace: null, kick: () => {} });
}

test("vcpus must be an integer 1..8", () => {
  for (const vcpus of [0, -1, 9, 1.5, Number.NaN]) {
    assert.throws(() => build(vcpus, 32, frames(9)), {
      name: "RangeError",
      message: `vcpus must be 1..8, got ${vcpus}`,
    });
  }
  assert.equal(build(1, 32).vcpus, 1);
  assert.equal(build(8, 32).vcpus, 8);
});

test("spis must be a multiple of 32 from 0 to 960", () => {
  for (const spis of [-32, 992, 16, 33, 32.5]) {
    assert.throws(() => build(1, spis), {
      name: "RangeError",
      message: `spis must be a multiple of 32 up to 960, got ${spis}`,
    });
  }
  assert.equal(build(1, 0).state.intids, 32);
  assert.equal(build(2, 960).state.intids, 992);
});

test("every vcpu needs a GICH frame", () => {
  assert.throws(() => build(3, 32, frames(2)), { name: "RangeError", message: "need a GICH frame per vcpu (3)" });
  assert.equal(build(3, 32, frames(4)).vcpus, 3, "spare frames are fine");
});

test("spiLine: INTIDs 32 to the last SPI, each driving its own interrupt", () => {
  const m = makeMachine({ vcpus: 2, spis: 64 }); // SPIs 32..95
  for (const intid of [0, 16, 31, 96, 1020, 40.5, Number.NaN]) {
    assert.throws(() => m.vgic.spiLine(intid), { name: "RangeError", message: `no SPI ${intid}` });
  }
  for (const intid of [32, 95]) {
    m.vgic.spiLine(intid).set(true); // level-sensitive by default: pending while high
    assert.equal(m.rd(bitReg(GICD_ISPENDR, intid)), bit(intid), `SPI ${intid}`);
    m.vgic.spiLine(intid).set(false);
    assert.equal(m.rd(bitReg(GICD_ISPENDR, intid)), 0);
  }
});

test("ppiLine: INTIDs 16..31 of an existing vcpu, banked per vcpu", () => {
  const m = makeMachine({ vcpus: 2, spis: 32 });
  for (const vcpu of [-1, 2, 0.5]) {
    assert.throws(() => m.vgic.ppiLine(vcpu, 27), { name: "RangeError", message: `no vcpu ${vcpu}` });
  }
  for (const intid of [0, 15, 32, 40, 16.5]) {
    assert.throws(() => m.vgic.ppiLine(1, intid), { name: "RangeError", message: `no PPI ${intid}` });
  }
  m.vgic.ppiLine(1, 16).set(true);
  m.vgic.ppiLine(1, 31).set(true);
  assert.equal(m.rd(GICD_ISPENDR, 1), (bit(16) | bit(31)) >>> 0, "pending for vcpu 1");
  assert.equal(m.rd(GICD_ISPENDR, 0), 0, "not for vcpu 0");
  assert.equal(m.rd(bitReg(GICD_ISPENDR, 32)), 0, "no SPI either");
});

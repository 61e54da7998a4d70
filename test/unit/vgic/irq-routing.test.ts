// Per-vcpu copies and routing in the vgic's interrupt state: every vcpu's SGIs are edge-triggered
// (GICD_ICFGR0 reads 0xAAAAAAAA from each CPU), an SPI naming several CPUs goes to the lowest one
// (as KVM's vgic-v2 picks ffs(targets)), and an SPI that moves to another vcpu leaves nothing on
// the old one's queue that could wake it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { GICD_ICFGR, GICD_ISENABLER, GICD_ITARGETSR } from "../../../src/gic/registers.js";
import { bit, bitReg, bringUp, drain, makeMachine } from "./vgic-harness.js";

test("SGIs are edge-triggered on every vcpu", () => {
  const m = makeMachine({ vcpus: 3 });
  for (let cpu = 0; cpu < 3; cpu++) assert.equal(m.rd(GICD_ICFGR, cpu), 0xaaaa_aaaa, `vcpu ${cpu}`);
});

test("an SPI that targets several vcpus is delivered to the lowest of them", () => {
  const m = makeMachine({ vcpus: 3 });
  bringUp(m);
  m.wr(GICD_ITARGETSR + 40, 0x06, 0, 1); // vcpus 1 and 2
  m.wr(bitReg(GICD_ISENABLER, 40), bit(40));
  m.kicks.length = 0;
  m.vgic.spiLine(40).set(true);
  assert.deepEqual(m.kicks, [1]);
  assert.equal(m.vgic.hasDeliverable(2), false);
  m.vgic.flush(1);
  assert.deepEqual(drain(m, 1), [40]);
});

test("an SPI retargeted after it was handled is no longer seen by its old vcpu", () => {
  const m = makeMachine({ vcpus: 2 });
  bringUp(m);
  m.wr(GICD_ICFGR + 8, 2 << 16); // SPI 40 edge-triggered
  m.wr(GICD_ITARGETSR + 40, 0x01, 0, 1);
  m.wr(bitReg(GICD_ISENABLER, 40), bit(40));
  m.vgic.spiLine(40).set(true);
  m.vgic.spiLine(40).set(false);
  m.vgic.flush(0);
  assert.deepEqual(drain(m, 0), [40]);
  m.vgic.sync(0);
  m.wr(GICD_ITARGETSR + 40, 0x02, 0, 1);
  m.vgic.spiLine(40).set(true);
  m.vgic.spiLine(40).set(false);
  assert.equal(m.vgic.hasDeliverable(0), false, "nothing for vcpu 0 to wake for");
  assert.equal(m.vgic.hasDeliverable(1), true);
});

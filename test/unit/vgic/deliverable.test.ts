// hasDeliverable (what wakes a vcpu from WFI) on interrupts still queued in the vgic, not yet in
// a list register: an interrupt the guest could take now, i.e. pending, not active, enabled and
// forwarded, above the priority mask. SGIs count per source CPU.

import { test } from "node:test";
import assert from "node:assert/strict";
import { GICD_ICFGR, GICD_IPRIORITYR, GICD_ISENABLER, GICD_SGIR } from "../../../src/gic/registers.js";
import { bit, bitReg, bringUp, drain, makeMachine } from "./vgic-harness.js";

test("a deliverable interrupt below an undeliverable one in the same queue word is found", () => {
  const m = makeMachine();
  bringUp(m);
  m.wr(GICD_ICFGR + 8, (2 << 16) | (2 << 18)); // SPIs 40 and 41 edge-triggered
  m.wr(bitReg(GICD_ISENABLER, 40), bit(40)); // 41 stays disabled
  for (const intid of [40, 41]) {
    m.vgic.spiLine(intid).set(true);
    m.vgic.spiLine(intid).set(false);
  }
  assert.equal(m.vgic.hasDeliverable(0), true);
  m.vgic.flush(0);
  assert.deepEqual(drain(m), [40]);
});

test("a pending PPI 16 is deliverable (it is no SGI)", () => {
  const m = makeMachine();
  bringUp(m);
  m.wr(GICD_ISENABLER, bit(16));
  m.vgic.ppiLine(0, 16).set(true);
  assert.equal(m.vgic.hasDeliverable(0), true);
});

test("an SGI is deliverable while pending, not while active, nor while pending again from the same source", () => {
  const m = makeMachine({ vcpus: 2 });
  bringUp(m);
  m.wr(GICD_SGIR, (1 << 16) | 5, 1);
  assert.equal(m.vgic.hasDeliverable(0), true, "pending from cpu1");
  m.vgic.flush(0);
  assert.equal(m.iar(0), 0x405);
  m.vgic.sync(0);
  assert.equal(m.vgic.hasDeliverable(0), false, "active only");
  m.wr(GICD_SGIR, (1 << 16) | 5, 1);
  assert.equal(m.vgic.hasDeliverable(0), false, "pending and active: taken only after deactivation");
  m.vgic.flush(0);
  m.eoir(0x405, 0);
  assert.equal(m.vgic.hasDeliverable(0), true, "deactivated: the second one can be taken");
  assert.deepEqual(drain(m), [0x405]);
});

test("an edge SPI pending again while active is not deliverable until the guest completes it", () => {
  const m = makeMachine();
  bringUp(m);
  m.wr(GICD_ICFGR + 8, 2 << 16); // SPI 40 edge-triggered
  m.wr(GICD_IPRIORITYR + 40, 0x80, 0, 1);
  m.wr(bitReg(GICD_ISENABLER, 40), bit(40));
  m.vgic.spiLine(40).set(true);
  m.vgic.spiLine(40).set(false);
  m.vgic.flush(0);
  assert.equal(m.iar(0), 40);
  m.vgic.spiLine(40).set(true);
  m.vgic.spiLine(40).set(false);
  m.vgic.sync(0);
  assert.equal(m.vgic.hasDeliverable(0), false);
  m.vgic.flush(0);
  assert.equal(m.vgic.hasDeliverable(0), false, "loaded pending and active");
  m.eoir(40, 0);
  assert.equal(m.vgic.hasDeliverable(0), true);
  assert.deepEqual(drain(m), [40]);
});

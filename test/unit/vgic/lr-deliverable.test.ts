// hasDeliverable on interrupts already in the list registers: an LR counts only if it is pending
// (not active, not pending and active) with a priority strictly higher (numerically lower) than
// the guest's GICV_PMR, in any of the LRs in use.

import { test } from "node:test";
import assert from "node:assert/strict";
import { GICC_PMR, GICD_ICFGR, GICD_IPRIORITYR, GICD_ISENABLER, GICH_LR0 } from "../../../src/gic/registers.js";
import { bit, bitReg, bringUp, makeMachine, type Machine } from "./vgic-harness.js";

/** Edge SPIs with the given priorities, enabled and pulsed, then loaded into vcpu 0's LRs. */
function loaded(priorities: Record<number, number>): Machine {
  const m = makeMachine();
  bringUp(m);
  for (const [id, prio] of Object.entries(priorities)) {
    const intid = Number(id);
    m.wr(GICD_ICFGR + 8, m.rd(GICD_ICFGR + 8) | (2 << (2 * (intid - 32))));
    m.wr(GICD_IPRIORITYR + intid, prio, 0, 1);
    m.wr(bitReg(GICD_ISENABLER, intid), bit(intid));
    m.vgic.spiLine(intid).set(true);
    m.vgic.spiLine(intid).set(false);
  }
  m.vgic.flush(0);
  return m;
}

test("an LR holding an active interrupt is not deliverable", () => {
  const m = loaded({ 40: 0x80 });
  assert.equal(m.vgic.hasDeliverable(0), true);
  assert.equal(m.iar(0), 40);
  assert.equal(m.vgic.hasDeliverable(0), false, "active in LR 0, nothing pending");
});

test("an LR pending at or below the priority mask is not deliverable", () => {
  const m = loaded({ 40: 0x80 });
  m.gicv(0, GICC_PMR, 0x80);
  assert.equal(m.vgic.hasDeliverable(0), false, "priority equal to the mask");
  m.gicv(0, GICC_PMR, 0x40);
  assert.equal(m.vgic.hasDeliverable(0), false);
  m.gicv(0, GICC_PMR, 0x88);
  assert.equal(m.vgic.hasDeliverable(0), true);
});

test("a deliverable interrupt in the second LR is found behind a masked one in the first", () => {
  const m = loaded({ 40: 0xf0, 41: 0x10 });
  assert.equal(m.vifs[0].gich.read(GICH_LR0 + 4) & 0x3ff, 41, "41 in LR 1");
  m.gicv(0, GICC_PMR, 0x80);
  assert.equal(m.vgic.hasDeliverable(0), true);
});

// The host's PPIs of one physical CPU (HostIrq): each line asserted or not, each PPI enabled or
// not, and the core's IRQ input is the OR of the asserted and enabled ones.

import { test } from "node:test";
import assert from "node:assert/strict";
import { HostIrq, PPI_MAINTENANCE, PPI_PHYS_TIMER, PPI_VIRT_TIMER } from "../../../src/vmm/host-irq.js";

function make(): { irq: HostIrq; levels: boolean[] } {
  const levels: boolean[] = [];
  return { irq: new HostIrq((level) => levels.push(level)), levels };
}

test("the IRQ output is high while an asserted PPI is enabled, low otherwise", () => {
  const { irq, levels } = make();
  irq.line(PPI_VIRT_TIMER).set(true);
  assert.equal(levels.at(-1), false, "asserted but not enabled");
  assert.equal(irq.isAsserted(PPI_VIRT_TIMER), true);
  assert.equal(irq.pending(PPI_VIRT_TIMER), false);
  irq.enable(PPI_VIRT_TIMER, true);
  assert.equal(levels.at(-1), true);
  assert.equal(irq.pending(PPI_VIRT_TIMER), true);
  irq.enable(PPI_VIRT_TIMER, false);
  assert.equal(levels.at(-1), false, "disabling drops the output while the line stays high");
  assert.equal(irq.isAsserted(PPI_VIRT_TIMER), true);
  assert.equal(irq.pending(PPI_VIRT_TIMER), false);
  irq.enable(PPI_VIRT_TIMER, true);
  irq.line(PPI_VIRT_TIMER).set(false);
  assert.equal(levels.at(-1), false, "the line dropping drops the output");
  assert.equal(irq.isAsserted(PPI_VIRT_TIMER), false);
  assert.equal(irq.pending(PPI_VIRT_TIMER), false);
});

test("PPIs are independent: the output is the OR over them", () => {
  const { irq, levels } = make();
  irq.enable(PPI_MAINTENANCE, true);
  irq.enable(PPI_VIRT_TIMER, true);
  irq.line(PPI_MAINTENANCE).set(true);
  irq.line(PPI_VIRT_TIMER).set(true);
  irq.line(PPI_PHYS_TIMER).set(true);
  assert.equal(levels.at(-1), true);
  assert.equal(irq.pending(PPI_PHYS_TIMER), false, "asserted, never enabled");
  assert.equal(irq.pending(PPI_MAINTENANCE), true);
  irq.line(PPI_MAINTENANCE).set(false);
  assert.equal(levels.at(-1), true, "PPI 27 still asserted and enabled");
  assert.equal(irq.pending(PPI_MAINTENANCE), false);
  assert.equal(irq.isAsserted(PPI_VIRT_TIMER), true);
  irq.enable(PPI_VIRT_TIMER, false);
  assert.equal(levels.at(-1), false, "PPI 30 is asserted but disabled");
  irq.enable(PPI_PHYS_TIMER, true);
  assert.equal(levels.at(-1), true);
  assert.equal(irq.pending(PPI_PHYS_TIMER), true);
  assert.equal(irq.isAsserted(PPI_MAINTENANCE), false);
});

test("PPI 31 (bit 31) works like the others", () => {
  const { irq, levels } = make();
  irq.line(31).set(true);
  irq.enable(31, true);
  assert.equal(levels.at(-1), true);
  assert.equal(irq.pending(31), true);
  assert.equal(irq.isAsserted(31), true);
  assert.equal(irq.pending(30), false);
});

test("the PPI numbers of the board", () => {
  assert.deepEqual([PPI_MAINTENANCE, PPI_VIRT_TIMER, PPI_PHYS_TIMER], [25, 27, 30]);
});

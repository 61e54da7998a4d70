// The list-register fields as the virtual CPU interface reads them (IHI 0048B 5.3.9): bits [19:10]
// are a physical ID when HW = 1 and only then, so neither a source CPU (SGIs) nor an EOI request
// (bit 19) is read out of them; the source CPU is an SGI's alone; and makeLr, with which the vgic
// fills LRs, builds what the hand-written encodings say.

import { test } from "node:test";
import assert from "node:assert/strict";
import { lrCpuId, lrGroup, lrPriority, lrState, lrVirtualId, makeLr } from "../../../src/gic/list-register.js";
import {
  GICC_CTLR,
  GICC_IAR,
  GICC_PMR,
  GICH_EISR0,
  GICH_ELRSR0,
  GICH_HCR,
  GICH_MISR,
} from "../../../src/gic/registers.js";
import { ACTIVE, EOI, GRP1, PENDING, makeVif, prio } from "./gic-harness.js";

const HW = 0x8000_0000;

function ready() {
  const t = makeVif(4);
  t.h(GICH_HCR, 1); // En
  t.v(GICC_CTLR, 1 | 2 | 4); // both groups, AckCtl
  t.v(GICC_PMR, 0xff);
  return t;
}

test("IAR reports a source CPU for a software SGI only: not for ID 16, not for a HW LR", () => {
  const t = ready();
  t.setLr(0, PENDING | prio(0x80) | (3 << 10) | 16);
  assert.equal(t.v(GICC_IAR), 16, "a PPI has no source CPU, whatever bits [12:10] hold");
  // HW = 1: bits [19:10] are the physical interrupt (here PPI 27), not a source CPU.
  t.setLr(1, HW | PENDING | prio(0x70) | (27 << 10) | 5); // higher priority: preempts
  assert.equal(t.v(GICC_IAR), 5);
  t.setLr(2, PENDING | prio(0x60) | (3 << 10) | 5);
  assert.equal(t.v(GICC_IAR), 5 | (3 << 10), "a software SGI: its source CPU");
});

test("a deactivated HW LR whose physical ID sets bit 19 is empty and asks for no EOI maintenance", () => {
  const t = ready();
  t.h(GICH_HCR, 1);
  const physical = 600; // bit 9 of the physical ID is bit 19 of the LR, where HW = 0 keeps EOI
  t.setLr(0, HW | (physical << 10) | prio(0x80) | 40); // state invalid
  assert.equal(t.h(GICH_EISR0), 0);
  assert.equal(t.h(GICH_ELRSR0) & 1, 1);
  assert.equal(t.h(GICH_MISR) & 1, 0, "MISR.EOI");
  // The same bit with HW = 0 is the EOI request: signalled, and the LR is not free yet.
  t.setLr(0, EOI | prio(0x80) | 40);
  assert.equal(t.h(GICH_EISR0), 1);
  assert.equal(t.h(GICH_ELRSR0) & 1, 0);
  assert.equal(t.h(GICH_MISR) & 1, 1);
});

test("makeLr builds the hand-written encodings: ID, source, priority, state, group, EOI", () => {
  assert.equal(makeLr(40, 0, 0x80, 1, 1, false), PENDING | GRP1 | prio(0x80) | 40);
  assert.equal(makeLr(3, 2, 0xa8, 2, 0, true), ACTIVE | EOI | prio(0xa8) | (2 << 10) | 3);
  const lr = makeLr(1019, 0, 0xf8, 3, 1, false);
  assert.deepEqual([lrVirtualId(lr), lrCpuId(lr), lrPriority(lr), lrState(lr), lrGroup(lr)], [1019, 0, 0xf8, 3, 1]);
});

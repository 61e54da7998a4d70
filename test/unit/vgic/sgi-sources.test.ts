// SGIs per source CPU through the list registers (IHI 0048B 3.2.3, 5.2.3 CPUID): each source's
// instance has its own LR, pending and active state, fill count and deactivation, including the
// deactivation of one that had no LR (GICH_HCR.EOICount).

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GICC_PMR,
  GICD_IPRIORITYR,
  GICD_ISACTIVER,
  GICD_ISENABLER,
  GICD_ITARGETSR,
  GICD_SGIR,
  GICH_LR0,
} from "../../../src/gic/registers.js";
import { bit, bitReg, bringUp, makeMachine } from "./vgic-harness.js";

const LR_EOI = 0x0008_0000;

function sgi(m: ReturnType<typeof makeMachine>, intid: number, from: number, to: number): void {
  m.wr(GICD_SGIR, ((1 << to) << 16) | intid, from);
}

test("two sources of one SGI pending at once are two fills, and reloading them adds none", () => {
  const m = makeMachine({ vcpus: 3 });
  bringUp(m);
  m.gicv(0, GICC_PMR, 0); // masked: they stay pending
  sgi(m, 5, 1, 0);
  sgi(m, 5, 2, 0);
  for (let k = 0; k < 3; k++) {
    m.vgic.flush(0);
    m.vgic.sync(0);
  }
  assert.equal(m.vgic.stats.lrFills, 2);
});

test("a source's SGI arriving while another source's is handled is counted as a fill", () => {
  const m = makeMachine({ vcpus: 3 });
  bringUp(m);
  sgi(m, 5, 2, 0);
  m.vgic.flush(0);
  assert.equal(m.iar(0), 0x805);
  sgi(m, 5, 1, 0);
  m.vgic.sync(0);
  m.vgic.flush(0);
  assert.equal(m.vgic.stats.lrFills, 2);
  // Source 1 pending and source 2 active in the LRs; the guest stays in the handler.
  m.vgic.sync(0);
  m.vgic.flush(0);
  assert.equal(m.vgic.stats.lrFills, 2, "source 1 reloaded unacknowledged: no new fill");
});

test("an active SGI's LR asks for no EOI maintenance, even with another source pending", () => {
  const m = makeMachine({ vcpus: 3 });
  bringUp(m);
  sgi(m, 5, 1, 0);
  m.vgic.flush(0);
  assert.equal(m.iar(0), 0x405);
  sgi(m, 5, 2, 0);
  m.vgic.sync(0);
  m.vgic.flush(0);
  const lr0 = m.vifs[0].gich.read(GICH_LR0);
  assert.equal(lr0 >>> 28, 2, "source 1 active");
  assert.equal((lr0 >>> 10) & 7, 1);
  assert.equal(lr0 & LR_EOI, 0, "an SGI never moves and is never resampled");
});

test("an SGI completed by the guest is no longer active", () => {
  const m = makeMachine({ vcpus: 2 });
  bringUp(m);
  sgi(m, 5, 1, 0);
  m.vgic.flush(0);
  assert.equal(m.iar(0), 0x405);
  m.vgic.sync(0);
  assert.equal(m.rd(GICD_ISACTIVER, 0) & bit(5), bit(5));
  m.vgic.flush(0);
  m.eoir(0x405, 0);
  m.vgic.sync(0);
  assert.equal(m.rd(GICD_ISACTIVER, 0) & bit(5), 0);
});

for (const outer of ["SGI 5", "PPI 16"]) {
  test(`${outer} completed while it had no LR (EOICount) is deactivated`, () => {
    const m = makeMachine({ vcpus: 2, lrs: 1 });
    bringUp(m);
    m.wr(GICD_ITARGETSR + 40, 0x01, 0, 1);
    m.wr(GICD_IPRIORITYR + 40, 0x00, 0, 1);
    m.wr(GICD_IPRIORITYR + 5, 0x80, 0, 1);
    m.wr(GICD_IPRIORITYR + 16, 0x80, 0, 1);
    m.wr(bitReg(GICD_ISENABLER, 40), bit(40));
    m.wr(GICD_ISENABLER, bit(16));
    let id: number;
    if (outer === "SGI 5") {
      sgi(m, 5, 1, 0);
      id = 0x405;
    } else {
      m.vgic.ppiLine(0, 16).set(true);
      id = 16;
    }
    m.vgic.flush(0);
    assert.equal(m.iar(0), id);
    if (id === 16) m.vgic.ppiLine(0, 16).set(false);
    m.vgic.spiLine(40).set(true); // higher priority: preempts the handler
    m.vgic.sync(0);
    m.vgic.flush(0); // 40 takes the only LR; the outer one is active outside
    assert.equal(m.iar(0), 40);
    m.vgic.spiLine(40).set(false);
    m.eoir(40, 0);
    m.eoir(id, 0); // no LR holds it: counted in EOICount
    m.vgic.sync(0);
    assert.equal(m.rd(GICD_ISACTIVER, 0) & (bit(5) | bit(16)), 0);
  });
}

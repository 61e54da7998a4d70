// The boundaries between interrupt types at the list registers: PPI 16 is the first PPI (level,
// banked, no source CPU), SPI 32 the first SPI (routed by its target, moved between vcpus).

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GICD_ICFGR,
  GICD_IPRIORITYR,
  GICD_ISACTIVER,
  GICD_ISENABLER,
  GICD_ITARGETSR,
  GICH_LR0,
} from "../../../src/gic/registers.js";
import { bit, bitReg, bringUp, drain, makeMachine } from "./vgic-harness.js";

const LR_EOI = 0x0008_0000;

test("PPI 16 is loaded as a level interrupt, with no source CPU, and its active state is kept", () => {
  const m = makeMachine({ tracing: true });
  bringUp(m);
  m.wr(GICD_ISENABLER, bit(16));
  m.vgic.ppiLine(0, 16).set(true);
  m.vgic.flush(0);
  const lr = m.vifs[0].gich.read(GICH_LR0);
  assert.equal(lr & 0x3ff, 16);
  assert.equal(lr & LR_EOI, LR_EOI, "level: its EOI must be seen to resample the line");
  assert.ok(m.trace.includes("vgic 0.000us vcpu0: fill INTID 16 prio 0x00"), m.trace.join("\n"));
  assert.equal(m.iar(0), 16);
  m.vgic.sync(0);
  assert.equal(m.rd(GICD_ISACTIVER) & bit(16), bit(16), "active after the acknowledge");
  m.vgic.ppiLine(0, 16).set(false);
  m.vgic.flush(0);
  m.eoir(16, 0);
  m.vgic.sync(0);
  assert.equal(m.rd(GICD_ISACTIVER) & bit(16), 0);
});

test("SPI 32 active on vcpu 1 stays there when retargeted, then moves to vcpu 0 with a kick", () => {
  const m = makeMachine({ vcpus: 2 });
  bringUp(m);
  m.wr(GICD_ICFGR + 8, 2); // SPI 32 edge-triggered
  m.wr(GICD_IPRIORITYR + 32, 0x80, 0, 1);
  m.wr(GICD_ITARGETSR + 32, 0x02, 0, 1);
  m.wr(bitReg(GICD_ISENABLER, 32), bit(32));
  m.vgic.spiLine(32).set(true);
  m.vgic.spiLine(32).set(false);
  m.vgic.flush(1);
  assert.equal(m.iar(1), 32);
  m.wr(GICD_ITARGETSR + 32, 0x01, 1, 1);
  m.vgic.spiLine(32).set(true);
  m.vgic.spiLine(32).set(false);
  m.vgic.sync(1);
  m.vgic.flush(1);
  const lr = m.vifs[1].gich.read(GICH_LR0);
  assert.equal(lr >>> 28, 2, "only active on vcpu 1: the new edge waits for vcpu 0");
  assert.equal(lr & LR_EOI, LR_EOI, "its deactivation must be seen");
  m.kicks.length = 0;
  m.eoir(32, 1);
  m.vgic.sync(1);
  assert.deepEqual(m.kicks, [0], "the pending state moved to vcpu 0");
  m.vgic.flush(0);
  assert.deepEqual(drain(m, 0), [32]);
});

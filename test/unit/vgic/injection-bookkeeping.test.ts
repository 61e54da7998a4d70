// What an injection does besides making an interrupt pending: which vcpu is kicked (only one that
// can take the interrupt, only on a new assertion, never the sender of an SGI, which is about to
// re-enter anyway), and how a re-injection of an instance the guest has not taken yet is counted
// (a new LR fill, reported to the live view's probe).

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GICC_PMR,
  GICD_CTLR,
  GICD_ICFGR,
  GICD_ISENABLER,
  GICD_ITARGETSR,
  GICD_SGIR,
  GICD_SPENDSGIR,
} from "../../../src/gic/registers.js";
import { bit, bitReg, bringUp, drain, makeMachine } from "./vgic-harness.js";

test("an edge line kicks on its rising edge only; the falling edge changes nothing to take", () => {
  const m = makeMachine();
  bringUp(m);
  m.wr(GICD_ICFGR + 8, 2 << 16); // SPI 40 edge-triggered
  m.wr(bitReg(GICD_ISENABLER, 40), bit(40));
  m.kicks.length = 0;
  m.vgic.spiLine(40).set(true);
  assert.deepEqual(m.kicks, [0]);
  m.vgic.spiLine(40).set(false); // still latched pending on vcpu 0
  assert.deepEqual(m.kicks, [0]);
  m.vgic.flush(0);
  assert.deepEqual(drain(m), [40]);
});

test("an SPI that targets no vcpu kicks nobody until it is given a target", () => {
  const m = makeMachine({ vcpus: 2 });
  bringUp(m);
  m.wr(bitReg(GICD_ISENABLER, 40), bit(40)); // level, ITARGETSR reset: no CPU
  m.kicks.length = 0;
  m.vgic.spiLine(40).set(true);
  assert.deepEqual(m.kicks, []);
  m.wr(GICD_ITARGETSR + 40, 0x02, 0, 1);
  assert.deepEqual(m.kicks, [1], "now vcpu 1 has it");
});

test("an SGI kicks its other targets, not its sender, and nobody while the distributor forwards nothing", () => {
  const m = makeMachine({ vcpus: 3 });
  bringUp(m);
  m.kicks.length = 0;
  m.wr(GICD_SGIR, (2 << 24) | 1, 1); // to self
  assert.deepEqual(m.kicks, []);
  m.wr(GICD_SGIR, (0b111 << 16) | 2, 1); // list including the sender
  assert.deepEqual(m.kicks, [0, 2]);
  m.wr(GICD_CTLR, 0);
  m.kicks.length = 0;
  m.wr(GICD_SGIR, (1 << 24) | 3, 0); // all but self
  assert.deepEqual(m.kicks, [], "Group 0 not forwarded: nothing to take");
  m.wr(GICD_CTLR, 1, 0);
  assert.deepEqual(m.kicks, [1, 2], "enabling the distributor makes them deliverable");
  assert.deepEqual(drain(m, 2), [0x402, 0x003], "SGI 2 from cpu1, SGI 3 from cpu0");
});

test("an SGI sent again before the guest took the first is a new LR fill", () => {
  const m = makeMachine({ vcpus: 2 });
  bringUp(m);
  const fills: string[] = [];
  m.vgic.onFill = (v, intid) => fills.push(`${v}:${intid}`);
  m.gicv(0, GICC_PMR, 0); // vcpu 0 masks everything: the SGI stays pending in its LR
  m.wr(GICD_SGIR, (1 << 16) | 5, 1);
  for (let k = 0; k < 3; k++) {
    m.vgic.flush(0);
    m.vgic.sync(0);
  }
  assert.deepEqual(fills, ["0:5"], "reloading the same pending SGI is not a new fill");
  m.wr(GICD_SGIR, (1 << 16) | 5, 1); // same source, merges into the pending state
  m.vgic.flush(0);
  assert.deepEqual(fills, ["0:5", "0:5"]);
  m.vgic.sync(0);
  m.vgic.flush(0);
  m.wr(GICD_SPENDSGIR + 5, 0x02, 0, 1); // the same again through GICD_SPENDSGIR
  assert.deepEqual(fills, ["0:5", "0:5", "0:5"]);
  assert.equal(m.vgic.stats.lrFills, 3);
  m.gicv(0, GICC_PMR, 0xf8);
  assert.deepEqual(drain(m), [0x405], "still one SGI from cpu1 to take");
});

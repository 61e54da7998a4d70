// Whom a distributor access kicks, and where it puts active state. The accessing vcpu goes straight
// back into its guest with its LRs reloaded, and so do the vcpus halted for the access: a kick is
// only for a vcpu that has newly got something to take through a write. A read changes no
// interrupt state, so it kicks nobody, even when reloading the LRs shows an interrupt the guest
// has just made deliverable.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GICD_ICFGR,
  GICD_IPRIORITYR,
  GICD_ISACTIVER,
  GICD_ISENABLER,
  GICD_ISPENDR,
  GICD_ITARGETSR,
  GICD_SPENDSGIR,
  GICD_TYPER,
  GICH_LR0,
} from "../../../src/gic/registers.js";
import { bit, bitReg, bringUp, drain, makeMachine, type Machine } from "./vgic-harness.js";

/** vcpu 1 has completed level SPI 40 while its line stays high: pending again, but the vgic sees
 * that only once its LRs are folded. */
function levelCompletedOnVcpu1(): Machine {
  const m = makeMachine({ vcpus: 2 });
  bringUp(m);
  m.wr(GICD_ITARGETSR + 40, 0x02, 0, 1);
  m.wr(GICD_IPRIORITYR + 40, 0x80, 0, 1);
  m.wr(bitReg(GICD_ISENABLER, 40), bit(40));
  m.vgic.spiLine(40).set(true);
  m.vgic.flush(1);
  assert.equal(m.iar(1), 40);
  m.vgic.sync(1);
  m.vgic.flush(1);
  m.eoir(40, 1);
  assert.equal(m.virq[1].level, false, "nothing signalled until the LRs are reloaded");
  m.kicks.length = 0;
  return m;
}

test("a read of pending state reloads the other vcpus' LRs without kicking them", () => {
  const m = levelCompletedOnVcpu1();
  assert.equal(m.rd(bitReg(GICD_ISPENDR, 40), 0), bit(40));
  assert.deepEqual(m.kicks, []);
  assert.equal(m.virq[1].level, true, "reloaded: 40 is pending in vcpu 1's LRs again");
  assert.deepEqual(drain(m, 1), [40]);
});

test("a read of SGI pending state kicks nobody either", () => {
  const m = levelCompletedOnVcpu1();
  assert.equal(m.rd(GICD_SPENDSGIR, 0), 0);
  assert.deepEqual(m.kicks, []);
  assert.deepEqual(drain(m, 1), [40]);
});

test("a write kicks the other vcpus that newly have something, never the writer", () => {
  const m = makeMachine({ vcpus: 2 });
  bringUp(m);
  m.wr(GICD_ICFGR + 8, (2 << 16) | (2 << 18)); // SPIs 40 and 41 edge-triggered
  m.wr(GICD_ITARGETSR + 40, 0x01, 0, 1);
  m.wr(GICD_ITARGETSR + 41, 0x02, 0, 1);
  m.wr(bitReg(GICD_ISENABLER, 40), bit(40) | bit(41));
  m.kicks.length = 0;
  m.wr(bitReg(GICD_ISPENDR, 40), bit(40), 0);
  assert.deepEqual(m.kicks, [], "the writer takes it on return");
  assert.equal(m.virq[0].level, true);
  m.wr(bitReg(GICD_ISPENDR, 41), bit(41), 0);
  assert.deepEqual(m.kicks, [1]);
});

test("a write to a read-only register kicks nobody", () => {
  const m = makeMachine({ vcpus: 2 });
  bringUp(m);
  m.wr(GICD_ITARGETSR + 40, 0x02, 0, 1);
  m.wr(bitReg(GICD_ISENABLER, 40), bit(40));
  m.kicks.length = 0;
  m.vgic.spiLine(40).set(true);
  assert.deepEqual(m.kicks, [1], "the line kicked its target");
  m.wr(GICD_TYPER, 0, 0);
  assert.deepEqual(m.kicks, [1]);
});

test("GICD_ISACTIVER puts an SPI's active state in its target's LRs, or the writer's if it has none", () => {
  const m = makeMachine({ vcpus: 2 });
  bringUp(m);
  // LR0's State (2 = active) and virtual ID; the rest (priority, EOI bit) does not matter here.
  const lr0 = (cpu: number) => {
    const lr = m.vifs[cpu].gich.read(GICH_LR0);
    return `${lr >>> 28}:${lr & 0x3ff}`;
  };
  m.wr(GICD_ITARGETSR + 40, 0x01, 0, 1);
  m.wr(bitReg(GICD_ISACTIVER, 40), bit(40), 1);
  assert.equal(lr0(0), "2:40", "active on vcpu 0, its target");
  assert.equal(lr0(1), "0:0");
  // SPI 41 targets no vcpu: only the writer's interface can then deactivate it.
  m.wr(bitReg(GICD_ISACTIVER, 41), bit(41), 1);
  assert.equal(lr0(1), "2:41");
  assert.equal(lr0(0), "2:40");
});

// `--trace vgic` line by line: every kind of line the vgic writes (injections from lines, SGIs,
// GICD_ISPENDR and GICD_SPENDSGIR, releases, LR fills, acknowledges, EOIs with and without EOI
// maintenance, EOIs counted in EOICount, maintenance interrupts by kind), with the vcpu each line
// belongs to and the guest time, in the order the events happen; and the --stats summary after.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GICC_EOIR,
  GICD_ICFGR,
  GICD_IPRIORITYR,
  GICD_ISENABLER,
  GICD_ISPENDR,
  GICD_ITARGETSR,
  GICD_SGIR,
  GICD_SPENDSGIR,
} from "../../../src/gic/registers.js";
import { bit, bringUp, makeMachine, type Machine } from "./vgic-harness.js";

function target(m: Machine, intid: number, cpus: number): void {
  m.wr(GICD_ITARGETSR + intid, cpus, 0, 1);
}

test("trace: SGIs, edges, GICD_ISPENDR/SPENDSGIR injections; fills, acks and EOIs; underflow maintenance", () => {
  const m = makeMachine({ vcpus: 2, tracing: true, lrs: 2 });
  bringUp(m);
  m.wr(GICD_ICFGR + 8, 2 << 16); // SPI 40 edge-triggered
  m.wr(GICD_ISENABLER + 4, bit(40) | bit(42));
  target(m, 40, 1);
  target(m, 42, 1);
  m.time.now = 125; // 2 us
  m.vgic.spiLine(40).set(true);
  m.vgic.spiLine(40).set(false);
  m.wr(GICD_SGIR, (1 << 16) | 3, 1); // SGI 3 from cpu1 to cpu0
  m.wr(GICD_ISPENDR + 4, bit(42));
  m.wr(GICD_SPENDSGIR + 5, 2, 0, 1); // SGI 5 pending on cpu0 from cpu1
  m.vgic.flush(0);
  const got: number[] = [];
  for (;;) {
    const id = m.iar(0);
    if ((id & 0x3ff) >= 1020) break;
    got.push(id);
    m.eoir(id, 0);
    m.vgic.sync(0);
    m.vgic.flush(0);
  }
  assert.deepEqual(got, [3 | (1 << 10), 5 | (1 << 10), 40, 42]);
  const at = "vgic 2.000us vcpu0: ";
  assert.deepEqual(
    m.trace,
    [
      "inject INTID 40 (edge)",
      "release INTID 40 (edge)",
      "inject SGI 3 from cpu1",
      "inject INTID 42 (GICD_ISPENDR)",
      "fill INTID 3 from cpu1 prio 0x00",
      "fill INTID 40 prio 0x00",
      "inject SGI 5 (GICD_SPENDSGIR 0x2)",
      "fill INTID 5 from cpu1 prio 0x00",
      "maintenance U",
      "ack INTID 3 from cpu1",
      "eoi INTID 3 from cpu1",
      "maintenance U",
      "ack INTID 5 from cpu1",
      "eoi INTID 5 from cpu1",
      "fill INTID 42 prio 0x00",
      "ack INTID 40",
      "eoi INTID 40",
      "maintenance EOI",
      "ack INTID 42",
      "eoi INTID 42 (EOI maintenance, line 0)",
    ].map((line) => at + line),
  );
  assert.equal(
    m.vgic.formatStats(),
    [
      "vgic: 4 LR fills, 4 acknowledges, 4 EOIs",
      "vgic: 3 maintenance interrupts (EOI 1, U 2)",
      "vgic: 4 LR overflows, deepest queue 4",
      "vgic: injections by INTID: 3: 1, 5: 1, 40: 1, 42: 1",
    ].join("\n"),
  );
});

test("trace: lines of other vcpus and released lines; NP and LRENP maintenance; EOICount; a level resampled", () => {
  const m = makeMachine({ vcpus: 2, tracing: true, lrs: 1 });
  bringUp(m);
  m.wr(GICD_ISENABLER + 4, bit(40) | bit(41) | bit(42));
  target(m, 40, 2);
  target(m, 41, 1);
  target(m, 42, 1);
  m.wr(GICD_IPRIORITYR + 41, 0x80, 0, 1);
  m.wr(GICD_IPRIORITYR + 42, 0x40, 0, 1);
  m.wr(GICD_ICFGR + 8, 2 << 20); // SPI 42 edge-triggered
  m.time.now = 125_000; // 2 ms
  m.vgic.ppiLine(1, 20).set(true); // vcpu 1's PPI, never enabled
  m.vgic.ppiLine(1, 20).set(false);
  m.vgic.spiLine(40).set(true); // to vcpu 1
  m.vgic.spiLine(40).set(false); // queued nowhere now: vcpu 0's line
  m.vgic.spiLine(41).set(true); // level, 0x80
  m.vgic.spiLine(42).set(true); // edge, 0x40
  m.vgic.flush(0); // two candidates, one LR: 42 goes first, NP asked for
  assert.equal(m.iar(0), 42);
  m.vgic.sync(0);
  m.vgic.flush(0); // 42 active without an LR (LRENP asked for); 41 in the LR
  assert.equal(m.iar(0), 1023, "0x80 does not preempt 0x40");
  m.gicv(0, GICC_EOIR, 42); // no LR holds it: EOICount
  m.vgic.sync(0);
  m.vgic.flush(0);
  assert.equal(m.iar(0), 41);
  m.vgic.spiLine(41).set(false);
  m.gicv(0, GICC_EOIR, 41);
  m.vgic.sync(0);
  assert.deepEqual(m.trace, [
    "vgic 2000.000us vcpu1: inject INTID 20 (level)",
    "vgic 2000.000us vcpu1: release INTID 20 (level)",
    "vgic 2000.000us vcpu1: inject INTID 40 (level)",
    "vgic 2000.000us vcpu0: release INTID 40 (level)",
    "vgic 2000.000us vcpu0: inject INTID 41 (level)",
    "vgic 2000.000us vcpu0: inject INTID 42 (edge)",
    "vgic 2000.000us vcpu0: fill INTID 42 prio 0x40",
    "vgic 2000.000us vcpu0: maintenance NP",
    "vgic 2000.000us vcpu0: ack INTID 42",
    "vgic 2000.000us vcpu0: fill INTID 41 prio 0x80",
    "vgic 2000.000us vcpu0: maintenance LRENP",
    "vgic 2000.000us vcpu0: eoi INTID 42 (no LR, EOICount)",
    "vgic 2000.000us vcpu0: release INTID 41 (level)",
    "vgic 2000.000us vcpu0: maintenance EOI",
    "vgic 2000.000us vcpu0: ack INTID 41",
    "vgic 2000.000us vcpu0: eoi INTID 41 (EOI maintenance, line 0)",
  ]);
  const s = m.vgic.stats;
  assert.deepEqual(
    [s.lrFills, s.acknowledges, s.eois, s.maintenanceInterrupts, s.overflows, s.deepestQueue],
    [2, 2, 2, 3, 2, 2],
  );
  assert.deepEqual([...s.maintenanceByKind], [1, 0, 1, 1, 0, 0, 0, 0]);
});

test("trace: several maintenance kinds at once are listed in GICH_MISR bit order", () => {
  const m = makeMachine({ tracing: true, lrs: 2 });
  bringUp(m);
  m.wr(GICD_ISENABLER + 4, bit(40) | bit(41) | bit(42));
  for (const id of [40, 41, 42]) m.wr(GICD_ISPENDR + 4, bit(id));
  m.vgic.flush(0); // three pending, two LRs: UIE and NPIE
  const first = m.iar(0);
  m.eoir(first);
  m.iar(0); // the other one taken, not completed: one valid LR, none pending; the first asks for EOI
  m.trace.length = 0;
  m.vgic.sync(0);
  assert.deepEqual(m.trace.slice(0, 1), ["vgic 0.000us vcpu0: maintenance EOI,U,NP"]);
  assert.deepEqual([...m.vgic.stats.maintenanceByKind], [1, 1, 0, 1, 0, 0, 0, 0]);
});

test("no trace sink: nothing is formatted, the counters still count", () => {
  const m = makeMachine({ lrs: 1 });
  bringUp(m);
  m.wr(GICD_ISENABLER + 4, bit(40));
  m.vgic.spiLine(40).set(true);
  m.vgic.flush(0);
  assert.equal(m.iar(0), 40);
  m.eoir(40);
  m.vgic.sync(0);
  assert.deepEqual(m.trace, []);
  assert.equal(m.vgic.trace, null);
  assert.deepEqual([m.vgic.stats.lrFills, m.vgic.stats.acknowledges, m.vgic.stats.eois], [1, 1, 1]);
});

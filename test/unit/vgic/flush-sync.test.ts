// Flush before entry and sync after exit: interrupts move into list registers and back, with the
// guest played through the GICV frame. The expected behaviour comes from the GIC's interrupt
// semantics (edge latches, level follows the line, SGIs per source) and the maintenance rules.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GICC_CTLR,
  GICC_DIR,
  GICC_PMR,
  GICD_CTLR,
  GICD_ICACTIVER,
  GICD_ICENABLER,
  GICD_ICFGR,
  GICD_ICPENDR,
  GICD_IPRIORITYR,
  GICD_ISACTIVER,
  GICD_ISENABLER,
  GICD_ISPENDR,
  GICD_ITARGETSR,
  GICD_SGIR,
  GICD_SPENDSGIR,
  GICH_ELRSR0,
  GICH_HCR,
  GICH_LR0,
  GICH_MISR,
} from "../../../src/gic/registers.js";
import { bit, bitReg, bringUp, drain, makeMachine, type Machine } from "./vgic-harness.js";

// GICH_HCR: En 1, UIE 2, LRENPIE 4, NPIE 8. GICH_MISR: EOI 1, U 2, LRENP 4, NP 8.
const EN = 1;
const UIE = 2;
const LRENPIE = 4;
const NPIE = 8;
const MISR_EOI = 1;
const MISR_NP = 8;

/** Configures SPI `intid`: edge or level, priority, enabled. */
function spi(m: Machine, intid: number, edge: boolean, priority: number): void {
  const cfg = GICD_ICFGR + 4 * (intid >>> 4);
  const shift = 2 * (intid & 15) + 1;
  m.wr(cfg, (m.rd(cfg) & ~(1 << shift)) | ((edge ? 1 : 0) << shift));
  m.wr(GICD_IPRIORITYR + intid, priority, 0, 1);
  m.wr(bitReg(GICD_ISENABLER, intid), bit(intid));
}

function pulse(m: Machine, intid: number): void {
  m.vgic.spiLine(intid).set(true);
  m.vgic.spiLine(intid).set(false);
}

function hcr(m: Machine, cpu = 0): number {
  return m.vifs[cpu].gich.read(GICH_HCR);
}
function misr(m: Machine, cpu = 0): number {
  return m.vifs[cpu].gich.read(GICH_MISR);
}
function lr(m: Machine, n: number, cpu = 0): number {
  return m.vifs[cpu].gich.read(GICH_LR0 + 4 * n);
}
function activeBits(m: Machine, intid: number): number {
  return m.rd(bitReg(GICD_ISACTIVER, intid)) & bit(intid);
}

test("more pending interrupts than LRs: each delivered exactly once, highest priority first", () => {
  const m = makeMachine({ lrs: 4 });
  bringUp(m);
  // INTIDs 40..46 edge; 46 has the highest priority (lowest value).
  for (let id = 40; id <= 46; id++) spi(m, id, true, 0x40 + (46 - id) * 8);
  for (let id = 40; id <= 46; id++) pulse(m, id);
  m.vgic.flush(0);
  assert.equal(hcr(m), EN | UIE | NPIE, "three left over: underflow and no-pending maintenance requested");
  assert.equal(m.maint[0].level, false, "no maintenance at entry");
  const first = drain(m);
  assert.deepEqual(first, [46, 45, 44, 43]);
  assert.equal(m.maint[0].level, true, "LRs drained: maintenance interrupt");
  const all = [...first];
  for (let round = 0; round < 5; round++) {
    m.vgic.sync(0);
    m.vgic.flush(0);
    all.push(...drain(m));
  }
  assert.deepEqual(all, [46, 45, 44, 43, 42, 41, 40]);
  assert.equal(hcr(m), EN, "nothing left: no maintenance requested");
  assert.equal(m.maint[0].level, false);
  assert.equal(m.vgic.stats.lrFills, 7);
  assert.ok(m.vgic.stats.underflows >= 1);
  assert.equal(m.vgic.stats.deepestQueue, 7);
});

test("a level interrupt is delivered again after EOI while its line stays high, not after it drops", () => {
  const m = makeMachine();
  bringUp(m);
  spi(m, 33, false, 0xa0);
  m.kicks.length = 0;
  m.vgic.spiLine(33).set(true);
  assert.deepEqual(m.kicks, [0]);
  m.vgic.flush(0);
  assert.equal(lr(m, 0), 0x1000_0000 | 0x0008_0000 | (0xa0 << 20) | 33, "pending, EOI bit, priority 0xA0>>3");
  assert.equal(m.iar(), 33);
  m.eoir(33);
  assert.equal(misr(m) & MISR_EOI, MISR_EOI, "EOI maintenance for the resample");
  assert.equal(m.maint[0].level, true);
  m.vgic.sync(0);
  assert.equal(m.maint[0].level, false);
  m.vgic.flush(0);
  assert.equal(m.iar(), 33, "still asserted: pending again");
  m.vgic.spiLine(33).set(false); // the handler quietened the device
  m.eoir(33);
  m.vgic.sync(0);
  m.vgic.flush(0);
  assert.deepEqual(drain(m), []);
});

test("a level interrupt whose line drops before the guest takes it is withdrawn", () => {
  const m = makeMachine();
  bringUp(m);
  spi(m, 33, false, 0xa0);
  m.vgic.spiLine(33).set(true);
  m.vgic.flush(0);
  m.vgic.spiLine(33).set(false);
  m.vgic.sync(0);
  m.vgic.flush(0);
  assert.deepEqual(drain(m), []);
});

test("a level interrupt active in an LR is never also pending there", () => {
  const m = makeMachine();
  bringUp(m);
  spi(m, 33, false, 0xa0);
  m.vgic.spiLine(33).set(true);
  m.vgic.flush(0);
  assert.equal(m.iar(), 33);
  m.vgic.sync(0);
  m.vgic.flush(0);
  assert.equal(lr(m, 0), 0x2000_0000 | 0x0008_0000 | (0xa0 << 20) | 33, "active only, EOI bit");
});

test("an edge interrupt is not delivered again after EOI; a new edge while active is, once", () => {
  const m = makeMachine();
  bringUp(m);
  spi(m, 48, true, 0x80);
  pulse(m, 48);
  m.vgic.flush(0);
  assert.equal(lr(m, 0) & 0x0008_0000, 0, "no EOI bit for edge");
  assert.equal(m.iar(), 48);
  m.eoir(48);
  assert.equal(m.maint[0].level, false, "no maintenance for an edge EOI");
  m.vgic.sync(0);
  m.vgic.flush(0);
  assert.deepEqual(drain(m), []);
  // Second edge while the first is being handled.
  pulse(m, 48);
  m.vgic.flush(0);
  assert.equal(m.iar(), 48);
  pulse(m, 48);
  pulse(m, 48); // edges while pending merge
  m.vgic.sync(0);
  m.vgic.flush(0);
  assert.equal(lr(m, 0) >>> 28, 3, "pending and active");
  m.eoir(48);
  assert.deepEqual(drain(m), [48]);
  m.vgic.sync(0);
  m.vgic.flush(0);
  assert.deepEqual(drain(m), []);
});

test("SGIs: one LR per source CPU, each taken once with its source in IAR[12:10]", () => {
  const m = makeMachine({ vcpus: 3 });
  bringUp(m);
  m.kicks.length = 0;
  m.wr(GICD_SGIR, (1 << 16) | 5, 1);
  m.wr(GICD_SGIR, (1 << 16) | 5, 2);
  m.wr(GICD_SGIR, (1 << 16) | 5, 2); // again before delivery: merges
  assert.deepEqual(m.kicks, [0, 0, 0]);
  m.vgic.flush(0);
  assert.equal(lr(m, 0), 0x1000_0000 | (1 << 10) | 5);
  assert.equal(lr(m, 1), 0x1000_0000 | (2 << 10) | 5);
  assert.deepEqual(drain(m), [0x405, 0x805]);
  m.vgic.sync(0);
  m.vgic.flush(0);
  assert.deepEqual(drain(m), []);
  // To self: pending for the sender, loaded on return from the trap.
  m.wr(GICD_SGIR, (2 << 24) | 7, 2);
  assert.deepEqual(drain(m, 2), [0x807]);
});

test("an interrupt injected while disabled stays pending and is delivered once enabled", () => {
  const m = makeMachine();
  bringUp(m);
  m.wr(GICD_ICFGR + 12, 1 << (2 * (50 & 15) + 1)); // INTID 50 edge
  m.kicks.length = 0;
  pulse(m, 50);
  assert.deepEqual(m.kicks, [], "nothing to take: no kick");
  m.vgic.flush(0);
  assert.deepEqual(drain(m), []);
  assert.equal(m.vgic.hasDeliverable(0), false);
  assert.equal(m.rd(bitReg(GICD_ISPENDR, 50)), bit(50));
  // The timer PPI fires while the guest has not enabled it yet (level).
  m.vgic.ppiLine(0, 27).set(true);
  m.wr(bitReg(GICD_ISENABLER, 50), bit(50));
  assert.equal(m.vgic.hasDeliverable(0), true);
  assert.deepEqual(drain(m), [50]);
  m.wr(GICD_ISENABLER, bit(27));
  assert.deepEqual(drain(m), [27]);
});

test("no maintenance storm when every LR holds an active interrupt (EOImode 1)", () => {
  const m = makeMachine({ lrs: 4 });
  bringUp(m);
  m.gicv(0, GICC_CTLR, 0x201); // EnableGrp0, EOImode
  for (let id = 40; id <= 45; id++) spi(m, id, true, 0x10 * (id - 39));
  for (let id = 40; id <= 45; id++) pulse(m, id);
  m.vgic.flush(0);
  // The guest takes and drops the priority of each, deactivating later (threaded handlers).
  assert.deepEqual(drain(m), [40, 41, 42, 43]);
  assert.equal(misr(m), MISR_NP, "all LRs active, two pending outside: NP only (U needs ≤1 valid LR)");
  m.vgic.sync(0);
  m.vgic.flush(0);
  assert.equal(hcr(m), EN | LRENPIE, "the pending ones went in; two active ones have no LR");
  assert.equal(misr(m), 0);
  assert.equal(m.maint[0].level, false);
  for (let k = 0; k < 3; k++) {
    m.vgic.sync(0);
    m.vgic.flush(0);
    assert.equal(m.maint[0].level, false, "re-entering does not raise maintenance again");
  }
  assert.deepEqual(drain(m), [44, 45]);
  assert.equal(misr(m), 0, "all LRs active and nothing left pending: quiet");
  assert.equal(m.maint[0].level, false);
  // Deactivate everything; 42 and 43 have no LR, so the interface counts them.
  for (const id of [45, 44, 43, 42, 41, 40]) m.gicv(0, GICC_DIR, id);
  assert.equal(hcr(m) >>> 27, 2);
  assert.equal(m.maint[0].level, true, "LRENP");
  m.vgic.sync(0);
  for (let id = 40; id <= 45; id++) assert.equal(activeBits(m, id), 0, `INTID ${id} inactive`);
  m.vgic.flush(0);
  assert.equal(m.vifs[0].gich.read(GICH_ELRSR0), 0xf);
  assert.equal(m.maint[0].level, false);
});

test("nesting one deeper than the LRs (EOImode 0): no storm, the outer EOI comes back via EOICount", () => {
  const m = makeMachine({ lrs: 4 });
  bringUp(m);
  // Each new interrupt has a higher priority and preempts the handler of the previous one.
  const prios: Record<number, number> = { 40: 0x80, 41: 0x70, 42: 0x60, 43: 0x50, 44: 0x90 };
  for (const id of [40, 41, 42, 43, 44]) spi(m, id, true, prios[id]);
  for (const id of [40, 41, 42, 43]) {
    pulse(m, id);
    m.vgic.sync(0);
    m.vgic.flush(0);
    assert.equal(m.iar(), id);
  }
  pulse(m, 44); // lower priority than everything running
  m.vgic.sync(0);
  m.vgic.flush(0);
  assert.equal(hcr(m), EN | LRENPIE, "44 took the LR of the outermost active (40)");
  assert.equal(m.maint[0].level, false);
  assert.equal(m.iar(), 1023, "44 cannot preempt");
  for (const id of [43, 42, 41]) m.eoir(id);
  assert.equal(m.maint[0].level, false);
  m.eoir(40); // no LR holds 40
  assert.equal(hcr(m) >>> 27, 1);
  assert.equal(m.maint[0].level, true);
  assert.deepEqual(drain(m), [44], "the running priority dropped: 44 is taken");
  m.vgic.sync(0);
  for (const id of [40, 41, 42, 43, 44]) assert.equal(activeBits(m, id), 0);
  m.vgic.flush(0);
  assert.equal(hcr(m), EN);
});

test("with a single LR, overflow asks for NP, not U (which would hold at once)", () => {
  const m = makeMachine({ lrs: 1 });
  bringUp(m);
  spi(m, 40, true, 0x80);
  spi(m, 41, true, 0x80);
  pulse(m, 40);
  pulse(m, 41);
  m.vgic.flush(0);
  assert.equal(hcr(m), EN | NPIE);
  assert.equal(m.maint[0].level, false);
  const got = drain(m);
  m.vgic.sync(0);
  m.vgic.flush(0);
  got.push(...drain(m));
  assert.deepEqual(got, [40, 41]);
});

test("kicks go to the targeted vcpu; SPIs reach only their target, PPIs only their own vcpu", () => {
  const m = makeMachine({ vcpus: 2 });
  bringUp(m);
  m.wr(GICD_ITARGETSR + 40, 0x02, 0, 1);
  spi(m, 40, false, 0x80);
  m.wr(GICD_ISENABLER, bit(27), 1);
  m.kicks.length = 0;
  m.vgic.spiLine(40).set(true);
  m.vgic.spiLine(40).set(true);
  assert.deepEqual(m.kicks, [1], "one kick per new assertion");
  m.vgic.ppiLine(1, 27).set(true);
  assert.deepEqual(m.kicks, [1, 1]);
  m.vgic.flush(0);
  assert.deepEqual(drain(m, 0), []);
  m.vgic.flush(1);
  assert.deepEqual(drain(m, 1), [27, 40], "PPI 27 has priority 0, above 0x80");
});

test("SPI targets: delivered to the CPU named, not at all with an empty target list", () => {
  const m = makeMachine({ vcpus: 2 });
  bringUp(m);
  spi(m, 40, true, 0x80);
  pulse(m, 40);
  m.vgic.flush(0);
  m.vgic.flush(1);
  assert.deepEqual(drain(m, 0), []);
  assert.deepEqual(drain(m, 1), []);
  m.wr(GICD_ITARGETSR + 40, 0x02, 0, 1);
  m.vgic.flush(1);
  assert.deepEqual(drain(m, 1), [40]);
});

test("hasDeliverable: pending, enabled, forwarded, not active, under the vcpu's priority mask", () => {
  const m = makeMachine();
  bringUp(m);
  spi(m, 40, true, 0xa0);
  assert.equal(m.vgic.hasDeliverable(0), false);
  pulse(m, 40);
  assert.equal(m.vgic.hasDeliverable(0), true);
  m.gicv(0, GICC_PMR, 0xa0);
  assert.equal(m.vgic.hasDeliverable(0), false, "masked by PMR");
  m.gicv(0, GICC_PMR, 0xf8);
  m.wr(GICD_CTLR, 0);
  assert.equal(m.vgic.hasDeliverable(0), false, "distributor disabled");
  m.wr(GICD_CTLR, 1);
  m.vgic.flush(0);
  assert.equal(m.vgic.hasDeliverable(0), true, "loaded in an LR, still pending");
  assert.equal(m.iar(), 40);
  m.vgic.sync(0);
  assert.equal(m.vgic.hasDeliverable(0), false, "active");
});

test("the distributor disabled holds pending interrupts back; enabling it delivers them", () => {
  const m = makeMachine();
  bringUp(m);
  spi(m, 40, true, 0x80);
  m.wr(GICD_CTLR, 0);
  pulse(m, 40);
  m.vgic.flush(0);
  assert.deepEqual(drain(m), []);
  m.wr(GICD_CTLR, 1);
  assert.deepEqual(drain(m), [40]);
});

test("GICD_ISPENDR on a level interrupt latches it until the guest takes it", () => {
  const m = makeMachine();
  bringUp(m);
  spi(m, 33, false, 0x80);
  m.wr(bitReg(GICD_ISPENDR, 33), bit(33));
  assert.deepEqual(drain(m), [33]);
  m.vgic.sync(0);
  m.vgic.flush(0);
  assert.deepEqual(drain(m), [], "line low and the latch consumed");
});

test("GICD_ICPENDR withdraws an interrupt already in an LR; ICACTIVER clears an LR's active state", () => {
  const m = makeMachine();
  bringUp(m);
  spi(m, 40, true, 0x80);
  pulse(m, 40);
  m.vgic.flush(0);
  m.wr(bitReg(GICD_ICPENDR, 40), bit(40));
  assert.deepEqual(drain(m), []);
  pulse(m, 40);
  m.vgic.flush(0);
  assert.equal(m.iar(), 40);
  assert.equal(activeBits(m, 40), bit(40), "the LR's active state shows in ISACTIVER");
  m.wr(bitReg(GICD_ICACTIVER, 40), bit(40));
  assert.equal(activeBits(m, 40), 0);
  m.eoir(40); // drops the priority; no active LR is left to match
  m.vgic.sync(0);
  pulse(m, 40);
  m.vgic.flush(0);
  assert.deepEqual(drain(m), [40], "usable again");
});

test("an unacknowledged interrupt reloaded at every entry counts as one LR fill", () => {
  const m = makeMachine();
  bringUp(m);
  m.gicv(0, GICC_PMR, 0); // guest masks everything
  spi(m, 40, true, 0x80);
  pulse(m, 40);
  for (let k = 0; k < 5; k++) {
    m.vgic.sync(0);
    m.vgic.flush(0);
  }
  assert.equal(m.vgic.stats.lrFills, 1);
  m.gicv(0, GICC_PMR, 0xf8);
  assert.deepEqual(drain(m), [40]);
});

test("trace and stats record injections, fills, acknowledges, EOIs and maintenance with vcpu and time", () => {
  const m = makeMachine({ tracing: true });
  bringUp(m);
  spi(m, 33, false, 0xa0);
  m.time.now = 62_500; // 1 ms at 62.5 MHz
  m.vgic.spiLine(33).set(true);
  m.vgic.flush(0);
  assert.equal(m.iar(), 33);
  m.vgic.spiLine(33).set(false);
  m.eoir(33);
  m.vgic.sync(0);
  const text = m.trace.join("\n");
  assert.match(text, /vgic 1000\.000us vcpu0: inject INTID 33 \(level\)/);
  assert.match(text, /vcpu0: fill INTID 33 prio 0xa0/);
  assert.match(text, /vcpu0: maintenance EOI/);
  assert.match(text, /vcpu0: ack INTID 33/);
  assert.match(text, /vcpu0: eoi INTID 33 \(EOI maintenance, line 0\)/);
  const s = m.vgic.stats;
  assert.equal(s.injections[33], 1);
  assert.equal(s.lrFills, 1);
  assert.equal(s.acknowledges, 1);
  assert.equal(s.eois, 1);
  assert.equal(s.maintenanceInterrupts, 1);
  assert.equal(s.maintenanceByKind[0], 1);
  const stats = m.vgic.formatStats();
  assert.match(stats, /33: 1/);
  assert.match(stats, /1 maintenance interrupts \(EOI 1\)/);
});

test("an SPI active on one vcpu stays there when retargeted, then follows its new target", () => {
  const m = makeMachine({ vcpus: 2 });
  bringUp(m);
  m.wr(GICD_ITARGETSR + 40, 0x01, 0, 1);
  spi(m, 40, true, 0x80);
  pulse(m, 40);
  m.vgic.flush(0);
  assert.equal(m.iar(0), 40);
  m.wr(GICD_ITARGETSR + 40, 0x02, 1, 1);
  pulse(m, 40);
  m.vgic.flush(1);
  assert.deepEqual(drain(m, 1), [], "still active on vcpu 0: pending waits for deactivation");
  m.vgic.flush(0);
  assert.equal(lr(m, 0) >>> 28, 2, "only active on vcpu 0");
  assert.equal(lr(m, 0) & 0x0008_0000, 0x0008_0000, "its deactivation must be seen");
  m.kicks.length = 0;
  m.eoir(40, 0);
  assert.equal(m.maint[0].level, true);
  m.vgic.sync(0);
  assert.deepEqual(m.kicks, [1], "the pending state moved to vcpu 1");
  m.vgic.flush(1);
  assert.deepEqual(drain(m, 1), [40]);
});

test("reading pending or active state from the distributor leaves the reader's interrupts loaded", () => {
  const m = makeMachine({ vcpus: 2 });
  bringUp(m);
  m.wr(GICD_ITARGETSR + 40, 0x01, 0, 1);
  spi(m, 40, true, 0x80);
  spi(m, 41, true, 0x90);
  m.wr(GICD_ITARGETSR + 41, 0x01, 0, 1);
  pulse(m, 40);
  pulse(m, 41);
  m.vgic.flush(0);
  assert.equal(m.iar(0), 40);
  // The guest on vcpu 0 looks at the state of 40 and 41 from inside its handler.
  assert.equal(m.rd(bitReg(GICD_ISACTIVER, 40), 0) & (bit(40) | bit(41)), bit(40));
  assert.equal(m.virq[0].level, false, "41 cannot preempt 40");
  m.eoir(40, 0);
  assert.equal(m.virq[0].level, true, "41 is still loaded");
  assert.equal(m.rd(bitReg(GICD_ISPENDR, 40), 0) & (bit(40) | bit(41)), bit(41));
  assert.equal(m.virq[0].level, true, "and still after reading ISPENDR");
  assert.equal(m.rd(GICD_SPENDSGIR, 0), 0);
  assert.equal(m.virq[0].level, true, "and after reading SPENDSGIR");
  assert.deepEqual(drain(m, 0), [41]);
});

test("a distributor access by one vcpu leaves every vcpu's LRs current", () => {
  const m = makeMachine({ vcpus: 2 });
  bringUp(m);
  m.wr(GICD_ITARGETSR + 40, 0x02, 0, 1);
  m.wr(GICD_ITARGETSR + 41, 0x02, 0, 1);
  spi(m, 40, true, 0x80);
  spi(m, 41, true, 0x80);
  pulse(m, 40);
  pulse(m, 41);
  m.vgic.flush(1);
  assert.equal(m.virq[1].level, true);
  // vcpu 0 withdraws 41 while vcpu 1 has it loaded; 40 stays loaded on vcpu 1 with no flush.
  m.wr(bitReg(GICD_ICPENDR, 41), bit(41), 0);
  assert.equal(m.virq[1].level, true);
  assert.deepEqual(drain(m, 1), [40]);
});

test("a distributor write kicks the vcpus that newly have something to take, once", () => {
  const m = makeMachine({ vcpus: 2 });
  bringUp(m);
  m.wr(GICD_ITARGETSR + 40, 0x02, 0, 1);
  spi(m, 40, true, 0x80);
  m.wr(bitReg(GICD_ICENABLER, 40), bit(40));
  pulse(m, 40);
  m.kicks.length = 0;
  m.wr(bitReg(GICD_ISENABLER, 40), bit(40), 0);
  assert.deepEqual(m.kicks, [1]);
  m.wr(GICD_IPRIORITYR + 41, 0x10, 0, 1);
  assert.deepEqual(m.kicks, [1], "nothing new for vcpu 1");
});

test("a level interrupt made pending while active is delivered once it is deactivated", () => {
  const m = makeMachine();
  bringUp(m);
  spi(m, 75, false, 0x80);
  m.wr(bitReg(GICD_ISACTIVER, 75), bit(75));
  m.wr(bitReg(GICD_ISPENDR, 75), bit(75));
  assert.deepEqual(drain(m), [], "active: the pending state waits");
  m.vgic.sync(0);
  m.vgic.flush(0);
  assert.equal(m.rd(bitReg(GICD_ISPENDR, 75)), bit(75), "still pending after a round trip through the LRs");
  m.wr(bitReg(GICD_ICACTIVER, 75), bit(75));
  assert.deepEqual(drain(m), [75]);
  m.vgic.sync(0);
  m.vgic.flush(0);
  assert.deepEqual(drain(m), [], "the latch was consumed by the acknowledge");
});

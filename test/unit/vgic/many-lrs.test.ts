// Interfaces with more than 32 list registers (GICH_VTR.ListRegs up to 64): the second words of
// GICH_ELRSR and GICH_EISR cover LRs 32..63, and the candidate list holds an SGI per source.

import { test } from "node:test";
import assert from "node:assert/strict";
import { GICD_ICFGR, GICD_IPRIORITYR, GICD_ISENABLER, GICD_SGIR, GICH_LR0 } from "../../../src/gic/registers.js";
import { bringUp, drain, makeMachine, type Machine } from "./vgic-harness.js";

/** 33 LRs; SPIs 32..64 enabled, edge-triggered, priority 0x80: LR i holds INTID 32 + i. */
function machine(): Machine {
  const m = makeMachine({ lrs: 33, spis: 64, tracing: true });
  bringUp(m);
  for (let w = 8; w < 20; w += 4) m.wr(GICD_ICFGR + w, 0xaaaa_aaaa);
  for (let w = 32; w < 68; w += 4) m.wr(GICD_IPRIORITYR + w, 0x8080_8080);
  m.wr(GICD_ISENABLER + 4, 0xffff_ffff);
  m.wr(GICD_ISENABLER + 8, 1);
  return m;
}

function pulse(m: Machine, intid: number): void {
  m.vgic.spiLine(intid).set(true);
  m.vgic.spiLine(intid).set(false);
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

test("LR 0 completed, LR 32 still pending: nothing is lost", () => {
  const m = machine();
  m.wr(GICD_IPRIORITYR + 32, 0x10, 0, 1);
  for (let id = 32; id <= 64; id++) pulse(m, id);
  m.vgic.flush(0);
  assert.equal(m.vifs[0].gich.read(GICH_LR0 + 4 * 32) & 0x3ff, 64);
  assert.equal(m.iar(0), 32);
  m.eoir(32, 0);
  m.vgic.sync(0);
  m.vgic.flush(0);
  assert.deepEqual(
    drain(m).sort((a, b) => a - b),
    range(33, 64),
  );
});

test("LR 32 completed with EOI maintenance, LR 0 still pending: nothing is lost, the resample is traced", () => {
  const m = machine();
  m.wr(GICD_ICFGR + 16, 0); // INTID 64 level-sensitive
  m.wr(GICD_IPRIORITYR + 64, 0x10, 0, 1);
  for (let id = 32; id <= 63; id++) pulse(m, id);
  m.vgic.spiLine(64).set(true);
  m.vgic.flush(0);
  assert.equal(m.iar(0), 64);
  m.vgic.spiLine(64).set(false);
  m.eoir(64, 0);
  m.vgic.sync(0);
  assert.ok(m.trace.includes("vgic 0.000us vcpu0: eoi INTID 64 (EOI maintenance, line 0)"), m.trace.join("\n"));
  m.vgic.flush(0);
  assert.deepEqual(
    drain(m).sort((a, b) => a - b),
    range(32, 63),
  );
});

test("every SGI from every source and every PPI at once are all delivered", () => {
  const m = makeMachine({ vcpus: 2, spis: 0, lrs: 64 });
  bringUp(m);
  m.wr(GICD_ISENABLER, 0xffff_0000); // PPIs 16..31
  for (let id = 16; id < 32; id++) m.vgic.ppiLine(0, id).set(true);
  for (let id = 0; id < 16; id++) {
    m.wr(GICD_SGIR, (1 << 16) | id, 0);
    m.wr(GICD_SGIR, (1 << 16) | id, 1);
  }
  m.vgic.flush(0);
  const got = drain(m);
  const want = [...range(0, 15), ...range(0, 15).map((id) => id | 0x400), ...range(16, 31)];
  assert.deepEqual(
    got.sort((a, b) => a - b),
    want.sort((a, b) => a - b),
  );
  assert.equal(m.vgic.stats.deepestQueue, 48);
});

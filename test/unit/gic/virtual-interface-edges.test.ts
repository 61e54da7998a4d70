// Edges of the virtual CPU interface that the main tests (virtual-interface.test.ts) pass by:
// outputs driven only on a change (counted call by call), accesses that must be ignored (unaligned
// GICH offsets, GICV writes that are not 32-bit, EOIR/DIR of 1022 and 1023, DIR in EOImode 0), the
// LR an EOI or DIR must pick (by ID, by SGI source), the interface disabled, GICH_APR writes, the
// VGrp1E maintenance enable, and attaching to another thread's registers.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { IrqLine } from "../../../src/devices/device.js";
import { GicVirtualInterface } from "../../../src/gic/virtual-interface.js";
import {
  GICC_AIAR,
  GICC_BPR,
  GICC_CTLR,
  GICC_DIR,
  GICC_EOIR,
  GICC_HPPIR,
  GICC_IAR,
  GICC_PMR,
  GICC_RPR,
  GICH_APR,
  GICH_HCR,
  GICH_LR0,
  GICH_MISR,
  GICH_VMCR,
} from "../../../src/gic/registers.js";
import { SharedArrays } from "../../../src/host/shared-arrays.js";
import { ACTIVE, GRP1, PENDING, makeVif, prio } from "./gic-harness.js";

const EN = 1;
const GRP0_ON = 1;
const GRP1_ON = 2;
const ACKCTL = 4;
const CBPR = 0x10;
const EOIMODE = 0x200;
const VGRP1EIE = 1 << 6;
const MISR_VGRP1E = 1 << 6;
const EOICOUNT_SHIFT = 27;

/** A line that records every call, changed or not. */
class CallLine implements IrqLine {
  readonly calls: boolean[] = [];
  set(level: boolean): void {
    this.calls.push(level);
  }
}

function ready() {
  const t = makeVif(4);
  t.h(GICH_HCR, EN);
  t.v(GICC_CTLR, GRP0_ON);
  t.v(GICC_PMR, 0xff);
  return t;
}

test("a fresh interface drives no output until one changes; an update without a change drives none", () => {
  const virq = new CallLine();
  const vfiq = new CallLine();
  const maint = new CallLine();
  const vif = new GicVirtualInterface({ virq, vfiq, maintenance: maint });
  vif.gich.write(GICH_HCR, EN);
  vif.gicv.write(GICC_CTLR, 4, GRP0_ON);
  vif.gicv.write(GICC_PMR, 4, 0xff);
  vif.update();
  assert.deepEqual([virq.calls, vfiq.calls, maint.calls], [[], [], []], "all low, as they started");
  assert.deepEqual([vif.virqAsserted, vif.vfiqAsserted, vif.maintenanceAsserted], [false, false, false]);
  vif.gich.write(GICH_LR0, PENDING | prio(0x80) | 40);
  vif.update();
  vif.gich.write(GICH_LR0 + 4, PENDING | prio(0x90) | 41);
  assert.deepEqual(virq.calls, [true], "raised once, not again on later writes");
  vif.gicv.write(GICC_CTLR, 4, GRP0_ON | 8); // FIQEn: Group 0 moves to the FIQ
  assert.deepEqual([virq.calls, vfiq.calls], [[true, false], [true]]);
  vif.gich.write(GICH_HCR, EN | 8); // NPIE while LRs are pending: no maintenance
  vif.gich.write(GICH_HCR, 0);
  assert.deepEqual(maint.calls, []);
  assert.deepEqual(vfiq.calls, [true, false], "the interface disabled drops the FIQ");
  vif.gich.write(GICH_HCR, EN | 2); // UIE with two valid LRs: still none
  vif.gich.write(GICH_LR0 + 4, 0);
  assert.deepEqual(maint.calls, [true], "one valid LR left: underflow, raised once");
});

test("listRegisters out of range is refused with a message that says so", () => {
  const lines = { virq: new CallLine(), vfiq: new CallLine(), maintenance: new CallLine() };
  assert.throws(
    () => new GicVirtualInterface({ ...lines, listRegisters: 0 }),
    (e: unknown) => e instanceof RangeError && e.message === "listRegisters must be 1..64, got 0",
  );
  assert.throws(() => new GicVirtualInterface({ ...lines, listRegisters: 65 }), RangeError);
  assert.throws(() => new GicVirtualInterface({ ...lines, listRegisters: 2.5 }), RangeError);
  assert.equal(new GicVirtualInterface({ ...lines, listRegisters: 64 }).listRegisters, 64);
});

test("an interface attached to another thread's registers keeps their VMCR, LRs and HCR", () => {
  const mem = new SharedArrays();
  const lines = { virq: new CallLine(), vfiq: new CallLine(), maintenance: new CallLine() };
  const a = new GicVirtualInterface({ ...lines, mem });
  a.gich.write(GICH_VMCR, 0xf8e0_0001);
  a.gich.write(GICH_LR0, PENDING | 33);
  a.gich.write(GICH_HCR, EN);
  const vmcr = a.gich.read(GICH_VMCR);
  assert.notEqual(vmcr, (2 << 21) | (3 << 18));
  const b = new GicVirtualInterface({ ...lines, mem: new SharedArrays(mem.buffers) });
  assert.equal(b.gich.read(GICH_VMCR), vmcr, "not reset (for either: the memory is shared)");
  assert.equal(b.gich.read(GICH_LR0), PENDING | 33);
  assert.equal(b.gich.read(GICH_HCR), EN);
  const fresh = new GicVirtualInterface({ ...lines });
  assert.equal(fresh.gich.read(GICH_VMCR), (2 << 21) | (3 << 18), "a fresh one starts at the minimum binary points");
});

test("unaligned GICH offsets read as zero and ignore writes, in the LR range too", () => {
  const t = ready();
  t.setLr(0, PENDING | prio(0x80) | 40);
  for (const offset of [GICH_LR0 + 1, GICH_LR0 + 2, GICH_LR0 + 3, GICH_HCR + 1, GICH_APR + 2]) {
    assert.equal(t.vif.gich.read(offset), 0, `read 0x${offset.toString(16)}`);
    t.vif.gich.write(offset, ACTIVE | 41);
  }
  assert.equal(t.lr(0), PENDING | prio(0x80) | 40);
  assert.equal(t.h(GICH_HCR), EN);
});

test("GICH_APR writes set the active priorities, and RPR and preemption follow", () => {
  const t = ready();
  t.h(GICH_APR, 1 << 8); // priority 0x40 active
  assert.equal(t.h(GICH_APR), 1 << 8);
  assert.equal(t.v(GICC_RPR), 0x40);
  t.setLr(0, PENDING | prio(0x40) | 40);
  assert.equal(t.virq.level, false, "equal priority does not preempt");
  t.h(GICH_APR, 0);
  assert.equal(t.virq.level, true);
});

test("GICV writes that are not 32-bit are ignored", () => {
  const t = ready();
  t.vif.gicv.write(GICC_PMR, 2, 0x10);
  t.vif.gicv.write(GICC_PMR, 1, 0x10);
  t.vif.gicv.write(GICC_CTLR, 1, 0);
  assert.equal(t.v(GICC_PMR), 0xf8);
  assert.equal(t.v(GICC_CTLR), GRP0_ON);
  t.setLr(0, PENDING | prio(0x80) | 40);
  assert.equal(t.v(GICC_IAR), 40);
  t.vif.gicv.write(GICC_EOIR, 2, 40);
  assert.equal(t.lr(0), ACTIVE | prio(0x80) | 40, "a halfword EOIR does nothing");
});

test("HPPIR reads 1023 while the interface is disabled, whatever the LRs hold", () => {
  const t = ready();
  t.setLr(0, PENDING | prio(0x80) | 40);
  assert.equal(t.v(GICC_HPPIR), 40);
  t.h(GICH_HCR, 0);
  assert.equal(t.v(GICC_HPPIR), 1023);
});

test("IAR of a Group 1 interrupt without AckCtl reads 1022 and acknowledges nothing", () => {
  const t = ready();
  t.v(GICC_CTLR, GRP0_ON | GRP1_ON);
  t.setLr(0, PENDING | GRP1 | prio(0x80) | 40);
  assert.equal(t.v(GICC_IAR), 1022);
  assert.equal(t.lr(0), PENDING | GRP1 | prio(0x80) | 40, "still pending");
  assert.equal(t.h(GICH_APR), 0);
  t.v(GICC_CTLR, GRP0_ON | GRP1_ON | ACKCTL);
  assert.equal(t.v(GICC_AIAR), 40);
});

test("EOIR and DIR of 1022 and 1023 are ignored", () => {
  const t = ready();
  t.v(GICC_CTLR, GRP0_ON | EOIMODE);
  t.setLr(0, PENDING | prio(0x80) | 40);
  assert.equal(t.v(GICC_IAR), 40);
  for (const id of [1022, 1023]) {
    t.v(GICC_EOIR, id);
    t.v(GICC_DIR, id);
  }
  assert.equal(t.h(GICH_APR), 1 << 16, "no priority dropped");
  assert.equal(t.lr(0), ACTIVE | prio(0x80) | 40);
  assert.equal(t.h(GICH_HCR) >>> EOICOUNT_SHIFT, 0, "nothing counted");
  t.v(GICC_EOIR, 1021 | (1 << 10));
  assert.equal(t.h(GICH_APR), 0, "1021 is an ordinary ID: its EOIR drops the priority");
});

test("DIR in EOImode 0 is ignored: no deactivation, nothing counted", () => {
  const t = ready();
  t.setLr(0, PENDING | prio(0x80) | 40);
  assert.equal(t.v(GICC_IAR), 40);
  t.v(GICC_DIR, 40);
  assert.equal(t.lr(0), ACTIVE | prio(0x80) | 40);
  t.v(GICC_DIR, 41);
  assert.equal(t.h(GICH_HCR) >>> EOICOUNT_SHIFT, 0);
});

test("EOI picks the active LR with the ID written, not the first LR", () => {
  const t = ready();
  t.setLr(0, PENDING | prio(0x80) | 40);
  t.setLr(1, ACTIVE | prio(0x90) | 41);
  t.setLr(2, ACTIVE | prio(0xa0) | 42);
  t.h(GICH_APR, (1 << 18) | (1 << 20));
  t.v(GICC_EOIR, 42);
  assert.equal(t.lr(2), prio(0xa0) | 42, "deactivated");
  assert.equal(t.lr(1), ACTIVE | prio(0x90) | 41);
  assert.equal(t.lr(0), PENDING | prio(0x80) | 40);
});

test("an SGI's EOI or DIR picks the LR of the same source CPU", () => {
  const t = ready();
  t.v(GICC_CTLR, GRP0_ON | EOIMODE);
  t.setLr(0, ACTIVE | prio(0x80) | (1 << 10) | 3);
  t.setLr(1, ACTIVE | prio(0x80) | (2 << 10) | 3);
  t.v(GICC_DIR, 3 | (2 << 10));
  assert.equal(t.lr(0), ACTIVE | prio(0x80) | (1 << 10) | 3);
  assert.equal(t.lr(1), prio(0x80) | (2 << 10) | 3);
  t.v(GICC_DIR, 3 | (1 << 10));
  assert.equal(t.lr(0), prio(0x80) | (1 << 10) | 3);
});

test("for IDs 16 and up, bits [12:10] of EOIR/DIR and of the LR are not a source CPU", () => {
  const t = ready();
  t.v(GICC_CTLR, GRP0_ON | EOIMODE);
  t.setLr(0, ACTIVE | prio(0x80) | 16);
  t.v(GICC_DIR, 16 | (5 << 10));
  assert.equal(t.lr(0), prio(0x80) | 16, "a PPI is deactivated whatever bits [12:10] say");
  t.setLr(1, PENDING | prio(0x80) | (3 << 10) | 40);
  assert.equal(t.v(GICC_IAR), 40, "IAR of an SPI reports the ID alone");
});

test("MISR.VGrp1E needs its enable in GICH_HCR", () => {
  const t = ready();
  t.v(GICC_CTLR, GRP1_ON);
  assert.equal(t.h(GICH_MISR) & MISR_VGRP1E, 0);
  t.h(GICH_HCR, EN | VGRP1EIE);
  assert.equal(t.h(GICH_MISR) & MISR_VGRP1E, MISR_VGRP1E);
});

test("Group 0 preemption uses BPR, not ABPR; Group 1 with CBPR uses BPR too", () => {
  const t = ready();
  t.v(GICC_CTLR, GRP0_ON | GRP1_ON | ACKCTL);
  t.h(GICH_VMCR, (t.h(GICH_VMCR) & ~(7 << 18)) | (5 << 18)); // ABPR 5: Group 1 splits at priority[7:5]
  assert.equal(t.v(GICC_BPR), 2);
  t.setLr(0, PENDING | prio(0x50) | 40);
  assert.equal(t.v(GICC_IAR), 40);
  assert.equal(t.v(GICC_RPR), 0x50, "Group 0: split by BPR (priority[7:3])");
  t.setLr(1, PENDING | prio(0x48) | 41);
  assert.equal(t.virq.level, true, "0x48 beats 0x50 with BPR 2 (it would not with ABPR 5)");
  t.setLr(1, PENDING | GRP1 | prio(0x58) | 41);
  assert.equal(t.virq.level, true, "Group 1 without CBPR splits by ABPR: 0x58 is in group 0x40, which beats 0x50");
  t.v(GICC_CTLR, GRP0_ON | GRP1_ON | ACKCTL | CBPR);
  assert.equal(t.virq.level, false, "with CBPR, Group 1 splits by BPR: 0x58 does not beat 0x50");
});

test("AIAR of a Group 0 interrupt reads 1023 and acknowledges nothing", () => {
  const t = ready();
  t.setLr(0, PENDING | prio(0x80) | 40);
  assert.equal(t.v(GICC_AIAR), 1023);
  assert.equal(t.lr(0), PENDING | prio(0x80) | 40, "still pending");
  assert.equal(t.h(GICH_APR), 0);
  assert.equal(t.v(GICC_IAR), 40);
});

test("the acknowledge probe hears each acknowledged virtual ID (an SGI without its source), and nothing else", () => {
  const t = ready();
  const heard: number[] = [];
  t.vif.onAcknowledge = (intid) => heard.push(intid);
  t.setLr(0, PENDING | prio(0x80) | (2 << 10) | 3);
  assert.equal(t.v(GICC_IAR), 3 | (2 << 10));
  assert.equal(t.v(GICC_IAR), 1023, "nothing left to acknowledge");
  assert.deepEqual(heard, [3]);
});

test("deactivation reaches the physical interrupt for a HW LR only, and needs no callback", () => {
  const physical: number[] = [];
  const lines = { virq: new CallLine(), vfiq: new CallLine(), maintenance: new CallLine() };
  const withCallback = new GicVirtualInterface({ ...lines, deactivatePhysical: (id) => physical.push(id) });
  const HW = 0x8000_0000;
  withCallback.gich.write(GICH_LR0, ACTIVE | prio(0x80) | (27 << 10) | 40); // HW = 0: not a physical ID
  withCallback.gich.write(GICH_LR0 + 4, HW | ACTIVE | prio(0x80) | (27 << 10) | 41);
  withCallback.gich.write(GICH_HCR, EN);
  withCallback.gicv.write(GICC_EOIR, 4, 40);
  withCallback.gicv.write(GICC_EOIR, 4, 41);
  assert.deepEqual(physical, [27]);
  assert.equal(withCallback.gich.read(GICH_LR0) & ACTIVE, 0);

  const without = new GicVirtualInterface({ ...lines });
  without.gich.write(GICH_LR0, HW | ACTIVE | prio(0x80) | (27 << 10) | 41);
  without.gich.write(GICH_HCR, EN);
  without.gicv.write(GICC_EOIR, 4, 41);
  assert.equal(without.gich.read(GICH_LR0), (HW | prio(0x80) | (27 << 10) | 41) >>> 0, "deactivated");
});

// The GICv2 virtual CPU interface against IHI 0048B chapter 5: GICH registers, GICV behaviour
// computed from the LRs, VMCR and APR, and the three output lines.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GICC_ABPR,
  GICC_AEOIR,
  GICC_AHPPIR,
  GICC_AIAR,
  GICC_APR0,
  GICC_BPR,
  GICC_CTLR,
  GICC_DIR,
  GICC_EOIR,
  GICC_HPPIR,
  GICC_IAR,
  GICC_IIDR,
  GICC_NSAPR0,
  GICC_PMR,
  GICC_RPR,
  GICH_APR,
  GICH_EISR0,
  GICH_EISR1,
  GICH_ELRSR0,
  GICH_ELRSR1,
  GICH_HCR,
  GICH_LR0,
  GICH_MISR,
  GICH_VMCR,
  GICH_VTR,
} from "../../../src/gic/registers.js";
import { GicVirtualInterface } from "../../../src/gic/virtual-interface.js";
import { ACTIVE, EOI, GRP1, PENDING, makeVif, prio } from "./gic-harness.js";

// GICH_HCR bits (5.3.2): En 0, UIE 1, LRENPIE 2, NPIE 3, VGrp0EIE 4, VGrp0DIE 5, VGrp1EIE 6, VGrp1DIE 7, EOICount [31:27].
const EN = 1;
const UIE = 2;
const LRENPIE = 4;
const NPIE = 8;
// GICV_CTLR bits (5.5.1): EnableGrp0 0, EnableGrp1 1, AckCtl 2, FIQEn 3, CBPR 4, EOImode 9.
const GRP0_ON = 1;
const GRP1_ON = 2;
const ACKCTL = 4;
const FIQEN = 8;
const CBPR = 0x10;
const EOIMODE = 0x200;

/** An interface with En set, Group 0 enabled and the mask fully open. */
function ready(lrs = 4) {
  const t = makeVif(lrs);
  t.h(GICH_HCR, EN);
  t.v(GICC_CTLR, GRP0_ON);
  t.v(GICC_PMR, 0xff);
  return t;
}

test("GICH_VTR reports ListRegs-1 and 5 priority and preemption bits", () => {
  // PRIbits [31:29] = 4, PREbits [28:26] = 4 → 0x90000000; ListRegs [5:0].
  assert.equal(makeVif(4).h(GICH_VTR), 0x9000_0003);
  assert.equal(makeVif(64).h(GICH_VTR), 0x9000_003f);
  assert.equal(makeVif(1).h(GICH_VTR), 0x9000_0000);
  assert.throws(() => makeVif(0));
  assert.throws(() => makeVif(65));
});

test("GICH_HCR keeps only its defined fields; LRs past ListRegs are RAZ/WI", () => {
  const t = makeVif(4);
  t.h(GICH_HCR, 0xffff_ffff);
  assert.equal(t.h(GICH_HCR), 0xf800_00ff);
  t.h(GICH_LR0 + 4 * 4, PENDING | 33);
  assert.equal(t.h(GICH_LR0 + 4 * 4), 0);
  t.setLr(3, PENDING | 33);
  assert.equal(t.lr(3), PENDING | 33);
});

test("no virtual interrupt without GICH_HCR.En; IAR then reads spurious", () => {
  const t = makeVif();
  t.v(GICC_CTLR, GRP0_ON);
  t.v(GICC_PMR, 0xff);
  t.setLr(0, PENDING | prio(0x80) | 40);
  assert.equal(t.virq.level, false);
  assert.equal(t.v(GICC_IAR), 1023);
  assert.equal(t.lr(0), PENDING | prio(0x80) | 40, "the LR is untouched");
  t.h(GICH_HCR, EN);
  assert.equal(t.virq.level, true);
});

test("priority mask: signalled only when strictly higher priority than GICV_PMR", () => {
  const t = ready();
  t.setLr(0, PENDING | prio(0x80) | 40);
  t.v(GICC_PMR, 0x80);
  assert.equal(t.virq.level, false);
  assert.equal(t.v(GICC_IAR), 1023);
  assert.equal(t.v(GICC_HPPIR), 1023, "HPPIR honours the priority mask");
  t.v(GICC_PMR, 0x88);
  assert.equal(t.virq.level, true);
  // 5 implemented bits: the low 3 bits of PMR are RAZ/WI; VMCR.VMPriMask aliases it.
  t.v(GICC_PMR, 0xff);
  assert.equal(t.v(GICC_PMR), 0xf8);
  assert.equal(t.h(GICH_VMCR) >>> 27, 0x1f);
  t.h(GICH_VMCR, (t.h(GICH_VMCR) & 0x07ff_ffff) | (0x14 << 27));
  assert.equal(t.v(GICC_PMR), 0xa0);
});

test("a disabled group is not signalled", () => {
  const t = ready();
  t.setLr(0, PENDING | GRP1 | prio(0x80) | 40);
  assert.equal(t.virq.level, false, "Group 1 disabled");
  t.v(GICC_CTLR, GRP0_ON | GRP1_ON);
  assert.equal(t.virq.level, true);
});

test("acknowledge: IAR returns the highest priority pending ID, LR goes active, APR and RPR follow", () => {
  const t = ready();
  t.setLr(0, PENDING | prio(0xa0) | 40);
  t.setLr(1, PENDING | prio(0x60) | 41);
  t.setLr(2, PENDING | prio(0x60) | 42); // same priority, higher LR index: loses the tie
  assert.equal(t.v(GICC_HPPIR), 41);
  assert.equal(t.v(GICC_RPR), 0xff, "idle");
  assert.equal(t.v(GICC_IAR), 41);
  assert.equal(t.lr(1), ACTIVE | prio(0x60) | 41);
  // APR bit n stands for group priority n << 3: 0x60 → bit 12.
  assert.equal(t.h(GICH_APR), 1 << 12);
  assert.equal(t.v(GICC_APR0), 1 << 12);
  assert.equal(t.v(GICC_RPR), 0x60);
  // The others cannot preempt a running priority of 0x60.
  assert.equal(t.virq.level, false);
  assert.equal(t.v(GICC_IAR), 1023);
  assert.equal(t.v(GICC_HPPIR), 42, "HPPIR ignores the running priority");
});

test("preemption by group priority depends on the binary point", () => {
  const t = ready();
  t.setLr(0, PENDING | prio(0x90) | 40);
  assert.equal(t.v(GICC_BPR), 2, "minimum binary point with 5 priority bits");
  t.v(GICC_BPR, 4); // group priority = priority[7:5]
  assert.equal(t.v(GICC_IAR), 40);
  assert.equal(t.v(GICC_RPR), 0x80, "running priority is the group priority of 0x90 with mask 0xE0");
  t.setLr(1, PENDING | prio(0x88) | 41);
  assert.equal(t.virq.level, false, "0x88 is in the same priority group as 0x90");
  assert.equal(t.v(GICC_IAR), 1023);
  t.setLr(2, PENDING | prio(0x78) | 42);
  assert.equal(t.virq.level, true, "0x78 is in a higher group (0x60)");
  assert.equal(t.v(GICC_IAR), 42);
  assert.equal(t.h(GICH_APR), (1 << 16) | (1 << 12), "two active priorities: 0x80 and 0x60");
});

test("with the minimum binary point any higher priority preempts", () => {
  const t = ready();
  t.setLr(0, PENDING | prio(0x90) | 40);
  assert.equal(t.v(GICC_IAR), 40);
  t.setLr(1, PENDING | prio(0x88) | 41);
  assert.equal(t.virq.level, true);
  assert.equal(t.v(GICC_IAR), 41);
});

test("binary point registers clamp to their minimums (BPR 2, ABPR 3)", () => {
  const t = ready();
  t.v(GICC_BPR, 0);
  assert.equal(t.v(GICC_BPR), 2);
  t.v(GICC_ABPR, 0);
  assert.equal(t.v(GICC_ABPR), 3);
  t.v(GICC_BPR, 7);
  t.v(GICC_ABPR, 6);
  assert.equal(t.v(GICC_BPR), 7);
  assert.equal(t.v(GICC_ABPR), 6);
  // VMCR: VMBP [23:21], VMABP [20:18].
  assert.equal((t.h(GICH_VMCR) >>> 21) & 7, 7);
  assert.equal((t.h(GICH_VMCR) >>> 18) & 7, 6);
  t.h(GICH_VMCR, 0);
  assert.equal(t.v(GICC_BPR), 2);
  assert.equal(t.v(GICC_ABPR), 3);
});

test("Group 1 preemption uses ABPR unless CBPR is set", () => {
  const t = ready();
  t.v(GICC_CTLR, GRP1_ON | ACKCTL);
  t.v(GICC_ABPR, 5); // Group 1 group priority = priority[7:5]
  t.setLr(0, PENDING | GRP1 | prio(0x90) | 40);
  assert.equal(t.v(GICC_IAR), 40);
  assert.equal(t.v(GICC_RPR), 0x80);
  t.setLr(1, PENDING | GRP1 | prio(0x88) | 41);
  assert.equal(t.virq.level, false);
  // With CBPR the Group 0 binary point (2: priority[7:3]) applies; the running priority was set
  // at acknowledge and stays 0x80, and 0x88 does not beat it.
  t.v(GICC_CTLR, GRP1_ON | ACKCTL | CBPR);
  assert.equal(t.virq.level, false);
  t.setLr(2, PENDING | GRP1 | prio(0x78) | 42);
  assert.equal(t.virq.level, true, "0x78 < 0x80");
});

test("EOImode 0: EOIR drops the priority and deactivates", () => {
  const t = ready();
  t.setLr(0, PENDING | prio(0x80) | 40);
  assert.equal(t.v(GICC_IAR), 40);
  t.v(GICC_EOIR, 40);
  assert.equal(t.h(GICH_APR), 0);
  assert.equal(t.v(GICC_RPR), 0xff);
  assert.equal(t.lr(0), prio(0x80) | 40, "state invalid");
  assert.equal(t.h(GICH_ELRSR0), 0xf, "every LR is empty");
  t.v(GICC_DIR, 40); // ignored with EOImode 0
  assert.equal(t.h(GICH_HCR) >>> 27, 0);
});

test("EOImode 1: EOIR only drops the priority, DIR deactivates", () => {
  const t = ready();
  t.v(GICC_CTLR, GRP0_ON | EOIMODE);
  assert.equal(t.v(GICC_CTLR), GRP0_ON | EOIMODE);
  t.setLr(0, PENDING | prio(0x80) | 40);
  t.setLr(1, PENDING | prio(0xa0) | 41);
  assert.equal(t.v(GICC_IAR), 40);
  t.v(GICC_EOIR, 40);
  assert.equal(t.h(GICH_APR), 0);
  assert.equal(t.lr(0), ACTIVE | prio(0x80) | 40, "still active");
  // The priority was dropped, so the lower priority interrupt is signalled now.
  assert.equal(t.virq.level, true);
  assert.equal(t.v(GICC_IAR), 41);
  t.v(GICC_EOIR, 41);
  t.v(GICC_DIR, 40);
  assert.equal(t.lr(0), prio(0x80) | 40);
  assert.equal(t.lr(1), ACTIVE | prio(0xa0) | 41);
  t.v(GICC_DIR, 41);
  assert.equal(t.lr(1), prio(0xa0) | 41);
});

test("spurious: nothing pending reads 1023; writing 1023 to EOIR changes nothing", () => {
  const t = ready();
  assert.equal(t.v(GICC_IAR), 1023);
  assert.equal(t.v(GICC_HPPIR), 1023);
  t.setLr(0, PENDING | prio(0x80) | 40);
  assert.equal(t.v(GICC_IAR), 40);
  t.v(GICC_EOIR, 1023);
  assert.equal(t.h(GICH_APR), 1 << 16);
  assert.equal(t.lr(0), ACTIVE | prio(0x80) | 40);
});

test("Group 1 through IAR needs AckCtl (else 1022); AIAR/AHPPIR see only Group 1", () => {
  const t = ready();
  t.v(GICC_CTLR, GRP0_ON | GRP1_ON);
  t.setLr(0, PENDING | GRP1 | prio(0x80) | 40);
  assert.equal(t.v(GICC_HPPIR), 1022);
  assert.equal(t.v(GICC_IAR), 1022);
  assert.equal(t.lr(0), PENDING | GRP1 | prio(0x80) | 40, "not acknowledged");
  assert.equal(t.v(GICC_AHPPIR), 40);
  assert.equal(t.v(GICC_AIAR), 40);
  assert.equal(t.lr(0), ACTIVE | GRP1 | prio(0x80) | 40);
  t.v(GICC_AEOIR, 40);
  assert.equal(t.lr(0), GRP1 | prio(0x80) | 40);
  // Group 0 is invisible to the aliased registers.
  t.setLr(1, PENDING | prio(0x80) | 41);
  assert.equal(t.v(GICC_AHPPIR), 1023);
  assert.equal(t.v(GICC_AIAR), 1023);
  // With AckCtl, IAR acknowledges Group 1 too.
  t.setLr(2, PENDING | GRP1 | prio(0x40) | 42);
  t.v(GICC_CTLR, GRP0_ON | GRP1_ON | ACKCTL);
  assert.equal(t.v(GICC_IAR), 42);
});

test("Group 0 goes to the virtual FIQ when FIQEn is set; Group 1 stays on IRQ", () => {
  const t = ready();
  t.v(GICC_CTLR, GRP0_ON | GRP1_ON | FIQEN);
  t.setLr(0, PENDING | prio(0x80) | 40);
  assert.equal(t.vfiq.level, true);
  assert.equal(t.virq.level, false);
  t.setLr(0, PENDING | GRP1 | prio(0x80) | 40);
  assert.equal(t.vfiq.level, false);
  assert.equal(t.virq.level, true);
});

test("SGI: IAR reports the source CPU in [12:10]; EOI must name the same source", () => {
  const t = ready();
  t.setLr(0, PENDING | prio(0x80) | (2 << 10) | 3);
  t.setLr(1, PENDING | prio(0x80) | (1 << 10) | 3);
  assert.equal(t.v(GICC_IAR), 0x803);
  assert.equal(t.v(GICC_IAR), 1023, "same priority: no preemption");
  t.v(GICC_EOIR, 0x403); // names the pending one from CPU 1: no active LR matches
  assert.equal(t.lr(0), ACTIVE | prio(0x80) | (2 << 10) | 3, "the active SGI from CPU 2 is untouched");
  assert.equal(t.h(GICH_HCR) >>> 27, 1, "EOICount counted the unmatched EOI");
  assert.equal(t.v(GICC_IAR), 0x403);
  t.v(GICC_EOIR, 0x403);
  assert.equal(t.lr(1), prio(0x80) | (1 << 10) | 3);
});

test("EOICount counts EOIs with no LR only when a priority was dropped; LRENP raises maintenance", () => {
  const t = ready();
  t.v(GICC_EOIR, 50); // nothing active: no priority dropped
  assert.equal(t.h(GICH_HCR) >>> 27, 0);
  t.setLr(0, PENDING | prio(0x80) | 40);
  assert.equal(t.v(GICC_IAR), 40);
  t.setLr(0, 0); // the hypervisor took the LR away (more active interrupts than LRs)
  t.v(GICC_EOIR, 40);
  assert.equal(t.h(GICH_HCR) >>> 27, 1);
  assert.equal(t.h(GICH_MISR), 0, "LRENPIE off");
  assert.equal(t.maint.level, false);
  t.h(GICH_HCR, t.h(GICH_HCR) | LRENPIE);
  assert.equal(t.h(GICH_MISR), 4, "MISR.LRENP");
  assert.equal(t.maint.level, true);
  // EOImode 1: DIR with no LR counts too.
  t.v(GICC_CTLR, GRP0_ON | EOIMODE);
  t.v(GICC_DIR, 41);
  assert.equal(t.h(GICH_HCR) >>> 27, 2);
  t.h(GICH_HCR, EN);
  assert.equal(t.maint.level, false);
});

test("EOICount wraps from 31 to 0", () => {
  const t = ready();
  t.v(GICC_CTLR, GRP0_ON | EOIMODE);
  t.h(GICH_HCR, EN | (31 << 27));
  t.v(GICC_DIR, 41);
  assert.equal(t.h(GICH_HCR) >>> 27, 0);
});

test("EOI maintenance: a deactivated LR with the EOI bit sets EISR and MISR.EOI and is not empty", () => {
  const t = ready();
  t.setLr(1, PENDING | EOI | prio(0x80) | 33);
  assert.equal(t.h(GICH_ELRSR0), 0b1101);
  assert.equal(t.v(GICC_IAR), 33);
  assert.equal(t.h(GICH_EISR0), 0);
  assert.equal(t.maint.level, false);
  t.v(GICC_EOIR, 33);
  assert.equal(t.lr(1), EOI | prio(0x80) | 33);
  assert.equal(t.h(GICH_EISR0), 0b10);
  assert.equal(t.h(GICH_ELRSR0), 0b1101, "not reported empty until the hypervisor rewrites it");
  assert.equal(t.h(GICH_MISR) & 1, 1);
  assert.equal(t.maint.level, true);
  t.setLr(1, 0);
  assert.equal(t.h(GICH_EISR0), 0);
  assert.equal(t.h(GICH_ELRSR0), 0b1111);
  assert.equal(t.maint.level, false);
});

test("maintenance line needs GICH_HCR.En", () => {
  const t = makeVif();
  t.h(GICH_HCR, UIE);
  assert.equal(t.h(GICH_MISR), 2, "MISR.U is computed regardless");
  assert.equal(t.maint.level, false);
  t.h(GICH_HCR, UIE | EN);
  assert.equal(t.maint.level, true);
});

test("underflow: UIE and at most one valid LR", () => {
  const t = ready();
  t.setLr(0, PENDING | prio(0x80) | 40);
  t.setLr(1, PENDING | prio(0x80) | 41);
  t.h(GICH_HCR, EN | UIE);
  assert.equal(t.h(GICH_MISR) & 2, 0);
  assert.equal(t.maint.level, false);
  assert.equal(t.v(GICC_IAR), 40);
  t.v(GICC_EOIR, 40);
  assert.equal(t.h(GICH_MISR) & 2, 2, "one valid LR left");
  assert.equal(t.maint.level, true);
});

test("no pending: NPIE and no LR in the pending state (active ones do not count)", () => {
  const t = ready();
  t.setLr(0, PENDING | prio(0x80) | 40);
  t.setLr(1, ACTIVE | prio(0x80) | 41);
  t.h(GICH_HCR, EN | NPIE);
  assert.equal(t.h(GICH_MISR), 0);
  assert.equal(t.v(GICC_IAR), 40);
  assert.equal(t.h(GICH_MISR), 8);
  assert.equal(t.maint.level, true);
  // Pending-and-active is not "pending".
  t.setLr(0, ACTIVE | PENDING | prio(0x80) | 40);
  assert.equal(t.h(GICH_MISR), 8);
});

test("VGrp0E/0D/1E/1D follow the guest's group enables", () => {
  const t = ready();
  t.v(GICC_CTLR, GRP0_ON);
  t.h(GICH_HCR, EN | 0xf0);
  // Group 0 enabled (VGrp0E, bit 4) and Group 1 disabled (VGrp1D, bit 7).
  assert.equal(t.h(GICH_MISR), 0x10 | 0x80);
  t.v(GICC_CTLR, GRP1_ON);
  assert.equal(t.h(GICH_MISR), 0x20 | 0x40);
});

test("ELRSR and EISR cover LRs 32..63 in their second words", () => {
  const t = ready(40);
  assert.equal(t.h(GICH_ELRSR0), 0xffff_ffff);
  assert.equal(t.h(GICH_ELRSR1), 0xff, "LRs 32..39; unimplemented ones read 0");
  t.setLr(35, PENDING | EOI | prio(0x80) | 40);
  assert.equal(t.h(GICH_ELRSR1), 0xff & ~(1 << 3));
  assert.equal(t.v(GICC_IAR), 40);
  t.v(GICC_EOIR, 40);
  assert.equal(t.h(GICH_EISR1), 1 << 3);
  assert.equal(t.h(GICH_EISR0), 0);
});

test("HW LRs: deactivation reaches the physical interrupt, no EOI maintenance, empty when done", () => {
  const deactivated: number[] = [];
  const lines = { set: () => {} };
  const vif = new GicVirtualInterface({
    virq: lines,
    vfiq: lines,
    maintenance: lines,
    deactivatePhysical: (id) => deactivated.push(id),
  });
  vif.gich.write(GICH_HCR, EN);
  vif.gicv.write(GICC_CTLR, 4, GRP0_ON);
  vif.gicv.write(GICC_PMR, 4, 0xff);
  // HW [31], PhysicalID 27 in [19:10], VirtualID 27.
  vif.gich.write(GICH_LR0, (0x8000_0000 | PENDING | prio(0x80) | (27 << 10) | 27) >>> 0);
  assert.equal(vif.gicv.read(GICC_IAR, 4), 27, "no CPUID bits for HW interrupts");
  vif.gicv.write(GICC_EOIR, 4, 27);
  assert.deepEqual(deactivated, [27]);
  assert.equal(vif.gich.read(GICH_EISR0), 0);
  assert.equal(vif.gich.read(GICH_ELRSR0) & 1, 1);
});

test("GICV: 32-bit accesses only, RAZ/WI elsewhere; IIDR is architecture version 2", () => {
  const t = ready();
  t.setLr(0, PENDING | prio(0x80) | 40);
  assert.equal(t.vif.gicv.read(GICC_IAR, 2), 0, "halfword read: no acknowledge");
  assert.equal(t.lr(0), PENDING | prio(0x80) | 40);
  t.vif.gicv.write(GICC_PMR, 1, 0);
  assert.equal(t.v(GICC_PMR), 0xf8);
  const iidr = t.v(GICC_IIDR);
  assert.equal((iidr >>> 16) & 0xf, 2);
  assert.equal(iidr & 0xfff, 0x43b);
  t.v(GICC_NSAPR0, 0xffff_ffff);
  assert.equal(t.v(GICC_NSAPR0), 0);
  t.v(GICC_CTLR, 0xffff_ffff);
  assert.equal(t.v(GICC_CTLR), 0x21f);
});

test("outputs are re-evaluated on every write and driven only on change", () => {
  const t = ready();
  t.setLr(0, PENDING | prio(0x80) | 40);
  assert.equal(t.virq.changes, 1);
  t.setLr(1, PENDING | prio(0x90) | 41);
  assert.equal(t.virq.changes, 1);
  t.v(GICC_PMR, 0);
  assert.equal(t.virq.level, false);
  t.v(GICC_PMR, 0xf8);
  assert.equal(t.virq.level, true);
  // Writing the APR through GICV raises the running priority.
  t.v(GICC_APR0, 1);
  assert.equal(t.virq.level, false);
  assert.equal(t.v(GICC_RPR), 0);
});

// The vgic's use of its lock (VgicSync), seen through a recording implementation: every entry
// point takes and releases it in pairs, and the distributor halts the other vcpus exactly for the
// accesses that read or change state their list registers may hold (pending and active state,
// enables, priorities, targets, configuration, GICD_CTLR writes, the SGI pending registers), never
// for GICD_SGIR, the ID registers or reads of configuration.

import { test } from "node:test";
import assert from "node:assert/strict";
import { GicVirtualInterface } from "../../../src/gic/virtual-interface.js";
import {
  GICD_CPENDSGIR,
  GICD_CTLR,
  GICD_ICACTIVER,
  GICD_ICENABLER,
  GICD_ICFGR,
  GICD_ICPENDR,
  GICD_IGROUPR,
  GICD_IIDR,
  GICD_IPRIORITYR,
  GICD_ISACTIVER,
  GICD_ISENABLER,
  GICD_ISPENDR,
  GICD_ITARGETSR,
  GICD_PIDR2,
  GICD_SGIR,
  GICD_SPENDSGIR,
  GICD_TYPER,
} from "../../../src/gic/registers.js";
import { Vgic } from "../../../src/vmm/vgic/vgic.js";
import type { VgicSync } from "../../../src/vmm/vgic/vgic-lock.js";
import { FakeLine } from "./vgic-harness.js";

class RecordingSync implements VgicSync {
  depth = 0;
  maxDepth = 0;
  locks = 0;
  readonly events: string[] = [];
  lock(): void {
    this.depth++;
    this.locks++;
    this.maxDepth = Math.max(this.maxDepth, this.depth);
  }
  unlock(): void {
    assert.ok(this.depth > 0, "unlock without lock");
    this.depth--;
  }
  haltOthers(self: number): void {
    assert.equal(this.depth, 0, "halting happens outside the lock");
    this.events.push(`halt ${self}`);
  }
  resumeOthers(): void {
    assert.equal(this.depth, 0, "resuming happens outside the lock");
    this.events.push("resume");
  }
}

function make(): { vgic: Vgic; sync: RecordingSync } {
  const sync = new RecordingSync();
  const gich = [0, 1].map(
    () => new GicVirtualInterface({ virq: new FakeLine(), vfiq: new FakeLine(), maintenance: new FakeLine() }).gich,
  );
  const vgic = new Vgic({ vcpus: 2, spis: 32, gich, now: () => 0, trace: null, kick: () => {}, sync });
  return { vgic, sync };
}

test("every entry point locks and unlocks in pairs", () => {
  const { vgic, sync } = make();
  vgic.spiLine(40).set(true);
  assert.equal(sync.locks, 1, "a line change locks");
  vgic.spiLine(40).set(true);
  assert.equal(sync.locks, 1, "an unchanged level does not even lock");
  vgic.flush(1);
  vgic.sync(1);
  vgic.hasDeliverable(0);
  assert.equal(sync.locks, 4);
  vgic.distributor.read(GICD_IPRIORITYR, 4, 0);
  vgic.distributor.write(GICD_IPRIORITYR, 4, 0, 0);
  assert.ok(sync.locks > 5);
  assert.equal(sync.depth, 0);
});

const HALTING_READS = [
  GICD_ISPENDR,
  GICD_ICPENDR,
  GICD_ISACTIVER,
  GICD_ICACTIVER + 4,
  GICD_CPENDSGIR,
  GICD_SPENDSGIR + 12,
];
const PLAIN_READS = [
  GICD_CTLR,
  GICD_TYPER,
  GICD_IIDR,
  GICD_IGROUPR,
  GICD_ISENABLER,
  GICD_ICENABLER + 4,
  GICD_IPRIORITYR,
  GICD_ITARGETSR,
  GICD_ICFGR,
  GICD_SGIR,
  GICD_PIDR2,
  GICD_SPENDSGIR + 16,
  GICD_CPENDSGIR - 4,
  0x7c,
];
const HALTING_WRITES = [
  GICD_CTLR,
  GICD_IGROUPR,
  GICD_ISENABLER,
  GICD_ICENABLER,
  GICD_ISPENDR,
  GICD_ICPENDR,
  GICD_ISACTIVER,
  GICD_ICACTIVER,
  GICD_IPRIORITYR + 0x3fc,
  GICD_ITARGETSR,
  GICD_ICFGR + 0xfc,
  GICD_CPENDSGIR,
  GICD_SPENDSGIR + 12,
];
const PLAIN_WRITES = [GICD_SGIR, GICD_TYPER, GICD_IIDR, GICD_PIDR2, GICD_SPENDSGIR + 16, GICD_CPENDSGIR - 4, 0x7c];

test("distributor reads of pending and active state halt the other vcpus; other reads do not", () => {
  for (const offset of HALTING_READS) {
    const { vgic, sync } = make();
    vgic.distributor.read(offset, 4, 1);
    assert.deepEqual(sync.events, ["halt 1", "resume"], `read 0x${offset.toString(16)}`);
    assert.equal(sync.depth, 0);
  }
  for (const offset of PLAIN_READS) {
    const { vgic, sync } = make();
    vgic.distributor.read(offset, 4, 1);
    assert.deepEqual(sync.events, [], `read 0x${offset.toString(16)}`);
    assert.equal(sync.depth, 0);
  }
});

test("distributor writes of interrupt state and configuration halt the other vcpus; SGIR and read-only ones do not", () => {
  for (const offset of HALTING_WRITES) {
    const { vgic, sync } = make();
    vgic.distributor.write(offset, 4, 0, 0);
    assert.deepEqual(sync.events, ["halt 0", "resume"], `write 0x${offset.toString(16)}`);
    assert.equal(sync.depth, 0);
  }
  for (const offset of PLAIN_WRITES) {
    const { vgic, sync } = make();
    vgic.distributor.write(offset, 4, 0, 0);
    assert.deepEqual(sync.events, [], `write 0x${offset.toString(16)}`);
    assert.equal(sync.depth, 0);
  }
});

test("a distributor access that throws still unlocks and resumes", () => {
  const sync = new RecordingSync();
  const vifs = [0, 1].map(
    () => new GicVirtualInterface({ virq: new FakeLine(), vfiq: new FakeLine(), maintenance: new FakeLine() }),
  );
  let broken = false;
  const gich = vifs.map((v) => ({
    read: (offset: number) => {
      if (broken) throw new Error("bus error");
      return v.gich.read(offset);
    },
    write: (offset: number, value: number) => v.gich.write(offset, value),
  }));
  const vgic = new Vgic({ vcpus: 2, spis: 32, gich, now: () => 0, trace: null, kick: () => {}, sync });
  broken = true;
  assert.throws(() => vgic.distributor.read(GICD_ISPENDR, 4, 1), /bus error/);
  assert.equal(sync.depth, 0);
  assert.deepEqual(sync.events, ["halt 1", "resume"]);
  assert.throws(() => vgic.distributor.write(GICD_ISPENDR, 4, 1, 0), /bus error/);
  assert.equal(sync.depth, 0);
  assert.throws(() => vgic.hasDeliverable(0));
  assert.equal(sync.depth, 0);
});

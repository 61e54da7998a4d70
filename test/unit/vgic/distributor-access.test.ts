// Which distributor accesses take effect: only from an existing vcpu, bytes only where IHI 0048B
// 4.1.4 allows them, per-interrupt writes only up to the last implemented INTID, and every SPI's
// target field from the first SPI on.

import { test } from "node:test";
import assert from "node:assert/strict";
import { GicVirtualInterface, type RegisterWindow } from "../../../src/gic/virtual-interface.js";
import {
  GICD_CTLR,
  GICD_ICACTIVER,
  GICD_ICENABLER,
  GICD_ICFGR,
  GICD_IGROUPR,
  GICD_IPRIORITYR,
  GICD_ISACTIVER,
  GICD_ISENABLER,
  GICD_ISPENDR,
  GICD_ITARGETSR,
  GICD_PIDR2,
  GICD_SGIR,
  GICD_TYPER,
} from "../../../src/gic/registers.js";
import { Vgic } from "../../../src/vmm/vgic/vgic.js";
import { FakeLine, bit, bitReg, bringUp, drain, makeMachine } from "./vgic-harness.js";

test("accesses from a vcpu that does not exist read as zero and change nothing", () => {
  const m = makeMachine({ vcpus: 2, spis: 32 });
  for (const cpu of [-1, 2]) {
    m.wr(GICD_CTLR, 1, cpu);
    m.wr(bitReg(GICD_ISENABLER, 40), bit(40), cpu);
    m.wr(GICD_ITARGETSR + 40, 0x01, cpu, 1);
  }
  assert.equal(m.rd(GICD_CTLR, 0), 0);
  assert.equal(m.rd(bitReg(GICD_ISENABLER, 40), 0), 0);
  assert.equal(m.rd(GICD_ITARGETSR + 40, 0, 1), 0);
  m.wr(GICD_CTLR, 1, 0);
  m.wr(bitReg(GICD_ISENABLER, 40), bit(40), 1);
  for (const cpu of [-1, 2]) {
    assert.equal(m.rd(GICD_CTLR, cpu), 0, `cpu ${cpu}`);
    assert.equal(m.rd(bitReg(GICD_ISENABLER, 40), cpu), 0, `cpu ${cpu}`);
    assert.equal(m.rd(GICD_ITARGETSR, cpu), 0, `cpu ${cpu}: no banked target of its own`);
    assert.equal(m.rd(GICD_ISENABLER, cpu), 0, `cpu ${cpu}: no banked SGI enables`);
  }
});

test("byte accesses to GICD_CTLR, GICD_TYPER and the ID registers are RAZ/WI", () => {
  const m = makeMachine({ vcpus: 2 });
  m.wr(GICD_CTLR, 1);
  for (const offset of [GICD_CTLR, GICD_TYPER, GICD_PIDR2]) {
    assert.notEqual(m.rd(offset), 0, `0x${offset.toString(16)} reads non-zero by word`);
    assert.equal(m.rd(offset, 0, 1), 0, `byte read of 0x${offset.toString(16)}`);
  }
  m.wr(GICD_CTLR, 0, 0, 1);
  assert.equal(m.rd(GICD_CTLR), 1, "byte write ignored");
  m.wr(GICD_SGIR, 0x01, 0, 1); // a byte of GICD_SGIR sends nothing
  assert.equal(m.rd(GICD_ISPENDR, 0), 0);
});

test("per-interrupt writes past the last INTID inject nothing", () => {
  const m = makeMachine({ spis: 32, tracing: true }); // INTIDs 0..63
  m.wr(GICD_ISPENDR + 8, 0xffff_ffff); // INTIDs 64..95
  assert.deepEqual(m.trace, []);
  assert.equal(
    m.vgic.stats.injections.reduce((a, b) => a + b, 0),
    0,
  );
  m.wr(bitReg(GICD_ISPENDR, 63), bit(63));
  assert.equal(m.trace.length, 1, "INTID 63 exists");
});

test("GICD_ITARGETSR: the first SPI's field is writable and routes it", () => {
  const m = makeMachine({ vcpus: 2, spis: 32 });
  bringUp(m);
  m.wr(GICD_ITARGETSR + 32, 0x02, 0, 1);
  assert.equal(m.rd(GICD_ITARGETSR + 32), 0x02);
  m.wr(bitReg(GICD_ISENABLER, 32), bit(32));
  m.vgic.spiLine(32).set(true);
  m.vgic.flush(0);
  m.vgic.flush(1);
  assert.deepEqual(drain(m, 0), []);
  assert.equal(m.iar(1), 32);
});

test("GICD_ICACTIVER reads the active state held in the LRs, as GICD_ISACTIVER does", () => {
  const m = makeMachine();
  bringUp(m);
  m.wr(bitReg(GICD_ISENABLER, 40), bit(40));
  m.vgic.spiLine(40).set(true);
  m.vgic.flush(0);
  assert.equal(m.iar(0), 40); // active in the LR only: no sync yet
  assert.equal(m.rd(bitReg(GICD_ICACTIVER, 40)), bit(40));
  assert.equal(m.rd(bitReg(GICD_ISACTIVER, 40)), bit(40));
});

test("reads of configuration registers leave every vcpu's interface alone (those vcpus are not halted)", () => {
  const vifs = [0, 1].map(
    () => new GicVirtualInterface({ virq: new FakeLine(), vfiq: new FakeLine(), maintenance: new FakeLine() }),
  );
  const writes: string[] = [];
  const gich: RegisterWindow[] = vifs.map((v, i) => ({
    read: (offset: number) => v.gich.read(offset),
    write: (offset: number, value: number) => {
      writes.push(`vcpu${i} 0x${offset.toString(16)}`);
      v.gich.write(offset, value);
    },
  }));
  const vgic = new Vgic({ vcpus: 2, spis: 32, gich, now: () => 0, trace: null, kick: () => {} });
  vgic.distributor.write(GICD_CTLR, 4, 1, 0);
  vgic.distributor.write(bitReg(GICD_ISENABLER, 40), 4, bit(40), 0);
  vgic.distributor.write(GICD_ITARGETSR + 40, 1, 0x02, 0);
  vgic.spiLine(40).set(true);
  vgic.flush(1); // 40 is in vcpu 1's LRs
  writes.length = 0;
  const config = [GICD_CTLR, GICD_TYPER, GICD_IGROUPR, GICD_ISENABLER + 4, GICD_ICENABLER + 4];
  for (const offset of [...config, GICD_IPRIORITYR + 40, GICD_ITARGETSR + 40, GICD_ICFGR + 8]) {
    vgic.distributor.read(offset, 4, 0);
    assert.deepEqual(writes, [], `read of 0x${offset.toString(16)}`);
  }
});

// The emulated GICv2 distributor, register by register, against IHI 0048B 4.3.

import { test } from "node:test";
import assert from "node:assert/strict";
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
  GICD_SGIR,
  GICD_SPENDSGIR,
  GICD_TYPER,
} from "../../../src/gic/registers.js";
import { bit, bitReg, makeMachine } from "./vgic-harness.js";

test("GICD_CTLR: EnableGrp0 and EnableGrp1 only", () => {
  const m = makeMachine();
  assert.equal(m.rd(GICD_CTLR), 0);
  m.wr(GICD_CTLR, 0xffffffff);
  assert.equal(m.rd(GICD_CTLR), 3);
  m.wr(GICD_CTLR, 0);
  assert.equal(m.rd(GICD_CTLR), 0);
});

test("GICD_TYPER: ITLinesNumber from the SPI count, CPUNumber from the vcpus; read-only", () => {
  // 3 vcpus, 64 SPIs: 96 interrupt IDs → ITLinesNumber 2; CPUNumber 2 in [7:5]; SecurityExtn [10] = 0.
  const m = makeMachine({ vcpus: 3, spis: 64 });
  assert.equal(m.rd(GICD_TYPER), 0x42);
  m.wr(GICD_TYPER, 0xffffffff);
  assert.equal(m.rd(GICD_TYPER), 0x42);
  assert.equal(makeMachine({ vcpus: 1, spis: 0 }).rd(GICD_TYPER), 0);
  // 960 SPIs: 992 IDs → ITLinesNumber 30.
  assert.equal(makeMachine({ vcpus: 8, spis: 960 }).rd(GICD_TYPER), 30 | (7 << 5));
});

test("GICD_IIDR: Arm implementer, read-only", () => {
  const m = makeMachine();
  const v = m.rd(GICD_IIDR);
  assert.equal(v & 0xfff, 0x43b);
  m.wr(GICD_IIDR, 0);
  assert.equal(m.rd(GICD_IIDR), v);
});

test("ID registers: GICv2 PrimeCell values, read-only", () => {
  const m = makeMachine();
  const pidr = [0xfd0, 0xfd4, 0xfd8, 0xfdc, 0xfe0, 0xfe4, 0xfe8, 0xfec].map((o) => m.rd(o));
  assert.deepEqual(pidr, [0x04, 0, 0, 0, 0x90, 0xb4, 0x2b, 0]);
  assert.equal(m.rd(0xfe8) >>> 4, 2, "PIDR2.ArchRev = 2");
  assert.deepEqual(
    [0xff0, 0xff4, 0xff8, 0xffc].map((o) => m.rd(o)),
    [0x0d, 0xf0, 0x05, 0xb1],
  );
  m.wr(0xfe8, 0);
  assert.equal(m.rd(0xfe8), 0x2b);
});

test("reserved offsets, halfword accesses and byte accesses to word-only registers are RAZ/WI", () => {
  const m = makeMachine();
  assert.equal(m.rd(0x00c), 0);
  assert.equal(m.rd(0xd00), 0);
  m.wr(0xd00, 0xffffffff);
  assert.equal(m.rd(0xd00), 0);
  assert.equal(m.rd(GICD_CTLR, 0, 2), 0);
  m.wr(GICD_ISENABLER + 4, 0xff, 0, 1); // byte write to a word-only register
  assert.equal(m.rd(GICD_ISENABLER + 4), 0);
  m.wr(GICD_ISENABLER + 4, 0xffff, 0, 2);
  assert.equal(m.rd(GICD_ISENABLER + 4), 0);
  m.wr(GICD_IPRIORITYR + 40, 0xa0a0, 0, 2);
  assert.equal(m.rd(GICD_IPRIORITYR + 40), 0);
  m.wr(GICD_ISENABLER + 6, 0xffffffff); // misaligned word
  assert.equal(m.rd(GICD_ISENABLER + 4), 0);
  assert.equal(m.rd(0x1000), 0, "outside the 4 KiB page");
});

test("GICD_IGROUPR: one bit per interrupt, banked for SGIs/PPIs, RAZ/WI past the last SPI", () => {
  const m = makeMachine({ vcpus: 2, spis: 32 });
  m.wr(GICD_IGROUPR, 0xffffffff, 0);
  assert.equal(m.rd(GICD_IGROUPR, 0), 0xffffffff);
  assert.equal(m.rd(GICD_IGROUPR, 1), 0, "banked");
  m.wr(GICD_IGROUPR + 4, 0x8000_0001);
  assert.equal(m.rd(GICD_IGROUPR + 4, 1), 0x8000_0001, "SPIs are shared");
  m.wr(GICD_IGROUPR + 8, 0xffffffff);
  assert.equal(m.rd(GICD_IGROUPR + 8), 0, "INTIDs 64..95 do not exist");
});

test("GICD_ISENABLER/ICENABLER: SGIs always enabled, PPIs banked, SPIs set and cleared", () => {
  const m = makeMachine({ vcpus: 2, spis: 64 });
  assert.equal(m.rd(GICD_ISENABLER, 0), 0x0000ffff);
  assert.equal(m.rd(GICD_ICENABLER, 0), 0x0000ffff);
  m.wr(GICD_ICENABLER, 0xffffffff, 0);
  assert.equal(m.rd(GICD_ISENABLER, 0), 0x0000ffff, "SGI enables are RAO/WI");
  m.wr(GICD_ISENABLER, bit(27), 1);
  assert.equal(m.rd(GICD_ISENABLER, 1), 0x0000ffff | bit(27));
  assert.equal(m.rd(GICD_ISENABLER, 0), 0x0000ffff, "PPI enables are banked");
  m.wr(bitReg(GICD_ISENABLER, 33), bit(33) | bit(40));
  m.wr(bitReg(GICD_ISENABLER, 33), bit(34)); // writing 0 bits leaves others alone
  assert.equal(m.rd(bitReg(GICD_ICENABLER, 33)), bit(33) | bit(34) | bit(40));
  m.wr(bitReg(GICD_ICENABLER, 33), bit(34));
  assert.equal(m.rd(bitReg(GICD_ISENABLER, 33)), bit(33) | bit(40));
  m.wr(GICD_ISENABLER + 12, 0xffffffff);
  assert.equal(m.rd(GICD_ISENABLER + 12), 0, "INTIDs 96..127 do not exist");
});

test("GICD_ISPENDR/ICPENDR: SGI bits ignored, PPIs and SPIs latched; a high level line stays pending", () => {
  const m = makeMachine({ vcpus: 2, spis: 64 });
  m.wr(GICD_ISPENDR, 0xffffffff, 1);
  assert.equal(m.rd(GICD_ISPENDR, 1), 0xffff0000, "SGI pending bits are not set through ISPENDR");
  assert.equal(m.rd(GICD_ISPENDR, 0), 0);
  m.wr(GICD_ICPENDR, 0xffffffff, 1);
  assert.equal(m.rd(GICD_ISPENDR, 1), 0);
  m.wr(bitReg(GICD_ISPENDR, 40), bit(40));
  assert.equal(m.rd(bitReg(GICD_ICPENDR, 40)), bit(40));
  m.wr(bitReg(GICD_ICPENDR, 40), bit(40));
  assert.equal(m.rd(bitReg(GICD_ISPENDR, 40)), 0);
  // INTID 41 is level-sensitive (ICFGR reset): while its line is high it is pending.
  m.vgic.spiLine(41).set(true);
  assert.equal(m.rd(bitReg(GICD_ISPENDR, 41)), bit(41));
  m.wr(bitReg(GICD_ICPENDR, 41), bit(41));
  assert.equal(m.rd(bitReg(GICD_ISPENDR, 41)), bit(41));
  m.vgic.spiLine(41).set(false);
  assert.equal(m.rd(bitReg(GICD_ISPENDR, 41)), 0);
});

test("GICD_ISACTIVER/ICACTIVER set and clear active state (SGI, PPI, SPI)", () => {
  const m = makeMachine({ vcpus: 2, spis: 32 });
  m.wr(GICD_ISACTIVER, bit(3) | bit(27), 1);
  assert.equal(m.rd(GICD_ISACTIVER, 1), bit(3) | bit(27));
  assert.equal(m.rd(GICD_ICACTIVER, 0), 0, "banked");
  m.wr(GICD_ICACTIVER, bit(3), 1);
  assert.equal(m.rd(GICD_ISACTIVER, 1), bit(27));
  m.wr(bitReg(GICD_ISACTIVER, 50), bit(50));
  assert.equal(m.rd(bitReg(GICD_ICACTIVER, 50), 1), bit(50));
  m.wr(bitReg(GICD_ICACTIVER, 50), bit(50));
  assert.equal(m.rd(bitReg(GICD_ISACTIVER, 50)), 0);
});

test("GICD_IPRIORITYR: byte and word access, 5 implemented bits, banked privates, RAZ/WI past the end", () => {
  const m = makeMachine({ vcpus: 2, spis: 32 });
  m.wr(GICD_IPRIORITYR + 40, 0xff, 0, 1);
  assert.equal(m.rd(GICD_IPRIORITYR + 40, 0, 1), 0xf8, "low 3 bits RAZ/WI");
  m.wr(GICD_IPRIORITYR + 44, 0x1f2f3f4f);
  assert.equal(m.rd(GICD_IPRIORITYR + 44), 0x18283848);
  assert.equal(m.rd(GICD_IPRIORITYR + 45, 0, 1), 0x38);
  m.wr(GICD_IPRIORITYR + 46, 0xa0, 0, 1);
  assert.equal(m.rd(GICD_IPRIORITYR + 44), 0x18a03848);
  // Private priorities are per CPU.
  m.wr(GICD_IPRIORITYR + 27, 0x80, 1, 1);
  assert.equal(m.rd(GICD_IPRIORITYR + 27, 1, 1), 0x80);
  assert.equal(m.rd(GICD_IPRIORITYR + 27, 0, 1), 0);
  // INTIDs 64.. do not exist.
  m.wr(GICD_IPRIORITYR + 64, 0xffffffff);
  assert.equal(m.rd(GICD_IPRIORITYR + 64), 0);
  m.wr(GICD_IPRIORITYR + 63, 0xff, 0, 1);
  assert.equal(m.rd(GICD_IPRIORITYR + 60), 0xf8000000, "INTID 63 is the last one");
});

test("GICD_ITARGETSR: privates read as the reader's bit, SPIs masked to existing CPUs", () => {
  const m = makeMachine({ vcpus: 3, spis: 32 });
  assert.equal(m.rd(GICD_ITARGETSR, 0), 0x01010101);
  assert.equal(m.rd(GICD_ITARGETSR + 28, 2), 0x04040404);
  assert.equal(m.rd(GICD_ITARGETSR + 5, 1, 1), 0x02);
  m.wr(GICD_ITARGETSR + 4, 0xffffffff, 1);
  assert.equal(m.rd(GICD_ITARGETSR + 4, 1), 0x02020202, "read-only");
  m.wr(GICD_ITARGETSR + 33, 0xff, 0, 1);
  assert.equal(m.rd(GICD_ITARGETSR + 33, 0, 1), 0x07, "CPUs 3..7 do not exist");
  m.wr(GICD_ITARGETSR + 36, 0x04020180);
  assert.equal(m.rd(GICD_ITARGETSR + 36), 0x04020100);
  assert.equal(m.rd(GICD_ITARGETSR + 37, 2, 1), 0x01);
});

test("GICD_ITARGETSR on one vcpu follows KVM: SGI/PPI fields read as CPU 0, SPIs keep bit 0 only", () => {
  const m = makeMachine({ vcpus: 1, spis: 32 });
  for (let w = 0; w < 32; w += 4) assert.equal(m.rd(GICD_ITARGETSR + w), 0x01010101, `ITARGETSR${w / 4}`);
  m.wr(GICD_ITARGETSR + 28, 0);
  assert.equal(m.rd(GICD_ITARGETSR + 28), 0x01010101, "private fields are read-only");
  assert.equal(m.rd(GICD_ITARGETSR + 32), 0, "SPI targets reset to none, as KVM's");
  m.wr(GICD_ITARGETSR + 32, 0xff0102fe);
  assert.equal(m.rd(GICD_ITARGETSR + 32), 0x01010000, "bits of CPUs 1-7, which do not exist, are masked");
  m.wr(GICD_ITARGETSR + 35, 0x00, 0, 1);
  assert.equal(m.rd(GICD_ITARGETSR + 32), 0x00010000);
  assert.equal(m.rd(GICD_ITARGETSR + 34, 0, 1), 0x01);
});

test("GICD_ICFGR: SGIs edge read-only, PPIs fixed level, SPIs programmable on odd bits", () => {
  const m = makeMachine({ vcpus: 1, spis: 32 });
  assert.equal(m.rd(GICD_ICFGR), 0xaaaaaaaa);
  m.wr(GICD_ICFGR, 0);
  assert.equal(m.rd(GICD_ICFGR), 0xaaaaaaaa);
  assert.equal(m.rd(GICD_ICFGR + 4), 0);
  m.wr(GICD_ICFGR + 4, 0xffffffff);
  assert.equal(m.rd(GICD_ICFGR + 4), 0, "PPIs are level, fixed");
  m.wr(GICD_ICFGR + 8, 0xffffffff);
  assert.equal(m.rd(GICD_ICFGR + 8), 0xaaaaaaaa, "Int_config[0] is reserved");
  m.wr(GICD_ICFGR + 8, 0x00000008); // INTID 33 edge
  assert.equal(m.rd(GICD_ICFGR + 8), 0x8);
  m.wr(GICD_ICFGR + 16, 0xffffffff);
  assert.equal(m.rd(GICD_ICFGR + 16), 0, "INTIDs 64..79 do not exist");
});

test("GICD_SGIR: target list, all but self, self; reserved filter does nothing; NSATT ignored", () => {
  const m = makeMachine({ vcpus: 4, spis: 32 });
  const pendingFrom = (target: number, sgi: number) => m.rd(GICD_SPENDSGIR + sgi, target, 1);
  m.wr(GICD_CTLR, 1);
  // List: SGI 1 from CPU 0 to CPUs 1 and 3 (and a non-existent CPU 5).
  m.wr(GICD_SGIR, (0b0010_1010 << 16) | 1, 0);
  assert.equal(pendingFrom(1, 1), 0b0001);
  assert.equal(pendingFrom(3, 1), 0b0001);
  assert.equal(pendingFrom(0, 1), 0);
  assert.equal(pendingFrom(2, 1), 0);
  // All but self: SGI 2 from CPU 2.
  m.wr(GICD_SGIR, (1 << 24) | 2, 2);
  assert.deepEqual(
    [0, 1, 2, 3].map((t) => pendingFrom(t, 2)),
    [0b0100, 0b0100, 0, 0b0100],
  );
  // Self: SGI 3 from CPU 1, target list ignored.
  m.wr(GICD_SGIR, (2 << 24) | (0xff << 16) | 3, 1);
  assert.deepEqual(
    [0, 1, 2, 3].map((t) => pendingFrom(t, 3)),
    [0, 0b0010, 0, 0],
  );
  // Reserved filter 3.
  m.wr(GICD_SGIR, (3 << 24) | (0xff << 16) | 4, 0);
  assert.deepEqual(
    [0, 1, 2, 3].map((t) => pendingFrom(t, 4)),
    [0, 0, 0, 0],
  );
  // NSATT (bit 15) exists only with the Security Extensions: still delivered.
  m.wr(GICD_SGIR, (1 << 15) | (1 << 16) | 5, 3);
  assert.equal(pendingFrom(0, 5), 0b1000);
  assert.equal(m.rd(GICD_SGIR), 0, "write-only");
  // SGI pending shows in ISPENDR0 of the target.
  assert.equal(m.rd(GICD_ISPENDR, 0) & 0xffff, bit(2) | bit(5));
  // The first SGI kicked its targets (with the distributor forwarding Group 0).
  assert.deepEqual(m.kicks.slice(0, 2), [1, 3]);
});

test("GICD_CPENDSGIR/SPENDSGIR: byte per SGI, one bit per source CPU, banked per target", () => {
  const m = makeMachine({ vcpus: 2, spis: 32 });
  m.wr(GICD_SPENDSGIR + 6, 0xff, 1, 1);
  assert.equal(m.rd(GICD_SPENDSGIR + 6, 1, 1), 0x03, "sources masked to existing CPUs");
  assert.equal(m.rd(GICD_SPENDSGIR + 4, 1), 0x00030000, "word access: SGIs 4..7");
  assert.equal(m.rd(GICD_CPENDSGIR + 4, 1), 0x00030000, "CPENDSGIR reads the same state");
  assert.equal(m.rd(GICD_SPENDSGIR + 4, 0), 0, "banked");
  m.wr(GICD_CPENDSGIR + 6, 0x01, 1, 1);
  assert.equal(m.rd(GICD_SPENDSGIR + 6, 1, 1), 0x02);
  m.wr(GICD_CPENDSGIR + 4, 0xffffffff, 1);
  assert.equal(m.rd(GICD_SPENDSGIR + 4, 1), 0);
});

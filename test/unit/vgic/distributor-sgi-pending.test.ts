// GICD_CPENDSGIR (0xF10) and GICD_SPENDSGIR (0xF20), IHI 0048B 4.3.13-14: four words, byte n for
// SGI n, bit m of a byte for source CPU m. Checked here at the first and last byte of each, and
// against the registers around them, which must not reach the SGI pending state.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GICD_CIDR3,
  GICD_CPENDSGIR,
  GICD_IIDR,
  GICD_PIDR2,
  GICD_PIDR4,
  GICD_SPENDSGIR,
  GICD_TYPER,
} from "../../../src/gic/registers.js";
import { makeMachine, type Machine } from "./vgic-harness.js";

/** The four SPENDSGIR words of `cpu`. */
function pendingWords(m: Machine, cpu = 0): number[] {
  return [0, 4, 8, 12].map((w) => m.rd(GICD_SPENDSGIR + w, cpu));
}

test("a word write at SPENDSGIR sets SGIs 0..3, each from its own byte, and no further SGI", () => {
  const m = makeMachine({ vcpus: 2 });
  m.wr(GICD_SPENDSGIR, 0x0002_0002); // SGIs 0 and 2 from cpu1
  assert.deepEqual(pendingWords(m), [0x0002_0002, 0, 0, 0]);
  assert.deepEqual(pendingWords(m, 1), [0, 0, 0, 0], "banked per target");
  m.wr(GICD_SPENDSGIR + 12, 0x0100_0000); // SGI 15 from cpu0: the last byte
  assert.deepEqual(pendingWords(m), [0x0002_0002, 0, 0, 0x0100_0000]);
});

test("reads: CPENDSGIR from its first byte, each byte only its SGI, nothing past SPENDSGIR", () => {
  const m = makeMachine({ vcpus: 2 });
  m.wr(GICD_SPENDSGIR, 0x0002_0002);
  m.wr(GICD_SPENDSGIR + 4, 0x01, 0, 1); // SGI 4 from cpu0
  assert.equal(m.rd(GICD_CPENDSGIR), 0x0002_0002, "CPENDSGIR reads the pending state too");
  assert.equal(m.rd(GICD_SPENDSGIR), 0x0002_0002, "SGI 4 is not in the first word");
  assert.equal(m.rd(GICD_SPENDSGIR + 3, 0, 1), 0, "SGI 3: none");
  assert.equal(m.rd(GICD_SPENDSGIR + 4, 0, 1), 0x01);
  assert.equal(m.rd(GICD_SPENDSGIR + 16), 0, "0xF30 is reserved");
});

test("CPENDSGIR clears from its first byte, by byte and by word", () => {
  const m = makeMachine({ vcpus: 2 });
  m.wr(GICD_SPENDSGIR, 0x0303_0303);
  m.wr(GICD_CPENDSGIR, 0x02, 0, 1); // SGI 0: clear the cpu1 source only
  assert.deepEqual(pendingWords(m), [0x0303_0301, 0, 0, 0]);
  m.wr(GICD_CPENDSGIR, 0xffff_ffff);
  assert.deepEqual(pendingWords(m), [0, 0, 0, 0]);
});

test("writes to the read-only and reserved registers around them leave SGI pending state alone", () => {
  const m = makeMachine({ vcpus: 2 });
  const all = 0x0202_0202; // every SGI pending from cpu1 only
  for (let w = 0; w < 16; w += 4) m.wr(GICD_SPENDSGIR + w, all);
  const around = [
    GICD_TYPER,
    GICD_IIDR,
    0x00c,
    0xd00,
    0xf04,
    GICD_SPENDSGIR + 16,
    0xf3c,
    GICD_PIDR4,
    GICD_PIDR2,
    GICD_CIDR3,
  ];
  for (const offset of around) {
    m.wr(offset, 0xffff_ffff);
    assert.deepEqual(pendingWords(m), [all, all, all, all], `write to 0x${offset.toString(16)}`);
  }
});

test("SPENDSGIR bytes with no source bit inject nothing (no trace line, no count)", () => {
  const m = makeMachine({ vcpus: 2, tracing: true });
  m.wr(GICD_SPENDSGIR, 0x0000_0200); // SGI 1 from cpu1; SGIs 0, 2 and 3 untouched
  assert.deepEqual(
    m.trace.filter((line) => line.includes("inject")),
    ["vgic 0.000us vcpu0: inject SGI 1 (GICD_SPENDSGIR 0x2)"],
  );
  assert.deepEqual([...m.vgic.stats.injections.slice(0, 4)], [0, 1, 0, 0]);
});

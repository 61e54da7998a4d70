// Byte accesses to every word-only distributor register (IHI 0048B 4.1.4) are RAZ/WI: a byte
// write changes nothing, a byte read returns 0 even where the word reads non-zero. Only
// IPRIORITYR, ITARGETSR, CPENDSGIR and SPENDSGIR take bytes.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GICD_ICACTIVER,
  GICD_ICENABLER,
  GICD_ICFGR,
  GICD_ICPENDR,
  GICD_IGROUPR,
  GICD_IPRIORITYR,
  GICD_ISACTIVER,
  GICD_ISENABLER,
  GICD_ISPENDR,
  GICD_ITARGETSR,
} from "../../../src/gic/registers.js";
import { makeMachine } from "./vgic-harness.js";

/** SPIs 32..63 live in the second word of the 1-bit registers. */
const WORD1 = 4;

test("byte writes to the 1-bit and 2-bit registers are ignored", () => {
  const m = makeMachine({ vcpus: 2 });
  for (const base of [GICD_IGROUPR, GICD_ISENABLER, GICD_ISPENDR, GICD_ISACTIVER]) {
    m.wr(base + WORD1, 0xff, 0, 1);
    assert.equal(m.rd(base + WORD1), 0, `0x${base.toString(16)}`);
  }
  m.wr(GICD_ICFGR + 8, 0xaa, 0, 1);
  assert.equal(m.rd(GICD_ICFGR + 8), 0);
});

test("byte writes to the clear registers are ignored, and byte reads of all of them are zero", () => {
  const m = makeMachine({ vcpus: 2 });
  for (const base of [GICD_IGROUPR, GICD_ISENABLER, GICD_ISPENDR, GICD_ISACTIVER]) m.wr(base + WORD1, 0xffffffff);
  m.wr(GICD_ICFGR + 8, 0xaaaaaaaa);
  for (const base of [GICD_ICENABLER, GICD_ICPENDR, GICD_ICACTIVER]) {
    m.wr(base + WORD1, 0xff, 0, 1);
    assert.equal(m.rd(base + WORD1), 0xffffffff, `0x${base.toString(16)}: still all set`);
  }
  const words = [GICD_IGROUPR, GICD_ISENABLER, GICD_ICENABLER, GICD_ISPENDR, GICD_ICPENDR, GICD_ISACTIVER];
  for (const base of [...words, GICD_ICACTIVER]) {
    assert.equal(m.rd(base + WORD1, 0, 1), 0, `byte read of 0x${base.toString(16)}`);
    assert.equal(m.rd(base + WORD1), 0xffffffff);
  }
  assert.equal(m.rd(GICD_ICFGR + 8, 0, 1), 0);
  assert.equal(m.rd(GICD_ICFGR + 8), 0xaaaaaaaa);
});

test("IPRIORITYR and ITARGETSR take byte accesses", () => {
  const m = makeMachine({ vcpus: 2 });
  m.wr(GICD_IPRIORITYR + 41, 0xa0, 0, 1);
  m.wr(GICD_ITARGETSR + 42, 2, 0, 1);
  assert.equal(m.rd(GICD_IPRIORITYR + 41, 0, 1), 0xa0);
  assert.equal(m.rd(GICD_IPRIORITYR + 40), 0xa000);
  assert.equal(m.rd(GICD_ITARGETSR + 42, 0, 1), 2);
});

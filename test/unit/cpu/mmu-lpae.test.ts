// Stage-1 translation with Long descriptors (TTBCR.EAE = 1, DDI 0406C B3.6): the three lookup
// levels and their block sizes, TTBR0/TTBR1 selection by T0SZ/T1SZ, the access flag, AP/XN/PXN and
// the hierarchical table limits, Long-descriptor fault status (B3.13.3 table B3-24) with the FAR,
// the 64-bit TTBRs and PAR through MCRR/MRRC, MAIR0/MAIR1, ASIDs from the TTBRs and PAR after
// ATS1C* (B4.1.113). Expected values come from those tables, not from the implementation.
//
// Guest RAM is 1 MiB at PA 0. Long-descriptor FSR = STATUS[5:0] | LPAE (0x200) | WnR (0x800):
// translation fault level n 0b0001nn, access flag 0b0010nn, permission 0b0011nn, external abort
// on the walk 0b0101nn, synchronous external abort 0b010000, alignment 0b100001, debug 0b100010.

import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCpu } from "../../helpers/cpu-harness.js";
import type { Cpu } from "../../../src/cpu/core.js";
import { Mode } from "../../../src/cpu/state.js";
import { expectAbort, mcr, MCR_DACR, MCR_TLBIASID, MCR_TLBIMVA, peek32, poke32 } from "./mmu-tables.js";
import {
  blockDesc,
  enableLpae,
  MCR_ATS1CPR,
  MCR_ATS1CPW,
  MCR_ATS1CUR,
  MCR_MAIR0,
  MCR_MAIR1,
  MCRR_PAR,
  MCRR_TTBR0,
  MCRR_TTBR1,
  mcrr,
  MRC_DFSR,
  MRC_MAIR0,
  MRC_MAIR1,
  MRC_PAR,
  MRC_TTBR0,
  MRC_TTBR1,
  mrc0,
  MRRC_PAR,
  MRRC_TTBR0,
  MRRC_TTBR1,
  mrrc,
  pageDesc,
  putDesc,
  tableDesc,
} from "./mmu-lpae-tables.js";

const L1 = 0x4000;
const L2A = 0x5000;
const L2B = 0x6000;
const L3A = 0x7000;
const L3B = 0x8000;

const LPAE = 0x200;
const WNR = 0x800;
const TRANSLATION = 0b000100;
const ACCESS_FLAG = 0b001000;
const PERMISSION = 0b001100;
const WALK_EXTERNAL = 0b010100;
const SYNC_EXTERNAL = 0b010000;

// TTBCR fields (Long-descriptor layout).
const T1SZ = (n: number) => n << 16;
const EPD0 = 1 << 7;
const EPD1 = 1 << 23;
const A1 = 1 << 22;

const MCR_TTBCR = 0xee020f50; // mcr p15, 0, r0, c2, c0, 2
const MCR_TTBR0_32 = 0xee020f10; // mcr p15, 0, r0, c2, c0, 0

/**
 * The usual map, from a 4-entry level-1 table (T0SZ = 0):
 *   VA 0x00000000 +2 MiB  level-2 block  -> PA 0        (code, vectors)
 *   VA 0x00200000 +2 MiB  level-2 block  -> PA 0
 *   VA 0x00400000         level-3 table L3A: page 1 (0x00401000) -> PA 0x62000
 *   VA 0x40000000 +1 GiB  level-1 block  -> PA 0
 */
function setup(fields = 0) {
  const h = makeCpu();
  const s = h.stage2;
  putDesc(s, L1, 0, tableDesc(L2A));
  putDesc(s, L1, 1, blockDesc(0));
  putDesc(s, L2A, 0, blockDesc(0));
  putDesc(s, L2A, 1, blockDesc(0));
  putDesc(s, L2A, 2, tableDesc(L3A));
  putDesc(s, L3A, 1, pageDesc(0x62000));
  return { ...h, enable: () => enableLpae(h.cpu, fields, L1) };
}

function dataAbort(cpu: Cpu, f: () => unknown): { fsr: number; far: number } {
  const a = expectAbort(cpu, f);
  assert.equal(a.prefetch, false, "a data abort");
  return { fsr: a.fsr, far: a.far };
}

test("the three levels: 1 GiB block, 2 MiB block and 4 KiB page keep VA[29:0], VA[20:0] and VA[11:0]", () => {
  const { cpu, stage2, enable } = setup();
  enable();
  poke32(stage2, 0x12344, 0x01020304);
  poke32(stage2, 0x62ff0, 0x600dbeef);
  assert.equal(cpu.mmu.read32(0x40012344), 0x01020304, "level-1 block");
  assert.equal(cpu.mmu.read32(0x00212344), 0x01020304, "level-2 block");
  assert.equal(cpu.mmu.read32(0x00401ff0) >>> 0, 0x600dbeef, "level-3 page");
  cpu.mmu.write32(0x40012348, 0x55667788);
  assert.equal(peek32(stage2, 0x12348), 0x55667788);
  // DACR plays no part in the Long-descriptor format: "no access" to every domain changes nothing.
  mcr(cpu, MCR_DACR, 0);
  assert.equal(cpu.mmu.read32(0x40012344), 0x01020304);
  assert.equal(cpu.mmu.read32(0x00402000 - 0x10) >>> 0, 0x600dbeef);
});

test("TLBIMVA of any page in a 2 MiB block drops the cached pages of that block", () => {
  const { cpu, stage2, enable } = setup();
  enable();
  poke32(stage2, 0x12344, 0xabcd);
  assert.equal(cpu.mmu.read32(0x00212344), 0xabcd);
  putDesc(stage2, L2A, 1, { lo: 0, hi: 0 }); // invalid, but the translation is cached
  assert.equal(cpu.mmu.read32(0x00212344), 0xabcd);
  mcr(cpu, MCR_TLBIMVA, 0x003ff000); // another page of the same block
  const a = dataAbort(cpu, () => cpu.mmu.read32(0x00212344));
  assert.deepEqual(a, { fsr: LPAE | TRANSLATION | 2, far: 0x00212344 });
});

test("T0SZ = 1, T1SZ = 2: TTBR0 below 2 GiB from level 1, TTBR1 above 3 GiB from level 2, a hole between", () => {
  const h = makeCpu();
  const s = h.stage2;
  const cpu = h.cpu;
  // TTBR0: a 2-entry level-1 table (16 bytes); TTBR1: a 512-entry level-2 table for 1 GiB.
  putDesc(s, L1, 1, blockDesc(0)); // VA 0x40000000
  putDesc(s, L2B, 1, blockDesc(0)); // VA 0xC0200000: VA[29:21] = 1
  enableLpae(cpu, 1 | T1SZ(2), L1, L2B);
  poke32(s, 0x12344, 0x7777);
  assert.equal(cpu.mmu.read32(0x40012344), 0x7777);
  assert.equal(cpu.mmu.read32(0xc0212344), 0x7777);
  for (const va of [0x80000000, 0xbffffffc]) {
    // Neither region: a level 1 Translation fault even though TTBR1's walk starts at level 2.
    assert.deepEqual(
      dataAbort(cpu, () => cpu.mmu.read32(va)),
      { fsr: LPAE | TRANSLATION | 1, far: va },
    );
  }
  // An invalid first lookup of TTBR1's walk is a level 2 fault.
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.read32(0xc0400000)),
    { fsr: LPAE | TRANSLATION | 2, far: 0xc0400000 },
  );
});

test("T0SZ = 0, T1SZ = 1: TTBR1 takes the top 2 GiB; EPD0/EPD1 disable one region's walks", () => {
  const h = makeCpu();
  const s = h.stage2;
  const cpu = h.cpu;
  putDesc(s, L1, 1, blockDesc(0)); // TTBR0: VA 0x40000000
  putDesc(s, L2B, 1, blockDesc(0)); // TTBR1 (2 entries): VA[30] = 1 -> VA 0xC0000000
  poke32(s, 0x00000010, 0x1234);
  enableLpae(cpu, T1SZ(1), L1, L2B);
  assert.equal(cpu.mmu.read32(0x40000010), 0x1234);
  assert.equal(cpu.mmu.read32(0xc0000010), 0x1234);
  // VA 0x80000000 uses TTBR1's entry 0 (invalid), not TTBR0's entry 2.
  putDesc(s, L1, 2, blockDesc(0));
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.read32(0x80000010)),
    { fsr: LPAE | TRANSLATION | 1, far: 0x80000010 },
  );

  mcr(cpu, MCR_TTBCR, 0x80000000 | T1SZ(1) | EPD1);
  assert.equal(cpu.mmu.read32(0x40000010), 0x1234);
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.read32(0xc0000010)),
    { fsr: LPAE | TRANSLATION | 1, far: 0xc0000010 },
  );
  mcr(cpu, MCR_TTBCR, 0x80000000 | T1SZ(1) | EPD0);
  assert.equal(cpu.mmu.read32(0xc0000010), 0x1234);
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.read32(0x40000010)),
    { fsr: LPAE | TRANSLATION | 1, far: 0x40000010 },
  );
});

test("translation faults at each level, reserved level-3 encoding, external aborts on the walk", () => {
  const { cpu, stage2, enable } = setup();
  putDesc(stage2, L2A, 3, tableDesc(L3B)); // VA 0x00600000: an empty level-3 table
  putDesc(stage2, L3B, 2, { lo: (0x63000 | 0x401) >>> 0, hi: 0 }); // bits[1:0] = 01 at level 3
  putDesc(stage2, L1, 2, tableDesc(0x00200000)); // VA 0x80000000: level-2 table outside RAM
  putDesc(stage2, L2A, 4, tableDesc(0x00300000)); // VA 0x00800000: level-3 table outside RAM
  putDesc(stage2, L2A, 5, tableDesc(L3B, { high: 1 })); // VA 0x00a00000: table above 4 GiB
  enable();
  const cases: [number, number][] = [
    [0xc0000004, TRANSLATION | 1], // L1[3] invalid
    [0x00c00008, TRANSLATION | 2], // L2A[6] invalid
    [0x00600010, TRANSLATION | 3], // L3B[0] invalid
    [0x00602010, TRANSLATION | 3], // L3B[2]: block encoding, reserved at level 3
    [0x80000020, WALK_EXTERNAL | 2], // the level-2 lookup reads outside RAM
    [0x00800020, WALK_EXTERNAL | 3],
    [0x00a00020, WALK_EXTERNAL | 3], // the level-3 table is at PA 0x1_0000_8000
  ];
  for (const [va, status] of cases) {
    assert.deepEqual(
      dataAbort(cpu, () => cpu.mmu.read32(va)),
      { fsr: LPAE | status, far: va },
      va.toString(16),
    );
    assert.deepEqual(
      dataAbort(cpu, () => cpu.mmu.write16(va + 2, 1)),
      { fsr: LPAE | WNR | status, far: va + 2 },
      `write ${va.toString(16)}`,
    );
  }
  // Instruction fetches report the same status in IFSR form (no WnR).
  const f = expectAbort(cpu, () => cpu.mmu.fetch32(0x00c00000));
  assert.deepEqual(f, { prefetch: true, fsr: LPAE | TRANSLATION | 2, far: 0x00c00000 });
});

test("an output address above 4 GiB translates but the access is a synchronous external abort", () => {
  const { cpu, stage2, enable } = setup();
  putDesc(stage2, L3A, 5, pageDesc(0x00005000, { paHigh: 0x01 }));
  putDesc(stage2, L3A, 6, pageDesc(0x00006000, { paHigh: 0x01, af: false }));
  enable();
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.read32(0x00405000)),
    { fsr: LPAE | SYNC_EXTERNAL, far: 0x00405000 },
  );
  // The access flag is checked before the address is used.
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.read32(0x00406000)),
    { fsr: LPAE | ACCESS_FLAG | 3, far: 0x00406000 },
  );
});

test("AF = 0 is an Access flag fault at the descriptor's level, whatever SCTLR.AFE says", () => {
  const { cpu, stage2, enable } = setup();
  putDesc(stage2, L1, 3, blockDesc(0, { af: false })); // level 1
  putDesc(stage2, L2A, 3, blockDesc(0, { af: false })); // level 2
  putDesc(stage2, L3A, 2, pageDesc(0x63000, { af: false })); // level 3
  enable();
  assert.equal(cpu.cp15.sctlr & (1 << 29), 0, "AFE is clear");
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.read8(0xc0000001)),
    { fsr: LPAE | ACCESS_FLAG | 1, far: 0xc0000001 },
  );
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.write32(0x00600000, 0)),
    {
      fsr: LPAE | WNR | ACCESS_FLAG | 2,
      far: 0x00600000,
    },
  );
  const f = expectAbort(cpu, () => cpu.mmu.fetch32(0x00402000));
  assert.deepEqual(f, { prefetch: true, fsr: LPAE | ACCESS_FLAG | 3, far: 0x00402000 });
});

test("AP[2:1]: PL1-only, read-only, read-only at both levels, full access", () => {
  const { cpu, stage2, enable } = setup();
  putDesc(stage2, L3A, 2, pageDesc(0x10000, { ap: 0b00 })); // PL1 read/write, PL0 none
  putDesc(stage2, L3A, 3, pageDesc(0x11000, { ap: 0b01 })); // read/write at both
  putDesc(stage2, L3A, 4, pageDesc(0x12000, { ap: 0b10 })); // PL1 read-only, PL0 none
  putDesc(stage2, L3A, 5, pageDesc(0x13000, { ap: 0b11 })); // read-only at both
  enable();
  const perm = (va: number, write: boolean) => ({ fsr: LPAE | (write ? WNR : 0) | PERMISSION | 3, far: va });
  // PL1
  cpu.mmu.write32(0x00402000, 1);
  cpu.mmu.write32(0x00403000, 1);
  assert.equal(cpu.mmu.read32(0x00404000), 0);
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.write32(0x00404000, 1)),
    perm(0x00404000, true),
  );
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.write8(0x00405003, 1)),
    perm(0x00405003, true),
  );
  // PL0 (the unprivileged accessors, as LDRT/STRT use them)
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.read32u(0x00402000)),
    perm(0x00402000, false),
  );
  assert.equal(cpu.mmu.read32u(0x00403000), 1);
  cpu.mmu.write32u(0x00403000, 2);
  assert.equal(peek32(stage2, 0x11000), 2);
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.read32u(0x00404000)),
    perm(0x00404000, false),
  );
  assert.equal(cpu.mmu.read32u(0x00405000), 0);
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.write32u(0x00405000, 1)),
    perm(0x00405000, true),
  );
  // In User mode the ordinary accessors are PL0 accesses too.
  cpu.switchMode(Mode.USR);
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.read16(0x00402000)),
    perm(0x00402000, false),
  );
  assert.equal(cpu.mmu.read32(0x00403000), 2);
});

test("XN stops every fetch, PXN only PL1 fetches; data accesses are unaffected", () => {
  const { cpu, stage2, enable } = setup();
  putDesc(stage2, L3A, 2, pageDesc(0x10000, { xn: true }));
  putDesc(stage2, L3A, 3, pageDesc(0x11000, { pxn: true }));
  poke32(stage2, 0x11000, 0xe1a00000);
  enable();
  const xnFault = (va: number) => ({ prefetch: true, fsr: LPAE | PERMISSION | 3, far: va });
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.fetch32(0x00402000)),
    xnFault(0x00402000),
  );
  // PXN at PL1: the same permission fault.
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.fetch16(0x00403002)),
    xnFault(0x00403002),
  );
  assert.equal(cpu.mmu.read32(0x00402000), 0, "XN pages are readable");
  cpu.switchMode(Mode.USR);
  assert.equal(cpu.mmu.fetch32(0x00403000) >>> 0, 0xe1a00000, "PXN does not apply at PL0");
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.fetch32(0x00402000)),
    xnFault(0x00402000),
  );
});

test("APTable, XNTable and PXNTable limit everything below the table descriptor", () => {
  const { cpu, stage2, enable } = setup();
  // Level-1 entry 3 (VA 0xC0000000): a level-2 table whose blocks all allow everything.
  putDesc(stage2, L2B, 0, blockDesc(0, { ap: 0b01 }));
  putDesc(stage2, L2B, 1, tableDesc(L3B));
  putDesc(stage2, L3B, 0, pageDesc(0x10000, { ap: 0b01 }));
  poke32(stage2, 0x10000, 0xe1a00000);
  poke32(stage2, 0, 0xe1a00000);
  enable();
  const perm = (va: number, level: number, write: boolean) => ({
    fsr: LPAE | (write ? WNR : 0) | PERMISSION | level,
    far: va,
  });

  // APTable = 01: no PL0 access below.
  putDesc(stage2, L1, 3, tableDesc(L2B, { apTable: 0b01 }));
  mcr(cpu, 0xee080f17, 0); // TLBIALL (mcr p15, 0, r0, c8, c7, 0)
  cpu.mmu.write32(0xc0000100, 5);
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.read32u(0xc0000100)),
    perm(0xc0000100, 2, false),
  );
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.read32u(0xc0200000)),
    perm(0xc0200000, 3, false),
  );

  // APTable = 10: read-only below, at every level of privilege.
  putDesc(stage2, L1, 3, tableDesc(L2B, { apTable: 0b10 }));
  mcr(cpu, 0xee080f17, 0);
  assert.equal(cpu.mmu.read32u(0xc0000100), 5);
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.write32(0xc0000100, 1)),
    perm(0xc0000100, 2, true),
  );
  assert.deepEqual(
    dataAbort(cpu, () => cpu.mmu.write32u(0xc0200000, 1)),
    perm(0xc0200000, 3, true),
  );

  // XNTable on the level-2 table descriptor: only the level-3 page below it.
  putDesc(stage2, L1, 3, tableDesc(L2B));
  putDesc(stage2, L2B, 1, tableDesc(L3B, { xnTable: true }));
  mcr(cpu, 0xee080f17, 0);
  assert.equal(cpu.mmu.fetch32(0xc0000000) >>> 0, 0xe1a00000);
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.fetch32(0xc0200000)),
    {
      prefetch: true,
      fsr: LPAE | PERMISSION | 3,
      far: 0xc0200000,
    },
  );

  // PXNTable: PL1 fetches fault below, PL0 fetches do not.
  putDesc(stage2, L2B, 1, tableDesc(L3B, { pxnTable: true }));
  mcr(cpu, 0xee080f17, 0);
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.fetch32(0xc0200000)),
    {
      prefetch: true,
      fsr: LPAE | PERMISSION | 3,
      far: 0xc0200000,
    },
  );
  cpu.switchMode(Mode.USR);
  assert.equal(cpu.mmu.fetch32(0xc0200000) >>> 0, 0xe1a00000);
});

test("TTBR0/TTBR1 as 64-bit registers: MCRR/MRRC round trip with the ASID, MCR/MRC see the low word", () => {
  const { cpu } = makeCpu();
  mcrr(cpu, MCRR_TTBR0, 0x12345000, 0xffffffff);
  // BADDR[39:32] (bits [7:0]) and the ASID (bits [23:16]) of the high word hold; the rest is SBZP.
  assert.deepEqual(mrrc(cpu, MRRC_TTBR0), [0x12345000, 0x00ff00ff]);
  mcrr(cpu, MCRR_TTBR1, 0xabcde000, 0x00420003);
  assert.deepEqual(mrrc(cpu, MRRC_TTBR1), [0xabcde000, 0x00420003]);
  assert.equal(mrc0(cpu, MRC_TTBR0), 0x12345000);
  assert.equal(mrc0(cpu, MRC_TTBR1), 0xabcde000);
  // A 32-bit write replaces the low word only.
  mcr(cpu, MCR_TTBR0_32, 0x00004000);
  assert.deepEqual(mrrc(cpu, MRRC_TTBR0), [0x00004000, 0x00ff00ff]);
  // PAR is 64-bit too.
  mcrr(cpu, MCRR_PAR, 0x11223344, 0x55667788);
  assert.deepEqual(mrrc(cpu, MRRC_PAR), [0x11223344, 0x55667788]);
  assert.equal(mrc0(cpu, MRC_PAR), 0x11223344);
  // At PL0 they are UNDEFINED.
  cpu.switchMode(Mode.USR);
  cpu.exceptionTaken = false;
  cpu.cp15.execute(MRRC_TTBR0);
  assert.equal(cpu.mode, Mode.UND);
});

test("MAIR0/MAIR1 share PRRR/NMRR's encodings and are chosen by TTBCR.EAE; a change flushes the TLB", () => {
  const { cpu, stage2, enable } = setup();
  const prrr = mrc0(cpu, MRC_MAIR0);
  const nmrr = mrc0(cpu, MRC_MAIR1);
  assert.equal(prrr, 0x00098aa4, "PRRR's reset value while EAE = 0");
  assert.equal(nmrr, 0x44e048e0);
  enable();
  mcr(cpu, MCR_MAIR0, 0xeeaa4400);
  mcr(cpu, MCR_MAIR1, 0x000000ff);
  assert.equal(mrc0(cpu, MRC_MAIR0), 0xeeaa4400);
  assert.equal(mrc0(cpu, MRC_MAIR1), 0x000000ff);
  poke32(stage2, 0x10, 1);
  cpu.mmu.read32(0x40000010);
  assert.ok(cpu.mmu.tlb.size > 0);
  mcr(cpu, MCR_MAIR1, 0x0000ff00);
  assert.equal(cpu.mmu.tlb.size, 0, "a MAIR change flushes");
  // Back to the Short-descriptor format: PRRR and NMRR were not touched.
  mcr(cpu, MCR_TTBCR, 0);
  assert.equal(mrc0(cpu, MRC_MAIR0), prrr);
  assert.equal(mrc0(cpu, MRC_MAIR1), nmrr);
});

test("ASIDs come from TTBR0 (or TTBR1 with TTBCR.A1): TLBIASID and TTBR writes drop non-global pages", () => {
  const { cpu, stage2 } = setup();
  putDesc(stage2, L3A, 5, pageDesc(0x10000, { ng: true }));
  putDesc(stage2, L3A, 6, pageDesc(0x11000)); // global
  poke32(stage2, 0x10000, 0x1111);
  poke32(stage2, 0x11000, 0x2222);
  poke32(stage2, 0x12000, 0x3333);
  enableLpae(cpu, 0, L1, 0, 5);
  mcr(cpu, 0xee0d0f30, 9); // CONTEXTIDR = 9: not the ASID in this format
  const cacheBoth = () => {
    assert.equal(cpu.mmu.read32(0x00405000), 0x1111);
    assert.equal(cpu.mmu.read32(0x00406000), 0x2222);
    // Both now point at PA 0x12000, but the TLB still holds the old translations.
    putDesc(stage2, L3A, 5, pageDesc(0x12000, { ng: true }));
    putDesc(stage2, L3A, 6, pageDesc(0x12000));
    assert.equal(cpu.mmu.read32(0x00405000), 0x1111);
    assert.equal(cpu.mmu.read32(0x00406000), 0x2222);
  };
  const reset = () => {
    putDesc(stage2, L3A, 5, pageDesc(0x10000, { ng: true }));
    putDesc(stage2, L3A, 6, pageDesc(0x11000));
    mcr(cpu, 0xee080f17, 0); // TLBIALL
  };
  cacheBoth();
  mcr(cpu, MCR_TLBIASID, 9); // CONTEXTIDR's value: another ASID here
  assert.equal(cpu.mmu.read32(0x00405000), 0x1111);
  mcr(cpu, MCR_TLBIASID, 5);
  assert.equal(cpu.mmu.read32(0x00405000), 0x3333, "the non-global page was walked again");
  assert.equal(cpu.mmu.read32(0x00406000), 0x2222, "the global page stayed cached");

  // A new ASID through MCRR drops non-global entries.
  reset();
  cacheBoth();
  mcrr(cpu, MCRR_TTBR0, L1, 6 << 16);
  assert.equal(cpu.mmu.read32(0x00405000), 0x3333);
  assert.equal(cpu.mmu.read32(0x00406000), 0x2222);

  // TTBCR.A1: TTBR1's ASID (7) is the current one.
  reset();
  mcr(cpu, MCR_TTBCR, 0x80000000 | A1);
  mcrr(cpu, MCRR_TTBR1, 0, 7 << 16);
  cacheBoth();
  mcr(cpu, MCR_TLBIASID, 6);
  assert.equal(cpu.mmu.read32(0x00405000), 0x1111);
  mcr(cpu, MCR_TLBIASID, 7);
  assert.equal(cpu.mmu.read32(0x00405000), 0x3333);
});

test("PAR after ATS1C* in the Long-descriptor format: ATTR, PA, SH, NS, LPAE; or FST with F", () => {
  const { cpu, stage2, enable } = setup();
  putDesc(stage2, L3A, 2, pageDesc(0x63000, { attrIndx: 5, sh: 3, ap: 0b00 })); // PL1 only
  putDesc(stage2, L3A, 3, pageDesc(0x64000, { attrIndx: 0, sh: 3, ap: 0b11 })); // read-only
  putDesc(stage2, L3A, 4, pageDesc(0x00065000, { attrIndx: 5, paHigh: 0x12 }));
  enable();
  mcr(cpu, MCR_MAIR0, 0x00000000); // index 0: Strongly-ordered
  mcr(cpu, MCR_MAIR1, 0x0000ff00); // index 5: Normal, write-back
  // Success: PA[39:12] | LPAE (11) | NS (9) | SH (8:7); ATTR in PAR[63:56].
  mcr(cpu, MCR_ATS1CPR, 0x00402abc);
  assert.deepEqual(mrrc(cpu, MRRC_PAR), [0x00063000 | 0x800 | 0x200 | (3 << 7), 0xff000000]);
  assert.equal(mrc0(cpu, MRC_PAR), 0x00063000 | 0x800 | 0x200 | (3 << 7), "MRC reads the low word");
  // Device/Strongly-ordered memory is reported as Outer Shareable (SH = 0b10).
  mcr(cpu, MCR_ATS1CPR, 0x00403000);
  assert.deepEqual(mrrc(cpu, MRRC_PAR), [0x00064000 | 0x800 | 0x200 | (2 << 7), 0x00000000]);
  // A PA beyond 4 GiB is reported whole: PA[39:32] in PAR[39:32].
  mcr(cpu, MCR_ATS1CPR, 0x00404000);
  assert.deepEqual(mrrc(cpu, MRRC_PAR), [0x00065000 | 0x800 | 0x200, 0xff000012]);
  // Faults: F = 1, FST[6:1] = the Long-descriptor status, LPAE = 1.
  mcr(cpu, MCR_ATS1CUR, 0x00402000); // PL0 read of a PL1-only page: permission, level 3
  assert.deepEqual(mrrc(cpu, MRRC_PAR), [0x800 | ((PERMISSION | 3) << 1) | 1, 0]);
  mcr(cpu, MCR_ATS1CPW, 0x00403000); // write to a read-only page
  assert.deepEqual(mrrc(cpu, MRRC_PAR), [0x800 | ((PERMISSION | 3) << 1) | 1, 0]);
  mcr(cpu, MCR_ATS1CPR, 0x00c00000); // nothing mapped: translation, level 2
  assert.deepEqual(mrrc(cpu, MRRC_PAR), [0x800 | ((TRANSLATION | 2) << 1) | 1, 0]);
  // The operation has no side effect on the fault registers.
  assert.equal(cpu.cp15.dfsr, 0);
});

test("aborts taken by the core report Long-descriptor DFSR/IFSR: translation, alignment, permission, BKPT", () => {
  const { cpu, stage2, enable } = setup();
  const VBAR = 0x1000;
  putDesc(stage2, L3A, 2, pageDesc(0x10000, { ap: 0b10 })); // read-only
  enable();
  mcr(cpu, 0xee0c0f10, VBAR); // mcr p15, 0, r0, c12, c0, 0 (VBAR)
  const run = (instr: number, r1: number) => {
    poke32(stage2, 0x100, instr);
    cpu.switchMode(Mode.SVC);
    cpu.setPc(0x100);
    cpu.r[1] = r1;
    cpu.run(1);
  };
  run(0xe5910000, 0x00c00004); // ldr r0, [r1]
  assert.equal(cpu.mode, Mode.ABT);
  assert.equal(cpu.nextPc, VBAR + 0x10);
  assert.equal(cpu.cp15.dfsr, LPAE | TRANSLATION | 2);
  assert.equal(cpu.cp15.dfar >>> 0, 0x00c00004);
  assert.equal(mrc0(cpu, MRC_DFSR), LPAE | TRANSLATION | 2);

  run(0xe5810000, 0x00402008); // str r0, [r1]
  assert.equal(cpu.cp15.dfsr, LPAE | WNR | PERMISSION | 3);
  assert.equal(cpu.cp15.dfar >>> 0, 0x00402008);

  mcr(cpu, 0xee010f10, cpu.cp15.sctlr | 2); // SCTLR.A
  run(0xe5910000, 0x40000001); // ldr r0, [r1], unaligned
  assert.equal(cpu.cp15.dfsr, LPAE | 0b100001, "alignment fault");
  assert.equal(cpu.cp15.dfar >>> 0, 0x40000001);

  run(0xe1200070, 0); // bkpt #0
  assert.equal(cpu.nextPc, VBAR + 0x0c);
  assert.equal(cpu.cp15.ifsr, LPAE | 0b100010, "debug event");

  // The same abort in the Short-descriptor format (MMU off) keeps the short encoding.
  mcr(cpu, MCR_TTBCR, 0);
  mcr(cpu, 0xee010f10, cpu.cp15.sctlr & ~1); // SCTLR.M = 0
  run(0xe1200070, 0);
  assert.equal(cpu.cp15.ifsr, 0x002);
});

test("switching TTBCR.EAE flushes the TLB: the other format's tables are walked", () => {
  const { cpu, stage2, enable } = setup();
  poke32(stage2, 0x12344, 0xfeed);
  enable();
  assert.equal(cpu.mmu.read32(0x40012344), 0xfeed);
  assert.ok(cpu.mmu.tlb.size > 0);
  // Short format, TTBR0 still 0x4000: the walk reads long-descriptor data as short descriptors,
  // and with DACR = 0 (no access) whatever it finds faults, in the short format.
  mcr(cpu, MCR_TTBCR, 0);
  assert.equal(cpu.mmu.tlb.size, 0);
  const a = dataAbort(cpu, () => cpu.mmu.read32(0x40012344));
  assert.equal(a.fsr & LPAE, 0, "a short-format fault");
});

// Alignment faults that depend on the memory type (DDI 0406C A3.2.1, B3.12): an unaligned access
// to Device or Strongly-ordered memory faults whatever SCTLR.A says, after the walk's own faults
// and before the domain and permission checks (TranslateAddressV). Aligned accesses and unaligned
// accesses to Normal memory are unaffected.

import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCpu } from "../../helpers/cpu-harness.js";
import { enableMmu, expectAbort, mcr, poke32, peek32, Tables, MCR_SCTLR, MCR_TLBIALL } from "./mmu-tables.js";
import { blockDesc, enableLpae, putDesc, tableDesc, MCR_MAIR0 } from "./mmu-lpae-tables.js";

const FSR_ALIGNMENT = 0x001;
const WNR = 0x800;
const MCR_PRRR = 0xee0a0f12; // mcr p15, 0, r0, c10, c2, 0
const SCTLR_AFE = 1 << 29;
const SCTLR_TRE = 1 << 28;
const DEVICE = 0b00001;
const STRONGLY_ORDERED = 0b00000;

/** VA 0 -> PA 0 (code, tables; Normal) and VA 0x10000000 -> PA 0 with `texcb` and `ap`/`domain`. */
function setup(texcb: number, extra: { ap?: number; domain?: number } = {}, dacr = 0x55555555, sctlr = 0) {
  const h = makeCpu();
  const t = new Tables(h.stage2);
  t.section(0, 0);
  t.section(0x10000000, 0, { texcb, ...extra });
  enableMmu(h.cpu, dacr, sctlr);
  return h;
}

test("Device and Strongly-ordered mappings: unaligned accesses fault even when the TLB holds the page", () => {
  for (const texcb of [DEVICE, STRONGLY_ORDERED]) {
    const { cpu, stage2 } = setup(texcb);
    poke32(stage2, 0x2000, 0x44332211);
    poke32(stage2, 0x2004, 0x88776655);
    assert.equal(cpu.mmu.read32(0x10002000), 0x44332211, "aligned: allowed (and now in the TLB)");
    cpu.mmu.write16(0x10002006, 0x1234);
    assert.deepEqual(
      expectAbort(cpu, () => cpu.mmu.read32(0x10002001)),
      {
        prefetch: false,
        fsr: FSR_ALIGNMENT,
        far: 0x10002001,
      },
    );
    assert.deepEqual(
      expectAbort(cpu, () => cpu.mmu.write16(0x10002003, 0xffff)),
      {
        prefetch: false,
        fsr: FSR_ALIGNMENT | WNR,
        far: 0x10002003,
      },
    );
    assert.equal(peek32(stage2, 0x2000), 0x44332211, "the faulting store wrote nothing");
    // The same RAM through the Normal mapping.
    assert.equal(cpu.mmu.read32(0x2001), 0x55443322);
  }
});

test("a Device alignment fault comes after a translation or access-flag fault, before domain and permission faults", () => {
  // AP = 0 (no access) and a "no access" domain: the alignment fault wins over both.
  let { cpu } = setup(DEVICE, { ap: 0 });
  assert.equal(expectAbort(cpu, () => cpu.mmu.read16(0x10000001)).fsr, FSR_ALIGNMENT);
  assert.equal(expectAbort(cpu, () => cpu.mmu.read16(0x10000000)).fsr, 0x00d, "aligned: permission fault");
  ({ cpu } = setup(DEVICE, { domain: 3 }, 0x55555515));
  assert.equal(expectAbort(cpu, () => cpu.mmu.read16(0x10000001)).fsr, FSR_ALIGNMENT);
  assert.equal(expectAbort(cpu, () => cpu.mmu.read16(0x10000000)).fsr, 0x039, "aligned: domain fault");
  // The access flag (SCTLR.AFE, AP[0] = 0) is checked by the walk, before the memory type.
  ({ cpu } = setup(DEVICE, { ap: 2 }, 0x55555555, SCTLR_AFE));
  assert.equal(expectAbort(cpu, () => cpu.mmu.read16(0x10000001)).fsr, 0x003);
  // Unmapped: a translation fault.
  ({ cpu } = setup(DEVICE));
  assert.equal(expectAbort(cpu, () => cpu.mmu.read16(0x20000001)).fsr, 0x005);
});

test("SCTLR.A = 0 still allows unaligned accesses to Normal memory, also across pages", () => {
  const { cpu, stage2 } = setup(DEVICE);
  poke32(stage2, 0x2ffc, 0x44332211);
  poke32(stage2, 0x3000, 0x88776655);
  assert.equal(cpu.mmu.read32(0x2ffe) >>> 0, 0x66554433);
  cpu.mmu.write32(0x2fff, 0xa1b2c3d4);
  assert.equal(peek32(stage2, 0x3000), 0x88a1b2c3);
});

test("an access across a Normal page and a Device page faults with the Device page's address, writing nothing", () => {
  const { cpu, stage2 } = setup(DEVICE);
  const t = new Tables(stage2);
  // VA 0x20000000: a page table; page 0 Normal -> PA 0x5000, page 1 Device -> PA 0x6000.
  t.pageTable(0x20000000, 0x8000);
  t.smallPage(0x8000, 0x20000000, 0x5000);
  t.smallPage(0x8000, 0x20001000, 0x6000, { texcb: DEVICE });
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.write32(0x20000ffe, -1)),
    {
      prefetch: false,
      fsr: FSR_ALIGNMENT | WNR,
      far: 0x20001000,
    },
  );
  assert.equal(peek32(stage2, 0x5ffc), 0);
  assert.equal(peek32(stage2, 0x6000), 0);
});

test("with TEX remap, PRRR says which regions are Device; a PRRR write takes effect at once", () => {
  // TEX[0]:C:B = 0b001 is region 1. PRRR.TR1 = 0b01 (Device), then 0b10 (Normal).
  const { cpu } = setup(0b00001, {}, 0x55555555, SCTLR_TRE);
  const normalElsewhere = 0b10 << 14; // TR7 (regions 0..7 at bits 2n+1:2n); region 7 is unused here
  mcr(cpu, MCR_PRRR, (0b01 << 2) | normalElsewhere);
  assert.equal(expectAbort(cpu, () => cpu.mmu.read32(0x10000002)).fsr, FSR_ALIGNMENT);
  mcr(cpu, MCR_PRRR, (0b10 << 2) | normalElsewhere);
  assert.equal(cpu.mmu.read32(0x10000002), cpu.mmu.read32(0x00000002));
  // Region 0 (TEX[0]:C:B = 000, the code's section with texcb 0b00111 is region 7) as Strongly-ordered.
  mcr(cpu, MCR_PRRR, 0);
  mcr(cpu, MCR_TLBIALL, 0);
  assert.equal(expectAbort(cpu, () => cpu.mmu.read32(0x10000002)).fsr, FSR_ALIGNMENT);
  mcr(cpu, MCR_SCTLR, cpu.cp15.sctlr & ~SCTLR_TRE);
  assert.equal(expectAbort(cpu, () => cpu.mmu.read32(0x10000002)).fsr, FSR_ALIGNMENT, "TEX:C:B 00001: Device");
});

test("Long descriptors: MAIR attributes 0b0000xxxx are Device; the DFSR is in the long format", () => {
  const { cpu, stage2 } = makeCpu();
  const L1 = 0x4000;
  const L2 = 0x5000;
  putDesc(stage2, L1, 0, tableDesc(L2));
  putDesc(stage2, L2, 0, blockDesc(0, { attrIndx: 0 })); // VA 0: Normal (MAIR byte 0)
  putDesc(stage2, L2, 1, blockDesc(0, { attrIndx: 1 })); // VA 2 MiB: Device
  putDesc(stage2, L2, 2, blockDesc(0, { attrIndx: 2 })); // VA 4 MiB: Strongly-ordered
  enableLpae(cpu, 0, L1);
  mcr(cpu, MCR_MAIR0, 0x000400ff); // MAIR0 is PRRR's encoding once TTBCR.EAE = 1
  poke32(stage2, 0x100, 0x44332211);
  assert.equal(cpu.mmu.read16(0x101), 0x3322);
  for (const va of [0x00200101, 0x00400101]) {
    assert.deepEqual(
      expectAbort(cpu, () => cpu.mmu.read16(va)),
      { prefetch: false, fsr: 0x221, far: va },
    );
  }
  assert.equal(cpu.mmu.read16(0x00200102), 0x4433, "aligned Device access");
});

test("the MMU off: data accesses are Strongly-ordered, so unaligned ones fault", () => {
  const { cpu, stage2 } = makeCpu();
  poke32(stage2, 0x2000, 0x44332211);
  assert.equal(cpu.mmu.read32(0x2000), 0x44332211);
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.read16(0x2001)),
    { prefetch: false, fsr: FSR_ALIGNMENT, far: 0x2001 },
  );
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.write32(0x2ffe, 0)),
    {
      prefetch: false,
      fsr: FSR_ALIGNMENT | WNR,
      far: 0x2ffe,
    },
  );
  assert.equal(cpu.mmu.read8(0x2001), 0x22, "bytes are always aligned");
});

// Stage-1 translation: descriptor types, TTBR selection, and every short-descriptor fault with its
// exact DFSR/IFSR and fault address (DDI 0406C B3.5, B3.7, B3.12, B4.1.52).

import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCpu } from "../../helpers/cpu-harness.js";
import { Mode } from "../../../src/cpu/state.js";
import {
  enableMmu,
  expectAbort,
  L1_BASE,
  mcr,
  MCR_DACR,
  MCR_SCTLR,
  MCR_TTBCR,
  MCR_TTBR0,
  MCR_TTBR1,
  poke32,
  peek32,
  Tables,
} from "./mmu-tables.js";

const SCTLR_A = 1 << 1;
const SCTLR_AFE = 1 << 29;
const L2A = 0x8000;
const L2B = 0x8400;

function setup(dacr = 0x55555555, sctlrExtra = 0) {
  const h = makeCpu();
  const t = new Tables(h.stage2);
  return { ...h, t, enable: () => enableMmu(h.cpu, dacr, sctlrExtra) };
}

test("MMU off: VA = PA, no permission checks, fetch allowed", () => {
  const { cpu, stage2 } = makeCpu();
  poke32(stage2, 0x1230, 0xcafef00d);
  assert.equal(cpu.mmu.read32(0x1230) >>> 0, 0xcafef00d);
  assert.equal(cpu.mmu.fetch32(0x1230) >>> 0, 0xcafef00d);
  cpu.switchMode(Mode.USR);
  cpu.mmu.write32(0x1234, 0x11223344);
  assert.equal(peek32(stage2, 0x1234), 0x11223344);
});

test("section: PA[31:20] from the descriptor, VA[19:0] kept", () => {
  const { cpu, stage2, t, enable } = setup();
  t.section(0xc0000000, 0x00000000);
  enable();
  poke32(stage2, 0x12344, 0x01020304);
  assert.equal(cpu.mmu.read32(0xc0012344), 0x01020304);
  assert.equal(cpu.mmu.read16(0xc0012346), 0x0102);
  assert.equal(cpu.mmu.read8(0xc0012345), 0x03);
  cpu.mmu.write32(0xc0012348, 0x55667788);
  assert.equal(peek32(stage2, 0x12348), 0x55667788);
});

test("supersection: 16 MiB block, PA[31:24] from the descriptor and VA[23:0] kept", () => {
  const { cpu, stage2, traps, t, enable } = setup();
  t.supersection(0x12000000, 0x00000000);
  t.supersection(0x13000000, 0x00000000, {}, 0x1);
  enable();
  poke32(stage2, 0x54320, 0xa5a5a5a5);
  assert.equal(cpu.mmu.read32(0x12054320) >>> 0, 0xa5a5a5a5);
  // VA[23:20] = 1 selects PA 0x00100000, past the 1 MiB of RAM: a stage-2 abort at that IPA.
  cpu.mmu.read32(0x12100040);
  assert.equal(traps.accesses.length, 1);
  assert.equal(traps.accesses[0].ipa, 0x00100040);
  // Extended PA bits [35:32] set: beyond the 32-bit physical space, an external abort.
  const a = expectAbort(cpu, () => cpu.mmu.read32(0x13000000));
  assert.deepEqual(a, { prefetch: false, fsr: 0x008, far: 0x13000000 });
});

test("large page (64 KiB) and small page (4 KiB) through a level-2 table", () => {
  const { cpu, stage2, t, enable } = setup();
  t.pageTable(0x00300000, L2A);
  t.largePage(L2A, 0x00340000, 0x00050000);
  t.smallPage(L2A, 0x00301000, 0x00062000);
  enable();
  poke32(stage2, 0x5abc0, 0x0badcafe);
  poke32(stage2, 0x62ff0, 0x600dbeef);
  assert.equal(cpu.mmu.read32(0x0034abc0), 0x0badcafe, "VA[15:0] kept for a large page");
  assert.equal(cpu.mmu.read32(0x00301ff0), 0x600dbeef);
});

test("TTBCR.N = 2: TTBR0 (4 KiB-aligned table) below 1 GiB, TTBR1 above; PD0/PD1 disable walks", () => {
  const { cpu, stage2 } = makeCpu();
  const ttbr0 = 0x9000; // aligned to 2^(14-N) only
  const t0 = new Tables(stage2, ttbr0);
  const t1 = new Tables(stage2, L1_BASE);
  t0.section(0x00100000, 0x00000000);
  t1.section(0xc0000000, 0x00000000);
  poke32(stage2, 0x10, 0x12345678);
  mcr(cpu, MCR_TTBCR, 2);
  mcr(cpu, MCR_TTBR0, ttbr0);
  mcr(cpu, MCR_TTBR1, L1_BASE);
  mcr(cpu, MCR_DACR, 0x55555555);
  mcr(cpu, MCR_SCTLR, cpu.cp15.sctlr | 1);
  assert.equal(cpu.mmu.read32(0x00100010), 0x12345678, "TTBR0 table indexed by VA[29:20]");
  assert.equal(cpu.mmu.read32(0xc0000010), 0x12345678, "TTBR1 table indexed by VA[31:20]");
  // The last entry of the 4 KiB TTBR0 table (VA 0x3ffxxxxx) is empty.
  assert.equal(expectAbort(cpu, () => cpu.mmu.read32(0x3ff00000)).fsr, 0x005);
  mcr(cpu, MCR_TTBCR, 2 | (1 << 4)); // PD0
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.read32(0x00100010)),
    { prefetch: false, fsr: 0x005, far: 0x00100010 },
  );
  assert.equal(cpu.mmu.read32(0xc0000010), 0x12345678);
  mcr(cpu, MCR_TTBCR, 2 | (1 << 5)); // PD1
  assert.equal(expectAbort(cpu, () => cpu.mmu.read32(0xc0000010)).fsr, 0x005);
  assert.equal(cpu.mmu.read32(0x00100010), 0x12345678);
});

test("translation faults: section 0b00101 and page 0b00111 with the level-1 domain, WnR on writes", () => {
  const { cpu, t, enable } = setup();
  t.pageTable(0x00300000, L2A, 3);
  enable();
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.read32(0x00500004)),
    { prefetch: false, fsr: 0x005, far: 0x00500004 },
  );
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.write8(0x00500007, 1)),
    { prefetch: false, fsr: 0x805, far: 0x00500007 },
  );
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.read16(0x00304002)),
    { prefetch: false, fsr: 0x037, far: 0x00304002 },
  );
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.fetch32(0x00500000)),
    { prefetch: true, fsr: 0x005, far: 0x00500000 },
  );
});

test("domain faults: DACR field 00 (and reserved 10) gives 0b01001 / 0b01011 with the domain", () => {
  // Domains: 0 client, 2 no access, 5 reserved (10), 1 client.
  const dacr = (1 << 0) | (0 << 4) | (2 << 10) | (1 << 2);
  const { cpu, t, enable } = setup(dacr);
  t.section(0x00100000, 0, { domain: 2 });
  t.pageTable(0x00300000, L2A, 5);
  t.smallPage(L2A, 0x00301000, 0x20000);
  enable();
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.read32(0x00100000)),
    { prefetch: false, fsr: 0x029, far: 0x00100000 },
  );
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.write32(0x00301008, 0)),
    { prefetch: false, fsr: 0x85b, far: 0x00301008 },
  );
});

test("manager domain: neither AP nor XN is checked", () => {
  const { cpu, stage2, t, enable } = setup(0x3 << 8); // domain 4 manager
  t.section(0x00100000, 0, { domain: 4, ap: 0, xn: true });
  enable();
  poke32(stage2, 0x40, 0x77);
  cpu.switchMode(Mode.USR);
  assert.equal(cpu.mmu.read32(0x00100040), 0x77);
  assert.equal(cpu.mmu.fetch32(0x00100040), 0x77);
  cpu.mmu.write32(0x00100040, 0x88);
  assert.equal(peek32(stage2, 0x40), 0x88);
});

test("access permissions AP[2:0] for PL1 and PL0 (AFE = 0)", () => {
  const { cpu, t, enable } = setup();
  // One section per AP value, domain 1 (client).
  for (let ap = 0; ap < 8; ap++) t.section(0x00100000 * (ap + 1), 0, { ap, domain: 1 });
  enable();
  const mmu = cpu.mmu;
  const va = (ap: number) => 0x00100000 * (ap + 1) + 0x100;
  const probe = (f: () => unknown): number => {
    try {
      f();
      return 0;
    } catch {
      return cpu.abortFsr;
    }
  };
  // [privileged read, privileged write, user read, user write]; 0x01d = section permission, domain 1.
  const expected: Record<number, number[]> = {
    0: [0x01d, 0x81d, 0x01d, 0x81d],
    1: [0, 0, 0x01d, 0x81d],
    2: [0, 0, 0, 0x81d],
    3: [0, 0, 0, 0],
    5: [0, 0x81d, 0x01d, 0x81d],
    6: [0, 0x81d, 0, 0x81d],
    7: [0, 0x81d, 0, 0x81d],
  };
  for (const [apText, want] of Object.entries(expected)) {
    const ap = Number(apText);
    const got = [
      probe(() => mmu.read32(va(ap))),
      probe(() => mmu.write32(va(ap), 1)),
      probe(() => mmu.read32u(va(ap))),
      probe(() => mmu.write32u(va(ap), 1)),
    ];
    assert.deepEqual(got, want, `AP=${ap}`);
  }
  // The same checks from user mode itself, through the normal accessors.
  cpu.switchMode(Mode.USR);
  assert.equal(
    probe(() => mmu.read32(va(1))),
    0x01d,
  );
  assert.equal(
    probe(() => mmu.read32(va(2))),
    0,
  );
  assert.equal(
    probe(() => mmu.write32(va(2), 1)),
    0x81d,
  );
});

test("page permission faults report 0b01111 with the level-1 domain", () => {
  const { cpu, t, enable } = setup();
  t.pageTable(0x00300000, L2A, 6);
  t.smallPage(L2A, 0x00302000, 0x20000, { ap: 0b101 });
  enable();
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.write16(0x00302010, 1)),
    { prefetch: false, fsr: 0x86f, far: 0x00302010 },
  );
});

test("SCTLR.AFE = 1: AP[0] = 0 is an access flag fault; AP[2:1] is the permission model", () => {
  const { cpu, t, enable } = setup(0x55555555, SCTLR_AFE);
  t.section(0x00100000, 0, { ap: 0b010 });
  t.section(0x00200000, 0, { ap: 0b001 }); // AP[2:1] = 00: PL1 read/write only
  t.section(0x00400000, 0, { ap: 0b111 }); // AP[2:1] = 11: read-only everywhere
  t.pageTable(0x00300000, L2A, 2);
  t.smallPage(L2A, 0x00303000, 0x20000, { ap: 0b110 });
  enable();
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.read32(0x00100000)),
    { prefetch: false, fsr: 0x003, far: 0x00100000 },
  );
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.read32(0x00303000)),
    { prefetch: false, fsr: 0x026, far: 0x00303000 },
  );
  cpu.mmu.write32(0x00200000, 1);
  assert.equal(expectAbort(cpu, () => cpu.mmu.read32u(0x00200000)).fsr, 0x00d);
  assert.equal(cpu.mmu.read32u(0x00400000), 1);
  assert.equal(expectAbort(cpu, () => cpu.mmu.write32(0x00400000, 2)).fsr, 0x80d);
});

test("XN: instruction fetch is a permission fault (IFSR has no domain), data reads are fine", () => {
  const { cpu, stage2, t, enable } = setup();
  t.section(0x00100000, 0, { xn: true, domain: 3 });
  t.pageTable(0x00300000, L2A, 3);
  t.smallPage(L2A, 0x00301000, 0x20000, { xn: true });
  enable();
  poke32(stage2, 0x80, 0xe1a00000);
  assert.equal(cpu.mmu.read32(0x00100080) >>> 0, 0xe1a00000);
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.fetch32(0x00100080)),
    { prefetch: true, fsr: 0x00d, far: 0x00100080 },
  );
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.fetch16(0x00301002)),
    { prefetch: true, fsr: 0x00f, far: 0x00301002 },
  );
});

test("PXN (section bit 0, page-table bit 2): privileged fetch faults, user fetch allowed", () => {
  const { cpu, t, enable } = setup();
  t.section(0x00100000, 0, { pxn: true });
  t.pageTable(0x00300000, L2A, 0, true);
  t.smallPage(L2A, 0x00301000, 0x20000);
  enable();
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.fetch32(0x00100000)),
    { prefetch: true, fsr: 0x00d, far: 0x00100000 },
  );
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.fetch32(0x00301000)),
    { prefetch: true, fsr: 0x00f, far: 0x00301000 },
  );
  assert.equal(cpu.mmu.read32(0x00100000), 0, "data reads of a PXN section are allowed");
  cpu.switchMode(Mode.USR);
  cpu.mmu.fetch32(0x00100000);
  cpu.mmu.fetch32(0x00301000);
});

test("a table walk outside RAM is an external abort on the walk (level 1 0b01100, level 2 0b01110)", () => {
  const { cpu, t, enable } = setup();
  t.pageTable(0x00300000, 0x00300000, 1); // level-2 table at an unbacked address
  enable();
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.read32(0x00300000)),
    { prefetch: false, fsr: 0x01e, far: 0x00300000 },
  );
  mcr(cpu, MCR_TTBR0, 0x00200000);
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.write32(0x00300000, 0)),
    { prefetch: false, fsr: 0x80c, far: 0x00300000 },
  );
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.fetch32(0x00300000)),
    { prefetch: true, fsr: 0x00c, far: 0x00300000 },
  );
});

test("unaligned accesses with SCTLR.A = 0, across two pages mapped to unrelated frames", () => {
  const { cpu, stage2, t, enable } = setup();
  t.pageTable(0x00300000, L2A);
  t.smallPage(L2A, 0x00301000, 0x62000);
  t.smallPage(L2A, 0x00302000, 0x17000);
  t.smallPage(L2A, 0x00303000, 0x18000, { ap: 0b111 });
  enable();
  poke32(stage2, 0x62ffc, 0x44332211);
  poke32(stage2, 0x17000, 0x88776655);
  assert.equal(cpu.mmu.read32(0x00301ffe) >>> 0, 0x66554433);
  assert.equal(cpu.mmu.read16(0x00301fff), 0x5544);
  poke32(stage2, 0x62ff8, 0xa4a3a2a1);
  assert.equal(cpu.mmu.read32(0x00301ff9) >>> 0, 0x11a4a3a2, "unaligned within one page");
  cpu.mmu.write32(0x00301ffd, 0xddccbbaa);
  assert.equal(peek32(stage2, 0x62ffc) >>> 0, 0xccbbaa11);
  assert.equal(peek32(stage2, 0x17000) >>> 0, 0x887766dd);
  // The second page is read-only: nothing is written, the abort names the second page.
  const before = peek32(stage2, 0x17ffc);
  const a = expectAbort(cpu, () => cpu.mmu.write32(0x00302ffe, 0));
  assert.deepEqual(a, { prefetch: false, fsr: 0x80f, far: 0x00303000 });
  assert.equal(peek32(stage2, 0x17ffc), before);
});

test("SCTLR.A = 1 makes unaligned LDR/STR/LDRH alignment faults (0b00001); checkAlignment always does", () => {
  const { cpu, t, enable } = setup(0x55555555, SCTLR_A);
  t.section(0x00100000, 0);
  enable();
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.read32(0x00100002)),
    { prefetch: false, fsr: 0x001, far: 0x00100002 },
  );
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.write16(0x00100003, 0)),
    { prefetch: false, fsr: 0x801, far: 0x00100003 },
  );
  cpu.mmu.read8(0x00100003);
  mcr(cpu, MCR_SCTLR, cpu.cp15.sctlr & ~SCTLR_A);
  cpu.mmu.read32(0x00100002);
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.checkAlignment(0x00100004, 8, true)),
    {
      prefetch: false,
      fsr: 0x801,
      far: 0x00100004,
    },
  );
  cpu.mmu.checkAlignment(0x00100008, 8, false);
});

test("unprivileged accessors from SVC use PL0 permissions; privileged ones do not", () => {
  const { cpu, stage2, t, enable } = setup();
  t.section(0x00100000, 0, { ap: 0b001 });
  t.pageTable(0x00300000, L2B);
  t.smallPage(L2B, 0x00301000, 0x20000, { ap: 0b010 });
  enable();
  poke32(stage2, 0x20000, 0x31);
  poke32(stage2, 0x0, 0x32);
  assert.equal(cpu.mmu.read32(0x00100000), 0x32);
  assert.equal(expectAbort(cpu, () => cpu.mmu.read8u(0x00100000)).fsr, 0x00d);
  assert.equal(cpu.mmu.read32u(0x00301000), 0x31);
  assert.equal(expectAbort(cpu, () => cpu.mmu.write16u(0x00301000, 0)).fsr, 0x80f);
  cpu.mmu.write16(0x00301000, 0x4242);
  assert.equal(peek32(stage2, 0x20000), 0x4242);
});

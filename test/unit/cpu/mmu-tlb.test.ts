// The software TLB: what it caches, and that every architectural event that must be seen is seen
// (TLB maintenance operations, DACR, ASID, TTBR, SCTLR, privilege). A TLB may keep stale entries
// until maintenance, as hardware does; tests that observe staleness show the cache is really used,
// so the invalidation that follows is really tested.

import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCpu } from "../../helpers/cpu-harness.js";
import { Mode } from "../../../src/cpu/state.js";
import {
  enableMmu,
  expectAbort,
  mcr,
  MCR_CONTEXTIDR,
  MCR_DACR,
  MCR_SCTLR,
  MCR_TLBIALL,
  MCR_TLBIASID,
  MCR_TLBIMVA,
  MCR_TLBIMVAA,
  MCR_TLBIMVAIS,
  MCR_TTBR0,
  poke32,
  Tables,
} from "./mmu-tables.js";

const L2 = 0x8000;

function setup() {
  const h = makeCpu();
  const t = new Tables(h.stage2);
  // Distinct markers in the frames used below.
  for (const pa of [0x20000, 0x21000, 0x22000, 0x23000]) poke32(h.stage2, pa, pa >>> 12);
  poke32(h.stage2, 0, 0x5ec);
  return { ...h, t };
}

test("a translation stays cached until TLBIMVA for its page; other pages are untouched", () => {
  const { cpu, t } = setup();
  t.pageTable(0x00300000, L2);
  t.smallPage(L2, 0x00301000, 0x20000);
  t.smallPage(L2, 0x00302000, 0x22000);
  enableMmu(cpu);
  assert.equal(cpu.mmu.read32(0x00301000), 0x20);
  assert.equal(cpu.mmu.read32(0x00302000), 0x22);
  t.smallPage(L2, 0x00301000, 0x21000);
  t.smallPage(L2, 0x00302000, 0x23000);
  assert.equal(cpu.mmu.read32(0x00301000), 0x20, "cached");
  mcr(cpu, MCR_TLBIMVA, 0x00301abc);
  assert.equal(cpu.mmu.read32(0x00301000), 0x21);
  assert.equal(cpu.mmu.read32(0x00302000), 0x22, "another page keeps its entry");
  mcr(cpu, MCR_TLBIMVAIS, 0x00302000);
  assert.equal(cpu.mmu.read32(0x00302000), 0x23);
});

test("TLBIMVA of any address in a section drops every cached page of that section", () => {
  const { cpu, t } = setup();
  t.section(0x00100000, 0);
  enableMmu(cpu);
  cpu.mmu.read32(0x00100000);
  cpu.mmu.write32(0x00155000, 7);
  cpu.mmu.fetch32(0x001ff000);
  t.l1Entry(0x00100000, 0); // now a fault
  assert.equal(cpu.mmu.read32(0x00100000), 0x5ec, "cached");
  mcr(cpu, MCR_TLBIMVA, 0x00123000);
  assert.equal(expectAbort(cpu, () => cpu.mmu.read32(0x00100000)).fsr, 0x005);
  assert.equal(expectAbort(cpu, () => cpu.mmu.write32(0x00155000, 0)).fsr, 0x805);
  assert.equal(expectAbort(cpu, () => cpu.mmu.fetch32(0x001ff000)).fsr, 0x005);
});

test("TLBIMVA in a 64 KiB large page drops all of it; small pages and sections elsewhere stay cached", () => {
  const { cpu, t } = setup();
  t.pageTable(0x00300000, L2);
  t.largePage(L2, 0x00310000, 0x20000); // VAs 0x310000-0x31ffff to PAs 0x20000-0x2ffff
  t.smallPage(L2, 0x00302000, 0x22000);
  t.section(0x00500000, 0);
  enableMmu(cpu);
  assert.equal(cpu.mmu.read32(0x00310000), 0x20);
  assert.equal(cpu.mmu.read32(0x00313000), 0x23);
  assert.equal(cpu.mmu.read32(0x00302000), 0x22);
  assert.equal(cpu.mmu.read32(0x00500000), 0x5ec);
  t.pageTable(0x00300000, 0x9000); // an empty table: everything in this megabyte now faults
  t.l1Entry(0x00500000, 0);
  mcr(cpu, MCR_TLBIMVA, 0x0031f000); // last page of the large page
  assert.equal(expectAbort(cpu, () => cpu.mmu.read32(0x00310000)).fsr, 0x007);
  assert.equal(expectAbort(cpu, () => cpu.mmu.read32(0x00313000)).fsr, 0x007);
  assert.equal(cpu.mmu.read32(0x00302000), 0x22, "small page of the same megabyte kept");
  assert.equal(cpu.mmu.read32(0x00500000), 0x5ec, "section elsewhere kept");
  mcr(cpu, MCR_TLBIMVA, 0x00302000);
  assert.equal(expectAbort(cpu, () => cpu.mmu.read32(0x00302000)).fsr, 0x007);
  mcr(cpu, MCR_TLBIMVA, 0x00500000);
  assert.equal(expectAbort(cpu, () => cpu.mmu.read32(0x00500000)).fsr, 0x005);
});

test("DACR changes are honoured for cached entries, and toggling between two values keeps both sets", () => {
  const { cpu, t } = setup();
  t.section(0x00100000, 0, { domain: 1 });
  t.section(0x00200000, 0, { domain: 0 });
  const client = 0x55555555;
  const noUser = client & ~(3 << 2); // domain 1: no access (Linux's uaccess-disabled DACR)
  enableMmu(cpu, client);
  assert.equal(cpu.mmu.read32(0x00100000), 0x5ec);
  assert.equal(cpu.mmu.read32(0x00200000), 0x5ec);
  mcr(cpu, MCR_DACR, noUser);
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.read32(0x00100000)),
    { prefetch: false, fsr: 0x019, far: 0x00100000 },
  );
  assert.equal(cpu.mmu.read32(0x00200000), 0x5ec);
  const live = cpu.mmu.tlb.size;
  for (let k = 0; k < 10; k++) {
    mcr(cpu, MCR_DACR, client);
    assert.equal(cpu.mmu.read32(0x00100000), 0x5ec);
    mcr(cpu, MCR_DACR, noUser);
    assert.equal(expectAbort(cpu, () => cpu.mmu.read32(0x00100000)).fsr, 0x019);
  }
  assert.equal(cpu.mmu.tlb.size, live, "switching between the two DACR values flushes nothing");
  // More DACR values than kept contexts: each still gives the right answer.
  const values = [client, noUser, 0x3 << 2, 0, 0x1 << 2, client, 0x3 << 2, noUser];
  for (const dacr of values) {
    mcr(cpu, MCR_DACR, dacr);
    const d1 = (dacr >>> 2) & 3;
    if (d1 === 0) assert.equal(expectAbort(cpu, () => cpu.mmu.read32(0x00100000)).fsr, 0x019, `DACR ${dacr}`);
    else assert.equal(cpu.mmu.read32(0x00100000), 0x5ec, `DACR ${dacr}`);
    const d0 = dacr & 3;
    if (d0 === 0) assert.equal(expectAbort(cpu, () => cpu.mmu.read32(0x00200000)).fsr, 0x009, `DACR ${dacr}`);
    else assert.equal(cpu.mmu.read32(0x00200000), 0x5ec, `DACR ${dacr}`);
  }
});

test("DACR manager access cached in one context does not leak into a client context", () => {
  const { cpu, t } = setup();
  t.section(0x00100000, 0, { domain: 1, ap: 0b101 }); // PL1 read-only
  enableMmu(cpu, 0x3 << 2); // domain 1 manager
  cpu.mmu.write32(0x00100004, 9);
  mcr(cpu, MCR_DACR, 0x1 << 2); // client
  assert.equal(expectAbort(cpu, () => cpu.mmu.write32(0x00100004, 9)).fsr, 0x81d);
});

test("ASID change: non-global entries are dropped, global ones kept", () => {
  const { cpu, t } = setup();
  t.pageTable(0x00300000, L2);
  t.smallPage(L2, 0x00301000, 0x20000, { ng: true });
  t.smallPage(L2, 0x00302000, 0x22000);
  enableMmu(cpu);
  mcr(cpu, MCR_CONTEXTIDR, 0x101);
  assert.equal(cpu.mmu.read32(0x00301000), 0x20);
  assert.equal(cpu.mmu.read32(0x00302000), 0x22);
  t.smallPage(L2, 0x00301000, 0x21000, { ng: true });
  t.smallPage(L2, 0x00302000, 0x23000);
  mcr(cpu, MCR_CONTEXTIDR, 0x201); // PROCID changes, ASID 1 stays: nothing to drop
  assert.equal(cpu.mmu.read32(0x00301000), 0x20);
  mcr(cpu, MCR_CONTEXTIDR, 0x202);
  assert.equal(cpu.mmu.read32(0x00301000), 0x21, "ASID 2 cannot use ASID 1's entry");
  assert.equal(cpu.mmu.read32(0x00302000), 0x22, "global entry survives");
  mcr(cpu, MCR_TLBIALL, 0);
  assert.equal(cpu.mmu.read32(0x00302000), 0x23);
});

test("TLBIASID drops non-global entries of the current ASID only", () => {
  const { cpu, t } = setup();
  t.pageTable(0x00300000, L2);
  t.smallPage(L2, 0x00301000, 0x20000, { ng: true });
  enableMmu(cpu);
  mcr(cpu, MCR_CONTEXTIDR, 5);
  assert.equal(cpu.mmu.read32(0x00301000), 0x20);
  t.smallPage(L2, 0x00301000, 0x21000, { ng: true });
  mcr(cpu, MCR_TLBIASID, 6);
  assert.equal(cpu.mmu.read32(0x00301000), 0x20, "another ASID's invalidation");
  mcr(cpu, MCR_TLBIASID, 5);
  assert.equal(cpu.mmu.read32(0x00301000), 0x21);
});

test("TLBIMVA with another ASID drops only global entries; TLBIMVAA drops any", () => {
  const { cpu, t } = setup();
  t.pageTable(0x00300000, L2);
  t.smallPage(L2, 0x00301000, 0x20000, { ng: true });
  t.smallPage(L2, 0x00302000, 0x22000);
  enableMmu(cpu);
  mcr(cpu, MCR_CONTEXTIDR, 3);
  cpu.mmu.read32(0x00301000);
  cpu.mmu.read32(0x00302000);
  t.smallPage(L2, 0x00301000, 0x21000, { ng: true });
  t.smallPage(L2, 0x00302000, 0x23000);
  mcr(cpu, MCR_TLBIMVA, 0x00301000 | 4);
  mcr(cpu, MCR_TLBIMVA, 0x00302000 | 4);
  assert.equal(cpu.mmu.read32(0x00301000), 0x20, "non-global entry of ASID 3 kept");
  assert.equal(cpu.mmu.read32(0x00302000), 0x23, "global entry dropped whatever the ASID");
  mcr(cpu, MCR_TLBIMVAA, 0x00301000);
  assert.equal(cpu.mmu.read32(0x00301000), 0x21);
});

test("privileged-only entries are never used in user mode", () => {
  const { cpu, t } = setup();
  t.section(0x00100000, 0, { ap: 0b001 });
  enableMmu(cpu);
  assert.equal(cpu.mmu.read32(0x00100000), 0x5ec);
  cpu.mmu.fetch32(0x00100000);
  cpu.switchMode(Mode.USR);
  assert.equal(expectAbort(cpu, () => cpu.mmu.read32(0x00100000)).fsr, 0x00d);
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.fetch32(0x00100000)),
    { prefetch: true, fsr: 0x00d, far: 0x00100000 },
  );
  cpu.switchMode(Mode.IRQ);
  assert.equal(cpu.mmu.read32(0x00100000), 0x5ec);
});

test("a read-only page is cached for reads, yet every write to it faults", () => {
  const { cpu, t } = setup();
  t.section(0x00100000, 0, { ap: 0b111 });
  enableMmu(cpu);
  for (let k = 0; k < 3; k++) {
    assert.equal(cpu.mmu.read32(0x00100000), 0x5ec);
    assert.equal(expectAbort(cpu, () => cpu.mmu.write32(0x00100000, 1)).fsr, 0x80d);
    assert.equal(expectAbort(cpu, () => cpu.mmu.write8(0x00100001, 1)).fsr, 0x80d);
  }
});

test("turning the MMU off (SCTLR write) drops cached translations", () => {
  const { cpu, stage2, traps, t } = setup();
  t.section(0x00000000, 0x00000000);
  t.section(0x00100000, 0x00000000);
  enableMmu(cpu);
  poke32(stage2, 0x10, 0x1234);
  assert.equal(cpu.mmu.read32(0x00100010), 0x1234);
  mcr(cpu, MCR_SCTLR, cpu.cp15.sctlr & ~1);
  cpu.mmu.read32(0x00100010); // now IPA 0x00100010: not RAM
  assert.equal(traps.accesses.length, 1);
  assert.equal(traps.accesses[0].ipa, 0x00100010);
});

test("a TTBR0 switch drops non-global entries of the old table", () => {
  const { cpu, stage2, t } = setup();
  t.section(0x00100000, 0, { ng: true });
  const other = new Tables(stage2, 0xc000);
  enableMmu(cpu);
  assert.equal(cpu.mmu.read32(0x00100000), 0x5ec);
  mcr(cpu, MCR_TTBR0, 0xc000);
  assert.equal(expectAbort(cpu, () => cpu.mmu.read32(0x00100000)).fsr, 0x005);
  other.section(0x00100000, 0);
  assert.equal(cpu.mmu.read32(0x00100000), 0x5ec);
});

test("a TLB slot reused by a non-global page after a global one is still dropped on an ASID change", () => {
  const { cpu, t } = setup();
  // VA 0x00301000 and 0x00701000 share a direct-mapped slot (VA[21:12] equal).
  t.pageTable(0x00300000, L2);
  t.pageTable(0x00700000, L2 + 0x400);
  t.smallPage(L2, 0x00301000, 0x20000);
  t.smallPage(L2 + 0x400, 0x00701000, 0x22000, { ng: true });
  enableMmu(cpu);
  assert.equal(cpu.mmu.read32(0x00301000), 0x20);
  assert.equal(cpu.mmu.read32(0x00701000), 0x22);
  t.smallPage(L2 + 0x400, 0x00701000, 0x23000, { ng: true });
  mcr(cpu, MCR_CONTEXTIDR, 9);
  assert.equal(cpu.mmu.read32(0x00701000), 0x23);
  // And the other way round: a global refill of a slot listed as non-global survives.
  assert.equal(cpu.mmu.read32(0x00301000), 0x20);
  t.smallPage(L2, 0x00301000, 0x21000);
  mcr(cpu, MCR_CONTEXTIDR, 10);
  assert.equal(cpu.mmu.read32(0x00301000), 0x20, "global entry kept (stale until TLBI)");
  mcr(cpu, MCR_TLBIMVAA, 0x00301000);
  assert.equal(cpu.mmu.read32(0x00301000), 0x21);
});

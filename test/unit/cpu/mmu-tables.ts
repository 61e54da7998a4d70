// Helpers for MMU tests: short-descriptor page tables written into guest RAM (DDI 0406C B3.5.1,
// descriptor layouts), and the MCR/MRC words that program CP15.

import type { Cpu } from "../../../src/cpu/core.js";
import type { Stage2 } from "../../../src/cpu/stage2.js";
import { GUEST_ABORT } from "../../../src/cpu/core.js";

export interface Attrs {
  /** AP[2:0] (AP[2] is APX). Default 0b011: full access. */
  ap?: number;
  domain?: number;
  xn?: boolean;
  pxn?: boolean;
  /** nG: not global (ASID-specific). */
  ng?: boolean;
  /** TEX[2:0]:C:B. Default 0b00111 (Normal WB-WA). */
  texcb?: number;
  s?: boolean;
}

// CP15 programming words (checked with arm-none-eabi-as), all moving r0.
export const MCR_SCTLR = 0xee010f10; // mcr p15, 0, r0, c1, c0, 0
export const MCR_TTBR0 = 0xee020f10; // mcr p15, 0, r0, c2, c0, 0
export const MCR_TTBR1 = 0xee020f30; // mcr p15, 0, r0, c2, c0, 1
export const MCR_TTBCR = 0xee020f50; // mcr p15, 0, r0, c2, c0, 2
export const MCR_DACR = 0xee030f10; // mcr p15, 0, r0, c3, c0, 0
export const MCR_CONTEXTIDR = 0xee0d0f30; // mcr p15, 0, r0, c13, c0, 1
export const MCR_TLBIALL = 0xee080f17; // mcr p15, 0, r0, c8, c7, 0
export const MCR_TLBIMVA = 0xee080f37; // mcr p15, 0, r0, c8, c7, 1
export const MCR_TLBIASID = 0xee080f57; // mcr p15, 0, r0, c8, c7, 2
export const MCR_TLBIMVAA = 0xee080f77; // mcr p15, 0, r0, c8, c7, 3
export const MCR_TLBIMVAIS = 0xee080f33; // mcr p15, 0, r0, c8, c3, 1

/** Executes `mcr p15, ..., r0, ...` with r0 = value. */
export function mcr(cpu: Cpu, word: number, value: number): void {
  cpu.r[0] = value;
  cpu.cp15.execute(word);
}

export const L1_BASE = 0x4000;
export const SCTLR_M = 1;

function put(stage2: Stage2, addr: number, value: number): void {
  new DataView(stage2.memory.buffer).setUint32(addr, value >>> 0, true);
}

function common(a: Attrs): { ap: number; tex: number; cb: number } {
  const texcb = a.texcb ?? 0b00111;
  return { ap: a.ap ?? 3, tex: texcb >>> 2, cb: texcb & 3 };
}

/** Section descriptor (bits[1:0] = 1x, bit 18 = 0). */
export function sectionDesc(pa: number, a: Attrs = {}): number {
  const { ap, tex, cb } = common(a);
  return (
    ((pa & 0xfff00000) |
      (a.ng ? 1 << 17 : 0) |
      (a.s ? 1 << 16 : 0) |
      ((ap >> 2) << 15) |
      (tex << 12) |
      ((ap & 3) << 10) |
      ((a.domain ?? 0) << 5) |
      (a.xn ? 1 << 4 : 0) |
      (cb << 2) |
      2 |
      (a.pxn ? 1 : 0)) >>>
    0
  );
}

/** Supersection descriptor (bit 18 = 1); `extBits` lands in PA[35:32] (descriptor bits [23:20]). */
export function supersectionDesc(pa: number, a: Attrs = {}, extBits = 0): number {
  const { ap, tex, cb } = common(a);
  return (
    ((pa & 0xff000000) |
      ((extBits & 0xf) << 20) |
      (1 << 18) |
      (a.ng ? 1 << 17 : 0) |
      (a.s ? 1 << 16 : 0) |
      ((ap >> 2) << 15) |
      (tex << 12) |
      ((ap & 3) << 10) |
      (a.xn ? 1 << 4 : 0) |
      (cb << 2) |
      2 |
      (a.pxn ? 1 : 0)) >>>
    0
  );
}

/** L1 page-table descriptor (bits[1:0] = 01). */
export function pageTableDesc(l2: number, domain = 0, pxn = false): number {
  return ((l2 & 0xfffffc00) | (domain << 5) | (pxn ? 4 : 0) | 1) >>> 0;
}

/** Small page descriptor (bits[1:0] = 1x, XN in bit 0). */
export function smallPageDesc(pa: number, a: Attrs = {}): number {
  const { ap, tex, cb } = common(a);
  return (
    ((pa & 0xfffff000) |
      (a.ng ? 1 << 11 : 0) |
      (a.s ? 1 << 10 : 0) |
      ((ap >> 2) << 9) |
      (tex << 6) |
      ((ap & 3) << 4) |
      (cb << 2) |
      2 |
      (a.xn ? 1 : 0)) >>>
    0
  );
}

/** Large page descriptor (bits[1:0] = 01, XN in bit 15). */
export function largePageDesc(pa: number, a: Attrs = {}): number {
  const { ap, tex, cb } = common(a);
  return (
    ((pa & 0xffff0000) |
      (a.xn ? 1 << 15 : 0) |
      (tex << 12) |
      (a.ng ? 1 << 11 : 0) |
      (a.s ? 1 << 10 : 0) |
      ((ap >> 2) << 9) |
      ((ap & 3) << 4) |
      (cb << 2) |
      1) >>>
    0
  );
}

/** Writes page tables at L1_BASE (TTBR0) and fills level-2 tables on demand. */
export class Tables {
  constructor(
    readonly stage2: Stage2,
    readonly l1 = L1_BASE,
  ) {}

  /** Raw L1 entry for VA[31:20] = `va >>> 20`. */
  l1Entry(va: number, desc: number): void {
    put(this.stage2, this.l1 + ((va >>> 20) << 2), desc);
  }

  section(va: number, pa: number, a: Attrs = {}): void {
    this.l1Entry(va, sectionDesc(pa, a));
  }

  /** A supersection is repeated in 16 consecutive L1 entries. */
  supersection(va: number, pa: number, a: Attrs = {}, extBits = 0): void {
    const base = va & 0xff000000;
    for (let k = 0; k < 16; k++) this.l1Entry(base + (k << 20), supersectionDesc(pa, a, extBits));
  }

  pageTable(va: number, l2: number, domain = 0, pxn = false): void {
    this.l1Entry(va, pageTableDesc(l2, domain, pxn));
  }

  /** L2 entry for VA[19:12] in the table at `l2`. */
  l2Entry(l2: number, va: number, desc: number): void {
    put(this.stage2, l2 + (((va >>> 12) & 0xff) << 2), desc);
  }

  smallPage(l2: number, va: number, pa: number, a: Attrs = {}): void {
    this.l2Entry(l2, va, smallPageDesc(pa, a));
  }

  /** A large page is repeated in 16 consecutive L2 entries. */
  largePage(l2: number, va: number, pa: number, a: Attrs = {}): void {
    const base = va & 0xffff0000;
    for (let k = 0; k < 16; k++) this.l2Entry(l2, base + (k << 12), largePageDesc(pa, a));
  }
}

/** TTBR0 = L1_BASE, TTBCR = 0, DACR = `dacr`, MMU on (with SCTLR's reset bits). */
export function enableMmu(cpu: Cpu, dacr = 0x55555555, sctlrExtra = 0): void {
  mcr(cpu, MCR_TTBCR, 0);
  mcr(cpu, MCR_TTBR0, L1_BASE);
  mcr(cpu, MCR_DACR, dacr);
  mcr(cpu, MCR_SCTLR, cpu.cp15.sctlr | SCTLR_M | sctlrExtra);
}

export interface Abort {
  prefetch: boolean;
  fsr: number;
  far: number;
}

/** Runs `f`, which must abort, and returns the abort the MMU recorded. */
export function expectAbort(cpu: Cpu, f: () => unknown): Abort {
  try {
    f();
  } catch (e) {
    if (e !== GUEST_ABORT) throw e;
    return { prefetch: cpu.abortIsPrefetch, fsr: cpu.abortFsr, far: cpu.abortFar >>> 0 };
  }
  throw new Error("expected a guest abort");
}

export function poke32(stage2: Stage2, addr: number, value: number): void {
  put(stage2, addr, value);
}

export function peek32(stage2: Stage2, addr: number): number {
  return new DataView(stage2.memory.buffer).getUint32(addr, true);
}

/** Where flatMap puts its table: the top 16 KiB of the test harnesses' 1 MiB of RAM. */
export const FLAT_L1 = 0xfc000;

/**
 * An identity map of the whole address space in sections of memory type `texcb` (default Normal
 * write-back), full access, and the MMU on. With the MMU off every data access is Strongly-ordered,
 * so the tests of unaligned accesses to RAM map it Normal first. r0 is kept.
 */
export function flatMap(cpu: Cpu, stage2: Stage2, texcb = 0b00111): void {
  const t = new Tables(stage2, FLAT_L1);
  for (let k = 0; k < 4096; k++) t.section(k << 20, k << 20, { texcb });
  const r0 = cpu.r[0];
  mcr(cpu, MCR_TTBCR, 0);
  mcr(cpu, MCR_TTBR0, FLAT_L1);
  mcr(cpu, MCR_DACR, 0x55555555);
  mcr(cpu, MCR_SCTLR, cpu.cp15.sctlr | SCTLR_M);
  cpu.r[0] = r0;
}

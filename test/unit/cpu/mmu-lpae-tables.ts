// Helpers for Long-descriptor MMU tests: 64-bit descriptors written into guest RAM (DDI 0406C
// B3.6.1-B3.6.2 layouts), and the MCR/MCRR words that program CP15 for them.

import type { Cpu } from "../../../src/cpu/core.js";
import type { Stage2 } from "../../../src/cpu/stage2.js";

// Instruction words checked with arm-none-eabi-as.
export const MCRR_TTBR0 = 0xec410f02; // mcrr p15, 0, r0, r1, c2
export const MCRR_TTBR1 = 0xec410f12; // mcrr p15, 1, r0, r1, c2
export const MRRC_TTBR0 = 0xec532f02; // mrrc p15, 0, r2, r3, c2
export const MRRC_TTBR1 = 0xec532f12; // mrrc p15, 1, r2, r3, c2
export const MRRC_PAR = 0xec532f07; // mrrc p15, 0, r2, r3, c7
export const MCRR_PAR = 0xec410f07; // mcrr p15, 0, r0, r1, c7
export const MCR_MAIR0 = 0xee0a0f12; // mcr p15, 0, r0, c10, c2, 0
export const MCR_MAIR1 = 0xee0a0f32; // mcr p15, 0, r0, c10, c2, 1
export const MRC_MAIR0 = 0xee1a0f12; // mrc p15, 0, r0, c10, c2, 0
export const MRC_MAIR1 = 0xee1a0f32; // mrc p15, 0, r0, c10, c2, 1
export const MCR_ATS1CPR = 0xee070f18; // mcr p15, 0, r0, c7, c8, 0
export const MCR_ATS1CPW = 0xee070f38; // mcr p15, 0, r0, c7, c8, 1
export const MCR_ATS1CUR = 0xee070f58; // mcr p15, 0, r0, c7, c8, 2
export const MRC_PAR = 0xee170f14; // mrc p15, 0, r0, c7, c4, 0
export const MRC_TTBR0 = 0xee120f10; // mrc p15, 0, r0, c2, c0, 0
export const MRC_TTBR1 = 0xee120f30; // mrc p15, 0, r0, c2, c0, 1
export const MRC_DFSR = 0xee150f10; // mrc p15, 0, r0, c5, c0, 0

export const TTBCR_EAE = 0x80000000;
export const SCTLR_M = 1;

/** MCRR with r0 = low word and r1 = high word. */
export function mcrr(cpu: Cpu, word: number, lo: number, hi: number): void {
  cpu.r[0] = lo | 0;
  cpu.r[1] = hi | 0;
  cpu.cp15.execute(word);
}

/** MRRC into r2 (low word) and r3 (high word). */
export function mrrc(cpu: Cpu, word: number): [number, number] {
  cpu.r[2] = 0x0badf00d;
  cpu.r[3] = 0x0badf00d;
  cpu.cp15.execute(word);
  return [cpu.r[2] >>> 0, cpu.r[3] >>> 0];
}

/** MRC into r0. */
export function mrc0(cpu: Cpu, word: number): number {
  cpu.r[0] = 0x0badf00d;
  cpu.cp15.execute(word);
  return cpu.r[0] >>> 0;
}

export interface LdAttrs {
  /** AP[2:1]: bit 1 read-only, bit 0 PL0 access. Default 0b01 (read/write at PL0 and PL1). */
  ap?: number;
  /** AF; default true. */
  af?: boolean;
  ng?: boolean;
  xn?: boolean;
  pxn?: boolean;
  /** AttrIndx[2:0]. */
  attrIndx?: number;
  /** SH[1:0]. */
  sh?: number;
  /** Output address bits [39:32]. */
  paHigh?: number;
}

export interface TableAttrs {
  /** APTable[1:0]: bit 0 no PL0 access below, bit 1 read-only below. */
  apTable?: number;
  xnTable?: boolean;
  pxnTable?: boolean;
  /** Next-level table address bits [39:32]. */
  high?: number;
}

/** A 64-bit descriptor as its two little-endian words. */
export interface Desc {
  lo: number;
  hi: number;
}

function leaf(pa: number, a: LdAttrs, type: number): Desc {
  const lo =
    (pa & 0xfffff000) |
    ((a.ng ?? false) ? 1 << 11 : 0) |
    ((a.af ?? true) ? 1 << 10 : 0) |
    ((a.sh ?? 0) << 8) |
    ((a.ap ?? 1) << 6) |
    ((a.attrIndx ?? 0) << 2) |
    type;
  const hi = (a.paHigh ?? 0) | (a.pxn ? 1 << 21 : 0) | (a.xn ? 1 << 22 : 0);
  return { lo: lo >>> 0, hi: hi >>> 0 };
}

/** Block descriptor (bits[1:0] = 01) at level 1 (1 GiB) or level 2 (2 MiB). */
export function blockDesc(pa: number, a: LdAttrs = {}): Desc {
  return leaf(pa, a, 0b01);
}

/** Page descriptor (bits[1:0] = 11) at level 3. */
export function pageDesc(pa: number, a: LdAttrs = {}): Desc {
  return leaf(pa, a, 0b11);
}

/** Table descriptor (bits[1:0] = 11) at levels 1 and 2. */
export function tableDesc(next: number, a: TableAttrs = {}): Desc {
  const hi = (a.high ?? 0) | ((a.apTable ?? 0) << 29) | (a.xnTable ? 1 << 28 : 0) | (a.pxnTable ? 1 << 27 : 0);
  return { lo: ((next & 0xfffff000) | 0b11) >>> 0, hi: hi >>> 0 };
}

/** Writes descriptor `d` as entry `index` of the table at `table`. */
export function putDesc(stage2: Stage2, table: number, index: number, d: Desc): void {
  const v = new DataView(stage2.memory.buffer);
  v.setUint32(table + 8 * index, d.lo, true);
  v.setUint32(table + 8 * index + 4, d.hi, true);
}

/** TTBCR (EAE = 1 plus `fields`), TTBR0 and TTBR1 as 64-bit values, MMU on. */
export function enableLpae(cpu: Cpu, fields: number, ttbr0: number, ttbr1 = 0, asid = 0): void {
  cpu.r[0] = TTBCR_EAE | fields | 0;
  cpu.cp15.execute(0xee020f50); // mcr p15, 0, r0, c2, c0, 2 (TTBCR)
  mcrr(cpu, MCRR_TTBR0, ttbr0, asid << 16);
  mcrr(cpu, MCRR_TTBR1, ttbr1, 0);
  cpu.r[0] = cpu.cp15.sctlr | SCTLR_M;
  cpu.cp15.execute(0xee010f10); // mcr p15, 0, r0, c1, c0, 0 (SCTLR)
}

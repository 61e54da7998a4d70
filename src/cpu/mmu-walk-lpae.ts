// Stage-1 translation with VMSAv7 Long descriptors (DDI 0406C B3.6, the Large Physical Address
// Extension), used when TTBCR.EAE = 1 and the MMU is on:
// - TTBR0/TTBR1 selection by TTBCR.T0SZ/T1SZ (B3.6.4), EPD0/EPD1;
// - lookups at levels 1 (1 GiB blocks), 2 (2 MiB blocks) and 3 (4 KiB pages) of 64-bit descriptors;
// - the table descriptors' APTable/XNTable/PXNTable limits on every later level;
// - AF (always checked in this format), AP[2:1], XN, PXN, nG. No domains: DACR plays no part.
//
// The physical address space here is 32 bits. A table address above 4 GiB is an external abort
// on the walk at that level (nothing answers there); a mapping whose output address is above 4 GiB
// translates, but the access itself is a synchronous external abort, reported after the access
// flag and permission checks, as the access would be. The VA-to-PA operations still see the
// 40-bit address (`paHigh`).
//
// Like the short walk it never throws: it fills the result fields of the Stage1Walker it serves
// and returns the PA, or -1 with a Long-descriptor FSR (LPAE bit set) in `fs`.

import type { Cp15 } from "./cp15.js";
import type { Stage2 } from "./stage2.js";
import type { Stage1Walker } from "./mmu-walk.js";
import { KIND_FETCH, KIND_WRITE } from "./tlb-store.js";
import { TTBCR_EPD0, TTBCR_EPD1, TTBCR_T0SZ, TTBCR_T1SZ_SHIFT } from "./cp15-regs.js";
import { mairIsDevice } from "./mmu-attrs.js";
import {
  FSR_LPAE,
  LD_ACCESS_FLAG,
  LD_ALIGNMENT,
  LD_PERMISSION,
  LD_SYNC_EXTERNAL,
  LD_TRANSLATION,
  LD_WALK_EXTERNAL,
} from "./mmu-faults-lpae.js";

// APTable (descriptor bits [62:61], bits [30:29] of the high word), accumulated over the walk.
const AP_TABLE_NO_PL0 = 1;
const AP_TABLE_READ_ONLY = 2;

export class LongDescriptorWalker {
  private readonly cp15: Cp15;
  private readonly stage2: Stage2;

  // Details of the last walk that reached a block or page, for PAR.
  /** Lookup level of the final descriptor (1-3), or of the fault. */
  level = 0;
  /** AttrIndx[2:0]: which MAIR byte describes the memory. */
  attrIndx = 0;
  /** SH[1:0]. */
  sh = 0;
  /** PA[39:32] of the mapping (non-zero: beyond this machine's physical space). */
  paHigh = 0;
  /** PA[31:0] of the mapping, even when `paHigh` made the access fault. */
  paLow = 0;

  constructor(cp15: Cp15, stage2: Stage2) {
    this.cp15 = cp15;
    this.stage2 = stage2;
  }

  /** Translates `va` for an access of `kind` at PL0 (`user`) or PL1; results go to `out`. */
  translate(out: Stage1Walker, va: number, kind: number, user: boolean, unaligned: boolean): number {
    const cp15 = this.cp15;
    const ttbcr = cp15.ttbcr;
    va = va >>> 0;
    this.paHigh = 0;

    // Which TTBR (B3.6.4): TTBR0 for VA[31:32-T0SZ] all zeros, TTBR1 for VA[31:32-T1SZ] all ones,
    // a size of 0 meaning "everything the other does not cover". TTBR1 is checked last and wins.
    const t0sz = ttbcr & TTBCR_T0SZ;
    const t1sz = (ttbcr >>> TTBCR_T1SZ_SHIFT) & 7;
    let found = false;
    let disabled = false;
    let tsz = 0;
    let baseLo = 0;
    let baseHi = 0;
    if (t0sz === 0 || va >>> (32 - t0sz) === 0) {
      found = true;
      disabled = (ttbcr & TTBCR_EPD0) !== 0;
      tsz = t0sz;
      baseLo = cp15.ttbr0;
      baseHi = cp15.ttbr0Hi;
    }
    if (t1sz === 0 ? !found : va >>> (32 - t1sz) === (1 << t1sz) - 1) {
      found = true;
      disabled = (ttbcr & TTBCR_EPD1) !== 0;
      tsz = t1sz;
      baseLo = cp15.ttbr1;
      baseHi = cp15.ttbr1Hi;
    }
    // No region, or its walks disabled: a level 1 Translation fault, whatever the start level.
    if (!found || disabled) return this.fault(out, LD_TRANSLATION, 1);

    // The walk starts at level 1 for regions of 2 GiB or more, else at level 2 (B3.6.6). The first
    // table holds 2^(9*level - tsz - 7) entries and is aligned to its size.
    let level = tsz < 2 ? 1 : 2;
    const firstBits = 9 * level - tsz - 7;
    let tableLo = baseLo & (-1 << (firstBits + 3));
    let tableHi = baseHi & 0xff;
    let indexMask = (1 << firstBits) - 1;

    let apTable = 0;
    let xnTable = 0;
    let pxnTable = 0;
    const stage2 = this.stage2;
    const mem32 = stage2.mem32;
    let lo: number;
    let hi: number;
    for (;;) {
      const shift = 39 - 9 * level; // 30, 21, 12
      if (tableHi !== 0) return this.fault(out, LD_WALK_EXTERNAL, level);
      const addr = (tableLo | (((va >>> shift) & indexMask) << 3)) >>> 0;
      const off = stage2.ramOffset(addr);
      if (off < 0) return this.fault(out, LD_WALK_EXTERNAL, level);
      // Little-endian 64-bit descriptor (SCTLR.EE is 0 on this core).
      lo = mem32[off >>> 2];
      hi = mem32[(off >>> 2) + 1];
      if ((lo & 1) === 0) return this.fault(out, LD_TRANSLATION, level);
      if ((lo & 2) === 0) {
        // Block at levels 1 and 2; reserved (a Translation fault) at level 3.
        if (level === 3) return this.fault(out, LD_TRANSLATION, level);
        break;
      }
      if (level === 3) break; // page
      // Table: the next level's address is bits [39:12]; its limits apply to all below it.
      tableLo = lo & 0xfffff000;
      tableHi = hi & 0xff;
      apTable |= (hi >>> 29) & 3;
      xnTable |= (hi >>> 28) & 1;
      pxnTable |= (hi >>> 27) & 1;
      indexMask = 0x1ff;
      level++;
    }

    this.level = level;
    // Access flag first, then the memory type's alignment, then permissions (the order of the
    // pseudocode).
    if ((lo & (1 << 10)) === 0) return this.fault(out, LD_ACCESS_FLAG, level);
    out.device = kind !== KIND_FETCH && mairIsDevice(cp15.mair0, cp15.mair1, (lo >>> 2) & 7);
    if (unaligned && out.device) {
      out.fs = FSR_LPAE | LD_ALIGNMENT;
      out.faultDomain = 0;
      return -1;
    }
    // AP[2] (bit 7): read-only; AP[1] (bit 6): PL0 has access.
    const readOnly = (lo & (1 << 7)) !== 0 || (apTable & AP_TABLE_READ_ONLY) !== 0;
    const pl0 = (lo & (1 << 6)) !== 0 && (apTable & AP_TABLE_NO_PL0) === 0;
    let forbidden = (user && !pl0) || (kind === KIND_WRITE && readOnly);
    if (kind === KIND_FETCH) {
      const xn = ((hi >>> 22) & 1) | xnTable;
      const pxn = ((hi >>> 21) & 1) | pxnTable;
      if (xn !== 0 || (pxn !== 0 && !user)) forbidden = true;
    }
    if (forbidden) return this.fault(out, LD_PERMISSION, level);

    const shift = 39 - 9 * level;
    const blockMask = -1 << shift;
    const pa = ((lo & blockMask) | (va & ~blockMask)) >>> 0;
    this.attrIndx = (lo >>> 2) & 7;
    this.sh = (lo >>> 8) & 3;
    this.paLow = pa;
    this.paHigh = hi & 0xff;
    if (this.paHigh !== 0) return this.fault(out, LD_SYNC_EXTERNAL, 0);
    out.blockShift = shift;
    out.global = (lo & (1 << 11)) === 0;
    out.supersection = false;
    return pa;
  }

  private fault(out: Stage1Walker, status: number, level: number): number {
    this.level = level;
    out.fs = FSR_LPAE | status | level;
    out.faultDomain = 0;
    return -1;
  }
}

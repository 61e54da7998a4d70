// Stage-1 translation with VMSAv7 short descriptors (DDI 0406C B3.5): TTBR0/TTBR1 selection by
// TTBCR.N, sections, supersections, large and small pages, the access flag (SCTLR.AFE), domains
// (DACR) and access permissions, XN and PXN. With TTBCR.EAE = 1 the Long-descriptor walk
// (mmu-walk-lpae.ts) runs instead and fills the same results. Descriptors are read from guest RAM
// through the stage-2 map; a descriptor outside RAM is an external abort on the table walk.
//
// The walk never throws: it returns the IPA, or -1 with `fs`/`faultDomain` describing the fault,
// so that the VA-to-PA operations (ATS1C*) and the syndrome decoder can use it without side effects.
//
// The memory type of the mapping (`device`: Device or Strongly-ordered) is known once the walk has
// reached it. An unaligned access to such memory takes an Alignment fault after the walk's own
// faults (translation, access flag) and before the domain and permission checks, as the ARM ARM's
// TranslateAddressV orders them.

import type { Cp15 } from "./cp15.js";
import type { Stage2 } from "./stage2.js";
import { KIND_FETCH, KIND_WRITE } from "./tlb-store.js";
import { shortIsDevice } from "./mmu-attrs.js";
import { SCTLR_AFE, SCTLR_M, SCTLR_TRE, TTBCR_EAE, TTBCR_N, TTBCR_PD0, TTBCR_PD1 } from "./cp15-regs.js";
import { LongDescriptorWalker } from "./mmu-walk-lpae.js";
import {
  FS_ACCESS_FLAG_PAGE,
  FS_ALIGNMENT,
  FS_ACCESS_FLAG_SECTION,
  FS_DOMAIN_PAGE,
  FS_DOMAIN_SECTION,
  FS_PERMISSION_PAGE,
  FS_PERMISSION_SECTION,
  FS_SYNC_EXTERNAL,
  FS_TRANSLATION_PAGE,
  FS_TRANSLATION_SECTION,
  FS_WALK_EXTERNAL_L1,
  FS_WALK_EXTERNAL_L2,
} from "./mmu-faults.js";

/** True when AP[2:0] (B3.7.1, with AP[0] forced to 1 under AFE) forbids the access. */
export function apForbids(ap: number, user: boolean, isWrite: boolean): boolean {
  switch (ap) {
    case 0:
      return true;
    case 1:
      return user;
    case 2:
      return user && isWrite;
    case 3:
      return false;
    case 5:
      return user || isWrite;
    case 6:
    case 7:
      return isWrite;
    default:
      // 0b100 is reserved: treated as no access.
      return true;
  }
}

export class Stage1Walker {
  private readonly cp15: Cp15;
  private readonly stage2: Stage2;
  /** The Long-descriptor walk (TTBCR.EAE = 1), and its details for PAR. */
  readonly long: LongDescriptorWalker;

  // Results of the last successful translation.
  /** log2 of the size of the mapping (12 small page, 16 large page, 20 section, 24 supersection;
   * long descriptors: 12 page, 21 and 30 blocks). */
  blockShift = 12;
  /** nG == 0 (or the MMU is off). */
  global = true;
  /** TEX[2:0]:C:B of the mapping, for PAR. */
  texcb = 0;
  shareable = 0;
  supersection = false;
  /** The mapping is Device or Strongly-ordered memory (data accesses with the MMU off are too). */
  device = false;

  // The fault of the last failed translation.
  fs = 0;
  faultDomain = 0;

  constructor(cp15: Cp15, stage2: Stage2) {
    this.cp15 = cp15;
    this.stage2 = stage2;
    this.long = new LongDescriptorWalker(cp15, stage2);
  }

  /**
   * Translates `va` for an access of `kind` (KIND_READ/WRITE/FETCH) at PL0 (`user`) or PL1.
   * `unaligned`: the access is not aligned to its size, which Device memory faults.
   */
  translate(va: number, kind: number, user: boolean, unaligned = false): number {
    const cp15 = this.cp15;
    const sctlr = cp15.sctlr;
    va = va >>> 0;
    if ((sctlr & SCTLR_M) === 0) {
      // MMU off: flat, no permission checks; data accesses are Strongly-ordered.
      this.blockShift = 12;
      this.global = true;
      this.texcb = 0;
      this.shareable = 1;
      this.supersection = false;
      this.device = kind !== KIND_FETCH;
      if (unaligned && this.device) return this.fault(FS_ALIGNMENT, 0);
      return va;
    }
    const ttbcr = cp15.ttbcr;
    if (ttbcr & TTBCR_EAE) return this.long.translate(this, va, kind, user, unaligned);
    const n = ttbcr & TTBCR_N;
    let l1Addr: number;
    if (n !== 0 && va >>> (32 - n) !== 0) {
      if (ttbcr & TTBCR_PD1) return this.fault(FS_TRANSLATION_SECTION, 0);
      l1Addr = (cp15.ttbr1 & 0xffffc000) | ((va >>> 20) << 2);
    } else {
      if (ttbcr & TTBCR_PD0) return this.fault(FS_TRANSLATION_SECTION, 0);
      // TTBR0[31:14-N] is the base; VA[31-N:20] the index (its top N bits are zero here).
      l1Addr = (cp15.ttbr0 & (-1 << (14 - n))) | ((va >>> 20) << 2);
    }
    const stage2 = this.stage2;
    const l1Off = stage2.ramOffset(l1Addr >>> 0);
    if (l1Off < 0) return this.fault(FS_WALK_EXTERNAL_L1, 0);
    const d1 = stage2.mem32[l1Off >>> 2];

    let pa: number;
    let domain: number;
    let ap: number;
    let xn: number;
    let pxn: number;
    let ng: number;
    let section: boolean;
    switch (d1 & 3) {
      case 0:
        return this.fault(FS_TRANSLATION_SECTION, 0);
      case 1: {
        // Page table.
        domain = (d1 >>> 5) & 0xf;
        pxn = (d1 >>> 2) & 1;
        const l2Addr = (d1 & 0xfffffc00) | ((va >>> 10) & 0x3fc);
        const l2Off = stage2.ramOffset(l2Addr >>> 0);
        if (l2Off < 0) return this.fault(FS_WALK_EXTERNAL_L2, domain);
        const d2 = stage2.mem32[l2Off >>> 2];
        if ((d2 & 3) === 0) return this.fault(FS_TRANSLATION_PAGE, domain);
        section = false;
        ap = ((d2 >>> 4) & 3) | ((d2 >>> 7) & 4);
        ng = (d2 >>> 11) & 1;
        this.shareable = (d2 >>> 10) & 1;
        this.supersection = false;
        if (d2 & 2) {
          pa = (d2 & 0xfffff000) | (va & 0xfff);
          xn = d2 & 1;
          this.texcb = (((d2 >>> 6) & 7) << 2) | ((d2 >>> 2) & 3);
          this.blockShift = 12;
        } else {
          pa = (d2 & 0xffff0000) | (va & 0xffff);
          xn = (d2 >>> 15) & 1;
          this.texcb = (((d2 >>> 12) & 7) << 2) | ((d2 >>> 2) & 3);
          this.blockShift = 16;
        }
        break;
      }
      default: {
        section = true;
        pxn = d1 & 1;
        xn = (d1 >>> 4) & 1;
        ap = ((d1 >>> 10) & 3) | ((d1 >>> 13) & 4);
        ng = (d1 >>> 17) & 1;
        this.shareable = (d1 >>> 16) & 1;
        this.texcb = (((d1 >>> 12) & 7) << 2) | ((d1 >>> 2) & 3);
        if (d1 & (1 << 18)) {
          // Supersection: always domain 0; bits [23:20] and [8:5] extend the PA beyond 32 bits,
          // where this machine has nothing.
          domain = 0;
          if (d1 & 0x00f001e0) return this.fault(FS_SYNC_EXTERNAL, 0);
          pa = (d1 & 0xff000000) | (va & 0x00ffffff);
          this.blockShift = 24;
          this.supersection = true;
        } else {
          domain = (d1 >>> 5) & 0xf;
          pa = (d1 & 0xfff00000) | (va & 0x000fffff);
          this.blockShift = 20;
          this.supersection = false;
        }
      }
    }

    // Access flag, then the memory type's alignment, then domain, then permissions (the order of
    // the ARM ARM's pseudocode).
    const afe = (sctlr & SCTLR_AFE) !== 0;
    if (afe && (ap & 1) === 0) return this.fault(section ? FS_ACCESS_FLAG_SECTION : FS_ACCESS_FLAG_PAGE, domain);
    this.device = kind !== KIND_FETCH && shortIsDevice(this.texcb, (sctlr & SCTLR_TRE) !== 0, cp15.prrr);
    if (unaligned && this.device) return this.fault(FS_ALIGNMENT, 0);
    const access = (cp15.dacr >>> (domain << 1)) & 3;
    if (access === 0 || access === 2) return this.fault(section ? FS_DOMAIN_SECTION : FS_DOMAIN_PAGE, domain);
    if (access === 1) {
      // Client: check AP, and XN/PXN for fetches. Manager domains check neither (B3.7.2).
      const isWrite = kind === KIND_WRITE;
      let forbidden = apForbids(afe ? ap | 1 : ap, user, isWrite);
      if (kind === KIND_FETCH && (xn !== 0 || (pxn !== 0 && !user))) forbidden = true;
      if (forbidden) return this.fault(section ? FS_PERMISSION_SECTION : FS_PERMISSION_PAGE, domain);
    }
    this.global = ng === 0;
    return pa >>> 0;
  }

  private fault(fs: number, domain: number): number {
    this.fs = fs;
    this.faultDomain = domain;
    return -1;
  }
}

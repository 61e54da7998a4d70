// The VA-to-PA operations (ATS1CPR/CPW/CUR/CUW) while TTBCR.EAE = 1: PAR in its 64-bit
// Long-descriptor format (DDI 0406C B4.1.113).
//   success: ATTR[63:56] (the MAIR byte of the mapping), PA[39:12], LPAE (11) = 1, NS (9), SH[8:7].
//   failure: LPAE (11) = 1, FSTAGE (9) = 0 (stage 1), S2WLK (8) = 0, FST[6:1], F (0) = 1.

import type { Cp15 } from "./cp15.js";
import type { Stage1Walker } from "./mmu-walk.js";
import { KIND_READ, KIND_WRITE } from "./tlb-store.js";
import { SCTLR_M } from "./cp15-regs.js";
import { LD_SYNC_EXTERNAL } from "./mmu-faults-lpae.js";

const PAR_F = 1;
const PAR_LPAE = 1 << 11;
const PAR_NS = 1 << 9;
/** SH = 0b10: Device and Strongly-ordered memory is reported as Outer Shareable. */
const SH_OUTER = 2;

/** Runs the translation and leaves the 64-bit result in cp15.par (low word) and cp15.parHi. */
export function longFormatPar(cp15: Cp15, walker: Stage1Walker, va: number, isWrite: boolean, user: boolean): void {
  if ((cp15.sctlr & SCTLR_M) === 0) {
    // MMU off: flat, and data accesses are Strongly-ordered (MAIR encoding 0x00).
    cp15.par = ((va >>> 0) & 0xfffff000) | PAR_LPAE | PAR_NS | (SH_OUTER << 7) | 0;
    cp15.parHi = 0;
    return;
  }
  const pa = walker.translate(va, isWrite ? KIND_WRITE : KIND_READ, user);
  const long = walker.long;
  // A mapping beyond 4 GiB is a fault for an access, but the operation reports its address.
  const highPa = pa < 0 && (walker.fs & 0x3f) === LD_SYNC_EXTERNAL && long.paHigh !== 0;
  if (pa < 0 && !highPa) {
    cp15.par = ((walker.fs & 0x3f) << 1) | PAR_LPAE | PAR_F;
    cp15.parHi = 0;
    return;
  }
  const idx = long.attrIndx;
  const attr = ((idx < 4 ? cp15.mair0 : cp15.mair1) >>> (8 * (idx & 3))) & 0xff;
  const sh = attr >>> 4 === 0 ? SH_OUTER : long.sh;
  cp15.par = (long.paLow & 0xfffff000) | PAR_LPAE | PAR_NS | (sh << 7) | 0;
  cp15.parHi = (attr << 24) | long.paHigh | 0;
}

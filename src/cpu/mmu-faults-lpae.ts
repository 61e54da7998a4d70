// Fault status in the Long-descriptor format (DDI 0406C B4.1.52 DFSR, B4.1.96 IFSR, B3.13.3 table
// B3-24), used for every abort taken while TTBCR.EAE = 1: STATUS[5:0], LPAE (bit 9) = 1, WnR
// (bit 11, DFSR only). Lookup-level faults carry the level (1-3) in STATUS[1:0].

/** DFSR/IFSR.LPAE: the register holds a Long-descriptor format status. */
export const FSR_LPAE = 1 << 9;

// STATUS values; the per-level ones take `| level`.
export const LD_TRANSLATION = 0b000100;
export const LD_ACCESS_FLAG = 0b001000;
export const LD_PERMISSION = 0b001100;
export const LD_SYNC_EXTERNAL = 0b010000;
export const LD_WALK_EXTERNAL = 0b010100;
export const LD_ALIGNMENT = 0b100001;
export const LD_DEBUG = 0b100010;

// The short-descriptor FS values raised outside the translation table walk (mmu-faults.ts).
const SD_ALIGNMENT = 0b00001;
const SD_DEBUG = 0b00010;

/** FSR bits that keep their meaning in both formats: WnR (11), ExT (12), CM (13). */
const FSR_COMMON = 0x3800;

/**
 * The Long-descriptor form of a fault status. Values already in that form (the long walk's) pass
 * through; the others are the faults raised outside a walk (alignment, debug event, synchronous
 * external abort), which exist in both formats.
 */
export function longFsrOf(fsr: number): number {
  if (fsr & FSR_LPAE) return fsr;
  const fs = (fsr & 0xf) | ((fsr >>> 6) & 0x10);
  let status: number;
  if (fs === SD_ALIGNMENT) status = LD_ALIGNMENT;
  else if (fs === SD_DEBUG) status = LD_DEBUG;
  else status = LD_SYNC_EXTERNAL;
  return status | FSR_LPAE | (fsr & FSR_COMMON);
}

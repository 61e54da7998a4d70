// Fault status codes of the short-descriptor format (DDI 0406C B4.1.52 DFSR, B3.13.3), as the
// 5-bit FS value; FS[4] goes to bit 10 of DFSR/IFSR.

export const FS_ALIGNMENT = 0b00001;
export const FS_ACCESS_FLAG_SECTION = 0b00011;
export const FS_ACCESS_FLAG_PAGE = 0b00110;
export const FS_TRANSLATION_SECTION = 0b00101;
export const FS_TRANSLATION_PAGE = 0b00111;
export const FS_SYNC_EXTERNAL = 0b01000;
export const FS_DOMAIN_SECTION = 0b01001;
export const FS_DOMAIN_PAGE = 0b01011;
export const FS_WALK_EXTERNAL_L1 = 0b01100;
export const FS_WALK_EXTERNAL_L2 = 0b01110;
export const FS_PERMISSION_SECTION = 0b01101;
export const FS_PERMISSION_PAGE = 0b01111;

/** DFSR.WnR: the abort was caused by a write. */
export const FSR_WNR = 1 << 11;

/** Set in `fs` by the Long-descriptor walk (mmu-walk-lpae.ts): `fs` is then a whole FSR already. */
const FSR_LPAE = 1 << 9;

/** IFSR value for fault status `fs`. */
export function ifsrOf(fs: number): number {
  if (fs & FSR_LPAE) return fs;
  return (fs & 0xf) | ((fs & 0x10) << 6);
}

/** DFSR value for fault status `fs` in `domain`. */
export function dfsrOf(fs: number, domain: number, isWrite: boolean): number {
  if (fs & FSR_LPAE) return fs | (isWrite ? FSR_WNR : 0);
  return (fs & 0xf) | ((fs & 0x10) << 6) | ((domain & 0xf) << 4) | (isWrite ? FSR_WNR : 0);
}

// Memory attributes of a short-descriptor mapping as the PAR reports them after an ATS1C*
// operation (DDI 0406C B3.8.2 TEX/C/B encodings, B3.8.3 TEX remap with PRRR/NMRR, B4.1.113 PAR).
// We model no caches: attributes change nothing else.

// PAR.Inner[6:4] encodings.
const INNER_NC = 0;
const INNER_SO = 1;
const INNER_DEVICE = 3;
const INNER_WBWA = 5;
const INNER_WT = 6;
const INNER_WB = 7;
/** Cacheability field values 00 NC, 01 WB-WA, 10 WT, 11 WB no WA, as PAR.Inner. */
const INNER_OF_RGN = [INNER_NC, INNER_WBWA, INNER_WT, INNER_WB];

const PAR_SH = 1 << 7;
const PAR_NS = 1 << 9;
const PAR_NOS = 1 << 10;

function par(inner: number, outer: number, sh: boolean, nos: boolean): number {
  // This core runs in Non-secure state, so NS is always reported.
  return (nos ? PAR_NOS : 0) | PAR_NS | (sh ? PAR_SH : 0) | (inner << 4) | (outer << 2);
}

/** PAR bits [10:2] for a mapping with TEX[2:0]:C:B = `texcb` and S = `shareable`. */
export function parAttributes(texcb: number, shareable: number, tre: boolean, prrr: number, nmrr: number): number {
  const s = shareable !== 0;
  if (tre) {
    const n = texcb & 7;
    const type = (prrr >>> (2 * n)) & 3;
    if (type === 0) return par(INNER_SO, 0, true, false);
    if (type === 1) return par(INNER_DEVICE, 0, (prrr >>> (s ? 17 : 16)) & 1 ? true : false, false);
    // Normal (0b11 is reserved and treated as Normal).
    const inner = INNER_OF_RGN[(nmrr >>> (2 * n)) & 3];
    const outer = (nmrr >>> (16 + 2 * n)) & 3;
    const sh = ((prrr >>> (s ? 19 : 18)) & 1) !== 0;
    return par(inner, outer, sh, sh && ((prrr >>> (24 + n)) & 1) !== 0);
  }
  if (texcb & 0x10) {
    // TEX = 1BB, C:B = AA: Normal memory, outer policy BB, inner policy AA.
    return par(INNER_OF_RGN[texcb & 3], (texcb >>> 2) & 3, s, false);
  }
  switch (texcb) {
    case 0b00000:
      return par(INNER_SO, 0, true, false);
    case 0b00001:
      return par(INNER_DEVICE, 0, true, false);
    case 0b00010:
      return par(INNER_WT, 2, s, false);
    case 0b00011:
      return par(INNER_WB, 3, s, false);
    case 0b00111:
      return par(INNER_WBWA, 1, s, false);
    case 0b01000:
      return par(INNER_DEVICE, 0, false, false);
    default:
      // Normal non-cacheable (0b00100) and the reserved encodings.
      return par(INNER_NC, 0, s, false);
  }
}

/**
 * True when a short-descriptor mapping with TEX[2:0]:C:B = `texcb` is Device or Strongly-ordered
 * memory (B3.8.2 table B3-10; with TEX remap, PRRR.TRn for n = TEX[0]:C:B, B3.8.3), where every
 * unaligned access takes an Alignment fault (A3.2.1).
 */
export function shortIsDevice(texcb: number, tre: boolean, prrr: number): boolean {
  if (tre) return ((prrr >>> (2 * (texcb & 7))) & 2) === 0;
  return texcb === 0b00000 || texcb === 0b00001 || texcb === 0b01000;
}

/** True when MAIR attribute `attrIndx` (MAIR0 bytes 0-3, MAIR1 bytes 4-7) is Device or
 * Strongly-ordered memory: Attr[7:4] = 0b0000 (B4.1.104). */
export function mairIsDevice(mair0: number, mair1: number, attrIndx: number): boolean {
  const attr = (attrIndx < 4 ? mair0 >>> (8 * attrIndx) : mair1 >>> (8 * (attrIndx - 4))) & 0xff;
  return attr >>> 4 === 0;
}

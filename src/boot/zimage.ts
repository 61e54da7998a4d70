// ARM Linux zImage header (arch/arm/boot/compressed/head.S, as bootloaders read it): the magic at
// 0x24, the image's own start/end addresses at 0x28/0x2C, an endianness word at 0x30, and an
// optional table of ATAG-style tags (offset at 0x38, announced by 0x45454545 at 0x34) whose
// "KLSZ" tag gives the decompressed kernel's size. The zImage is position independent: it runs
// where it is loaded and decompresses the kernel itself, in the guest.

import { BootError, hex32 } from "./boot-error.js";

export const ZIMAGE_MAGIC_OFFSET = 0x24;
export const ZIMAGE_MAGIC = 0x016f2818;
const ZIMAGE_START_OFFSET = 0x28;
const ZIMAGE_END_OFFSET = 0x2c;
const ZIMAGE_ENDIAN_OFFSET = 0x30;
const ZIMAGE_ENDIAN_LE = 0x04030201;
const ZIMAGE_ENDIAN_BE = 0x01020304;
const ZIMAGE_MAGIC2_OFFSET = 0x34;
const ZIMAGE_MAGIC2 = 0x45454545;
const ZIMAGE_TABLE_OFFSET = 0x38;
/** Tag of the decompressed-size entry: { size_ptr, bss_size, ... } ("KLSZ"). */
const ZIMAGE_TAG_KRNL_SIZE = 0x5a534c4b;
const MAX_TAGS = 64;

export interface ZImageInfo {
  /** Address the image was linked to run at, or 0 for position independent (the usual case). */
  linkAddress: number;
  /** Bytes the header says the image occupies (end - start); the file may be longer (appended DTB). */
  imageSize: number;
  /** Decompressed kernel size including .bss when the header's tag table gives it, else null. */
  kernelSize: number | null;
}

function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

export function isZImage(bytes: Uint8Array): boolean {
  return bytes.length >= ZIMAGE_END_OFFSET + 4 && u32(bytes, ZIMAGE_MAGIC_OFFSET) === ZIMAGE_MAGIC;
}

/** Reads the header of a file for which isZImage() is true. */
export function parseZImage(bytes: Uint8Array): ZImageInfo {
  const start = u32(bytes, ZIMAGE_START_OFFSET);
  const end = u32(bytes, ZIMAGE_END_OFFSET);
  if (end <= start) throw new BootError(`zImage header: end ${hex32(end)} is not after start ${hex32(start)}`);
  const imageSize = end - start;
  if (bytes.length < imageSize) {
    throw new BootError(`truncated zImage: the header says ${imageSize} bytes, the file has ${bytes.length}`);
  }
  if (bytes.length >= ZIMAGE_ENDIAN_OFFSET + 4 && u32(bytes, ZIMAGE_ENDIAN_OFFSET) === ZIMAGE_ENDIAN_BE) {
    throw new BootError("big-endian zImage: only little-endian guests are supported");
  }
  return { linkAddress: start, imageSize, kernelSize: decompressedSize(bytes) };
}

/** text+data+bss of the decompressed kernel from the KLSZ tag, or null when absent or malformed. */
function decompressedSize(bytes: Uint8Array): number | null {
  if (bytes.length < ZIMAGE_TABLE_OFFSET + 4) return null;
  if (u32(bytes, ZIMAGE_ENDIAN_OFFSET) !== ZIMAGE_ENDIAN_LE || u32(bytes, ZIMAGE_MAGIC2_OFFSET) !== ZIMAGE_MAGIC2) {
    return null;
  }
  let at = u32(bytes, ZIMAGE_TABLE_OFFSET);
  for (let n = 0; n < MAX_TAGS && at + 8 <= bytes.length; n++) {
    const words = u32(bytes, at);
    const tag = u32(bytes, at + 4);
    if (words === 0) return null; // ATAG_NONE ends the table
    if (tag === ZIMAGE_TAG_KRNL_SIZE && words >= 4 && at + 16 <= bytes.length) {
      const sizePtr = u32(bytes, at + 8);
      const bss = u32(bytes, at + 12);
      if (sizePtr + 4 > bytes.length) return null;
      return u32(bytes, sizePtr) + bss;
    }
    at += words * 4;
  }
  return null;
}

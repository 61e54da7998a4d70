// The CFI query table one chip of a bank answers (JEDEC JESD68 / Intel's CFI specification), with
// the values QEMU's pflash_cfi01 presents, so that u-boot's and Linux's cfi_probe find the same
// flash here as under QEMU: "QRY", the Intel/Sharp extended command set (0x0001) with its primary
// extended table "PRI" 1.0 at 0x31, 2^0x0B bytes of write buffer per chip, one uniform erase-block
// region. A bank is `bankWidth / deviceWidth` chips side by side, each holding half of every
// sector (QEMU's default, not its "old-multiple-chip-handling").

/** Bytes of the table (QEMU's cfi_table[0x52]); queries past it read 0. */
export const CFI_TABLE_SIZE = 0x52;

export interface FlashGeometry {
  /** Bank size in bytes. */
  size: number;
  /** Erase block (sector) of the whole bank, in bytes. */
  sectorSize: number;
  /** Bytes the bank's data bus carries (QEMU's "width"). */
  bankWidth: number;
  /** Bytes each chip carries (QEMU's "device-width"). */
  deviceWidth: number;
}

/** Write-buffer size of one chip, as a power of two (CFI 0x2A). */
export const CFI_WRITE_BUFFER_LOG2 = 0x0b;

export function chipsPerBank(g: FlashGeometry): number {
  return g.bankWidth / g.deviceWidth;
}

/** The bank's write buffer in bytes: every chip's buffer side by side. */
export function writeBufferSize(g: FlashGeometry): number {
  return (1 << CFI_WRITE_BUFFER_LOG2) * chipsPerBank(g);
}

export function buildCfiTable(g: FlashGeometry): Uint8Array {
  const t = new Uint8Array(CFI_TABLE_SIZE);
  const chips = chipsPerBank(g);
  const blocks = g.size / g.sectorSize;
  const chipSector = g.sectorSize / chips;
  const chipSize = chipSector * blocks;
  t.set([0x51, 0x52, 0x59], 0x10); // "QRY"
  t[0x13] = 0x01; // primary command set: Intel/Sharp extended
  t[0x15] = 0x31; // primary extended table at 0x31
  t[0x1b] = 0x45; // Vcc min 4.5 V
  t[0x1c] = 0x55; // Vcc max 5.5 V
  t[0x1f] = 0x07; // typical word program: 2^7 us
  t[0x20] = 0x07; // typical buffer write: 2^7 us
  t[0x21] = 0x0a; // typical block erase: 2^10 ms
  t[0x23] = 0x04; // maximum word program: 2^4 x typical
  t[0x24] = 0x04; // maximum buffer write
  t[0x25] = 0x04; // maximum block erase
  t[0x27] = Math.log2(chipSize); // chip size: 2^n bytes
  t[0x28] = 0x02; // interface: x8/x16 asynchronous
  t[0x2a] = CFI_WRITE_BUFFER_LOG2;
  t[0x2c] = 0x01; // one erase-block region
  t[0x2d] = (blocks - 1) & 0xff;
  t[0x2e] = ((blocks - 1) >>> 8) & 0xff;
  t[0x2f] = (chipSector >>> 8) & 0xff; // block size in units of 256 bytes
  t[0x30] = (chipSector >>> 16) & 0xff;
  t.set([0x50, 0x52, 0x49, 0x31, 0x30], 0x31); // "PRI", version "1" "0"
  t[0x3f] = 0x01; // protection fields
  return t;
}

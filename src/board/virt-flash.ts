// The virt board's two CFI flash banks, as QEMU's virt machine builds them (hw/arm/virt.c:
// pflash_cfi01, 256 KiB sectors, width 4 made of two x16 chips, little-endian, Intel manufacturer
// 0x89 and device 0x18), and how the CPUs reach them.
//
// Reads in read-array mode are stage-2 memory, as fast as RAM. Every write traps to the device.
// Out of read-array mode a bank is unmapped for reads, so status, ID and query reads trap too:
// QEMU's "romd" mode, kept in one shared word per bank (FlashGates) that every CPU's stage 2
// consults. Each write counts in that word from the moment it traps until the device has done
// it, so a vcpu thread can post its write to the I/O thread (where the device lives, with the
// backing file) and go on: its next read of the bank traps and reaches the device after the
// write. Whoever first makes a word non-zero flushes every CPU's TLB (a stage-2 unmap).

import { CodeCache } from "../cpu/code-cache.js";
import type { MmioDevice } from "../devices/device.js";
import type { FlashGeometry } from "../devices/pflash/cfi-table.js";
import { PflashCfi01 } from "../devices/pflash/pflash-cfi01.js";
import type { MmioBus } from "../vmm/mmio-bus.js";
import { VIRT_FLASH, VIRT_FLASH1, VIRT_FLASH_BANK_WIDTH, type BoardEntry } from "./virt.js";

export const VIRT_FLASH_BANKS: readonly BoardEntry[] = [VIRT_FLASH, VIRT_FLASH1];

/** QEMU's virt flash: 64 MiB banks of 256 KiB sectors, 32 bits wide, two x16 chips. */
export const VIRT_FLASH_GEOMETRY: FlashGeometry = {
  size: VIRT_FLASH.size,
  sectorSize: 256 * 1024,
  bankWidth: VIRT_FLASH_BANK_WIDTH,
  deviceWidth: 2,
};
export const VIRT_FLASH_MANUFACTURER = 0x89;
export const VIRT_FLASH_DEVICE = 0x18;

/** A bank's backing store (a file): read once at start, written back as the guest changes it. */
export interface FlashBacking {
  /** Fills `into` (the whole bank) with the stored image. */
  load(into: Uint8Array): void;
  /** The guest programmed or erased these bytes (at `offset` in the bank). */
  store(offset: number, bytes: Uint8Array): void;
}

/** Bit 0 of a bank's word: the device is out of read-array mode. */
const OUT_OF_ARRAY = 1;
/** What each write adds to a bank's word while it is on its way. */
const IN_FLIGHT = 2;

/** The banks' shared words: a bank is memory for reads while its word is 0. */
export class FlashGates {
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;

  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(4 * VIRT_FLASH_BANKS.length);
    this.words = new Int32Array(this.buffer);
  }

  /** The word of `bank`, as stage 2 reads it (RamRegion.romd). */
  word(bank: number): Int32Array {
    return this.words.subarray(bank, bank + 1);
  }

  /** A write to `bank` trapped: true when the bank was memory until now (every TLB must forget it). */
  beginWrite(bank: number): boolean {
    return Atomics.add(this.words, bank, IN_FLIGHT) === 0;
  }

  /** The device has done the write. */
  endWrite(bank: number): void {
    Atomics.sub(this.words, bank, IN_FLIGHT);
  }

  setArrayMode(bank: number, readArray: boolean): void {
    if (readArray) Atomics.and(this.words, bank, ~OUT_OF_ARRAY);
    else Atomics.or(this.words, bank, OUT_OF_ARRAY);
  }
}

/** A bank's window on the bus of the thread where the device lives. `ownsGate`: the write trapped
 * here (one thread), so the window counts it in and out itself; on the I/O thread the vcpu thread
 * counted it in (VcpuFlashWindow) and the window counts it out once done. */
class FlashWindow implements MmioDevice {
  constructor(
    private readonly device: PflashCfi01,
    private readonly gates: FlashGates,
    private readonly bank: number,
    private readonly unmapped: (() => void) | null,
  ) {}
  read(offset: number, size: number): number {
    return this.device.read(offset, size);
  }
  write(offset: number, size: number, value: number): void {
    if (this.unmapped !== null && this.gates.beginWrite(this.bank)) this.unmapped();
    this.device.write(offset, size, value);
    this.gates.endWrite(this.bank);
  }
}

/** A bank's window on a vcpu thread: reads and writes go to the I/O thread; a write counts in at
 * once, so that this vcpu's next read of the bank traps (and arrives after the write). */
export class VcpuFlashWindow implements MmioDevice {
  constructor(
    private readonly remote: MmioDevice,
    private readonly gates: FlashGates,
    private readonly bank: number,
    private readonly unmapped: () => void,
  ) {}
  read(offset: number, size: number, cpu: number): number {
    return this.remote.read(offset, size, cpu);
  }
  write(offset: number, size: number, value: number, cpu: number): void {
    if (this.gates.beginWrite(this.bank)) this.unmapped();
    this.remote.write(offset, size, value, cpu);
  }
}

export interface VirtFlashConfig {
  gates: FlashGates;
  /** Each bank's array in guest memory. */
  storage: readonly Uint8Array[];
  /** Backing stores by bank (absent: the bank starts as zeros and forgets at exit, as QEMU's). */
  backings: readonly (FlashBacking | null | undefined)[];
  log: (message: string) => void;
  /** Flushes every CPU's TLB when the devices trap on this thread (one thread for every vcpu);
   * null when the vcpu threads do it (VcpuFlashWindow). */
  unmapped: (() => void) | null;
}

/** Builds both banks, loads their images, and puts them on `bus` at the board's addresses. */
export function mapVirtFlash(bus: MmioBus, config: VirtFlashConfig): PflashCfi01[] {
  return VIRT_FLASH_BANKS.map((entry, bank) => {
    const storage = config.storage[bank];
    const backing = config.backings[bank] ?? null;
    backing?.load(storage);
    // Code translated from the bank (firmware runs from it) is stale once the bank changes. On
    // vcpu threads each thread's translations follow the guest's cache maintenance instead.
    const code = CodeCache.of(storage.buffer);
    const device = new PflashCfi01({
      geometry: VIRT_FLASH_GEOMETRY,
      storage,
      manufacturerId: VIRT_FLASH_MANUFACTURER,
      deviceId: VIRT_FLASH_DEVICE,
      onArrayMode: (on) => config.gates.setArrayMode(bank, on),
      store: (offset, length) => {
        code.writtenRange(storage.byteOffset + offset, length);
        backing?.store(offset, storage.subarray(offset, offset + length));
      },
      log: (m) => config.log(`${entry.name}: ${m}`),
    });
    bus.register(entry.name, entry.base, entry.size, new FlashWindow(device, config.gates, bank, config.unmapped));
    return device;
  });
}

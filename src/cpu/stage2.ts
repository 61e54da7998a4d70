// The VM's stage-2 map as the core sees it: which intermediate physical addresses are backed by
// guest RAM (or read-only flash), and which are hardware windows the guest reaches without a
// trap (the GIC virtual CPU interface mapped at the guest's GICC address). Everything else is
// unbacked, and an access to it is a stage-2 data abort taken to the hypervisor.

/** A device window accessed directly by the hardware (no hypervisor exit). */
export interface HardwareWindow {
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number): void;
}

export interface RamRegion {
  /** First IPA of the region (page aligned). */
  base: number;
  /** Size in bytes (page multiple). */
  size: number;
  /** Byte offset of the region in Stage2.memory. */
  offset: number;
  /** Guest writes are allowed (false for flash: writes trap to the hypervisor). */
  writable: boolean;
  /** For a flash bank: the region backs reads only while this shared word is 0 (the bank is in
   * read-array mode and no write is on its way to the device, QEMU's "romd" mode); otherwise
   * the IPAs are unbacked and reads trap too. Whoever makes it non-zero flushes the TLBs. */
  romd: Int32Array | null;
}

export interface HardwareRegion {
  base: number;
  size: number;
  window: HardwareWindow;
}

export class Stage2 {
  readonly regions: RamRegion[] = [];
  readonly hardware: HardwareRegion[] = [];
  /** One backing store for every RAM region, so the TLB can hold a single offset. */
  readonly memory: Uint8Array;
  readonly mem16: Uint16Array;
  readonly mem32: Int32Array;

  /** `backing` is a size in bytes, or the buffer of another Stage2 to share its memory (each
   * physical CPU has its own view, because hardware windows such as GICV are banked per CPU). */
  constructor(backing: number | ArrayBufferLike) {
    const buffer = typeof backing === "number" ? new ArrayBuffer(backing) : backing;
    this.memory = new Uint8Array(buffer);
    this.mem16 = new Uint16Array(buffer);
    this.mem32 = new Int32Array(buffer);
  }

  addRam(base: number, size: number, offset: number, writable: boolean, romd: Int32Array | null = null): void {
    this.regions.push({ base: base >>> 0, size, offset, writable, romd });
  }

  addHardware(base: number, size: number, window: HardwareWindow): void {
    this.hardware.push({ base: base >>> 0, size, window });
  }

  /** Byte offset in `memory` of `ipa`, or -1 when it is not RAM-backed. */
  ramOffset(ipa: number): number {
    const a = ipa >>> 0;
    const regions = this.regions;
    for (let k = 0; k < regions.length; k++) {
      const r = regions[k];
      if (a >= r.base && a - r.base < r.size)
        return r.romd !== null && Atomics.load(r.romd, 0) !== 0 ? -1 : r.offset + (a - r.base);
    }
    return -1;
  }

  /** The RAM region holding `ipa`, if any. */
  regionAt(ipa: number): RamRegion | undefined {
    const a = ipa >>> 0;
    for (const r of this.regions) {
      if (a >= r.base && a - r.base < r.size) return r.romd !== null && Atomics.load(r.romd, 0) !== 0 ? undefined : r;
    }
    return undefined;
  }

  hardwareAt(ipa: number): HardwareRegion | undefined {
    const a = ipa >>> 0;
    for (const h of this.hardware) if (a >= h.base && a - h.base < h.size) return h;
    return undefined;
  }
}

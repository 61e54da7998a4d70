// Guest physical memory as a device sees it for DMA: the VM's one shared buffer, cut into the
// board's RAM and flash regions. Virtqueues and buffers are reached in place through `bytes`; a
// device asks for the offset of a guest range and gets -1 when any part of it lies outside memory
// (or, for a range it will write, outside writable memory), so a bad address from the guest becomes
// a device error, never a host exception.

export interface GuestRegion {
  readonly base: number;
  readonly size: number;
  /** Offset of the region in the shared buffer. */
  readonly offset: number;
  readonly writable: boolean;
}

export class GuestMemory {
  readonly bytes: Uint8Array;
  /** The same buffer as 16- and 32-bit words, for the rings' aligned fields (Atomics on the indices). */
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;

  constructor(
    buffer: ArrayBufferLike,
    private readonly regions: readonly GuestRegion[],
    /** Pages ever written, one byte per 4 KiB page (snapshots read only these); optional. */
    private readonly dirtyPages: Uint8Array | null = null,
  ) {
    this.bytes = new Uint8Array(buffer);
    this.u16 = new Uint16Array(buffer, 0, buffer.byteLength >>> 1);
    this.u32 = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
  }

  /** Buffer offset of guest physical [addr, addr + len), or -1 if it is not all in one region (in
   * a writable one when `write`). `addr` is a 64-bit address given as two halves. */
  offsetOf(addrLow: number, addrHigh: number, len: number, write: boolean): number {
    if (addrHigh !== 0 || len < 0) return -1;
    const addr = addrLow >>> 0;
    for (const r of this.regions) {
      if (addr >= r.base && addr + len <= r.base + r.size) {
        if (!write) return r.offset + (addr - r.base);
        if (!r.writable) return -1;
        const off = r.offset + (addr - r.base);
        if (this.dirtyPages !== null && len > 0) this.dirtyPages.fill(1, off >>> 12, ((off + len - 1) >>> 12) + 1);
        return off;
      }
    }
    return -1;
  }

  read16(off: number): number {
    return this.bytes[off] | (this.bytes[off + 1] << 8);
  }

  read32(off: number): number {
    return (
      (this.bytes[off] | (this.bytes[off + 1] << 8) | (this.bytes[off + 2] << 16) | (this.bytes[off + 3] << 24)) >>> 0
    );
  }

  write16(off: number, value: number): void {
    this.bytes[off] = value;
    this.bytes[off + 1] = value >>> 8;
  }

  write32(off: number, value: number): void {
    this.bytes[off] = value;
    this.bytes[off + 1] = value >>> 8;
    this.bytes[off + 2] = value >>> 16;
    this.bytes[off + 3] = value >>> 24;
  }
}

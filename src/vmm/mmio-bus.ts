// The VM's MMIO bus: guest physical ranges mapped to device windows. The hypervisor's stage-2 data
// abort handler forwards every access that RAM does not back here; a miss (no window, or an access
// running past a window's end) is answered by the hypervisor with an external abort into the guest.
// Windows are fixed when the board is built, so registration validates everything and lookups are a
// last-hit check plus a binary search over a sorted array (a few dozen windows).

import type { MmioDevice } from "../devices/device.js";

/** Returned by `read` when no window takes the access (device values are zero-extended, never negative). */
export const MMIO_MISS = -1;

const ADDRESS_SPACE = 0x1_0000_0000;

/** How many distinct unmapped addresses are reported before the bus stops remembering new ones. */
const MAX_REPORTED_MISSES = 4096;

export interface MmioWindow {
  readonly name: string;
  /** First guest physical address. */
  readonly base: number;
  /** Size in bytes. */
  readonly size: number;
  readonly device: MmioDevice;
}

/** Called the first time an access to `addr` misses (later misses at the same address are silent). */
export type UnmappedHandler = (addr: number, size: number, isWrite: boolean) => void;

/** A board description error: bad or overlapping windows. */
export class MmioBusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MmioBusError";
  }
}

function hex(n: number): string {
  return "0x" + n.toString(16).padStart(8, "0");
}

export class MmioBus {
  /** Sorted by base, non-overlapping. */
  private readonly windows: MmioWindow[] = [];
  /** Index of the window that took the last access (most runs of accesses go to one device). */
  private lastHit = -1;
  private readonly reported = new Set<number>();
  /** Misses at new addresses that were not reported because MAX_REPORTED_MISSES was reached. */
  unreportedMisses = 0;
  onUnmapped: UnmappedHandler | null = null;

  /** Maps `device` at [base, base + size). Throws MmioBusError on a bad range or an overlap. */
  register(name: string, base: number, size: number, device: MmioDevice): void {
    if (!Number.isInteger(base) || base < 0 || base >= ADDRESS_SPACE) {
      throw new MmioBusError(`${name}: base ${base} is not a 32-bit guest physical address`);
    }
    if (!Number.isInteger(size) || size <= 0) {
      throw new MmioBusError(`${name}: size ${size} must be a positive integer`);
    }
    if (base + size > ADDRESS_SPACE) {
      throw new MmioBusError(`${name}: window ${hex(base)} + ${hex(size)} runs past the 4 GiB address space`);
    }
    const list = this.windows;
    let at = 0;
    while (at < list.length && list[at].base < base) at++;
    const before = at > 0 ? list[at - 1] : null;
    const after = at < list.length ? list[at] : null;
    if (before !== null && before.base + before.size > base) {
      throw new MmioBusError(`${name} at ${hex(base)} overlaps ${before.name} at ${hex(before.base)}`);
    }
    if (after !== null && base + size > after.base) {
      throw new MmioBusError(`${name} at ${hex(base)} overlaps ${after.name} at ${hex(after.base)}`);
    }
    list.splice(at, 0, { name, base, size, device });
    this.lastHit = -1;
  }

  /** The windows in address order. */
  list(): readonly MmioWindow[] {
    return this.windows;
  }

  /** The index of the window containing all of [addr, addr + size), or -1. */
  private indexOf(addr: number, size: number): number {
    const list = this.windows;
    let k = this.lastHit;
    if (k < 0 || addr < list[k].base || addr - list[k].base >= list[k].size) {
      // Binary search for the last window with base <= addr.
      let lo = 0;
      let hi = list.length - 1;
      k = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid].base <= addr) {
          k = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      if (k < 0 || addr - list[k].base >= list[k].size) return -1;
    }
    // An access running past the window's end would reach whatever follows: refuse it whole.
    if (addr - list[k].base + size > list[k].size) return -1;
    this.lastHit = k;
    return k;
  }

  /** The window that would take an access of `size` bytes at `addr`, or null. */
  find(addr: number, size = 1): MmioWindow | null {
    const k = this.indexOf(addr >>> 0, size);
    return k < 0 ? null : this.windows[k];
  }

  /** Reads `size` (1, 2 or 4) bytes at guest physical `addr`; MMIO_MISS when nothing takes it. */
  read(addr: number, size: number, cpu: number): number {
    const a = addr >>> 0;
    const k = size === 1 || size === 2 || size === 4 ? this.indexOf(a, size) : -1;
    if (k < 0) {
      this.miss(a, size, false);
      return MMIO_MISS;
    }
    const w = this.windows[k];
    return w.device.read(a - w.base, size, cpu) >>> 0;
  }

  /** Writes `size` (1, 2 or 4) bytes at guest physical `addr`; false when nothing takes it. */
  write(addr: number, size: number, value: number, cpu: number): boolean {
    const a = addr >>> 0;
    const k = size === 1 || size === 2 || size === 4 ? this.indexOf(a, size) : -1;
    if (k < 0) {
      this.miss(a, size, true);
      return false;
    }
    const w = this.windows[k];
    w.device.write(a - w.base, size, value >>> 0, cpu);
    return true;
  }

  private miss(addr: number, size: number, isWrite: boolean): void {
    if (this.reported.has(addr)) return;
    if (this.reported.size >= MAX_REPORTED_MISSES) {
      this.unreportedMisses++;
      return;
    }
    this.reported.add(addr);
    if (this.onUnmapped !== null) this.onUnmapped(addr, size, isWrite);
  }
}

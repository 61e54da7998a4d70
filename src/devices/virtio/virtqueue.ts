// A split virtqueue (Virtio 1.1 2.6) as the device sees it, read and written in place in guest
// memory: the descriptor table, the driver's available ring and the device's used ring.
//
//   descriptor (16 bytes): le64 addr, le32 len, le16 flags (NEXT 1, WRITE 2, INDIRECT 4), le16 next
//   available ring: le16 flags, le16 idx, le16 ring[size], le16 used_event
//   used ring:      le16 flags, le16 idx, {le32 id, le32 len}[size], le16 avail_event
//
// Everything the driver wrote is checked before it is followed: a head or next index out of the
// table, a chain longer than the table (a loop), a buffer outside guest memory, a readable buffer
// after a writable one, a nested indirect table or an available index that jumped by more than the
// queue size all throw a VirtqueueError, and the transport marks the device as needing a reset. The
// ring indices are read and written with Atomics so that the driver, which may be running on
// another thread at this moment, sees the used element before the index that publishes it.

import type { StateReader, StateWriter } from "../../snapshot/state-stream.js";
import type { GuestMemory } from "./guest-memory.js";
import { VIRTQ_MAX_SIZE } from "./mmio-regs.js";

export const VIRTQ_DESC_F_NEXT = 1;
export const VIRTQ_DESC_F_WRITE = 2;
export const VIRTQ_DESC_F_INDIRECT = 4;
/** avail.flags: the driver wants no interrupt (ignored with EVENT_IDX). */
export const VIRTQ_AVAIL_F_NO_INTERRUPT = 1;

const DESC_SIZE = 16;

/** A malformed ring or buffer: the driver broke the rules. */
export class VirtqueueError extends Error {}

/** One buffer of a chain, as an offset into guest memory's bytes. */
export interface Segment {
  offset: number;
  len: number;
}

/** A descriptor chain taken from the available ring: the device-readable buffers, then the
 * device-writable ones. */
export class Chain {
  head = 0;
  readonly readable: Segment[] = [];
  readonly writable: Segment[] = [];
  readableBytes = 0;
  writableBytes = 0;

  clear(): void {
    this.readable.length = 0;
    this.writable.length = 0;
    this.readableBytes = 0;
    this.writableBytes = 0;
  }

  /** Copies up to dst.length bytes of the readable buffers, from byte `pos` of their
   * concatenation, into `dst`; returns how many were copied. */
  read(mem: Uint8Array, pos: number, dst: Uint8Array): number {
    return copySegments(this.readable, pos, dst.length, (off, at, n) => dst.set(mem.subarray(off, off + n), at));
  }

  /** Copies `src` into the writable buffers from byte `pos` of their concatenation; returns how
   * many bytes fitted. */
  write(mem: Uint8Array, pos: number, src: Uint8Array): number {
    return copySegments(this.writable, pos, src.length, (off, at, n) => mem.set(src.subarray(at, at + n), off));
  }
}

/** The bytes of `segments` from byte `pos` of their concatenation, at most `len` of them, as views
 * into `mem` (no copy). */
export function segmentViews(mem: Uint8Array, segments: readonly Segment[], pos: number, len: number): Uint8Array[] {
  const views: Uint8Array[] = [];
  copySegments(segments, pos, len, (off, _at, n) => views.push(mem.subarray(off, off + n)));
  return views;
}

/** Walks `segments` from byte `pos` for at most `len` bytes, calling `part(offset in memory,
 * offset in the run, count)` for each piece; returns the bytes walked. */
export function copySegments(
  segments: readonly Segment[],
  pos: number,
  len: number,
  part: (offset: number, at: number, n: number) => void,
): number {
  let done = 0;
  for (const s of segments) {
    if (done >= len) break;
    if (pos >= s.len) {
      pos -= s.len;
      continue;
    }
    const n = Math.min(s.len - pos, len - done);
    part(s.offset + pos, done, n);
    done += n;
    pos = 0;
  }
  return done;
}

export class Virtqueue {
  /** Queue size the driver chose (QueueNum). */
  size = 0;
  /** Buffer offsets of the three areas once the queue is enabled. */
  private desc = 0;
  private avail = 0;
  private used = 0;
  /** Next available-ring entry to take, and the next used-ring index to publish (both mod 2^16). */
  private lastAvail = 0;
  private usedIdx = 0;
  /** Used index when the driver was last interrupted (for EVENT_IDX). */
  private signalledUsed = 0;
  /** Whether anything was published since the last interrupt decision. */
  private pushed = false;
  eventIdx = false;
  indirect = false;

  constructor(private readonly mem: GuestMemory) {}

  /** Enables the queue on the driver's addresses (each given as 64-bit low/high halves); throws
   * VirtqueueError when the size or an area is unusable. */
  enable(size: number, desc: readonly number[], avail: readonly number[], used: readonly number[]): void {
    if (size === 0 || size > VIRTQ_MAX_SIZE || (size & (size - 1)) !== 0) {
      throw new VirtqueueError(`queue size ${size} is not a power of two up to ${VIRTQ_MAX_SIZE}`);
    }
    const d = this.area(desc, DESC_SIZE * size, 16, false, "descriptor table");
    const a = this.area(avail, 6 + 2 * size, 2, false, "available ring");
    const u = this.area(used, 6 + 8 * size, 4, true, "used ring");
    this.size = size;
    this.desc = d;
    this.avail = a;
    this.used = u;
    this.lastAvail = 0;
    this.usedIdx = 0;
    this.signalledUsed = 0;
    this.pushed = false;
  }

  private area(addr: readonly number[], len: number, align: number, write: boolean, what: string): number {
    const off = this.mem.offsetOf(addr[0], addr[1], len, write);
    const hex = `0x${(addr[1] >>> 0).toString(16)}_${(addr[0] >>> 0).toString(16).padStart(8, "0")}`;
    if (off < 0) throw new VirtqueueError(`${what} at ${hex} is not in guest RAM`);
    if ((addr[0] & (align - 1)) !== 0) throw new VirtqueueError(`${what} at ${hex} is not ${align}-byte aligned`);
    return off;
  }

  /** Snapshots: the indices and flags (the areas come back from the transport's setup). */
  save(w: StateWriter): void {
    for (const v of [this.size, this.desc, this.avail, this.used, this.lastAvail, this.usedIdx, this.signalledUsed]) {
      w.f64(v);
    }
    w.bool(this.pushed);
    w.bool(this.eventIdx);
    w.bool(this.indirect);
  }

  restore(r: StateReader): void {
    this.size = r.f64();
    this.desc = r.f64();
    this.avail = r.f64();
    this.used = r.f64();
    this.lastAvail = r.f64();
    this.usedIdx = r.f64();
    this.signalledUsed = r.f64();
    this.pushed = r.bool();
    this.eventIdx = r.bool();
    this.indirect = r.bool();
  }

  /** QueueReady cleared: the queue is not used until enabled again. */
  disable(): void {
    this.size = 0;
  }

  get enabled(): boolean {
    return this.size !== 0;
  }

  /** The driver's available index. */
  private availIdx(): number {
    return Atomics.load(this.mem.u16, (this.avail + 2) >>> 1);
  }

  /** Whether a chain is waiting. */
  hasAvailable(): boolean {
    if (this.size === 0) return false;
    const pending = (this.availIdx() - this.lastAvail) & 0xffff;
    if (pending > this.size)
      throw new VirtqueueError(`available index moved ${pending} entries on a queue of ${this.size}`);
    return pending !== 0;
  }

  /** Takes the next available chain into `chain`; false when there is none. */
  pop(chain: Chain): boolean {
    if (!this.hasAvailable()) return false;
    const mem = this.mem;
    const head = mem.read16(this.avail + 4 + 2 * (this.lastAvail & (this.size - 1)));
    this.lastAvail = (this.lastAvail + 1) & 0xffff;
    if (head >= this.size) throw new VirtqueueError(`head descriptor ${head} is outside a table of ${this.size}`);
    chain.clear();
    chain.head = head;
    this.walk(chain, this.desc, this.size, head, false);
    return true;
  }

  private walk(chain: Chain, table: number, count: number, index: number, nested: boolean): void {
    const mem = this.mem;
    for (let seen = 0; ; seen++) {
      if (seen >= count) throw new VirtqueueError(`descriptor chain from ${chain.head} loops`);
      const d = table + DESC_SIZE * index;
      const lo = mem.read32(d);
      const hi = mem.read32(d + 4);
      const len = mem.read32(d + 8);
      const flags = mem.read16(d + 12);
      const next = mem.read16(d + 14);
      if ((flags & VIRTQ_DESC_F_INDIRECT) !== 0) {
        if (nested) throw new VirtqueueError("an indirect table holds an indirect descriptor");
        if (!this.indirect) throw new VirtqueueError("indirect descriptor without VIRTIO_F_INDIRECT_DESC");
        if ((flags & VIRTQ_DESC_F_NEXT) !== 0) throw new VirtqueueError("an indirect descriptor has NEXT set");
        if (len === 0 || len % DESC_SIZE !== 0 || len / DESC_SIZE > VIRTQ_MAX_SIZE) {
          throw new VirtqueueError(`indirect table length ${len} is not a multiple of 16`);
        }
        const off = mem.offsetOf(lo, hi, len, false);
        if (off < 0) throw new VirtqueueError(`indirect table at 0x${lo.toString(16)} is not in guest RAM`);
        this.walk(chain, off, len / DESC_SIZE, 0, true);
        return;
      }
      const write = (flags & VIRTQ_DESC_F_WRITE) !== 0;
      const off = mem.offsetOf(lo, hi, len, write);
      if (off < 0) {
        throw new VirtqueueError(
          `buffer 0x${lo.toString(16)}+${len} is not in guest ${write ? "writable " : ""}memory`,
        );
      }
      if (write) {
        chain.writable.push({ offset: off, len });
        chain.writableBytes += len;
      } else {
        if (chain.writable.length > 0) throw new VirtqueueError("a device-readable buffer follows a writable one");
        chain.readable.push({ offset: off, len });
        chain.readableBytes += len;
      }
      if ((flags & VIRTQ_DESC_F_NEXT) === 0) return;
      if (next >= count) throw new VirtqueueError(`next descriptor ${next} is outside a table of ${count}`);
      index = next;
    }
  }

  /** Returns chain `head` to the driver with `written` bytes written into its writable buffers. */
  push(head: number, written: number): void {
    const mem = this.mem;
    const elem = this.used + 4 + 8 * (this.usedIdx & (this.size - 1));
    mem.write32(elem, head);
    mem.write32(elem + 4, written);
    this.usedIdx = (this.usedIdx + 1) & 0xffff;
    Atomics.store(mem.u16, (this.used + 2) >>> 1, this.usedIdx);
    this.pushed = true;
  }

  /** Whether the driver wants an interrupt for what was published since the last call. With
   * EVENT_IDX: when the used index passed used_event; without: unless avail.flags asks for none. */
  shouldInterrupt(): boolean {
    if (!this.pushed) return false;
    this.pushed = false;
    if (!this.eventIdx) return (this.mem.read16(this.avail) & VIRTQ_AVAIL_F_NO_INTERRUPT) === 0;
    Atomics.load(this.mem.u16, (this.avail + 2) >>> 1); // orders the used_event read after our stores
    const event = this.mem.read16(this.avail + 4 + 2 * this.size);
    const old = this.signalledUsed;
    this.signalledUsed = this.usedIdx;
    return ((this.usedIdx - event - 1) & 0xffff) < ((this.usedIdx - old) & 0xffff);
  }

  /** With EVENT_IDX, asks the driver to notify when it adds the next chain; returns whether one
   * arrived meanwhile (the caller then goes on taking chains rather than waiting for a notify). */
  armNotify(): boolean {
    if (this.eventIdx) Atomics.store(this.mem.u16, (this.used + 4 + 8 * this.size) >>> 1, this.lastAvail);
    return this.hasAvailable();
  }
}

// virtio-blk (Virtio 1.1 5.2): one request queue in front of a BlockBackend. A request is a chain
// of a 16-byte header {le32 type, le32 reserved, le64 sector}, the data, and one status byte the
// device writes last. Data moves between the backend and guest memory in place: one backend call
// for the request where the backend has vectored I/O (a file), else one per guest buffer.
//
// Offered: SEG_MAX, BLK_SIZE, FLUSH (so Linux runs a write-back cache and sends flushes, which reach
// the backend's fdatasync: a file the guest synced survives a killed VMM), DISCARD and
// WRITE_ZEROES, and RO for read-only images. A request the backend cannot carry out, one that runs
// past the end of the disk, a write to a read-only disk or a data length that is not whole sectors
// is answered IOERR; an unknown type UNSUPP. A chain without room for the header and the status is
// a malformed ring.

import { readConfigBytes, serveQueue, type VirtioContext, type VirtioDevice } from "./device.js";
import { VIRTIO_ID_BLOCK } from "./mmio-regs.js";
import { Chain, copySegments, segmentViews, VirtqueueError } from "./virtqueue.js";
import type { BlockBackend } from "./block-backend.js";

// Feature bits (5.2.3).
export const VIRTIO_BLK_F_SEG_MAX = 2;
export const VIRTIO_BLK_F_RO = 5;
export const VIRTIO_BLK_F_BLK_SIZE = 6;
export const VIRTIO_BLK_F_FLUSH = 9;
export const VIRTIO_BLK_F_DISCARD = 13;
export const VIRTIO_BLK_F_WRITE_ZEROES = 14;

// Request types and status values (5.2.6).
export const VIRTIO_BLK_T_IN = 0;
export const VIRTIO_BLK_T_OUT = 1;
export const VIRTIO_BLK_T_FLUSH = 4;
export const VIRTIO_BLK_T_GET_ID = 8;
export const VIRTIO_BLK_T_DISCARD = 11;
export const VIRTIO_BLK_T_WRITE_ZEROES = 13;
export const VIRTIO_BLK_S_OK = 0;
export const VIRTIO_BLK_S_IOERR = 1;
export const VIRTIO_BLK_S_UNSUPP = 2;

/** Bytes of the device ID string GET_ID returns. */
export const VIRTIO_BLK_ID_BYTES = 20;
/** write_zeroes flags: the range may be unmapped (a hole) rather than written. */
export const VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP = 1;

// Configuration space offsets (struct virtio_blk_config).
export const BLK_CFG_CAPACITY = 0x00;
export const BLK_CFG_SEG_MAX = 0x0c;
export const BLK_CFG_BLK_SIZE = 0x14;
export const BLK_CFG_MAX_DISCARD_SECTORS = 0x24;
export const BLK_CFG_MAX_DISCARD_SEG = 0x28;
export const BLK_CFG_DISCARD_SECTOR_ALIGNMENT = 0x2c;
export const BLK_CFG_MAX_WRITE_ZEROES_SECTORS = 0x30;
export const BLK_CFG_MAX_WRITE_ZEROES_SEG = 0x34;
export const BLK_CFG_WRITE_ZEROES_MAY_UNMAP = 0x38;
const BLK_CFG_SIZE = 0x3c;

export const SECTOR = 512;
/** Ring entries; with indirect descriptors each request takes one. QEMU's default too. */
export const BLK_QUEUE_SIZE = 256;
/** Data buffers per request (QEMU: queue size - 2). */
export const BLK_SEG_MAX = BLK_QUEUE_SIZE - 2;
/** Largest discard / write-zeroes range, in sectors, and ranges per request. */
const BLK_MAX_RANGE_SECTORS = 1 << 22;
const BLK_MAX_RANGES = 32;
const HEADER = 16;
/** A discard / write-zeroes range: le64 sector, le32 num_sectors, le32 flags. */
const RANGE = 16;

export interface VirtioBlkOptions {
  /** Name in messages ("vda"). */
  name: string;
  /** What GET_ID answers (at most 20 bytes are used). */
  serial: string;
}

export class VirtioBlk implements VirtioDevice {
  readonly deviceId = VIRTIO_ID_BLOCK;
  readonly name: string;
  readonly features: readonly [number, number];
  readonly queueSizes = [BLK_QUEUE_SIZE];
  private readonly config = new Uint8Array(BLK_CFG_SIZE);
  private readonly id = new Uint8Array(VIRTIO_BLK_ID_BYTES);
  private readonly header = new Uint8Array(HEADER);
  private readonly range = new Uint8Array(RANGE);
  private readonly zeros = new Uint8Array(64 * 1024);
  private readonly chain = new Chain();
  private ctx: VirtioContext | null = null;
  private failures = 0;

  constructor(
    private readonly disk: BlockBackend,
    options: VirtioBlkOptions,
  ) {
    this.name = `virtio-blk ${options.name}`;
    let f =
      (1 << VIRTIO_BLK_F_SEG_MAX) |
      (1 << VIRTIO_BLK_F_BLK_SIZE) |
      (1 << VIRTIO_BLK_F_FLUSH) |
      (1 << VIRTIO_BLK_F_DISCARD) |
      (1 << VIRTIO_BLK_F_WRITE_ZEROES);
    if (disk.readonly) f |= 1 << VIRTIO_BLK_F_RO;
    this.features = [f >>> 0, 0];
    const view = new DataView(this.config.buffer);
    const sectors = Math.floor(disk.size / SECTOR);
    view.setUint32(BLK_CFG_CAPACITY, sectors >>> 0, true);
    view.setUint32(BLK_CFG_CAPACITY + 4, Math.floor(sectors / 2 ** 32), true);
    view.setUint32(BLK_CFG_SEG_MAX, BLK_SEG_MAX, true);
    view.setUint32(BLK_CFG_BLK_SIZE, SECTOR, true);
    view.setUint32(BLK_CFG_MAX_DISCARD_SECTORS, BLK_MAX_RANGE_SECTORS, true);
    view.setUint32(BLK_CFG_MAX_DISCARD_SEG, BLK_MAX_RANGES, true);
    view.setUint32(BLK_CFG_DISCARD_SECTOR_ALIGNMENT, 1, true);
    view.setUint32(BLK_CFG_MAX_WRITE_ZEROES_SECTORS, BLK_MAX_RANGE_SECTORS, true);
    view.setUint32(BLK_CFG_MAX_WRITE_ZEROES_SEG, BLK_MAX_RANGES, true);
    this.config[BLK_CFG_WRITE_ZEROES_MAY_UNMAP] = 1;
    this.id.set(new TextEncoder().encode(options.serial).subarray(0, VIRTIO_BLK_ID_BYTES));
  }

  /** The disk's capacity in sectors. */
  get sectors(): number {
    return Math.floor(this.disk.size / SECTOR);
  }

  readConfig(offset: number, size: number): number {
    return readConfigBytes(this.config, offset, size);
  }

  writeConfig(): void {
    // Only `writeback` is writable, with CONFIG_WCE, which is not offered.
  }

  start(ctx: VirtioContext): void {
    this.ctx = ctx;
  }

  reset(): void {
    this.ctx = null;
  }

  notify(q: number): void {
    const ctx = this.ctx;
    if (ctx === null) return;
    serveQueue(ctx, q, this.chain, (chain) => this.serve(chain, ctx.memory.bytes));
  }

  /** Carries out one request; returns the bytes written into the chain's writable buffers. */
  private serve(chain: Chain, mem: Uint8Array): number {
    if (chain.readableBytes < HEADER || chain.writableBytes < 1) {
      throw new VirtqueueError(
        `request of ${chain.readableBytes}+${chain.writableBytes} bytes has no room for its header and status`,
      );
    }
    chain.read(mem, 0, this.header);
    const h = new DataView(this.header.buffer);
    const type = h.getUint32(0, true);
    const sector = h.getUint32(8, true) + h.getUint32(12, true) * 2 ** 32;
    // The status byte is the last writable byte; data is what lies between header and status.
    const dataIn = chain.writableBytes - 1;
    let status = VIRTIO_BLK_S_OK;
    let written = 0;
    try {
      switch (type) {
        case VIRTIO_BLK_T_IN:
          status = this.transfer(chain, mem, sector, dataIn, false);
          if (status === VIRTIO_BLK_S_OK) written = dataIn;
          break;
        case VIRTIO_BLK_T_OUT:
          status = this.transfer(chain, mem, sector, chain.readableBytes - HEADER, true);
          break;
        case VIRTIO_BLK_T_FLUSH:
          this.disk.flush();
          break;
        case VIRTIO_BLK_T_GET_ID:
          written = chain.write(mem, 0, this.id.subarray(0, Math.min(VIRTIO_BLK_ID_BYTES, dataIn)));
          break;
        case VIRTIO_BLK_T_DISCARD:
        case VIRTIO_BLK_T_WRITE_ZEROES:
          status = this.ranges(chain, mem, type);
          break;
        default:
          status = VIRTIO_BLK_S_UNSUPP;
      }
    } catch (e) {
      // The host could not do it (an I/O error on the image): the guest sees IOERR.
      if (this.failures++ < 8)
        this.ctx?.log(`request type ${type} at sector ${sector} failed: ${e instanceof Error ? e.message : String(e)}`);
      status = VIRTIO_BLK_S_IOERR;
      written = 0;
    }
    const last = chain.writable[chain.writable.length - 1];
    mem[last.offset + last.len - 1] = status;
    return written + 1;
  }

  /** Whether [sector, sector + bytes) is whole sectors inside the disk. */
  private inDisk(sector: number, bytes: number): boolean {
    return bytes % SECTOR === 0 && sector + bytes / SECTOR <= this.sectors;
  }

  /** IN (to the guest) or OUT (from it): the data buffers, in place. */
  private transfer(chain: Chain, mem: Uint8Array, sector: number, len: number, out: boolean): number {
    if (out && this.disk.readonly) return VIRTIO_BLK_S_IOERR;
    if (!this.inDisk(sector, len)) return VIRTIO_BLK_S_IOERR;
    const pos = sector * SECTOR;
    const disk = this.disk;
    if (out) {
      if (disk.writev !== undefined) disk.writev(pos, segmentViews(mem, chain.readable, HEADER, len));
      else copySegments(chain.readable, HEADER, len, (off, at, n) => disk.write(pos + at, mem, off, n));
    } else if (disk.readv !== undefined) {
      disk.readv(pos, segmentViews(mem, chain.writable, 0, len));
    } else {
      copySegments(chain.writable, 0, len, (off, at, n) => disk.read(pos + at, mem, off, n));
    }
    return VIRTIO_BLK_S_OK;
  }

  /** DISCARD or WRITE_ZEROES: a list of 16-byte ranges after the header. */
  private ranges(chain: Chain, mem: Uint8Array, type: number): number {
    if (this.disk.readonly) return VIRTIO_BLK_S_IOERR;
    const bytes = chain.readableBytes - HEADER;
    if (bytes % RANGE !== 0 || bytes / RANGE > BLK_MAX_RANGES) return VIRTIO_BLK_S_IOERR;
    const r = new DataView(this.range.buffer);
    for (let pos = HEADER; pos < chain.readableBytes; pos += RANGE) {
      chain.read(mem, pos, this.range);
      const sector = r.getUint32(0, true) + r.getUint32(4, true) * 2 ** 32;
      const count = r.getUint32(8, true);
      const flags = r.getUint32(12, true);
      if (count > BLK_MAX_RANGE_SECTORS || !this.inDisk(sector, count * SECTOR)) return VIRTIO_BLK_S_IOERR;
      if (type === VIRTIO_BLK_T_DISCARD && flags !== 0) return VIRTIO_BLK_S_UNSUPP;
      if (type === VIRTIO_BLK_T_DISCARD || (flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) !== 0) {
        this.disk.discard(sector * SECTOR, count * SECTOR);
      } else {
        this.writeZeroes(sector * SECTOR, count * SECTOR);
      }
    }
    return VIRTIO_BLK_S_OK;
  }

  private writeZeroes(pos: number, len: number): void {
    for (let done = 0; done < len;) {
      const n = Math.min(len - done, this.zeros.length);
      this.disk.write(pos + done, this.zeros, 0, n);
      done += n;
    }
  }
}

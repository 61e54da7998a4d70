// Where a virtio-blk device's sectors live. The device reads into and writes from guest memory in
// place (`bytes` is the VM's shared buffer), so a backend over a file does one positional read or
// write per guest buffer and no copy. Backends are synchronous: the I/O thread serves one request
// at a time, which keeps icount runs deterministic.

export interface BlockBackend {
  /** Size in bytes (a whole number of 512-byte sectors is used). */
  readonly size: number;
  readonly readonly: boolean;
  /** Reads `len` bytes at byte `pos` of the disk into bytes[off, off + len). */
  read(pos: number, bytes: Uint8Array, off: number, len: number): void;
  /** Writes bytes[off, off + len) at byte `pos` of the disk. */
  write(pos: number, bytes: Uint8Array, off: number, len: number): void;
  /** Vectored forms, for a backend where one call for a request's buffers is cheaper than one
   * per buffer (a file: preadv/pwritev, one system call instead of one per guest page). They read
   * into, or write out of, `parts` in order from byte `pos` of the disk. */
  readv?(pos: number, parts: readonly Uint8Array[]): void;
  writev?(pos: number, parts: readonly Uint8Array[]): void;
  /** Makes every completed write durable. */
  flush(): void;
  /** The range [pos, pos + len) may be forgotten, and reads back as zeros afterwards. */
  discard(pos: number, len: number): void;
  /** Releases the image (and its lock). */
  close(): void;
}

/** A host-side failure of a backend (an I/O error): the request fails with IOERR. */
export class BlockIoError extends Error {}

/** A disk held in memory: for tests, and for guests with no file system behind them (a browser). */
export class MemoryBlockBackend implements BlockBackend {
  readonly data: Uint8Array;
  flushes = 0;

  constructor(
    sizeOrData: number | Uint8Array,
    readonly readonly = false,
  ) {
    this.data = typeof sizeOrData === "number" ? new Uint8Array(sizeOrData) : sizeOrData;
  }

  get size(): number {
    return this.data.length;
  }

  read(pos: number, bytes: Uint8Array, off: number, len: number): void {
    bytes.set(this.data.subarray(pos, pos + len), off);
  }

  write(pos: number, bytes: Uint8Array, off: number, len: number): void {
    this.data.set(bytes.subarray(off, off + len), pos);
  }

  flush(): void {
    this.flushes++;
  }

  discard(pos: number, len: number): void {
    this.data.fill(0, pos, pos + len);
  }

  close(): void {}
}

/** A disk in memory that costs only what was written: pages of OVERLAY_BLOCK bytes made at the
 * first write, zeros elsewhere. The scratch of an overlay where there is no file to put it in (a
 * browser). Accesses may cross pages. */
export class SparseMemoryBackend implements BlockBackend {
  readonly readonly = false;
  private readonly pages = new Map<number, Uint8Array>();

  constructor(readonly size: number) {}

  /** Bytes held (whole pages). */
  get held(): number {
    return this.pages.size * OVERLAY_BLOCK;
  }

  read(pos: number, bytes: Uint8Array, off: number, len: number): void {
    this.each(pos, len, (page, at, o, n) => {
      const p = this.pages.get(page);
      if (p === undefined) bytes.fill(0, off + o, off + o + n);
      else bytes.set(p.subarray(at, at + n), off + o);
    });
  }

  write(pos: number, bytes: Uint8Array, off: number, len: number): void {
    this.each(pos, len, (page, at, o, n) => {
      let p = this.pages.get(page);
      if (p === undefined) {
        p = new Uint8Array(OVERLAY_BLOCK);
        this.pages.set(page, p);
      }
      p.set(bytes.subarray(off + o, off + o + n), at);
    });
  }

  flush(): void {}

  discard(pos: number, len: number): void {
    this.each(pos, len, (page, at, _o, n) => {
      if (at === 0 && n === OVERLAY_BLOCK) this.pages.delete(page);
      else this.pages.get(page)?.fill(0, at, at + n);
    });
  }

  close(): void {
    this.pages.clear();
  }

  /** Splits [pos, pos + len) by page: part(page, offset in it, offset in the run, bytes). */
  private each(pos: number, len: number, part: (page: number, at: number, o: number, n: number) => void): void {
    let done = 0;
    while (done < len) {
      const p = pos + done;
      const page = Math.floor(p / OVERLAY_BLOCK);
      const at = p - page * OVERLAY_BLOCK;
      const n = Math.min(len - done, OVERLAY_BLOCK - at);
      part(page, at, done, n);
      done += n;
    }
  }
}

/** Granule of the copy-on-write overlay. */
export const OVERLAY_BLOCK = 4096;

/**
 * `--drive …,snapshot`: the guest's writes go to a scratch backend at the same offsets, and a
 * bitmap of OVERLAY_BLOCK granules says which ones it holds; the base image is only read. The
 * scratch is thrown away at exit (QEMU's -snapshot, whose overlay is a temporary qcow2 file).
 */
export class OverlayBlockBackend implements BlockBackend {
  readonly readonly = false;
  private readonly present: Uint8Array;
  private readonly granule = new Uint8Array(OVERLAY_BLOCK);

  constructor(
    private readonly base: BlockBackend,
    private readonly scratch: BlockBackend,
  ) {
    this.present = new Uint8Array(Math.ceil(base.size / OVERLAY_BLOCK));
  }

  get size(): number {
    return this.base.size;
  }

  read(pos: number, bytes: Uint8Array, off: number, len: number): void {
    this.eachGranule(pos, len, (p, o, n, g) =>
      (this.present[g] !== 0 ? this.scratch : this.base).read(p, bytes, off + o, n),
    );
  }

  write(pos: number, bytes: Uint8Array, off: number, len: number): void {
    this.eachGranule(pos, len, (p, o, n, g) => {
      if (this.present[g] === 0 && n < OVERLAY_BLOCK) this.copyUp(g);
      this.scratch.write(p, bytes, off + o, n);
      this.present[g] = 1;
    });
  }

  flush(): void {
    // The overlay is discarded at exit: nothing to make durable (QEMU's snapshot is cache=unsafe).
  }

  discard(pos: number, len: number): void {
    this.eachGranule(pos, len, (p, _o, n, g) => {
      if (this.present[g] === 0 && n < OVERLAY_BLOCK) this.copyUp(g);
      this.granule.fill(0, 0, n);
      this.scratch.write(p, this.granule, 0, n);
      this.present[g] = 1;
    });
  }

  close(): void {
    this.scratch.close();
    this.base.close();
  }

  /** Brings granule `g` of the base into the scratch before a partial write covers part of it. */
  private copyUp(g: number): void {
    const pos = g * OVERLAY_BLOCK;
    const n = Math.min(OVERLAY_BLOCK, this.base.size - pos);
    this.base.read(pos, this.granule, 0, n);
    this.scratch.write(pos, this.granule, 0, n);
    this.present[g] = 1;
  }

  /** Splits [pos, pos + len) at granule boundaries: part(disk position, offset in the run, bytes, granule). */
  private eachGranule(pos: number, len: number, part: (p: number, o: number, n: number, g: number) => void): void {
    let done = 0;
    while (done < len) {
      const p = pos + done;
      const g = Math.floor(p / OVERLAY_BLOCK);
      const n = Math.min(len - done, (g + 1) * OVERLAY_BLOCK - p);
      part(p, done, n, g);
      done += n;
    }
  }
}

// The 9P wire format: little-endian integers of 1, 2, 4 and 8 bytes, strings as le16 length +
// bytes (kept as bytes: host names need not be UTF-8), and the 13-byte qid. A reader past the end
// of the message and a writer past the end of its buffer throw P9Error, so a short or oversized
// message becomes an Rlerror rather than a host exception.

import { Errno, HEADER_SIZE, P9Error, QID_SIZE } from "./protocol.js";

export interface Qid {
  type: number;
  version: number;
  path: bigint;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Bytes of a string as it travels (UTF-8). */
export function p9bytes(s: string): Uint8Array {
  return utf8.encode(s);
}

/** A name received as bytes, for messages. */
export function p9text(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

export class P9Reader {
  private pos: number;
  private readonly view: DataView;

  /** Reads `buf[start, end)`. */
  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private take(n: number): number {
    if (this.end - this.pos < n) throw new P9Error(Errno.EPROTO, "message too short");
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.buf[this.take(1)];
  }

  u16(): number {
    return this.view.getUint16(this.take(2), true);
  }

  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  /** A 64-bit field as a bigint (offsets and sizes are compared against safe ranges by callers). */
  u64(): bigint {
    return this.view.getBigUint64(this.take(8), true);
  }

  /** A 64-bit offset or size as a number; values above 2^53 - 1 are refused (EOVERFLOW). */
  u64n(): number {
    const v = this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new P9Error(Errno.EOVERFLOW, "64-bit value out of range");
    return Number(v);
  }

  /** le16 length + bytes; a view into the message. */
  str(): Uint8Array {
    const n = this.u16();
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }

  bytes(n: number): Uint8Array {
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }

  qid(): Qid {
    return { type: this.u8(), version: this.u32(), path: this.u64() };
  }
}

export class P9Writer {
  private pos = 0;
  private readonly view: DataView;

  /** Writes into `buf[0, limit)`. */
  constructor(
    readonly buf: Uint8Array,
    private limit = buf.length,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get length(): number {
    return this.pos;
  }

  /** Bytes still free. */
  get room(): number {
    return this.limit - this.pos;
  }

  /** Moves the end back to `pos` (dropping what was written after it). */
  truncate(pos: number): void {
    this.pos = pos;
  }

  /** Reserves `n` bytes and returns where they start (for data read straight into the buffer). */
  reserve(n: number): number {
    if (this.limit - this.pos < n) throw new P9Error(Errno.EMSGSIZE, "reply does not fit");
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(v: number): this {
    this.buf[this.reserve(1)] = v;
    return this;
  }

  u16(v: number): this {
    this.view.setUint16(this.reserve(2), v, true);
    return this;
  }

  u32(v: number): this {
    this.view.setUint32(this.reserve(4), v >>> 0, true);
    return this;
  }

  u64(v: bigint | number): this {
    this.view.setBigUint64(this.reserve(8), BigInt.asUintN(64, BigInt(v)), true);
    return this;
  }

  str(s: Uint8Array | string): this {
    const b = typeof s === "string" ? p9bytes(s) : s;
    if (b.length > 0xffff) throw new P9Error(Errno.ENAMETOOLONG, "string over 65535 bytes");
    this.u16(b.length);
    this.buf.set(b, this.reserve(b.length));
    return this;
  }

  bytes(b: Uint8Array): this {
    this.buf.set(b, this.reserve(b.length));
    return this;
  }

  qid(q: Qid): this {
    return this.u8(q.type).u32(q.version).u64(q.path);
  }

  /** Starts a message: size (filled by `finish`), type and tag. */
  header(type: number, tag: number): this {
    this.pos = 0;
    return this.u32(0).u8(type).u16(tag);
  }

  /** Writes the size field and returns the message. */
  finish(): Uint8Array {
    this.view.setUint32(0, this.pos, true);
    return this.buf.subarray(0, this.pos);
  }
}

/** The header of a message: size, type, tag; throws P9Error when it is not a whole message. */
export function readHeader(r: P9Reader, available: number): { size: number; type: number; tag: number } {
  const size = r.u32();
  const type = r.u8();
  const tag = r.u16();
  if (size < HEADER_SIZE || size > available) throw new P9Error(Errno.EPROTO, `message size ${size} is wrong`);
  return { size, type, tag };
}

export { QID_SIZE };

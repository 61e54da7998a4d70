// The byte streams a component writes its state to and reads it back from, one section at a time
// (snapshot-file.ts frames the sections). Little-endian, fixed widths; a component writes its fields
// in one order and reads them back in the same order. Reading past the end throws SnapshotError,
// so a short or damaged section is refused with one line instead of restoring garbage.

import { SnapshotError } from "./snapshot-error.js";

export class StateWriter {
  private readonly parts: Uint8Array[] = [];
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private at = 0;
  private flushed = 0;

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) {
      this.buf = new Uint8Array(n);
      this.view = new DataView(this.buf.buffer);
    }
  }

  private flush(): void {
    if (this.at === 0) return;
    this.parts.push(this.buf.slice(0, this.at));
    this.flushed += this.at;
    this.at = 0;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.at++] = v;
  }
  bool(v: boolean): void {
    this.u8(v ? 1 : 0);
  }
  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.at, v >>> 0, true);
    this.at += 4;
  }
  i32(v: number): void {
    this.room(4);
    this.view.setInt32(this.at, v | 0, true);
    this.at += 4;
  }
  /** Any float64 (counts, deadlines, Infinity). */
  f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.at, v, true);
    this.at += 8;
  }
  str(v: string): void {
    this.bytes(new TextEncoder().encode(v));
  }
  /** A length-prefixed copy of `v`. */
  bytes(v: Uint8Array): void {
    this.u32(v.length);
    this.raw(v);
  }
  /** `v` as is, no length (the reader must know it). Large arrays are kept by reference: do not
   * change them before the snapshot is written out. */
  raw(v: Uint8Array): void {
    if (v.length >= 4096) {
      this.flush();
      this.parts.push(v);
      this.flushed += v.length;
      return;
    }
    this.room(v.length);
    this.buf.set(v, this.at);
    this.at += v.length;
  }
  /** The bytes of a typed array (any element type), length-prefixed. */
  array(v: ArrayBufferView): void {
    this.bytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }

  get length(): number {
    return this.flushed + this.at;
  }

  /** What was written, as a list of pieces (concatenate them in order). */
  finish(): Uint8Array[] {
    this.flush();
    return this.parts;
  }
}

export class StateReader {
  private readonly view: DataView;
  private at = 0;

  constructor(
    private readonly data: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  private need(n: number): number {
    const at = this.at;
    if (at + n > this.data.length) throw new SnapshotError(`section '${this.what}' is shorter than its contents`);
    this.at = at + n;
    return at;
  }

  u8(): number {
    return this.data[this.need(1)];
  }
  bool(): boolean {
    return this.u8() !== 0;
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  i32(): number {
    return this.view.getInt32(this.need(4), true);
  }
  f64(): number {
    return this.view.getFloat64(this.need(8), true);
  }
  str(): string {
    return new TextDecoder().decode(this.bytes());
  }
  /** A view (no copy) of the next length-prefixed bytes. */
  bytes(): Uint8Array {
    const n = this.u32();
    return this.raw(n);
  }
  raw(n: number): Uint8Array {
    const at = this.need(n);
    return this.data.subarray(at, at + n);
  }
  /** Fills typed array `into` from a length-prefixed copy of the same byte length. */
  array(into: ArrayBufferView): void {
    const b = this.bytes();
    if (b.length !== into.byteLength) {
      throw new SnapshotError(
        `section '${this.what}': an array of ${b.length} bytes where ${into.byteLength} are expected`,
      );
    }
    new Uint8Array(into.buffer, into.byteOffset, into.byteLength).set(b);
  }

  get remaining(): number {
    return this.data.length - this.at;
  }
}

/** What a stateful component implements to join the snapshot (one section, see MachineSections). */
export interface Snapshotable {
  save(w: StateWriter): void;
  restore(r: StateReader): void;
}

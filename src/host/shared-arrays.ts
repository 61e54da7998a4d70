// Typed arrays that several host threads can map: the state that vcpu threads and the I/O thread
// share (the vgic's interrupt state, the GIC interfaces' registers, the VM's control words). A
// structure allocates its arrays in a fixed order; the thread that builds it first gets new
// buffers, and every other thread passes the same list of buffers and gets views of them in the
// same order. On one thread the arrays are ordinary memory that happens to be shareable.

type Ctor<T> = new (buffer: SharedArrayBuffer) => T;

export class SharedArrays {
  /** True when the arrays were just created (initialize them); false when attached to existing ones. */
  readonly fresh: boolean;
  /** The buffers, in allocation order: what another thread needs to attach. */
  readonly buffers: SharedArrayBuffer[];
  private next = 0;

  constructor(existing?: readonly SharedArrayBuffer[]) {
    this.fresh = existing === undefined;
    this.buffers = existing === undefined ? [] : [...existing];
  }

  private take<T>(ctor: Ctor<T>, bytes: number): T {
    if (this.fresh) {
      const buffer = new SharedArrayBuffer(Math.max(bytes, 0));
      this.buffers.push(buffer);
      return new ctor(buffer);
    }
    const buffer = this.buffers[this.next++];
    if (buffer === undefined || buffer.byteLength !== Math.max(bytes, 0))
      throw new Error(`shared state layout mismatch at array ${this.next - 1}`);
    return new ctor(buffer);
  }

  u8(n: number): Uint8Array {
    return this.take(Uint8Array, n);
  }
  i8(n: number): Int8Array {
    return this.take(Int8Array, n);
  }
  u32(n: number): Uint32Array {
    return this.take(Uint32Array, 4 * n);
  }
  i32(n: number): Int32Array {
    return this.take(Int32Array, 4 * n);
  }
  f64(n: number): Float64Array {
    return this.take(Float64Array, 8 * n);
  }
}

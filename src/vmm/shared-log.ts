// An append-only log in shared memory that several threads write and each reader follows at its
// own pace: entries of two words, numbered from 0; a reader that falls a whole log behind is told
// so once (and must then act as if every entry had been there). Used for the pages DC-cleaned by
// address and for broadcast TLB invalidations (vm-control.ts).

import type { SharedArrays } from "../host/shared-arrays.js";

export class SharedLog {
  readonly size: number;
  private readonly entries: Int32Array;
  /** Per slot: the number of the entry written there, + 1 (0: none yet). */
  private readonly seq: Int32Array;
  private readonly head: Int32Array;

  constructor(mem: SharedArrays, size: number) {
    this.size = size;
    this.entries = mem.i32(2 * size);
    this.seq = mem.i32(size);
    this.head = mem.i32(1);
  }

  append(a: number, b: number): void {
    const n = Atomics.add(this.head, 0, 1);
    const slot = n % this.size;
    this.entries[2 * slot] = a;
    this.entries[2 * slot + 1] = b;
    Atomics.store(this.seq, slot, n + 1);
  }

  /** The number of the next entry (a new reader starts there). */
  end(): number {
    return Atomics.load(this.head, 0);
  }

  /** Calls `each` with the entries from number `from` on, or `lost` once if some were overwritten
   * before this reader saw them; returns where the reader is now. */
  read(from: number, each: (a: number, b: number) => void, lost: () => void): number {
    const head = Atomics.load(this.head, 0);
    if (head - from > this.size) {
      lost();
      return head;
    }
    for (let n = from; n < head; n++) {
      const slot = n % this.size;
      let seq = Atomics.load(this.seq, slot);
      // A writer between its add and its store: a few instructions away.
      while (seq < n + 1) seq = Atomics.load(this.seq, slot);
      if (seq !== n + 1) {
        lost();
        return head;
      }
      each(this.entries[2 * slot], this.entries[2 * slot + 1]);
    }
    return head;
  }
}

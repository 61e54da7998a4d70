// Deadlines on the guest counter (a binary min-heap). Callbacks run from the scheduler between
// vcpu slices, never from inside an instruction. Ties fire in scheduling order, so icount runs stay
// deterministic.

import type { TimerHandle, TimerQueue } from "./time.js";

interface Entry extends TimerHandle {
  deadline: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

export class DeadlineQueue implements TimerQueue {
  private heap: Entry[] = [];
  private nextId = 1;
  private seq = 0;
  private live = new Map<number, Entry>();

  schedule(deadline: number, callback: () => void, seq = this.seq++): TimerHandle {
    const entry: Entry = { id: this.nextId++, deadline, seq, callback, cancelled: false };
    this.live.set(entry.id, entry);
    this.push(entry);
    return entry;
  }

  cancel(handle: TimerHandle): void {
    const entry = this.live.get(handle.id);
    if (entry) {
      entry.cancelled = true;
      this.live.delete(handle.id);
    }
  }

  /** The next scheduling order (snapshots restore it before the restored deadlines). */
  get order(): number {
    return this.seq;
  }

  set order(seq: number) {
    this.seq = seq;
  }

  /** The earliest pending deadline, or Infinity. */
  nextDeadline(): number {
    this.dropCancelled();
    return this.heap.length > 0 ? this.heap[0].deadline : Infinity;
  }

  get size(): number {
    return this.live.size;
  }

  /** Runs every callback whose deadline is at or before `now`; returns how many ran. */
  runExpired(now: number): number {
    let ran = 0;
    for (;;) {
      this.dropCancelled();
      const top = this.heap[0];
      if (top === undefined || top.deadline > now) return ran;
      this.pop();
      this.live.delete(top.id);
      top.callback();
      ran++;
    }
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let k = h.length - 1;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!this.less(h[k], h[parent])) break;
      [h[k], h[parent]] = [h[parent], h[k]];
      k = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (h.length === 0 || last === undefined) return;
    h[0] = last;
    let k = 0;
    for (;;) {
      const l = 2 * k + 1;
      const r = l + 1;
      let m = k;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === k) return;
      [h[k], h[m]] = [h[m], h[k]];
      k = m;
    }
  }
}

// Marsaglia's xorshift32: seeded random numbers for the randomized tests, so that a fixed seed
// gives the same cases on every run (and a failure can be replayed).

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed | 0 || 1;
  }
  /** The next 32-bit value, unsigned. */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x | 0;
    return x >>> 0;
  }
  /** A value in [0, n). */
  below(n: number): number {
    return this.next() % n;
  }
}

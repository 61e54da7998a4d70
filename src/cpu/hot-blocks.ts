// The blocks that some vcpu thread found hot, shared by every thread of a VM. Each thread keeps
// its own translated code (a JavaScript function belongs to one thread), so without this every
// thread would count its way to the same hot blocks again, running them in the interpreter
// meanwhile: a process that migrates to another vcpu, or two vcpus running the same program,
// paid the warm-up once per thread. A thread that meets a block another thread has translated
// translates it at once.
//
// An open-addressing table of keys in shared memory, written with compare-and-swap. It is a hint,
// never a source of truth: a key lost to a full neighbourhood costs a warm-up, and a key left from
// code since overwritten costs one early translation of whatever is there now (translation always
// reads the current memory, so nothing stale ever runs).

/** Slots of the table (a power of two); a few times the hot blocks of a Debian guest. */
export const HOT_BLOCK_SLOTS = 1 << 15;

/** Slots probed from a key's home slot. */
const PROBES = 8;

export class HotBlocks {
  private readonly mask: number;
  private readonly shift: number;

  constructor(private readonly slots: Int32Array) {
    if ((slots.length & (slots.length - 1)) !== 0 || slots.length < 2)
      throw new Error("HotBlocks: the table's length must be a power of two");
    this.mask = slots.length - 1;
    this.shift = Math.clz32(this.mask);
  }

  /** The key of a block at RAM byte offset `off` (even) in instruction set `thumb` (0 ARM, 1
   * Thumb); never 0, the empty slot. */
  static key(off: number, thumb: number): number {
    return (((off & ~1) | thumb) + 1) | 0;
  }

  private home(key: number): number {
    // Fibonacci hashing: offsets of nearby blocks differ in their low bits only.
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  /** Records that a block was translated. */
  add(key: number): void {
    const s = this.slots;
    const h = this.home(key);
    for (let k = 0; k < PROBES; k++) {
      const i = (h + k) & this.mask;
      const was = Atomics.compareExchange(s, i, 0, key);
      if (was === 0 || was === key) return;
    }
    // A full neighbourhood: the newest key takes the home slot.
    Atomics.store(s, h & this.mask, key);
  }

  /** Whether some thread translated the block. */
  has(key: number): boolean {
    const s = this.slots;
    const h = this.home(key);
    for (let k = 0; k < PROBES; k++) {
      const v = Atomics.load(s, (h + k) & this.mask);
      if (v === key) return true;
      if (v === 0) return false;
    }
    return false;
  }
}

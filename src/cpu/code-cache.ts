// The translated-code cache: blocks of guest instructions found at a RAM page (and, once hot,
// compiled to JavaScript by jit-a32.ts), keyed by physical page and word, shared by every physical
// CPU of a machine (they share one backing buffer).
//
// Keeping it coherent with RAM is the one hard part. A page that holds blocks is a "code page":
// no write-TLB entry of any CPU may point at it, so every store to it takes the MMU's slow path,
// which calls `written` and drops the whole page's blocks. Stores to other pages cost nothing
// extra. The storing CPU also gets ATTN_RESYNC, so a block that writes into code stops right
// after the store and the next instruction is fetched again, as the interpreter would.

import type { Cpu } from "./core.js";
import type { Mmu } from "./mmu.js";
import type { TlbStore } from "./tlb-store.js";
import type { JitHelpers } from "./jit-helpers.js";
import { HotBlocks } from "./hot-blocks.js";

/** A compiled block: runs the block's instructions (a block that loops on itself, as many passes
 * as fit in `budget`) and returns `done` plus how many ran. */
export type BlockFn = (cpu: Cpu, r: Int32Array, mmu: Mmu, done: number, h: JitHelpers, budget: number) => number;

export class Block {
  /** Hits while not yet compiled. */
  hits = 0;
  fn: BlockFn | null = null;
  /** The blocks the run loop last went on to after this one (run-blocks.ts), newest first: a hit
   * here spares the lookup by physical address, whose loads miss the host's caches. */
  next0: Block | null = null;
  next1: Block | null = null;
  constructor(
    /** Its RAM byte offset; -1 once the block is dropped or replaced, so that no cached successor
     * (next0, next1) matches it any more. */
    public off: number,
    /** The virtual address it was scanned at: its code uses that PC. */
    readonly va: number,
    /** Instructions in the block. */
    readonly length: number,
    /** Instruction set: 0 ARM, 1 Thumb. */
    readonly thumb: number,
  ) {}
}

const WORDS_PER_PAGE = 1024;

/** Entries before a block is translated, by default. Counted at every branch target the
 * interpreter reaches (block-table.ts): at 4000, boot to init compiled 751 blocks instead of 174
 * and took about a fifth longer (V8 compiling on the second core, and fresh functions running
 * unoptimized), for a tenth less in user space; at 16000, boot as before and user space some 5 %
 * faster (runs side by side, so that both saw the same host). */
export const HOT_THRESHOLD = 16000;

export class CodePage {
  // Made on first use: a kernel page holds ARM blocks only, a user page Thumb blocks only, and every
  // slot is a pointer the garbage collector visits while the page lives.
  /** ARM blocks, by word of the page. */
  blocks: (Block | undefined)[] | null = null;
  /** Thumb blocks, by halfword of the page (they start on any halfword). */
  thumbBlocks: (Block | undefined)[] | null = null;

  armSlots(): (Block | undefined)[] {
    return (this.blocks ??= new Array<Block | undefined>(WORDS_PER_PAGE));
  }

  thumbSlots(): (Block | undefined)[] {
    return (this.thumbBlocks ??= new Array<Block | undefined>(2 * WORDS_PER_PAGE));
  }

  /** Puts `block` at ARM slot `word`; the block it replaces is dropped. */
  setArm(word: number, block: Block): void {
    const slots = this.armSlots();
    const old = slots[word];
    if (old !== undefined) old.off = -1;
    slots[word] = block;
  }

  /** Puts `block` at Thumb slot `halfword`; the block it replaces is dropped. */
  setThumb(halfword: number, block: Block): void {
    const slots = this.thumbSlots();
    const old = slots[halfword];
    if (old !== undefined) old.off = -1;
    slots[halfword] = block;
  }

  /** The page is dropped: so are its blocks, wherever they are still named. */
  kill(): void {
    for (const slots of [this.blocks, this.thumbBlocks]) {
      if (slots !== null) for (const b of slots) if (b !== undefined) b.off = -1;
    }
  }
  /** One bit per word of the page that some block was made from: stores elsewhere in the page
   * (data next to code) leave the blocks alone. */
  private readonly covered = new Uint32Array(WORDS_PER_PAGE / 32);

  /** Records that a block was made from `count` words from word `first` of the page. */
  cover(first: number, count: number): void {
    for (let w = first; w < first + count; w++) this.covered[w >>> 5] |= 1 << (w & 31);
  }

  /** Whether the aligned word at `offset` (any access of at most 4 bytes within it) is in a block. */
  coversWord(offset: number): boolean {
    const w = (offset & 0xfff) >>> 2;
    return (this.covered[w >>> 5] & (1 << (w & 31))) !== 0;
  }

  /** Whether any byte of [offset, offset + size) within the page is in a block. */
  covers(offset: number, size: number): boolean {
    for (let w = (offset & 0xfff) >>> 2; w <= ((offset & 0xfff) + size - 1) >>> 2 && w < WORDS_PER_PAGE; w++) {
      if (this.covered[w >>> 5] & (1 << (w & 31))) return true;
    }
    return false;
  }
}

const caches = new WeakMap<ArrayBufferLike, CodeCache>();

export class CodeCache {
  /** Per 4 KiB page of the backing buffer: its blocks, or undefined when none are known. */
  readonly pages: (CodePage | undefined)[];
  private readonly tlbs: TlbStore[] = [];
  /** Indices of the pages that hold blocks (dropping everything visits only these). */
  private readonly live = new Set<number>();
  /** Pages dropped because they were written (statistics). */
  invalidations = 0;
  /** Blocks compiled (statistics). */
  compiled = 0;
  /** Blocks found by address, not as a successor cached in the block before (statistics). */
  lookups = 0;
  /** Visits before a block is compiled: rarely-run code stays in the interpreter, which is faster
   * than a fresh function until V8 has optimized it (tests lower it to 1). */
  hotThreshold = HOT_THRESHOLD;
  /** With vcpu threads: the blocks any thread translated (hot-blocks.ts). A block one of them
   * translated is translated here at its first entry. */
  shared: HotBlocks | null = null;

  /** A new block at RAM byte offset `off`: as hot as its threshold wants when another thread
   * translated it already. */
  initialHits(off: number, thumb: number): number {
    return this.shared !== null && this.shared.has(HotBlocks.key(off, thumb)) ? this.hotThreshold : 0;
  }

  /** A block at `off` was translated. */
  translated(off: number, thumb: number): void {
    this.compiled++;
    this.shared?.add(HotBlocks.key(off, thumb));
  }

  /** Pages ever written (1 per 4 KiB page of the buffer): marked when a write translation is
   * cached and by every slow-path store, loader and device write, so a snapshot reads only these
   * (reading a page the host never touched costs a page fault, slow on some hosts). Shared
   * memory: every thread of a machine marks the same map (each has a cache of its own). */
  readonly dirtyPages: Uint8Array;

  private constructor(bytes: number, dirty?: SharedArrayBuffer) {
    this.pages = new Array<CodePage | undefined>(Math.ceil(bytes / 4096)).fill(undefined);
    this.dirtyPages = new Uint8Array(dirty ?? new SharedArrayBuffer(Math.ceil(bytes / 4096)));
  }

  /** The cache of the machine whose memory is `buffer`; a thread's first call for a machine built
   * on another thread passes that machine's `dirtyPages` buffer, to mark the same map. */
  static of(buffer: ArrayBufferLike, dirty?: SharedArrayBuffer): CodeCache {
    let c = caches.get(buffer);
    if (c === undefined) {
      c = new CodeCache(buffer.byteLength, dirty);
      caches.set(buffer, c);
    }
    return c;
  }

  /** One line for --stats. */
  describe(enabled: boolean): string {
    if (!enabled) return "jit off: all code interpreted";
    return `jit: ${this.compiled} blocks translated (after ${this.hotThreshold} entries), ${this.invalidations} code pages dropped by stores, ${this.lookups} block lookups by address`;
  }

  /** A CPU's TLB, whose write entries must stay away from code pages. */
  addTlb(tlb: TlbStore): void {
    this.tlbs.push(tlb);
  }

  /** Whether the page at byte offset `offset` holds blocks (the write TLB must not map it). */
  isCode(offset: number): boolean {
    return this.pages[offset >>> 12] !== undefined;
  }

  /** The page of `offset`, made a code page if it was not one. */
  pageFor(offset: number): CodePage {
    const index = offset >>> 12;
    let page = this.pages[index];
    if (page === undefined) {
      page = new CodePage();
      this.pages[index] = page;
      this.live.add(index);
      for (const tlb of this.tlbs) tlb.dropWritesTo(index << 12);
    }
    return page;
  }

  /** Bytes at [offset, offset + length) were replaced from outside the CPUs (loaders). */
  writtenRange(offset: number, length: number): void {
    if (length <= 0) return;
    this.dirtyPages.fill(1, offset >>> 12, ((offset + length - 1) >>> 12) + 1);
    for (let p = offset >>> 12; p <= (offset + length - 1) >>> 12; p++) this.drop(p);
  }

  /** Another CPU broadcast an instruction-cache invalidate for the page at byte offset `offset`
   * (ICIMVAU), or for everything (`offset` < 0: ICIALLUIS, BPIALLIS). */
  dropByMaintenance(offset: number): void {
    if (offset >= 0) {
      this.drop(offset >>> 12);
      return;
    }
    for (const index of this.live) {
      this.pages[index]?.kill();
      this.pages[index] = undefined;
    }
    this.live.clear();
  }

  /** A store of `size` bytes reached RAM at byte offset `offset` (through the MMU's slow path):
   * when blocks were made from those bytes, the page's blocks are all dropped. Returns true then. */
  written(offset: number, size: number): boolean {
    const index = offset >>> 12;
    const page = this.pages[index];
    if (page === undefined || !page.covers(offset, size)) return false;
    this.drop(index);
    this.invalidations++;
    return true;
  }

  private drop(index: number): void {
    const page = this.pages[index];
    if (page === undefined) return;
    page.kill();
    this.pages[index] = undefined;
    this.live.delete(index);
  }
}

// Storage of the software TLB: direct-mapped tag/addend arrays for each access kind (read, write,
// fetch) and each set. A set is one (DACR context, privilege) pair, so an entry holds a translation
// whose permission has already been checked for exactly that privilege and domain access control
// value: the fast path compares one tag and never looks at permissions.
//
// A tag is the 4 KiB page VA of the entry; an invalid entry holds -1, which no page VA can equal
// (the low 12 bits of a page VA are zero). The addend is (RAM offset of the page) - (page VA), so
// a hit reaches stage2.memory at (addend + va) | 0.
//
// Lists of the slots filled since their last invalidation make every flush cost the number of
// live entries instead of the size of the arrays (Linux rewrites DACR and CONTEXTIDR often). Per-entry metadata (size of the mapping the entry was cut from, global or not) serves
// TLBIMVA on sections and the ASID rules, and the memory type for alignment checks.

export const TLB_BITS = 10;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;

/** Access kinds, also used as the first index of the TLB arrays. */
export const KIND_READ = 0;
export const KIND_WRITE = 1;
export const KIND_FETCH = 2;
/** Writes to a page that holds translated code: never seen by the write fast path, so that every
 * such store reaches Mmu.writeSlow (code-cache.ts), which still finds its translation here. */
export const KIND_CODE_WRITE = 3;
const KINDS = 4;

/** Number of DACR values whose TLB sets are kept at the same time (Linux alternates between two). */
export const DACR_CONTEXTS = 4;
/** Sets per kind: two per DACR context, user (even) and privileged (odd). */
export const TLB_SETS = DACR_CONTEXTS * 2;

export const TLB_INVALID = -1;

const META_SHIFT = 0x1f;
const META_GLOBAL = 0x20;
/** The entry maps Device or Strongly-ordered memory: unaligned accesses to it fault. Aligned ones
 * use the entry like any other, so only the unaligned slow path reads this bit. */
export const META_DEVICE = 0x40;
const LISTED_GLOBAL = 1;
const LISTED_NON_GLOBAL = 2;
const SWEEP_VA = 0;
const SWEEP_CONTEXT = 1;

export class TlbStore {
  readonly tag = new Int32Array(KINDS * TLB_SETS * TLB_SIZE).fill(TLB_INVALID);
  readonly addend = new Int32Array(KINDS * TLB_SETS * TLB_SIZE);
  /** log2 of the mapping's block size (12, 16, 20, 21, 24 or 30) | META_GLOBAL | META_DEVICE. */
  readonly meta = new Int32Array(KINDS * TLB_SETS * TLB_SIZE);
  /** Which live lists hold a slot: LISTED_GLOBAL | LISTED_NON_GLOBAL. */
  private readonly listed = new Uint8Array(KINDS * TLB_SETS * TLB_SIZE);
  // Slots filled since they were last invalidated, split by the kind of their first fill in that
  // list, so that an ASID switch only visits non-global entries. A slot refilled with the other
  // kind is added to the other list too; scans check each slot's current metadata.
  private readonly liveGlobal = new Int32Array(KINDS * TLB_SETS * TLB_SIZE);
  private readonly liveNonGlobal = new Int32Array(KINDS * TLB_SETS * TLB_SIZE);
  /** Per megabyte of VA: 1 once an entry cut from a block larger than 4 KiB covering part of it was
   * filled (cleared only when the whole TLB is). */
  private readonly largeBlocks = new Uint8Array(4096);
  private globalCount = 0;
  private nonGlobalCount = 0;
  /** Views of `tag` and `addend` for one (kind, set): index kind * TLB_SETS + set. */
  readonly tagViews: Int32Array[] = [];
  readonly addendViews: Int32Array[] = [];

  constructor() {
    for (let k = 0; k < KINDS * TLB_SETS; k++) {
      this.tagViews.push(this.tag.subarray(k * TLB_SIZE, (k + 1) * TLB_SIZE));
      this.addendViews.push(this.addend.subarray(k * TLB_SIZE, (k + 1) * TLB_SIZE));
    }
  }

  /** Number of valid entries (for tests and statistics). */
  get size(): number {
    let n = 0;
    const tag = this.tag;
    for (let k = 0; k < this.globalCount; k++) if (tag[this.liveGlobal[k]] !== TLB_INVALID) n++;
    for (let k = 0; k < this.nonGlobalCount; k++) {
      const id = this.liveNonGlobal[k];
      if (tag[id] !== TLB_INVALID && (this.listed[id] & LISTED_GLOBAL) === 0) n++;
    }
    return n;
  }

  /** Records that `va`'s page maps RAM at byte offset `pageOffset` for (kind, set). */
  fill(
    kind: number,
    set: number,
    va: number,
    pageOffset: number,
    blockShift: number,
    global: boolean,
    device: boolean,
  ): void {
    const page = va & ~0xfff;
    const id = ((kind * TLB_SETS + set) << TLB_BITS) | ((va >>> 12) & TLB_MASK);
    this.tag[id] = page;
    this.addend[id] = (pageOffset - page) | 0;
    this.meta[id] = blockShift | (global ? META_GLOBAL : 0) | (device ? META_DEVICE : 0);
    if (blockShift > 12) {
      const first = ((va >>> blockShift) << blockShift) >>> 20;
      const count = blockShift > 20 ? 1 << (blockShift - 20) : 1;
      this.largeBlocks.fill(1, first, first + count);
    }
    const listed = this.listed[id];
    if (global) {
      if ((listed & LISTED_GLOBAL) === 0) {
        this.listed[id] = listed | LISTED_GLOBAL;
        this.liveGlobal[this.globalCount++] = id;
      }
    } else if ((listed & LISTED_NON_GLOBAL) === 0) {
      this.listed[id] = listed | LISTED_NON_GLOBAL;
      this.liveNonGlobal[this.nonGlobalCount++] = id;
    }
  }

  invalidateAll(): void {
    const tag = this.tag;
    const listed = this.listed;
    for (let k = 0; k < this.globalCount; k++) {
      const id = this.liveGlobal[k];
      tag[id] = TLB_INVALID;
      listed[id] = 0;
    }
    for (let k = 0; k < this.nonGlobalCount; k++) {
      const id = this.liveNonGlobal[k];
      tag[id] = TLB_INVALID;
      listed[id] = 0;
    }
    this.globalCount = 0;
    this.nonGlobalCount = 0;
    this.largeBlocks.fill(0);
  }

  /** Drops the entries of non-global (ASID-specific) pages: visits only slots that held one. */
  invalidateNonGlobal(): void {
    const live = this.liveNonGlobal;
    for (let k = 0; k < this.nonGlobalCount; k++) {
      const id = live[k];
      this.listed[id] &= ~LISTED_NON_GLOBAL;
      if ((this.meta[id] & META_GLOBAL) === 0) this.tag[id] = TLB_INVALID;
    }
    this.nonGlobalCount = 0;
  }

  /**
   * Drops the entries cut from a mapping that covers `va`: global ones always, non-global ones
   * only when `nonGlobalToo` (the ASID of the operation is the current one, or it ignores ASIDs).
   */
  invalidateVa(va: number, nonGlobalToo: boolean): void {
    // An entry cut from a 4 KiB page covering `va` can only sit in va's slot of each set: those are
    // probed directly. Entries cut from larger blocks may sit anywhere, so the live lists are swept
    // only when such a block was filled somewhere in va's megabyte (Linux invalidates pages one by
    // one when it patches kernel text through the fixmap, which is mapped with small pages).
    const page = va & ~0xfff;
    const tag = this.tag;
    const meta = this.meta;
    for (let id = (va >>> 12) & TLB_MASK; id < tag.length; id += TLB_SIZE) {
      if (tag[id] === page && (nonGlobalToo || (meta[id] & META_GLOBAL) !== 0)) tag[id] = TLB_INVALID;
    }
    if (this.largeBlocks[va >>> 20] === 0) return;
    this.globalCount = this.sweep(this.liveGlobal, this.globalCount, LISTED_GLOBAL, SWEEP_VA, va, nonGlobalToo);
    this.nonGlobalCount = this.sweep(
      this.liveNonGlobal,
      this.nonGlobalCount,
      LISTED_NON_GLOBAL,
      SWEEP_VA,
      va,
      nonGlobalToo,
    );
  }

  /** Drops the write entries that map RAM byte offset `pageOffset` (it now holds translated code). */
  dropWritesTo(pageOffset: number): void {
    const tag = this.tag;
    const addend = this.addend;
    const lists = [this.liveGlobal, this.liveNonGlobal];
    const counts = [this.globalCount, this.nonGlobalCount];
    for (let l = 0; l < 2; l++) {
      const live = lists[l];
      for (let k = 0; k < counts[l]; k++) {
        const id = live[k];
        const t = tag[id];
        if (
          t !== TLB_INVALID &&
          ((id >>> TLB_BITS) / TLB_SETS) >>> 0 === KIND_WRITE &&
          ((addend[id] + t) | 0) === pageOffset
        ) {
          tag[id] = TLB_INVALID;
        }
      }
    }
  }

  /** Drops every entry of one DACR context (its user and privileged sets, all kinds). */
  invalidateContext(ctx: number): void {
    this.globalCount = this.sweep(this.liveGlobal, this.globalCount, LISTED_GLOBAL, SWEEP_CONTEXT, ctx, false);
    this.nonGlobalCount = this.sweep(
      this.liveNonGlobal,
      this.nonGlobalCount,
      LISTED_NON_GLOBAL,
      SWEEP_CONTEXT,
      ctx,
      false,
    );
  }

  /** Invalidates the matching entries of one live list and compacts it; returns its new length. */
  private sweep(
    live: Int32Array,
    count: number,
    bit: number,
    what: number,
    arg: number,
    nonGlobalToo: boolean,
  ): number {
    const tag = this.tag;
    const meta = this.meta;
    let kept = 0;
    for (let k = 0; k < count; k++) {
      const id = live[k];
      const t = tag[id];
      let drop: boolean;
      if (t === TLB_INVALID) {
        drop = true;
      } else if (what === SWEEP_VA) {
        const m = meta[id];
        drop = (t ^ arg) >>> (m & META_SHIFT) === 0 && (nonGlobalToo || (m & META_GLOBAL) !== 0);
      } else {
        drop = ((id >>> TLB_BITS) % TLB_SETS) >>> 1 === arg;
      }
      if (drop) {
        tag[id] = TLB_INVALID;
        this.listed[id] &= ~bit;
      } else {
        live[kept++] = id;
      }
    }
    return kept;
  }
}

// The guest's view of memory: stage-1 translation (mmu-walk.ts) cached in a software TLB
// (tlb-store.ts), then the stage-2 map: RAM is accessed directly, the hardware windows (the GIC
// virtual CPU interface) are called directly, and anything else is a stage-2 data abort handed to
// the hypervisor (HypTraps.dataAbort) with an HSR syndrome, completed before the instruction goes on.
//
// Fast paths (every fetch, load and store) are one tag compare in a direct-mapped array of the
// current set, then one typed-array access. The alignment bits are folded into the compare, so
// unaligned accesses, MMIO, read-only RAM and misses all take the slow paths.
//
// Faults set cpu.abortIsPrefetch/abortFsr/abortFar and throw GUEST_ABORT; the core takes the abort.

import type { Cpu } from "./core.js";
import { ATTN_RESYNC, GUEST_ABORT } from "./core.js";
import type { RamRegion, Stage2 } from "./stage2.js";
import { Mode } from "./state.js";
import { Stage1Walker } from "./mmu-walk.js";
import { parAttributes } from "./mmu-attrs.js";
import { CodeCache } from "./code-cache.js";
import type { WatchHook } from "./debug-hooks.js";
import { EV_MEM_ACCESS } from "./pmu-regs.js";
import {
  DACR_CONTEXTS,
  KIND_CODE_WRITE,
  KIND_FETCH,
  KIND_READ,
  KIND_WRITE,
  META_DEVICE,
  TLB_BITS,
  TLB_MASK,
  TLB_SETS,
  TlbStore,
} from "./tlb-store.js";
import { dfsrOf, FS_ALIGNMENT, FS_SYNC_EXTERNAL, ifsrOf } from "./mmu-faults.js";
import { SCTLR_A, SCTLR_TRE } from "./cp15-regs.js";
import {
  DFSC_ALIGNMENT,
  DFSC_PERMISSION,
  DFSC_TRANSLATION,
  dataAbortHsr,
  syndromeA32,
  syndromeT16,
  syndromeT32,
} from "./syndrome.js";

// Tag mask for byte-granular checks in the slow paths (page bits only).
const MASK_8 = ~0xfff;

if (TLB_MASK !== 0x3ff) throw new Error("mmu.ts fast paths assume a 1024-entry TLB");

export class Mmu {
  private readonly cpu: Cpu;
  readonly stage2: Stage2;
  readonly walker: Stage1Walker;
  readonly tlb = new TlbStore();
  /** Blocks of translated code in this machine's RAM (shared with the other CPUs). */
  readonly code: CodeCache;
  // RAM and the current privilege's read and write TLB sets are also read by translated code
  // (jit-emitter.ts), which inlines the fast paths below: keep the two in step.
  readonly mem8: Uint8Array;
  readonly mem16: Uint16Array;
  readonly mem32: Int32Array;

  // The sets in use: current privilege, and the user set of the current DACR context (LDRT/STRT).
  rTag: Int32Array;
  rAdd: Int32Array;
  wTag: Int32Array;
  wAdd: Int32Array;
  private xTag: Int32Array;
  private xAdd: Int32Array;
  private rTagU: Int32Array;
  private rAddU: Int32Array;
  private wTagU: Int32Array;
  private wAddU: Int32Array;
  /** The current context's code-write entries (pages that hold translated code): a store there
   * that misses every word some block was made from goes straight to RAM too. */
  private cwTag: Int32Array;
  private cwAdd: Int32Array;

  /** The privilege the current sets were chosen for (cpu.mode === USR). */
  private userMode = false;
  /** DACR contexts: each one owns a user and a privileged set of every kind. */
  private ctx = 0;
  private readonly ctxDacr = new Int32Array(DACR_CONTEXTS);
  private ctxBound = 0;
  private nextVictim = 0;

  /** A debugger's watchpoints (debug-hooks.ts): their pages stay out of the TLB. */
  watch: WatchHook | null = null;
  /** The PMU counts data accesses (MEM_ACCESS): no data page enters the TLB, every access takes
   * a slow path, where it is counted. */
  private counting = false;

  /** Set by peek() when the instruction bytes could be read. */
  private peekOk = false;

  constructor(cpu: Cpu, stage2: Stage2) {
    this.cpu = cpu;
    this.stage2 = stage2;
    this.mem8 = stage2.memory;
    this.mem16 = stage2.mem16;
    this.mem32 = stage2.mem32;
    this.walker = new Stage1Walker(cpu.cp15, stage2);
    this.code = CodeCache.of(stage2.memory.buffer);
    this.code.addTlb(this.tlb);
    const t = this.tlb.tagViews;
    const a = this.tlb.addendViews;
    this.rTag = this.rTagU = t[0];
    this.rAdd = this.rAddU = a[0];
    this.wTag = this.wTagU = t[TLB_SETS];
    this.wAdd = this.wAddU = a[TLB_SETS];
    this.cwTag = t[KIND_CODE_WRITE * TLB_SETS];
    this.cwAdd = a[KIND_CODE_WRITE * TLB_SETS];
    this.xTag = t[2 * TLB_SETS];
    this.xAdd = a[2 * TLB_SETS];
    this.flushTlb();
  }

  // ---- Fast paths ----
  // Literals rather than module constants: imported and module-level bindings are loads (with
  // hole checks) in V8's optimized code, literals fold. The slow paths' results get `| 0` so that
  // V8 types every fast path's result as an int32 (a call result is otherwise any Number). 0x3ff is TLB_MASK (checked at load);
  // ~0xfff, ~0xffe, ~0xffc keep the page bits plus the alignment bits of 1-, 2- and 4-byte accesses.

  fetch32(va: number): number {
    const i = (va >>> 12) & 0x3ff;
    if ((va & ~0xffc) === this.xTag[i]) return this.mem32[(this.xAdd[i] + va) >> 2];
    return this.fetchSlow(va, 4) | 0;
  }
  fetch16(va: number): number {
    const i = (va >>> 12) & 0x3ff;
    if ((va & ~0xffe) === this.xTag[i]) return this.mem16[(this.xAdd[i] + va) >> 1];
    return this.fetchSlow(va, 2) | 0;
  }
  read8(va: number): number {
    const i = (va >>> 12) & 0x3ff;
    if ((va & ~0xfff) === this.rTag[i]) return this.mem8[(this.rAdd[i] + va) | 0];
    return this.readSlow(va, 1, this.userMode) | 0;
  }
  read16(va: number): number {
    const i = (va >>> 12) & 0x3ff;
    if ((va & ~0xffe) === this.rTag[i]) return this.mem16[(this.rAdd[i] + va) >> 1];
    return this.readSlow(va, 2, this.userMode) | 0;
  }
  read32(va: number): number {
    const i = (va >>> 12) & 0x3ff;
    if ((va & ~0xffc) === this.rTag[i]) return this.mem32[(this.rAdd[i] + va) >> 2];
    return this.readSlow(va, 4, this.userMode) | 0;
  }
  write8(va: number, value: number): void {
    const i = (va >>> 12) & 0x3ff;
    if ((va & ~0xfff) === this.wTag[i]) this.mem8[(this.wAdd[i] + va) | 0] = value;
    else if (!this.storeNearCode(va, 1, value)) this.writeSlow(va, 1, value, this.userMode);
  }
  write16(va: number, value: number): void {
    const i = (va >>> 12) & 0x3ff;
    if ((va & ~0xffe) === this.wTag[i]) this.mem16[(this.wAdd[i] + va) >> 1] = value;
    else if (!this.storeNearCode(va, 2, value)) this.writeSlow(va, 2, value, this.userMode);
  }
  write32(va: number, value: number): void {
    const i = (va >>> 12) & 0x3ff;
    if ((va & ~0xffc) === this.wTag[i]) this.mem32[(this.wAdd[i] + va) >> 2] = value;
    else if (!this.storeNearCode(va, 4, value)) this.writeSlow(va, 4, value, this.userMode);
  }

  /** An aligned store of `size` bytes to a page with translated code (its code-write entry hit)
   * that misses every word blocks were made from (data next to code: a bare-metal program's
   * variables) goes to RAM here, kept short and free of side effects for the write fast paths
   * (translated code leaves such a store to the interpreter); true if it did, false for the slow
   * path. */
  storeNearCode(va: number, size: number, value: number): boolean {
    const i = (va >>> 12) & 0x3ff;
    if ((va & ~(0x1000 - size)) !== this.cwTag[i]) return false;
    const off = (this.cwAdd[i] + va) | 0;
    const page = this.code.pages[off >>> 12];
    if (page !== undefined && page.coversWord(off)) return false;
    if (size === 4) this.mem32[off >> 2] = value;
    else if (size === 2) this.mem16[off >> 1] = value;
    else this.mem8[off] = value;
    return true;
  }

  // Unprivileged accesses (LDRT/STRT and friends): checked as PL0 whatever the current mode.
  read8u(va: number): number {
    const i = (va >>> 12) & 0x3ff;
    if ((va & ~0xfff) === this.rTagU[i]) return this.mem8[(this.rAddU[i] + va) | 0];
    return this.readSlow(va, 1, true) | 0;
  }
  read16u(va: number): number {
    const i = (va >>> 12) & 0x3ff;
    if ((va & ~0xffe) === this.rTagU[i]) return this.mem16[(this.rAddU[i] + va) >> 1];
    return this.readSlow(va, 2, true) | 0;
  }
  read32u(va: number): number {
    const i = (va >>> 12) & 0x3ff;
    if ((va & ~0xffc) === this.rTagU[i]) return this.mem32[(this.rAddU[i] + va) >> 2];
    return this.readSlow(va, 4, true) | 0;
  }
  write8u(va: number, value: number): void {
    const i = (va >>> 12) & 0x3ff;
    if ((va & ~0xfff) === this.wTagU[i]) this.mem8[(this.wAddU[i] + va) | 0] = value;
    else this.writeSlow(va, 1, value, true);
  }
  write16u(va: number, value: number): void {
    const i = (va >>> 12) & 0x3ff;
    if ((va & ~0xffe) === this.wTagU[i]) this.mem16[(this.wAddU[i] + va) >> 1] = value;
    else this.writeSlow(va, 2, value, true);
  }
  write32u(va: number, value: number): void {
    const i = (va >>> 12) & 0x3ff;
    if ((va & ~0xffc) === this.wTagU[i]) this.mem32[(this.wAddU[i] + va) >> 2] = value;
    else this.writeSlow(va, 4, value, true);
  }

  /**
   * The addend of `va`'s page in the fetch TLB (RAM byte offset = addend + va), for the run loops'
   * fetch pointer; an odd value (never an addend: pages are 4 KiB aligned) when the page is not
   * cached there. Valid until the MMU sets ATTN_RESYNC.
   */
  fetchAddend(va: number): number {
    const i = (va >>> 12) & 0x3ff;
    return (va & ~0xfff) === this.xTag[i] ? this.xAdd[i] : 1;
  }

  /**
   * The RAM byte offset of the aligned word at `va` when the TLB holds its page for reading (or
   * writing), so that a block transfer staying in that page can use stage2.mem32 directly (LDM/STM,
   * PUSH/POP); -1 otherwise, and the caller goes word by word through read32/write32.
   */
  readRun(va: number): number {
    const i = (va >>> 12) & 0x3ff;
    return (va & ~0xffc) === this.rTag[i] ? (this.rAdd[i] + va) | 0 : -1;
  }
  writeRun(va: number): number {
    const i = (va >>> 12) & 0x3ff;
    return (va & ~0xffc) === this.wTag[i] ? (this.wAdd[i] + va) | 0 : -1;
  }

  /** Raises an alignment fault unless `va` is a multiple of `size` (LDM/STM, LDRD/STRD, LDREX/STREX, VLDM...). */
  checkAlignment(va: number, size: number, isWrite: boolean): void {
    if ((va & (size - 1)) !== 0) this.alignmentFault(va, isWrite);
  }

  // ---- TLB maintenance and the events that change translations ----

  /** Invalidates every entry (TLBIALL, SCTLR/TTBCR/PRRR/NMRR writes, reset, stage-2 map changes). */
  /** Starts or stops counting data accesses for the PMU (pmu.ts). */
  countAccesses(on: boolean): void {
    if (on === this.counting) return;
    this.counting = on;
    if (on) this.flushTlb();
  }

  flushTlb(): void {
    this.tlb.invalidateAll();
    this.fetchStale();
    this.ctx = 0;
    this.ctxBound = 1;
    this.ctxDacr[0] = this.cpu.cp15.dacr | 0;
    this.nextVictim = 1;
    this.userMode = this.cpu.mode === Mode.USR;
    this.selectSets();
  }

  /** Called when the privilege level may have changed (mode switch, exception entry/return). */
  privilegeChanged(): void {
    const user = this.cpu.mode === Mode.USR;
    if (user !== this.userMode) {
      this.userMode = user;
      this.selectSets();
    }
  }

  /**
   * DACR was written. The sets of up to DACR_CONTEXTS values are kept, so Linux's per-uaccess
   * switch between two DACR values (CPU_SW_DOMAIN_PAN) costs no flush at all.
   */
  dacrChanged(): void {
    const dacr = this.cpu.cp15.dacr | 0;
    if (this.ctxDacr[this.ctx] === dacr) return;
    for (let c = 0; c < DACR_CONTEXTS; c++) {
      if (this.ctxBound & (1 << c) && this.ctxDacr[c] === dacr) {
        this.ctx = c;
        this.selectSets();
        return;
      }
    }
    let c = 0;
    while (c < DACR_CONTEXTS && this.ctxBound & (1 << c)) c++;
    if (c === DACR_CONTEXTS) {
      c = this.nextVictim;
      if (c === this.ctx) c = (c + 1) % DACR_CONTEXTS;
      this.nextVictim = (c + 1) % DACR_CONTEXTS;
      this.tlb.invalidateContext(c);
      this.fetchStale();
    }
    this.ctxBound |= 1 << c;
    this.ctxDacr[c] = dacr;
    this.ctx = c;
    this.selectSets();
  }

  /** Drops the non-global entries (ASID change, TTBR0/TTBR1 change). Entries are only ever held
   * for the current ASID, so this is all an ASID switch needs. */
  flushNonGlobal(): void {
    this.tlb.invalidateNonGlobal();
    this.fetchStale();
  }

  /** TLBIMVA (ASID-matching and global entries for `va`) and TLBIMVAA (`allAsids`). */
  flushVa(va: number, asid: number, allAsids: boolean): void {
    const current = this.cpu.cp15.currentAsid();
    this.tlb.invalidateVa(va & ~0xfff, allAsids || (asid & 0xff) === current);
    this.fetchStale();
  }

  /** TLBIASID: only the current ASID has non-global entries here. */
  flushAsid(asid: number): void {
    if ((asid & 0xff) === this.cpu.cp15.currentAsid()) this.flushNonGlobal();
  }

  /**
   * For a store-exclusive: the byte offset in guest memory that an aligned store of `size` at `va`
   * writes, after the same translation and permission checks as the store itself (faults are
   * raised), or -1 when the target is not plain writable RAM (a device, flash, a page with
   * translated code): the caller then stores the ordinary way.
   */
  exclusiveOffset(va: number, size: number): number {
    const user = this.userMode;
    const i = (va >>> 12) & TLB_MASK;
    if ((va & ~0xfff) === (user ? this.wTagU : this.wTag)[i]) return ((user ? this.wAddU : this.wAdd)[i] + va) | 0;
    if (this.watch !== null) this.watch.access(va, size, true);
    if (this.counting) this.cpu.pmu.event(EV_MEM_ACCESS);
    const ipa = this.translate(va, KIND_WRITE, user);
    const region = this.stage2.regionAt(ipa);
    if (region === undefined || !region.writable) return -1;
    const off = region.offset + (ipa - region.base);
    if (this.code.isCode(off) || (va & 0xfff) > 0x1000 - size) return -1;
    this.fill(KIND_WRITE, user, va, ipa, region);
    return off;
  }

  /** Guest memory as bytes, halfwords and words (for atomic operations on it). */
  get bytes(): Uint8Array {
    return this.mem8;
  }
  get halfwords(): Uint16Array {
    return this.mem16;
  }
  get words(): Int32Array {
    return this.mem32;
  }

  /** Cache maintenance by address (ICIMVAU, DC*MVA*): the byte offset in guest memory of the page
   * holding `va`, by the read TLB or a translation without faults (the operations cannot fault
   * here), or -1 if it does not translate to RAM. */
  codePageOf(va: number): number {
    const i = (va >>> 12) & TLB_MASK;
    if ((va & ~0xfff) === this.rTag[i]) return ((this.rAdd[i] + va) | 0) & ~0xfff;
    const ipa = this.walker.translate(va, KIND_READ, false);
    if (ipa < 0) return -1;
    const off = this.stage2.ramOffset(ipa);
    return off < 0 ? -1 : off & ~0xfff;
  }

  /**
   * The VA to PA operations (ATS1CPR/CPW/CUR/CUW): a stage-1 translation with permission checks,
   * without side effects. Returns the PAR value (short-descriptor format).
   */
  translateForPar(va: number, isWrite: boolean, user: boolean): number {
    const w = this.walker;
    const ipa = w.translate(va, isWrite ? KIND_WRITE : KIND_READ, user);
    if (ipa < 0) return ((w.fs & 0x1f) << 1) | 1;
    const cp15 = this.cpu.cp15;
    const attrs = parAttributes(w.texcb, w.shareable, (cp15.sctlr & SCTLR_TRE) !== 0, cp15.prrr, cp15.nmrr);
    if (w.supersection) return ((ipa & 0xff000000) | attrs | 2) >>> 0;
    return ((ipa & 0xfffff000) | attrs) >>> 0;
  }

  // ---- Slow paths ----

  /** The run loops' copy of a fetch TLB entry may no longer be valid. */
  private fetchStale(): void {
    this.cpu.attention |= ATTN_RESYNC;
  }

  private selectSets(): void {
    this.fetchStale();
    const t = this.tlb.tagViews;
    const a = this.tlb.addendViews;
    const userSet = this.ctx * 2;
    const set = this.userMode ? userSet : userSet + 1;
    this.rTag = t[KIND_READ * TLB_SETS + set];
    this.rAdd = a[KIND_READ * TLB_SETS + set];
    this.wTag = t[KIND_WRITE * TLB_SETS + set];
    this.wAdd = a[KIND_WRITE * TLB_SETS + set];
    this.xTag = t[KIND_FETCH * TLB_SETS + set];
    this.xAdd = a[KIND_FETCH * TLB_SETS + set];
    this.rTagU = t[KIND_READ * TLB_SETS + userSet];
    this.rAddU = a[KIND_READ * TLB_SETS + userSet];
    this.wTagU = t[KIND_WRITE * TLB_SETS + userSet];
    this.wAddU = a[KIND_WRITE * TLB_SETS + userSet];
    this.cwTag = t[KIND_CODE_WRITE * TLB_SETS + set];
    this.cwAdd = a[KIND_CODE_WRITE * TLB_SETS + set];
  }

  private fetchSlow(va: number, size: number): number {
    va = va >>> 0;
    const user = this.userMode;
    const ipa = this.translate(va, KIND_FETCH, user);
    const region = this.stage2.regionAt(ipa);
    if (region === undefined) {
      // Executing from a device or from nothing: the hypervisor has no memory there.
      this.raise(true, ifsrOf(FS_SYNC_EXTERNAL), va);
    }
    this.fill(KIND_FETCH, user, va, ipa, region);
    return this.loadRam(region.offset + (ipa - region.base), size);
  }

  private readSlow(va: number, size: number, user: boolean): number {
    va = va >>> 0;
    if (this.watch !== null) this.watch.access(va, size, false);
    if (this.counting) this.cpu.pmu.event(EV_MEM_ACCESS);
    const unaligned = (va & (size - 1)) !== 0;
    if (unaligned) {
      if (this.cpu.cp15.sctlr & SCTLR_A) this.alignmentFault(va, false);
      if ((va & 0xfff) > 0x1000 - size) return this.readCrossPage(va, size, user);
      // An unaligned access inside one page still uses the TLB, at byte granularity, unless the
      // entry maps Device memory.
      const i = (va >>> 12) & TLB_MASK;
      if ((va & MASK_8) === (user ? this.rTagU : this.rTag)[i]) {
        if (this.entryIsDevice(KIND_READ, user, i)) this.alignmentFault(va, false);
        return this.loadRam(((user ? this.rAddU : this.rAdd)[i] + va) | 0, size);
      }
    }
    const ipa = this.translate(va, KIND_READ, user, unaligned);
    const region = this.stage2.regionAt(ipa);
    if (region !== undefined) {
      this.fill(KIND_READ, user, va, ipa, region);
      return this.loadRam(region.offset + (ipa - region.base), size);
    }
    if (!unaligned) return this.readDevice(ipa, va, size, true);
    if (this.stage2.hardwareAt(ipa) !== undefined) return this.stage2Alignment(ipa, va, size, false, 0);
    let v = 0;
    for (let k = 0; k < size; k++) v |= this.readDevice(ipa + k, va + k, 1, false) << (8 * k);
    return size === 4 ? v | 0 : v;
  }

  private writeSlow(va: number, size: number, value: number, user: boolean): void {
    // First the common slow case, kept short: an aligned store to a page with translated code
    // that misses every word of its blocks (data next to code: a literal pool's neighbour, a
    // bare-metal program's variables) goes to RAM at once.
    if (user === this.userMode && this.storeNearCode(va, size, value)) return;
    va = va >>> 0;
    if (this.watch !== null) this.watch.access(va, size, true);
    if (this.counting) this.cpu.pmu.event(EV_MEM_ACCESS);
    const unaligned = (va & (size - 1)) !== 0;
    if (unaligned) {
      if (this.cpu.cp15.sctlr & SCTLR_A) this.alignmentFault(va, true);
      if ((va & 0xfff) > 0x1000 - size) {
        this.writeCrossPage(va, size, value, user);
        return;
      }
      const i = (va >>> 12) & TLB_MASK;
      if ((va & MASK_8) === (user ? this.wTagU : this.wTag)[i]) {
        if (this.entryIsDevice(KIND_WRITE, user, i)) this.alignmentFault(va, true);
        this.storeRam(((user ? this.wAddU : this.wAdd)[i] + va) | 0, size, value);
        return;
      }
    }
    // A page with translated code: its translation is kept apart from the write fast path.
    const id = ((KIND_CODE_WRITE * TLB_SETS + this.ctx * 2 + (user ? 0 : 1)) << TLB_BITS) | ((va >>> 12) & TLB_MASK);
    const tag = this.tlb.tag;
    if ((va & MASK_8) === tag[id]) {
      const off = (this.tlb.addend[id] + va) | 0;
      if (this.code.isCode(off)) {
        if (unaligned && (this.tlb.meta[id] & META_DEVICE) !== 0) this.alignmentFault(va, true);
        this.storeRam(off, size, value);
        this.stored(off, size);
        return;
      }
      tag[id] = -1; // no code there any more: the walk below fills the write TLB again
    }
    const ipa = this.translate(va, KIND_WRITE, user, unaligned);
    const region = this.stage2.regionAt(ipa);
    if (region !== undefined && region.writable) {
      const off = region.offset + (ipa - region.base);
      this.fill(KIND_WRITE, user, va, ipa, region);
      this.storeRam(off, size, value);
      this.stored(off, size);
      return;
    }
    if (!unaligned) {
      this.writeDevice(ipa, va, size, value, region !== undefined, true);
      return;
    }
    if (region === undefined && this.stage2.hardwareAt(ipa) !== undefined) {
      this.stage2Alignment(ipa, va, size, true, value);
      return;
    }
    for (let k = 0; k < size; k++) this.writeDevice(ipa + k, va + k, 1, value >>> (8 * k), region !== undefined, false);
  }

  /** An unaligned read that spans two pages: both are translated first, then bytes are read. */
  private readCrossPage(va: number, size: number, user: boolean): number {
    const first = 0x1000 - (va & 0xfff);
    const va2 = (va + first) >>> 0;
    const ipa1 = this.translate(va, KIND_READ, user, true);
    const ipa2 = this.translate(va2, KIND_READ, user, true);
    if (this.stage2.regionAt(ipa1) === undefined && this.stage2.hardwareAt(ipa1) !== undefined) {
      return this.stage2Alignment(ipa1, va, size, false, 0);
    }
    if (this.stage2.regionAt(ipa2) === undefined && this.stage2.hardwareAt(ipa2) !== undefined) {
      return this.stage2Alignment(ipa2, va2, size, false, 0);
    }
    let v = 0;
    for (let k = 0; k < size; k++) {
      v |= this.readPhysByte(k < first ? ipa1 + k : ipa2 + (k - first), (va + k) >>> 0) << (8 * k);
    }
    return size === 4 ? v | 0 : v;
  }

  /** An unaligned write that spans two pages: no byte is written unless both pages may be. */
  private writeCrossPage(va: number, size: number, value: number, user: boolean): void {
    const first = 0x1000 - (va & 0xfff);
    const va2 = (va + first) >>> 0;
    const ipa1 = this.translate(va, KIND_WRITE, user, true);
    const ipa2 = this.translate(va2, KIND_WRITE, user, true);
    if (this.stage2.regionAt(ipa1) === undefined && this.stage2.hardwareAt(ipa1) !== undefined) {
      this.stage2Alignment(ipa1, va, size, true, value);
      return;
    }
    if (this.stage2.regionAt(ipa2) === undefined && this.stage2.hardwareAt(ipa2) !== undefined) {
      this.stage2Alignment(ipa2, va2, size, true, value);
      return;
    }
    for (let k = 0; k < size; k++) {
      const ipa = k < first ? ipa1 + k : ipa2 + (k - first);
      const region = this.stage2.regionAt(ipa);
      const b = (value >>> (8 * k)) & 0xff;
      if (region !== undefined && region.writable) {
        const off = region.offset + (ipa - region.base);
        this.mem8[off] = b;
        this.stored(off, 1);
      } else this.writeDevice(ipa, (va + k) >>> 0, 1, b, region !== undefined, false);
    }
  }

  private readPhysByte(ipa: number, va: number): number {
    const off = this.stage2.ramOffset(ipa);
    if (off >= 0) return this.mem8[off];
    return this.readDevice(ipa, va, 1, false);
  }

  private loadRam(off: number, size: number): number {
    if ((off & (size - 1)) === 0) {
      if (size === 4) return this.mem32[off >> 2];
      if (size === 2) return this.mem16[off >> 1];
      return this.mem8[off];
    }
    const m = this.mem8;
    if (size === 2) return m[off] | (m[off + 1] << 8);
    return m[off] | (m[off + 1] << 8) | (m[off + 2] << 16) | (m[off + 3] << 24);
  }

  private storeRam(off: number, size: number, value: number): void {
    if ((off & (size - 1)) === 0) {
      if (size === 4) this.mem32[off >> 2] = value;
      else if (size === 2) this.mem16[off >> 1] = value;
      else this.mem8[off] = value;
      return;
    }
    const m = this.mem8;
    for (let k = 0; k < size; k++) m[off + k] = value >>> (8 * k);
  }

  /** A slow-path store of `size` bytes reached RAM at byte offset `off`: translated code made from
   * those bytes is stale. The storing instruction ends its block (which may be one of them). */
  private stored(off: number, size: number): void {
    this.code.dirtyPages[off >>> 12] = 1;
    if (this.code.pages[off >>> 12] !== undefined && this.code.written(off, size)) this.cpu.attention |= ATTN_RESYNC;
  }

  /** Caches the translation of `va`'s page if the whole page is RAM of one region (for writes, only
   * if the page holds no translated code, so that stores to code always come to writeSlow). */
  private fill(kind: number, user: boolean, va: number, ipa: number, region: RamRegion): void {
    const rel = ipa - (ipa & 0xfff) - region.base;
    if (rel + 0x1000 > region.size || ((region.offset + rel) & 0xfff) !== 0) return;
    if (kind === KIND_WRITE) this.code.dirtyPages[(region.offset + rel) >>> 12] = 1;
    if (kind !== KIND_FETCH && (this.counting || (this.watch !== null && this.watch.watchesPage(va)))) return;
    if (kind === KIND_WRITE && this.code.isCode(region.offset + rel)) kind = KIND_CODE_WRITE;
    const w = this.walker;
    this.tlb.fill(kind, this.ctx * 2 + (user ? 0 : 1), va, region.offset + rel, w.blockShift, w.global, w.device);
  }

  /** The TLB entry in slot `i` of the current `kind` set was cut from Device or Strongly-ordered memory. */
  private entryIsDevice(kind: number, user: boolean, i: number): boolean {
    const id = ((kind * TLB_SETS + this.ctx * 2 + (user ? 0 : 1)) << TLB_BITS) | i;
    return (this.tlb.meta[id] & META_DEVICE) !== 0;
  }

  // ---- Devices and the hypervisor ----

  private readDevice(ipa: number, va: number, size: number, whole: boolean): number {
    ipa = ipa >>> 0;
    const hw = this.stage2.hardwareAt(ipa);
    if (hw !== undefined) return hw.window.read(ipa - hw.base, size);
    return this.trap(ipa, va, size, false, 0, DFSC_TRANSLATION, whole);
  }

  private writeDevice(ipa: number, va: number, size: number, value: number, readOnlyRam: boolean, whole: boolean) {
    ipa = ipa >>> 0;
    value = size === 4 ? value >>> 0 : value & ((1 << (8 * size)) - 1);
    if (!readOnlyRam) {
      const hw = this.stage2.hardwareAt(ipa);
      if (hw !== undefined) {
        hw.window.write(ipa - hw.base, size, value);
        return;
      }
    }
    this.trap(ipa, va, size, true, value, readOnlyRam ? DFSC_PERMISSION : DFSC_TRANSLATION, whole);
  }

  /**
   * An unaligned access, Normal memory at stage 1, reached a hardware window: stage 2 maps those
   * as Device memory (as KVM maps the GICV), so the access takes a stage-2 Alignment fault to the
   * hypervisor (TranslateAddressV: Hyp mode, EC 0x24 with DFSC 0b100001), which may answer it
   * like any stage-2 abort.
   */
  private stage2Alignment(ipa: number, va: number, size: number, isWrite: boolean, value: number): number {
    return this.trap(ipa, va, size, isWrite, value, DFSC_ALIGNMENT, true);
  }

  /**
   * A stage-2 data abort: the hypervisor completes the access (or asks for an external abort).
   * `whole` is false for the byte pieces of a split unaligned access, whose syndrome is not valid.
   */
  private trap(ipa: number, va: number, size: number, isWrite: boolean, value: number, dfsc: number, whole: boolean) {
    const cpu = this.cpu;
    const hsr = this.stage2Syndrome(size, isWrite, dfsc, whole);
    const exit = cpu.exit;
    exit.hsr = hsr;
    exit.hdfar = va >>> 0;
    exit.ipa = ipa;
    const traps = cpu.traps;
    if (traps === null) this.raise(false, dfsrOf(FS_SYNC_EXTERNAL, 0, isWrite), va);
    traps.externalAbort = false;
    const result = traps.dataAbort(hsr, ipa, va >>> 0, size, isWrite, value);
    if (traps.externalAbort) this.raise(false, dfsrOf(FS_SYNC_EXTERNAL, 0, isWrite), va);
    if (size === 4) return result | 0;
    return result & (size === 2 ? 0xffff : 0xff);
  }

  /** The HSR for a stage-2 data abort by the current instruction (re-read from memory). */
  private stage2Syndrome(size: number, isWrite: boolean, dfsc: number, whole: boolean): number {
    const cpu = this.cpu;
    const pc = cpu.curPc >>> 0;
    let decoded = 0;
    let il32 = true;
    if (cpu.t === 0) {
      const instr = this.peek(pc, 4);
      if (whole && this.peekOk) decoded = syndromeA32(instr);
    } else {
      const hw1 = this.peek(pc, 2);
      if (this.peekOk) {
        il32 = hw1 >>> 11 >= 0x1d;
        if (!il32) {
          if (whole) decoded = syndromeT16(hw1);
        } else {
          const hw2 = this.peek((pc + 2) >>> 0, 2);
          if (whole && this.peekOk) decoded = syndromeT32(hw1, hw2);
        }
      }
    }
    return dataAbortHsr(decoded, il32, size, isWrite, dfsc);
  }

  /** Reads instruction bytes at `va` without faulting and without touching the TLB. */
  private peek(va: number, size: number): number {
    this.peekOk = false;
    const ipa = this.walker.translate(va, KIND_FETCH, this.userMode);
    if (ipa < 0) return 0;
    const off = this.stage2.ramOffset(ipa);
    if (off < 0 || off + size > this.mem8.length) return 0;
    this.peekOk = true;
    return this.loadRam(off, size);
  }

  // ---- Faults ----

  /** Stage-1 translation of an access that must succeed; raises the abort otherwise (for an
   * `unaligned` access, an Alignment fault when the memory is Device or Strongly-ordered). */
  private translate(va: number, kind: number, user: boolean, unaligned = false): number {
    const w = this.walker;
    const ipa = w.translate(va, kind, user, unaligned);
    if (ipa >= 0) return ipa;
    if (kind === KIND_FETCH) this.raise(true, ifsrOf(w.fs), va);
    this.raise(false, dfsrOf(w.fs, w.faultDomain, kind === KIND_WRITE), va);
  }

  private alignmentFault(va: number, isWrite: boolean): never {
    this.raise(false, dfsrOf(FS_ALIGNMENT, 0, isWrite), va);
  }

  private raise(prefetch: boolean, fsr: number, va: number): never {
    const cpu = this.cpu;
    cpu.abortIsPrefetch = prefetch;
    cpu.abortFsr = fsr;
    cpu.abortFar = va >>> 0;
    throw GUEST_ABORT;
  }
}

// The run loops with translated blocks (ARM state first, Thumb state below): at each block entry,
// look the block up by the physical address of the PC (code-cache.ts); run its compiled function
// if it has one, else count the entry and let the interpreter (runA32, runT32) run from there on
// to the first taken branch after COLD_RUN instructions, compiling the block once it is hot. Cold
// code thus costs no compilation and one call per few blocks; hot loops run as straight JavaScript.
//
// A block only runs when it fits in the budget, so slices end on the same instruction as with the
// interpreter alone (icount stays exact, and so does single-stepping).

import type { Cpu } from "./core.js";
import { runA32 } from "./a32.js";
import { blockA32, blockT32 } from "./block-table.js";
import { Block, type BlockFn, type CodePage } from "./code-cache.js";
import { compileA32, compileRegionA32, scanA32, targetsA32 } from "./jit-a32.js";
import { jitHelpers } from "./jit-helpers.js";
import { chooseRegion } from "./jit-region.js";
import { runT32 } from "./run-t32.js";
import { compileRegionT16, compileT16, scanT16, targetsT16 } from "./jit-t16.js";

/** Instructions the interpreter runs on from a cold block before it stops at a taken branch. */
const COLD_RUN = 256;

export function runA32Blocks(cpu: Cpu, budget: number, done: number): number {
  const mmu = cpu.mmu;
  const code = mmu.code;
  const pages = code.pages;
  const mem32 = mmu.stage2.mem32;
  const r = cpu.r;
  const h = jitHelpers;
  budget |= 0;
  done |= 0;
  // Attention already asked for (a kick before the slice): one instruction, as the interpreter
  // would run, and no block that could run on past it.
  if (cpu.attention !== 0) return runA32(cpu, budget, done);
  // The translated block that ran last, whose successors (block-table.ts) are tried first.
  let last: Block | null = null;
  for (;;) {
    const prev = last;
    last = null;
    const pc = cpu.nextPc | 0;
    let addend = mmu.fetchAddend(pc) | 0;
    if ((addend & 1) !== 0 && (pc & 3) === 0) {
      // Page not in the fetch TLB: a fetch fills it. If it aborts instead, the abort is taken as
      // the interpreter takes it: at this PC, counted as an instruction.
      cpu.curPc = pc;
      cpu.sliceCount = (done + 1) | 0;
      mmu.fetch32(pc);
      cpu.sliceCount = done;
      addend = mmu.fetchAddend(pc) | 0;
    }
    if ((addend & 1) !== 0 || (pc & 3) !== 0) {
      // Not RAM that the TLB can hold, or a misaligned PC: one instruction by the interpreter.
      done = runA32(cpu, (done + 1) | 0, done);
    } else {
      const off = (addend + pc) | 0;
      const block = blockA32(code, mem32, off, pc, prev);
      let fn = block.fn;
      if (fn === null && ++block.hits >= code.hotThreshold) {
        fn = translateA32(pages[off >>> 12] ?? code.pageFor(off), mem32, off >> 2, pc, block.length);
        code.translated(off, 0);
      }
      if (((done + block.length) | 0) > budget) {
        done = runA32(cpu, budget, done);
      } else if (fn !== null) {
        done = fn(cpu, r, mmu, done, h, budget);
        // Stopped before an instruction for the interpreter (Emitter.step): it runs that one.
        if (done < 0) done = runA32(cpu, (~done + 1) | 0, ~done);
        cpu.sliceCount = done;
        last = block;
      } else {
        // Cold: the interpreter runs this block and on, to the first taken branch after COLD_RUN
        // instructions (one call for several cold blocks; hot code is reached through branches).
        done = runA32(cpu, budget, done, (done + COLD_RUN) | 0);
      }
    }
    if (cpu.attention !== 0 || done >= budget || cpu.external[0] !== 0) return done;
  }
}

/**
 * The Thumb-state run loop with translated blocks, as runA32Blocks; blocks are keyed by physical
 * halfword. A block (IT blocks included) is entered only outside an IT block: the generator knows
 * ITSTATE from there on. Inside one (after an exception return into it, or a block cut short in
 * it), the interpreter runs.
 */
export function runT32Blocks(cpu: Cpu, budget: number, done: number): number {
  const mmu = cpu.mmu;
  const code = mmu.code;
  const pages = code.pages;
  const mem16 = mmu.stage2.mem16;
  const r = cpu.r;
  const h = jitHelpers;
  budget |= 0;
  done |= 0;
  if (cpu.attention !== 0) return runT32(cpu, budget, done);
  let last: Block | null = null;
  for (;;) {
    const prev = last;
    last = null;
    const pc = cpu.nextPc | 0;
    let addend = mmu.fetchAddend(pc) | 0;
    if ((addend & 1) !== 0 && (pc & 1) === 0) {
      // As in runA32Blocks: a fetch fills the TLB, or takes the prefetch abort at this PC.
      cpu.curPc = pc;
      cpu.sliceCount = (done + 1) | 0;
      mmu.fetch16(pc);
      cpu.sliceCount = done;
      addend = mmu.fetchAddend(pc) | 0;
    }
    if ((addend & 1) !== 0 || (pc & 1) !== 0) {
      // Not RAM the TLB can hold: one instruction by the interpreter.
      done = runT32(cpu, (done + 1) | 0, done);
    } else if (cpu.it !== 0) {
      // Inside an IT block: the interpreter runs it, and on to a taken branch.
      done = runT32(cpu, budget, done, (done + COLD_RUN) | 0);
    } else {
      const off = (addend + pc) | 0;
      const block = blockT32(code, mem16, off, pc, prev);
      let fn = block.fn;
      if (block.length === 0) {
        // It starts with a 32-bit instruction split across pages.
        done = runT32(cpu, budget, done, (done + COLD_RUN) | 0);
      } else if (((done + block.length) | 0) > budget) {
        done = runT32(cpu, budget, done);
      } else {
        if (fn === null && ++block.hits >= code.hotThreshold) {
          fn = translateT16(pages[off >>> 12] ?? code.pageFor(off), mem16, off >> 1, pc, block.length);
          code.translated(off, 1);
        }
        if (fn !== null) {
          done = fn(cpu, r, mmu, done, h, budget);
          if (done < 0) done = runT32(cpu, (~done + 1) | 0, ~done);
          cpu.sliceCount = done;
          last = block;
        } else {
          // Cold: as in runA32Blocks, the interpreter runs on to a taken branch.
          done = runT32(cpu, budget, done, (done + COLD_RUN) | 0);
        }
      }
    }
    if (cpu.attention !== 0 || done >= budget || cpu.external[0] !== 0) return done;
  }
}

/**
 * Translates the hot ARM block at `pc` (mem32[word], `length` instructions) with the blocks of its
 * region (jit-region.ts) into one function, which every block of the region without a function
 * of its own gets, the hot one included. Each block's words are marked as code, so a store to
 * any of them drops the function with the page.
 */
function translateA32(page: CodePage, mem32: Int32Array, word: number, pc: number, length: number): BlockFn {
  const pageWord = word & ~1023;
  const at = (va: number) => pageWord + ((va & 0xfff) >>> 2);
  const region = chooseRegion(
    pc,
    length,
    (va) => scanA32(mem32, at(va)),
    (va, n) => targetsA32(mem32, at(va), va, n),
    4,
  );
  const fn = region.size === 1 ? compileA32(mem32, word, pc, length) : compileRegionA32(mem32, pageWord, region);
  const slots = page.armSlots();
  for (const [va, n] of region) {
    const w = (va & 0xfff) >>> 2;
    page.cover(w, n);
    let b = slots[w];
    if (b === undefined || b.va !== va) page.setArm(w, (b = new Block((pageWord + w) << 2, va, n, 0)));
    if (b.fn === null || va === pc) b.fn = fn;
  }
  return fn;
}

/** translateA32 for a Thumb block at mem16[index]. */
function translateT16(page: CodePage, mem16: Uint16Array, index: number, pc: number, length: number): BlockFn {
  const pageIndex = index & ~2047;
  const at = (va: number) => pageIndex + ((va & 0xfff) >>> 1);
  const region = chooseRegion(
    pc,
    length,
    (va) => scanT16(mem16, at(va)).length,
    (va, n) => targetsT16(mem16, at(va), va, n),
    2,
  );
  const fn = region.size === 1 ? compileT16(mem16, index, pc, length) : compileRegionT16(mem16, pageIndex, region);
  const slots = page.thumbSlots();
  for (const [va] of region) {
    const h = (va & 0xfff) >>> 1;
    const scan = scanT16(mem16, pageIndex + h);
    page.cover(h >>> 1, ((h + scan.halfwords - 1) >>> 1) - (h >>> 1) + 1);
    let b = slots[h];
    if (b === undefined || b.va !== va || b.thumb !== 1) {
      page.setThumb(h, (b = new Block((pageIndex + h) << 1, va, scan.length, 1)));
    }
    if (b.fn === null || va === pc) b.fn = fn;
  }
  return fn;
}

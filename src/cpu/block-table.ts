// The code cache's blocks by entry address. The run loops with translated blocks (run-blocks.ts)
// find or make the block at the PC here, and so does the interpreter on a cold run, at each target
// of a branch it takes: it counts that entry, and stops there when the block is translated or has
// just become hot, for the run loop to run it. Hot code is thus found where the interpreter runs
// it, not only where a cold run happens to stop: a path of cold blocks that the interpreter runs
// straight through would otherwise become hot one run's stopping point at a time.

import type { Cpu } from "./core.js";
import { Block, type CodeCache } from "./code-cache.js";
import { scanA32 } from "./jit-a32.js";
import { scanT16 } from "./jit-t16.js";

/** The ARM block at RAM byte offset `off` (virtual address `pc`), made and registered if new.
 * `last`: the translated block the run loop ran just before, whose successors are tried first. */
export function blockA32(
  code: CodeCache,
  mem32: Int32Array,
  off: number,
  pc: number,
  last: Block | null = null,
): Block {
  return (last === null ? null : successor(last, off, pc)) ?? follows(last, findA32(code, mem32, off, pc));
}

/** The Thumb block at RAM byte offset `off`, as blockA32. */
export function blockT32(
  code: CodeCache,
  mem16: Uint16Array,
  off: number,
  pc: number,
  last: Block | null = null,
): Block {
  return (last === null ? null : successor(last, off, pc)) ?? follows(last, findT32(code, mem16, off, pc));
}

/** The ARM block at `off`, looked up by address. */
function findA32(code: CodeCache, mem32: Int32Array, off: number, pc: number): Block {
  code.lookups++;
  const word = off >> 2;
  let block = code.pages[off >>> 12]?.blocks?.[word & 1023];
  if (block === undefined || block.va !== pc) {
    block = new Block(off, pc, scanA32(mem32, word), 0);
    block.hits = code.initialHits(off, 0);
    const page = code.pageFor(off);
    page.setArm(word & 1023, block);
    page.cover(word & 1023, block.length);
  }
  return block;
}

/** The Thumb block at `off`, looked up by address. An empty block (a 32-bit instruction split
 * across pages) is kept too, as a marker that sends this address to the interpreter; it covers no
 * word. */
function findT32(code: CodeCache, mem16: Uint16Array, off: number, pc: number): Block {
  code.lookups++;
  const index = off >> 1;
  let block = code.pages[off >>> 12]?.thumbBlocks?.[index & 2047];
  if (block === undefined || block.va !== pc || block.thumb !== 1) {
    const scan = scanT16(mem16, index);
    block = new Block(off, pc, scan.length, 1);
    block.hits = code.initialHits(off, 1);
    const page = code.pageFor(off);
    page.setThumb(index & 2047, block);
    if (scan.length !== 0) {
      // Coherence is per word: mark every word the block's halfwords touch.
      const first = (index & 2047) >>> 1;
      page.cover(first, (((index & 2047) + scan.halfwords - 1) >>> 1) - first + 1);
    }
  }
  return block;
}

// Chaining: where a translated block goes next is mostly where it went the last time or the time
// before (a loop's exit or its back edge, a call's return). The run loop tries those two first:
// each is a live block (a dropped one has off -1) at the same physical and virtual address, as
// good as the one the lookup would find. Only blocks of one instruction set are chained to each
// other, as each run loop chains its own. In the busybox job the lookup's loads were a third of
// the Thumb run loop's time.

/** The cached successor of `last` at `off` and `pc`, or null. */
function successor(last: Block, off: number, pc: number): Block | null {
  const a = last.next0;
  if (a !== null && a.off === off && a.va === pc) return a;
  const b = last.next1;
  if (b !== null && b.off === off && b.va === pc) return b;
  return null;
}

/** `block` runs after `last` (if any): the newest successor, the older one kept as the second. */
function follows(last: Block | null, block: Block): Block {
  if (last !== null) {
    last.next1 = last.next0;
    last.next0 = block;
  }
  return block;
}

/** At `pc`, the target of a branch the interpreter took in ARM state on a cold run: counts an entry
 * into the block there and says whether the run should stop for the run loop to run it. */
export function hotTargetA32(cpu: Cpu, pc: number): boolean {
  const mmu = cpu.mmu;
  const addend = mmu.fetchAddend(pc) | 0;
  if ((addend & 1) !== 0 || (pc & 3) !== 0) return false;
  return entered(mmu.code, blockA32(mmu.code, mmu.stage2.mem32, (addend + pc) | 0, pc));
}

/** hotTargetA32 in Thumb state; never inside an IT block (blocks are entered outside them only). */
export function hotTargetT32(cpu: Cpu, pc: number): boolean {
  const mmu = cpu.mmu;
  const addend = mmu.fetchAddend(pc) | 0;
  if ((addend & 1) !== 0 || (pc & 1) !== 0 || cpu.it !== 0) return false;
  const block = blockT32(mmu.code, mmu.stage2.mem16, (addend + pc) | 0, pc);
  return block.length !== 0 && entered(mmu.code, block);
}

/** An entry into `block` that the interpreter runs through: counted, unless the block is translated
 * or this entry makes it hot, when the run loop takes over (and counts it itself). */
function entered(code: CodeCache, block: Block): boolean {
  if (block.fn !== null || block.hits + 1 >= code.hotThreshold) return true;
  block.hits++;
  return false;
}

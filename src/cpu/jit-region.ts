// Which blocks are translated together: a hot block and the blocks its branches lead to in the
// same 4 KiB page, found breadth-first, compiled into one function (jit-a32.ts, jit-t16.ts) that
// goes from block to block without returning to the run loop. In the XZ decompressor, three
// quarters of the run loop's entries came from a taken conditional branch to another block of the
// same page; each cost a lookup and a call, and the registers the block kept in locals went back
// to the core. Inside a region a taken branch is a jump, and the registers stay in locals.
//
// Same page only: a virtual address in the page of a block that is running maps to the same
// physical page for as long as the block runs (any change to the mapping asks for attention,
// which ends the function), and a store to any block of the region drops the whole page,
// the region with it.

/** Most blocks, and instructions, in one region. V8's optimizing compiler takes time that grows
 * faster than a function's size, and optimizes a function again after each deoptimization (a
 * path that had not run yet): in the XZ decompressor, regions of up to 8 blocks and 192
 * instructions took 8.1 s of compiling against 1.4 s for lone blocks, and the decompressor ran
 * 13.3 s instead of 7.4. Regions of 3 blocks and 96 instructions ran it in 7.0-7.3 s. */
export const MAX_REGION_BLOCKS = 3;
export const MAX_REGION_INSTRUCTIONS = 96;

/**
 * The region of the block at `pc` (of `length` instructions): its blocks' addresses and lengths,
 * the block at `pc` first. `scan(va)` is the length of the block at `va` (0: none may start
 * there), `targets(va, length)` where that block's branches go.
 */
export function chooseRegion(
  pc: number,
  length: number,
  scan: (va: number) => number,
  targets: (va: number, length: number) => number[],
  align: number,
): Map<number, number> {
  const region = new Map<number, number>([[pc, length]]);
  const page = pc & ~0xfff;
  let instructions = length;
  const queue = [pc];
  for (let q = 0; q < queue.length && region.size < MAX_REGION_BLOCKS; q++) {
    const va = queue[q];
    for (const t of targets(va, region.get(va) ?? 0)) {
      if ((t & ~0xfff) !== page || (t & (align - 1)) !== 0 || region.has(t)) continue;
      const n = scan(t);
      if (n === 0 || instructions + n > MAX_REGION_INSTRUCTIONS) continue;
      region.set(t, n);
      instructions += n;
      queue.push(t);
      if (region.size >= MAX_REGION_BLOCKS) break;
    }
  }
  return region;
}

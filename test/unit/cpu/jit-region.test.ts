// Which blocks a region takes (jit-region.ts): the hot block first, then, breadth-first, the
// blocks its branches lead to in the same 4 KiB page, aligned, up to the block and instruction
// caps; a target where no block can start (length 0) is left out.

import { test } from "node:test";
import assert from "node:assert/strict";
import { chooseRegion, MAX_REGION_BLOCKS, MAX_REGION_INSTRUCTIONS } from "../../../src/cpu/jit-region.js";

/** A made-up program: each block's length and targets by address. */
function program(blocks: Record<number, [number, number[]]>) {
  return {
    scan: (va: number) => blocks[va]?.[0] ?? 0,
    targets: (va: number, length: number) => {
      assert.equal(length, blocks[va][0], "asked with the block's own length");
      return blocks[va][1];
    },
  };
}

test("a region holds the hot block and the same-page blocks its branches reach, breadth-first", () => {
  const p = program({
    0x1000: [4, [0x1010, 0x2000, 0x0ff0]],
    0x1010: [2, [0x1000, 0x1020]],
    0x1020: [3, []],
  });
  const region = chooseRegion(0x1000, 4, p.scan, p.targets, 4);
  assert.deepEqual(
    [...region],
    [
      [0x1000, 4],
      [0x1010, 2],
      [0x1020, 3],
    ].slice(0, MAX_REGION_BLOCKS),
    "other pages (0x2000, 0x0ff0) are left out",
  );
});

test("misaligned targets and addresses where no block starts are left out", () => {
  const p = program({ 0x1000: [2, [0x1006, 0x1008, 0x100c]], 0x1006: [1, []], 0x100c: [1, []] });
  // 0x1006 is not a word; 0x1008 has no block (scan 0).
  assert.deepEqual([...chooseRegion(0x1000, 2, p.scan, p.targets, 4).keys()], [0x1000, 0x100c]);
  // In Thumb, halfword alignment: 0x1006 is a block start.
  assert.deepEqual(
    [...chooseRegion(0x1000, 2, p.scan, p.targets, 2).keys()],
    [0x1000, 0x1006, 0x100c].slice(0, MAX_REGION_BLOCKS),
  );
});

test("a region stops at its block and instruction caps", () => {
  const chain: Record<number, [number, number[]]> = {};
  for (let k = 0; k < 64; k++) chain[0x1000 + 16 * k] = [1, [0x1000 + 16 * (k + 1)]];
  const p = program(chain);
  assert.equal(chooseRegion(0x1000, 1, p.scan, p.targets, 4).size, MAX_REGION_BLOCKS);
  // Blocks too long to fit the instruction cap after the first are skipped, shorter ones taken.
  const q = program({
    0x1000: [MAX_REGION_INSTRUCTIONS - 2, [0x1400, 0x1800]],
    0x1400: [3, []],
    0x1800: [2, []],
  });
  const region = chooseRegion(0x1000, MAX_REGION_INSTRUCTIONS - 2, q.scan, q.targets, 4);
  assert.deepEqual([...region.keys()], [0x1000, 0x1800]);
  const total = [...region.values()].reduce((a, b) => a + b, 0);
  assert.ok(total <= MAX_REGION_INSTRUCTIONS);
});

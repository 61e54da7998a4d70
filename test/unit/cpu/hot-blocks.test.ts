// The table of blocks some vcpu thread translated (hot-blocks.ts), and what it changes for a code
// cache that shares it: a block another cache translated is translated at its first entry. Two
// cores on separate RAM buffers stand for two vcpu threads (each thread has its own code cache).

import { test } from "node:test";
import assert from "node:assert/strict";
import { HotBlocks } from "../../../src/cpu/hot-blocks.js";
import { makeCpu, loadHalfwords } from "../../helpers/cpu-harness.js";

test("a key is found once added, and only that key: ARM and Thumb at one offset differ", () => {
  const hot = new HotBlocks(new Int32Array(64));
  assert.equal(hot.has(HotBlocks.key(0x1000, 0)), false);
  hot.add(HotBlocks.key(0x1000, 0));
  assert.equal(hot.has(HotBlocks.key(0x1000, 0)), true);
  assert.equal(hot.has(HotBlocks.key(0x1000, 1)), false);
  assert.equal(hot.has(HotBlocks.key(0x1002, 0)), false);
  hot.add(HotBlocks.key(0x1000, 0));
  hot.add(HotBlocks.key(0x1000, 1));
  assert.equal(hot.has(HotBlocks.key(0x1000, 1)), true);
  // Offset 0 in ARM state is a key like any other (0 is the empty slot).
  assert.notEqual(HotBlocks.key(0, 0), 0);
  hot.add(HotBlocks.key(0, 0));
  assert.equal(hot.has(HotBlocks.key(0, 0)), true);
});

test("a full table keeps the newest keys and answers without looping", () => {
  const slots = new Int32Array(16);
  const hot = new HotBlocks(slots);
  const keys = Array.from({ length: 200 }, (_, k) => HotBlocks.key(0x4000 + 2 * k, k & 1));
  for (const k of keys) hot.add(k);
  assert.equal(hot.has(keys[keys.length - 1]), true, "the last key added is there");
  const found = keys.filter((k) => hot.has(k)).length;
  assert.ok(found >= 1 && found <= 16, `${found} keys found in 16 slots`);
  assert.ok(
    slots.every((v) => v !== 0),
    "every slot used",
  );
});

test("a table whose length is not a power of two is refused", () => {
  assert.throws(() => new HotBlocks(new Int32Array(24)), /power of two/);
  assert.throws(() => new HotBlocks(new Int32Array(1)), /power of two/);
});

// A Thumb loop of 65536 passes: movs r0, #1; lsls r0, r0, #16; 1: subs r0, #1; bne 1b; b .
// Its block is entered at every pass (the interpreter counts the entries at the targets of the
// branches it takes): 65536 times in all.
const LOOP = [0x2001, 0x0400, 0x3801, 0xd1fd, 0xe7fe];
const PASSES = 65536;

function runLoop(hot: HotBlocks | null, threshold: number): { compiled: number; r0: number } {
  const h = makeCpu([], 0x2000, true);
  loadHalfwords(h.stage2, 0x2000, LOOP);
  const code = h.cpu.mmu.code;
  code.hotThreshold = threshold;
  code.shared = hot;
  h.cpu.setPc(0x2000, true);
  h.cpu.run(2 + 2 * PASSES + 2);
  return { compiled: code.compiled, r0: h.cpu.r[0] };
}

test("a block another code cache translated is translated at its first entry", () => {
  const hot = new HotBlocks(new Int32Array(1024));
  // Alone, with a threshold above the loop block's entries, nothing is translated.
  assert.deepEqual(runLoop(null, 100000), { compiled: 0, r0: 0 });
  assert.deepEqual(runLoop(hot, 100000), { compiled: 0, r0: 0 });
  // A cache that reaches the threshold records its blocks...
  const first = runLoop(hot, 5);
  assert.ok(first.compiled > 0);
  assert.equal(first.r0, 0);
  // ...and another cache sharing the table translates them at once, high threshold or not.
  const second = runLoop(hot, 100000);
  assert.equal(second.compiled, first.compiled);
  assert.equal(second.r0, 0);
});

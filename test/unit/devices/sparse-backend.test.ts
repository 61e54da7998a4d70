// The sparse in-memory disk (the browser's copy-on-write scratch): zeros until written, pages only
// where written, accesses across pages, discards; and an overlay over a read-only base with it.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  MemoryBlockBackend,
  OVERLAY_BLOCK,
  OverlayBlockBackend,
  SparseMemoryBackend,
} from "../../../src/devices/virtio/block-backend.js";

test("sparse disk: reads zeros, keeps what is written across a page boundary, holds only those pages", () => {
  const d = new SparseMemoryBackend(1 << 30);
  const out = new Uint8Array(16).fill(0xee);
  d.read(123456789, out, 0, 16);
  assert.deepEqual(out, new Uint8Array(16));
  assert.equal(d.held, 0);
  const data = Uint8Array.from({ length: 100 }, (_, k) => k + 1);
  const pos = 5 * OVERLAY_BLOCK - 30;
  d.write(pos, data, 0, 100);
  assert.equal(d.held, 2 * OVERLAY_BLOCK, "two pages, not the gigabyte");
  const back = new Uint8Array(120);
  d.read(pos - 10, back, 0, 120);
  assert.deepEqual(back.subarray(10, 110), data);
  assert.deepEqual(back.subarray(0, 10), new Uint8Array(10));
  assert.deepEqual(back.subarray(110), new Uint8Array(10));
  d.discard(5 * OVERLAY_BLOCK, OVERLAY_BLOCK);
  assert.equal(d.held, OVERLAY_BLOCK, "a whole page discarded is dropped");
  d.discard(pos, 10);
  const after = new Uint8Array(100);
  d.read(pos, after, 0, 100);
  assert.deepEqual(after.subarray(0, 10), new Uint8Array(10));
  assert.deepEqual(after.subarray(10, 30), data.subarray(10, 30));
  assert.deepEqual(after.subarray(30), new Uint8Array(70), "the dropped page reads as zeros");
});

test("an overlay with a sparse scratch: the base is never written, reads see the guest's writes", () => {
  const baseData = Uint8Array.from({ length: 3 * OVERLAY_BLOCK }, (_, k) => k & 0xff);
  const base = new MemoryBlockBackend(baseData.slice(), true);
  base.write = () => assert.fail("the base was written");
  const scratch = new SparseMemoryBackend(base.size);
  const o = new OverlayBlockBackend(base, scratch);
  o.write(OVERLAY_BLOCK + 10, Uint8Array.of(1, 2, 3), 0, 3);
  const back = new Uint8Array(OVERLAY_BLOCK);
  o.read(OVERLAY_BLOCK, back, 0, OVERLAY_BLOCK);
  const want = baseData.slice(OVERLAY_BLOCK, 2 * OVERLAY_BLOCK);
  want.set([1, 2, 3], 10);
  assert.deepEqual(back, want, "the granule was copied up, then written");
  assert.equal(scratch.held, OVERLAY_BLOCK);
  assert.deepEqual(base.data, baseData);
});

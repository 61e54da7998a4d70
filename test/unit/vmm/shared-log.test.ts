// The shared append-only log (broadcast TLB invalidations, cleaned pages): a reader gets every entry
// after its position, in order, with both words; it is told "lost" exactly when an entry it has not
// read yet was overwritten, whether before it started or while it was reading.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SharedArrays } from "../../../src/host/shared-arrays.js";
import { SharedLog } from "../../../src/vmm/shared-log.js";

function follow(
  log: SharedLog,
  from: number,
  during?: (a: number) => void,
): { seen: number[][]; lost: number; at: number } {
  const seen: number[][] = [];
  let lost = 0;
  const at = log.read(
    from,
    (a, b) => {
      seen.push([a, b]);
      during?.(a);
    },
    () => lost++,
  );
  return { seen, lost, at };
}

test("a reader gets both words of every entry after its position, in order, across the wrap", () => {
  const log = new SharedLog(new SharedArrays(), 4);
  assert.equal(log.end(), 0);
  for (let k = 0; k < 3; k++) log.append(k, 100 + k);
  let r = follow(log, 0);
  assert.deepEqual(r.seen, [
    [0, 100],
    [1, 101],
    [2, 102],
  ]);
  assert.equal(r.at, 3);
  for (let k = 3; k < 6; k++) log.append(k, 100 + k);
  r = follow(log, r.at);
  assert.deepEqual(r.seen, [
    [3, 103],
    [4, 104],
    [5, 105],
  ]);
  assert.deepEqual([r.lost, r.at, log.end()], [0, 6, 6]);
});

test("a reader exactly one log behind still has every entry; one more and it is told once", () => {
  const log = new SharedLog(new SharedArrays(), 4);
  for (let k = 0; k < 4; k++) log.append(k, 0);
  const full = follow(log, 0);
  assert.deepEqual(
    full.seen.map(([a]) => a),
    [0, 1, 2, 3],
  );
  assert.equal(full.lost, 0);
  log.append(4, 0);
  const behind = follow(log, 0);
  assert.deepEqual([behind.seen.length, behind.lost, behind.at], [0, 1, 5]);
});

test("entries overwritten while the reader goes through them: it stops there and is told once", () => {
  const log = new SharedLog(new SharedArrays(), 4);
  for (let k = 0; k < 4; k++) log.append(k, 0);
  // A writer on another thread laps the log while the reader handles its first entry.
  const r = follow(log, 0, (a) => {
    if (a === 0) for (let k = 10; k < 14; k++) log.append(k, 0);
  });
  assert.deepEqual(
    r.seen.map(([a]) => a),
    [0],
    "no entry of the new lap passes for one of the old",
  );
  assert.equal(r.lost, 1);
  assert.equal(r.at, 4);
});

test("two views of the same buffers share the log", () => {
  const mem = new SharedArrays();
  const writer = new SharedLog(mem, 8);
  const reader = new SharedLog(new SharedArrays(mem.buffers), 8);
  writer.append(7, 9);
  assert.deepEqual(follow(reader, 0).seen, [[7, 9]]);
});

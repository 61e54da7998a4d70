import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DriveError, FileBlockBackend, openDrive } from "../../../src/host/node/file-disk.js";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "armvmm-file-disk-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function image(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function pattern(len: number): Uint8Array {
  return Uint8Array.from({ length: len }, (_v, i) => (i * 13 + 1) & 0xff);
}

test("reads and writes in place at byte offsets; flush succeeds; close releases", async () => {
  const path = image("rw.img", pattern(8192));
  const disk = await openDrive({ path, readonly: false, snapshot: false });
  assert.equal(disk.size, 8192);
  const ram = new Uint8Array(2048);
  disk.read(1024, ram, 512, 1024);
  assert.deepEqual(ram.subarray(512, 1536), pattern(8192).subarray(1024, 2048));
  disk.write(4096, Uint8Array.of(9, 9, 9, 9), 0, 4);
  disk.flush();
  disk.close();
  assert.deepEqual([...readFileSync(path).subarray(4096, 4100)], [9, 9, 9, 9]);
});

test("a size that is not whole sectors reads zeros past the end of the file", async () => {
  const path = image("odd.img", pattern(1000));
  const disk = await openDrive({ path, readonly: true, snapshot: false });
  const ram = new Uint8Array(512).fill(0xff);
  disk.read(512, ram, 0, 512);
  assert.deepEqual(ram.subarray(0, 488), pattern(1000).subarray(512));
  assert.ok(ram.subarray(488).every((b) => b === 0));
  disk.close();
});

test("a second writer is refused while the first holds the image; readers share; the lock goes with close", async () => {
  const path = image("locked.img", new Uint8Array(4096));
  const first = await openDrive({ path, readonly: false, snapshot: false });
  await assert.rejects(openDrive({ path, readonly: false, snapshot: false }), (e: Error) => {
    assert.ok(e instanceof DriveError);
    assert.match(e.message, /in use by another VM/);
    assert.ok(e.message.includes(path));
    return true;
  });
  await assert.rejects(openDrive({ path, readonly: true, snapshot: false }), /in use/, "no reader while it is written");
  first.close();
  // flock(1) lets go once its stdin closes: give it a moment.
  let again = null;
  for (let i = 0; i < 50 && again === null; i++) {
    again = await openDrive({ path, readonly: true, snapshot: false }).catch(() => null);
    if (again === null) await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(again, "reopened after close");
  const reader2 = await openDrive({ path, readonly: false, snapshot: true });
  again.close();
  reader2.close();
});

test("snapshot: the guest's writes are seen by its reads and never reach the file", async () => {
  const original = pattern(16384);
  const path = image("snap.img", original);
  const disk = await openDrive({ path, readonly: false, snapshot: true });
  assert.equal(disk.readonly, false);
  disk.write(100, Uint8Array.of(1, 2, 3), 0, 3);
  disk.discard(8192, 4096);
  const back = new Uint8Array(16384);
  disk.read(0, back, 0, 16384);
  assert.deepEqual([...back.subarray(100, 103)], [1, 2, 3]);
  assert.ok(back.subarray(8192, 12288).every((b) => b === 0));
  disk.flush();
  disk.close();
  assert.deepEqual(new Uint8Array(readFileSync(path)), original);
});

test("discard punches a hole: the range reads as zeros and the file holds fewer blocks", async () => {
  const path = image("sparse.img", pattern(1 << 20));
  const before = statSync(path).blocks;
  const disk = await openDrive({ path, readonly: false, snapshot: false });
  disk.discard(0, 1 << 19);
  const back = new Uint8Array(1 << 19);
  disk.read(0, back, 0, back.length);
  assert.ok(back.every((b) => b === 0));
  disk.close();
  assert.ok(statSync(path).blocks < before, `blocks ${statSync(path).blocks} < ${before}`);
  assert.deepEqual(new Uint8Array(readFileSync(path)).subarray(1 << 19), pattern(1 << 20).subarray(1 << 19));
});

test("open errors are DriveErrors naming the file", async () => {
  const cases: [string, RegExp][] = [
    [join(dir, "missing.img"), /no such file/],
    [dir, /is a directory/],
    [image("empty.img", new Uint8Array(0)), /empty/],
    [image("tiny.img", new Uint8Array(100)), /less than one sector/],
  ];
  for (const [path, why] of cases) {
    await assert.rejects(openDrive({ path, readonly: false, snapshot: false }), (e: Error) => {
      assert.ok(e instanceof DriveError, path);
      assert.match(e.message, why);
      assert.ok(e.message.includes(path));
      return true;
    });
  }
});

test("FileBlockBackend falls back to writing zeros when holes cannot be punched", () => {
  const path = image("nopunch.img", pattern(4096));
  // A path fallocate cannot use: the backend writes through its fd regardless.
  const fd = openSync(path, "r+");
  const disk = new FileBlockBackend(fd, 4096, false, join(dir, "no-such-path"));
  disk.discard(1000, 1000);
  disk.discard(3000, 10);
  disk.close();
  const back = readFileSync(path);
  assert.ok(back.subarray(1000, 2000).every((b) => b === 0));
  assert.ok(back.subarray(3000, 3010).every((b) => b === 0));
  assert.equal(back[999], pattern(4096)[999]);
});

test("vectored reads and writes fill and take the parts in order, past a host's per-call buffer limit", async () => {
  const path = image("vec.img", pattern(16384));
  const disk = await openDrive({ path, readonly: false, snapshot: false });
  assert.ok(disk.readv !== undefined && disk.writev !== undefined, "a file backend offers vectored I/O");
  // Parts of uneven sizes, more of them (1500) than IOV_MAX (1024): the rest goes in a second call.
  const sizes = Array.from({ length: 1500 }, (_v, i) => 1 + (i % 7));
  const total = sizes.reduce((a, b) => a + b, 0);
  const ram = new Uint8Array(total + 100).fill(0xee);
  const parts: Uint8Array[] = [];
  let at = 50;
  for (const n of sizes) {
    parts.push(ram.subarray(at, at + n));
    at += n;
  }
  disk.readv(1000, parts);
  assert.deepEqual(ram.subarray(50, 50 + total), pattern(16384).subarray(1000, 1000 + total));
  assert.ok(ram.subarray(0, 50).every((b) => b === 0xee) && ram.subarray(50 + total).every((b) => b === 0xee));
  // Writing the same parts elsewhere puts the same bytes there.
  disk.writev(9000, parts);
  disk.close();
  assert.deepEqual(
    new Uint8Array(readFileSync(path).subarray(9000, 9000 + total)),
    pattern(16384).subarray(1000, 1000 + total),
  );
});

test("a vectored read across the end of the file reads zeros for the rest", async () => {
  const path = image("vecodd.img", pattern(1000));
  const disk = await openDrive({ path, readonly: true, snapshot: false });
  const a = new Uint8Array(300).fill(0xff);
  const b = new Uint8Array(300).fill(0xff);
  disk.readv?.(600, [a, b]);
  assert.deepEqual(a, pattern(1000).subarray(600, 900));
  assert.deepEqual(b.subarray(0, 100), pattern(1000).subarray(900));
  assert.ok(b.subarray(100).every((v) => v === 0));
  disk.close();
});

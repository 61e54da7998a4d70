// The 9P2000.L codec against messages written out by hand from the protocol's layout: size[4]
// type[1] tag[2] then the fields, integers little-endian, strings as le16 length + bytes, and a
// qid as type[1] version[4] path[8].

import { test } from "node:test";
import assert from "node:assert/strict";
import { P9Reader, P9Writer, p9text } from "../../../src/devices/virtio/9p/codec.js";
import { P9Error, P9 } from "../../../src/devices/virtio/9p/protocol.js";

function bytes(...parts: (number | string)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === "number") out.push(p);
    else for (const c of p) out.push(c.charCodeAt(0));
  }
  return Uint8Array.from(out);
}

function writer(): P9Writer {
  return new P9Writer(new Uint8Array(256));
}

test("Tversion msize 8192 '9P2000.L', tag NOTAG: 21 bytes", () => {
  const msg = writer().header(P9.Tversion, 0xffff).u32(8192).str("9P2000.L").finish();
  const want = bytes(0x15, 0, 0, 0, 100, 0xff, 0xff, 0x00, 0x20, 0, 0, 8, 0, "9P2000.L");
  assert.deepEqual([...msg], [...want]);
  const r = new P9Reader(want);
  assert.deepEqual([r.u32(), r.u8(), r.u16(), r.u32(), p9text(r.str())], [21, 100, 0xffff, 8192, "9P2000.L"]);
  assert.equal(r.remaining, 0);
});

test("Twalk fid 1 newfid 2 ['a', 'bc'] and Rlerror ENOENT", () => {
  const walk = writer().header(P9.Twalk, 5).u32(1).u32(2).u16(2).str("a").str("bc").finish();
  assert.deepEqual([...walk], [...bytes(24, 0, 0, 0, 110, 5, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 0, "a", 2, 0, "bc")]);
  const err = writer().header(P9.Rlerror, 1).u32(2).finish();
  assert.deepEqual([...err], [11, 0, 0, 0, 7, 1, 0, 2, 0, 0, 0]);
});

test("a qid: type, le32 version, le64 path", () => {
  const w = writer().qid({ type: 0x80, version: 1, path: 0x0102030405060708n });
  const want = [0x80, 1, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1];
  assert.deepEqual([...w.buf.subarray(0, w.length)], want);
  assert.deepEqual(new P9Reader(Uint8Array.from(want)).qid(), { type: 0x80, version: 1, path: 0x0102030405060708n });
});

test("Tread fid 3 offset 2^32 + 5 count 4096 decodes field by field; u64 above 2^53 is refused as a number", () => {
  const msg = bytes(23, 0, 0, 0, 116, 9, 0, 3, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0x10, 0, 0);
  const r = new P9Reader(msg, 7);
  assert.equal(r.u32(), 3);
  assert.equal(r.u64n(), 2 ** 32 + 5);
  assert.equal(r.u32(), 4096);
  const big = new P9Reader(bytes(0, 0, 0, 0, 0, 0, 0x20, 0));
  assert.throws(
    () => big.u64n(),
    (e) => e instanceof P9Error && e.errno === 75,
  );
});

test("a reader past the end and a writer past its limit throw P9Error (EPROTO, EMSGSIZE)", () => {
  const r = new P9Reader(bytes(5, 0, "ab"));
  assert.throws(
    () => r.str(),
    (e) => e instanceof P9Error && e.errno === 71,
  );
  const w = new P9Writer(new Uint8Array(16), 10);
  w.u64(1);
  assert.throws(
    () => w.u32(1),
    (e) => e instanceof P9Error && e.errno === 90,
  );
  assert.throws(
    () => new P9Reader(bytes(1, 2, 3)).u32(),
    (e) => e instanceof P9Error,
  );
});

test("64-bit fields carry the full range: offsets, and negative times as two's complement", () => {
  const w = writer().u64(0xfedcba9876543210n).u64(-1n);
  assert.deepEqual(
    [...w.buf.subarray(0, 16)],
    [0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe, ...Array(8).fill(0xff)],
  );
  const r = new P9Reader(w.buf.subarray(0, 16));
  assert.equal(r.u64(), 0xfedcba9876543210n);
  assert.equal(r.u64(), 0xffffffffffffffffn);
});

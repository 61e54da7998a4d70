import { test } from "node:test";
import assert from "node:assert/strict";
import {
  FdtError,
  FdtNode,
  decodeCells,
  decodeStrings,
  encodeStrings,
  serializeFdt,
  u64Cells,
} from "../../../src/board/fdt.js";
import { findNode, parseFdt } from "../../../src/board/fdt-reader.js";
import { decompile, dtcUnavailable, skipLoudly } from "./dtc.js";

function words(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let at = 0; at + 4 <= bytes.length; at += 4) out.push(view.getUint32(at));
  return out;
}

test("a tiny tree lays out exactly as the DTB format specifies", () => {
  const root = new FdtNode("");
  root.setCells("a", 0x12345678);
  root.addNode("n@1").setEmpty("b");
  const dtb = serializeFdt(root);
  // header (40) + reservation terminator (16) = struct at 56; struct 14 words = 56 bytes;
  // strings "a\0b\0" at 112; total 116.
  const nAt1 = (0x6e << 24) | (0x40 << 16) | (0x31 << 8); // "n@1\0"
  assert.deepEqual(words(dtb), [
    // header: magic, totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap, version,
    // last_comp_version, boot_cpuid_phys, size_dt_strings, size_dt_struct
    0xd00dfeed,
    116,
    56,
    112,
    40,
    17,
    16,
    0,
    4,
    56,
    // memory reservation block: the terminating all-zero entry
    0,
    0,
    0,
    0,
    // FDT_BEGIN_NODE "" ; FDT_PROP len 4 nameoff 0 <0x12345678>
    1,
    0,
    3,
    4,
    0,
    0x12345678,
    // FDT_BEGIN_NODE "n@1" ; FDT_PROP len 0 nameoff 2 ; FDT_END_NODE ; FDT_END_NODE ; FDT_END
    1,
    nAt1,
    3,
    0,
    2,
    2,
    2,
    9,
    // strings "a\0b\0"
    0x61006200,
  ]);
});

test("property names are stored once in the strings block", () => {
  const root = new FdtNode("");
  root.setCells("reg", 1);
  root.addNode("x").setCells("reg", 2);
  root.addNode("y").setCells("reg", 3);
  const dtb = serializeFdt(root);
  const view = new DataView(dtb.buffer);
  assert.equal(view.getUint32(32), 4, 'size_dt_strings = "reg\\0"');
});

test("values: cells are big-endian, strings NUL-terminated, string lists back to back", () => {
  assert.deepEqual([...encodeStrings(["ab", "c"])], [0x61, 0x62, 0, 0x63, 0]);
  const n = new FdtNode("");
  n.setCells("c", 1, 0xffff_ffff);
  assert.deepEqual([...n.getProperty("c")!.value], [0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]);
  assert.deepEqual(u64Cells(0x1_4000_0000), [1, 0x4000_0000]);
  assert.deepEqual(decodeStrings(encodeStrings(["arm,pl011", "arm,primecell"])), ["arm,pl011", "arm,primecell"]);
  assert.deepEqual(decodeCells(new Uint8Array([0, 0, 1, 0])), [256]);
});

test("a property set twice keeps the last value in its first position", () => {
  const n = new FdtNode("");
  n.setCells("a", 1).setCells("b", 2).setCells("a", 3);
  assert.deepEqual(
    n.props.map((p) => [p.name, decodeCells(p.value)[0]]),
    [
      ["a", 3],
      ["b", 2],
    ],
  );
});

test("bad names, duplicate nodes and bad values are refused", () => {
  const n = new FdtNode("");
  assert.throws(() => n.addNode(""), FdtError);
  assert.throws(() => n.addNode("a b"), FdtError);
  assert.throws(() => n.addNode("x@"), FdtError);
  n.addNode("dup@1");
  assert.throws(() => n.addNode("dup@1"), /duplicate/);
  assert.throws(() => n.setCells("bad name", 1), FdtError);
  assert.throws(() => n.setCells("big", 0x1_0000_0000), FdtError);
  assert.throws(() => n.setString("s", "a\0b"), FdtError);
  assert.throws(() => serializeFdt(new FdtNode("notroot")), FdtError);
});

test("reservations, boot CPU and extra space land in the header and reservation block", () => {
  const root = new FdtNode("");
  const dtb = serializeFdt(root, {
    reservations: [{ address: 0x4800_0000, size: 0x10_0000 }],
    bootCpuId: 2,
    extraSpace: 100,
  });
  const parsed = parseFdt(dtb);
  assert.deepEqual(parsed.reservations, [{ address: 0x4800_0000, size: 0x10_0000 }]);
  assert.equal(parsed.bootCpuId, 2);
  assert.equal(parsed.totalSize, dtb.length);
  const view = new DataView(dtb.buffer);
  const used = view.getUint32(12) + view.getUint32(32); // strings offset + size
  assert.ok(dtb.length >= used + 100);
  assert.equal(dtb.length % 4, 0);
});

test("round trip through the reader keeps every node and property", () => {
  const root = new FdtNode("");
  root.setCells("#address-cells", 2).setString("compatible", "x,y");
  const a = root.addNode("a@10");
  a.setStrings("list", "p", "q").setEmpty("flag");
  a.addNode("deeper").setCells("v", 7, 8, 9);
  root.addNode("b");
  const back = parseFdt(serializeFdt(root)).root;
  assert.deepEqual(
    back.children.map((c) => c.name),
    ["a@10", "b"],
  );
  assert.deepEqual(decodeStrings(findNode(back, "/a@10")!.getProperty("list")!.value), ["p", "q"]);
  assert.equal(findNode(back, "/a@10")!.getProperty("flag")!.value.length, 0);
  assert.deepEqual(decodeCells(findNode(back, "/a@10/deeper")!.getProperty("v")!.value), [7, 8, 9]);
  assert.equal(decodeStrings(back.getProperty("compatible")!.value)[0], "x,y");
});

test("the reader rejects damaged blobs", () => {
  const dtb = serializeFdt(new FdtNode(""));
  assert.throws(() => parseFdt(dtb.subarray(0, 20)), FdtError);
  const badMagic = dtb.slice();
  badMagic[0] = 0;
  assert.throws(() => parseFdt(badMagic), /magic/);
  const badToken = dtb.slice();
  new DataView(badToken.buffer).setUint32(56, 0x77); // first structure token
  assert.throws(() => parseFdt(badToken), /token/);
});

test("dtc decodes the writer's output without warnings", (t) => {
  const why = dtcUnavailable();
  if (why !== null) return skipLoudly(t, why);
  const root = new FdtNode("");
  root.setCells("#address-cells", 1).setCells("#size-cells", 1).setString("compatible", "test,board");
  root.addNode("dev@1000").setCells("reg", 0x1000, 0x100).setStrings("compatible", "a,b", "c");
  const { status, dts, stderr } = decompile(serializeFdt(root, { reservations: [{ address: 0x2000, size: 0x10 }] }));
  assert.equal(status, 0);
  assert.equal(stderr, "");
  assert.match(dts, /\/memreserve\/\s+0x0*2000 0x0*10;/);
  assert.match(dts, /dev@1000 \{\s+reg = <0x1000 0x100>;\s+compatible = "a,b\\0c";/);
});

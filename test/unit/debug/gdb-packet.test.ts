// The packet layer of the GDB stub: framing, checksums, escapes and malformed input.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  MAX_PACKET,
  PacketReader,
  encodePacket,
  fromHex,
  latin1,
  parseHex32,
  toHex,
  toLatin1,
} from "../../../src/debug/gdb-packet.js";

const text = (b: Uint8Array) => toLatin1(b);

test("a packet is framed with its checksum; acks, nacks and Ctrl-C are events of their own", () => {
  const r = new PacketReader();
  const events = r.feed(latin1("+$qSupported:swbreak+#8b-\x03$g#67"));
  assert.deepEqual(
    events.map((e) => (e.kind === "packet" ? `packet ${text(e.payload)}` : e.kind)),
    ["ack", "packet qSupported:swbreak+", "nack", "interrupt", "packet g"],
  );
});

test("a packet split across reads is put back together", () => {
  const r = new PacketReader();
  const whole = latin1("$m40010000,4#52");
  const seen: string[] = [];
  for (const b of whole) {
    for (const e of r.feed(Uint8Array.of(b))) if (e.kind === "packet") seen.push(text(e.payload));
  }
  assert.deepEqual(seen, ["m40010000,4"]);
});

test("a bad or malformed checksum is refused, and the reader goes on with the next packet", () => {
  const r = new PacketReader();
  const kinds = r.feed(latin1("$g#68$g#6z$g#zz$g#67")).map((e) => e.kind);
  assert.deepEqual(kinds, ["bad", "bad", "bad", "packet"]);
  // Upper-case hex digits are checksums too.
  assert.equal(r.feed(latin1("$qC#B4"))[0].kind, "packet");
});

test("a '$' inside a packet restarts it; noise between packets is ignored", () => {
  const r = new PacketReader();
  const events = r.feed(latin1("garbage$qfoo$g#67"));
  assert.deepEqual(
    events.map((e) => e.kind),
    ["bad", "packet"],
  );
});

test("a packet longer than MAX_PACKET is refused whole", () => {
  const r = new PacketReader();
  const body = "a".repeat(MAX_PACKET + 1);
  const sum = (0x61 * (MAX_PACKET + 1)) & 0xff;
  const events = r.feed(latin1(`$${body}#${sum.toString(16).padStart(2, "0")}`));
  assert.deepEqual(events, [{ kind: "bad", reason: "packet too long" }]);
  assert.equal(r.feed(latin1("$g#67"))[0].kind, "packet");
});

test("escaped bytes (binary X data) come back as themselves", () => {
  const payload = Uint8Array.from([0x58, 0x3a, 0x24, 0x23, 0x7d, 0x2a, 0x00, 0xff]);
  const encoded = encodePacket(payload);
  // The special characters are escaped on the wire...
  assert.equal(text(encoded).slice(0, 11), "$X:}\x04}\x03}]}\x0a");
  const events = new PacketReader().feed(encoded);
  assert.equal(events.length, 1);
  const e = events[0];
  assert.ok(e.kind === "packet");
  // ...and the checksum covers the escaped form, as gdb computes it.
  assert.deepEqual([...e.payload], [...payload]);
});

test("encodePacket sums the bytes modulo 256", () => {
  assert.equal(text(encodePacket("OK")), "$OK#9a");
  assert.equal(text(encodePacket("")), "$#00");
});

test("hex helpers reject what is not hex", () => {
  assert.equal(toHex(Uint8Array.of(0, 0xab, 0x10)), "00ab10");
  assert.deepEqual(fromHex("00aB10"), Uint8Array.of(0, 0xab, 0x10));
  assert.equal(fromHex("abc"), null);
  assert.equal(fromHex("zz"), null);
  assert.equal(parseHex32("ffffffff"), 0xffffffff);
  assert.equal(parseHex32("100000000"), null);
  assert.equal(parseHex32(""), null);
  assert.equal(parseHex32("-1"), null);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  checksumsValid,
  completeChecksum,
  internetChecksum,
  MIN_MSS,
  segmentTcp4,
} from "../../../src/devices/net/offload.js";
import { ipv4Frame, refChecksum, TCP, UDP } from "../../helpers/ipv4-frames.js";

test("the Internet checksum: RFC 1071's worked example, and an odd length padded with a zero byte", () => {
  // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2 (ones' complement), checksum 0x220d.
  const b = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
  assert.equal(internetChecksum(b, 0, b.length), 0x220d);
  assert.equal(internetChecksum(Uint8Array.of(1, 2, 3), 0, 3), refChecksum([1, 2, 3, 0]));
  const big = Uint8Array.from({ length: 65_000 }, (_v, i) => (i * 7 + 3) & 0xff);
  assert.equal(internetChecksum(big, 0, big.length), refChecksum([...big]));
});

test("frames built by the test helper verify; a flipped payload bit, a bad IP sum, or a fragment do not", () => {
  const payload = Uint8Array.from({ length: 300 }, (_v, i) => i & 0xff);
  const tcp = ipv4Frame(TCP, payload, {});
  assert.ok(checksumsValid(tcp));
  assert.ok(checksumsValid(ipv4Frame(UDP, payload, {})));
  const flipped = tcp.slice();
  flipped[flipped.length - 1] ^= 1;
  assert.ok(!checksumsValid(flipped));
  const badIp = tcp.slice();
  badIp[14 + 8] ^= 1; // TTL
  assert.ok(!checksumsValid(badIp));
  assert.ok(!checksumsValid(ipv4Frame(TCP, payload, { fragmentOffset: 8 })), "fragments are not vouched for");
  assert.ok(!checksumsValid(ipv4Frame(UDP, payload, { noUdpChecksum: true })), "UDP without a checksum");
  const notIp = tcp.slice();
  notIp[12] = 0x86; // IPv6's ethertype
  notIp[13] = 0xdd;
  assert.ok(!checksumsValid(notIp));
  assert.ok(!checksumsValid(tcp.subarray(0, 30)), "cut short");
});

test("NEEDS_CSUM: the sum from csum_start, seeded with the pseudo-header, lands at csum_offset", () => {
  const payload = Uint8Array.from({ length: 77 }, (_v, i) => (i * 13) & 0xff);
  for (const proto of [TCP, UDP]) {
    // As Linux leaves a CHECKSUM_PARTIAL packet: the field holds the pseudo-header's folded sum.
    const f = ipv4Frame(proto, payload, { partial: true });
    assert.ok(!checksumsValid(f), "partial before");
    const l4 = 14 + 20;
    assert.ok(completeChecksum(f, l4, proto === TCP ? 16 : 6));
    assert.deepEqual(f, ipv4Frame(proto, payload, {}), "the same bytes as a frame summed whole");
    assert.ok(checksumsValid(f));
  }
  const f = ipv4Frame(TCP, payload, { partial: true });
  assert.ok(!completeChecksum(f, f.length, 0), "start beyond the frame");
  assert.ok(!completeChecksum(f, 34, f.length), "offset beyond the frame");
});

test("TSO: a 64 KiB segment becomes MSS-sized frames with their own lengths, IDs, sequence numbers and sums", () => {
  const payload = Uint8Array.from({ length: 65_000 }, (_v, i) => (i * 31 + (i >>> 8)) & 0xff);
  const mss = 1448;
  const flags = 0x80 | 0x10 | 0x08 | 0x01; // CWR, ACK, PSH, FIN
  const seq = 0xfffff000; // wraps past 2^32 on the way
  const big = ipv4Frame(TCP, payload, { seq, id: 0xfffe, flags, partial: true });
  const frames = segmentTcp4(big, mss);
  assert.ok(frames !== null);
  assert.equal(frames.length, Math.ceil(payload.length / mss));
  const joined: number[] = [];
  frames.forEach((f, k) => {
    const size = Math.min(mss, payload.length - k * mss);
    assert.equal(f.length, 14 + 20 + 20 + size);
    const ip = new DataView(f.buffer, f.byteOffset + 14);
    assert.equal(ip.getUint16(2), 40 + size, "total length");
    assert.equal(ip.getUint16(4), (0xfffe + k) & 0xffff, "IP ID counts up");
    assert.equal(ip.getUint32(20 + 4), (seq + k * mss) >>> 0, "sequence number");
    const fl = f[14 + 20 + 13];
    assert.equal(fl & 0x80, k === 0 ? 0x80 : 0, "CWR on the first only");
    assert.equal(fl & 0x09, k === frames.length - 1 ? 0x09 : 0, "FIN and PSH on the last only");
    assert.equal(fl & 0x10, 0x10, "ACK on all");
    assert.ok(checksumsValid(f), `frame ${k} sums`);
    joined.push(...f.subarray(54));
  });
  assert.deepEqual(Uint8Array.from(joined), payload);
});

test("TSO: a segment no longer than the MSS is one frame; what is not TCP/IPv4 is refused", () => {
  const payload = new Uint8Array(500).fill(9);
  const one = segmentTcp4(ipv4Frame(TCP, payload, { partial: true }), 1448);
  assert.ok(one !== null);
  assert.equal(one.length, 1);
  assert.deepEqual(one[0], ipv4Frame(TCP, payload, {}));
  assert.equal(segmentTcp4(ipv4Frame(UDP, payload, {}), 1448), null);
  assert.equal(segmentTcp4(ipv4Frame(TCP, payload, {}).subarray(0, 40), 1448), null);
  assert.equal(segmentTcp4(ipv4Frame(TCP, payload, {}), 0), null);
  assert.equal(segmentTcp4(ipv4Frame(TCP, payload, {}), MIN_MSS - 1), null, "an MSS below TCP's minimum");
  assert.equal(segmentTcp4(ipv4Frame(TCP, payload, {}), MIN_MSS)?.length, Math.ceil(500 / MIN_MSS));
});

test("a VLAN-tagged frame is segmented and checked behind its tag", () => {
  const payload = Uint8Array.from({ length: 3000 }, (_v, i) => i & 0xff);
  const frames = segmentTcp4(ipv4Frame(TCP, payload, { vlan: 42, partial: true }), 1000);
  assert.ok(frames !== null);
  assert.equal(frames.length, 3);
  for (const f of frames) assert.ok(checksumsValid(f));
  assert.equal(((frames[0][14] << 8) | frames[0][15]) & 0xfff, 42, "the tag stays");
});

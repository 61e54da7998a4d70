import { test } from "node:test";
import assert from "node:assert/strict";
import type { NetBackend } from "../../../src/devices/net/backend.js";
import { FramingError, MAX_FRAME, StreamDeframer, frameToStream } from "../../../src/devices/net/stream-framing.js";
import * as N from "../../../src/devices/virtio/net.js";
import * as R from "../../../src/devices/virtio/mmio-regs.js";
import { TestDriver } from "../../helpers/virtio-driver.js";
import { ipv4Frame, TCP, UDP } from "../../helpers/ipv4-frames.js";
import { checksumsValid } from "../../../src/devices/net/offload.js";
import { restoreSection, sectionBytes } from "../../../src/board/virt-snapshot.js";
import { StateWriter } from "../../../src/snapshot/state-stream.js";
import { SnapshotError } from "../../../src/snapshot/snapshot-error.js";

class FakeBackend implements NetBackend {
  linkUp = true;
  sent: Uint8Array[] = [];
  onFrame: ((frame: Uint8Array) => void) | null = null;
  onLink: ((up: boolean) => void) | null = null;
  send(frame: Uint8Array): void {
    this.sent.push(frame);
  }
  close(): void {}
}

const MAC = Uint8Array.of(0x52, 0x54, 0, 1, 2, 3);

function setup(features?: [number, number]) {
  const backend = new FakeBackend();
  const dev = new N.VirtioNet(backend, MAC);
  const d = new TestDriver(dev);
  d.start(features);
  return { backend, dev, d };
}

function frame(len: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: len }, (_v, i) => (i + seed) & 0xff);
}

test("stream framing: 4-byte big-endian length, then the frame", () => {
  assert.deepEqual([...frameToStream(Uint8Array.of(7, 8, 9))], [0, 0, 0, 3, 7, 8, 9]);
  assert.deepEqual([...frameToStream(new Uint8Array(0x0102)).subarray(0, 4)], [0, 0, 1, 2]);
});

test("stream deframing reassembles frames from any chunking", () => {
  const frames = [frame(60, 1), frame(1514, 2), frame(1, 3)];
  const stream = new Uint8Array(frames.reduce((n, f) => n + 4 + f.length, 0));
  let at = 0;
  for (const f of frames) {
    stream.set(frameToStream(f), at);
    at += 4 + f.length;
  }
  for (const chunk of [1, 3, 7, 100, stream.length]) {
    const d = new StreamDeframer();
    const got: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i += chunk) got.push(...d.push(stream.subarray(i, i + chunk)));
    assert.deepEqual(got, frames, `chunks of ${chunk}`);
    assert.equal(d.pending, 0);
  }
});

test("a zero or oversized length is a framing error", () => {
  assert.throws(() => new StreamDeframer().push(Uint8Array.of(0, 0, 0, 0)), FramingError);
  const big = new Uint8Array(4);
  new DataView(big.buffer).setUint32(0, MAX_FRAME + 1, false);
  assert.throws(() => new StreamDeframer().push(big), FramingError);
  // "GET " from an HTTP client is 0x47455420: far too long.
  assert.throws(() => new StreamDeframer().push(new TextEncoder().encode("GET / HTTP/1.1\r\n")), /frame length/);
});

test("virtio-net: device ID 1, MAC and STATUS in config, features MAC/STATUS/MRG_RXBUF and the offloads", () => {
  const { d } = setup();
  assert.equal(d.reg(R.VIRTIO_MMIO_DEVICE_ID), 1);
  const f = d.deviceFeatures()[0];
  const offered = [N.VIRTIO_NET_F_MAC, N.VIRTIO_NET_F_STATUS, N.VIRTIO_NET_F_MRG_RXBUF];
  offered.push(N.VIRTIO_NET_F_CSUM, N.VIRTIO_NET_F_GUEST_CSUM, N.VIRTIO_NET_F_HOST_TSO4);
  for (const bit of offered) assert.ok(f & (1 << bit), `bit ${bit}`);
  // Not offered: GUEST_TSO4/6 (7, 8), GUEST_UFO (10), HOST_TSO6 (12), HOST_UFO (14).
  for (const bit of [7, 8, 10, 12, 14]) assert.equal(f & (1 << bit), 0, `bit ${bit}`);
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((i) => d.transport.read(0x100 + i, 1, 0)),
    [...MAC],
  );
  assert.equal(d.transport.read(0x100 + N.NET_CFG_STATUS, 2, 0), N.VIRTIO_NET_S_LINK_UP);
});

test("transmit: the 12-byte header is stripped and the frame goes to the backend", () => {
  const { backend, d } = setup();
  const f = frame(100, 5);
  const p = d.post(N.NET_TX, [{ data: new Uint8Array(12) }, { data: f.subarray(0, 40) }, { data: f.subarray(40) }]);
  d.notify(N.NET_TX);
  assert.deepEqual(d.takeUsed(N.NET_TX), [{ id: p.head, len: 0 }]);
  assert.deepEqual(backend.sent, [f]);
});

/** A transmit header: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset (num_buffers 0). */
function txHeader(flags: number, gso: number, gsoSize: number, csumStart: number, csumOffset: number): Uint8Array {
  const h = new Uint8Array(12);
  const v = new DataView(h.buffer);
  h[0] = flags;
  h[1] = gso;
  v.setUint16(2, 54, true);
  v.setUint16(4, gsoSize, true);
  v.setUint16(6, csumStart, true);
  v.setUint16(8, csumOffset, true);
  return h;
}

test("transmit with NEEDS_CSUM: the device finishes the checksum the guest left partial", () => {
  const { backend, d } = setup();
  const payload = Uint8Array.from({ length: 200 }, (_v, i) => i & 0xff);
  const partial = ipv4Frame(UDP, payload, { partial: true });
  d.post(N.NET_TX, [{ data: txHeader(N.VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 34, 6) }, { data: partial }]);
  d.notify(N.NET_TX);
  assert.deepEqual(backend.sent, [ipv4Frame(UDP, payload, {})]);
});

test("transmit with GSO TCPV4: the device sends MSS-sized frames, all summed; the used length is 0", () => {
  const { backend, dev, d } = setup();
  const payload = Uint8Array.from({ length: 10_000 }, (_v, i) => (i * 7) & 0xff);
  const big = ipv4Frame(TCP, payload, { partial: true, seq: 5000 });
  const p = d.post(N.NET_TX, [
    { data: txHeader(N.VIRTIO_NET_HDR_F_NEEDS_CSUM, N.VIRTIO_NET_HDR_GSO_TCPV4, 1448, 34, 16) },
    { data: big.subarray(0, 54) },
    { data: big.subarray(54) },
  ]);
  d.notify(N.NET_TX);
  assert.deepEqual(d.takeUsed(N.NET_TX), [{ id: p.head, len: 0 }]);
  assert.equal(backend.sent.length, 7);
  for (const f of backend.sent) assert.ok(checksumsValid(f) && f.length <= 54 + 1448);
  assert.deepEqual(Uint8Array.from(backend.sent.flatMap((f) => [...f.subarray(54)])), payload);
  assert.equal(dev.stats.txFrames, 7);
});

test("transmit with GSO the driver did not negotiate (or cannot be cut) is dropped and counted", () => {
  const features: [number, number] = [(1 << N.VIRTIO_NET_F_CSUM) | (1 << N.VIRTIO_NET_F_MRG_RXBUF), 1];
  const { backend, dev, d } = setup(features);
  const big = ipv4Frame(TCP, new Uint8Array(5000), { partial: true });
  d.post(N.NET_TX, [{ data: txHeader(1, N.VIRTIO_NET_HDR_GSO_TCPV4, 1448, 34, 16) }, { data: big }]);
  // GSO_UDP (3) is never offered.
  d.post(N.NET_TX, [{ data: txHeader(1, 3, 1448, 34, 6) }, { data: ipv4Frame(UDP, new Uint8Array(5000), {}) }]);
  d.notify(N.NET_TX);
  assert.deepEqual(backend.sent, []);
  assert.equal(dev.stats.txDropped, 2);
});

test("receive with GUEST_CSUM: DATA_VALID only for frames whose sums the device checked", () => {
  const { backend, d } = setup();
  const good = ipv4Frame(TCP, new Uint8Array(100).fill(3), {});
  const bad = good.slice();
  bad[bad.length - 1] ^= 0xff;
  const flags: number[] = [];
  for (const f of [good, bad, frame(60, 1)]) {
    const p = d.post(N.NET_RX, [{ len: 2048 }]);
    d.notify(N.NET_RX);
    backend.onFrame!(f);
    d.takeUsed(N.NET_RX);
    flags.push(d.bytesAt(p.writable[0].addr, 1)[0]);
  }
  assert.deepEqual(flags, [N.VIRTIO_NET_HDR_F_DATA_VALID, 0, 0]);
  // A driver that did not take GUEST_CSUM is never told.
  const plain = setup([(1 << N.VIRTIO_NET_F_MRG_RXBUF) | (1 << N.VIRTIO_NET_F_MAC), 1]);
  const p = plain.d.post(N.NET_RX, [{ len: 2048 }]);
  plain.d.notify(N.NET_RX);
  plain.backend.onFrame!(good);
  assert.equal(plain.d.bytesAt(p.writable[0].addr, 1)[0], 0);
});

test("receive with MRG_RXBUF: header with num_buffers = 1, then the frame", () => {
  const { backend, d } = setup();
  const p = d.post(N.NET_RX, [{ len: 2048 }]);
  d.notify(N.NET_RX);
  const f = frame(1514, 9);
  backend.onFrame!(f);
  assert.deepEqual(d.takeUsed(N.NET_RX), [{ id: p.head, len: 12 + 1514 }]);
  const got = d.bytesAt(p.writable[0].addr, 12 + 1514);
  assert.deepEqual([...got.subarray(0, 12)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
  assert.deepEqual(got.subarray(12), f);
  assert.ok(d.irqLevel);
});

test("receive with MRG_RXBUF: a frame larger than one buffer spans several, num_buffers counts them", () => {
  const { backend, d } = setup();
  const a = d.post(N.NET_RX, [{ len: 512 }]);
  const b = d.post(N.NET_RX, [{ len: 512 }]);
  const c = d.post(N.NET_RX, [{ len: 512 }]);
  d.notify(N.NET_RX);
  const f = frame(1200, 3);
  backend.onFrame!(f);
  assert.deepEqual(d.takeUsed(N.NET_RX), [
    { id: a.head, len: 512 },
    { id: b.head, len: 512 },
    { id: c.head, len: 12 + 1200 - 1024 },
  ]);
  const first = d.bytesAt(a.writable[0].addr, 512);
  assert.equal(first[10] | (first[11] << 8), 3);
  const joined = new Uint8Array([
    ...first.subarray(12),
    ...d.bytesAt(b.writable[0].addr, 512),
    ...d.bytesAt(c.writable[0].addr, 188),
  ]);
  assert.deepEqual(joined, f);
});

test("receive without MRG_RXBUF: one chain per frame, header split from data as Linux posts it", () => {
  const { backend, d } = setup([(1 << N.VIRTIO_NET_F_MAC) | (1 << N.VIRTIO_NET_F_STATUS), 1]);
  const p = d.post(N.NET_RX, [{ len: 12 }, { len: 1514 }]);
  d.notify(N.NET_RX);
  const f = frame(60, 1);
  backend.onFrame!(f);
  assert.deepEqual(d.takeUsed(N.NET_RX), [{ id: p.head, len: 72 }]);
  assert.deepEqual(d.bytesAt(p.writable[1].addr, 60), f);
});

test("frames wait for receive buffers, in order; the backlog is bounded and drops the oldest", () => {
  const { backend, dev, d } = setup();
  for (let i = 0; i < N.NET_RX_BACKLOG + 5; i++) backend.onFrame!(frame(60, i));
  assert.equal(dev.stats.rxDropped, 5);
  const p = d.post(N.NET_RX, [{ len: 2048 }]);
  d.notify(N.NET_RX);
  assert.deepEqual(d.takeUsed(N.NET_RX), [{ id: p.head, len: 72 }]);
  assert.deepEqual(d.bytesAt(p.writable[0].addr + 12, 60), frame(60, 5), "the oldest kept frame first");
});

test("the link follows the backend: STATUS changes with a configuration interrupt", () => {
  const { backend, d } = setup();
  d.ackInterrupt();
  backend.onLink!(false);
  assert.equal(d.transport.read(0x100 + N.NET_CFG_STATUS, 2, 0), 0);
  assert.equal(d.ackInterrupt(), R.INT_CONFIG_CHANGE);
  backend.onLink!(true);
  assert.equal(d.transport.read(0x100 + N.NET_CFG_STATUS, 2, 0), 1);
  assert.equal(d.ackInterrupt(), R.INT_CONFIG_CHANGE);
});

test("a mergeable receive buffer shorter than the header is a malformed ring; delivery does not throw", () => {
  const { backend, d } = setup();
  d.post(N.NET_RX, [{ len: 4 }]);
  d.notify(N.NET_RX);
  assert.doesNotThrow(() => backend.onFrame!(frame(60, 0)));
  assert.ok(d.status & R.STATUS_DEVICE_NEEDS_RESET);
});

test("snapshots: the frames waiting for buffers and the link the guest saw come back; a new backend's link is announced", () => {
  const { backend, dev } = setup();
  backend.onFrame!(frame(60, 1));
  backend.onFrame!(frame(70, 2));
  const saved = sectionBytes(dev);

  // Restored with a new backend whose peer is not there yet.
  const later = new FakeBackend();
  later.linkUp = false;
  const dev2 = new N.VirtioNet(later, MAC);
  restoreSection(dev2, saved, "virtio/0");
  assert.equal(dev2.linkUp, true, "the link as the guest last saw it, until the device runs");
  const d2 = new TestDriver(dev2);
  d2.start();
  assert.equal(d2.transport.read(0x100 + N.NET_CFG_STATUS, 2, 0), 0, "then the new backend's");
  assert.equal(d2.ackInterrupt(), R.INT_CONFIG_CHANGE);
  const a = d2.post(N.NET_RX, [{ len: 2048 }]);
  const b = d2.post(N.NET_RX, [{ len: 2048 }]);
  d2.notify(N.NET_RX);
  assert.deepEqual(d2.takeUsed(N.NET_RX), [
    { id: a.head, len: 72 },
    { id: b.head, len: 82 },
  ]);
  assert.deepEqual(d2.bytesAt(b.writable[0].addr + 12, 70), frame(70, 2));
});

test("snapshots: more waiting frames than a NIC holds is a bad snapshot", () => {
  const w = new StateWriter();
  w.bool(true);
  w.u32(N.NET_RX_BACKLOG + 1);
  const bytes = Uint8Array.from(w.finish().flatMap((p) => [...p]));
  assert.throws(() => restoreSection(new N.VirtioNet(new FakeBackend(), MAC), bytes, "virtio/0"), SnapshotError);
});

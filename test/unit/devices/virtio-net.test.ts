import { test } from "node:test";
import assert from "node:assert/strict";
import type { NetBackend } from "../../../src/devices/net/backend.js";
import { FramingError, MAX_FRAME, StreamDeframer, frameToStream } from "../../../src/devices/net/stream-framing.js";
import * as N from "../../../src/devices/virtio/net.js";
import * as R from "../../../src/devices/virtio/mmio-regs.js";
import { TestDriver } from "../../helpers/virtio-driver.js";
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

test("virtio-net: device ID 1, MAC and STATUS in config, features MAC/STATUS/MRG_RXBUF", () => {
  const { d } = setup();
  assert.equal(d.reg(R.VIRTIO_MMIO_DEVICE_ID), 1);
  const f = d.deviceFeatures()[0];
  for (const bit of [N.VIRTIO_NET_F_MAC, N.VIRTIO_NET_F_STATUS, N.VIRTIO_NET_F_MRG_RXBUF]) assert.ok(f & (1 << bit));
  assert.equal(f & 3, 0, "no checksum offloads");
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

import { test } from "node:test";
import assert from "node:assert/strict";
import * as B from "../../../src/devices/virtio/blk.js";
import { MemoryBlockBackend, OverlayBlockBackend } from "../../../src/devices/virtio/block-backend.js";
import * as R from "../../../src/devices/virtio/mmio-regs.js";
import { TestDriver } from "../../helpers/virtio-driver.js";

const SECTORS = 64;

function header(type: number, sector: number): Uint8Array {
  const h = new Uint8Array(16);
  const v = new DataView(h.buffer);
  v.setUint32(0, type, true);
  v.setUint32(8, sector >>> 0, true);
  v.setUint32(12, Math.floor(sector / 2 ** 32), true);
  return h;
}

function pattern(len: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: len }, (_v, i) => (i * 7 + seed) & 0xff);
}

/** A memory disk with vectored I/O, counting its calls (the device must use them, once a request). */
class VectoredMemoryBackend extends MemoryBlockBackend {
  vectoredCalls = 0;
  readv(pos: number, parts: readonly Uint8Array[]): void {
    this.vectoredCalls++;
    for (const p of parts) {
      this.read(pos, p, 0, p.length);
      pos += p.length;
    }
  }
  writev(pos: number, parts: readonly Uint8Array[]): void {
    this.vectoredCalls++;
    for (const p of parts) {
      this.write(pos, p, 0, p.length);
      pos += p.length;
    }
  }
  // Per-buffer calls would go unnoticed in the data: make them fail the test instead.
  override read(pos: number, bytes: Uint8Array, off: number, len: number): void {
    if (this.vectoredCalls === 0) throw new Error("per-buffer read on a vectored backend");
    super.read(pos, bytes, off, len);
  }
  override write(pos: number, bytes: Uint8Array, off: number, len: number): void {
    if (this.vectoredCalls === 0) throw new Error("per-buffer write on a vectored backend");
    super.write(pos, bytes, off, len);
  }
}

function setup(opts: { readonly?: boolean; indirect?: boolean; vectored?: boolean } = {}) {
  const data = pattern(SECTORS * 512, 1);
  const disk = opts.vectored
    ? new VectoredMemoryBackend(data, opts.readonly ?? false)
    : new MemoryBlockBackend(data, opts.readonly ?? false);
  const dev = new B.VirtioBlk(disk, { name: "vda", serial: "disk-serial-0123456789abc" });
  const d = new TestDriver(dev);
  d.start();
  /** Runs one request; returns its status byte, the used length and the data read. */
  const request = (type: number, sector: number, out: Uint8Array | null, inLen: number, split = false) => {
    const bufs = [{ data: header(type, sector) }] as ({ data: Uint8Array } | { len: number })[];
    if (out !== null) {
      if (split) bufs.push({ data: out.subarray(0, 100) }, { data: out.subarray(100) });
      else bufs.push({ data: out });
    }
    if (inLen > 0) {
      if (split) bufs.push({ len: 300 }, { len: inLen - 300 });
      else bufs.push({ len: inLen });
    }
    bufs.push({ len: 1 });
    const p = d.post(0, bufs, { indirect: opts.indirect });
    d.notify(0);
    const used = d.takeUsed(0);
    assert.equal(used.length, 1);
    assert.equal(used[0].id, p.head);
    const status = p.writable[p.writable.length - 1];
    const data = new Uint8Array(p.writable.slice(0, -1).reduce((n, w) => n + w.len, 0));
    let at = 0;
    for (const w of p.writable.slice(0, -1)) {
      data.set(d.bytesAt(w.addr, w.len), at);
      at += w.len;
    }
    return { status: d.bytesAt(status.addr, 1)[0], len: used[0].len, data };
  };
  return { disk, dev, d, request };
}

test("config: capacity in sectors, seg_max, blk_size, discard and write-zeroes limits", () => {
  const { d } = setup();
  assert.equal(d.transport.read(0x100 + B.BLK_CFG_CAPACITY, 4, 0), SECTORS);
  assert.equal(d.transport.read(0x100 + B.BLK_CFG_CAPACITY + 4, 4, 0), 0);
  assert.equal(d.transport.read(0x100 + B.BLK_CFG_SEG_MAX, 4, 0), B.BLK_SEG_MAX);
  assert.equal(d.transport.read(0x100 + B.BLK_CFG_BLK_SIZE, 4, 0), 512);
  assert.ok(d.transport.read(0x100 + B.BLK_CFG_MAX_DISCARD_SECTORS, 4, 0) > 0);
  assert.ok(d.transport.read(0x100 + B.BLK_CFG_MAX_DISCARD_SEG, 4, 0) > 0);
  assert.equal(d.transport.read(0x100 + B.BLK_CFG_WRITE_ZEROES_MAY_UNMAP, 1, 0), 1);
  assert.equal(d.reg(R.VIRTIO_MMIO_DEVICE_ID), 2);
});

test("features: SEG_MAX, BLK_SIZE, FLUSH, DISCARD, WRITE_ZEROES; RO only for read-only disks", () => {
  const want = [B.VIRTIO_BLK_F_SEG_MAX, B.VIRTIO_BLK_F_BLK_SIZE, B.VIRTIO_BLK_F_FLUSH, B.VIRTIO_BLK_F_DISCARD];
  const rw = setup().d.deviceFeatures()[0];
  for (const bit of [...want, B.VIRTIO_BLK_F_WRITE_ZEROES]) assert.ok(rw & (1 << bit), `bit ${bit}`);
  assert.equal(rw & (1 << B.VIRTIO_BLK_F_RO), 0);
  assert.ok(setup({ readonly: true }).d.deviceFeatures()[0] & (1 << B.VIRTIO_BLK_F_RO));
});

for (const indirect of [false, true]) {
  for (const split of [false, true]) {
    for (const vectored of [false, true]) {
      test(`read and write whole sectors in place (${indirect ? "indirect" : "direct"}, ${split ? "split buffers" : "one buffer"}${vectored ? ", vectored backend" : ""})`, () => {
        const { disk, request } = setup({ indirect, vectored });
        const r = request(B.VIRTIO_BLK_T_IN, 3, null, 1024, split);
        if (disk instanceof VectoredMemoryBackend) assert.equal(disk.vectoredCalls, 1, "one call for the request");
        assert.equal(r.status, B.VIRTIO_BLK_S_OK);
        assert.equal(r.len, 1025, "data + status");
        assert.deepEqual(r.data, disk.data.slice(3 * 512, 5 * 512));
        const out = pattern(1024, 99);
        const w = request(B.VIRTIO_BLK_T_OUT, 10, out, 0, split);
        assert.equal(w.status, B.VIRTIO_BLK_S_OK);
        assert.equal(w.len, 1, "only the status is written");
        assert.deepEqual(disk.data.slice(10 * 512, 12 * 512), out);
        if (disk instanceof VectoredMemoryBackend) assert.equal(disk.vectoredCalls, 2, "one call for each request");
        assert.deepEqual(
          disk.data.slice(9 * 512, 10 * 512),
          pattern(SECTORS * 512, 1).slice(9 * 512, 10 * 512),
          "neighbours untouched",
        );
      });
    }
  }
}

test("a request past the end of the disk, or not whole sectors, gets IOERR and changes nothing", () => {
  const { disk, request } = setup();
  const before = disk.data.slice();
  assert.equal(request(B.VIRTIO_BLK_T_IN, SECTORS - 1, null, 1024).status, B.VIRTIO_BLK_S_IOERR);
  assert.equal(request(B.VIRTIO_BLK_T_OUT, SECTORS, new Uint8Array(512), 0).status, B.VIRTIO_BLK_S_IOERR);
  assert.equal(request(B.VIRTIO_BLK_T_OUT, 2 ** 40, new Uint8Array(512), 0).status, B.VIRTIO_BLK_S_IOERR);
  assert.equal(request(B.VIRTIO_BLK_T_OUT, 0, new Uint8Array(100), 0).status, B.VIRTIO_BLK_S_IOERR);
  assert.deepEqual(disk.data, before);
  assert.equal(
    request(B.VIRTIO_BLK_T_IN, SECTORS - 2, null, 1024).status,
    B.VIRTIO_BLK_S_OK,
    "the last sectors are fine",
  );
});

test("a read-only disk fails writes, discards and write-zeroes with IOERR", () => {
  const { disk, request } = setup({ readonly: true });
  const before = disk.data.slice();
  assert.equal(request(B.VIRTIO_BLK_T_OUT, 0, new Uint8Array(512), 0).status, B.VIRTIO_BLK_S_IOERR);
  const range = new Uint8Array(16);
  new DataView(range.buffer).setUint32(8, 1, true);
  assert.equal(request(B.VIRTIO_BLK_T_DISCARD, 0, range, 0).status, B.VIRTIO_BLK_S_IOERR);
  assert.equal(request(B.VIRTIO_BLK_T_WRITE_ZEROES, 0, range, 0).status, B.VIRTIO_BLK_S_IOERR);
  assert.deepEqual(disk.data, before);
  assert.equal(request(B.VIRTIO_BLK_T_IN, 0, null, 512).status, B.VIRTIO_BLK_S_OK);
});

test("FLUSH reaches the backend", () => {
  const { disk, request } = setup();
  assert.equal(request(B.VIRTIO_BLK_T_FLUSH, 0, null, 0).status, B.VIRTIO_BLK_S_OK);
  assert.equal(disk.flushes, 1);
});

test("GET_ID answers the serial, at most 20 bytes", () => {
  const { request } = setup();
  const r = request(B.VIRTIO_BLK_T_GET_ID, 0, null, 20);
  assert.equal(r.status, B.VIRTIO_BLK_S_OK);
  assert.equal(new TextDecoder().decode(r.data), "disk-serial-01234567");
  assert.equal(r.len, 21);
});

test("an unknown request type is UNSUPP", () => {
  const { request } = setup();
  assert.equal(request(99, 0, null, 0).status, B.VIRTIO_BLK_S_UNSUPP);
});

function ranges(list: [number, number, number][]): Uint8Array {
  const out = new Uint8Array(16 * list.length);
  const v = new DataView(out.buffer);
  list.forEach(([sector, count, flags], i) => {
    v.setUint32(16 * i, sector, true);
    v.setUint32(16 * i + 8, count, true);
    v.setUint32(16 * i + 12, flags, true);
  });
  return out;
}

test("DISCARD and WRITE_ZEROES (with and without unmap) leave zeros in every range", () => {
  const { disk, request } = setup();
  const zero = new Uint8Array(1024);
  assert.equal(
    request(
      B.VIRTIO_BLK_T_DISCARD,
      0,
      ranges([
        [2, 2, 0],
        [20, 1, 0],
      ]),
      0,
    ).status,
    0,
  );
  assert.deepEqual(disk.data.slice(2 * 512, 4 * 512), zero);
  assert.deepEqual(disk.data.slice(20 * 512, 21 * 512), zero.subarray(0, 512));
  assert.notDeepEqual(disk.data.slice(4 * 512, 5 * 512), zero.subarray(0, 512));
  assert.equal(request(B.VIRTIO_BLK_T_WRITE_ZEROES, 0, ranges([[30, 2, 0]]), 0).status, 0);
  assert.deepEqual(disk.data.slice(30 * 512, 32 * 512), zero);
  assert.equal(request(B.VIRTIO_BLK_T_WRITE_ZEROES, 0, ranges([[40, 2, 1]]), 0).status, 0);
  assert.deepEqual(disk.data.slice(40 * 512, 42 * 512), zero);
  assert.equal(
    request(B.VIRTIO_BLK_T_DISCARD, 0, ranges([[SECTORS - 1, 2, 0]]), 0).status,
    B.VIRTIO_BLK_S_IOERR,
    "past the end",
  );
  assert.equal(
    request(B.VIRTIO_BLK_T_DISCARD, 0, ranges([[0, 1, 1]]), 0).status,
    B.VIRTIO_BLK_S_UNSUPP,
    "unmap flag on discard",
  );
});

test("a backend failure is IOERR, logged, and the device goes on", () => {
  const { disk, d, request } = setup();
  disk.read = () => {
    throw new Error("EIO: input/output error");
  };
  assert.equal(request(B.VIRTIO_BLK_T_IN, 0, null, 512).status, B.VIRTIO_BLK_S_IOERR);
  assert.match(d.logs.join("\n"), /EIO/);
  assert.equal(request(B.VIRTIO_BLK_T_OUT, 0, new Uint8Array(512), 0).status, B.VIRTIO_BLK_S_OK);
});

test("a chain with no room for header and status is a malformed ring", () => {
  const { d } = setup();
  d.post(0, [{ data: new Uint8Array(8) }, { len: 1 }]);
  d.notify(0);
  assert.ok(d.status & R.STATUS_DEVICE_NEEDS_RESET);
  const e = setup();
  e.d.post(0, [{ data: header(0, 0) }]);
  e.d.notify(0);
  assert.ok(e.d.status & R.STATUS_DEVICE_NEEDS_RESET);
});

test("many requests in one notification all complete, with one interrupt", () => {
  const { d, disk } = setup();
  const posted = [0, 1, 2, 3, 4].map((s) =>
    d.post(0, [{ data: header(B.VIRTIO_BLK_T_IN, s) }, { len: 512 }, { len: 1 }]),
  );
  d.notify(0);
  const used = d.takeUsed(0);
  assert.deepEqual(
    used.map((u) => u.id),
    posted.map((p) => p.head),
  );
  posted.forEach((p, s) =>
    assert.deepEqual(d.bytesAt(p.writable[0].addr, 512), disk.data.slice(s * 512, (s + 1) * 512)),
  );
  assert.equal(d.irqEdges, 1);
});

test("snapshot overlay: writes land in the scratch, reads see them, the base never changes", () => {
  const base = new MemoryBlockBackend(pattern(3 * 4096 + 512, 5));
  const original = base.data.slice();
  const scratch = new MemoryBlockBackend(base.size);
  const o = new OverlayBlockBackend(base, scratch);
  const ram = pattern(8192, 77);
  o.write(100, ram, 0, 5000); // partial first granule, partial second
  o.discard(3 * 4096, 512); // the last, short granule
  const back = new Uint8Array(base.size);
  o.read(0, back, 0, base.size);
  const want = original.slice();
  want.set(ram.subarray(0, 5000), 100);
  want.fill(0, 3 * 4096);
  assert.deepEqual(back, want);
  assert.deepEqual(base.data, original, "base untouched");
  assert.equal(o.readonly, false);
});

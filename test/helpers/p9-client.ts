// A 9P2000.L client for unit tests: builds T-messages with the codec, sends each as one chain
// through the TestDriver's virtqueue (readable request, writable reply buffer), and decodes the
// R-message, so the device, the server and a backend are tested together as the guest reaches them.

import assert from "node:assert/strict";
import type { FsBackend } from "../../src/devices/virtio/9p/backend.js";
import { P9Reader, P9Writer, p9bytes, type Qid } from "../../src/devices/virtio/9p/codec.js";
import { P9 } from "../../src/devices/virtio/9p/protocol.js";
import { VirtioP9 } from "../../src/devices/virtio/9p/virtio-9p.js";
import { TestDriver } from "./virtio-driver.js";

export const ROOT_FID = 1;

/** An Rlerror, as a failure the test can inspect. */
export class Rlerror extends Error {
  constructor(readonly errno: number) {
    super(`Rlerror ${errno}`);
  }
}

export class P9Client {
  readonly driver: TestDriver;
  readonly device: VirtioP9;
  private tag = 1;

  constructor(fs: FsBackend, tag = "share") {
    this.device = new VirtioP9(fs, tag);
    this.driver = new TestDriver(this.device);
    this.driver.start();
  }

  /** Sends raw message bytes in one chain with `room` writable bytes; returns the reply bytes. */
  raw(msg: Uint8Array, room = 8192): Uint8Array {
    const d = this.driver;
    d.resetHeap();
    const p = d.post(0, [{ data: msg }, { len: room }]);
    d.notify(0);
    const used = d.takeUsed(0);
    assert.equal(used.length, 1, "one reply per request");
    assert.equal(used[0].id, p.head);
    return d.bytesAt(p.writable[0].addr, used[0].len);
  }

  /** Sends T-message `type` with the body `body` writes; returns a reader after the R header
   * (throws Rlerror). */
  rpc(type: number, body: (w: P9Writer) => void, room = 8192): P9Reader {
    const w = new P9Writer(new Uint8Array(1 << 20));
    const tag = this.tag++ & 0x7fff;
    w.header(type, tag);
    body(w);
    const reply = this.raw(w.finish().slice(), room);
    const r = new P9Reader(reply);
    assert.equal(r.u32(), reply.length, "size field = bytes written");
    const rtype = r.u8();
    assert.equal(r.u16(), tag, "the reply carries the request's tag");
    if (rtype === P9.Rlerror) throw new Rlerror(r.u32());
    assert.equal(rtype, type + 1);
    return r;
  }

  /** The errno of a request expected to fail. */
  errno(type: number, body: (w: P9Writer) => void): number {
    try {
      this.rpc(type, body);
    } catch (e) {
      if (e instanceof Rlerror) return e.errno;
      throw e;
    }
    assert.fail(`message ${type} succeeded`);
  }

  version(msize = 8192): number {
    const r = this.rpc(P9.Tversion, (w) => w.u32(msize).str("9P2000.L"));
    return r.u32();
  }

  attach(fid = ROOT_FID): Qid {
    return this.rpc(P9.Tattach, (w) => w.u32(fid).u32(0xffffffff).str("root").str("").u32(0)).qid();
  }

  /** version + attach on ROOT_FID. */
  mount(): Qid {
    this.version();
    return this.attach();
  }

  walk(fid: number, newfid: number, ...names: (string | Uint8Array)[]): Qid[] {
    const r = this.rpc(P9.Twalk, (w) => {
      w.u32(fid).u32(newfid).u16(names.length);
      for (const n of names) w.str(n);
    });
    return Array.from({ length: r.u16() }, () => r.qid());
  }

  lopen(fid: number, flags: number): Qid {
    return this.rpc(P9.Tlopen, (w) => w.u32(fid).u32(flags)).qid();
  }

  lcreate(fid: number, name: string, flags: number, mode = 0o644): Qid {
    return this.rpc(P9.Tlcreate, (w) => w.u32(fid).str(name).u32(flags).u32(mode).u32(0)).qid();
  }

  read(fid: number, offset: number, count: number, room = 8192): Uint8Array {
    const r = this.rpc(P9.Tread, (w) => w.u32(fid).u64(offset).u32(count), room);
    return r.bytes(r.u32()).slice();
  }

  write(fid: number, offset: number, data: Uint8Array | string): number {
    const b = typeof data === "string" ? p9bytes(data) : data;
    return this.rpc(P9.Twrite, (w) => w.u32(fid).u64(offset).u32(b.length).bytes(b)).u32();
  }

  clunk(fid: number): void {
    this.rpc(P9.Tclunk, (w) => w.u32(fid));
  }

  /** Reads a whole file by a fresh fid. */
  cat(...path: string[]): string {
    const fid = 900;
    this.walk(ROOT_FID, fid, ...path);
    this.lopen(fid, 0);
    let out = "";
    for (let off = 0; ;) {
      const chunk = this.read(fid, off, 4096);
      if (chunk.length === 0) break;
      out += new TextDecoder().decode(chunk);
      off += chunk.length;
    }
    this.clunk(fid);
    return out;
  }

  /** Every entry of an open directory fid: [name, offset, type] in order, following offsets. */
  readdir(fid: number, count = 8192): { name: string; offset: bigint; type: number; qid: Qid }[] {
    const out: { name: string; offset: bigint; type: number; qid: Qid }[] = [];
    let offset = 0n;
    for (;;) {
      const r = this.rpc(P9.Treaddir, (w) => w.u32(fid).u64(offset).u32(count));
      const n = r.u32();
      if (n === 0) break;
      const end = r.offset + n;
      while (r.offset < end) {
        const qid = r.qid();
        offset = r.u64();
        const type = r.u8();
        out.push({ name: new TextDecoder().decode(r.str()), offset, type, qid });
      }
    }
    return out;
  }
}

// virtio-9p through the TestDriver: the device (ID 9, MOUNT_TAG, the tag in the configuration
// space), msize negotiation, and every 9P2000.L request the Linux client sends, served by the Node
// backend over a temporary folder. Bad input (garbage, bad fids, huge counts, short chains) gets
// an Rlerror, or DEVICE_NEEDS_RESET when the chain has no room for any reply.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ShareFs } from "../../../src/host/node/share-fs.js";
import { P9Writer } from "../../../src/devices/virtio/9p/codec.js";
import { MAX_MSIZE } from "../../../src/devices/virtio/9p/server.js";
import { P9 } from "../../../src/devices/virtio/9p/protocol.js";
import * as R from "../../../src/devices/virtio/mmio-regs.js";
import { P9Client, ROOT_FID, Rlerror } from "../../helpers/p9-client.js";
import { Rng } from "../../helpers/rng.js";

const scratch = fs.mkdtempSync(join(tmpdir(), "armvmm-9p-"));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));
let count = 0;

/** A fresh shared folder with `files`, and a client mounted on it. */
function share(files: Record<string, string> = {}, readonly = false): { dir: string; c: P9Client } {
  const dir = join(scratch, `s${count++}`);
  fs.mkdirSync(dir);
  for (const [name, data] of Object.entries(files)) {
    fs.mkdirSync(join(dir, name, ".."), { recursive: true });
    fs.writeFileSync(join(dir, name), data);
  }
  const c = new P9Client(ShareFs.open(dir, readonly));
  c.mount();
  return { dir, c };
}

const O_RDONLY = 0;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_TRUNC = 0o1000;
const O_EXCL = 0o200;

test("device: ID 9, MOUNT_TAG offered, one queue, le16 tag_len + tag in the configuration space", () => {
  const c = new P9Client(ShareFs.open(scratch, true), "hostdir");
  const d = c.driver;
  assert.equal(d.reg(R.VIRTIO_MMIO_DEVICE_ID), 9);
  assert.equal(d.deviceFeatures()[0] & 1, 1);
  assert.equal(d.transport.read(0x100, 2, 0), 7);
  const tag = Array.from({ length: 7 }, (_v, i) => d.transport.read(0x102 + i, 1, 0));
  assert.equal(String.fromCharCode(...tag), "hostdir");
});

test("Tversion: msize is the client's, capped at the device's; an unknown version answers 'unknown'", () => {
  const { c } = share();
  assert.equal(c.version(65536), 65536);
  assert.equal(c.version(16 << 20), MAX_MSIZE);
  const r = c.rpc(P9.Tversion, (w) => w.u32(8192).str("9P2000.u"));
  r.u32();
  assert.equal(new TextDecoder().decode(r.str()), "unknown");
  assert.equal(c.device.server.openFids, 0, "a new version forgets every fid");
});

test("attach, walk, lopen, read: a host file's bytes; reads are capped by the reply room", () => {
  const data = "x".repeat(10_000);
  const { c } = share({ "dir/file.txt": data });
  const qids = c.walk(ROOT_FID, 2, "dir", "file.txt");
  assert.equal(qids.length, 2);
  assert.equal(qids[0].type, 0x80);
  assert.equal(qids[1].type, 0);
  c.lopen(2, O_RDONLY);
  assert.equal(c.read(2, 0, 100).length, 100);
  assert.equal(c.read(2, 9_990, 100).length, 10, "short read at the end");
  assert.equal(c.read(2, 20_000, 100).length, 0);
  assert.equal(c.read(2, 0, 0xffffffff, 1000).length, 1000 - 11, "count capped to the chain's writable bytes");
  assert.equal(c.cat("dir", "file.txt"), data);
});

test("lcreate, write, fsync, getattr; mkdir, symlink, readlink, link: the host sees each", () => {
  const { dir, c } = share();
  c.walk(ROOT_FID, 2);
  const q = c.lcreate(2, "new.txt", O_RDWR, 0o640);
  assert.equal(q.type, 0);
  assert.equal(c.write(2, 0, "hello"), 5);
  assert.equal(c.write(2, 5, " world"), 6);
  c.rpc(P9.Tfsync, (w) => w.u32(2).u32(0));
  assert.equal(fs.readFileSync(join(dir, "new.txt"), "utf8"), "hello world");
  const g = c.rpc(P9.Tgetattr, (w) => w.u32(2).u64(0x3fff));
  assert.equal(g.u64(), 0x7ffn);
  assert.equal(g.qid().path, fs.statSync(join(dir, "new.txt"), { bigint: true }).ino);
  const mode = g.u32();
  assert.equal(mode & 0o170000, 0o100000);
  assert.equal(g.u32(), process.getuid?.(), "uid as on the host");
  g.u32();
  assert.equal(g.u64(), 1n, "nlink");
  g.u64();
  assert.equal(g.u64(), 11n, "size");

  const mk = c.rpc(P9.Tmkdir, (w) => w.u32(ROOT_FID).str("sub").u32(0o755).u32(0)).qid();
  assert.equal(mk.type, 0x80);
  assert.ok(fs.statSync(join(dir, "sub")).isDirectory());
  const sl = c.rpc(P9.Tsymlink, (w) => w.u32(ROOT_FID).str("ln").str("new.txt").u32(0)).qid();
  assert.equal(sl.type, 0x02);
  assert.equal(fs.readlinkSync(join(dir, "ln")), "new.txt");
  c.walk(ROOT_FID, 3, "ln");
  assert.equal(new TextDecoder().decode(c.rpc(P9.Treadlink, (w) => w.u32(3)).str()), "new.txt");
  c.walk(ROOT_FID, 4, "sub");
  c.rpc(P9.Tlink, (w) => w.u32(4).u32(2).str("hard"));
  assert.equal(fs.statSync(join(dir, "sub", "hard")).ino, fs.statSync(join(dir, "new.txt")).ino);
  assert.equal(
    c.errno(P9.Tmknod, (w) => w.u32(ROOT_FID).str("dev").u32(0o20644).u32(1).u32(3).u32(0)),
    1,
  );
});

test("setattr: mode, size, times given and SET_*_NOW; getattr reports them", () => {
  const { dir, c } = share({ "f.txt": "0123456789" });
  c.walk(ROOT_FID, 2, "f.txt");
  const setattr = (valid: number, f: (w: P9Writer) => void) =>
    c.rpc(P9.Tsetattr, (w) => {
      w.u32(2).u32(valid);
      f(w);
    });
  setattr(0x1, (w) => w.u32(0o600).u32(0).u32(0).u64(0).u64(0).u64(0).u64(0).u64(0));
  assert.equal(fs.statSync(join(dir, "f.txt")).mode & 0o777, 0o600);
  setattr(0x8, (w) => w.u32(0).u32(0).u32(0).u64(4).u64(0).u64(0).u64(0).u64(0));
  assert.equal(fs.readFileSync(join(dir, "f.txt"), "utf8"), "0123");
  // atime and mtime given (ATIME|MTIME|ATIME_SET|MTIME_SET).
  setattr(0x1b0, (w) => w.u32(0).u32(0).u32(0).u64(0).u64(1_000_000_000).u64(0).u64(1_500_000_000).u64(500_000_000));
  const st = fs.statSync(join(dir, "f.txt"));
  assert.equal(st.atimeMs, 1_000_000_000_000);
  assert.equal(st.mtimeMs, 1_500_000_000_500);
  // mtime now (MTIME without MTIME_SET); atime stays.
  const before = Date.now();
  setattr(0x20, (w) => w.u32(0).u32(0).u32(0).u64(0).u64(0).u64(0).u64(0).u64(0));
  const now = fs.statSync(join(dir, "f.txt"));
  assert.ok(now.mtimeMs >= before - 1000, "mtime set to now");
  assert.equal(now.atimeMs, 1_000_000_000_000, "atime untouched");
  // uid and gid (u32)-1 mean "no change"; the host's own ids are accepted.
  setattr(0x6, (w) => w.u32(0).u32(0xffffffff).u32(0xffffffff).u64(0).u64(0).u64(0).u64(0).u64(0));
  const ids = fs.statSync(join(dir, "f.txt"));
  setattr(0x6, (w) => w.u32(0).u32(ids.uid).u32(ids.gid).u64(0).u64(0).u64(0).u64(0).u64(0));
  assert.equal(fs.statSync(join(dir, "f.txt")).uid, ids.uid);
});

test("rename, renameat, unlinkat (file and directory); statfs; lock and getlock; flush; xattrs unsupported", () => {
  const { dir, c } = share({ "a.txt": "a", "d/x": "x" });
  c.walk(ROOT_FID, 2, "a.txt");
  c.rpc(P9.Trename, (w) => w.u32(2).u32(ROOT_FID).str("b.txt"));
  assert.ok(fs.existsSync(join(dir, "b.txt")) && !fs.existsSync(join(dir, "a.txt")));
  c.rpc(P9.Trenameat, (w) => w.u32(ROOT_FID).str("b.txt").u32(ROOT_FID).str("c.txt"));
  assert.ok(fs.existsSync(join(dir, "c.txt")));
  c.walk(ROOT_FID, 3, "d");
  c.rpc(P9.Tunlinkat, (w) => w.u32(3).str("x").u32(0));
  assert.equal(
    c.errno(P9.Tunlinkat, (w) => w.u32(ROOT_FID).str("c.txt").u32(0x200)),
    20,
    "rmdir of a file",
  );
  c.rpc(P9.Tunlinkat, (w) => w.u32(ROOT_FID).str("d").u32(0x200));
  assert.ok(!fs.existsSync(join(dir, "d")));
  const s = c.rpc(P9.Tstatfs, (w) => w.u32(ROOT_FID));
  s.u32();
  assert.ok(s.u32() > 0, "bsize");
  const lock = c.rpc(P9.Tlock, (w) => w.u32(2).u8(1).u32(0).u64(0).u64(0).u32(42).str("guest"));
  assert.equal(lock.u8(), 0, "granted");
  const gl = c.rpc(P9.Tgetlock, (w) => w.u32(2).u8(1).u64(10).u64(20).u32(42).str("guest"));
  assert.deepEqual([gl.u8(), gl.u64(), gl.u64(), gl.u32()], [2, 10n, 20n, 42], "F_UNLCK: nobody holds it");
  c.rpc(P9.Tflush, (w) => w.u16(3));
  assert.equal(
    c.errno(P9.Txattrwalk, (w) => w.u32(2).u32(9).str("user.x")),
    95,
  );
});

test("readdir of 2000 files: every entry once, with '.' and '..', offsets stable across calls", () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 2000; i++) files[`big/file-${i}`] = "";
  const { dir, c } = share(files);
  c.walk(ROOT_FID, 2, "big");
  c.lopen(2, O_RDONLY);
  const all = c.readdir(2, 4096);
  assert.equal(all.length, 2002);
  assert.deepEqual(
    all.slice(0, 2).map((e) => e.name),
    [".", ".."],
  );
  assert.equal(new Set(all.map((e) => e.name)).size, 2002);
  assert.ok(all.slice(2).every((e) => e.type === 8 && e.qid.type === 0));
  // Resuming from an offset of the middle gives the rest, even after the folder changed.
  const mid = all[1000];
  fs.unlinkSync(join(dir, "big", all[500].name));
  const r = c.rpc(P9.Treaddir, (w) => w.u32(2).u64(mid.offset).u32(8192));
  const n = r.u32();
  r.qid();
  r.u64();
  r.u8();
  assert.ok(n > 0);
  assert.equal(new TextDecoder().decode(r.str()), all[1001].name);
});

test("bad input: unknown fids, a walk from a file, garbage, huge sizes, short messages get Rlerror", () => {
  const { c } = share({ "f.txt": "f" });
  assert.equal(
    c.errno(P9.Tgetattr, (w) => w.u32(77).u64(0)),
    9,
    "EBADF",
  );
  assert.equal(
    c.errno(P9.Tclunk, (w) => w.u32(77)),
    9,
  );
  const names17 = (w: P9Writer) => {
    w.u32(ROOT_FID).u32(5).u16(17);
    for (let i = 0; i < 17; i++) w.str("a");
  };
  assert.equal(c.errno(P9.Twalk, names17), 22, "more than 16 names");
  c.walk(ROOT_FID, 2, "f.txt");
  assert.equal(
    c.errno(P9.Twalk, (w) => w.u32(2).u32(3).u16(1).str("x")),
    20,
    "ENOTDIR",
  );
  assert.equal(
    c.errno(P9.Twalk, (w) => w.u32(ROOT_FID).u32(2).u16(0)),
    9,
    "newfid in use",
  );
  assert.equal(
    c.errno(P9.Tread, (w) => w.u32(2).u64(0).u32(10)),
    9,
    "read of an unopened fid",
  );
  c.lopen(2, O_RDWR);
  assert.equal(
    c.errno(P9.Twrite, (w) => w.u32(2).u64(0).u32(1_000_000).bytes(new Uint8Array(4))),
    71,
    "EPROTO",
  );
  assert.equal(
    c.errno(P9.Tread, (w) =>
      w
        .u32(2)
        .u64(2n ** 63n)
        .u32(10),
    ),
    75,
    "EOVERFLOW",
  );
  assert.equal(
    c.errno(200, () => {}),
    95,
    "unknown type",
  );
  assert.equal(
    c.errno(P9.Tauth, (w) => w.u32(5).str("u").str("").u32(0)),
    95,
  );
  // A size field larger than the message, a message shorter than a header.
  const lying = new P9Writer(new Uint8Array(64)).header(P9.Tclunk, 9).u32(2).finish().slice();
  lying[0] = 200;
  assert.deepEqual([...c.raw(lying)], [11, 0, 0, 0, 7, 9, 0, 71, 0, 0, 0]);
  assert.deepEqual([...c.raw(Uint8Array.of(1, 2))], [11, 0, 0, 0, 7, 0xff, 0xff, 71, 0, 0, 0]);
  // Random messages: always one well-formed reply; the device never needs a reset.
  const g = new Rng(9);
  const next = () => g.next();
  for (let i = 0; i < 2000; i++) {
    const len = 7 + (next() % 60);
    const msg = Uint8Array.from({ length: len }, () => next() & 0xff);
    if (next() % 2 === 0) new DataView(msg.buffer).setUint32(0, len, true);
    if (next() % 2 === 0) msg[4] = 8 + (next() % 120);
    const reply = c.raw(msg);
    assert.equal(new DataView(reply.buffer, reply.byteOffset).getUint32(0, true), reply.length);
  }
  assert.equal(c.driver.status & R.STATUS_DEVICE_NEEDS_RESET, 0);
});

test("a chain without room for Rlerror (11 bytes) is a malformed ring: DEVICE_NEEDS_RESET", () => {
  const { c } = share();
  const d = c.driver;
  d.post(0, [{ data: Uint8Array.of(11, 0, 0, 0, 120, 1, 0, 1, 0, 0, 0) }, { len: 8 }]);
  d.notify(0);
  assert.ok(d.status & R.STATUS_DEVICE_NEEDS_RESET);
});

test("a device reset clunks every fid (the backend's descriptors are closed)", () => {
  const { c } = share({ "f.txt": "f" });
  c.walk(ROOT_FID, 2, "f.txt");
  c.lopen(2, O_RDONLY);
  assert.equal(c.device.server.openFids, 2);
  c.driver.setReg(R.VIRTIO_MMIO_STATUS, 0);
  assert.equal(c.device.server.openFids, 0);
});

test("lcreate with O_EXCL on an existing name fails EEXIST; without it, opens (and truncates) the file", () => {
  const { dir, c } = share({ "f.txt": "old contents" });
  c.walk(ROOT_FID, 2);
  assert.equal(
    c.errno(P9.Tlcreate, (w) =>
      w
        .u32(2)
        .str("f.txt")
        .u32(O_WRONLY | O_EXCL | 0o100)
        .u32(0o644)
        .u32(0),
    ),
    17,
  );
  c.lcreate(2, "f.txt", O_WRONLY | O_TRUNC | 0o100);
  assert.equal(fs.readFileSync(join(dir, "f.txt"), "utf8"), "");
  assert.throws(
    () => c.lcreate(ROOT_FID, "a/b", O_WRONLY),
    (e) => e instanceof Rlerror && e.errno === 22,
  );
});

test("O_APPEND writes go to the end whatever the offset; set-user-ID and set-group-ID bits are dropped", () => {
  const { dir, c } = share({ "log.txt": "abc" });
  c.walk(ROOT_FID, 2, "log.txt");
  c.lopen(2, O_WRONLY | 0o2000);
  c.write(2, 0, "def");
  assert.equal(fs.readFileSync(join(dir, "log.txt"), "utf8"), "abcdef");
  c.walk(ROOT_FID, 3, "log.txt");
  c.rpc(P9.Tsetattr, (w) => w.u32(3).u32(0x1).u32(0o6755).u32(0).u32(0).u64(0).u64(0).u64(0).u64(0).u64(0));
  assert.equal(fs.statSync(join(dir, "log.txt")).mode & 0o7777, 0o755);
  c.walk(ROOT_FID, 4);
  c.lcreate(4, "suid", O_WRONLY, 0o4777);
  assert.equal(fs.statSync(join(dir, "suid")).mode & 0o6000, 0);
  c.rpc(P9.Tmkdir, (w) => w.u32(ROOT_FID).str("sgid-dir").u32(0o2775).u32(0));
  assert.equal(fs.statSync(join(dir, "sgid-dir")).mode & 0o6000, 0);
});

// The shared folder's security: the guest can never reach outside DIR. Each escape a guest (or a
// host process racing it) could try, through the 9P server as the guest reaches it: ".." at the
// root, names holding '/', absolute and relative symlinks planted to point outside, a directory or
// file swapped for a symlink between walk and use, over-long names and NULs; and a readonly share
// answering EROFS to every change. Also the CLI-facing errors of ShareFs.open.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ShareError, ShareFs } from "../../../src/host/node/share-fs.js";
import { P9 } from "../../../src/devices/virtio/9p/protocol.js";
import { P9Client, ROOT_FID, Rlerror } from "../../helpers/p9-client.js";

const scratch = fs.mkdtempSync(join(tmpdir(), "armvmm-9p-escape-"));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));
/** A folder outside every share, holding a secret. */
const OUTSIDE = join(scratch, "outside");
fs.mkdirSync(OUTSIDE);
fs.writeFileSync(join(OUTSIDE, "secret"), "SECRET");
let count = 0;

const ENOENT = 2;
const ENOTDIR = 20;
const EINVAL = 22;
const EROFS = 30;
const ENAMETOOLONG = 36;
const ELOOP = 40;

function share(readonly = false): { dir: string; c: P9Client } {
  const dir = join(scratch, `share${count++}`, "inner");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(join(dir, "..", "sibling-secret"), "SIBLING");
  fs.writeFileSync(join(dir, "inside.txt"), "inside");
  const c = new P9Client(ShareFs.open(dir, readonly));
  c.mount();
  return { dir, c };
}

function fails(f: () => unknown, errno: number, what: string): void {
  assert.throws(f, (e) => e instanceof Rlerror && e.errno === errno, what);
}

test("'..' at the root stays at the root; a name holding '/' is refused", () => {
  const { c } = share();
  const root = c.attach(50);
  const up = c.walk(ROOT_FID, 3, "..", "..", "..");
  assert.equal(up.length, 3);
  assert.ok(up.every((q) => q.path === root.path));
  // The walk to the parent's file stops at the root: a partial walk, no fid made.
  assert.equal(c.walk(ROOT_FID, 4, "..", "sibling-secret").length, 1);
  fails(() => c.rpc(P9.Tgetattr, (w) => w.u32(4).u64(0)), 9, "fid 4 was not made");
  fails(() => c.walk(ROOT_FID, 5, "../sibling-secret"), EINVAL, "'/' in a name");
  fails(() => c.walk(ROOT_FID, 5, "/etc"), EINVAL, "absolute name");
  fails(() => c.walk(ROOT_FID, 5, "."), EINVAL, "'.'");
  fails(() => c.walk(ROOT_FID, 5, ""), EINVAL, "empty name");
  assert.equal(c.cat("..", "inside.txt"), "inside", "'..' then a name: back inside the root");
});

test("a symlink to /etc planted in the share: walking through it fails, opening it fails, readlink gives its text", () => {
  const { dir, c } = share();
  fs.symlinkSync("/etc", join(dir, "link-to-etc"));
  fs.symlinkSync("/etc/passwd", join(dir, "abs-file"));
  fs.symlinkSync("../sibling-secret", join(dir, "rel-out"));
  fs.symlinkSync("../../../../../../../../etc", join(dir, "deep-out"));
  // A walk through the link stops at it (a partial walk: one qid, the symlink's, and no new fid).
  for (const [link, inside] of [
    ["link-to-etc", "passwd"],
    ["deep-out", "hostname"],
  ]) {
    const qids = c.walk(ROOT_FID, 2, link, inside);
    assert.deepEqual(
      qids.map((q) => q.type),
      [0x02],
      `walk through ${link}`,
    );
    fails(() => c.rpc(P9.Tgetattr, (w) => w.u32(2).u64(0)), 9, "no fid made");
    c.walk(ROOT_FID, 2, link);
    fails(() => c.walk(2, 3, inside), ENOTDIR, `walk from the ${link} fid`);
    c.clunk(2);
  }
  for (const name of ["abs-file", "rel-out", "link-to-etc"]) {
    c.walk(ROOT_FID, 2, name);
    fails(() => c.lopen(2, 0), ELOOP, `open of ${name}`);
    const text = new TextDecoder().decode(c.rpc(P9.Treadlink, (w) => w.u32(2)).str());
    assert.equal(text, fs.readlinkSync(join(dir, name)));
    c.clunk(2);
  }
  // A symlink the guest makes itself is the same: text only.
  c.rpc(P9.Tsymlink, (w) => w.u32(ROOT_FID).str("mine").str("/etc/shadow").u32(0));
  fails(() => c.cat("mine"), ELOOP, "open of the guest's own absolute symlink");
  // Creating through a symlink: O_CREAT never follows one at the final name.
  c.walk(ROOT_FID, 3);
  fails(() => c.lcreate(3, "abs-file", 1), ELOOP, "lcreate over a symlink");
  fails(() => c.rpc(P9.Tmkdir, (w) => w.u32(ROOT_FID).str("link-to-etc").u32(0o755).u32(0)), 17, "mkdir over it");
});

test("a directory swapped for a symlink to outside between walk and use: the fid still names the directory", () => {
  const { dir, c } = share();
  fs.mkdirSync(join(dir, "d"));
  fs.writeFileSync(join(dir, "d", "mine.txt"), "MINE");
  c.walk(ROOT_FID, 2, "d");
  fs.renameSync(join(dir, "d"), join(dir, "d-moved"));
  fs.symlinkSync(OUTSIDE, join(dir, "d"));
  fails(() => c.walk(2, 3, "secret"), ENOENT, "lookup in the swapped name");
  c.walk(2, 3, "mine.txt");
  c.lopen(3, 0);
  assert.equal(new TextDecoder().decode(c.read(3, 0, 100)), "MINE");
  c.lopen(2, 0);
  const names = c.readdir(2).map((e) => e.name);
  assert.deepEqual(names.sort(), [".", "..", "mine.txt"]);
  // New names made in the fid's directory land in the directory, not in OUTSIDE.
  c.rpc(P9.Tmkdir, (w) => w.u32(2).str("made").u32(0o755).u32(0));
  assert.ok(fs.existsSync(join(dir, "d-moved", "made")));
  assert.deepEqual(fs.readdirSync(OUTSIDE), ["secret"]);
});

test("a file swapped for a symlink to outside between walk and open: open reads the file walked to", () => {
  const { dir, c } = share();
  c.walk(ROOT_FID, 2, "inside.txt");
  fs.renameSync(join(dir, "inside.txt"), join(dir, "gone.txt"));
  fs.symlinkSync(join(OUTSIDE, "secret"), join(dir, "inside.txt"));
  c.lopen(2, 0);
  assert.equal(new TextDecoder().decode(c.read(2, 0, 100)), "inside");
  // setattr by fid changes the walked file, never the symlink's target.
  c.rpc(P9.Tsetattr, (w) => w.u32(2).u32(0x8).u32(0).u32(0).u32(0).u64(1).u64(0).u64(0).u64(0).u64(0));
  assert.equal(fs.readFileSync(join(OUTSIDE, "secret"), "utf8"), "SECRET");
  assert.equal(fs.readFileSync(join(dir, "gone.txt"), "utf8"), "i");
});

test("over-long names and NULs are refused before the host sees them", () => {
  const { c } = share();
  fails(() => c.walk(ROOT_FID, 2, "a".repeat(256)), ENAMETOOLONG, "256 bytes");
  fails(() => c.walk(ROOT_FID, 2, "a".repeat(65_535)), ENAMETOOLONG, "65535 bytes");
  fails(() => c.walk(ROOT_FID, 2, "inside.txt\0/etc"), EINVAL, "NUL");
  c.walk(ROOT_FID, 3);
  fails(() => c.lcreate(3, "b".repeat(300), 1), ENAMETOOLONG, "lcreate");
  fails(
    () => c.rpc(P9.Tsymlink, (w) => w.u32(ROOT_FID).str("x").str("t\0x").u32(0)),
    EINVAL,
    "NUL in a symlink target",
  );
  fails(() => c.rpc(P9.Tmknod, (w) => w.u32(ROOT_FID).str("tty").u32(0o20620).u32(4).u32(1).u32(0)), 1, "mknod");
});

test("a readonly share: every change fails with EROFS, reads work", () => {
  const { dir, c } = share(true);
  assert.equal(c.cat("inside.txt"), "inside");
  c.walk(ROOT_FID, 2, "inside.txt");
  fails(() => c.lopen(2, 1), EROFS, "open for writing");
  fails(() => c.lopen(2, 0o1000), EROFS, "open with O_TRUNC");
  c.walk(ROOT_FID, 3);
  fails(() => c.lcreate(3, "new", 1), EROFS, "lcreate");
  const ops: [string, () => unknown][] = [
    ["mkdir", () => c.rpc(P9.Tmkdir, (w) => w.u32(ROOT_FID).str("m").u32(0o755).u32(0))],
    ["symlink", () => c.rpc(P9.Tsymlink, (w) => w.u32(ROOT_FID).str("s").str("t").u32(0))],
    ["link", () => c.rpc(P9.Tlink, (w) => w.u32(ROOT_FID).u32(2).str("h"))],
    ["rename", () => c.rpc(P9.Trename, (w) => w.u32(2).u32(ROOT_FID).str("r"))],
    ["renameat", () => c.rpc(P9.Trenameat, (w) => w.u32(ROOT_FID).str("inside.txt").u32(ROOT_FID).str("r"))],
    ["unlinkat", () => c.rpc(P9.Tunlinkat, (w) => w.u32(ROOT_FID).str("inside.txt").u32(0))],
    ["mknod", () => c.rpc(P9.Tmknod, (w) => w.u32(ROOT_FID).str("n").u32(0o10644).u32(0).u32(0).u32(0))],
    [
      "setattr",
      () => c.rpc(P9.Tsetattr, (w) => w.u32(2).u32(0x1).u32(0o777).u32(0).u32(0).u64(0).u64(0).u64(0).u64(0).u64(0)),
    ],
  ];
  for (const [what, op] of ops) fails(op, EROFS, what);
  c.lopen(2, 0);
  fails(() => c.write(2, 0, "x"), EROFS, "write on a read-only fid");
  assert.deepEqual(fs.readdirSync(dir), ["inside.txt"]);
  assert.equal(fs.readFileSync(join(dir, "inside.txt"), "utf8"), "inside");
  // The backend refuses on its own too, whatever its caller checks.
  const backend = ShareFs.open(dir, true);
  const root = backend.root();
  assert.throws(() => backend.mkdir(root, new TextEncoder().encode("m"), 0o755), /read-only/);
});

test("a FIFO placed in the share is never opened (it would block the I/O thread)", (t) => {
  const { dir, c } = share();
  if (spawnSync("mkfifo", [join(dir, "fifo")]).status !== 0) return t.skip("mkfifo not available");
  c.walk(ROOT_FID, 2, "fifo");
  fails(() => c.lopen(2, 0), 13, "EACCES");
  c.walk(ROOT_FID, 3);
  fails(() => c.lcreate(3, "fifo", 1), 13, "lcreate without O_EXCL on the FIFO");
});

test("ShareFs.open: a missing folder, a file, are one-line ShareErrors", () => {
  assert.throws(
    () => ShareFs.open(join(scratch, "nope"), false),
    (e) => e instanceof ShareError && /no such folder/.test(e.message),
  );
  assert.throws(
    () => ShareFs.open(join(OUTSIDE, "secret"), false),
    (e) => e instanceof ShareError && /not a folder/.test(e.message),
  );
});

// Debian's armmp kernel with the project's virtio initramfs (scripts/initramfs/init-virtio, which
// loads virtio_mmio, virtio_blk, ext4... from the same kernel package) on a small ext4 image made
// with `mke2fs -d`. The guest reads a file and checks its hash, writes one that the host then reads
// with debugfs after killing the VMM with SIGKILL (the guest synced first: the data must be on the
// image), leaves a snapshot run's image byte-identical, and cannot write a readonly disk. The
// virtio-rng device is the guest's hardware RNG.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { guestCacheDir } from "../../src/cli/guests.js";
import { CLI, ROOT } from "../guests/cli-runner.js";
import { failIfMissing, skipOption } from "../helpers/required.js";

const CACHE = guestCacheDir();
const KERNEL = join(CACHE, "vmlinuz");
const INITRD = join(CACHE, "initrd-virtio.cpio.gz");
const MISSING_GUEST = [KERNEL, INITRD].filter((f) => !existsSync(f));
const TOOLS = ["mke2fs", "debugfs"].filter(
  (t) => spawnSync("sh", ["-c", `command -v ${t} || test -x /sbin/${t}`]).status !== 0,
);
const ABSENT =
  MISSING_GUEST.length > 0
    ? `virtio guest missing (${MISSING_GUEST.join(", ")}): fetch it with 'npm run guests'`
    : TOOLS.length > 0
      ? `${TOOLS.join(", ")} not found: the virtio disk tests need e2fsprogs (apt-get install e2fsprogs)`
      : false;
const SKIP = skipOption(ABSENT);
/** A boot to the script is ~15 s of guest time; this only catches a hung guest. */
const LIMIT_MS = 10 * 60_000;

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "armvmm-virtio-disk-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const DATA = Uint8Array.from({ length: 300_000 }, (_v, i) => (i * 2654435761) >>> 24);
const DATA_SHA = createHash("sha256").update(DATA).digest("hex");

const PATH = "PATH=/sbin:/usr/sbin:/bin:/usr/bin:" + (process.env.PATH ?? "");

/** An ext4 image holding data.bin and `script` as test.sh. */
function makeImage(name: string, script: string): string {
  const src = join(dir, `${name}.d`);
  mkdirSync(src);
  writeFileSync(join(src, "data.bin"), DATA);
  writeFileSync(join(src, "test.sh"), script);
  const img = join(dir, `${name}.img`);
  const r = spawnSync("sh", ["-c", `${PATH} mke2fs -q -t ext4 -E root_owner=0:0 -d "${src}" "${img}" 16M`]);
  assert.equal(r.status, 0, `mke2fs: ${r.stderr?.toString()}`);
  return img;
}

function debugfsCat(img: string, file: string): string {
  const r = spawnSync("sh", ["-c", `${PATH} debugfs -R "cat /${file}" "${img}" 2>/dev/null`]);
  return r.stdout.toString();
}

function sha(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Boots the guest on `drive`; with `killAt`, sends SIGKILL as soon as stdout shows it. */
function boot(drive: string, append: string, killAt?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const args = [CLI, "run", "--kernel", KERNEL, "--initrd", INITRD, "--drive", drive, "--smp", "2"];
    args.push("--append", `console=ttyAMA0 cryptomgr.notests root=/dev/vda armvmm.script=test.sh ${append}`);
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), LIMIT_MS);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (killAt !== undefined && stdout.includes(killAt)) child.kill("SIGKILL");
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, signal });
    });
  });
}

function line(out: string, key: string): string | undefined {
  return new RegExp(`^armvmm-test: ${key} (.*?)\\r?$`, "m").exec(out)?.[1];
}

test(
  "read a file and check its hash, write one, sync, SIGKILL the VMM: the host finds it on the image",
  { skip: SKIP, timeout: LIMIT_MS + 60_000 },
  async () => {
    failIfMissing(ABSENT);
    const img = makeImage(
      "rw",
      [
        'echo "armvmm-test: hash $(sha256sum data.bin | cut -d" " -f1)"',
        'echo "armvmm-test: serial $(cat /sys/block/vda/serial)"',
        'echo "armvmm-test: rng $(cat /sys/class/misc/hw_random/rng_current) $(head -c 64 /dev/hwrng | wc -c)"',
        "echo written-by-the-guest > written.txt",
        "sync",
        'echo "armvmm-test: synced"',
        "sleep 600",
        "",
      ].join("\n"),
    );
    const r = await boot(img, "rw", "armvmm-test: synced");
    assert.equal(
      r.signal,
      "SIGKILL",
      `killed at the marker, not before it ended:\n${r.stdout.slice(-2000)}\n${r.stderr}`,
    );
    assert.match(r.stdout, /armvmm-virtio: modules loaded/);
    assert.doesNotMatch(r.stdout, /failed to load module/);
    assert.equal(line(r.stdout, "hash"), DATA_SHA, "the guest read the file the host wrote");
    assert.equal(line(r.stdout, "serial"), "rw.img", "GET_ID");
    assert.equal(line(r.stdout, "rng"), "virtio_rng.0 64", "virtio-rng is the hardware RNG and gives bytes");
    assert.equal(debugfsCat(img, "written.txt"), "written-by-the-guest\n", "synced data survives SIGKILL");
    const fsck = spawnSync("sh", ["-c", `${PATH} e2fsck -fn "${img}"`]);
    // A killed VMM leaves the journal to replay (e2fsck -n reports it), but no corruption.
    assert.ok(fsck.status === 0 || fsck.status === 4 || fsck.status === 1, `e2fsck exit ${fsck.status}`);
  },
);

test(
  "a snapshot run writes and reads back in the guest, and leaves the image byte-identical",
  { skip: SKIP, timeout: LIMIT_MS + 60_000 },
  async () => {
    failIfMissing(ABSENT);
    const img = makeImage(
      "snap",
      [
        "echo snapshot-data > written.txt",
        "rm data.bin",
        "sync",
        'echo "armvmm-test: read back $(cat written.txt) $(ls data.bin 2>&1 | grep -c "No such")"',
        "",
      ].join("\n"),
    );
    const before = sha(img);
    const r = await boot(img + ",snapshot", "rw");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(line(r.stdout, "read back"), "snapshot-data 1");
    assert.match(r.stdout, /armvmm-virtio: script exit 0/);
    assert.equal(sha(img), before, "the image file is unchanged");
  },
);

test(
  "a readonly disk: the device is read-only to the guest and its writes fail",
  { skip: SKIP, timeout: LIMIT_MS + 60_000 },
  async () => {
    failIfMissing(ABSENT);
    const img = makeImage(
      "ro",
      [
        'echo "armvmm-test: ro $(cat /sys/block/vda/ro)"',
        'if dd if=/dev/zero of=/dev/vda bs=4096 count=1 conv=fsync 2>/dev/null; then echo "armvmm-test: raw write ok"; else echo "armvmm-test: raw write refused"; fi',
        'if (echo x > new.txt) 2>/dev/null; then echo "armvmm-test: file write ok"; else echo "armvmm-test: file write refused"; fi',
        'echo "armvmm-test: hash $(sha256sum data.bin | cut -d" " -f1)"',
        "",
      ].join("\n"),
    );
    const before = sha(img);
    const r = await boot(img + ",readonly", "ro");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(line(r.stdout, "ro"), "1", "/sys/block/vda/ro");
    assert.equal(line(r.stdout, "raw write"), "refused");
    assert.equal(line(r.stdout, "file write"), "refused");
    assert.equal(line(r.stdout, "hash"), DATA_SHA);
    assert.equal(sha(img), before);
  },
);

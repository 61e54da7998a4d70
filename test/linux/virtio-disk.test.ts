// Debian's armmp kernel with the project's virtio initramfs (scripts/initramfs/init-virtio, which
// loads virtio_mmio, virtio_blk, ext4... from the same kernel package) on a small ext4 image made
// with `mke2fs -d`. The guest reads a file and checks its hash, writes one that the host then reads
// with debugfs after killing the VMM with SIGKILL (the guest synced first: the data must be on the
// image), leaves a snapshot run's image byte-identical, and cannot write a readonly disk. The
// virtio-rng device is the guest's hardware RNG.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { failIfMissing } from "../helpers/required.js";
import { ABSENT, LIMIT_MS, SKIP, Scratch, bootVirtio, debugfsCat, e2fsck, marker, sha256 } from "./virtio-guest.js";

const scratch = new Scratch();
after(() => scratch.remove());

const DATA = Uint8Array.from({ length: 300_000 }, (_v, i) => (i * 2654435761) >>> 24);
const DATA_SHA = createHash("sha256").update(DATA).digest("hex");

/** Boots with the image as the root disk and runs its test.sh. */
function boot(drive: string, append: string, killAt?: string) {
  return bootVirtio({ options: ["--drive", drive], append: `root=/dev/vda armvmm.script=test.sh ${append}`, killAt });
}

/** An image holding DATA as data.bin and `lines` as test.sh. */
function makeImage(name: string, lines: string[]): string {
  return scratch.image(name, { "data.bin": DATA, "test.sh": lines.join("\n") });
}

test(
  "read a file and check its hash, write one, sync, SIGKILL the VMM: the host finds it on the image",
  { skip: SKIP, timeout: LIMIT_MS + 60_000 },
  async () => {
    failIfMissing(ABSENT);
    const img = makeImage("rw", [
      'echo "armvmm-test: hash $(sha256sum data.bin | cut -d" " -f1)"',
      'echo "armvmm-test: serial $(cat /sys/block/vda/serial)"',
      'echo "armvmm-test: rng $(cat /sys/class/misc/hw_random/rng_current) $(head -c 64 /dev/hwrng | wc -c)"',
      "echo written-by-the-guest > written.txt",
      "sync",
      'echo "armvmm-test: synced"',
      "sleep 600",
      "",
    ]);
    const r = await boot(img, "rw", "armvmm-test: synced");
    assert.equal(
      r.signal,
      "SIGKILL",
      `killed at the marker, not before it ended:\n${r.stdout.slice(-2000)}\n${r.stderr}`,
    );
    assert.match(r.stdout, /armvmm-virtio: modules loaded/);
    assert.doesNotMatch(r.stdout, /failed to load module/);
    assert.equal(marker(r.stdout, "hash"), DATA_SHA, "the guest read the file the host wrote");
    assert.equal(marker(r.stdout, "serial"), "rw.img", "GET_ID");
    assert.equal(marker(r.stdout, "rng"), "virtio_rng.0 64", "virtio-rng is the hardware RNG and gives bytes");
    assert.equal(debugfsCat(img, "written.txt"), "written-by-the-guest\n", "synced data survives SIGKILL");
    // A killed VMM leaves the journal to replay (e2fsck -n may report it), but no corruption.
    const fsck = e2fsck(img);
    assert.ok(fsck === 0 || fsck === 1 || fsck === 4, `e2fsck exit ${fsck}`);
  },
);

test(
  "a snapshot run writes and reads back in the guest, and leaves the image byte-identical",
  { skip: SKIP, timeout: LIMIT_MS + 60_000 },
  async () => {
    failIfMissing(ABSENT);
    const img = makeImage("snap", [
      "echo snapshot-data > written.txt",
      "rm data.bin",
      "sync",
      'echo "armvmm-test: read back $(cat written.txt) $(ls data.bin 2>&1 | grep -c "No such")"',
      "",
    ]);
    const before = sha256(img);
    const r = await boot(img + ",snapshot", "rw");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(marker(r.stdout, "read back"), "snapshot-data 1");
    assert.match(r.stdout, /armvmm-virtio: script exit 0/);
    assert.equal(sha256(img), before, "the image file is unchanged");
  },
);

test(
  "a readonly disk: the device is read-only to the guest and its writes fail",
  { skip: SKIP, timeout: LIMIT_MS + 60_000 },
  async () => {
    failIfMissing(ABSENT);
    const img = makeImage("ro", [
      'echo "armvmm-test: ro $(cat /sys/block/vda/ro)"',
      'if dd if=/dev/zero of=/dev/vda bs=4096 count=1 conv=fsync 2>/dev/null; then echo "armvmm-test: raw write ok"; else echo "armvmm-test: raw write refused"; fi',
      'if (echo x > new.txt) 2>/dev/null; then echo "armvmm-test: file write ok"; else echo "armvmm-test: file write refused"; fi',
      'echo "armvmm-test: hash $(sha256sum data.bin | cut -d" " -f1)"',
      "",
    ]);
    const before = sha256(img);
    const r = await boot(img + ",readonly", "ro");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(marker(r.stdout, "ro"), "1", "/sys/block/vda/ro");
    assert.equal(marker(r.stdout, "raw write"), "refused");
    assert.equal(marker(r.stdout, "file write"), "refused");
    assert.equal(marker(r.stdout, "hash"), DATA_SHA);
    assert.equal(sha256(img), before);
  },
);

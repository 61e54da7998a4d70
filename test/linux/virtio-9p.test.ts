// virtio-9p in a real guest: Debian's kernel with the virtio initramfs (which loads netfs, fscache,
// 9pnet, 9pnet_virtio and 9p) mounts two --share folders with
// `mount -t 9p -o trans=virtio,version=9p2000.L TAG DIR` and runs a script from an ext4 root: it
// reads a host file and checks its hash, makes files, folders, symlinks and a hard link the host
// then finds, renames, unlinks, changes mode, size and times, lists a folder of 2000 files, tries to
// read outside the share through a planted symlink and '..', and finds the readonly share refusing
// writes with EROFS.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { join } from "node:path";
import { failIfMissing } from "../helpers/required.js";
import { ABSENT, LIMIT_MS, SKIP, Scratch, bootVirtio, marker } from "./virtio-guest.js";

const scratch = new Scratch();
after(() => scratch.remove());

const DATA = Uint8Array.from({ length: 1_000_000 }, (_v, i) => (i * 2654435761) >>> 24);
const DATA_SHA = createHash("sha256").update(DATA).digest("hex");
const MOUNT = "mount -t 9p -o trans=virtio,version=9p2000.L";

const SCRIPT = [
  "mkdir -p /mnt /ro",
  `${MOUNT} share /mnt && echo "armvmm-test: mounted share"`,
  `${MOUNT} ro /ro && echo "armvmm-test: mounted ro"`,
  `echo "armvmm-test: hash $(sha256sum /mnt/data.bin | cut -d" " -f1)"`,
  "echo guest-wrote > /mnt/from-guest.txt",
  "mkdir -p /mnt/guest-dir/nested && echo nested > /mnt/guest-dir/nested/n.txt",
  "ln -s from-guest.txt /mnt/guest-link",
  'ln /mnt/from-guest.txt /mnt/guest-hard && echo "armvmm-test: hard link made"',
  'echo "armvmm-test: readlink $(readlink /mnt/guest-link) $(cat /mnt/guest-link)"',
  "echo x > /mnt/to-rename && mv /mnt/to-rename /mnt/renamed",
  "echo x > /mnt/to-delete && rm /mnt/to-delete && rmdir /mnt/empty-dir",
  "chmod 600 /mnt/from-guest.txt",
  'echo "armvmm-test: mode $(stat -c %a /mnt/from-guest.txt)"',
  "printf 0123456789 > /mnt/trunc.txt && truncate -s 4 /mnt/trunc.txt",
  "touch -d '2001-02-03 04:05:06' /mnt/trunc.txt",
  "dd if=/dev/zero of=/mnt/synced.bin bs=4096 count=4 conv=fsync 2>/dev/null",
  'echo "armvmm-test: ls $(ls /mnt/many | wc -l) $(ls -R /mnt/many | grep -c file-) $(ls -la /mnt/many | grep -c file-)"',
  'echo "armvmm-test: df $(df /mnt | grep -c share)"',
  'echo "armvmm-test: link-to-etc $(cat /mnt/link-to-etc/passwd 2>&1 | head -c 80 | tr "\\n" " ")"',
  'echo "armvmm-test: rel-out $(cat /mnt/rel-out 2>&1 | head -c 80 | tr "\\n" " ")"',
  'echo "armvmm-test: dotdot $(cat /mnt/../../etc/hostname 2>&1 | head -c 80 | tr "\\n" " ")"',
  'echo "armvmm-test: ro read $(cat /ro/ro.txt)"',
  'echo "armvmm-test: ro write $( (echo x > /ro/new.txt) 2>&1 | grep -o "Read-only file system")"',
  'echo "armvmm-test: ro mkdir $(mkdir /ro/d 2>&1 | grep -o "Read-only file system")"',
  'echo "armvmm-test: ro rm $(rm /ro/ro.txt 2>&1 | grep -o "Read-only file system")"',
  "sync",
  'umount /mnt && umount /ro && echo "armvmm-test: unmounted"',
  "",
];

test(
  "a guest mounts --share folders over virtio-9p: reads, writes, links, 2000-entry folders, no escape, readonly",
  { skip: SKIP, timeout: LIMIT_MS + 60_000 },
  async () => {
    failIfMissing(ABSENT);
    const share = join(scratch.dir, "share");
    const ro = join(scratch.dir, "ro");
    fs.mkdirSync(join(share, "many"), { recursive: true });
    fs.mkdirSync(join(share, "empty-dir"));
    fs.mkdirSync(ro);
    fs.writeFileSync(join(share, "data.bin"), DATA);
    for (let i = 0; i < 2000; i++) fs.writeFileSync(join(share, "many", `file-${i}`), "");
    fs.symlinkSync("/etc", join(share, "link-to-etc"));
    fs.symlinkSync("../../../../../../etc/passwd", join(share, "rel-out"));
    fs.writeFileSync(join(ro, "ro.txt"), "read-only-data");
    const img = scratch.image("p9", { "test.sh": SCRIPT.join("\n") });

    const r = await bootVirtio({
      options: ["--drive", img, "--share", share, "--share", `${ro},tag=ro,readonly`],
      append: "root=/dev/vda armvmm.script=test.sh",
    });
    const out = r.stdout;
    assert.equal(r.code, 0, `${out.slice(-3000)}\n${r.stderr}`);
    assert.match(out, /armvmm-virtio: script exit 0/);
    assert.match(out, /armvmm-test: mounted share/);
    assert.match(out, /armvmm-test: mounted ro/);
    assert.equal(marker(out, "hash"), DATA_SHA, "the guest read the host's file");

    // What the guest made, as the host sees it.
    assert.equal(fs.readFileSync(join(share, "from-guest.txt"), "utf8"), "guest-wrote\n");
    assert.equal(fs.readFileSync(join(share, "guest-dir", "nested", "n.txt"), "utf8"), "nested\n");
    assert.equal(fs.readlinkSync(join(share, "guest-link")), "from-guest.txt");
    assert.match(out, /armvmm-test: hard link made/);
    assert.equal(fs.statSync(join(share, "guest-hard")).ino, fs.statSync(join(share, "from-guest.txt")).ino);
    assert.equal(marker(out, "readlink"), "from-guest.txt guest-wrote");
    assert.ok(fs.existsSync(join(share, "renamed")) && !fs.existsSync(join(share, "to-rename")));
    assert.ok(!fs.existsSync(join(share, "to-delete")) && !fs.existsSync(join(share, "empty-dir")));
    assert.equal(marker(out, "mode"), "600");
    assert.equal(fs.statSync(join(share, "from-guest.txt")).mode & 0o777, 0o600);
    assert.equal(fs.readFileSync(join(share, "trunc.txt"), "utf8"), "0123");
    assert.equal(fs.statSync(join(share, "trunc.txt")).mtime.getUTCFullYear(), 2001);
    assert.equal(fs.statSync(join(share, "synced.bin")).size, 16384);
    const uid = process.getuid?.();
    assert.equal(fs.statSync(join(share, "from-guest.txt")).uid, uid, "files the guest makes belong to the host user");

    assert.equal(marker(out, "ls"), "2000 2000 2000", "ls, ls -R and ls -la of a folder of 2000 files");
    assert.equal(marker(out, "df"), "1", "statfs");

    // Escapes read nothing of the host.
    const hostPasswd = fs.readFileSync("/etc/passwd", "utf8").slice(0, 20);
    for (const key of ["link-to-etc", "rel-out", "dotdot"]) {
      const got = marker(out, key) ?? "";
      assert.ok(!got.includes(hostPasswd), `${key}: ${got}`);
      assert.doesNotMatch(got, /root:x:0:0/, `${key}: ${got}`);
    }
    assert.match(marker(out, "link-to-etc") ?? "", /No such file/, "the guest resolves /etc in its own tree");

    assert.equal(marker(out, "ro read"), "read-only-data");
    for (const op of ["write", "mkdir", "rm"]) assert.equal(marker(out, `ro ${op}`), "Read-only file system", op);
    assert.deepEqual(fs.readdirSync(ro), ["ro.txt"]);
    assert.match(out, /armvmm-test: unmounted/);
  },
);

// `--guest NAME`: guests fetched from Debian by `npm run guests` (scripts/fetch-debian-guests.sh)
// into the cache directory, so a user need not know where the files are.

import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface GuestFiles {
  kernel?: string;
  initrd?: string;
  bios?: string;
  append?: string;
  /** A root disk image, given to the guest as /dev/vda. */
  drive?: string;
}

export class GuestMissing extends Error {}

/** Where fetched guests live: $ARMVMM_CACHE, or ~/.cache/armvmm. */
export function guestCacheDir(): string {
  return process.env.ARMVMM_CACHE ?? join(homedir(), ".cache", "armvmm");
}

const GUESTS: Record<string, { files: GuestFiles; describe: string }> = {
  debian: {
    describe: "Debian 12 armmp kernel with a busybox shell",
    files: { kernel: "vmlinuz", initrd: "initrd-shell.cpio.gz", append: "console=ttyAMA0" },
  },
  "debian-test": {
    describe: "Debian 12 armmp kernel running the test init, then powering off",
    files: { kernel: "vmlinuz", initrd: "initrd-test.cpio.gz", append: "console=ttyAMA0" },
  },
  "debian-disk": {
    describe: "Debian 12 on a disk: systemd from debian-12-armhf.img (npm run guests -- --rootfs)",
    files: {
      kernel: "vmlinuz",
      initrd: "initrd-virtio.cpio.gz",
      drive: "debian-12-armhf.img",
      append: "console=ttyAMA0 root=/dev/vda rw",
    },
  },
  "u-boot": {
    describe: "u-boot's qemu_arm build from Debian's u-boot-qemu",
    files: { bios: "u-boot.bin" },
  },
};

export function resolveGuest(name: string): GuestFiles {
  const guest = GUESTS[name];
  if (guest === undefined) throw new GuestMissing(`unknown guest '${name}' (known: ${Object.keys(GUESTS).join(", ")})`);
  const dir = guestCacheDir();
  const out: GuestFiles = { append: guest.files.append };
  for (const key of ["kernel", "initrd", "bios", "drive"] as const) {
    const file = guest.files[key];
    if (file === undefined) continue;
    const path = join(dir, file);
    if (!existsSync(path)) {
      const fetch = key === "drive" ? "npm run guests -- --rootfs" : "npm run guests";
      throw new GuestMissing(`${guest.describe}: '${path}' is missing; run '${fetch}' first`);
    }
    out[key] = path;
  }
  return out;
}

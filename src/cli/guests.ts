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
  for (const key of ["kernel", "initrd", "bios"] as const) {
    const file = guest.files[key];
    if (file === undefined) continue;
    const path = join(dir, file);
    if (!existsSync(path))
      throw new GuestMissing(`${guest.describe}: '${path}' is missing; run 'npm run guests' first`);
    out[key] = path;
  }
  return out;
}

// The benchmark guests' root disks: ext4 images made from a host folder with e2fsprogs' mke2fs.

import { spawnSync } from "node:child_process";

/** Writes an ext4 image of `sizeMb` MiB holding folder `src` to `img`; returns null, or why not. */
export function ext4Image(src: string, img: string, sizeMb: number): string | null {
  const mk = spawnSync("sh", ["-c", `PATH=/sbin:/usr/sbin:$PATH mke2fs -q -t ext4 -d "${src}" "${img}" ${sizeMb}M`]);
  return mk.status === 0
    ? null
    : `mke2fs failed or missing (apt-get install e2fsprogs): ${mk.stderr.toString().trim()}`;
}

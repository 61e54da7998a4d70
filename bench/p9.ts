// Shared-folder speed through virtio-9p: Debian's kernel with the virtio initramfs boots a small
// ext4 root whose script mounts the share (9P2000.L, the kernel's default msize and cache mode) and
// times, inside the guest (from /proc/uptime), `cat` of a 10 MB file to /dev/null and `ls -R` of a
// tree of 2000 files. QEMU gets the same kernel, initramfs, root image and folder through
// -fsdev local,security_model=none and virtio-9p-device on modern virtio-mmio.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { outputThrough, spawnWatched } from "./child.js";
import { ext4Image } from "./ext4-image.js";
import { QEMU, QEMU_MACHINE } from "./qemu.js";

const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const MARK = /armvmm-bench: 9p cat ([\d.]+) ([\d.]+) ls ([\d.]+) ([\d.]+) files (\d+)/;
const APPEND = "console=ttyAMA0 quiet cryptomgr.notests root=/dev/vda armvmm.script=bench.sh";
export const P9_FILE_MB = 10;
export const P9_TREE_FILES = 2000;

export interface P9Figures {
  /** Seconds of guest time. */
  cat: number;
  ls: number;
  /** Files ls -R listed (a check that it saw the whole tree). */
  files: number;
}

export interface P9Setup {
  root: string;
  share: string;
  dir: string;
}

/** The root image with the script, and the shared folder: a 10 MB file and 20 folders of 100 files. */
export function p9Setup(): P9Setup | string {
  const dir = mkdtempSync(join(tmpdir(), "armvmm-bench-9p-"));
  mkdirSync(join(dir, "root"));
  writeFileSync(
    join(dir, "root", "bench.sh"),
    [
      "now() { cut -d' ' -f1 /proc/uptime; }",
      "mkdir -p /mnt && mount -t 9p -o trans=virtio,version=9p2000.L share /mnt",
      "t0=$(now)",
      "cat /mnt/big.bin > /dev/null",
      "t1=$(now)",
      "n=$(ls -R /mnt/tree | grep -c '^f')",
      "t2=$(now)",
      'echo "armvmm-bench: 9p cat $t0 $t1 ls $t1 $t2 files $n"',
      "umount /mnt",
      "",
    ].join("\n"),
  );
  const share = join(dir, "share");
  mkdirSync(join(share, "tree"), { recursive: true });
  writeFileSync(
    join(share, "big.bin"),
    Uint8Array.from({ length: P9_FILE_MB * 1_000_000 }, (_v, i) => (i * 2654435761) >>> 24),
  );
  for (let d = 0; d < P9_TREE_FILES / 100; d++) {
    mkdirSync(join(share, "tree", `d${d}`));
    for (let f = 0; f < 100; f++) writeFileSync(join(share, "tree", `d${d}`, `f${f}`), "x");
  }
  const root = join(dir, "root.img");
  const failed = ext4Image(join(dir, "root"), root, 8);
  if (failed !== null) {
    rmSync(dir, { recursive: true, force: true });
    return failed;
  }
  return { root, share, dir };
}

async function watch(command: string, args: string[], timeoutMs: number): Promise<P9Figures | null> {
  const m = MARK.exec(await outputThrough(spawnWatched(command, args), "armvmm-bench: 9p", timeoutMs));
  if (!m) return null;
  return { cat: Number(m[2]) - Number(m[1]), ls: Number(m[4]) - Number(m[3]), files: Number(m[5]) };
}

export function armvmmP9(files: { kernel: string; initrd: string }, s: P9Setup, timeoutMs: number) {
  const args = [CLI, "run", "--kernel", files.kernel, "--initrd", files.initrd, "--append", APPEND];
  args.push("--drive", `${s.root},snapshot`, "--share", `${s.share},readonly`);
  return watch(process.execPath, args, timeoutMs);
}

export function qemuP9(files: { kernel: string; initrd: string }, s: P9Setup, timeoutMs: number) {
  const args = [...QEMU_MACHINE, "-global", "virtio-mmio.force-legacy=false", "-kernel", files.kernel];
  args.push("-initrd", files.initrd, "-append", APPEND);
  args.push("-fsdev", `local,id=f0,path=${s.share},security_model=none,readonly=on`);
  args.push("-device", "virtio-9p-device,fsdev=f0,mount_tag=share");
  args.push("-drive", `if=none,file=${s.root},format=raw,id=d0,snapshot=on`, "-device", "virtio-blk-device,drive=d0");
  return watch(QEMU, args, timeoutMs);
}

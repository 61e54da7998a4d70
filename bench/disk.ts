// Disk throughput through virtio-blk: Debian's kernel with the virtio initramfs boots a small ext4
// root whose script times `dd` on a second, raw disk inside the guest (from /proc/uptime): a
// sequential write with O_DIRECT and a flush, then a sequential O_DIRECT read. armvmm and QEMU get
// the same kernel, initramfs and images (QEMU with modern virtio-mmio, as armvmm offers).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { outputThrough, spawnWatched } from "./child.js";
import { ext4Image } from "./ext4-image.js";
import { QEMU, QEMU_MACHINE } from "./qemu.js";

const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const MARK = /armvmm-bench: disk (\d+) write ([\d.]+) ([\d.]+) read ([\d.]+) ([\d.]+)/;
const APPEND = "console=ttyAMA0 quiet cryptomgr.notests root=/dev/vda armvmm.script=bench.sh";

export interface DiskFigures {
  mib: number;
  /** MiB per second of guest time. */
  write: number;
  read: number;
}

export interface DiskImages {
  root: string;
  data: string;
  dir: string;
}

/** The root image with the script, and an empty raw data disk of `mib` MiB. */
export function diskImages(mib: number): DiskImages | string {
  const dir = mkdtempSync(join(tmpdir(), "armvmm-bench-disk-"));
  mkdirSync(join(dir, "root"));
  writeFileSync(
    join(dir, "root", "bench.sh"),
    [
      "now() { cut -d' ' -f1 /proc/uptime; }",
      "t0=$(now)",
      `dd if=/dev/zero of=/dev/vdb bs=1M count=${mib} oflag=direct conv=fsync 2>/dev/null`,
      "t1=$(now)",
      `dd if=/dev/vdb of=/dev/null bs=1M count=${mib} iflag=direct 2>/dev/null`,
      "t2=$(now)",
      `echo "armvmm-bench: disk ${mib} write $t0 $t1 read $t1 $t2"`,
      "",
    ].join("\n"),
  );
  const root = join(dir, "root.img");
  const failed = ext4Image(join(dir, "root"), root, 8);
  if (failed !== null) {
    rmSync(dir, { recursive: true, force: true });
    return failed;
  }
  const data = join(dir, "data.img");
  writeFileSync(data, "");
  truncateSync(data, mib << 20);
  return { root, data, dir };
}

async function watch(command: string, args: string[], timeoutMs: number): Promise<DiskFigures | null> {
  const m = MARK.exec(await outputThrough(spawnWatched(command, args), "armvmm-bench: disk", timeoutMs));
  if (!m) return null;
  const mib = Number(m[1]);
  return { mib, write: mib / (Number(m[3]) - Number(m[2])), read: mib / (Number(m[5]) - Number(m[4])) };
}

export function armvmmDisk(files: { kernel: string; initrd: string }, images: DiskImages, timeoutMs: number) {
  const args = [CLI, "run", "--kernel", files.kernel, "--initrd", files.initrd, "--append", APPEND];
  args.push("--drive", `${images.root},snapshot`, "--drive", images.data);
  return watch(process.execPath, args, timeoutMs);
}

export function qemuDisk(files: { kernel: string; initrd: string }, images: DiskImages, timeoutMs: number) {
  const args = [...QEMU_MACHINE, "-global", "virtio-mmio.force-legacy=false", "-kernel", files.kernel];
  args.push("-initrd", files.initrd, "-append", APPEND);
  // QEMU fills the highest slot first and Linux probes from the top: the root goes last so it is vda.
  args.push("-drive", `if=none,file=${images.data},format=raw,id=d1`, "-device", "virtio-blk-device,drive=d1");
  args.push(
    "-drive",
    `if=none,file=${images.root},format=raw,id=d0,snapshot=on`,
    "-device",
    "virtio-blk-device,drive=d0",
  );
  return watch(QEMU, args, timeoutMs);
}

// Shared by the real-guest virtio tests: Debian's kernel with the project's virtio initramfs
// (scripts/initramfs/init-virtio) on small ext4 images made with `mke2fs -d`, booted through the CLI.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { guestCacheDir } from "../../src/cli/guests.js";
import { CLI, ROOT } from "../guests/cli-runner.js";
import { skipOption } from "../helpers/required.js";

const CACHE = guestCacheDir();
export const KERNEL = join(CACHE, "vmlinuz");
export const INITRD = join(CACHE, "initrd-virtio.cpio.gz");
const MISSING_GUEST = [KERNEL, INITRD].filter((f) => !existsSync(f));
const TOOLS = ["mke2fs", "debugfs"].filter(
  (t) => spawnSync("sh", ["-c", `command -v ${t} || test -x /sbin/${t}`]).status !== 0,
);
/** Why the virtio guest tests cannot run here, or false. */
export const ABSENT =
  MISSING_GUEST.length > 0
    ? `virtio guest missing (${MISSING_GUEST.join(", ")}): fetch it with 'npm run guests'`
    : TOOLS.length > 0
      ? `${TOOLS.join(", ")} not found: the virtio disk tests need e2fsprogs (apt-get install e2fsprogs)`
      : false;
export const SKIP = skipOption(ABSENT);
/** A boot to the script is ~15 s of guest time; this only catches a hung guest. */
export const LIMIT_MS = 10 * 60_000;

const PATH = "PATH=/sbin:/usr/sbin:/bin:/usr/bin:" + (process.env.PATH ?? "");

/** A scratch directory for one test file's images. */
export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), "armvmm-virtio-"));

  /** An ext4 image holding `files` (name -> contents). */
  image(name: string, files: Record<string, string | Uint8Array>): string {
    const src = join(this.dir, `${name}.d`);
    mkdirSync(src);
    for (const [file, data] of Object.entries(files)) writeFileSync(join(src, file), data);
    const img = join(this.dir, `${name}.img`);
    const r = spawnSync("sh", ["-c", `${PATH} mke2fs -q -t ext4 -E root_owner=0:0 -d "${src}" "${img}" 16M`]);
    assert.equal(r.status, 0, `mke2fs: ${r.stderr?.toString()}`);
    return img;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function debugfsCat(img: string, file: string): string {
  return spawnSync("sh", ["-c", `${PATH} debugfs -R "cat /${file}" "${img}" 2>/dev/null`]).stdout.toString();
}

export function e2fsck(img: string): number | null {
  return spawnSync("sh", ["-c", `${PATH} e2fsck -fn "${img}"`]).status;
}

export function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

export interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BootOptions {
  /** Extra CLI options (drives, --console...). */
  options: string[];
  /** Appended to "console=ttyAMA0 cryptomgr.notests". */
  append: string;
  /** SIGKILL the VMM as soon as stdout shows this. */
  killAt?: string;
  /** Typed on the console once stdout shows `when`. */
  type?: { when: string; text: string };
}

/** A running guest: `done` settles when it exits; `stop` kills it and waits. */
export interface Running {
  done: Promise<Run>;
  stop(): Promise<Run>;
}

/** Starts Debian's kernel with the virtio initramfs. */
export function startVirtio(o: BootOptions): Running {
  const args = [CLI, "run", "--kernel", KERNEL, "--initrd", INITRD, "--smp", "2", ...o.options];
  args.push("--append", `console=ttyAMA0 cryptomgr.notests ${o.append}`);
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  const done = new Promise<Run>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    let typed = false;
    const timer = setTimeout(() => child.kill("SIGKILL"), LIMIT_MS);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (o.killAt !== undefined && stdout.includes(o.killAt)) child.kill("SIGKILL");
      if (o.type !== undefined && !typed && stdout.includes(o.type.when)) {
        typed = true;
        child.stdin.write(o.type.text);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, signal });
    });
  });
  return {
    done,
    stop: () => {
      child.kill("SIGTERM");
      return done;
    },
  };
}

/** Boots Debian's kernel with the virtio initramfs and waits for it to end. */
export function bootVirtio(o: BootOptions): Promise<Run> {
  return startVirtio(o).done;
}

/** The value of a guest line "armvmm-test: KEY VALUE". */
export function marker(out: string, key: string): string | undefined {
  return new RegExp(`^armvmm-test: ${key} (.*?)\\r?$`, "m").exec(out)?.[1];
}

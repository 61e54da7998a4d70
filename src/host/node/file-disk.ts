// Disk images for --drive: raw files read and written in place with positional I/O, flushed with
// fdatasync, holes punched for discards, locked against a second VM, and the copy-on-write overlay
// of `snapshot` in an unlinked temporary file. Every problem with the file becomes a DriveError with
// a one-line message naming it.

import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { BlockIoError, OverlayBlockBackend, type BlockBackend } from "../../devices/virtio/block-backend.js";

export class DriveError extends Error {}

export interface DriveSpec {
  path: string;
  readonly: boolean;
  snapshot: boolean;
}

/** A raw image file. Reads past the end of the file (a size that is not whole sectors) see zeros. */
export class FileBlockBackend implements BlockBackend {
  private punchWorks = true;

  constructor(
    private readonly fd: number,
    readonly size: number,
    readonly readonly: boolean,
    private readonly path: string,
    private readonly release: () => void = () => {},
  ) {}

  read(pos: number, bytes: Uint8Array, off: number, len: number): void {
    let done = 0;
    while (done < len) {
      const n = fs.readSync(this.fd, bytes, off + done, len - done, pos + done);
      if (n === 0) {
        bytes.fill(0, off + done, off + len);
        return;
      }
      done += n;
    }
  }

  write(pos: number, bytes: Uint8Array, off: number, len: number): void {
    let done = 0;
    while (done < len) done += fs.writeSync(this.fd, bytes, off + done, len - done, pos + done);
  }

  /** One preadv per request; a short read (the end of the file, or more buffers than the host
   * takes at once) goes on from where it stopped, and past the end of the file reads zeros. */
  readv(pos: number, parts: readonly Uint8Array[]): void {
    let rest = parts;
    while (rest.length !== 0) {
      const n = fs.readvSync(this.fd, rest, pos);
      if (n === 0) {
        for (const p of rest) p.fill(0);
        return;
      }
      pos += n;
      rest = after(rest, n);
    }
  }

  /** One pwritev per request, going on after a short write. */
  writev(pos: number, parts: readonly Uint8Array[]): void {
    let rest = parts;
    while (rest.length !== 0) {
      const n = fs.writevSync(this.fd, rest, pos);
      if (n === 0) throw new BlockIoError(`no progress writing '${this.path}'`);
      pos += n;
      rest = after(rest, n);
    }
  }

  flush(): void {
    fs.fdatasyncSync(this.fd);
  }

  /** Punches a hole (Node has no fallocate, so util-linux's fallocate(1) does it); where that is
   * not possible the range is written with zeros, which reads back the same. */
  discard(pos: number, len: number): void {
    if (this.punchWorks) {
      const r = spawnSync("fallocate", ["--punch-hole", "--offset", String(pos), "--length", String(len), this.path], {
        stdio: "ignore",
      });
      if (r.status === 0) return;
      this.punchWorks = false;
    }
    const zeros = new Uint8Array(Math.min(len, 1 << 20));
    for (let done = 0; done < len; done += zeros.length)
      this.write(pos + done, zeros, 0, Math.min(zeros.length, len - done));
  }

  close(): void {
    fs.closeSync(this.fd);
    this.release();
  }
}

/** What is left of `parts` once their first `n` bytes are done. */
function after(parts: readonly Uint8Array[], n: number): readonly Uint8Array[] {
  let i = 0;
  while (i < parts.length && n >= parts[i].length) n -= parts[i++].length;
  if (i === parts.length) return [];
  return n === 0 ? parts.slice(i) : [parts[i].subarray(n), ...parts.slice(i + 1)];
}

/** A file error as a few words ("no such file", "permission denied", ...). */
export function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    case "EROFS":
      return "read-only file system (use ,readonly or ,snapshot)";
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Holds an flock(2) on the image for the VM's lifetime, through util-linux's flock(1) (Node has no
 * flock): a child that takes the lock and then waits on its stdin, so that it lets go when this
 * process exits, however it exits. Writers take it exclusive, readers shared, so a second VM can
 * neither write an image another one uses nor read one another one writes. Resolves with the
 * release function; rejects with a DriveError when another process holds the lock.
 */
export function lockImage(path: string, exclusive: boolean): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "flock",
      [exclusive ? "--exclusive" : "--shared", "--nonblock", path, "sh", "-c", "echo locked; exec cat >/dev/null"],
      { stdio: ["pipe", "pipe", "ignore"] },
    );
    let settled = false;
    const release = () => {
      child.stdin.end();
      child.unref();
    };
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      // No flock(1) on this host: run unlocked rather than refuse the disk.
      if (e.code === "ENOENT") resolve(() => {});
      else reject(new DriveError(`cannot lock '${path}': ${e.message}`));
    });
    child.stdout.once("data", () => {
      if (settled) return;
      settled = true;
      child.stdout.destroy();
      (child.stdout as unknown as { unref?: () => void }).unref?.();
      resolve(release);
    });
    child.on("exit", (code) => {
      if (settled) return;
      settled = true;
      reject(
        new DriveError(
          code === 1
            ? `'${path}' is in use by another VM (locked); stop it, or use ,snapshot or ,readonly in both`
            : `cannot lock '${path}' (flock exited with ${code})`,
        ),
      );
    });
  });
}

/** An unlinked, sparse temporary file of `size` bytes: the scratch of a snapshot overlay. */
function scratchFile(size: number): FileBlockBackend {
  const dir = fs.mkdtempSync(join(tmpdir(), "armvmm-snapshot-"));
  const path = join(dir, "overlay");
  const fd = fs.openSync(path, "w+", 0o600);
  fs.unlinkSync(path);
  fs.rmdirSync(dir);
  fs.ftruncateSync(fd, size);
  return new FileBlockBackend(fd, size, false, "/proc/self/fd/" + fd);
}

/** Opens a --drive image: checks it, locks it, and puts a snapshot overlay over it when asked. */
export async function openDrive(spec: DriveSpec): Promise<BlockBackend> {
  const { path } = spec;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch (e) {
    throw new DriveError(`cannot open disk image '${path}': ${describe(e)}`);
  }
  if (stat.isDirectory()) throw new DriveError(`disk image '${path}' is a directory`);
  if (!stat.isFile() && !stat.isBlockDevice()) throw new DriveError(`disk image '${path}' is not a regular file`);
  const writable = !spec.readonly && !spec.snapshot;
  let fd: number;
  try {
    fd = fs.openSync(path, writable ? "r+" : "r");
  } catch (e) {
    throw new DriveError(`cannot open disk image '${path}'${writable ? " for writing" : ""}: ${describe(e)}`);
  }
  const size = stat.isFile() ? stat.size : fs.fstatSync(fd).size;
  if (size < 512) {
    fs.closeSync(fd);
    throw new DriveError(`disk image '${path}' is ${size === 0 ? "empty" : `${size} bytes, less than one sector`}`);
  }
  let release: () => void;
  try {
    release = await lockImage(path, writable);
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  const image = new FileBlockBackend(fd, size, spec.readonly, path, release);
  // A read-only disk needs no overlay: the guest cannot write it.
  if (!spec.snapshot || spec.readonly) return image;
  try {
    return new OverlayBlockBackend(image, scratchFile(size));
  } catch (e) {
    image.close();
    throw new DriveError(`cannot create the snapshot overlay for '${path}': ${describe(e)}`);
  }
}

/** The GET_ID answer for an image: its file name, as QEMU leaves it to the user. */
export function driveSerial(path: string): string {
  return basename(path).slice(0, 20);
}

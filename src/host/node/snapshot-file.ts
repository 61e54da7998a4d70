// Snapshot files on the host: the body deflated with node:zlib (fast level: memory pages compress
// well and the save must stay well under a second), written to a temporary name and renamed, so
// an interrupted save never leaves a half file under the real name; read back, checked and
// inflated. Also the identity of a disk image, which a restore checks.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import { SnapshotError } from "../../snapshot/snapshot-error.js";
import {
  FLAG_DEFLATED,
  decodeSections,
  encodeSections,
  frameSnapshot,
  unframeSnapshot,
  type Section,
} from "../../snapshot/snapshot-format.js";

const checksum = (bytes: Uint8Array, crc = 0): number => zlib.crc32(bytes, crc);

/** Writes the sections to `path`; returns the file's size in bytes. */
export function writeSnapshotFile(path: string, sections: readonly Section[]): number {
  const body = Buffer.concat(encodeSections(sections));
  const deflated = zlib.deflateRawSync(body, { level: 1 });
  const pieces = frameSnapshot([deflated], FLAG_DEFLATED, checksum);
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fd = fs.openSync(tmp, "w");
    try {
      for (const p of pieces) fs.writeSync(fd, p);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new SnapshotError(`cannot write snapshot '${path}': ${(e as Error).message}`);
  }
  return pieces.reduce((n, p) => n + p.length, 0);
}

/** Reads, checks and inflates a snapshot; its sections by name. */
export function readSnapshotFile(path: string): Map<string, { version: number; data: Uint8Array }> {
  let file: Buffer;
  try {
    file = fs.readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SnapshotError(
      `cannot read snapshot '${path}': ${code === "ENOENT" ? "no such file" : (e as Error).message}`,
    );
  }
  const { flags, body } = unframeSnapshot(file, checksum);
  let plain: Uint8Array = body;
  if ((flags & FLAG_DEFLATED) !== 0) {
    try {
      plain = zlib.inflateRawSync(body);
    } catch {
      throw new SnapshotError("the snapshot's body does not inflate");
    }
  }
  return decodeSections(plain);
}

/** What identifies a disk image's contents cheaply: size, modification time, and a hash of its
 * first and last MiB. */
export interface DiskIdentity {
  size: number;
  mtimeMs: number;
  hash: string;
}

export function diskIdentity(path: string): DiskIdentity {
  const st = fs.statSync(path);
  const hash = createHash("sha256");
  const fd = fs.openSync(path, "r");
  try {
    const mib = 1 << 20;
    const buf = Buffer.alloc(Math.min(mib, st.size));
    fs.readSync(fd, buf, 0, buf.length, 0);
    hash.update(buf);
    fs.readSync(fd, buf, 0, buf.length, Math.max(0, st.size - buf.length));
    hash.update(buf);
  } finally {
    fs.closeSync(fd);
  }
  return { size: st.size, mtimeMs: st.mtimeMs, hash: hash.digest("hex") };
}

// The snapshot file: a header, then the body, which is a list of named sections.
//
//   header  "ARMVMMSS" (8 bytes), u32 format version, u32 flags (bit 0: body deflated),
//           f64 body length, u32 CRC-32 of the body as stored
//   body    sections, each: u8 name length, name (ASCII), u32 section version, f64 data length, data
//
// Sections are keyed by name, each with a version of its own, so a component changes its layout by
// bumping its section's version, and a new component adds a section without touching the others.
// A restore refuses, with one line, a file of another format version, a truncated file, a body
// whose checksum differs, and a section of a version it does not read.

import { crc32 } from "./crc32.js";
import { SnapshotError } from "./snapshot-error.js";

const MAGIC = "ARMVMMSS";
export const SNAPSHOT_FORMAT_VERSION = 1;
export const FLAG_DEFLATED = 1;
const HEADER = 8 + 4 + 4 + 8 + 4;

export interface Section {
  name: string;
  version: number;
  /** The data, in pieces. */
  data: Uint8Array[];
}

export type Checksum = (bytes: Uint8Array, crc?: number) => number;

/** The body: sections one after another, in pieces (the large ones are not copied). */
export function encodeSections(sections: readonly Section[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const s of sections) {
    const name = new TextEncoder().encode(s.name);
    if (name.length > 255) throw new Error(`section name too long: ${s.name}`);
    const head = new Uint8Array(1 + name.length + 4 + 8);
    const view = new DataView(head.buffer);
    head[0] = name.length;
    head.set(name, 1);
    view.setUint32(1 + name.length, s.version, true);
    view.setFloat64(
      1 + name.length + 4,
      s.data.reduce((n, p) => n + p.length, 0),
      true,
    );
    out.push(head, ...s.data);
  }
  return out;
}

/** The sections of a body, by name (views into `body`, no copies). */
export function decodeSections(body: Uint8Array): Map<string, { version: number; data: Uint8Array }> {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const sections = new Map<string, { version: number; data: Uint8Array }>();
  let at = 0;
  while (at < body.length) {
    const n = body[at];
    if (at + 1 + n + 12 > body.length) throw new SnapshotError("the snapshot is truncated (a section header is cut)");
    const name = new TextDecoder().decode(body.subarray(at + 1, at + 1 + n));
    const version = view.getUint32(at + 1 + n, true);
    const length = view.getFloat64(at + 1 + n + 4, true);
    const start = at + 1 + n + 12;
    if (!Number.isSafeInteger(length) || length < 0 || start + length > body.length) {
      throw new SnapshotError(`the snapshot is truncated (section '${name}' is cut)`);
    }
    sections.set(name, { version, data: body.subarray(start, start + length) });
    at = start + length;
  }
  return sections;
}

/** Header and body, ready to write one piece after another. */
export function frameSnapshot(body: readonly Uint8Array[], flags: number, checksum: Checksum = crc32): Uint8Array[] {
  let crc = 0;
  let length = 0;
  for (const p of body) {
    crc = checksum(p, crc);
    length += p.length;
  }
  const head = new Uint8Array(HEADER);
  const view = new DataView(head.buffer);
  head.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, SNAPSHOT_FORMAT_VERSION, true);
  view.setUint32(12, flags, true);
  view.setFloat64(16, length, true);
  view.setUint32(24, crc, true);
  return [head, ...body];
}

/** Checks the header and the checksum; returns the flags and the body as stored. */
export function unframeSnapshot(file: Uint8Array, checksum: Checksum = crc32): { flags: number; body: Uint8Array } {
  if (file.length < 8 || new TextDecoder().decode(file.subarray(0, 8)) !== MAGIC) {
    throw new SnapshotError("not an armvmm snapshot (no ARMVMMSS magic)");
  }
  if (file.length < HEADER) throw new SnapshotError("the snapshot is truncated (its header is cut)");
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const version = view.getUint32(8, true);
  if (version !== SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotError(`snapshot format version ${version}; this armvmm reads version ${SNAPSHOT_FORMAT_VERSION}`);
  }
  const flags = view.getUint32(12, true);
  const length = view.getFloat64(16, true);
  const body = file.subarray(HEADER);
  if (body.length < length) throw new SnapshotError(`the snapshot is truncated (${body.length} of ${length} bytes)`);
  if (body.length > length) throw new SnapshotError("the snapshot has bytes after its end");
  if (checksum(body, 0) !== view.getUint32(24, true)) throw new SnapshotError("the snapshot's checksum does not match");
  return { flags, body };
}

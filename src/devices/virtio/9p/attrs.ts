// Host file attributes as 9P2000.L carries them: the qid of a stat, Rgetattr's body, and the
// directory-entry type of a mode.

import type { FsStat } from "./backend.js";
import type { P9Writer, Qid } from "./codec.js";
import { GETATTR_BASIC, QT_DIR, QT_FILE, QT_SYMLINK, S_IFDIR, S_IFLNK, S_IFMT } from "./protocol.js";

const NS = 1_000_000_000n;

export function isDir(st: FsStat): boolean {
  return (st.mode & S_IFMT) === S_IFDIR;
}

/** The qid of a file: its inode number as the path; version 0 (the client does not cache by it
 * unless it is mounted with a cache mode, and then mtime changes are still seen through getattr). */
export function qidOf(st: FsStat): Qid {
  const fmt = st.mode & S_IFMT;
  return { type: fmt === S_IFDIR ? QT_DIR : fmt === S_IFLNK ? QT_SYMLINK : QT_FILE, version: 0, path: st.ino };
}

/** d_type of readdir entries: the file-type bits of the mode shifted down (DT_DIR = 4, ...). */
export function direntType(st: FsStat): number {
  return (st.mode & S_IFMT) >>> 12;
}

/** Rgetattr after the header: every basic field, no btime / gen / data_version. */
export function writeGetattr(w: P9Writer, st: FsStat): void {
  w.u64(GETATTR_BASIC).qid(qidOf(st));
  w.u32(st.mode).u32(st.uid).u32(st.gid);
  w.u64(st.nlink).u64(st.rdev).u64(st.size).u64(st.blksize).u64(st.blocks);
  for (const t of [st.atimeNs, st.mtimeNs, st.ctimeNs]) w.u64(t / NS).u64(t % NS);
  w.u64(0).u64(0).u64(0).u64(0); // btime, gen, data_version
}

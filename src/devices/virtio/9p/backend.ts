// What the 9P server needs from a filesystem. The server owns the protocol (fids, messages,
// offsets); a backend owns the files. Every method is synchronous (devices are served on the I/O
// thread) and reports failure by throwing P9Error with a Linux errno. Names are single path
// components as bytes; the server has already refused empty ones, "." , ".." and any holding '/'
// or NUL, but a backend checks again, since its guarantees must not depend on its caller.

/** A file or directory the backend has resolved; the server holds one per fid and gives each back
 * with `release`. */
export interface FsNode {
  readonly fsNode: true;
}

/** An open file or directory. */
export interface FsFile {
  readonly fsFile: true;
}

/** lstat(2), the fields Rgetattr carries (times in nanoseconds). */
export interface FsStat {
  mode: number;
  uid: number;
  gid: number;
  nlink: bigint;
  rdev: bigint;
  size: bigint;
  blksize: bigint;
  blocks: bigint;
  ino: bigint;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

export interface FsStatfs {
  type: number;
  bsize: number;
  blocks: bigint;
  bfree: bigint;
  bavail: bigint;
  files: bigint;
  ffree: bigint;
  namelen: number;
}

export interface OpenMode {
  read: boolean;
  write: boolean;
  truncate: boolean;
  /** Every write goes to the end of the file, whatever its offset (O_APPEND). */
  append: boolean;
}

/** What Tsetattr changes; absent fields stay. A time of "now" is the host's clock. */
export interface SetAttr {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  atime?: { sec: number; nsec: number } | "now";
  mtime?: { sec: number; nsec: number } | "now";
}

export interface FsBackend {
  /** Every change fails with EROFS. */
  readonly readonly: boolean;
  /** The shared folder's root. */
  root(): FsNode;
  /** `name` inside directory `dir`, never following a symlink. */
  walk(dir: FsNode, name: Uint8Array): FsNode;
  /** The directory `node` was walked from; the root is its own parent. */
  parent(node: FsNode): FsNode;
  /** Another reference to the same node (for a walk of no names). */
  clone(node: FsNode): FsNode;
  release(node: FsNode): void;
  stat(node: FsNode): FsStat;
  /** lstat of `name` in `dir` (for readdir's qids). */
  statAt(dir: FsNode, name: Uint8Array): FsStat;
  open(node: FsNode, mode: OpenMode): FsFile;
  close(file: FsFile): void;
  read(file: FsFile, pos: number, into: Uint8Array): number;
  write(file: FsFile, pos: number, data: Uint8Array): number;
  fsync(file: FsFile): void;
  /** Names in directory `dir`, without "." and "..". */
  list(dir: FsNode): Uint8Array[];
  /** Creates (or, without `exclusive`, opens) regular file `name` in `dir`. */
  create(
    dir: FsNode,
    name: Uint8Array,
    mode: number,
    open: OpenMode,
    exclusive: boolean,
  ): { node: FsNode; file: FsFile };
  mkdir(dir: FsNode, name: Uint8Array, mode: number): FsStat;
  symlink(dir: FsNode, name: Uint8Array, target: Uint8Array): FsStat;
  /** A new name `name` in `dir` for `node`. */
  link(node: FsNode, dir: FsNode, name: Uint8Array): void;
  readlink(node: FsNode): Uint8Array;
  renameAt(oldDir: FsNode, oldName: Uint8Array, newDir: FsNode, newName: Uint8Array): void;
  /** Moves `node` to `name` in `dir` (Trename). */
  rename(node: FsNode, dir: FsNode, name: Uint8Array): void;
  unlinkAt(dir: FsNode, name: Uint8Array, directory: boolean): void;
  setattr(node: FsNode, attr: SetAttr): void;
  statfs(node: FsNode): FsStatfs;
}

// The host folder behind --share: a 9P backend that can never reach outside its folder.
//
// Every node the guest holds (a fid) pins an O_PATH descriptor of one file, taken without following
// symlinks. A name is looked up by opening "/proc/self/fd/<dir fd>/<name>" with O_NOFOLLOW: the
// kernel jumps to the pinned directory and looks up one component there (Node has no openat, and
// this is openat by another road). The name is a single component (never "", ".", "..", nor holding
// '/' or NUL), so a lookup cannot leave the directory, a symlink is never followed (the guest reads
// its text with readlink and resolves it itself, inside its own mount), and a directory renamed or
// replaced by a symlink after the guest walked to it changes nothing: the descriptor still names
// the directory it named. ".." is the parent node kept from the walk, and the root is its own
// parent. Files are opened for I/O by reopening the pinned descriptor through its /proc link (the
// same inode, no path lookup), and only regular files and directories are opened at all: a FIFO,
// device node or socket planted in the folder is never opened.
//
// What still refers to a name rather than a descriptor: link, readlink, rename (by fid) and the
// times of a symlink act on the node's name in its pinned parent directory. If that name was
// replaced meanwhile they act on the replacement, which is also inside the folder. Hard links and
// bind mounts the host itself placed in the folder are followed like any file (nothing can tell
// them apart); the guest cannot make either. A folder the host itself moves out of the share while
// the guest holds it stays reachable through the guest's handles on it.
//
// Modes the guest sets lose their set-user-ID and set-group-ID bits (see GUEST_MODE_BITS).

import * as fs from "node:fs";
import type {
  FsBackend,
  FsFile,
  FsNode,
  FsStat,
  FsStatfs,
  OpenMode,
  SetAttr,
} from "../../devices/virtio/9p/backend.js";
import { Errno, P9Error, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from "../../devices/virtio/9p/protocol.js";
import { checkName } from "../../devices/virtio/9p/server.js";

/** Linux's O_PATH (the same value on x86, arm and arm64); Node does not export it. */
const O_PATH = 0o10000000;
const { O_NOFOLLOW, O_DIRECTORY, O_CREAT, O_EXCL, O_RDONLY, O_WRONLY, O_RDWR, O_TRUNC, O_APPEND, O_NONBLOCK } =
  fs.constants;
/** Mode bits the guest may set: no set-user-ID or set-group-ID, so a guest cannot leave a program
 * on the host that runs as the user running armvmm (root, perhaps). */
const GUEST_MODE_BITS = 0o1777;

export class ShareError extends Error {}

class ShareNode implements FsNode {
  readonly fsNode = true;
  refs = 1;
  constructor(
    readonly fd: number,
    public parent: ShareNode | null,
    public name: Buffer,
    readonly mode: number,
  ) {}

  get type(): number {
    return this.mode & S_IFMT;
  }
}

class ShareFile implements FsFile {
  readonly fsFile = true;
  constructor(readonly fd: number) {}
}

function proc(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/** A host error as the errno the guest sees (Linux numbers are the same on the host). */
function toP9(e: unknown): P9Error {
  if (e instanceof P9Error) return e;
  const errno = (e as NodeJS.ErrnoException).errno;
  if (typeof errno === "number" && errno < 0 && errno > -4096) return new P9Error(-errno, (e as Error).message);
  return new P9Error(Errno.EIO, e instanceof Error ? e.message : String(e));
}

function sys<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toP9(e);
  }
}

function toStat(s: fs.BigIntStats): FsStat {
  return {
    mode: Number(s.mode),
    uid: Number(s.uid),
    gid: Number(s.gid),
    nlink: s.nlink,
    rdev: s.rdev,
    size: s.size,
    blksize: s.blksize,
    blocks: s.blocks,
    ino: s.ino,
    atimeNs: s.atimeNs,
    mtimeNs: s.mtimeNs,
    ctimeNs: s.ctimeNs,
  };
}

/** Seconds (with fraction) for utimes, from the guest's time, "now", or the file's own. */
function seconds(t: SetAttr["atime"], currentNs: bigint): number {
  if (t === "now") return Date.now() / 1000;
  if (t === undefined) return Number(currentNs) / 1e9;
  return t.sec + Math.min(t.nsec, 999_999_999) / 1e9;
}

export class ShareFs implements FsBackend {
  private readonly top: ShareNode;

  private constructor(
    rootFd: number,
    readonly readonly: boolean,
  ) {
    this.top = new ShareNode(rootFd, null, Buffer.alloc(0), S_IFDIR);
  }

  /** Opens folder `dir`; every problem is a ShareError with a one-line message. */
  static open(dir: string, readonly: boolean): ShareFs {
    if (process.platform !== "linux") throw new ShareError(`--share ${dir}: shared folders need Linux (/proc/self/fd)`);
    let st: fs.Stats;
    try {
      st = fs.statSync(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ShareError(
        `--share ${dir}: ${code === "ENOENT" ? "no such folder" : code === "EACCES" ? "permission denied" : (e as Error).message}`,
      );
    }
    if (!st.isDirectory()) throw new ShareError(`--share ${dir}: not a folder`);
    let fd: number;
    try {
      fd = fs.openSync(dir, O_PATH | O_DIRECTORY);
    } catch (e) {
      throw new ShareError(`--share ${dir}: ${(e as Error).message}`);
    }
    if (!fs.existsSync(proc(fd))) {
      fs.closeSync(fd);
      throw new ShareError(`--share ${dir}: /proc is not mounted, and shared folders resolve names through it`);
    }
    return new ShareFs(fd, readonly);
  }

  /** Closes the root (at exit). */
  dispose(): void {
    fs.closeSync(this.top.fd);
  }

  private guardWrite(): void {
    if (this.readonly) throw new P9Error(Errno.EROFS, "read-only share");
  }

  /** The path that makes the kernel look `name` up in directory `dir` and nowhere else. */
  private at(dir: ShareNode, name: Uint8Array): Buffer {
    checkName(name);
    if (dir.type !== S_IFDIR) throw new P9Error(Errno.ENOTDIR, "not a directory");
    return Buffer.concat([Buffer.from(`${proc(dir.fd)}/`), name]);
  }

  /** The node's own name in its parent (for the calls that take names, not descriptors). */
  private named(node: ShareNode): Buffer {
    if (node.parent === null) throw new P9Error(Errno.EBUSY, "the share's root");
    return this.at(node.parent, node.name);
  }

  private node(n: FsNode): ShareNode {
    return n as ShareNode;
  }

  root(): FsNode {
    this.top.refs++;
    return this.top;
  }

  walk(dirNode: FsNode, name: Uint8Array): FsNode {
    const dir = this.node(dirNode);
    const path = this.at(dir, name);
    const fd = sys(() => fs.openSync(path, O_PATH | O_NOFOLLOW));
    try {
      const mode = Number(fs.fstatSync(fd).mode);
      dir.refs++;
      return new ShareNode(fd, dir, Buffer.from(name), mode);
    } catch (e) {
      fs.closeSync(fd);
      throw toP9(e);
    }
  }

  parent(n: FsNode): FsNode {
    const p = this.node(n).parent ?? this.top;
    p.refs++;
    return p;
  }

  clone(n: FsNode): FsNode {
    this.node(n).refs++;
    return n;
  }

  release(n: FsNode): void {
    for (let node: ShareNode | null = this.node(n); node !== null && --node.refs === 0; node = node.parent) {
      fs.closeSync(node.fd);
    }
  }

  stat(n: FsNode): FsStat {
    return sys(() => toStat(fs.fstatSync(this.node(n).fd, { bigint: true })));
  }

  statAt(dir: FsNode, name: Uint8Array): FsStat {
    const path = this.at(this.node(dir), name);
    return sys(() => toStat(fs.lstatSync(path, { bigint: true })));
  }

  open(n: FsNode, mode: OpenMode): FsFile {
    const node = this.node(n);
    if (mode.write || mode.truncate) this.guardWrite();
    if (node.type === S_IFLNK) throw new P9Error(Errno.ELOOP, "a symlink is not opened");
    if (node.type !== S_IFREG && node.type !== S_IFDIR) throw new P9Error(Errno.EACCES, "not a file or folder");
    const access = mode.write ? (mode.read ? O_RDWR : O_WRONLY) : O_RDONLY;
    const flags = access | (mode.truncate ? O_TRUNC : 0) | (mode.append ? O_APPEND : 0) | O_NONBLOCK;
    return new ShareFile(sys(() => fs.openSync(proc(node.fd), flags)));
  }

  close(file: FsFile): void {
    fs.closeSync((file as ShareFile).fd);
  }

  read(file: FsFile, pos: number, into: Uint8Array): number {
    const fd = (file as ShareFile).fd;
    let done = 0;
    while (done < into.length) {
      const n = sys(() => fs.readSync(fd, into, done, into.length - done, pos + done));
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  write(file: FsFile, pos: number, data: Uint8Array): number {
    this.guardWrite();
    const fd = (file as ShareFile).fd;
    let done = 0;
    while (done < data.length) done += sys(() => fs.writeSync(fd, data, done, data.length - done, pos + done));
    return done;
  }

  fsync(file: FsFile): void {
    sys(() => fs.fsyncSync((file as ShareFile).fd));
  }

  list(dir: FsNode): Uint8Array[] {
    const node = this.node(dir);
    if (node.type !== S_IFDIR) throw new P9Error(Errno.ENOTDIR, "not a directory");
    return sys(() => fs.readdirSync(proc(node.fd), { encoding: "buffer" }));
  }

  create(
    dirNode: FsNode,
    name: Uint8Array,
    mode: number,
    open: OpenMode,
    exclusive: boolean,
  ): { node: FsNode; file: FsFile } {
    this.guardWrite();
    const dir = this.node(dirNode);
    const path = this.at(dir, name);
    const access = open.read && open.write ? O_RDWR : open.write ? O_WRONLY : O_RDONLY;
    const flags = O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | access | (open.append ? O_APPEND : 0);
    let fd: number;
    try {
      fd = fs.openSync(path, flags, mode & GUEST_MODE_BITS);
    } catch (e) {
      // Without O_EXCL an existing file is opened, but only through the checks of walk and open
      // (a planted FIFO or device must not be opened by O_CREAT's own lookup).
      if (exclusive || (e as NodeJS.ErrnoException).code !== "EEXIST") throw toP9(e);
      const node = this.walk(dir, name);
      try {
        return { node, file: this.open(node, open) };
      } catch (e2) {
        this.release(node);
        throw e2;
      }
    }
    try {
      const pathFd = fs.openSync(proc(fd), O_PATH);
      dir.refs++;
      return { node: new ShareNode(pathFd, dir, Buffer.from(name), S_IFREG), file: new ShareFile(fd) };
    } catch (e) {
      fs.closeSync(fd);
      throw toP9(e);
    }
  }

  mkdir(dir: FsNode, name: Uint8Array, mode: number): FsStat {
    this.guardWrite();
    const path = this.at(this.node(dir), name);
    sys(() => fs.mkdirSync(path, { mode: mode & GUEST_MODE_BITS }));
    return this.statAt(dir, name);
  }

  symlink(dir: FsNode, name: Uint8Array, target: Uint8Array): FsStat {
    this.guardWrite();
    const path = this.at(this.node(dir), name);
    if (target.includes(0)) throw new P9Error(Errno.EINVAL, "NUL in a symlink target");
    // The target is stored as text and never followed here.
    sys(() => fs.symlinkSync(Buffer.from(target), path));
    return this.statAt(dir, name);
  }

  link(n: FsNode, dir: FsNode, name: Uint8Array): void {
    this.guardWrite();
    const node = this.node(n);
    if (node.type === S_IFDIR) throw new P9Error(Errno.EPERM, "hard link to a directory");
    const from = this.named(node);
    const to = this.at(this.node(dir), name);
    // link(2) does not follow a symlink at `from`: the link names the symlink itself.
    sys(() => fs.linkSync(from, to));
  }

  readlink(n: FsNode): Uint8Array {
    const node = this.node(n);
    if (node.type !== S_IFLNK) throw new P9Error(Errno.EINVAL, "not a symlink");
    const path = this.named(node);
    return sys(() => fs.readlinkSync(path, { encoding: "buffer" }));
  }

  renameAt(oldDir: FsNode, oldName: Uint8Array, newDir: FsNode, newName: Uint8Array): void {
    this.guardWrite();
    const from = this.at(this.node(oldDir), oldName);
    const to = this.at(this.node(newDir), newName);
    sys(() => fs.renameSync(from, to));
  }

  rename(n: FsNode, dirNode: FsNode, name: Uint8Array): void {
    this.guardWrite();
    const node = this.node(n);
    const dir = this.node(dirNode);
    const from = this.named(node);
    sys(() => fs.renameSync(from, this.at(dir, name)));
    const old = node.parent;
    dir.refs++;
    node.parent = dir;
    node.name = Buffer.from(name);
    if (old !== null) this.release(old);
  }

  unlinkAt(dir: FsNode, name: Uint8Array, directory: boolean): void {
    this.guardWrite();
    const path = this.at(this.node(dir), name);
    sys(() => (directory ? fs.rmdirSync(path) : fs.unlinkSync(path)));
  }

  setattr(n: FsNode, attr: SetAttr): void {
    this.guardWrite();
    const node = this.node(n);
    const link = node.type === S_IFLNK;
    // A symlink's own attributes are reached by its name (its /proc link would be the symlink
    // itself, but chmod and truncate have no meaning there).
    const self = link ? this.named(node) : proc(node.fd);
    if (attr.mode !== undefined) {
      if (link) throw new P9Error(Errno.EOPNOTSUPP, "chmod of a symlink");
      const mode = attr.mode & GUEST_MODE_BITS;
      sys(() => fs.chmodSync(self, mode));
    }
    if (attr.uid !== undefined || attr.gid !== undefined) {
      const uid = attr.uid ?? -1;
      const gid = attr.gid ?? -1;
      sys(() => (link ? fs.lchownSync(self, uid, gid) : fs.chownSync(self, uid, gid)));
    }
    if (attr.size !== undefined) {
      if (node.type !== S_IFREG) throw new P9Error(Errno.EINVAL, "truncate of a non-file");
      sys(() => fs.truncateSync(self, attr.size));
    }
    if (attr.atime !== undefined || attr.mtime !== undefined) {
      const st = this.stat(node);
      const a = seconds(attr.atime, st.atimeNs);
      const m = seconds(attr.mtime, st.mtimeNs);
      sys(() => (link ? fs.lutimesSync(self, a, m) : fs.utimesSync(self, a, m)));
    }
  }

  statfs(n: FsNode): FsStatfs {
    const s = sys(() => fs.statfsSync(proc(this.node(n).fd), { bigint: true }));
    return {
      type: Number(s.type),
      bsize: Number(s.bsize),
      blocks: s.blocks,
      bfree: s.bfree,
      bavail: s.bavail,
      files: s.files,
      ffree: s.ffree,
      namelen: 255,
    };
  }
}

// A 9P2000.L server for one client (the guest's mount) over an FsBackend: msize negotiation, the
// fid table, and one handler per T-message. `handle` takes a whole T-message and returns the
// R-message; anything wrong with the request (short, unknown type, bad fid, a name with '/')
// or with the host operation becomes Rlerror with a Linux errno, never an exception.

import type { FsBackend, FsFile, FsNode, OpenMode, SetAttr } from "./backend.js";
import { direntType, qidOf, writeGetattr } from "./attrs.js";
import { P9Reader, P9Writer, type Qid } from "./codec.js";
import {
  AT_REMOVEDIR,
  DOTL_O_ACCMODE,
  DOTL_O_APPEND,
  DOTL_O_EXCL,
  DOTL_O_RDWR,
  DOTL_O_TRUNC,
  DOTL_O_WRONLY,
  Errno,
  F_UNLCK,
  HEADER_SIZE,
  LOCK_SUCCESS,
  MAXWELEM,
  NOTAG,
  P9,
  P9Error,
  QT_DIR,
  SETATTR_ATIME,
  SETATTR_ATIME_SET,
  SETATTR_GID,
  SETATTR_MODE,
  SETATTR_MTIME,
  SETATTR_MTIME_SET,
  SETATTR_SIZE,
  SETATTR_UID,
  VERSION_9P2000_L,
} from "./protocol.js";

/** Largest msize agreed (Linux's virtio transport asks at most 512,000). */
export const MAX_MSIZE = 1 << 19;
/** Smallest msize accepted: a header and a little payload. */
const MIN_MSIZE = 256;
/** Open fids at most (each may hold host descriptors). */
export const MAX_FIDS = 8192;
/** Longest name component and symlink target. */
const NAME_MAX = 255;
const PATH_MAX = 4096;

interface Fid {
  node: FsNode;
  qid: Qid;
  file: FsFile | null;
  /** Directory listing taken when readdir starts at offset 0, so later offsets index the same list. */
  entries: Uint8Array[] | null;
}

const DOT = Uint8Array.of(0x2e);
const DOTDOT = Uint8Array.of(0x2e, 0x2e);

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** A name component the guest may create or look up: not empty, ".", ".." or too long, and
 * without '/' or NUL. */
export function checkName(name: Uint8Array): void {
  if (name.length === 0 || same(name, DOT) || same(name, DOTDOT)) throw new P9Error(Errno.EINVAL, "bad name");
  if (name.length > NAME_MAX) throw new P9Error(Errno.ENAMETOOLONG, "name too long");
  if (name.includes(0x2f) || name.includes(0)) throw new P9Error(Errno.EINVAL, "name holds '/' or NUL");
}

export class P9Server {
  private msize = MAX_MSIZE;
  private readonly fids = new Map<number, Fid>();
  private readonly out = new Uint8Array(MAX_MSIZE);
  private failures = 0;

  constructor(
    private readonly fs: FsBackend,
    private readonly log: (message: string) => void = () => {},
  ) {}

  /** The msize agreed by the last Tversion. */
  get agreedMsize(): number {
    return this.msize;
  }

  get openFids(): number {
    return this.fids.size;
  }

  /** Answers one T-message with an R-message of at most `room` bytes (room >= 11, the size of
   * Rlerror). The result is a view of a buffer reused by the next call. */
  handle(req: Uint8Array, room: number): Uint8Array {
    const w = new P9Writer(this.out, Math.min(room, this.msize, this.out.length));
    const tag = req.length >= HEADER_SIZE ? req[5] | (req[6] << 8) : NOTAG;
    try {
      const h = new P9Reader(req);
      const size = h.u32();
      const type = h.u8();
      h.u16();
      if (size < HEADER_SIZE || size > req.length) throw new P9Error(Errno.EPROTO, `message size ${size} is wrong`);
      const r = new P9Reader(req, HEADER_SIZE, size);
      w.header(type + 1, tag);
      this.dispatch(type, r, w);
      return w.finish();
    } catch (e) {
      let errno = Errno.EIO;
      if (e instanceof P9Error) errno = e.errno;
      else if (this.failures++ < 8) this.log(`9p: internal error: ${e instanceof Error ? e.message : String(e)}`);
      return w.header(P9.Rlerror, tag).u32(errno).finish();
    }
  }

  /** Forgets every fid (a device reset, or a new Tversion). */
  reset(): void {
    for (const fid of this.fids.values()) {
      try {
        this.drop(fid);
      } catch (e) {
        this.log(`9p: closing a fid at reset: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.fids.clear();
    this.msize = MAX_MSIZE;
  }

  private drop(fid: Fid): void {
    try {
      if (fid.file !== null) this.fs.close(fid.file);
    } finally {
      this.fs.release(fid.node);
    }
  }

  private fid(id: number): Fid {
    const fid = this.fids.get(id);
    if (fid === undefined) throw new P9Error(Errno.EBADF, `no fid ${id}`);
    return fid;
  }

  /** A new fid number must be free (and there must be room for it). */
  private freeFid(id: number): void {
    if (this.fids.has(id)) throw new P9Error(Errno.EBADF, `fid ${id} is in use`);
    if (this.fids.size >= MAX_FIDS) throw new P9Error(Errno.EMFILE, "too many fids");
  }

  private writable(): void {
    if (this.fs.readonly) throw new P9Error(Errno.EROFS, "read-only share");
  }

  private dispatch(type: number, r: P9Reader, w: P9Writer): void {
    switch (type) {
      case P9.Tversion:
        return this.version(r, w);
      case P9.Tattach:
        return this.attach(r, w);
      case P9.Tflush:
        r.u16();
        return;
      case P9.Twalk:
        return this.walk(r, w);
      case P9.Tclunk: {
        const id = r.u32();
        const fid = this.fid(id);
        this.fids.delete(id);
        this.drop(fid);
        return;
      }
      case P9.Tremove: {
        // 9P2000.L clients unlink with Tunlinkat; Tremove still clunks its fid.
        const id = r.u32();
        const fid = this.fid(id);
        this.fids.delete(id);
        this.drop(fid);
        throw new P9Error(Errno.EOPNOTSUPP, "Tremove");
      }
      case P9.Tgetattr: {
        const fid = this.fid(r.u32());
        r.u64();
        writeGetattr(w, this.fs.stat(fid.node));
        return;
      }
      case P9.Tsetattr:
        return this.setattr(r);
      case P9.Tstatfs: {
        const s = this.fs.statfs(this.fid(r.u32()).node);
        w.u32(s.type).u32(s.bsize).u64(s.blocks).u64(s.bfree).u64(s.bavail).u64(s.files).u64(s.ffree);
        w.u64(0).u32(s.namelen);
        return;
      }
      case P9.Tlopen:
        return this.lopen(r, w);
      case P9.Tlcreate:
        return this.lcreate(r, w);
      case P9.Tread:
        return this.read(r, w);
      case P9.Twrite:
        return this.write(r, w);
      case P9.Treaddir:
        return this.readdir(r, w);
      case P9.Tfsync: {
        const fid = this.fid(r.u32());
        if (fid.file !== null) this.fs.fsync(fid.file);
        return;
      }
      case P9.Tmkdir: {
        const dir = this.fid(r.u32());
        const name = r.str();
        const mode = r.u32();
        r.u32();
        checkName(name);
        this.writable();
        w.qid(qidOf(this.fs.mkdir(dir.node, name, mode & 0o7777)));
        return;
      }
      case P9.Tsymlink: {
        const dir = this.fid(r.u32());
        const name = r.str();
        const target = r.str();
        r.u32();
        checkName(name);
        if (target.length === 0 || target.length >= PATH_MAX || target.includes(0))
          throw new P9Error(Errno.EINVAL, "bad symlink target");
        this.writable();
        w.qid(qidOf(this.fs.symlink(dir.node, name, target)));
        return;
      }
      case P9.Tmknod: {
        this.fid(r.u32());
        checkName(r.str());
        this.writable();
        // Device nodes, FIFOs and sockets would reach past the folder (or block the I/O thread).
        throw new P9Error(Errno.EPERM, "mknod");
      }
      case P9.Treadlink:
        w.str(this.fs.readlink(this.fid(r.u32()).node));
        return;
      case P9.Tlink: {
        const dir = this.fid(r.u32());
        const target = this.fid(r.u32());
        const name = r.str();
        checkName(name);
        this.writable();
        this.fs.link(target.node, dir.node, name);
        return;
      }
      case P9.Trename: {
        const fid = this.fid(r.u32());
        const dir = this.fid(r.u32());
        const name = r.str();
        checkName(name);
        this.writable();
        this.fs.rename(fid.node, dir.node, name);
        return;
      }
      case P9.Trenameat: {
        const oldDir = this.fid(r.u32());
        const oldName = r.str();
        const newDir = this.fid(r.u32());
        const newName = r.str();
        checkName(oldName);
        checkName(newName);
        this.writable();
        this.fs.renameAt(oldDir.node, oldName, newDir.node, newName);
        return;
      }
      case P9.Tunlinkat: {
        const dir = this.fid(r.u32());
        const name = r.str();
        const flags = r.u32();
        checkName(name);
        this.writable();
        this.fs.unlinkAt(dir.node, name, (flags & AT_REMOVEDIR) !== 0);
        return;
      }
      case P9.Tlock: {
        // One client: every lock is granted at once.
        this.fid(r.u32());
        w.u8(LOCK_SUCCESS);
        return;
      }
      case P9.Tgetlock: {
        this.fid(r.u32());
        r.u8();
        const start = r.u64();
        const length = r.u64();
        const procId = r.u32();
        const client = r.str();
        w.u8(F_UNLCK).u64(start).u64(length).u32(procId).str(client);
        return;
      }
      case P9.Txattrwalk:
      case P9.Txattrcreate:
        this.fid(r.u32());
        throw new P9Error(Errno.EOPNOTSUPP, "xattrs");
      default:
        // Tauth (no authentication), the 9P2000 / 9P2000.u messages, R-messages, garbage.
        throw new P9Error(Errno.EOPNOTSUPP, `message type ${type}`);
    }
  }

  private version(r: P9Reader, w: P9Writer): void {
    const msize = r.u32();
    const version = new TextDecoder().decode(r.str());
    if (msize < MIN_MSIZE) throw new P9Error(Errno.EINVAL, `msize ${msize} too small`);
    this.reset();
    this.msize = Math.min(msize, MAX_MSIZE);
    w.u32(this.msize).str(version.startsWith(VERSION_9P2000_L) ? VERSION_9P2000_L : "unknown");
  }

  private attach(r: P9Reader, w: P9Writer): void {
    const id = r.u32();
    r.u32(); // afid: no authentication
    r.str(); // uname: every guest user acts as the host user running armvmm
    r.str(); // aname: the share has one tree
    this.freeFid(id);
    const node = this.fs.root();
    try {
      const qid = qidOf(this.fs.stat(node));
      this.fids.set(id, { node, qid, file: null, entries: null });
      w.qid(qid);
    } catch (e) {
      this.fs.release(node);
      throw e;
    }
  }

  private walk(r: P9Reader, w: P9Writer): void {
    const id = r.u32();
    const newId = r.u32();
    const count = r.u16();
    if (count > MAXWELEM) throw new P9Error(Errno.EINVAL, `${count} names in one walk`);
    const names: Uint8Array[] = [];
    for (let i = 0; i < count; i++) names.push(r.str());
    const from = this.fid(id);
    if (newId !== id) this.freeFid(newId);
    let node = this.fs.clone(from.node);
    let qid = from.qid;
    const qids: Qid[] = [];
    try {
      for (const name of names) {
        let next: FsNode;
        try {
          if (same(name, DOTDOT)) next = this.fs.parent(node);
          else {
            checkName(name);
            next = this.fs.walk(node, name);
          }
        } catch (e) {
          if (qids.length === 0) throw e;
          break; // a partial walk answers the qids found, and newfid is not made
        }
        this.fs.release(node);
        node = next;
        qid = qidOf(this.fs.stat(node));
        qids.push(qid);
      }
    } catch (e) {
      this.fs.release(node);
      throw e;
    }
    w.u16(qids.length);
    for (const q of qids) w.qid(q);
    if (qids.length < names.length) {
      this.fs.release(node);
      return;
    }
    if (newId === id) {
      this.fids.delete(id);
      this.drop(from);
    }
    this.fids.set(newId, { node, qid, file: null, entries: null });
  }

  private openMode(flags: number): OpenMode {
    const acc = flags & DOTL_O_ACCMODE;
    const mode = {
      read: acc !== DOTL_O_WRONLY,
      write: acc === DOTL_O_WRONLY || acc === DOTL_O_RDWR,
      truncate: (flags & DOTL_O_TRUNC) !== 0,
      append: (flags & DOTL_O_APPEND) !== 0,
    };
    if (mode.write || mode.truncate) this.writable();
    return mode;
  }

  private lopen(r: P9Reader, w: P9Writer): void {
    const fid = this.fid(r.u32());
    const flags = r.u32();
    if (fid.file !== null) throw new P9Error(Errno.EBADF, "fid already open");
    const mode = this.openMode(flags);
    const dir = isDirQid(fid.qid);
    if (dir && (mode.write || mode.truncate)) throw new P9Error(Errno.EISDIR, "directory opened for writing");
    fid.file = this.fs.open(fid.node, mode);
    fid.entries = null;
    w.qid(fid.qid).u32(0);
  }

  private lcreate(r: P9Reader, w: P9Writer): void {
    const fid = this.fid(r.u32());
    const name = r.str();
    const flags = r.u32();
    const mode = r.u32();
    r.u32(); // gid: files belong to the host user
    checkName(name);
    if (fid.file !== null) throw new P9Error(Errno.EBADF, "fid already open");
    this.writable();
    const open = this.openMode(flags);
    const made = this.fs.create(fid.node, name, mode & 0o7777, open, (flags & DOTL_O_EXCL) !== 0);
    let qid: Qid;
    try {
      qid = qidOf(this.fs.stat(made.node));
    } catch (e) {
      this.fs.close(made.file);
      this.fs.release(made.node);
      throw e;
    }
    // The fid now stands for the new, open file.
    this.fs.release(fid.node);
    fid.node = made.node;
    fid.file = made.file;
    fid.qid = qid;
    fid.entries = null;
    w.qid(qid).u32(0);
  }

  private read(r: P9Reader, w: P9Writer): void {
    const fid = this.fid(r.u32());
    const offset = r.u64n();
    const count = r.u32();
    if (fid.file === null) throw new P9Error(Errno.EBADF, "fid not open");
    if (isDirQid(fid.qid)) throw new P9Error(Errno.EISDIR, "Tread of a directory");
    const n = Math.max(0, Math.min(count, w.room - 4));
    const countAt = w.length;
    w.u32(0);
    const at = w.reserve(n);
    const got = this.fs.read(fid.file, offset, w.buf.subarray(at, at + n));
    w.truncate(countAt);
    w.u32(got);
    w.reserve(got);
  }

  private write(r: P9Reader, w: P9Writer): void {
    const fid = this.fid(r.u32());
    const offset = r.u64n();
    const count = r.u32();
    const data = r.bytes(count);
    if (fid.file === null) throw new P9Error(Errno.EBADF, "fid not open");
    this.writable();
    w.u32(this.fs.write(fid.file, offset, data));
  }

  private readdir(r: P9Reader, w: P9Writer): void {
    const fid = this.fid(r.u32());
    const offset = r.u64();
    const count = r.u32();
    if (!isDirQid(fid.qid)) throw new P9Error(Errno.ENOTDIR, "Treaddir of a file");
    if (offset === 0n || fid.entries === null) fid.entries = [DOT, DOTDOT, ...this.fs.list(fid.node)];
    const entries = fid.entries;
    const countAt = w.length;
    w.u32(0);
    const limit = Math.min(count, w.room);
    let used = 0;
    for (let i = offset; i < BigInt(entries.length); i++) {
      const name = entries[Number(i)];
      const size = 24 + name.length; // qid[13] offset[8] type[1] name[s]
      if (used + size > limit) break;
      let st;
      try {
        st = i < 2n ? this.fs.stat(fid.node) : this.fs.statAt(fid.node, name);
      } catch {
        continue; // removed since the listing was taken
      }
      w.qid(qidOf(st))
        .u64(i + 1n)
        .u8(direntType(st))
        .str(name);
      used += size;
    }
    const end = w.length;
    w.truncate(countAt);
    w.u32(used);
    w.truncate(end);
  }

  private setattr(r: P9Reader): void {
    const fid = this.fid(r.u32());
    const valid = r.u32();
    const mode = r.u32();
    const uid = r.u32();
    const gid = r.u32();
    const size = r.u64();
    const atime = { sec: Number(r.u64()), nsec: Number(r.u64()) };
    const mtime = { sec: Number(r.u64()), nsec: Number(r.u64()) };
    const attr: SetAttr = {};
    if (valid & SETATTR_MODE) attr.mode = mode & 0o7777;
    // (u32)-1 is "no change", as in chown(2).
    if (valid & SETATTR_UID && uid !== 0xffffffff) attr.uid = uid;
    if (valid & SETATTR_GID && gid !== 0xffffffff) attr.gid = gid;
    if (valid & SETATTR_SIZE) {
      if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw new P9Error(Errno.EFBIG, "size out of range");
      attr.size = Number(size);
    }
    if (valid & SETATTR_ATIME) attr.atime = valid & SETATTR_ATIME_SET ? atime : "now";
    if (valid & SETATTR_MTIME) attr.mtime = valid & SETATTR_MTIME_SET ? mtime : "now";
    if (Object.keys(attr).length === 0) return; // ctime alone: nothing the host lets us set
    this.writable();
    if (attr.size !== undefined && isDirQid(fid.qid)) throw new P9Error(Errno.EISDIR, "truncate of a directory");
    this.fs.setattr(fid.node, attr);
  }
}

function isDirQid(q: Qid): boolean {
  return (q.type & QT_DIR) !== 0;
}

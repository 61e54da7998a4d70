// 9P2000.L's numbers: message types, qid types, the dotl open flags and setattr bits the Linux
// client sends, and the Linux errno values an Rlerror carries (the guest is Linux on every
// architecture armvmm runs, so these are the generic ones, not the host's).

/** Message types (T = request, R = its reply, always T + 1). */
export const enum P9 {
  Rlerror = 7,
  Tstatfs = 8,
  Tlopen = 12,
  Tlcreate = 14,
  Tsymlink = 16,
  Tmknod = 18,
  Trename = 20,
  Treadlink = 22,
  Tgetattr = 24,
  Tsetattr = 26,
  Txattrwalk = 30,
  Txattrcreate = 32,
  Treaddir = 40,
  Tfsync = 50,
  Tlock = 52,
  Tgetlock = 54,
  Tlink = 70,
  Tmkdir = 72,
  Trenameat = 74,
  Tunlinkat = 76,
  Tversion = 100,
  Tauth = 102,
  Tattach = 104,
  Tflush = 108,
  Twalk = 110,
  Tread = 116,
  Twrite = 118,
  Tclunk = 120,
  Tremove = 122,
}

/** size[4] type[1] tag[2]. */
export const HEADER_SIZE = 7;
export const NOTAG = 0xffff;
export const NOFID = 0xffffffff;
export const VERSION_9P2000_L = "9P2000.L";
/** Most names in one Twalk. */
export const MAXWELEM = 16;
/** qid: type[1] version[4] path[8]. */
export const QID_SIZE = 13;

export const QT_DIR = 0x80;
export const QT_SYMLINK = 0x02;
export const QT_FILE = 0;

// Open flags in the protocol's (x86 / asm-generic) numbering, whatever the guest's own O_* are.
export const DOTL_O_ACCMODE = 3;
export const DOTL_O_WRONLY = 1;
export const DOTL_O_RDWR = 2;
export const DOTL_O_CREAT = 0o100;
export const DOTL_O_EXCL = 0o200;
export const DOTL_O_TRUNC = 0o1000;
export const DOTL_O_APPEND = 0o2000;

// Tsetattr valid bits.
export const SETATTR_MODE = 0x1;
export const SETATTR_UID = 0x2;
export const SETATTR_GID = 0x4;
export const SETATTR_SIZE = 0x8;
export const SETATTR_ATIME = 0x10;
export const SETATTR_MTIME = 0x20;
export const SETATTR_ATIME_SET = 0x80;
export const SETATTR_MTIME_SET = 0x100;

/** Rgetattr valid: every basic field (mode .. blocks). */
export const GETATTR_BASIC = 0x7ff;
/** Tunlinkat flag: remove a directory. */
export const AT_REMOVEDIR = 0x200;
/** Rlock status and Rgetlock type. */
export const LOCK_SUCCESS = 0;
export const F_UNLCK = 2;

/** File type bits of a mode, as in stat(2). */
export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;

/** Linux errno values. */
export const enum Errno {
  EPERM = 1,
  ENOENT = 2,
  EIO = 5,
  ENXIO = 6,
  E2BIG = 7,
  EBADF = 9,
  EAGAIN = 11,
  ENOMEM = 12,
  EACCES = 13,
  EBUSY = 16,
  EEXIST = 17,
  EXDEV = 18,
  ENODEV = 19,
  ENOTDIR = 20,
  EISDIR = 21,
  EINVAL = 22,
  ENFILE = 23,
  EMFILE = 24,
  ETXTBSY = 26,
  EFBIG = 27,
  ENOSPC = 28,
  ESPIPE = 29,
  EROFS = 30,
  EMLINK = 31,
  ERANGE = 34,
  ENAMETOOLONG = 36,
  ENOSYS = 38,
  ENOTEMPTY = 39,
  ELOOP = 40,
  ENODATA = 61,
  EPROTO = 71,
  EOVERFLOW = 75,
  EMSGSIZE = 90,
  EOPNOTSUPP = 95,
  EDQUOT = 122,
}

/** A 9P failure the guest sees as Rlerror(errno). */
export class P9Error extends Error {
  constructor(
    readonly errno: number,
    message = `errno ${errno}`,
  ) {
    super(message);
  }
}

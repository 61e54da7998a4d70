// Writes a gzip-compressed cpio "newc" archive (the initramfs format Linux unpacks) from a list of
// entries, without the cpio tool and without root: device nodes such as /dev/console are written
// directly. Output is reproducible (entries in the given order, mtime 0, uid/gid 0, gzip mtime 0).
//
//   node scripts/mkinitramfs.mjs OUT.cpio.gz ENTRY...
//     dir:PATH[:MODE]                 a directory (mode octal, default 755)
//     file:PATH:HOSTFILE[:MODE]       a regular file copied from HOSTFILE (default 644)
//     symlink:PATH:TARGET             a symbolic link
//     char:PATH:MAJOR:MINOR[:MODE]    a character device (default 600)
//
// newc layout: "070701", then 13 fields of 8 hex digits (ino, mode, uid, gid, nlink, mtime,
// filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check), the name with its NUL,
// padding to 4 bytes, the data, padding to 4 bytes; the archive ends with "TRAILER!!!".

import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { Buffer } from "node:buffer";
import process from "node:process";

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n) {
  return (n >>> 0).toString(16).padStart(8, "0");
}

function pad4(n) {
  return (4 - (n % 4)) % 4;
}

function entry(parts, ino, name, mode, data, rdevMajor = 0, rdevMinor = 0) {
  const nameBytes = Buffer.from(name + "\0", "utf8");
  const header =
    "070701" +
    [ino, mode, 0, 0, mode & S_IFDIR ? 2 : 1, 0, data.length, 0, 0, rdevMajor, rdevMinor, nameBytes.length, 0]
      .map(hex8)
      .join("");
  parts.push(Buffer.from(header, "ascii"), nameBytes, Buffer.alloc(pad4(110 + nameBytes.length)));
  parts.push(data, Buffer.alloc(pad4(data.length)));
}

function main(argv) {
  if (argv.length < 2) {
    process.stderr.write("usage: node scripts/mkinitramfs.mjs OUT.cpio.gz ENTRY...\n");
    process.exit(2);
  }
  const [out, ...specs] = argv;
  const parts = [];
  let ino = 1;
  for (const spec of specs) {
    const f = spec.split(":");
    const path = f[1].replace(/^\/+/, "");
    switch (f[0]) {
      case "dir":
        entry(parts, ino++, path, S_IFDIR | parseInt(f[2] ?? "755", 8), Buffer.alloc(0));
        break;
      case "file":
        entry(parts, ino++, path, S_IFREG | parseInt(f[3] ?? "644", 8), readFileSync(f[2]));
        break;
      case "symlink":
        entry(parts, ino++, path, S_IFLNK | 0o777, Buffer.from(f[2], "utf8"));
        break;
      case "char":
        entry(parts, ino++, path, S_IFCHR | parseInt(f[4] ?? "600", 8), Buffer.alloc(0), Number(f[2]), Number(f[3]));
        break;
      default:
        process.stderr.write(`mkinitramfs: unknown entry kind in '${spec}'\n`);
        process.exit(2);
    }
  }
  entry(parts, 0, "TRAILER!!!", 0, Buffer.alloc(0));
  const cpio = Buffer.concat(parts);
  const padded = Buffer.concat([
    cpio,
    Buffer.alloc(pad4(cpio.length) + ((512 - ((cpio.length + pad4(cpio.length)) % 512)) % 512)),
  ]);
  writeFileSync(out, gzipSync(padded, { level: 9 }));
}

main(process.argv.slice(2));

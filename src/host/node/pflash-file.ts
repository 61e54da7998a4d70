// --pflash images: a flash bank's backing file, exactly the bank's size, read whole at start and
// written back in place (positional writes) as the guest programs and erases, locked against a
// second VM like a --drive image. Every problem is a FlashFileError with a one-line message.

import * as fs from "node:fs";
import type { FlashBacking } from "../../board/virt-flash.js";
import { describe, lockImage } from "./file-disk.js";

export class FlashFileError extends Error {}

export interface FlashFile extends FlashBacking {
  close(): void;
}

/** Opens `path` as a flash bank of `size` bytes (checked, locked exclusively). */
export async function openFlashFile(path: string, size: number): Promise<FlashFile> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch (e) {
    throw new FlashFileError(`cannot open pflash image '${path}': ${describe(e)}`);
  }
  if (stat.isDirectory()) throw new FlashFileError(`pflash image '${path}' is a directory`);
  if (!stat.isFile()) throw new FlashFileError(`pflash image '${path}' is not a regular file`);
  if (stat.size !== size) {
    throw new FlashFileError(
      `pflash image '${path}' is ${stat.size} bytes; a flash bank is exactly ${size} bytes (${size >>> 20} MiB)`,
    );
  }
  let fd: number;
  try {
    fd = fs.openSync(path, "r+");
  } catch (e) {
    throw new FlashFileError(`cannot open pflash image '${path}' for writing: ${describe(e)}`);
  }
  let release: () => void;
  try {
    release = await lockImage(path, true);
  } catch (e) {
    fs.closeSync(fd);
    const message = (e as Error).message;
    throw new FlashFileError(
      message.includes("in use by another VM") ? `pflash image '${path}' is in use by another VM (locked)` : message,
    );
  }
  return {
    load(into) {
      let done = 0;
      while (done < into.length) {
        const n = fs.readSync(fd, into, done, into.length - done, done);
        if (n === 0) break;
        done += n;
      }
    },
    store(offset, bytes) {
      let done = 0;
      while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, offset + done);
    },
    close() {
      fs.closeSync(fd);
      release();
    },
  };
}

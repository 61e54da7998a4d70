// A disk image read over HTTP with range requests (synchronous XMLHttpRequest, which a worker may
// make), in chunks kept in a bounded cache: a guest reading a few megabytes of a large image
// fetches only those. Read-only, under the page's copy-on-write layer. The server must answer
// `Range` with 206 (armvmm web does, for the cached Debian image).

import { BlockIoError, type BlockBackend } from "../../devices/virtio/block-backend.js";

/** Bytes per range request. */
const CHUNK = 256 * 1024;
/** Chunks kept (64 MiB). */
const CACHE_CHUNKS = 256;

export class HttpBlockBackend implements BlockBackend {
  readonly readonly = true;
  readonly size: number;
  /** Chunks by index, oldest use first (a Map keeps insertion order). */
  private readonly chunks = new Map<number, Uint8Array>();
  requests = 0;

  constructor(private readonly url: string) {
    const head = new XMLHttpRequest();
    head.open("HEAD", url, false);
    try {
      head.send();
    } catch {
      throw new Error(`cannot reach the disk image ${url}`);
    }
    if (head.status !== 200) throw new Error(`disk image ${url}: ${head.status} ${head.statusText}`);
    if (head.getResponseHeader("Accept-Ranges") !== "bytes") {
      throw new Error(`disk image ${url}: the server does not take range requests`);
    }
    const length = Number(head.getResponseHeader("Content-Length"));
    if (!Number.isSafeInteger(length) || length <= 0) throw new Error(`disk image ${url}: no length`);
    this.size = length;
  }

  read(pos: number, bytes: Uint8Array, off: number, len: number): void {
    let done = 0;
    while (done < len) {
      const p = pos + done;
      const index = Math.floor(p / CHUNK);
      const chunk = this.chunk(index);
      const at = p - index * CHUNK;
      const n = Math.min(len - done, chunk.length - at);
      if (n <= 0) throw new BlockIoError(`read past the end of ${this.url}`);
      bytes.set(chunk.subarray(at, at + n), off + done);
      done += n;
    }
  }

  private chunk(index: number): Uint8Array {
    const hit = this.chunks.get(index);
    if (hit !== undefined) {
      this.chunks.delete(index);
      this.chunks.set(index, hit);
      return hit;
    }
    const start = index * CHUNK;
    const end = Math.min(this.size, start + CHUNK) - 1;
    const xhr = new XMLHttpRequest();
    xhr.open("GET", this.url, false);
    xhr.responseType = "arraybuffer";
    xhr.setRequestHeader("Range", `bytes=${start}-${end}`);
    try {
      xhr.send();
    } catch {
      throw new BlockIoError(`cannot fetch bytes ${start}-${end} of ${this.url}`);
    }
    this.requests++;
    const body = xhr.response as ArrayBuffer | null;
    if (xhr.status !== 206 || body === null || body.byteLength !== end - start + 1) {
      throw new BlockIoError(`bytes ${start}-${end} of ${this.url}: ${xhr.status} ${xhr.statusText}`);
    }
    const chunk = new Uint8Array(body);
    this.chunks.set(index, chunk);
    if (this.chunks.size > CACHE_CHUNKS) this.chunks.delete(this.chunks.keys().next().value!);
    return chunk;
  }

  write(): void {
    throw new BlockIoError("a disk image over HTTP is read-only");
  }

  flush(): void {}

  discard(): void {
    throw new BlockIoError("a disk image over HTTP is read-only");
  }

  close(): void {
    this.chunks.clear();
  }
}

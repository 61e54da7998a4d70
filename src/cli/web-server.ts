// `armvmm web`: serves the page (dist/web, built by `npm run build:web`) on 127.0.0.1 with the
// headers cross-origin isolation needs (SharedArrayBuffer, Atomics.wait), and the fetched Debian
// guests under /cache/ when they are there: the kernel and initramfs, and Debian's root image with
// range requests (the page reads a disk image in pieces). Nothing else is reachable: the page's
// files by name in their folder, the cache's files by a fixed list.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { guestCacheDir } from "./guests.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".md": "text/markdown; charset=utf-8",
  ".bin": "application/octet-stream",
};

/** The Debian guests' files the page may fetch (scripts/fetch-debian-guests.sh names them). */
const SHELL = { kernel: "vmlinuz", initrd: "initrd-shell.cpio.gz", bootargs: "console=ttyAMA0" };
const DISK = {
  initrd: "initrd-virtio.cpio.gz",
  image: "debian-12-armhf.img",
  bootargs: "console=ttyAMA0 root=/dev/vda rw",
};

/** Largest range one request may ask for. */
const MAX_RANGE = 16 << 20;

export class WebServerError extends Error {}

/** Where the built page lives, next to the compiled CLI. */
export function webRoot(): string {
  return fileURLToPath(new URL("../../web/", import.meta.url));
}

const ISOLATION = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Content-Type-Options": "nosniff",
};

export function serveWeb(port: number, root = webRoot(), cacheDir = guestCacheDir()): Promise<Server> {
  if (!existsSync(join(root, "index.html"))) {
    throw new WebServerError(`the page is not built ('${root}' has no index.html): run 'npm run build:web'`);
  }
  const has = (name: string) => existsSync(join(cacheDir, name));
  const cacheReady = has(SHELL.kernel) && has(SHELL.initrd);
  const diskReady = cacheReady && has(DISK.initrd) && has(DISK.image);
  const cacheFiles = new Set([SHELL.kernel, SHELL.initrd, ...(diskReady ? [DISK.initrd, DISK.image] : [])]);
  const server = createServer((req, res) => {
    const send = (status: number, body: string | Buffer, type = "text/plain; charset=utf-8") => {
      res.writeHead(status, { ...ISOLATION, "Content-Type": type, "Cache-Control": "no-cache" });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "only GET and HEAD\n");
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      return send(400, "bad path\n");
    }
    if (path === "/") path = "/index.html";
    if (path.startsWith("/cache/")) {
      const name = path.slice("/cache/".length);
      if (!cacheReady) return send(404, "no Debian guest fetched (npm run guests)\n");
      if (name === "index.json") {
        return send(200, JSON.stringify({ ...SHELL, disk: diskReady ? DISK : null }), TYPES[".json"]);
      }
      if (!cacheFiles.has(name)) return send(404, "not found\n");
      try {
        return sendFile(req, res, join(cacheDir, name));
      } catch {
        // Gone or unreadable since the server started: a miss, not a crash.
        return send(404, "not found\n");
      }
    }
    // A file of the page's folder, and nothing outside it.
    const file = normalize(join(root, path));
    if (!file.startsWith(normalize(root.endsWith(sep) ? root : root + sep)) || path.includes("\0")) {
      return send(404, "not found\n");
    }
    if (!existsSync(file) || !statSync(file).isFile()) return send(404, "not found\n");
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      return send(404, "not found\n");
    }
    send(200, body, TYPES[extname(file)] ?? "application/octet-stream");
  });
  return new Promise((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new WebServerError(
          e.code === "EADDRINUSE"
            ? `port ${port} is in use (try --port 0)`
            : `cannot listen on port ${port}: ${e.message}`,
        ),
      ),
    );
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/** A cached file, whole (streamed) or one `Range: bytes=A-B` of it (206), as a disk image is read. */
function sendFile(req: IncomingMessage, res: ServerResponse, path: string): void {
  const size = statSync(path).size;
  const head = { ...ISOLATION, "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream" };
  const range = req.headers.range;
  if (range === undefined) {
    res.writeHead(200, { ...head, "Content-Length": String(size) });
    if (req.method === "HEAD") return void res.end();
    createReadStream(path).pipe(res);
    return;
  }
  const m = /^bytes=(\d+)-(\d*)$/.exec(range);
  const start = m === null ? NaN : Number(m[1]);
  const end = m === null ? NaN : m[2] === "" ? Math.min(size - 1, start + MAX_RANGE - 1) : Number(m[2]);
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(end) ||
    start > end ||
    end >= size ||
    end - start >= MAX_RANGE
  ) {
    res.writeHead(416, { ...head, "Content-Range": `bytes */${size}` });
    return void res.end();
  }
  const body = Buffer.alloc(end - start + 1);
  const fd = openSync(path, "r");
  try {
    readSync(fd, body, 0, body.length, start);
  } finally {
    closeSync(fd);
  }
  res.writeHead(206, {
    ...head,
    "Content-Length": String(body.length),
    "Content-Range": `bytes ${start}-${end}/${size}`,
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

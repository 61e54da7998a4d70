// `armvmm web`: serves the page (dist/web, built by `npm run build:web`) on 127.0.0.1 with the
// headers cross-origin isolation needs (SharedArrayBuffer, Atomics.wait), and the fetched Debian
// guest's kernel and initramfs under /cache/ when they are there. Nothing else is reachable: the
// page's files by name in their folder, the cache's two files by a fixed list.

import { createServer, type Server } from "node:http";
import { existsSync, readFileSync, statSync } from "node:fs";
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

/** The Debian guest's files the page may fetch (scripts/fetch-debian-guests.sh names them). */
const CACHE_FILES = { kernel: "vmlinuz", initrd: "initrd-shell.cpio.gz", bootargs: "console=ttyAMA0" };

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
  const cacheReady = existsSync(join(cacheDir, CACHE_FILES.kernel)) && existsSync(join(cacheDir, CACHE_FILES.initrd));
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
      if (name === "index.json") return send(200, JSON.stringify(CACHE_FILES), TYPES[".json"]);
      if (name !== CACHE_FILES.kernel && name !== CACHE_FILES.initrd) return send(404, "not found\n");
      return send(200, readFileSync(join(cacheDir, name)), "application/octet-stream");
    }
    // A file of the page's folder, and nothing outside it.
    const file = normalize(join(root, path));
    if (!file.startsWith(normalize(root.endsWith(sep) ? root : root + sep)) || path.includes("\0")) {
      return send(404, "not found\n");
    }
    if (!existsSync(file) || !statSync(file).isFile()) return send(404, "not found\n");
    send(200, readFileSync(file), TYPES[extname(file)] ?? "application/octet-stream");
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

// `armvmm web`: the page's files with the cross-origin isolation headers, the fetched Debian guest
// by a fixed list, and nothing else (escape attempts are 404s); bad options are one line.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "node:http";
import { runCli } from "../guests/cli-runner.js";
import { serveWeb, WebServerError } from "../../src/cli/web-server.js";
import { startWebServer, type WebServer } from "./browser.js";

const cache = mkdtempSync(join(tmpdir(), "armvmm-web-cache-"));
writeFileSync(join(cache, "vmlinuz"), "KERNEL");
writeFileSync(join(cache, "initrd-shell.cpio.gz"), "INITRD");
writeFileSync(join(cache, "debian-12-armhf.img"), "DISK-IMAGE-0123456789");
writeFileSync(join(cache, "initrd-virtio.cpio.gz"), "VIRTIO");
writeFileSync(join(cache, "initrd-test.cpio.gz"), "NOT OFFERED");

let server: WebServer;
before(async () => {
  server = await startWebServer({ ARMVMM_CACHE: cache });
});
after(() => server.stop());

/** A raw GET (fetch would normalise `..` away before sending). */
function get(
  path: string,
  method = "GET",
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("the page and its scripts come with COOP same-origin and COEP require-corp", async () => {
  for (const path of ["/", "/app.js", "/vcpu-worker.js", "/guests/heartbeat.bin"]) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers["cross-origin-opener-policy"], "same-origin", path);
    assert.equal(r.headers["cross-origin-embedder-policy"], "require-corp", path);
  }
  assert.match((await get("/")).headers["content-type"] as string, /^text\/html/);
  assert.match((await get("/app.js")).headers["content-type"] as string, /^text\/javascript/);
  const guests = JSON.parse((await get("/guests/index.json")).body) as { name: string; vcpus: number; about: string }[];
  assert.deepEqual(
    guests.find((g) => g.name === "heartbeat"),
    { name: "heartbeat", vcpus: 2, about: guests.find((g) => g.name === "heartbeat")!.about, file: "heartbeat.bin" },
  );
});

test("nothing outside the page's folder is served", async () => {
  for (const path of [
    "/../package.json",
    "/%2e%2e/%2e%2e/package.json",
    "/guests/..%2f..%2f..%2fpackage.json",
    "/..%5c..%5cpackage.json",
    "/%00index.html",
    "/etc/passwd",
  ]) {
    const r = await get(path);
    assert.equal(r.status, 404, `${path}: ${r.status} ${r.body.slice(0, 40)}`);
  }
  assert.equal((await get("/", "POST")).status, 405);
  assert.equal((await get("/%E0%A4%A")).status, 400);
});

test("the cache serves the Debian guests' kernel, initramfs and disk image, and nothing else of the folder", async () => {
  assert.deepEqual(JSON.parse((await get("/cache/index.json")).body), {
    kernel: "vmlinuz",
    initrd: "initrd-shell.cpio.gz",
    bootargs: "console=ttyAMA0",
    disk: {
      initrd: "initrd-virtio.cpio.gz",
      image: "debian-12-armhf.img",
      bootargs: "console=ttyAMA0 root=/dev/vda rw",
    },
  });
  assert.equal((await get("/cache/vmlinuz")).body, "KERNEL");
  assert.equal((await get("/cache/initrd-shell.cpio.gz")).body, "INITRD");
  assert.equal((await get("/cache/initrd-virtio.cpio.gz")).body, "VIRTIO");
  for (const path of ["/cache/initrd-test.cpio.gz", "/cache/../vmlinuz", "/cache/%2e%2e/package.json", "/cache/"]) {
    assert.equal((await get(path)).status, 404, path);
  }
});

test("a disk image answers range requests: 206 with Content-Range, 416 outside it", async () => {
  const head = await get("/cache/debian-12-armhf.img", "HEAD");
  assert.equal(head.status, 200);
  assert.equal(head.headers["accept-ranges"], "bytes");
  assert.equal(head.headers["content-length"], "21");
  const part = await get("/cache/debian-12-armhf.img", "GET", { Range: "bytes=5-9" });
  assert.equal(part.status, 206);
  assert.equal(part.body, "IMAGE");
  assert.equal(part.headers["content-range"], "bytes 5-9/21");
  assert.equal(part.headers["cross-origin-embedder-policy"], "require-corp");
  const tail = await get("/cache/debian-12-armhf.img", "GET", { Range: "bytes=17-" });
  assert.equal(tail.body, "6789");
  assert.equal((await get("/cache/debian-12-armhf.img")).body, "DISK-IMAGE-0123456789");
  for (const range of ["bytes=5-21", "bytes=9-5", "bytes=-5", "bytes=0-1,3-4", "items=0-1"]) {
    const r = await get("/cache/debian-12-armhf.img", "GET", { Range: range });
    assert.equal(r.status, 416, range);
    assert.equal(r.headers["content-range"], "bytes */21", range);
  }
});

test("without a fetched guest the cache is empty", async () => {
  const bare = await startWebServer({ ARMVMM_CACHE: mkdtempSync(join(tmpdir(), "armvmm-web-empty-")) });
  try {
    const url = new URL(bare.url);
    const status = await new Promise<number>((resolve) =>
      request({ host: url.hostname, port: url.port, path: "/cache/index.json" }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).end(),
    );
    assert.equal(status, 404);
  } finally {
    await bare.stop();
  }
});

test("bad options and a busy port are one line and a non-zero exit", async () => {
  const bad = await runCli(["web", "--port", "http"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, "armvmm: error: --port http: not a port number (0 to 65535)\n");
  const port = new URL(server.url).port;
  const busy = await runCli(["web", "--port", port]);
  assert.equal(busy.code, 1);
  assert.equal(busy.stderr, `armvmm: error: port ${port} is in use (try --port 0)\n`);
  const unknown = await runCli(["web", "--bogus"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^armvmm: error: Unknown option '--bogus'.*\n$/);
});

test("an unbuilt page is refused with the command that builds it", () => {
  const empty = mkdtempSync(join(tmpdir(), "armvmm-web-root-"));
  assert.throws(
    () => serveWeb(0, empty),
    (e: unknown) => e instanceof WebServerError && /npm run build:web/.test(e.message),
  );
});

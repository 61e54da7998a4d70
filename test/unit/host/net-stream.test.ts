import { test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectLink, listenLink, parseSocketAddress, NetBackendError } from "../../../src/host/node/net-stream.js";
import { frameToStream } from "../../../src/devices/net/stream-framing.js";

function until(cond: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const t = setInterval(() => {
      if (cond()) {
        clearInterval(t);
        resolve();
      } else if (Date.now() - start > 5000) {
        clearInterval(t);
        reject(new Error(`timed out waiting for ${what}`));
      }
    }, 5);
  });
}

test("socket addresses: HOST:PORT, [v6]:PORT, :PORT, unix:PATH; junk refused", () => {
  assert.deepEqual(parseSocketAddress("127.0.0.1:1234"), { host: "127.0.0.1", port: 1234 });
  assert.deepEqual(parseSocketAddress("[::1]:80"), { host: "::1", port: 80 });
  assert.deepEqual(parseSocketAddress(":9"), { host: "127.0.0.1", port: 9 });
  assert.deepEqual(parseSocketAddress("unix:/tmp/x.sock"), { path: "/tmp/x.sock" });
  for (const bad of ["host", "host:0", "host:70000", "unix:", "a:b"]) assert.equal(parseSocketAddress(bad), null, bad);
});

test("listen and connect exchange frames both ways; link up while joined", async () => {
  const dir = mkdtempSync(join(tmpdir(), "armvmm-net-"));
  try {
    const addr = { path: join(dir, "s") };
    const a = await listenLink(addr, () => {});
    const gotA: Uint8Array[] = [];
    a.onFrame = (f) => gotA.push(f);
    const b = await connectLink(addr, () => {});
    const gotB: Uint8Array[] = [];
    b.onFrame = (f) => gotB.push(f);
    await until(() => a.linkUp && b.linkUp, "both links up");
    a.send(Uint8Array.of(1, 2, 3));
    b.send(Uint8Array.of(4, 5));
    await until(() => gotA.length === 1 && gotB.length === 1, "frames");
    assert.deepEqual([...gotA[0]], [4, 5]);
    assert.deepEqual([...gotB[0]], [1, 2, 3]);
    a.close();
    b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a peer that goes away is link down; one that comes back is link up again", async () => {
  const dir = mkdtempSync(join(tmpdir(), "armvmm-net-"));
  try {
    const addr = { path: join(dir, "s") };
    const a = await listenLink(addr, () => {});
    const links: boolean[] = [];
    a.onLink = (up) => links.push(up);
    const peer1 = net.connect(addr.path);
    await until(() => a.linkUp, "first peer");
    peer1.destroy();
    await until(() => !a.linkUp, "link down");
    const peer2 = net.connect(addr.path);
    await until(() => a.linkUp, "second peer");
    assert.deepEqual(links, [true, false, true]);
    peer2.destroy();
    a.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a connector dials again after its peer goes, and links up when the peer is back", async () => {
  const dir = mkdtempSync(join(tmpdir(), "armvmm-net-"));
  try {
    const path = join(dir, "s");
    let server = net.createServer((s) => sockets.push(s));
    const sockets: net.Socket[] = [];
    await new Promise<void>((r) => server.listen(path, r));
    const b = await connectLink({ path }, () => {});
    await until(() => sockets.length === 1 && b.linkUp, "connected");
    sockets[0].destroy();
    await new Promise<void>((r) => server.close(() => r()));
    await until(() => !b.linkUp, "link down");
    server = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(path, r));
    await until(() => b.linkUp, "redialled");
    b.close();
    for (const s of sockets) s.destroy();
    server.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a fake peer that sends a malformed length is dropped with one logged line; the next peer works", async () => {
  const dir = mkdtempSync(join(tmpdir(), "armvmm-net-"));
  try {
    const addr = { path: join(dir, "s") };
    const logs: string[] = [];
    const a = await listenLink(addr, (m) => logs.push(m));
    const got: Uint8Array[] = [];
    a.onFrame = (f) => got.push(f);
    const bad = net.connect(addr.path);
    await until(() => a.linkUp, "bad peer");
    bad.write(frameToStream(Uint8Array.of(9)));
    bad.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1, 2));
    await until(() => !a.linkUp, "dropped");
    assert.equal(got.length, 1, "the good frame before the bad length got through");
    assert.equal(logs.length, 1);
    assert.match(logs[0], /frame length 4294967295/);
    const good = net.connect(addr.path);
    await until(() => a.linkUp, "next peer");
    good.write(frameToStream(Uint8Array.of(7)));
    await until(() => got.length === 2, "frame from the next peer");
    good.destroy();
    bad.destroy();
    a.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("errors: a port in use, a peer that does not answer", async () => {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await assert.rejects(
    listenLink({ host: "127.0.0.1", port }, () => {}),
    (e: Error) => {
      assert.ok(e instanceof NetBackendError);
      assert.match(e.message, /address in use/);
      return true;
    },
  );
  server.close();
  await new Promise((r) => setTimeout(r, 50));
  await assert.rejects(
    connectLink({ host: "127.0.0.1", port }, () => {}),
    /cannot connect to 127\.0\.0\.1:\d+: ECONNREFUSED/,
  );
});

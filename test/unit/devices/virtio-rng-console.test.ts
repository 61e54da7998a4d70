import { test } from "node:test";
import assert from "node:assert/strict";
import { CryptoEntropy, SeededEntropy, VirtioRng } from "../../../src/devices/virtio/rng.js";
import { CONSOLE_CFG_EMERG_WR, CONSOLE_RX, CONSOLE_TX, VirtioConsole } from "../../../src/devices/virtio/console.js";
import * as R from "../../../src/devices/virtio/mmio-regs.js";
import { TestDriver } from "../../helpers/virtio-driver.js";

test("virtio-rng: device ID 4, one queue, every writable byte filled from the source", () => {
  let calls = 0;
  const d = new TestDriver(
    new VirtioRng({
      fill: (dst) => {
        calls++;
        dst.fill(0x5a);
      },
    }),
  );
  assert.equal(d.reg(R.VIRTIO_MMIO_DEVICE_ID), 4);
  d.start();
  const p = d.post(0, [{ len: 16 }, { len: 48 }]);
  d.notify(0);
  assert.deepEqual(d.takeUsed(0), [{ id: p.head, len: 64 }]);
  assert.deepEqual([...d.bytesAt(p.writable[0].addr, 16)], new Array(16).fill(0x5a));
  assert.deepEqual([...d.bytesAt(p.writable[1].addr, 48)], new Array(48).fill(0x5a));
  assert.equal(calls, 2);
  assert.equal(d.irqLevel, true);
});

test("the host CSPRNG source fills large buffers (more than one getRandomValues call) and differs each time", () => {
  const a = new Uint8Array(200_000);
  const b = new Uint8Array(200_000);
  const src = new CryptoEntropy();
  src.fill(a);
  src.fill(b);
  assert.notDeepEqual(a, b);
  assert.ok(
    a.subarray(150_000).some((x) => x !== 0),
    "the tail past 64 KiB is filled too",
  );
});

test("the seeded source repeats exactly for one seed and differs for another", () => {
  const fill = (seed: number) => {
    const out = new Uint8Array(64);
    new SeededEntropy(seed).fill(out);
    return out;
  };
  assert.deepEqual(fill(1), fill(1));
  assert.notDeepEqual(fill(1), fill(2));
  assert.ok(new Set(fill(1)).size > 16, "not a constant");
});

function consoleDriver() {
  const out: number[] = [];
  const dev = new VirtioConsole((bytes) => out.push(...bytes));
  const d = new TestDriver(dev);
  return { out, dev, d };
}

test("virtio-console: device ID 3, EMERG_WRITE offered, one port, the transmit queue reaches the output", () => {
  const { out, d } = consoleDriver();
  assert.equal(d.reg(R.VIRTIO_MMIO_DEVICE_ID), 3);
  assert.ok(d.deviceFeatures()[0] & (1 << 2));
  assert.equal(d.transport.read(0x100 + 4, 4, 0), 1, "max_nr_ports");
  d.start();
  const p = d.post(CONSOLE_TX, [{ data: new TextEncoder().encode("hel") }, { data: new TextEncoder().encode("lo") }]);
  d.notify(CONSOLE_TX);
  assert.deepEqual(d.takeUsed(CONSOLE_TX), [{ id: p.head, len: 0 }]);
  assert.equal(String.fromCharCode(...out), "hello");
});

test("virtio-console: an emergency write prints its character", () => {
  const { out, d } = consoleDriver();
  d.transport.write(0x100 + CONSOLE_CFG_EMERG_WR, 4, 0x41, 0);
  assert.equal(String.fromCharCode(...out), "A");
});

test("virtio-console: input waits for receive buffers and is split across them in order", () => {
  const { dev, d } = consoleDriver();
  dev.input(new TextEncoder().encode("early")); // before the driver is up
  d.start();
  // DRIVER_OK with no receive buffers yet: still waiting.
  const a = d.post(CONSOLE_RX, [{ len: 3 }]);
  const b = d.post(CONSOLE_RX, [{ len: 8 }]);
  d.notify(CONSOLE_RX);
  assert.deepEqual(d.takeUsed(CONSOLE_RX), [
    { id: a.head, len: 3 },
    { id: b.head, len: 2 },
  ]);
  assert.equal(new TextDecoder().decode(d.bytesAt(a.writable[0].addr, 3)), "ear");
  assert.equal(new TextDecoder().decode(d.bytesAt(b.writable[0].addr, 2)), "ly");
  dev.input(new TextEncoder().encode("x"));
  assert.deepEqual(d.takeUsed(CONSOLE_RX), [], "no buffer left: held");
  const c = d.post(CONSOLE_RX, [{ len: 8 }]);
  d.notify(CONSOLE_RX);
  assert.deepEqual(d.takeUsed(CONSOLE_RX), [{ id: c.head, len: 1 }]);
  assert.equal(d.bytesAt(c.writable[0].addr, 1)[0], 0x78);
});

test("virtio-console: a malformed receive ring found while delivering input needs a reset; input does not throw", () => {
  const { dev, d } = consoleDriver();
  d.start();
  d.setAvailIdx(CONSOLE_RX, 999);
  assert.doesNotThrow(() => dev.input(Uint8Array.of(1)));
  assert.ok(d.status & R.STATUS_DEVICE_NEEDS_RESET);
  assert.doesNotThrow(() => dev.input(Uint8Array.of(2)));
});

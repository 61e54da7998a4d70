// Drives the virtio-mmio transport with random rings and random register writes, for every device
// type: the host must never throw, whatever the driver writes; a device either serves a chain
// (used ids inside the table, used lengths inside the chain's writable bytes) or marks itself
// DEVICE_NEEDS_RESET.

import { test } from "node:test";
import assert from "node:assert/strict";
import { VirtioBlk } from "../../../src/devices/virtio/blk.js";
import { MemoryBlockBackend } from "../../../src/devices/virtio/block-backend.js";
import { VirtioConsole } from "../../../src/devices/virtio/console.js";
import type { VirtioDevice } from "../../../src/devices/virtio/device.js";
import * as R from "../../../src/devices/virtio/mmio-regs.js";
import { SeededEntropy, VirtioRng } from "../../../src/devices/virtio/rng.js";
import { Rng } from "../../helpers/rng.js";
import { RAM_BASE, RAM_SIZE, TestDriver } from "../../helpers/virtio-driver.js";

const DEVICES: [string, () => VirtioDevice][] = [
  ["blk", () => new VirtioBlk(new MemoryBlockBackend(64 * 512), { name: "vda", serial: "fuzz" })],
  ["rng", () => new VirtioRng(new SeededEntropy(7))],
  ["console", () => new VirtioConsole(() => {})],
];

/** A guest address that is usually inside RAM, sometimes just outside, sometimes anywhere. */
function address(rng: Rng): number {
  switch (rng.below(4)) {
    case 0:
      return rng.next();
    case 1:
      return RAM_BASE + RAM_SIZE - rng.below(64);
    default:
      return RAM_BASE + 0x8_0000 + rng.below(0x7_0000);
  }
}

for (const [name, make] of DEVICES) {
  test(`fuzz: random rings and registers never crash virtio-${name}`, () => {
    const rng = new Rng(0x5eed + name.length);
    let served = 0;
    let resets = 0;
    for (let round = 0; round < 300; round++) {
      const d = new TestDriver(make());
      d.start();
      const queues = d.device.queueSizes.length;
      for (let step = 0; step < 20; step++) {
        const q = rng.below(queues);
        const l = d.layout(q);
        switch (rng.below(6)) {
          case 0: {
            // A random descriptor anywhere in the table.
            const i = rng.below(l.size);
            d.writeDesc(
              l.desc,
              i,
              address(rng),
              rng.below(4) === 0 ? rng.next() : rng.below(2048),
              rng.below(8),
              rng.below(l.size + 2),
            );
            break;
          }
          case 1:
            d.publish(q, rng.below(4) === 0 ? rng.below(0x10000) : rng.below(l.size));
            break;
          case 2:
            d.setAvailIdx(q, rng.below(0x10000));
            break;
          case 3: {
            // A random register write (not the status register's reset: that is the driver's way out).
            const offset = rng.below(0x80) * 4;
            d.transport.write(offset, 4, rng.next(), 0);
            break;
          }
          case 4:
            // A random indirect table.
            d.writeDesc(l.desc, rng.below(l.size), address(rng), 16 * rng.below(40), 4 | rng.below(2), 0);
            break;
          default: {
            // A well-formed chain among the garbage.
            const head = new Uint8Array(16);
            head[0] = rng.below(2);
            d.post(q, [{ data: head }, { len: 512 }, { len: 1 }]);
            break;
          }
        }
        const before = d.status;
        assert.doesNotThrow(() => d.notify(q));
        if ((d.status & R.STATUS_DEVICE_NEEDS_RESET) !== 0 && (before & R.STATUS_DEVICE_NEEDS_RESET) === 0) resets++;
        if ((d.status & R.STATUS_DRIVER_OK) !== 0 && d.layout(q) !== undefined) {
          for (const u of d.takeUsed(q)) {
            assert.ok(u.id < l.size, `used id ${u.id} inside the table`);
            served++;
          }
        }
      }
      // Whatever happened, a reset brings the device back.
      d.setReg(R.VIRTIO_MMIO_STATUS, 0);
      assert.equal(d.status, 0);
    }
    assert.ok(resets > 0, "some rounds found malformed rings");
    assert.ok(served > 0, `some chains were well-formed and served (${served})`);
  });
}

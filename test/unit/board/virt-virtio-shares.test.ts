// Slot order of the virtio devices with shared folders: disks, entropy, console, then the shares in
// --share order; the device tree's slot list counts them too.

import { test } from "node:test";
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { virtioDevices, virtioSlotsOf, type VirtioConfig } from "../../../src/board/virt-virtio.js";
import { MemoryBlockBackend } from "../../../src/devices/virtio/block-backend.js";
import { SeededEntropy } from "../../../src/devices/virtio/rng.js";
import { ShareFs } from "../../../src/host/node/share-fs.js";

test("shares take the slots after the console, in order, each with its tag", () => {
  const fs = ShareFs.open(tmpdir(), true);
  const config: VirtioConfig = {
    disks: [{ backend: new MemoryBlockBackend(4096), serial: "d" }],
    entropy: new SeededEntropy(1),
    consoleOutput: () => {},
    shares: [
      { backend: fs, tag: "share" },
      { backend: fs, tag: "data" },
    ],
  };
  const { devices } = virtioDevices(config);
  assert.deepEqual(
    devices.map((d) => d.name),
    ["virtio-blk vda", "virtio-rng", "virtio-console", "virtio-9p share", "virtio-9p data"],
  );
  assert.deepEqual(virtioSlotsOf(config), [0, 1, 2, 3, 4]);
  fs.dispose();
});

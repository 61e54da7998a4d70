import { test } from "node:test";
import assert from "node:assert/strict";
import { VirtioMmioEmptySlot } from "../../../src/devices/virtio-mmio-slot.js";

test("an empty slot identifies as virtio-mmio v2 with DeviceID 0", () => {
  const s = new VirtioMmioEmptySlot();
  assert.equal(s.read(0x000, 4, 0), 0x74726976, 'MagicValue "virt"');
  assert.equal(s.read(0x004, 4, 0), 2, "Version");
  assert.equal(s.read(0x008, 4, 0), 0, "DeviceID: no device");
  assert.equal(s.read(0x00c, 4, 0), 0x554d4551, "VendorID");
});

test("the magic reads as the bytes 'v' 'i' 'r' 't'", () => {
  const s = new VirtioMmioEmptySlot();
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => String.fromCharCode(s.read(i, 1, 0))),
    ["v", "i", "r", "t"],
  );
});

test("everything else reads as zero and ignores writes", () => {
  const s = new VirtioMmioEmptySlot();
  for (let off = 0x010; off < 0x200; off += 4) {
    s.write(off, 4, 0xffff_ffff, 0);
    assert.equal(s.read(off, 4, 0), 0, `offset 0x${off.toString(16)}`);
  }
  s.write(0x000, 4, 0, 0);
  assert.equal(s.read(0x000, 4, 0), 0x74726976, "the ID registers are read-only");
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { mapVirtDevices } from "../../../src/board/virt-bus.js";
import { MMIO_MISS, MmioBus, MmioBusError } from "../../../src/vmm/mmio-bus.js";
import type { MmioDevice } from "../../../src/devices/device.js";

class Tag implements MmioDevice {
  constructor(readonly id: number) {}
  read(): number {
    return this.id;
  }
  write(): void {}
}

test("the board's bus devices sit at the table's addresses", () => {
  const bus = new MmioBus();
  mapVirtDevices(bus, { gicDistributor: new Tag(1), uart: new Tag(2), rtc: new Tag(3), virtio: [new Tag(4)] });
  assert.equal(bus.read(0x0800_0000, 4, 0), 1);
  assert.equal(bus.read(0x0800_fffc, 4, 0), 1, "the distributor window is 64 KiB");
  assert.equal(bus.read(0x0900_0ffc, 4, 0), 2);
  assert.equal(bus.read(0x0901_0000, 4, 0), 3);
  assert.equal(bus.read(0x0a00_0000, 4, 0), 4, "slot 0 has its backend");
  assert.equal(bus.read(0x0a00_0200, 4, 0), 0x74726976, "slot 1 is an empty transport");
  assert.equal(bus.read(0x0a00_3e00, 4, 0), 0x74726976, "slot 31");
  assert.equal(bus.read(0x0a00_4000, 4, 0), MMIO_MISS, "nothing after slot 31");
  assert.equal(bus.list().length, 3 + 32);
});

test("flash, RAM and the GIC CPU interface are not bus devices", () => {
  const bus = new MmioBus();
  mapVirtDevices(bus, { gicDistributor: new Tag(1), uart: new Tag(2), rtc: new Tag(3) });
  assert.equal(bus.find(0x0000_0000), null);
  assert.equal(bus.find(0x0801_0000), null);
  assert.equal(bus.find(0x4000_0000), null);
  assert.equal(bus.find(0x0902_0000), null, "no fw_cfg");
});

test("mapping twice collides", () => {
  const bus = new MmioBus();
  const set = { gicDistributor: new Tag(1), uart: new Tag(2), rtc: new Tag(3) };
  mapVirtDevices(bus, set);
  assert.throws(() => mapVirtDevices(bus, set), MmioBusError);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { MMIO_MISS, MmioBus, MmioBusError } from "../../../src/vmm/mmio-bus.js";
import type { MmioDevice } from "../../../src/devices/device.js";

/** Records accesses; reads return offset + 0x100 so the offset the bus passed is visible. */
class Probe implements MmioDevice {
  readonly log: string[] = [];
  read(offset: number, size: number, cpu: number): number {
    this.log.push(`r ${offset.toString(16)} ${size} cpu${cpu}`);
    return offset + 0x100;
  }
  write(offset: number, size: number, value: number, cpu: number): void {
    this.log.push(`w ${offset.toString(16)} ${size} ${value.toString(16)} cpu${cpu}`);
  }
}

function twoWindows(): { bus: MmioBus; a: Probe; b: Probe } {
  const bus = new MmioBus();
  const a = new Probe();
  const b = new Probe();
  bus.register("b", 0x0901_0000, 0x1000, b); // registered out of order on purpose
  bus.register("a", 0x0900_0000, 0x1000, a);
  return { bus, a, b };
}

test("accesses reach the device with the offset into its window and the cpu index", () => {
  const { bus, a, b } = twoWindows();
  assert.equal(bus.read(0x0900_0018, 4, 0), 0x118);
  assert.equal(bus.write(0x0901_0004, 4, 0xdead_beef, 3), true);
  assert.deepEqual(a.log, ["r 18 4 cpu0"]);
  assert.deepEqual(b.log, ["w 4 4 deadbeef cpu3"]);
  // First and last bytes of a window.
  assert.equal(bus.read(0x0900_0000, 1, 0), 0x100);
  assert.equal(bus.read(0x0900_0fff, 1, 0), 0x100 + 0xfff);
  assert.equal(bus.find(0x0901_0ffc, 4)?.name, "b");
});

test("windows are kept in address order", () => {
  const { bus } = twoWindows();
  assert.deepEqual(
    bus.list().map((w) => w.name),
    ["a", "b"],
  );
});

test("overlapping windows are refused at registration", () => {
  const { bus } = twoWindows();
  const d = new Probe();
  assert.throws(() => bus.register("c", 0x0900_0800, 0x1000, d), MmioBusError); // tail of a
  assert.throws(() => bus.register("c", 0x08ff_f000, 0x1001, d), MmioBusError); // runs into a
  assert.throws(() => bus.register("c", 0x0900_0000, 0x10, d), MmioBusError); // same base
  assert.throws(() => bus.register("c", 0x08f0_0000, 0x0100_0000, d), MmioBusError); // covers a and b
  // Adjacent on both sides is fine.
  bus.register("before", 0x08ff_f000, 0x1000, d);
  bus.register("after", 0x0901_1000, 0x1000, d);
  assert.equal(bus.list().length, 4);
});

test("zero, negative, fractional and overflowing sizes are refused", () => {
  const bus = new MmioBus();
  const d = new Probe();
  assert.throws(() => bus.register("z", 0x1000, 0, d), /size/);
  assert.throws(() => bus.register("n", 0x1000, -4, d), /size/);
  assert.throws(() => bus.register("f", 0x1000, 1.5, d), /size/);
  assert.throws(() => bus.register("o", 0xffff_f000, 0x2000, d), /4 GiB/);
  assert.throws(() => bus.register("b", 0x1_0000_0000, 0x10, d), /base/);
  // Ending exactly at 4 GiB is fine.
  bus.register("top", 0xffff_f000, 0x1000, d);
  assert.equal(bus.read(0xffff_fffc, 4, 0), 0x100 + 0xffc);
});

test("an access straddling a window's end is a miss and never reaches the device", () => {
  const { bus, a, b } = twoWindows();
  assert.equal(bus.read(0x0900_0ffe, 4, 0), MMIO_MISS); // 2 bytes in a, 2 in b
  assert.equal(bus.write(0x0900_0fff, 2, 1, 0), false);
  assert.equal(bus.find(0x0900_0ffd, 4), null);
  assert.deepEqual(a.log, []);
  assert.deepEqual(b.log, []);
});

test("unsupported access sizes are misses", () => {
  const { bus, a } = twoWindows();
  assert.equal(bus.read(0x0900_0000, 8, 0), MMIO_MISS);
  assert.equal(bus.write(0x0900_0000, 3, 0, 0), false);
  assert.deepEqual(a.log, []);
});

test("misses are reported once per address", () => {
  const { bus } = twoWindows();
  const seen: string[] = [];
  bus.onUnmapped = (addr, size, isWrite) => seen.push(`${addr.toString(16)} ${size} ${isWrite ? "w" : "r"}`);
  assert.equal(bus.read(0x0902_0000, 4, 0), MMIO_MISS);
  assert.equal(bus.read(0x0902_0000, 4, 0), MMIO_MISS); // still a miss, not reported again
  assert.equal(bus.write(0x0902_0000, 4, 0, 0), false);
  assert.equal(bus.write(0x0000_0000, 1, 0, 0), false); // below every window
  assert.equal(bus.read(0xffff_fffc, 4, 0), MMIO_MISS); // above every window
  assert.deepEqual(seen, ["9020000 4 r", "0 1 w", "fffffffc 4 r"]);
});

test("an empty bus misses everything", () => {
  const bus = new MmioBus();
  assert.equal(bus.read(0x0900_0000, 4, 0), MMIO_MISS);
  assert.equal(bus.find(0), null);
});

test("lookup stays right when alternating between windows (last-hit cache)", () => {
  const bus = new MmioBus();
  const devices: Probe[] = [];
  for (let n = 0; n < 32; n++) {
    const d = new Probe();
    devices.push(d);
    bus.register(`v${n}`, 0x0a00_0000 + 0x200 * n, 0x200, d);
  }
  for (const n of [5, 31, 0, 5, 17, 16, 18]) {
    assert.equal(bus.read(0x0a00_0000 + 0x200 * n + 8, 4, 0), 0x108, `slot ${n}`);
    assert.equal(devices[n].log.at(-1), "r 8 4 cpu0");
  }
  assert.equal(bus.read(0x0a00_0000 + 0x200 * 32, 4, 0), MMIO_MISS);
});

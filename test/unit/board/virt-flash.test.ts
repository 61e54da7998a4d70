// The flash banks as the CPUs see them: stage-2 memory for reads while a bank is in read-array
// mode, unbacked (reads trap to the device) while it is not, and while a write is on its way to
// the device (vcpu threads post their writes); the first write that unmaps a bank flushes the TLBs
// once; programs reach the backing store.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Stage2 } from "../../../src/cpu/stage2.js";
import { MmioBus } from "../../../src/vmm/mmio-bus.js";
import {
  FlashGates,
  mapVirtFlash,
  VcpuFlashWindow,
  VIRT_FLASH_BANKS,
  type FlashBacking,
} from "../../../src/board/virt-flash.js";
import type { MmioDevice } from "../../../src/devices/device.js";

const BANK = 64 << 20;
const BANK1 = 0x0400_0000;

function machine(unmapped: (() => void) | null) {
  const memory = new SharedArrayBuffer(2 * BANK);
  const gates = new FlashGates();
  const stage2 = new Stage2(memory);
  VIRT_FLASH_BANKS.forEach((b, k) => stage2.addRam(b.base, b.size, k * BANK, false, gates.word(k)));
  const stored: [number, number[]][] = [];
  const backing: FlashBacking = {
    load: (into) => into.set([0x48, 0x53, 0x4c, 0x46]),
    store: (offset, bytes) => stored.push([offset, [...bytes]]),
  };
  const bus = new MmioBus();
  const storage = [0, 1].map((k) => new Uint8Array(memory, k * BANK, BANK));
  mapVirtFlash(bus, { gates, storage, backings: [null, backing], log: () => {}, unmapped });
  return { stage2, gates, bus, stored, storage };
}

test("one thread: a command unmaps the bank for reads (one TLB flush), read array maps it again", () => {
  let flushes = 0;
  const { stage2, bus, stored } = machine(() => flushes++);
  assert.equal(stage2.ramOffset(BANK1), BANK, "bank 1 is memory");
  assert.equal(bus.read(BANK1, 4, 0), 0x464c5348, "loaded from its backing");
  bus.write(BANK1, 4, 0x00900090, 0);
  assert.equal(flushes, 1);
  assert.equal(stage2.regionAt(BANK1 + 0x1234), undefined, "reads now trap");
  assert.equal(stage2.ramOffset(BANK1), -1);
  assert.notEqual(stage2.regionAt(0), undefined, "bank 0 is still memory");
  assert.equal(bus.read(BANK1, 4, 0), 0x00890089, "and reach the device");
  bus.write(BANK1, 4, 0x00700070, 0);
  assert.equal(flushes, 1, "already unmapped: no second flush");
  bus.write(BANK1, 4, 0x40, 0);
  bus.write(BANK1 + 8, 4, 0x01020304, 0);
  assert.deepEqual(stored, [[8, [4, 3, 2, 1]]]);
  bus.write(BANK1, 4, 0xff, 0);
  assert.equal(stage2.ramOffset(BANK1 + 8), BANK + 8, "memory again");
  bus.write(BANK1, 4, 0xff, 0);
  assert.equal(flushes, 2, "a write counts as on its way to the device, even read array");
});

test("vcpu threads: a posted write unmaps at once, until the I/O thread's device has done it", () => {
  const io = machine(null); // the I/O thread's bus: the device counts writes out
  let flushes = 0;
  const posted: [number, number, number][] = [];
  const remote: MmioDevice = {
    read: (offset, size) => io.bus.read(BANK1 + offset, size, 0),
    write: (offset, size, value) => posted.push([offset, size, value]),
  };
  const window = new VcpuFlashWindow(remote, io.gates, 1, () => flushes++);
  window.write(0, 4, 0xff, 0);
  assert.equal(flushes, 1);
  assert.equal(io.stage2.regionAt(BANK1), undefined, "unmapped while the write is on its way");
  const [offset, size, value] = posted.shift()!;
  io.bus.write(BANK1 + offset, size, value, 0);
  assert.notEqual(io.stage2.regionAt(BANK1), undefined, "read array, nothing on its way: memory");
  window.write(0, 4, 0x70, 0);
  window.write(0, 4, 0xff, 0);
  assert.equal(flushes, 2);
  io.bus.write(BANK1, 4, posted.shift()![2], 0);
  assert.equal(io.stage2.regionAt(BANK1), undefined, "status mode, and a write still on its way");
  io.bus.write(BANK1, 4, posted.shift()![2], 0);
  assert.notEqual(io.stage2.regionAt(BANK1), undefined);
});

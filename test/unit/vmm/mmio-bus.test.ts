// The MMIO bus beyond its lookups (test/unit/devices/mmio-bus.test.ts): the exact board errors it
// reports, the cap on remembered misses, values passed as unsigned 32-bit, and the last-hit cache
// staying right when windows are added after accesses.

import { test } from "node:test";
import assert from "node:assert/strict";
import { MMIO_MISS, MmioBus, MmioBusError } from "../../../src/vmm/mmio-bus.js";
import type { MmioDevice } from "../../../src/devices/device.js";

class Probe implements MmioDevice {
  readonly log: string[] = [];
  constructor(private readonly value = 0) {}
  read(offset: number, size: number, cpu: number): number {
    this.log.push(`r ${offset} ${size} ${cpu}`);
    return this.value;
  }
  write(offset: number, size: number, value: number, cpu: number): void {
    this.log.push(`w ${offset} ${size} ${value} ${cpu}`);
  }
}

function error(f: () => void): MmioBusError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof MmioBusError);
    assert.equal(e.name, "MmioBusError");
    return e;
  }
  assert.fail("no error");
}

test("board errors name the window, its addresses in hex and what is wrong", () => {
  const bus = new MmioBus();
  const d = new Probe();
  bus.register("uart", 0x0900_0000, 0x1000, d);
  bus.register("rtc", 0x0901_0000, 0x1000, d);
  assert.equal(
    error(() => bus.register("gpio", 0x0900_0800, 0x100, d)).message,
    "gpio at 0x09000800 overlaps uart at 0x09000000",
  );
  assert.equal(
    error(() => bus.register("gpio", 0x0900_f000, 0x1001, d)).message,
    "gpio at 0x0900f000 overlaps rtc at 0x09010000",
  );
  assert.equal(
    error(() => bus.register("big", 0xffff_0000, 0x1_0000 + 1, d)).message,
    "big: window 0xffff0000 + 0x00010001 runs past the 4 GiB address space",
  );
  assert.equal(
    error(() => bus.register("neg", -1, 4, d)).message,
    "neg: base -1 is not a 32-bit guest physical address",
  );
  assert.equal(
    error(() => bus.register("frac", 0.5, 4, d)).message,
    "frac: base 0.5 is not a 32-bit guest physical address",
  );
  assert.equal(error(() => bus.register("zero", 0, 0, d)).message, "zero: size 0 must be a positive integer");
  assert.equal(bus.list().length, 2, "nothing was added by the refused registrations");
});

test("base 0 and a window reaching 4 GiB exactly are fine", () => {
  const bus = new MmioBus();
  const low = new Probe(1);
  bus.register("low", 0, 4, low);
  assert.equal(bus.read(0, 4, 0), 1);
  bus.register("top", 0xffff_fffc, 4, new Probe(2));
  assert.equal(bus.read(0xffff_fffc, 4, 0), 2);
});

test("values are unsigned 32-bit both ways; the address is taken modulo 2^32", () => {
  const bus = new MmioBus();
  const d = new Probe(-1);
  bus.register("d", 0x8000_0000, 0x100, d);
  assert.equal(bus.read(0x8000_0004, 4, 1), 0xffff_ffff);
  assert.equal(bus.read(0x8000_0004 | 0, 4, 1), 0xffff_ffff, "a negative int32 address");
  assert.equal(bus.write(0x8000_0008 | 0, 2, -2, 3), true);
  assert.deepEqual(d.log, ["r 4 4 1", "r 4 4 1", `w 8 2 ${0xffff_fffe} 3`]);
  assert.equal(bus.find(0x8000_0000 | 0)?.name, "d");
  assert.equal(bus.find(0x8000_00ff)?.name, "d", "size 1 by default");
  assert.equal(bus.find(0x8000_00ff, 2), null);
});

test("an access ending exactly at a window's end hits; one byte further misses", () => {
  const bus = new MmioBus();
  bus.register("d", 0x1000, 0x10, new Probe(7));
  assert.equal(bus.read(0x100c, 4, 0), 7);
  assert.equal(bus.read(0x100e, 2, 0), 7);
  assert.equal(bus.read(0x100d, 4, 0), MMIO_MISS);
  assert.equal(bus.read(0x0ffc, 4, 0), MMIO_MISS, "just below");
  assert.equal(bus.read(0x1010, 1, 0), MMIO_MISS, "just above");
  assert.equal(bus.read(0x1000, 1, 0), 7);
});

test("the last-hit cache is dropped when a window is added", () => {
  const bus = new MmioBus();
  const a = new Probe(1);
  const b = new Probe(2);
  bus.register("a", 0x2000, 0x1000, a);
  assert.equal(bus.read(0x2000, 4, 0), 1); // cached: index 0
  bus.register("b", 0x1000, 0x1000, b); // now index 0; a moves to index 1
  assert.equal(bus.read(0x1000, 4, 0), 2);
  assert.equal(bus.read(0x2000, 4, 0), 1);
  assert.equal(bus.read(0x1ffc, 4, 0), 2);
  assert.deepEqual(a.log, ["r 0 4 0", "r 0 4 0"]);
  assert.deepEqual(b.log, ["r 0 4 0", "r 4092 4 0"]);
});

test("binary search over many windows finds the first, the last and the ones between", () => {
  const bus = new MmioBus();
  const probes: Probe[] = [];
  for (let n = 0; n < 9; n++) {
    probes.push(new Probe(n + 10));
    bus.register(`w${n}`, 0x10_0000 * (n + 1), 0x100, probes[n]);
  }
  for (const n of [0, 8, 4, 3, 5, 1, 7, 2, 6]) {
    assert.equal(bus.read(0x10_0000 * (n + 1) + 0xfc, 4, 0), n + 10, `window ${n}`);
    assert.equal(bus.read(0x10_0000 * (n + 1) + 0x100, 4, 0), MMIO_MISS, `past window ${n}`);
    assert.equal(bus.read(0x10_0000 * (n + 1) - 4, 4, 0), MMIO_MISS, `before window ${n}`);
  }
});

test("misses: remembered up to 4096 addresses, then only counted; no handler is fine", () => {
  const bus = new MmioBus();
  assert.equal(bus.read(0x10, 4, 0), MMIO_MISS, "no onUnmapped handler");
  const seen: number[] = [];
  bus.onUnmapped = (addr) => seen.push(addr);
  for (let k = 0; k < 4200; k++) bus.read(0x1000 + 4 * k, 4, 0);
  assert.equal(seen.length, 4095, "4096 remembered, the first before the handler was set");
  assert.equal(bus.unreportedMisses, 4200 - 4095);
  bus.read(0x10, 4, 0);
  bus.read(0x1000, 4, 0);
  assert.equal(bus.unreportedMisses, 4200 - 4095, "remembered ones stay silent and uncounted");
  bus.read(0x0fff_0000, 4, 0);
  assert.equal(bus.unreportedMisses, 4200 - 4095 + 1);
});

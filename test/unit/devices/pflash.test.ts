// The CFI flash bank (Intel command set) register by register: ID and CFI query answers with QEMU's
// addressing and per-chip replication (virt's bank: 32 bits of two x16 chips), status, word
// program, block erase, buffered write held until its confirm, lock commands, and wrong sequences
// (status error bits, never a throw), with the read-array notifications the board maps by.

import { test } from "node:test";
import assert from "node:assert/strict";
import { PflashCfi01 } from "../../../src/devices/pflash/pflash-cfi01.js";
import { VIRT_FLASH_GEOMETRY } from "../../../src/board/virt-flash.js";
import { Rng } from "../../helpers/rng.js";

const SECTOR = 256 * 1024;

interface Bench {
  flash: PflashCfi01;
  storage: Uint8Array;
  modes: boolean[];
  stores: [number, number][];
  logs: string[];
}

function bench(): Bench {
  const storage = new Uint8Array(VIRT_FLASH_GEOMETRY.size);
  const modes: boolean[] = [];
  const stores: [number, number][] = [];
  const logs: string[] = [];
  const flash = new PflashCfi01({
    geometry: VIRT_FLASH_GEOMETRY,
    storage,
    manufacturerId: 0x89,
    deviceId: 0x18,
    onArrayMode: (on) => modes.push(on),
    store: (offset, length) => stores.push([offset, length]),
    log: (m) => logs.push(m),
  });
  return { flash, storage, modes, stores, logs };
}

/** A CFI query of table byte `index`, read as one 32-bit access (both chips' answers). */
function query(f: PflashCfi01, index: number): number {
  return f.read(index * 4, 4);
}

test("reset: read array, status ready; array reads are little-endian storage", () => {
  const { flash, storage } = bench();
  storage.set([0x11, 0x22, 0x33, 0x44], 0x100);
  assert.equal(flash.readArray, true);
  assert.equal(flash.read(0x100, 4), 0x44332211);
  assert.equal(flash.read(0x102, 2), 0x4433);
  assert.equal(flash.read(0x101, 1), 0x22);
  flash.write(0, 4, 0x70);
  assert.equal(flash.read(0, 4), 0x00800080, "one status per x16 chip");
});

test("read ID (0x90): manufacturer 0x89 and device 0x18 per chip, lock status 0; read array returns", () => {
  const { flash, modes } = bench();
  flash.write(0, 4, 0x00900090);
  assert.deepEqual(modes, [false], "leaving read array is reported");
  assert.equal(flash.read(0, 4), 0x00890089);
  assert.equal(flash.read(4, 4), 0x00180018);
  assert.equal(flash.read(0, 2), 0x0089);
  assert.equal(flash.read(8, 4), 0, "block lock status: unlocked");
  // Addresses count in bank-width units, and the low byte of the index is what matters.
  assert.equal(flash.read(0x400 + 4, 4), 0x00180018);
  flash.write(0, 4, 0xff);
  assert.deepEqual(modes, [false, true]);
  assert.equal(flash.readArray, true);
});

test("CFI query (0x98): QRY, Intel command set, geometry of one chip, PRI table; 0 past the table", () => {
  const { flash } = bench();
  flash.write(0x55 * 4, 4, 0x98);
  assert.equal(query(flash, 0x10), 0x00510051); // 'Q'
  assert.equal(query(flash, 0x11), 0x00520052); // 'R'
  assert.equal(query(flash, 0x12), 0x00590059); // 'Y'
  assert.equal(query(flash, 0x13) & 0xffff, 0x01, "primary command set 0x0001: Intel/Sharp extended");
  assert.equal(query(flash, 0x14) & 0xffff, 0x00);
  assert.equal(query(flash, 0x15) & 0xffff, 0x31, "extended table at 0x31");
  assert.equal(query(flash, 0x27) & 0xffff, 25, "each chip holds 32 MiB");
  assert.equal(query(flash, 0x28) & 0xffff, 0x02, "x8/x16 interface");
  assert.equal(query(flash, 0x2a) & 0xffff, 0x0b, "2 KiB write buffer per chip");
  assert.equal(query(flash, 0x2c) & 0xffff, 1, "one erase-block region");
  assert.equal(query(flash, 0x2d) & 0xffff, 0xff, "256 blocks");
  assert.equal(query(flash, 0x2e) & 0xffff, 0x00);
  assert.equal(query(flash, 0x2f) & 0xffff, 0x00, "128 KiB per chip = 0x200 x 256 bytes");
  assert.equal(query(flash, 0x30) & 0xffff, 0x02);
  assert.deepEqual(
    [0x31, 0x32, 0x33, 0x34, 0x35].map((i) => query(flash, i) & 0xff),
    [0x50, 0x52, 0x49, 0x31, 0x30],
    "PRI 1.0",
  );
  assert.equal(query(flash, 0x52), 0);
  assert.equal(flash.read(0x10 * 4, 2), 0x0051, "a narrow read sees the low chip");
  assert.equal(flash.read(0x10 * 4, 1), 0x51);
});

test("word program (0x40 and 0x10): data lands, the range is stored, status reads until read array", () => {
  const { flash, storage, stores, modes } = bench();
  flash.write(0x1000, 4, 0x40);
  flash.write(0x1000, 4, 0xcafef00d);
  assert.equal(storage[0x1000], 0x0d);
  assert.equal(flash.read(0x1000, 4), 0x00800080, "status, not data");
  assert.deepEqual(stores, [[0x1000, 4]]);
  flash.write(0x2002, 2, 0x10);
  flash.write(0x2002, 2, 0xbeef);
  assert.deepEqual(stores[1], [0x2002, 2]);
  flash.write(0, 4, 0xff);
  assert.equal(flash.read(0x1000, 4), 0xcafef00d);
  assert.equal(flash.read(0x2002, 2), 0xbeef);
  assert.deepEqual(modes, [false, true], "one trip out of read array");
});

test("block erase (0x20, 0xD0): the 256 KiB sector of the address, at the confirm", () => {
  const { flash, storage, stores } = bench();
  storage.fill(0x5a);
  flash.write(3 * SECTOR + 0x1234, 4, 0x20);
  assert.equal(storage[3 * SECTOR], 0x5a, "nothing before the confirm");
  flash.write(3 * SECTOR + 0x1234, 4, 0xd0);
  assert.equal(flash.read(0, 4), 0x00800080);
  assert.equal(storage[3 * SECTOR - 1], 0x5a);
  assert.equal(storage[3 * SECTOR], 0xff);
  assert.equal(storage[4 * SECTOR - 1], 0xff);
  assert.equal(storage[4 * SECTOR], 0x5a);
  assert.deepEqual(stores, [[3 * SECTOR, SECTOR]]);
});

test("erase with a wrong confirm: nothing erased, SR.4 and SR.5 until clear status; 0xFF aborts quietly", () => {
  const { flash, storage, stores } = bench();
  storage.fill(0x5a);
  flash.write(0, 4, 0x20);
  flash.write(0, 4, 0x55);
  assert.equal(storage[0], 0x5a);
  assert.equal(flash.read(0, 2), 0xb0, "ready, erase and program error bits");
  flash.write(0, 4, 0x70);
  assert.equal(flash.read(0, 2), 0xb0, "sticky");
  flash.write(0, 4, 0x50);
  assert.equal(flash.readArray, true, "clear status returns to read array (as QEMU)");
  flash.write(0, 4, 0x70);
  assert.equal(flash.read(0, 2), 0x80, "cleared, and ready (QEMU's 0 would read as busy)");
  flash.write(0, 4, 0x20);
  flash.write(0, 4, 0xff);
  assert.equal(flash.readArray, true);
  assert.equal(storage[0], 0x5a);
  flash.write(0, 4, 0x70);
  assert.equal(flash.read(0, 2), 0x80, "no error for an abort by read array");
  assert.deepEqual(stores, []);
});

/** u-boot's buffered write: clear status, read status, 0xE8, count - 1, the data, confirm. */
function bufferedWrite(f: PflashCfi01, at: number, words: number[], size: number, confirm = 0xd0): void {
  f.write(at, size, 0x50);
  f.write(at, size, 0x70);
  f.write(at, size, 0xe8);
  assert.equal(f.read(at, size) & 0x80, 0x80, "buffer available");
  f.write(at, size, words.length - 1);
  words.forEach((w, k) => f.write(at + k * size, size, w));
  f.write(at, size, confirm);
}

test("buffered write (0xE8 .. 0xD0): held until the confirm, then written and stored as one range", () => {
  const { flash, storage, stores } = bench();
  storage.fill(0xff);
  const at = 0x40000;
  const words = Array.from({ length: 1024 }, (_v, k) => (k * 0x01010101 + 0x12345678) >>> 0);
  flash.write(at, 4, 0xe8);
  flash.write(at, 4, words.length - 1);
  words.forEach((w, k) => flash.write(at + 4 * k, 4, w));
  assert.equal(storage[at], 0xff, "nothing before the confirm");
  assert.equal(flash.read(at, 4), 0x00800080);
  flash.write(at, 4, 0xd0);
  assert.deepEqual(stores, [[at, 4096]]);
  flash.write(0, 4, 0xff);
  for (let k = 0; k < words.length; k++) assert.equal(flash.read(at + 4 * k, 4), words[k]);
  // u-boot's 16-bit view of the bank: 1024 halfwords (its 2048-byte buffer).
  const halves = Array.from({ length: 1024 }, (_v, k) => (k * 3 + 1) & 0xffff);
  bufferedWrite(flash, 0x80000, halves, 2);
  assert.equal(flash.read(0x80000, 2) & 0x80, 0x80);
  flash.write(0, 2, 0xff);
  assert.equal(flash.read(0x80000 + 2 * 1023, 2), halves[1023]);
});

test("buffered write errors: wrong confirm, count past the buffer, data outside the buffer's block", () => {
  const { flash, storage, stores } = bench();
  bufferedWrite(flash, 0x1000, [1, 2, 3, 4], 4, 0x77);
  assert.equal(flash.read(0x1000, 2), 0xb0);
  assert.equal(storage[0x1000], 0, "an aborted buffer writes nothing");
  // 1025 data cycles: more than a chip's 1024-word buffer.
  flash.write(0, 4, 0x50);
  flash.write(0, 4, 0xe8);
  flash.write(0, 4, 1024);
  assert.equal(flash.read(0, 2), 0xb0);
  flash.write(0, 4, 0x12345678);
  assert.equal(storage[0], 0, "the data cycle after a refused count is a new (unknown) command");
  // The second word lies in the next 4 KiB buffer block.
  flash.write(0, 4, 0x50);
  flash.write(0x1ffc, 4, 0xe8);
  flash.write(0x1ffc, 4, 1);
  flash.write(0x1ffc, 4, 0x11111111);
  flash.write(0x2000, 4, 0x22222222);
  flash.write(0x1ffc, 4, 0xd0);
  assert.equal(flash.read(0, 2), 0xb0);
  assert.equal(storage[0x1ffc], 0);
  assert.deepEqual(stores, []);
});

test("block lock setup (0x60) with lock, unlock or lock-down: ready, no error; anything else: SR.4|SR.5", () => {
  const { flash } = bench();
  for (const second of [0x01, 0xd0, 0x2f]) {
    flash.write(0x40000, 4, 0x60);
    flash.write(0x40000, 4, second);
    assert.equal(flash.read(0, 2), 0x80, `0x60, 0x${second.toString(16)}`);
  }
  flash.write(0, 4, 0x60);
  flash.write(0, 4, 0x03);
  assert.equal(flash.read(0, 2), 0xb0);
});

test("unknown commands go back to read array and are logged once; AMD's reset too", () => {
  const { flash, logs, modes } = bench();
  flash.write(0x555 * 4, 4, 0xaa);
  flash.write(0x2aa * 4, 4, 0x55);
  flash.write(0x555 * 4, 4, 0xaa);
  assert.equal(flash.readArray, true);
  assert.deepEqual(logs, [
    "unknown command 0xaa ignored (back to read array)",
    "unknown command 0x55 ignored (back to read array)",
  ]);
  assert.deepEqual(modes, [], "never out of read array");
  flash.write(0, 4, 0x98);
  flash.write(0, 4, 0xf0);
  assert.equal(flash.readArray, true);
});

test("garbage from the guest never throws, and writes the array only through program, erase and buffers", () => {
  const { flash, storage } = bench();
  const rng = new Rng(16);
  const sizes = [1, 2, 4];
  // Mostly command bytes the device knows, so that the sequences get somewhere.
  const known = [0x00, 0x10, 0x20, 0x40, 0x50, 0x60, 0x70, 0x90, 0x98, 0xd0, 0xe8, 0xff, 0x01];
  for (let n = 0; n < 200_000; n++) {
    const size = sizes[rng.below(3)];
    const offset = rng.below(VIRT_FLASH_GEOMETRY.size / size) * size;
    const value = rng.below(10) < 7 ? known[rng.below(known.length)] : rng.next();
    if (rng.below(2) === 0) flash.write(offset, size, value);
    else {
      const v = flash.read(offset, size);
      assert.ok(v >= 0 && v < 2 ** (8 * size), `read ${size} at ${offset} = ${v}`);
    }
  }
  // Erase fills with 0xFF and programs write values: the array holds something other than zero.
  assert.ok(storage.some((b) => b !== 0));
});

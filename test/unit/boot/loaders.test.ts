import { test } from "node:test";
import assert from "node:assert/strict";
import { BootError } from "../../../src/boot/boot-error.js";
import { planBoot, type BootInput, type BootPlan, type InitrdRange } from "../../../src/boot/plan.js";

const MiB = 1 << 20;
const RAM_BASE = 0x4000_0000;
/** SVC mode (0x13) with A, I and F masked, ARM state: the core's reset CPSR. */
const SVC_MASKED = 0x1d3;

/** A fake DTB whose size is known; records the initrd range it was built for. */
function input(
  ramSize: number,
  files: Partial<BootInput>,
  dtbSize = 0x2000,
): BootInput & { dtbInitrd: (InitrdRange | null)[] } {
  const dtbInitrd: (InitrdRange | null)[] = [];
  return {
    ram: { base: RAM_BASE, size: ramSize },
    flash: { base: 0, size: 64 * MiB },
    makeDtb: (initrd) => {
      dtbInitrd.push(initrd);
      return new Uint8Array(dtbSize).fill(0xd7);
    },
    dtbInitrd,
    ...files,
  };
}

function le32(bytes: Uint8Array, at: number, v: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, v >>> 0, true);
}

/** A zImage-shaped file: magic at 0x24, start 0 / end = length, little-endian flag. */
function zImage(length = 0x4000): Uint8Array {
  const z = new Uint8Array(length);
  le32(z, 0x24, 0x016f2818);
  le32(z, 0x28, 0);
  le32(z, 0x2c, length);
  le32(z, 0x30, 0x04030201);
  return z;
}

function write(plan: BootPlan, what: string): { addr: number; bytes: Uint8Array } {
  const w = plan.writes.find((x) => x.what === what);
  assert.ok(w, `plan writes the ${what}`);
  return w;
}

function assertBootError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BootError, `BootError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes("\n"), "one-line message");
    return true;
  });
}

// ---- zImage ----

test("zImage: loaded at RAM + 0x10000 with the Linux register state", () => {
  const z = zImage();
  const plan = planBoot(input(512 * MiB, { kernel: z }));
  assert.equal(plan.kind, "zimage");
  assert.equal(write(plan, "kernel").addr, 0x4001_0000);
  assert.equal(write(plan, "kernel").bytes, z);
  assert.equal(plan.entry, 0x4001_0000);
  assert.equal(plan.thumb, false);
  assert.deepEqual(plan.registers, { r0: 0, r1: 0xffff_ffff, r2: plan.dtbAddr });
  assert.equal(plan.cpsr, SVC_MASKED);
  // No initrd: the DTB goes to RAM + 128 MiB.
  assert.equal(plan.dtbAddr, RAM_BASE + 128 * MiB);
  assert.equal(write(plan, "dtb").addr, plan.dtbAddr);
  assert.equal(plan.initrd, null);
});

test("initrd at RAM + 128 MiB, then the DTB page-aligned after it, named in the DTB", () => {
  const initrd = new Uint8Array(0x12345);
  const inp = input(512 * MiB, { kernel: zImage(), initrd });
  const plan = planBoot(inp);
  assert.deepEqual(plan.initrd, { start: 0x4800_0000, end: 0x4801_2345 });
  assert.deepEqual(inp.dtbInitrd, [{ start: 0x4800_0000, end: 0x4801_2345 }]);
  assert.equal(write(plan, "initrd").addr, 0x4800_0000);
  assert.equal(write(plan, "initrd").bytes, initrd);
  assert.equal(plan.dtbAddr, 0x4801_3000);
});

test("with less than 256 MiB of RAM the initrd goes half-way up", () => {
  const plan = planBoot(input(64 * MiB, { kernel: zImage(), initrd: new Uint8Array(100) }));
  assert.equal(plan.initrd?.start, RAM_BASE + 32 * MiB);
});

test("a zImage that states its decompressed size pushes initrd and DTB above the kernel", () => {
  // Tag table at 0x40: KLSZ tag (4 words: size, tag, size_ptr, bss), then ATAG_NONE.
  const z = zImage(0x10000);
  le32(z, 0x34, 0x45454545);
  le32(z, 0x38, 0x40);
  le32(z, 0x40, 4);
  le32(z, 0x44, 0x5a534c4b);
  le32(z, 0x48, 0x100); // size_ptr: the kernel's text+data size is stored at 0x100
  le32(z, 0x4c, 0x10_0000); // bss 1 MiB
  le32(z, 0x50, 0);
  le32(z, 0x100, 200 * MiB);
  const plan = planBoot(input(512 * MiB, { kernel: z, initrd: new Uint8Array(16) }));
  // Decompressed kernel at 0x40008000 up to + 201 MiB; the decompressor moves above it (its own
  // length) and needs 128 KiB of stack and heap.
  const footprint = 0x4000_8000 + 201 * MiB + 0x10000 + 0x20000;
  assert.equal(plan.initrd?.start, Math.ceil(footprint / 0x1000) * 0x1000);
});

test("a zImage linked to a fixed address is loaded there", () => {
  const z = zImage();
  le32(z, 0x28, 0x4100_0000);
  le32(z, 0x2c, 0x4100_0000 + z.length);
  const plan = planBoot(input(512 * MiB, { kernel: z }));
  assert.equal(write(plan, "kernel").addr, 0x4100_0000);
  assert.equal(plan.entry, 0x4100_0000);
});

test("bad zImages: truncated, end before start, big-endian", () => {
  const truncated = zImage(0x4000).subarray(0, 0x3000);
  assertBootError(() => planBoot(input(512 * MiB, { kernel: truncated })), /truncated zImage/);
  const backwards = zImage();
  le32(backwards, 0x2c, 0);
  assertBootError(() => planBoot(input(512 * MiB, { kernel: backwards })), /end .* not after start/);
  const be = zImage();
  le32(be, 0x30, 0x01020304);
  assertBootError(() => planBoot(input(512 * MiB, { kernel: be })), /big-endian/);
});

// ---- uncompressed Image and raw ----

test("an uncompressed Linux Image goes to a 16 MiB-aligned base + 0x8000", () => {
  const image = new Uint8Array(0x10000);
  image.set(new TextEncoder().encode("Linux version 6.1.0-armmp (debian) #1 SMP"), 0x9000);
  const plan = planBoot(input(256 * MiB, { kernel: image }));
  assert.equal(plan.kind, "image");
  assert.equal(plan.entry, 0x4000_8000);
  assert.equal(write(plan, "kernel").addr, 0x4000_8000);
  assert.deepEqual(plan.registers, { r0: 0, r1: 0xffff_ffff, r2: plan.dtbAddr });
});

test("anything else is a raw image at RAM + 0x10000 with the DTB address in r2", () => {
  const raw = Uint8Array.from([0x00, 0x00, 0xa0, 0xe3, 0xfe, 0xff, 0xff, 0xea]); // mov r0, #0; b .
  const plan = planBoot(input(128 * MiB, { kernel: raw }));
  assert.equal(plan.kind, "raw");
  assert.equal(plan.entry, 0x4001_0000);
  assert.equal(plan.registers.r2, plan.dtbAddr);
  assert.equal(plan.dtbAddr, RAM_BASE + 64 * MiB);
});

// ---- ELF ----

interface Seg {
  paddr: number;
  data: number[];
  memsz: number;
  type?: number;
}

/** Builds an ELF32 executable: header, program headers, then the segment bytes. */
function elf(entry: number, segs: Seg[], opts: { machine?: number; cls?: number; data?: number } = {}): Uint8Array {
  const phoff = 52;
  let dataAt = phoff + 32 * segs.length;
  const total = dataAt + segs.reduce((n, s) => n + s.data.length, 0);
  const b = new Uint8Array(total);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, opts.cls ?? 1, opts.data ?? 1, 1]); // ELFCLASS32, ELFDATA2LSB, EV_CURRENT
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, opts.machine ?? 40, true); // EM_ARM
  v.setUint32(20, 1, true);
  v.setUint32(24, entry, true);
  v.setUint32(28, phoff, true);
  v.setUint16(40, 52, true); // e_ehsize
  v.setUint16(42, 32, true); // e_phentsize
  v.setUint16(44, segs.length, true);
  segs.forEach((s, i) => {
    const ph = phoff + 32 * i;
    v.setUint32(ph, s.type ?? 1, true); // PT_LOAD
    v.setUint32(ph + 4, dataAt, true);
    v.setUint32(ph + 8, s.paddr, true); // vaddr
    v.setUint32(ph + 12, s.paddr, true);
    v.setUint32(ph + 16, s.data.length, true);
    v.setUint32(ph + 20, s.memsz, true);
    b.set(s.data, dataAt);
    dataAt += s.data.length;
  });
  return b;
}

test("ELF: PT_LOAD segments at p_paddr, .bss zeroed, Thumb entry from bit 0", () => {
  const file = elf(0x4001_0001, [
    { paddr: 0x4001_0000, data: [0x01, 0x02, 0x03, 0x04], memsz: 4 },
    { paddr: 0x4002_0000, data: [0xaa, 0xbb], memsz: 0x10 },
    { paddr: 0x4003_0000, data: [0xcc], memsz: 1, type: 4 }, // PT_NOTE: not loaded
  ]);
  const plan = planBoot(input(128 * MiB, { kernel: file }));
  assert.equal(plan.kind, "elf");
  assert.equal(plan.entry, 0x4001_0000);
  assert.equal(plan.thumb, true);
  assert.equal(plan.cpsr, SVC_MASKED | 0x20, "T bit set");
  const loads = plan.writes.filter((w) => w.what.startsWith("kernel"));
  assert.deepEqual(
    loads.map((w) => [w.addr, [...w.bytes]]),
    [
      [0x4001_0000, [1, 2, 3, 4]],
      [0x4002_0000, [0xaa, 0xbb]],
      [0x4002_0002, new Array(14).fill(0)],
    ],
  );
  // The image starts 64 KiB into RAM: the DTB fits below it, at the start of RAM (as QEMU does).
  assert.equal(plan.dtbAddr, RAM_BASE);
  assert.equal(plan.registers.r2, RAM_BASE);
});

test("ELF: when the DTB does not fit below the image it goes high", () => {
  const file = elf(0x4000_0000, [{ paddr: 0x4000_0000, data: [0, 0, 0, 0], memsz: 4 }]);
  const plan = planBoot(input(128 * MiB, { kernel: file }));
  assert.equal(plan.dtbAddr, RAM_BASE + 64 * MiB);
  assert.equal(plan.thumb, false);
});

test("ELF: segments may load into flash", () => {
  const file = elf(0x0000_0100, [{ paddr: 0x0000_0100, data: [1, 2, 3, 4], memsz: 4 }]);
  const plan = planBoot(input(128 * MiB, { kernel: file }));
  assert.equal(write(plan, "kernel").addr, 0x100);
  assert.equal(plan.entry, 0x100);
  assert.equal(plan.dtbAddr, RAM_BASE, "RAM is free: DTB at its start");
});

test("bad ELFs: not ARM, 64-bit, big-endian, truncated, no loadable segment, outside memory", () => {
  const ok = (paddr = 0x4001_0000): Seg[] => [{ paddr, data: [1, 2, 3, 4], memsz: 4 }];
  const boot = (k: Uint8Array) => () => planBoot(input(128 * MiB, { kernel: k }));
  assertBootError(boot(elf(0x4001_0000, ok(), { machine: 62 })), /machine 62, not ARM/);
  assertBootError(boot(elf(0x4001_0000, ok(), { cls: 2 })), /32-bit/);
  assertBootError(boot(elf(0x4001_0000, ok(), { data: 2 })), /big-endian/);
  assertBootError(boot(elf(0x4001_0000, ok()).subarray(0, 40)), /truncated ELF/);
  assertBootError(boot(elf(0x4001_0000, ok()).subarray(0, 70)), /truncated ELF/);
  assertBootError(boot(elf(0x4001_0000, ok()).subarray(0, 86)), /truncated ELF/); // segment data cut short
  assertBootError(boot(elf(0x4001_0000, [])), /no loadable segments/);
  assertBootError(boot(elf(0xc000_8000, ok(0xc000_8000))), /outside RAM and flash/);
  assertBootError(boot(elf(0x3000_0000, ok())), /entry point 0x30000000/);
  const bssTooBig: Seg[] = [{ paddr: 0x4001_0000, data: [1], memsz: 200 * MiB }];
  assertBootError(boot(elf(0x4001_0000, bssTooBig)), /outside RAM and flash/);
});

// ---- firmware ----

test("firmware: at address 0 in flash, DTB at the start of RAM, reset registers", () => {
  const bios = new Uint8Array(0x1000).fill(0x11);
  const inp = input(128 * MiB, { bios });
  const plan = planBoot(inp);
  assert.equal(plan.kind, "firmware");
  assert.equal(write(plan, "firmware").addr, 0);
  assert.equal(write(plan, "dtb").addr, RAM_BASE);
  assert.equal(plan.dtbAddr, RAM_BASE);
  assert.equal(plan.entry, 0);
  assert.deepEqual(plan.registers, { r0: 0, r1: 0, r2: 0 });
  assert.equal(plan.cpsr, SVC_MASKED);
  assert.deepEqual(inp.dtbInitrd, [null]);
});

test("bad firmware: empty, larger than flash, with an initrd", () => {
  assertBootError(() => planBoot(input(128 * MiB, { bios: new Uint8Array(0) })), /firmware image is empty/);
  assertBootError(() => planBoot(input(128 * MiB, { bios: new Uint8Array(64 * MiB + 1) })), /does not fit/);
  assertBootError(
    () => planBoot(input(128 * MiB, { bios: new Uint8Array(4), initrd: new Uint8Array(4) })),
    /--initrd needs a kernel/,
  );
});

// ---- general input errors ----

test("nothing, both, or empty inputs", () => {
  assertBootError(() => planBoot(input(128 * MiB, {})), /nothing to boot/);
  assertBootError(
    () => planBoot(input(128 * MiB, { kernel: zImage(), bios: new Uint8Array(4) })),
    /either a kernel or firmware/,
  );
  assertBootError(() => planBoot(input(128 * MiB, { kernel: new Uint8Array(0) })), /kernel image is empty/);
  assertBootError(() => planBoot(input(128 * MiB, { kernel: zImage(), initrd: new Uint8Array(0) })), /initrd is empty/);
});

test("things that do not fit in RAM", () => {
  assertBootError(() => planBoot(input(1 * MiB, { kernel: new Uint8Array(2 * MiB) })), /kernel .* does not fit in RAM/);
  assertBootError(
    () => planBoot(input(16 * MiB, { kernel: zImage(), initrd: new Uint8Array(9 * MiB) })),
    /too small: the initrd/,
  );
  // 128 KiB of RAM: the kernel ends at 64 KiB + 16, a 64 KiB DTB after it would pass the end.
  assertBootError(
    () => planBoot(input(128 * 1024, { kernel: new Uint8Array(16) }, 0x10000)),
    /too small for the kernel and DTB/,
  );
  assertBootError(() => planBoot(input(1 * MiB, { kernel: new Uint8Array(2 * MiB) })), /kernel \(2 MiB\)/);
});

test("every plan's writes are disjoint and inside RAM or flash", () => {
  const plans = [
    planBoot(input(64 * MiB, { kernel: zImage(), initrd: new Uint8Array(3 * MiB) })),
    planBoot(input(128 * MiB, { bios: new Uint8Array(100) })),
    planBoot(input(128 * MiB, { kernel: elf(0x4001_0000, [{ paddr: 0x4001_0000, data: [1], memsz: 0x3000 }]) })),
  ];
  for (const plan of plans) {
    const sorted = [...plan.writes].sort((a, b) => a.addr - b.addr);
    for (let i = 0; i < sorted.length; i++) {
      const w = sorted[i];
      const end = w.addr + w.bytes.length;
      assert.ok((w.addr >= RAM_BASE && end <= RAM_BASE + 128 * MiB) || end <= 64 * MiB, `${w.what} in memory`);
      if (i > 0) assert.ok(sorted[i - 1].addr + sorted[i - 1].bytes.length <= w.addr, `${w.what} overlaps`);
    }
  }
});

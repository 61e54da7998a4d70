import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeCells, decodeStrings, type FdtNode } from "../../../src/board/fdt.js";
import { findNode, parseFdt } from "../../../src/board/fdt-reader.js";
import { buildVirtDtb } from "../../../src/board/virt-dtb.js";
import { VIRT_BOARD } from "../../../src/board/virt.js";
import { decompile, dtcUnavailable, skipLoudly } from "./dtc.js";

const MiB = 1 << 20;

function tree(config: Parameters<typeof buildVirtDtb>[0]): FdtNode {
  return parseFdt(buildVirtDtb(config)).root;
}

function node(root: FdtNode, path: string): FdtNode {
  const n = findNode(root, path);
  assert.ok(n, `node ${path} exists`);
  return n;
}

function cells(n: FdtNode, prop: string): number[] {
  const p = n.getProperty(prop);
  assert.ok(p, `${n.name} has ${prop}`);
  return decodeCells(p.value);
}

function strings(n: FdtNode, prop: string): string[] {
  const p = n.getProperty(prop);
  assert.ok(p, `${n.name} has ${prop}`);
  return decodeStrings(p.value);
}

test("root: two address and size cells, linux,dummy-virt, GIC as interrupt parent", () => {
  const root = tree({ ramSize: 256 * MiB, vcpus: 1 });
  assert.deepEqual(cells(root, "#address-cells"), [2]);
  assert.deepEqual(cells(root, "#size-cells"), [2]);
  assert.deepEqual(strings(root, "compatible"), ["linux,dummy-virt"]);
  const gic = node(root, "/intc@8000000");
  assert.deepEqual(cells(root, "interrupt-parent"), cells(gic, "phandle"));
});

test("memory node covers RAM at 0x40000000", () => {
  const root = tree({ ramSize: 3 * 1024 * MiB, vcpus: 1 });
  const mem = node(root, "/memory@40000000");
  assert.deepEqual(strings(mem, "device_type"), ["memory"]);
  assert.deepEqual(cells(mem, "reg"), [0, 0x4000_0000, 0, 0xc000_0000]);
});

test("one Cortex-A15 cpu node per vcpu, reg = index, PSCI enable method", () => {
  const root = tree({ ramSize: 128 * MiB, vcpus: 4 });
  const cpus = node(root, "/cpus");
  assert.deepEqual(cells(cpus, "#address-cells"), [1]);
  assert.deepEqual(cells(cpus, "#size-cells"), [0]);
  assert.deepEqual(
    cpus.children.map((c) => c.name),
    ["cpu@0", "cpu@1", "cpu@2", "cpu@3"],
  );
  for (let n = 0; n < 4; n++) {
    const cpu = node(root, `/cpus/cpu@${n}`);
    assert.deepEqual(strings(cpu, "device_type"), ["cpu"]);
    assert.deepEqual(strings(cpu, "compatible"), ["arm,cortex-a15"]);
    assert.deepEqual(cells(cpu, "reg"), [n]);
    assert.deepEqual(strings(cpu, "enable-method"), ["psci"]);
  }
});

test("PSCI over HVC with the 0.2 function IDs for the old binding", () => {
  const psci = node(tree({ ramSize: 128 * MiB, vcpus: 1 }), "/psci");
  assert.deepEqual(strings(psci, "compatible"), ["arm,psci-1.0", "arm,psci-0.2", "arm,psci"]);
  assert.deepEqual(strings(psci, "method"), ["hvc"]);
  assert.deepEqual(cells(psci, "cpu_suspend"), [0x8400_0001]);
  assert.deepEqual(cells(psci, "cpu_off"), [0x8400_0002]);
  assert.deepEqual(cells(psci, "cpu_on"), [0x8400_0003]);
  assert.deepEqual(cells(psci, "migrate"), [0x8400_0005]);
});

test("GIC: cortex-a15-gic, distributor 64 KiB then CPU interface 8 KiB, three interrupt cells", () => {
  const gic = node(tree({ ramSize: 128 * MiB, vcpus: 1 }), "/intc@8000000");
  assert.deepEqual(strings(gic, "compatible"), ["arm,cortex-a15-gic"]);
  assert.deepEqual(cells(gic, "reg"), [0, 0x0800_0000, 0, 0x1_0000, 0, 0x0801_0000, 0, 0x2000]);
  assert.deepEqual(cells(gic, "#interrupt-cells"), [3]);
  assert.ok(gic.getProperty("interrupt-controller"));
});

test("timer: PPIs 13, 14, 11, 10, level-high, with the CPU mask of the vcpus", () => {
  for (const [vcpus, mask] of [
    [1, 0x1],
    [3, 0x7],
    [8, 0xff],
  ]) {
    const timer = node(tree({ ramSize: 128 * MiB, vcpus }), "/timer");
    assert.deepEqual(strings(timer, "compatible"), ["arm,armv7-timer"]);
    assert.ok(timer.getProperty("always-on"));
    const f = (mask << 8) | 4;
    assert.deepEqual(cells(timer, "interrupts"), [1, 13, f, 1, 14, f, 1, 11, f, 1, 10, f], `${vcpus} vcpus`);
  }
});

test("pmu: arm,cortex-a15-pmu on PPI 7 (INTID 23), level-high, with the CPU mask of the vcpus", () => {
  for (const [vcpus, mask] of [
    [1, 0x1],
    [4, 0xf],
  ]) {
    const pmu = node(tree({ ramSize: 128 * MiB, vcpus }), "/pmu");
    assert.deepEqual(strings(pmu, "compatible"), ["arm,cortex-a15-pmu"]);
    assert.deepEqual(cells(pmu, "interrupts"), [1, 7, (mask << 8) | 4], `${vcpus} vcpus`);
  }
});

test("PL011 and PL031: PrimeCell compatibles, SPI level-high interrupts, the 24 MHz clock", () => {
  const root = tree({ ramSize: 128 * MiB, vcpus: 1 });
  const clk = node(root, "/apb-pclk");
  assert.deepEqual(strings(clk, "compatible"), ["fixed-clock"]);
  assert.deepEqual(cells(clk, "clock-frequency"), [24_000_000]);
  assert.deepEqual(cells(clk, "#clock-cells"), [0]);
  const ph = cells(clk, "phandle")[0];

  const uart = node(root, "/pl011@9000000");
  assert.deepEqual(strings(uart, "compatible"), ["arm,pl011", "arm,primecell"]);
  assert.deepEqual(cells(uart, "reg"), [0, 0x0900_0000, 0, 0x1000]);
  assert.deepEqual(cells(uart, "interrupts"), [0, 1, 4]);
  assert.deepEqual(cells(uart, "clocks"), [ph, ph]);
  assert.deepEqual(strings(uart, "clock-names"), ["uartclk", "apb_pclk"]);

  const rtc = node(root, "/pl031@9010000");
  assert.deepEqual(strings(rtc, "compatible"), ["arm,pl031", "arm,primecell"]);
  assert.deepEqual(cells(rtc, "reg"), [0, 0x0901_0000, 0, 0x1000]);
  assert.deepEqual(cells(rtc, "interrupts"), [0, 2, 4]);
  assert.deepEqual(cells(rtc, "clocks"), [ph]);
  assert.deepEqual(strings(rtc, "clock-names"), ["apb_pclk"]);
});

test("no virtio-mmio nodes without devices", () => {
  const root = tree({ ramSize: 128 * MiB, vcpus: 1 });
  assert.equal(root.children.filter((c) => c.name.startsWith("virtio_mmio@")).length, 0);
});

test("occupied virtio-mmio slots at 0x0A000000 + 0x200n, SPI 16+n edge-rising, dma-coherent; no others", () => {
  const occupied = [0, 1, 5, 31];
  const root = tree({ ramSize: 128 * MiB, vcpus: 1, virtioSlots: occupied });
  const slots = root.children.filter((c) => c.name.startsWith("virtio_mmio@"));
  assert.equal(slots.length, occupied.length);
  for (const n of occupied) {
    const base = 0x0a00_0000 + 0x200 * n;
    const slot = node(root, `/virtio_mmio@${base.toString(16)}`);
    assert.deepEqual(strings(slot, "compatible"), ["virtio,mmio"]);
    assert.deepEqual(cells(slot, "reg"), [0, base, 0, 0x200]);
    assert.deepEqual(cells(slot, "interrupts"), [0, 16 + n, 1]);
    assert.ok(slot.getProperty("dma-coherent"));
  }
});

test("every board entry with a node appears at its table address", () => {
  const root = tree({
    ramSize: 128 * MiB,
    vcpus: 1,
    virtioSlots: Array.from({ length: 32 }, (_v, n) => n),
    flash: true,
  });
  for (const entry of VIRT_BOARD) {
    if (entry.dtNode === null) continue;
    const n = node(root, `/${entry.dtNode}@${entry.base.toString(16)}`);
    assert.deepEqual(cells(n, "reg").slice(0, 4), [0, entry.base, 0, entry.size], entry.name);
  }
});

test("flash: one cfi-flash node for both banks, as QEMU's virt (dtc of its dumpdtb), only with flash", () => {
  const n = node(tree({ ramSize: 128 * MiB, vcpus: 1, flash: true }), "/flash@0");
  assert.deepEqual(strings(n, "compatible"), ["cfi-flash"]);
  // QEMU 7.2: reg = <0x00 0x00 0x00 0x4000000 0x00 0x4000000 0x00 0x4000000>; bank-width = <0x04>;
  assert.deepEqual(cells(n, "reg"), [0, 0, 0, 0x0400_0000, 0, 0x0400_0000, 0, 0x0400_0000]);
  assert.deepEqual(cells(n, "bank-width"), [4]);
  assert.equal(findNode(tree({ ramSize: 128 * MiB, vcpus: 1 }), "/flash@0"), null);
});

test("chosen: bootargs, stdout-path to the PL011, initrd range in two cells", () => {
  const root = tree({
    ramSize: 512 * MiB,
    vcpus: 1,
    bootargs: "console=ttyAMA0 rdinit=/init",
    initrd: { start: 0x4800_0000, end: 0x4812_3456 },
  });
  const chosen = node(root, "/chosen");
  assert.deepEqual(strings(chosen, "bootargs"), ["console=ttyAMA0 rdinit=/init"]);
  assert.deepEqual(strings(chosen, "stdout-path"), ["/pl011@9000000"]);
  assert.ok(findNode(root, "/pl011@9000000"), "stdout-path names a real node");
  assert.deepEqual(cells(chosen, "linux,initrd-start"), [0, 0x4800_0000]);
  assert.deepEqual(cells(chosen, "linux,initrd-end"), [0, 0x4812_3456]);

  const bare = node(tree({ ramSize: 128 * MiB, vcpus: 1 }), "/chosen");
  assert.equal(bare.getProperty("bootargs"), null);
  assert.equal(bare.getProperty("linux,initrd-start"), null);
});

test("impossible configurations are refused", () => {
  assert.throws(() => buildVirtDtb({ ramSize: 128 * MiB, vcpus: 0 }), RangeError);
  assert.throws(() => buildVirtDtb({ ramSize: 128 * MiB, vcpus: 9 }), RangeError);
  assert.throws(() => buildVirtDtb({ ramSize: 0, vcpus: 1 }), RangeError);
  assert.throws(() => buildVirtDtb({ ramSize: 4096 * MiB, vcpus: 1 }), RangeError);
  assert.throws(() => buildVirtDtb({ ramSize: 1000, vcpus: 1 }), RangeError);
  assert.throws(
    () => buildVirtDtb({ ramSize: 128 * MiB, vcpus: 1, initrd: { start: 0x4800_0000, end: 0x4900_0000 } }),
    RangeError,
  );
});

test("dtc decodes the virt DTB with no warnings", (t) => {
  const why = dtcUnavailable();
  if (why !== null) return skipLoudly(t, why);
  for (const vcpus of [1, 8]) {
    const dtb = buildVirtDtb({
      ramSize: 256 * MiB,
      vcpus,
      bootargs: "console=ttyAMA0",
      initrd: { start: 0x4800_0000, end: 0x4810_0000 },
    });
    const { status, dts, stderr } = decompile(dtb);
    assert.equal(status, 0);
    assert.equal(stderr, "", `dtc warnings with ${vcpus} vcpus`);
    assert.match(dts, /compatible = "arm,pl011\\0arm,primecell";/);
    assert.match(dts, /stdout-path = "\/pl011@9000000";/);
  }
});

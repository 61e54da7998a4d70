import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeCells } from "../../../src/board/fdt.js";
import { findNode, parseFdt } from "../../../src/board/fdt-reader.js";
import { BootError } from "../../../src/boot/boot-error.js";
import { planVirtBoot } from "../../../src/boot/virt-boot.js";

const MiB = 1 << 20;

test("the virt plan's DTB describes the RAM, the CPUs and where the initrd was put", () => {
  const plan = planVirtBoot({
    ramSize: 256 * MiB,
    vcpus: 2,
    bootargs: "console=ttyAMA0",
    kernel: new Uint8Array(64),
    initrd: new Uint8Array(5000),
  });
  const dtb = plan.writes.find((w) => w.what === "dtb");
  assert.ok(dtb);
  assert.equal(dtb.addr, plan.dtbAddr);
  const root = parseFdt(dtb.bytes).root;
  const chosen = findNode(root, "/chosen");
  assert.ok(chosen && plan.initrd);
  assert.deepEqual(decodeCells(chosen.getProperty("linux,initrd-start")!.value), [0, plan.initrd.start]);
  assert.deepEqual(decodeCells(chosen.getProperty("linux,initrd-end")!.value), [0, plan.initrd.end]);
  assert.deepEqual(decodeCells(findNode(root, "/memory@40000000")!.getProperty("reg")!.value), [
    0,
    0x4000_0000,
    0,
    256 * MiB,
  ]);
  assert.ok(findNode(root, "/cpus/cpu@1"));
  assert.equal(findNode(root, "/cpus/cpu@2"), null);
});

test("impossible board configurations come back as BootError", () => {
  assert.throws(() => planVirtBoot({ ramSize: 128 * MiB, vcpus: 9, kernel: new Uint8Array(4) }), BootError);
  assert.throws(() => planVirtBoot({ ramSize: 5000, vcpus: 1, kernel: new Uint8Array(4) }), BootError);
});

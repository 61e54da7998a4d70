import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRunOptions, parseSize, UsageError } from "../../../src/cli/options.js";

test("sizes follow QEMU: suffixes, bare numbers are MiB", () => {
  assert.equal(parseSize("256M"), 256 << 20);
  assert.equal(parseSize("1G"), 1 << 30);
  assert.equal(parseSize("64"), 64 << 20);
  assert.equal(parseSize("512k"), 512 << 10);
  assert.throws(() => parseSize("3Q"), UsageError);
});

test("bad options give one-line usage errors", () => {
  for (const args of [
    ["--mem", "3Q"],
    ["--smp", "0"],
    ["--smp", "9"],
    ["--mem", "4G"],
    ["--clock", "fast"],
    ["--bogus"],
  ]) {
    assert.throws(
      () => parseRunOptions(args),
      (e: unknown) => e instanceof UsageError && !e.message.includes("\n"),
      args.join(" "),
    );
  }
});

test("defaults and trace kinds", () => {
  const o = parseRunOptions(["--trace", "vgic,psci", "--smp", "4", "--clock", "icount"]);
  assert.equal(o.smp, 4);
  assert.equal(o.clock, "icount");
  assert.deepEqual([...o.trace].sort(), ["psci", "vgic"]);
  assert.equal(parseRunOptions([]).memBytes, 512 << 20);
});

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

test("--share DIR[,tag=TAG][,readonly]: default tag 'share', repeatable, tags checked and unique", () => {
  assert.deepEqual(parseRunOptions([]).shares, []);
  assert.deepEqual(parseRunOptions(["--share", "/a", "--share", "/b,tag=data,readonly"]).shares, [
    { path: "/a", tag: "share", readonly: false },
    { path: "/b", tag: "data", readonly: true },
  ]);
  assert.equal(parseRunOptions(["--share", "/a,readonly=off"]).shares[0].readonly, false);
  assert.equal(parseRunOptions(["--share", `/a,tag=${"t".repeat(31)}`]).shares[0].tag.length, 31);
  for (const bad of [
    ["--share", "/a,tag="],
    ["--share", `/a,tag=${"t".repeat(32)}`],
    ["--share", "/a,tag=has space"],
    ["--share", "/a,tag=\u00e9t\u00e9"],
    ["--share", "/a,cache=loose"],
    ["--share", ",readonly"],
    ["--share", "/a", "--share", "/b"],
    ["--share", "/a,tag=x", "--share", "/b,tag=x"],
  ]) {
    assert.throws(() => parseRunOptions(bad), UsageError, bad.join(" "));
  }
});

test("--gdb PORT (QEMU's tcp::PORT spelling too) and --gdb-wait, which needs it", () => {
  assert.equal(parseRunOptions([]).gdbPort, undefined);
  assert.equal(parseRunOptions([]).gdbWait, false);
  assert.equal(parseRunOptions(["--gdb", "1234"]).gdbPort, 1234);
  assert.equal(parseRunOptions(["--gdb", "tcp::1234"]).gdbPort, 1234);
  assert.equal(parseRunOptions(["--gdb", "0", "--gdb-wait"]).gdbWait, true);
  for (const bad of [["--gdb", "65536"], ["--gdb", "x"], ["--gdb", "-1"], ["--gdb", "host:1"], ["--gdb-wait"]]) {
    assert.throws(() => parseRunOptions(bad), UsageError, bad.join(" "));
  }
});

test("--pflash FILE[,bank=N]: bank 0 then bank 1, or the bank named; none by default", () => {
  assert.deepEqual(parseRunOptions([]).pflash, [null, null]);
  assert.deepEqual(parseRunOptions(["--pflash", "a.img"]).pflash, ["a.img", null]);
  assert.deepEqual(parseRunOptions(["--pflash", "a.img", "--pflash", "b.img"]).pflash, ["a.img", "b.img"]);
  assert.deepEqual(parseRunOptions(["--pflash", "env.img,bank=1"]).pflash, [null, "env.img"]);
  assert.deepEqual(parseRunOptions(["--bios", "u.bin", "--pflash", "env.img,bank=1"]).pflash, [null, "env.img"]);
  assert.throws(() => parseRunOptions(["--pflash", "env.img,bank=1", "--pflash", "x.img"]), UsageError);
  assert.throws(() => parseRunOptions(["--bios", "u.bin", "--pflash", "a.img"]), /--bios and a bank 0 --pflash/);
});

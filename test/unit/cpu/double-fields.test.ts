// The core's fields that hold unsigned 32-bit values or counts past 2^31 are doubles from the start
// (double-field.ts): the first such value must not give the Cpu, its CP15, its exit record or its
// VFP state a new hidden class, which would throw away every translated block optimized so far.

import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { makeCpu } from "../../helpers/cpu-harness.js";

setFlagsFromString("--allow-natives-syntax");
// Compiled after the flag is set, so V8 parses the intrinsic.
const sameMap = new Function("a", "b", "return %HaveSameMap(a, b);") as (a: object, b: object) => boolean;

test("large unsigned values keep the core's hidden classes", () => {
  const plain = makeCpu().cpu;
  const { cpu } = makeCpu();
  cpu.restorePrivate(2 ** 33, 0, 0);
  cpu.abortFar = 0xc0001000;
  cpu.exclusiveAddr = 0xbefff000;
  cpu.cp15.dfar = 0xc0002000;
  cpu.cp15.ifar = 0xffff0000;
  cpu.exit.hsr = 0x93c00006;
  cpu.exit.hdfar = 0xc0003000;
  cpu.vfp.fpscr = 0x80000000;
  assert.equal(cpu.instructions, 2 ** 33);
  assert.ok(sameMap(cpu, plain), "Cpu");
  assert.ok(sameMap(cpu.cp15, plain.cp15), "Cp15");
  assert.ok(sameMap(cpu.exit, plain.exit), "ExitInfo");
  assert.ok(sameMap(cpu.vfp, plain.vfp), "VfpState");
});

test("the double fields read as +0 after construction", () => {
  const { cpu } = makeCpu();
  for (const v of [
    cpu.instructions,
    cpu.abortFar,
    cpu.cp15.dfar,
    cpu.cp15.ifar,
    cpu.exit.hsr,
    cpu.exit.hdfar,
    cpu.vfp.fpscr,
  ]) {
    assert.ok(Object.is(v, 0), String(v));
  }
  assert.equal(cpu.exclusiveAddr, -1);
});

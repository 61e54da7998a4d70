// The lockstep harness checks itself: faults injected into armvmm's state after a chosen
// instruction must be reported there, naming what differs; a limit stops a run cleanly; console
// output is compared. Needs qemu-system-arm (skipped loudly without it).

import { test } from "node:test";
import assert from "node:assert/strict";
import { runLockstep } from "./lockstep.js";
import { guestImage, skipWithoutQemu } from "./qemu-skip.js";

const T = { timeout: 120_000 };

test("a corrupted core register is reported after the instruction that preceded it", T, async (t) => {
  if (skipWithoutQemu(t)) return;
  const r = await runLockstep({
    ...guestImage("cpu-dp-arm"),
    memMiB: 128,
    fpu: false,
    afterStep: (m, n) => {
      if (n === 200) m.cpu.r[5] ^= 0x10;
    },
  });
  assert.equal(r.ok, false);
  assert.equal(r.end, "divergence");
  assert.equal(r.instructions, 199, r.report);
  assert.match(r.report, /^ {2}r5 .*<-- differs$/m);
  assert.doesNotMatch(r.report, /^ {2}r4 .*<-- differs$/m);
  assert.match(r.report, /instruction: 4001[0-9a-f]{4} <test_body\+0x[0-9a-f]+> A32/);
});

test("a flipped carry flag is reported as a CPSR difference", T, async (t) => {
  if (skipWithoutQemu(t)) return;
  const r = await runLockstep({
    ...guestImage("cpu-dp-thumb"),
    memMiB: 128,
    fpu: false,
    afterStep: (m, n) => {
      if (n === 321) m.cpu.c ^= 1;
    },
  });
  assert.equal(r.instructions, 320, r.report);
  assert.match(r.report, /^ {2}cpsr .*<-- differs/m);
  assert.match(r.report, /T32/);
});

test("with --fpu a corrupted VFP register is reported; without it, it is not compared", T, async (t) => {
  if (skipWithoutQemu(t)) return;
  const inject = (n: number) => (m: { cpu: { vfp: { w: Int32Array } } }, k: number) => {
    if (k === n) m.cpu.vfp.w[2 * 7 + 1] ^= 0x00080000; // D7, high word
  };
  const withFpu = await runLockstep({ ...guestImage("cpu-vfp-arm"), memMiB: 128, fpu: true, afterStep: inject(40) });
  assert.equal(withFpu.ok, false);
  assert.equal(withFpu.instructions, 39, withFpu.report);
  assert.match(withFpu.report, /^ {2}d7 .*<-- differs$/m);
  // Without VFP comparison the corruption only shows if it reaches a core register or the flags.
  const early = await runLockstep({
    ...guestImage("cpu-vfp-arm"),
    memMiB: 128,
    fpu: false,
    maxInstructions: 41,
    afterStep: inject(40),
  });
  assert.equal(early.ok, true, early.report);
});

test("a limit ends the run successfully at exactly that many instructions", T, async (t) => {
  if (skipWithoutQemu(t)) return;
  const r = await runLockstep({ ...guestImage("gen-dp-arm"), memMiB: 128, fpu: false, maxInstructions: 1000 });
  assert.equal(r.ok, true, r.report);
  assert.equal(r.end, "max-instructions");
  assert.equal(r.instructions, 1000);
});

test("console output is compared at the end", T, async (t) => {
  if (skipWithoutQemu(t)) return;
  const good = await runLockstep({ ...guestImage("hello"), memMiB: 128, fpu: false });
  assert.equal(good.ok, true, good.report);
  assert.match(good.qemuConsole, /^hello from armvmm guest/);
  assert.equal(good.armvmmConsole, good.qemuConsole);
  const bad = await runLockstep({
    ...guestImage("hello"),
    memMiB: 128,
    fpu: false,
    afterStep: (m, n) => {
      if (n === 10) m.traps.console += "!";
    },
  });
  assert.equal(bad.ok, false);
  assert.match(bad.report, /console output differs/);
});

// Level 3 of the test plan: the CPU test guests (guests/cpu-*, hand-written per instruction class
// in ARM and Thumb; guests/gen-*, random operands) and two library guests run in lockstep with QEMU,
// state compared after every instruction (VFP registers too for the VFP guests). Any divergence
// fails with the harness's report. Needs qemu-system-arm (skipped loudly without it).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { runLockstep } from "./lockstep.js";
import { GUEST_BIN, guestImage, skipWithoutQemu } from "./qemu-skip.js";

const names = readdirSync(GUEST_BIN)
  .filter((f) => /^(cpu|gen)-.*\.bin$/.test(f))
  .map((f) => f.slice(0, -4))
  .sort();
// Library guests: console output through PL011 MMIO, UNDEF/SVC handlers, a timer interrupt.
names.push("hello", "libcheck");

test("the CPU test guests are present", () => {
  assert.ok(names.length >= 20, `only ${names.length} CPU test guests in guests/bin`);
});

for (const name of names) {
  test(`lockstep with QEMU: ${name}`, { timeout: 180_000 }, async (t) => {
    if (skipWithoutQemu(t)) return;
    const r = await runLockstep({ ...guestImage(name), memMiB: 128, fpu: name.includes("vfp") });
    assert.ok(r.ok, r.report);
    assert.equal(r.end, "guest-ended", r.report);
    assert.ok(r.instructions > 40, `only ${r.instructions} instructions ran: ${r.report}`);
  });
}

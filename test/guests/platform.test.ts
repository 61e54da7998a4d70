// The platform guest (guests/platform) checks issue 3's evidence from inside a guest on 4 vcpus:
// SMP bring-up and PSCI errors, unmapped MMIO as external aborts, the PL011 and PL031. Its console
// check takes a line by interrupt and echoes it in upper case, so the line is fed on stdin here.

import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli, guestSummary, guestImage } from "./cli-runner.js";

/** The guest makes 125 checks on 4 vcpus with input: 13 PSCI calls, 47 for bring-up and CPU_OFF (7
 * per report, 4 reports), 32 for unmapped MMIO (8 per access, 4 accesses), 14 PL011 registers,
 * 15 PL031, the echo (2), and no stray interrupts or exceptions (2). Fewer vcpus, or a part
 * skipped, would fall short. */
const MIN_PASSED = 125;

test("platform guest on 4 vcpus: PSCI, unmapped MMIO, PL011 echo, PL031, all pass", async () => {
  const r = await runCli(["run", "--kernel", guestImage("platform"), "--smp", "4", "--clock", "icount"], {
    input: "hello armvmm\n",
  });
  const summary = guestSummary(r.stdout, "platform");
  assert.ok(summary, `no summary line:\n${r.stdout}\n${r.stderr}`);
  const failures = r.stdout.split("\n").filter((l) => l.startsWith("FAIL"));
  assert.deepEqual(failures, []);
  assert.equal(summary.failed, 0);
  assert.ok(summary.passed >= MIN_PASSED, `only ${summary.passed} checks passed`);
  assert.match(r.stdout, /^platform: 4 cpus, on armvmm$/m);
  assert.match(r.stdout, /^echo: HELLO ARMVMM\r?$/m, "the typed line comes back in upper case");
  assert.match(r.stdout, /^PASS: cpu 2: started in Thumb state/m);
  // The VMM reports each unmapped address once, as a one-line warning, and carries on.
  assert.match(r.stderr, /unmapped IPA 0x0c000000/);
  assert.match(r.stderr, /unmapped IPA 0x20000000/);
  assert.doesNotMatch(r.stderr, /emulator fault|error/);
  assert.equal(r.code, 0, r.stderr);
});

test("platform guest without input reports the console check as failed, and still powers off", async () => {
  const r = await runCli(["run", "--kernel", guestImage("platform"), "--smp", "4", "--clock", "icount"], {
    input: "",
  });
  const summary = guestSummary(r.stdout, "platform");
  assert.ok(summary, `no summary line:\n${r.stdout}\n${r.stderr}`);
  assert.deepEqual(
    r.stdout.split("\n").filter((l) => l.startsWith("FAIL")),
    ["FAIL: console line received by interrupt (no end of line after 5000 ms without input (0 bytes))"],
  );
  assert.doesNotMatch(r.stdout, /^echo:/m);
  assert.equal(r.code, 0);
});

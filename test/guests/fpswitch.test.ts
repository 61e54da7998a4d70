// The fpswitch guest: two vcpus on one thread (icount) share a VFP register file and each keeps
// its own D0-D31 through hundreds of slices, because the hypervisor switches the file lazily on
// HCPTR traps; --stats counts those traps per vcpu. JIT on and off print the same bytes. On vcpu
// threads (host clock) each vcpu has a register file of its own and passes too.

import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli, guestSummary, guestImage, type CliResult } from "./cli-runner.js";

function assertPassed(r: CliResult): void {
  const summary = guestSummary(r.stdout, "fpswitch");
  assert.ok(summary, `no summary:\n${r.stdout}\n${r.stderr}`);
  assert.deepEqual(
    r.stdout.split("\n").filter((l) => l.startsWith("FAIL")),
    [],
  );
  assert.equal(summary.passed, 3);
  assert.equal(r.code, 0, r.stderr);
}

/** The "fp trap" row of --stats: one count per vcpu. */
function fpTraps(stderr: string): number[] {
  const m = /^fp trap((?: +\d+)+)$/m.exec(stderr);
  assert.ok(m, `no fp trap row:\n${stderr}`);
  return m[1].trim().split(/ +/).map(Number);
}

test("fpswitch: two vcpus keep their own VFP registers on one thread, switched by lazy FP traps", async () => {
  const args = ["run", "--kernel", guestImage("fpswitch"), "--clock", "icount", "--smp", "2", "--stats"];
  const on = await runCli(args);
  const off = await runCli([...args, "--jit", "off"]);
  assertPassed(on);
  assertPassed(off);
  assert.equal(on.stdout, off.stdout);
  const traps = fpTraps(on.stderr);
  assert.deepEqual(traps, fpTraps(off.stderr), "the same traps with the interpreter alone");
  // At least one switch per round of the guest's (200), on both vcpus.
  assert.ok(traps.length === 2 && traps.every((n) => n >= 200), `fp traps ${traps.join(", ")}`);
});

test("fpswitch on vcpu threads (host clock)", async () => {
  assertPassed(await runCli(["run", "--kernel", guestImage("fpswitch"), "--smp", "2"]));
});

// The project's own bare-metal guests check the machine from inside and print PASS/FAIL lines and
// a summary; each runs here through the CLI in deterministic mode and must power off cleanly.

import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli, guestSummary, guestImage } from "./cli-runner.js";

async function expectGuestPasses(name: string, smp: number, minPassed: number): Promise<void> {
  const r = await runCli(["run", "--kernel", guestImage(name), "--clock", "icount", "--smp", String(smp)]);
  const summary = guestSummary(r.stdout, name);
  const failures = r.stdout.split("\n").filter((l) => l.startsWith("FAIL"));
  assert.ok(summary, `no summary line from ${name} on ${smp} vcpu(s):\n${r.stdout}\n${r.stderr}`);
  assert.deepEqual(failures, [], `${name} on ${smp} vcpu(s) reported failures`);
  assert.equal(summary.failed, 0);
  assert.ok(summary.passed >= minPassed, `${name}: only ${summary.passed} checks ran`);
  assert.equal(r.code, 0, `exit status after power off: ${r.stderr}`);
}

for (const smp of [1, 2, 3, 4]) {
  test(`vgic guest on ${smp} vcpu(s)`, () => expectGuestPasses("vgic", smp, 20));
}

for (const smp of [1, 2]) {
  test(`timer guest on ${smp} vcpu(s)`, () => expectGuestPasses("timer", smp, 50));
}

test("guest library self-check (PSCI bring-up and errors, SGIs) on 4 vcpus", () =>
  expectGuestPasses("libcheck", 4, 10));

test("the heartbeat (default guest) beats ten times per vcpu in icount mode, exactly on time", async () => {
  const r = await runCli(["run", "--clock", "icount"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /vcpu 0 +10 beats every 200 ms +interval error: mean 0 us, worst \+0 us/);
  assert.match(r.stdout, /vcpu 1 +10 beats every 300 ms +interval error: mean 0 us, worst \+0 us/);
  assert.match(r.stdout, /SGIs from vcpu 1 to vcpu 0: 10 sent, 10 received/);
  assert.match(r.stdout, /heartbeat: ok/);
});

test("icount runs are deterministic: same output and statistics twice", async () => {
  const a = await runCli(["run", "--clock", "icount", "--stats"]);
  const b = await runCli(["run", "--clock", "icount", "--stats"]);
  assert.equal(a.code, 0);
  assert.equal(a.stdout, b.stdout);
  const statsOf = (s: string) => s.replace(/host CPU in guest [\d.]+ s/, "");
  assert.equal(statsOf(a.stderr), statsOf(b.stderr));
  assert.match(a.stderr, /instructions/);
});

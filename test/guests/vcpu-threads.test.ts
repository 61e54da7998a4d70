// The project's guests with a host thread per vcpu (host clock, the default run mode): the vgic,
// timer, platform and library checks at 1–4 vcpus, the heartbeat, traces merged in time order,
// and the host's handling of guests that hang and of a failing vcpu thread. (The SMP memory
// semantics guests are in smp-memory.test.ts; icount runs, on one thread, in self-checking.test.ts.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { CLI, ROOT, guestImage, guestSummary, runCli, runCliOnPty, type CliResult } from "./cli-runner.js";

async function passesOnThreads(name: string, smp: number, minPassed: number, extra: string[] = []): Promise<CliResult> {
  const r = await runCli(["run", "--kernel", guestImage(name), "--smp", String(smp), ...extra], { timeoutMs: 120_000 });
  const summary = guestSummary(r.stdout, name);
  const failures = r.stdout.split("\n").filter((l) => l.startsWith("FAIL"));
  assert.ok(summary, `no summary from ${name} on ${smp} vcpu threads:\n${r.stdout}\n${r.stderr}`);
  assert.deepEqual(failures, [], `${name} on ${smp} vcpu threads reported failures`);
  assert.ok(summary.passed >= minPassed, `${name}: only ${summary.passed} checks ran`);
  assert.equal(r.code, 0, `exit status: ${r.stderr}`);
  return r;
}

for (const smp of [1, 2, 3, 4]) {
  test(`vgic guest on ${smp} vcpu thread(s)`, async () => {
    await passesOnThreads("vgic", smp, 20);
  });
}
for (const smp of [1, 2]) {
  test(`timer guest on ${smp} vcpu thread(s); no host timer fires before its deadline`, async () => {
    const r = await passesOnThreads("timer", smp, 50, ["--stats"]);
    const early = /^ {2}fired early((?: +\d+)+) *$/m.exec(r.stderr);
    assert.ok(early, `no "fired early" row in --stats:\n${r.stderr}`);
    assert.deepEqual(early[1].trim().split(/ +/).map(Number), new Array<number>(smp).fill(0));
  });
}
test("guest library self-check (PSCI bring-up, SGIs) on 4 vcpu threads", async () => {
  await passesOnThreads("libcheck", 4, 10);
});

test("the heartbeat on vcpu threads: ten beats per vcpu, SGIs received, power off", async () => {
  const r = await runCli(["run", "--stats"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /vcpu 0 +10 beats every 200 ms/);
  assert.match(r.stdout, /vcpu 1 +10 beats every 300 ms/);
  assert.match(r.stdout, /SGIs from vcpu 1 to vcpu 0: 10 sent, 10 received/);
  assert.match(r.stdout, /heartbeat: ok/);
  // --stats comes from the threads: both vcpus ran and blocked in WFI (on a loaded host a beat may
  // find its deadline passed before the vcpu reaches WFI, so not necessarily once per beat).
  assert.match(r.stderr, /\(vcpu threads\)/);
  const wfi = /^wfi +(\d+) +(\d+)$/m.exec(r.stderr);
  assert.ok(wfi && Number(wfi[1]) >= 5 && Number(wfi[2]) >= 5, `wfi exits per vcpu:\n${r.stderr}`);
  const irqs = /^vtimer irq \(ppi 27\) +(\d+) +(\d+)$/m.exec(r.stderr);
  assert.ok(irqs && Number(irqs[1]) >= 10 && Number(irqs[2]) >= 10, `timer interrupts per vcpu:\n${r.stderr}`);
});

test("--trace vgic,vtimer on vcpu threads: lines from both vcpus, in guest-time order", async () => {
  const r = await runCli(["run", "--trace", "vgic,vtimer"]);
  assert.equal(r.code, 0, r.stderr);
  const times: number[] = [];
  const vcpus = new Set<string>();
  for (const line of r.stderr.split("\n")) {
    const m = /^(?:vgic|vtimer) ([\d.]+)us (vcpu\d)/.exec(line);
    if (!m) continue;
    times.push(Number(m[1]));
    vcpus.add(m[2]);
  }
  assert.ok(times.length > 100, `only ${times.length} trace lines`);
  assert.deepEqual([...vcpus].sort(), ["vcpu0", "vcpu1"]);
  for (let k = 1; k < times.length; k++) assert.ok(times[k] >= times[k - 1], `line ${k} goes back in time`);
});

test("--vcpu-threads off runs the same guest on one thread", async () => {
  const r = await runCli(["run", "--vcpu-threads", "off", "--stats"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /heartbeat: ok/);
  assert.doesNotMatch(r.stderr, /vcpu threads/);
});

test("a vcpu spinning with interrupts masked does not stop the others; a signal still ends the VM", async () => {
  const child = spawn(process.execPath, [CLI, "run", "--kernel", guestImage("hang"), "--smp", "2"], { cwd: ROOT });
  let out = "";
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const limit = setTimeout(() => reject(new Error(`no progress from vcpu 0:\n${out}\n${err}`)), 60_000);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes("now vcpu 0 spins too")) {
        clearTimeout(limit);
        resolve();
      }
    });
  });
  assert.match(out, /vcpu 0 took 5 timer interrupts meanwhile/);
  const start = performance.now();
  child.kill("SIGTERM");
  const code = await exited;
  assert.ok(performance.now() - start < 5000, "the VM took more than 5 s to end");
  assert.notEqual(code, 0);
  assert.match(err, /^armvmm: stopped by SIGTERM$/m);
});

test("Ctrl-A x ends a VM whose every vcpu spins with interrupts masked (under a terminal)", async () => {
  const run = runCliOnPty(["run", "--kernel", guestImage("hang"), "--smp", "2"]);
  await run.until("now vcpu 0 spins too");
  const start = performance.now();
  run.type("\x01x");
  const code = await run.exited;
  assert.ok(performance.now() - start < 5000, "Ctrl-A x took more than 5 s");
  assert.equal(code, 0, run.output());
  assert.match(run.output(), /armvmm: quit/);
});

test("an exception inside a vcpu thread ends the VM with one line and a non-zero exit", async () => {
  const r = await runCli(["run"], { env: { ARMVMM_FAULT_INJECT: "vcpu-thread" } });
  assert.notEqual(r.code, 0);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `expected one line:\n${r.stderr}`);
  assert.match(lines[0], /^armvmm: error: .*vcpu thread.*injected fault/);
});

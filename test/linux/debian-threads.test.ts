// Debian's armmp kernel on vcpu threads (host clock, the default run mode): two and four vcpus,
// each on a host thread of its own, boot to the test init, run its commands and power off. What the icount
// test checks of the interrupt and timer paths must hold when the vcpus really run at once: the
// tick on every CPU, IPIs both ways, PSCI bring-up, no kernel warnings (no RCU stall, no soft
// lockup), no spurious interrupt.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { guestCacheDir } from "../../src/cli/guests.js";
import { runCli, type CliResult } from "../guests/cli-runner.js";
import { failIfMissing, skipOption } from "../helpers/required.js";
import { findRow, kernelLog, parseInterruptTables, sum, troubleLines } from "./linux-output.js";

const RUN_LIMIT_MS = 10 * 60_000;
const CACHE = guestCacheDir();
const MISSING = ["vmlinuz", "initrd-test.cpio.gz"].filter((f) => !existsSync(join(CACHE, f)));
const ABSENT =
  MISSING.length > 0
    ? `Debian guest missing (${MISSING.map((f) => join(CACHE, f)).join(", ")}): the Linux-on-threads test is ` +
      `skipped; fetch the guests with 'npm run guests' (needs Debian's apt)`
    : false;

function describeRun(r: CliResult): string {
  const tail = (s: string) => s.split("\n").slice(-25).join("\n");
  return `exit ${r.code}\n--- last console lines ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`;
}

for (const SMP of [2, 4]) {
  test(
    `Debian on ${SMP} vcpu threads (host clock): test init, tick and IPIs on every CPU, power off`,
    { skip: skipOption(ABSENT), timeout: RUN_LIMIT_MS + 60_000 },
    async () => {
      failIfMissing(ABSENT);
      const args = ["run", "--guest", "debian-test", "--append", "console=ttyAMA0 cryptomgr.notests"];
      const r = await runCli([...args, "--smp", String(SMP), "--stats"], { timeoutMs: RUN_LIMIT_MS });
      let from = 0;
      for (const marker of ["armvmm-init: up", `armvmm-test: cpus ${SMP}`, "armvmm-test: done", "reboot: Power down"]) {
        const at = r.stdout.indexOf(marker, from);
        assert.ok(at >= 0, `'${marker}' missing (or out of order): ${describeRun(r)}`);
        from = at + marker.length;
      }
      assert.equal(r.code, 0, describeRun(r));
      assert.match(r.stderr, /\(vcpu threads\)/, "the vcpus ran on threads");
      assert.doesNotMatch(r.stderr, /^armvmm: .*(?:emulator fault|unmapped)/m, describeRun(r));

      const init = r.stdout.slice(r.stdout.indexOf("armvmm-init: up"));
      const tables = parseInterruptTables(init);
      assert.equal(tables.length, 2, describeRun(r));
      const [before, after] = tables;
      const tick0 = findRow(before, /arch_timer/)!;
      const tick1 = findRow(after, /arch_timer/)!;
      for (let cpu = 0; cpu < SMP; cpu++) {
        assert.ok(tick1.counts[cpu] > 0, `the tick never fired on CPU${cpu}`);
      }
      assert.ok(sum(tick1.counts) > sum(tick0.counts), "the tick went on across 'sleep 1'");
      const resched = findRow(after, /^Rescheduling interrupts$/)!;
      const call = findRow(after, /^Function call interrupts$/)!;
      for (let cpu = 0; cpu < SMP; cpu++) {
        assert.ok(resched.counts[cpu] + call.counts[cpu] > 0, `CPU${cpu} received no IPI`);
      }
      assert.deepEqual(after.rows.find((row) => row.id === "Err")?.counts, [0], "spurious interrupts");
      const log = kernelLog(r.stdout);
      assert.ok(
        log.some((l) => l === `smp: Brought up 1 node, ${SMP} CPUs`),
        "both CPUs up through PSCI",
      );
      assert.deepEqual(troubleLines(log), [], "kernel warnings");
    },
  );
}

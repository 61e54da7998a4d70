// Debian 12's armmp kernel, unmodified, boots on two vcpus in deterministic mode to the test init
// (scripts/initramfs/init-test), which runs uname, /proc/interrupts, date, a sleep and an IPI-heavy
// burst, then powers off. The console output is checked the way a person would read it, and a
// second identical run must print exactly the same bytes.
//
// The guests come from `npm run guests` (Debian's packages, cached outside the tree); without them
// the tests skip and say so. A boot is about 2.3 G guest instructions, most of them the zImage's
// decompressor, so the two runs go in parallel.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { guestCacheDir } from "../../src/cli/guests.js";
import { ICOUNT_RTC_EPOCH } from "../../src/board/virt-machine.js";
import { runCli, type CliResult } from "../guests/cli-runner.js";
import { failIfMissing, skipOption } from "../helpers/required.js";
import { findRow, kernelLog, parseInterruptTables, sum, troubleLines, type InterruptTable } from "./linux-output.js";

const SMP = 2;
const ARGS = [
  "run",
  "--guest",
  "debian-test",
  "--append",
  "console=ttyAMA0 cryptomgr.notests",
  "--clock",
  "icount",
  "--smp",
  String(SMP),
  "--stats",
];
/** A boot takes minutes at today's interpreter speed; this only catches a hung guest. */
const RUN_LIMIT_MS = 15 * 60_000;
const TEST_TIMEOUT_MS = RUN_LIMIT_MS + 60_000;

const CACHE = guestCacheDir();
const MISSING = ["vmlinuz", "initrd-test.cpio.gz"].filter((f) => !existsSync(join(CACHE, f)));
const ABSENT =
  MISSING.length > 0
    ? `Debian guest missing (${MISSING.map((f) => join(CACHE, f)).join(", ")}): the Linux boot tests are ` +
      `skipped; fetch the guests with 'npm run guests' (needs Debian's apt)`
    : false;
const SKIP = skipOption(ABSENT);

interface Boot {
  result: CliResult;
  seconds: number;
}

async function boot(): Promise<Boot> {
  const start = performance.now();
  const result = await runCli(ARGS, { timeoutMs: RUN_LIMIT_MS });
  return { result, seconds: (performance.now() - start) / 1000 };
}

// Both runs start with the first test that needs one; every test reads the same two runs.
let runs: Promise<[Boot, Boot]> | null = null;
function bothRuns(): Promise<[Boot, Boot]> {
  failIfMissing(ABSENT);
  runs ??= Promise.all([boot(), boot()]);
  return runs;
}
async function firstRun(): Promise<CliResult> {
  return (await bothRuns())[0].result;
}

function describeRun(r: CliResult): string {
  const tail = (s: string) => s.split("\n").slice(-25).join("\n");
  return `exit ${r.code}\n--- last console lines ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`;
}

/** The console output from the init's first line on (the part userspace printed). */
function initOutput(stdout: string): string {
  const at = stdout.indexOf("armvmm-init: up");
  return at < 0 ? "" : stdout.slice(at);
}

function tables(stdout: string): InterruptTable[] {
  return parseInterruptTables(initOutput(stdout));
}

const options = { skip: SKIP, timeout: TEST_TIMEOUT_MS };

test("Debian boots to the test init on 2 vcpus (icount) and powers off with exit status 0", options, async () => {
  const [a] = await bothRuns();
  const r = a.result;
  process.stderr.write(`debian-boot: one boot took ${a.seconds.toFixed(1)} s of wall time\n`);
  assert.notEqual(r.code, null, `killed after ${RUN_LIMIT_MS / 60_000} minutes: ${describeRun(r)}`);
  const markers = ["armvmm-init: up", "armvmm-test: begin", `armvmm-test: cpus ${SMP}`, "armvmm-test: slept"];
  markers.push("armvmm-test: done", "reboot: Power down");
  let from = 0;
  for (const marker of markers) {
    const at = r.stdout.indexOf(marker, from);
    assert.ok(at >= 0, `'${marker}' missing (or out of order): ${describeRun(r)}`);
    from = at + marker.length;
  }
  assert.equal(r.code, 0, `exit status after poweroff -f: ${describeRun(r)}`);
  assert.doesNotMatch(r.stderr, /^armvmm: .*(?:emulator fault|unmapped)/m, "the hypervisor reported guest trouble");
  assert.match(r.stderr, /^mmio unmapped +0 +0$/m, "no access to an unmapped address (--stats)");
});

test("uname: an armv7l machine running Linux 6.1", options, async () => {
  const r = await firstRun();
  const uname = initOutput(r.stdout)
    .split("\n")
    .find((l) => l.startsWith("Linux "));
  assert.ok(uname, `no uname -a line: ${describeRun(r)}`);
  // uname -a: sysname nodename release version... machine [os]
  assert.match(uname, /^Linux \S+ 6\.1\.\d+-\d+-armmp /);
  assert.match(uname, / armv7l /);
});

test(
  "/proc/interrupts: the virtual timer on PPI 27 ticks on every CPU; UART and RTC on SPIs 1 and 2",
  options,
  async () => {
    const r = await firstRun();
    const t = tables(r.stdout);
    assert.equal(t.length, 2, `expected two /proc/interrupts listings: ${describeRun(r)}`);
    for (const table of t) {
      assert.equal(table.cpus, SMP, "one column per CPU");
      // arm,armv7-timer's virtual timer is PPI 11 = INTID 27, level triggered (the board's DT).
      const timer = findRow(table, /^GIC-0\s+27\s+Level\s+arch_timer$/);
      assert.ok(timer, `no arch_timer row on GIC 27:\n${JSON.stringify(table.rows)}`);
      for (const [cpu, n] of timer.counts.entries()) assert.ok(n > 0, `arch_timer never fired on CPU${cpu}`);
      // PL011 on SPI 1 (INTID 33) and PL031 on SPI 2 (INTID 34), both level.
      assert.ok(findRow(table, /^GIC-0\s+33\s+Level\s+uart-pl011$/), "no uart-pl011 row on GIC 33");
      assert.ok(findRow(table, /^GIC-0\s+34\s+Level\s+rtc-pl031$/), "no rtc-pl031 row on GIC 34");
      const err = table.rows.find((row) => row.id === "Err");
      assert.deepEqual(err?.counts, [0], "spurious/erroneous interrupts");
    }
    const before = findRow(t[0], /arch_timer/)!;
    const after = findRow(t[1], /arch_timer/)!;
    assert.ok(sum(after.counts) > sum(before.counts), "the tick went on across 'sleep 1'");
  },
);

test("IPIs: rescheduling and function-call interrupts reach the CPUs (smp 2)", options, async () => {
  const r = await firstRun();
  const t = tables(r.stdout);
  assert.equal(t.length, 2, describeRun(r));
  const last = t[1];
  const resched = findRow(last, /^Rescheduling interrupts$/);
  const call = findRow(last, /^Function call interrupts$/);
  assert.ok(resched && call, `no IPI rows:\n${JSON.stringify(last.rows)}`);
  assert.ok(sum(resched.counts) > 0, "no rescheduling IPI");
  assert.ok(sum(call.counts) > 0, "no function-call IPI");
  for (let cpu = 0; cpu < SMP; cpu++) {
    assert.ok(resched.counts[cpu] + call.counts[cpu] > 0, `CPU${cpu} received no IPI`);
  }
});

test("date: the RTC (PL031) starts at the icount epoch, 2026-01-01", options, async () => {
  const r = await firstRun();
  // busybox date: "Thu Jan  1 00:00:02 UTC 2026"
  const m = /^\w{3} (\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) UTC (\d{4})\r?$/m.exec(initOutput(r.stdout));
  assert.ok(m, `no date line: ${describeRun(r)}`);
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const shown = Date.UTC(Number(m[6]), months.indexOf(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  const seconds = shown / 1000 - ICOUNT_RTC_EPOCH;
  assert.equal(m[6], "2026");
  // The guest has run a few seconds of icount time by then, and the RTC counts whole seconds.
  assert.ok(seconds >= 0 && seconds < 60, `date is ${seconds} s after the icount epoch`);
});

test("kernel log: PSCI, the virtual timer, VFP, the PMU and both CPUs come up without warnings", options, async () => {
  const r = await firstRun();
  const log = kernelLog(r.stdout);
  const expect = (pattern: RegExp, why: string) =>
    assert.ok(
      log.some((l) => pattern.test(l)),
      `${why}: no line matching ${pattern}`,
    );
  expect(/^Booting Linux on physical CPU 0x0$/, "the kernel starts");
  expect(/^psci: PSCIv1\.0 detected in firmware\.$/, "PSCI 1.0 over HVC");
  // The board's counter runs at 62.5 MHz, and Linux must pick the virtual timer.
  expect(/^arch_timer: cp15 timer\(s\) running at 62\.50MHz \(virt\)\.$/, "the generic timer");
  expect(/^VFP support v0\.3: /, "VFP");
  expect(/^hw perfevents: enabled with armv7_cortex_a15 PMU driver, 7 counters available$/, "the PMU");
  expect(new RegExp(`^smp: Brought up 1 node, ${SMP} CPUs$`), "secondary CPUs through PSCI CPU_ON");
  expect(/^Run \/init as init process$/, "the initramfs");
  assert.deepEqual(troubleLines(log), [], "kernel warnings");
});

test("icount is deterministic: a second run prints the same console output and statistics", options, async () => {
  const [a, b] = await bothRuns();
  assert.equal(a.result.code, 0, describeRun(a.result));
  assert.equal(b.result.code, 0, describeRun(b.result));
  if (a.result.stdout !== b.result.stdout) {
    const la = a.result.stdout.split("\n");
    const lb = b.result.stdout.split("\n");
    const k = la.findIndex((l, i) => l !== lb[i]);
    assert.fail(`console output differs first at line ${k + 1}:\n  run 1: ${la[k]}\n  run 2: ${lb[k]}`);
  }
  const stats = (s: string) => s.replace(/host CPU in guest [\d.]+ s/, "host CPU in guest (varies)");
  assert.match(a.result.stderr, /instructions/, "--stats printed");
  assert.equal(stats(a.result.stderr), stats(b.result.stderr), "statistics");
});

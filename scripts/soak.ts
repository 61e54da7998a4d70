// The soak run (`npm run soak -- [--smp N] [--minutes M]`): Debian on vcpu threads with every CPU
// busy (hashing, compression, shell loops) for M minutes (default 10, 4 vcpus). It must not hang,
// the tick must grow on every CPU every minute, and the kernel log must show no RCU stall, soft
// lockup, warning or spurious interrupt. A documented run, not a CI step: record what it prints.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { guestCacheDir } from "../src/cli/guests.js";
import { findRow, kernelLog, parseInterruptTables, troubleLines } from "../test/linux/linux-output.js";

const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));

function fail(message: string): never {
  process.stderr.write(`soak: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { smp: { type: "string" }, minutes: { type: "string" } },
  });
  const smp = Number(values.smp ?? 4);
  const minutes = Number(values.minutes ?? 10);
  if (!Number.isInteger(smp) || smp < 1 || smp > 8) fail(`--smp ${values.smp}: 1 to 8`);
  if (!Number.isInteger(minutes) || minutes < 1) fail(`--minutes ${values.minutes}: a whole number of minutes`);
  const cache = guestCacheDir();
  const kernel = join(cache, "vmlinuz");
  const initrd = join(cache, "initrd-soak.cpio.gz");
  for (const f of [kernel, initrd]) if (!existsSync(f)) fail(`${f} missing: run 'npm run guests' first`);

  const args = [CLI, "run", "--kernel", kernel, "--initrd", initrd, "--smp", String(smp), "--stats"];
  args.push("--append", `console=ttyAMA0 SOAK_MINUTES=${minutes}`);
  process.stderr.write(`soak: Debian on ${smp} vcpu threads, every CPU busy for ${minutes} minutes...\n`);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let minutesSeen = 0;
  child.stdout.setEncoding("latin1").on("data", (d: string) => {
    out += d;
    const seen = out.split("armvmm-soak: minute ").length - 1;
    for (; minutesSeen < seen; minutesSeen++) process.stderr.write(`soak: minute ${minutesSeen + 1}\n`);
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  // Boot (about a minute on 4 vcpus) plus the soak plus the shutdown: far past it, it hung.
  const limit = setTimeout(() => child.kill("SIGKILL"), (minutes + 10) * 60_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(limit);

  const problems: string[] = [];
  if (code !== 0) problems.push(`armvmm exited with ${code} (killed after ${minutes + 10} min means a hang)`);
  if (!out.includes("armvmm-soak: end")) problems.push("the soak did not reach its end");
  const tables = parseInterruptTables(out.slice(out.indexOf("armvmm-soak: minute")));
  if (tables.length < minutes) problems.push(`only ${tables.length} of ${minutes} interrupt snapshots`);
  const ticks: number[][] = [];
  for (const t of tables) {
    const timer = findRow(t, /arch_timer/);
    if (!timer) problems.push("no arch_timer row in a snapshot");
    else ticks.push(timer.counts);
    const errRow = t.rows.find((r) => r.id === "Err");
    if (errRow && errRow.counts.some((n) => n !== 0))
      problems.push(`spurious interrupts: Err ${errRow.counts.join(" ")}`);
  }
  for (let k = 1; k < ticks.length; k++) {
    for (let cpu = 0; cpu < smp; cpu++) {
      if (!(ticks[k][cpu] > ticks[k - 1][cpu])) problems.push(`CPU${cpu}'s tick did not grow in minute ${k + 1}`);
    }
  }
  const log = kernelLog(out);
  const trouble = troubleLines(log).concat(log.filter((l) => /rcu.*stall|spurious/i.test(l)));
  for (const l of trouble) problems.push(`kernel: ${l}`);

  process.stdout.write(`soak: ${smp} vcpus, ${minutes} minutes, exit ${code}\n`);
  if (ticks.length > 0) {
    const first = ticks[0];
    const last = ticks[ticks.length - 1];
    const rates = last.map((n, cpu) => ((n - first[cpu]) / Math.max(1, ticks.length - 1) / 60).toFixed(0));
    process.stdout.write(`soak: timer interrupts per second per CPU over the soak: ${rates.join(" ")}\n`);
  }
  const statsAt = err.indexOf("exits ");
  if (statsAt >= 0) process.stdout.write(err.slice(statsAt) + "\n");
  if (problems.length > 0) {
    process.stdout.write(`soak: FAILED\n  ${problems.join("\n  ")}\n`);
    process.exit(1);
  }
  process.stdout.write("soak: ok (no hang, the tick grew on every CPU every minute, a clean kernel log)\n");
}

void main();

// passt never outlives armvmm (issue 13): not after a normal exit, not after SIGKILL. Each VM's
// passt talks to it over a socketpair only, in one-client mode, so it exits when armvmm's end closes.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { CLI, ROOT } from "./cli-runner.js";
import { failIfMissing, skipOption } from "../helpers/required.js";

const NO_PASST =
  spawnSync("sh", ["-c", "command -v passt"]).status === 0 ? false : "passt not found (apt-get install passt)";

/** Whether `pid` runs (a zombie has exited: where no init reaps it, it lingers as one). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** The passt processes whose parent is `pid`. */
function passtChildren(pid: number): number[] {
  const r = spawnSync("ps", ["-o", "pid=,comm=", "--ppid", String(pid)], { encoding: "utf8" });
  return r.stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1]?.startsWith("passt")) // passt re-executes itself as passt.avx2 where it can
    .map((f) => Number(f[0]));
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

for (const signal of ["SIGKILL", "SIGTERM"] as const) {
  test(`passt is gone after armvmm ends by ${signal}`, { skip: skipOption(NO_PASST), timeout: 60_000 }, async () => {
    failIfMissing(NO_PASST);
    const vm = spawn(process.execPath, [CLI, "run", "--kernel", "guests/bin/hang.bin", "--smp", "2", "--net", "user"], {
      cwd: ROOT,
      stdio: ["pipe", "ignore", "ignore"],
    });
    const exited = new Promise((r) => vm.on("close", r));
    try {
      let passt: number[] = [];
      assert.ok(await until(() => (passt = passtChildren(vm.pid!)).length === 1, 20_000), "armvmm started one passt");
      vm.kill(signal);
      await exited;
      assert.ok(await until(() => !alive(passt[0]), 10_000), `passt ${passt[0]} exited after armvmm's ${signal}`);
    } finally {
      vm.kill("SIGKILL");
    }
  });
}

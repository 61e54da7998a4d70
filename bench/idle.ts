// Host CPU spent per second of idle guest time: the armvmm CLI runs as a child (host clock), and
// its CPU time (from /proc) is read at both ends of a window in which the guest only waits.

import { fileURLToPath } from "node:url";
import { spawnWatched, type Watched } from "./child.js";
import { processCpuSeconds } from "./proc-cpu.js";

const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));

export interface IdleResult {
  /** Seconds of the measured window (wall). */
  window: number;
  /** Host CPU seconds the armvmm process used in it. */
  cpu: number;
  /** cpu / window, as a percentage of one core. */
  percent: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measureWindow(w: Watched, seconds: number): Promise<IdleResult | null> {
  const pid = w.child.pid;
  if (pid === undefined) return null;
  const cpu0 = processCpuSeconds(pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const cpu1 = processCpuSeconds(pid);
  const t1 = performance.now();
  if (cpu0 === null || cpu1 === null) return null;
  const window = (t1 - t0) / 1000;
  return { window, cpu: cpu1 - cpu0, percent: ((cpu1 - cpu0) / window) * 100 };
}

/** The heartbeat guest (two vcpus in WFI between timer beats): a window of `seconds` (at most 2.5,
 * since the guest powers off after three seconds) from its first beat. */
export async function idleHeartbeat(seconds: number): Promise<IdleResult | null> {
  const w = spawnWatched(process.execPath, [CLI, "run"]);
  try {
    if ((await w.waitFor("beat  1", 30_000)) === null) return null;
    return await measureWindow(w, Math.min(seconds, 2.5));
  } finally {
    await w.exited;
  }
}

/** Debian's kernel at the busybox shell, untouched for `seconds` after `settle` seconds. */
export async function idleLinux(
  smp: number,
  seconds: number,
  settle: number,
  bootTimeoutMs: number,
): Promise<IdleResult | null> {
  const w = spawnWatched(process.execPath, [CLI, "run", "--guest", "debian", "--smp", String(smp)], "pipe");
  try {
    if ((await w.waitFor("armvmm-init: up", bootTimeoutMs)) === null) return null;
    await sleep(settle * 1000);
    return await measureWindow(w, seconds);
  } finally {
    w.child.stdin?.write("poweroff -f\n");
    const timer = setTimeout(() => w.kill(), 60_000);
    await w.exited;
    clearTimeout(timer);
  }
}

// QEMU as the yardstick: qemu-system-arm's virt machine with the same CPU and GIC as armvmm's board.

import { execFileSync } from "node:child_process";
import { spawnWatched } from "./child.js";

export const QEMU = "qemu-system-arm";
export const QEMU_MACHINE = ["-M", "virt,gic-version=2", "-cpu", "cortex-a15", "-m", "512", "-nographic"];

/** "QEMU emulator version 7.2.x", or null when QEMU is not installed. */
export function qemuVersion(): string | null {
  try {
    return execFileSync(QEMU, ["--version"], { encoding: "utf8" }).split("\n")[0].trim();
  } catch {
    return null;
  }
}

export interface QemuTiming {
  /** Wall seconds from spawn to the line (or to exit); null if it never came. */
  seconds: number | null;
}

/** Runs QEMU until `line` appears on its console, then kills it. */
export async function qemuToLine(args: readonly string[], line: string, timeoutMs: number): Promise<QemuTiming> {
  const q = spawnWatched(QEMU, [...QEMU_MACHINE, ...args]);
  const at = await q.waitFor(line, timeoutMs);
  q.kill();
  await q.exited;
  return { seconds: at === null ? null : (at - q.start) / 1000 };
}

/** Runs QEMU until the guest powers off. */
export async function qemuToExit(args: readonly string[], timeoutMs: number): Promise<QemuTiming> {
  const q = spawnWatched(QEMU, [...QEMU_MACHINE, ...args]);
  const timer = setTimeout(() => q.kill(), timeoutMs);
  const code = await q.exited;
  clearTimeout(timer);
  return { seconds: code === 0 ? (performance.now() - q.start) / 1000 : null };
}

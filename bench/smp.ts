// SMP scaling: CPU-bound user-space jobs in Debian (scripts/initramfs/init-bench), timed inside
// the guest from /proc/uptime: one job alone, then two in parallel. On 2 vcpus with a thread each
// the pair should take about as long as one job alone; on one vcpu, twice as long.

import { fileURLToPath } from "node:url";
import { outputThrough, spawnWatched } from "./child.js";
import { QEMU, QEMU_MACHINE } from "./qemu.js";

const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const MARK = /armvmm-bench: cpus (\d+) one ([\d.]+) ([\d.]+) two ([\d.]+) ([\d.]+)/;

export interface JobTimes {
  cpus: number;
  /** Guest seconds for one job alone, and for two in parallel. */
  one: number;
  two: number;
}

function parse(output: string): JobTimes | null {
  const m = MARK.exec(output);
  if (!m) return null;
  return { cpus: Number(m[1]), one: Number(m[3]) - Number(m[2]), two: Number(m[5]) - Number(m[4]) };
}

async function watch(command: string, args: string[], timeoutMs: number): Promise<JobTimes | null> {
  return parse(await outputThrough(spawnWatched(command, args), "armvmm-bench: cpus", timeoutMs));
}

export function armvmmJobs(
  files: { kernel: string; initrd: string },
  smp: number,
  threads: boolean,
  jobSize: number,
  timeoutMs: number,
): Promise<JobTimes | null> {
  const args = [CLI, "run", "--kernel", files.kernel, "--initrd", files.initrd, "--smp", String(smp)];
  args.push("--append", `console=ttyAMA0 quiet ARMVMM_BENCH_N=${jobSize}`);
  if (!threads) args.push("--vcpu-threads", "off");
  return watch(process.execPath, args, timeoutMs);
}

export function qemuJobs(
  files: { kernel: string; initrd: string },
  smp: number,
  jobSize: number,
  timeoutMs: number,
): Promise<JobTimes | null> {
  const args = [...QEMU_MACHINE, "-smp", String(smp), "-kernel", files.kernel, "-initrd", files.initrd];
  args.push("-append", `console=ttyAMA0 quiet ARMVMM_BENCH_N=${jobSize}`);
  return watch(QEMU, args, timeoutMs);
}

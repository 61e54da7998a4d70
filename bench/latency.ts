// Timer deadline to guest interrupt handler, measured from inside the guests: the timer guest's
// "timer latency:" lines (mean and max over its deadlines) and the heartbeat's beat-interval error,
// on armvmm (vcpu threads, or one thread) and on QEMU in the same run.

import { fileURLToPath } from "node:url";
import { spawnWatched } from "./child.js";
import { QEMU, QEMU_MACHINE } from "./qemu.js";

const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const GUESTS = fileURLToPath(new URL("../../guests/bin/", import.meta.url));

export interface LatencyFigure {
  /** What the guest measured ("virtual timer, vcpu asleep in WFI", ...). */
  what: string;
  mean: number;
  max: number;
}

async function output(command: string, args: string[], timeoutMs: number): Promise<string> {
  const w = spawnWatched(command, args);
  const timer = setTimeout(() => w.kill(), timeoutMs);
  await w.exited;
  clearTimeout(timer);
  return w.output();
}

function timerFigures(text: string): LatencyFigure[] {
  const out: LatencyFigure[] = [];
  for (const m of text.matchAll(/^timer latency: \d+ deadlines, mean ([\d.]+) us, max ([\d.]+) us \((.*)\)\s*$/gm)) {
    out.push({ what: m[3], mean: Number(m[1]), max: Number(m[2]) });
  }
  return out;
}

function heartbeatFigures(text: string): LatencyFigure[] {
  const out: LatencyFigure[] = [];
  for (const m of text.matchAll(
    /^ {2}vcpu (\d) +\d+ beats every (\d+) ms +interval error: mean (\d+) us, worst [+-](\d+) us/gm,
  )) {
    out.push({
      what: `heartbeat vcpu ${m[1]} (${m[2]} ms beats): interval error`,
      mean: Number(m[3]),
      max: Number(m[4]),
    });
  }
  return out;
}

/** The timer guest and the heartbeat on armvmm, `smp` vcpus, host clock. */
export async function armvmmLatency(smp: number, threads: boolean, timeoutMs: number): Promise<LatencyFigure[]> {
  const extra = threads ? [] : ["--vcpu-threads", "off"];
  const timer = await output(
    process.execPath,
    [CLI, "run", "--kernel", `${GUESTS}timer.bin`, "--smp", String(smp), ...extra],
    timeoutMs,
  );
  const heart = await output(process.execPath, [CLI, "run", ...extra], timeoutMs);
  return [...timerFigures(timer), ...heartbeatFigures(heart)];
}

/** The same guests on QEMU (its vcpus on threads of their own). */
export async function qemuLatency(smp: number, timeoutMs: number): Promise<LatencyFigure[]> {
  const args = [...QEMU_MACHINE, "-smp", String(smp), "-kernel"];
  const timer = await output(QEMU, [...args, `${GUESTS}timer.bin`], timeoutMs);
  const heart = await output(QEMU, [...QEMU_MACHINE, "-smp", "2", "-kernel", `${GUESTS}heartbeat.bin`], timeoutMs);
  return [...timerFigures(timer), ...heartbeatFigures(heart)];
}

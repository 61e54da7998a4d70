// Snapshots from the command line: whether this run can be saved at all, the save itself at the
// scheduler's checkpoint, and reading a snapshot back for --restore with its disks checked.

import { resolve as resolvePath } from "node:path";
import { SnapshotError } from "../snapshot/snapshot-error.js";
import type { Section } from "../snapshot/snapshot-format.js";
import { diskIdentity, readSnapshotFile, writeSnapshotFile, type DiskIdentity } from "../host/node/snapshot-file.js";
import type { VirtMachine } from "../board/virt-machine.js";
import type { RunOptions } from "./options.js";
import { parseSnapshotConfig, type SnapshotConfig } from "./snapshot-config.js";
import { COUNTER_HZ } from "../host/time.js";

const CONFIG_VERSION = 1;

/** Why this run cannot be saved, or null if it can. */
export function cannotSave(machine: VirtMachine, opts: RunOptions): string | null {
  if (opts.shares.length > 0) return "snapshots do not cover --share folders (open host files cannot be saved)";
  if (opts.pflash.some((p) => p !== null)) return "snapshots do not cover --pflash banks (their files go on changing)";
  if (opts.drives.some((d) => d.snapshot && !d.readonly)) {
    return "snapshots do not cover a ,snapshot drive (its overlay is dropped at exit)";
  }
  return null;
}

/** `armvmm-20260101-120000.snap` in the current folder. */
export function defaultSnapshotPath(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  const stamp = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
  return `armvmm-${stamp}.snap`;
}

/** Writes the snapshot of a machine whose vcpus share this thread; returns the line to report.
 * Call it at the scheduler's checkpoint (every vcpu between slices). */
export function saveSnapshotNow(machine: VirtMachine, config: SnapshotConfig, path: string): string {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const seconds = machine.clock.now() / COUNTER_HZ;
  return writeSnapshot(machine.snapshot.save(), config, path, seconds, started, cpu0);
}

/** The same with vcpu threads: they are held (guest time standing still) while they send their
 * state, and let go before the file is written. */
export async function saveSnapshotThreaded(
  machine: VirtMachine,
  config: SnapshotConfig,
  path: string,
): Promise<string> {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const seconds = machine.clock.now() / COUNTER_HZ;
  return writeSnapshot(await machine.captureSnapshot(), config, path, seconds, started, cpu0);
}

function writeSnapshot(
  machineSections: Section[],
  config: SnapshotConfig,
  path: string,
  seconds: number,
  started: number,
  cpu0: NodeJS.CpuUsage,
): string {
  const sections: Section[] = [
    { name: "config", version: CONFIG_VERSION, data: [new TextEncoder().encode(JSON.stringify(config))] },
    ...machineSections,
  ];
  const bytes = writeSnapshotFile(path, sections);
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  return `snapshot saved to ${path} (${(bytes / (1 << 20)).toFixed(1)} MiB, guest time ${seconds.toFixed(3)} s, ${ms.toFixed(0)} ms, CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms)`;
}

/** The disks' identities now (after a flush), for the configuration section. */
export function identifyDisks(
  drives: readonly { path: string; readonly: boolean; serial: string }[],
): SnapshotConfig["disks"] {
  return drives.map((d) => ({ ...d, path: resolvePath(d.path), identity: diskIdentity(d.path) }));
}

/** Reads a snapshot for --restore: its configuration (disks checked) and its sections. */
export function loadSnapshot(path: string): {
  config: SnapshotConfig;
  sections: Map<string, { version: number; data: Uint8Array }>;
} {
  const sections = readSnapshotFile(path);
  const raw = sections.get("config");
  if (raw === undefined) throw new SnapshotError("the snapshot has no configuration section");
  if (raw.version !== CONFIG_VERSION) {
    throw new SnapshotError(`configuration section version ${raw.version}; this armvmm reads ${CONFIG_VERSION}`);
  }
  const config = parseSnapshotConfig(new TextDecoder().decode(raw.data));
  for (const disk of config.disks) {
    let now: DiskIdentity;
    try {
      now = diskIdentity(disk.path);
    } catch {
      throw new SnapshotError(`disk image '${disk.path}' of the snapshot is gone`);
    }
    const was = disk.identity;
    if (now.size !== was.size || now.mtimeMs !== was.mtimeMs || now.hash !== was.hash) {
      throw new SnapshotError(`disk image '${disk.path}' changed since the snapshot was taken`);
    }
  }
  return { config, sections };
}

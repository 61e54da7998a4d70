// What a snapshot's configuration section holds (the machine, not the kernel file: RAM has it),
// and its check on --restore. The section is JSON, so a hand-edited or foreign file can hold
// anything: every field is checked here, each fault named in one line, before a machine is built.

import { SnapshotError } from "../snapshot/snapshot-error.js";
import type { DiskIdentity } from "../host/node/snapshot-file.js";
import { MAX_RAM, parseNet, UsageError, type NetOption } from "./options.js";

/** The machine a snapshot was taken of. */
export interface SnapshotConfig {
  ramSize: number;
  vcpus: number;
  clock: "host" | "icount";
  bootargs?: string;
  flash: boolean;
  rng: boolean;
  console: "pl011" | "virtio";
  disks: { path: string; readonly: boolean; serial: string; identity: DiskIdentity }[];
  /** The NICs: each --net option and the MAC it had. Restoring starts new backends (a new passt,
   * a new listen or connect): the guest keeps its device state and addresses, and its open
   * connections are gone, as after a migration in QEMU. Absent in older snapshots: none. */
  nets?: { net: NetOption; mac: string }[];
}

type Json = Record<string, unknown>;

function fault(what: string): never {
  throw new SnapshotError(`the snapshot's configuration is damaged: ${what}`);
}

function record(value: unknown, what: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fault(`${what} is not an object`);
  return value as Json;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) fault(`${what} is not a list`);
  return value;
}

function text(o: Json, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== "string") fault(`${what}.${key} is not a string`);
  return v;
}

function flag(o: Json, key: string, what: string): boolean {
  const v = o[key];
  if (typeof v !== "boolean") fault(`${what}.${key} is not true or false`);
  return v;
}

function integer(o: Json, key: string, what: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
    fault(`${what}.${key} is not an integer ${min}..${max}`);
  return v;
}

function oneOf<T extends string>(o: Json, key: string, what: string, allowed: readonly T[]): T {
  const v = o[key];
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v))
    fault(`${what}.${key} is not ${allowed.join(" or ")}`);
  return v as T;
}

function disk(value: unknown, i: number): SnapshotConfig["disks"][number] {
  const what = `disk ${i}`;
  const d = record(value, what);
  const id = record(d.identity, `${what}.identity`);
  if (typeof id.size !== "number" || typeof id.mtimeMs !== "number" || typeof id.hash !== "string") {
    fault(`${what}.identity is not a size, a time and a hash`);
  }
  return {
    path: text(d, "path", what),
    readonly: flag(d, "readonly", what),
    serial: text(d, "serial", what),
    identity: { size: id.size, mtimeMs: id.mtimeMs, hash: id.hash },
  };
}

/** A NIC, checked as its --net option would be. */
function nic(value: unknown, i: number): { net: NetOption; mac: string } {
  const what = `NIC ${i}`;
  const n = record(value, what);
  const mac = text(n, "mac", what);
  const net = record(n.net, `${what}.net`);
  const kind = oneOf(net, "kind", `${what}.net`, ["user", "socket"] as const);
  const option =
    kind === "user"
      ? "user"
      : `socket,${oneOf(net, "mode", `${what}.net`, ["listen", "connect"] as const)}=${text(net, "address", `${what}.net`)}`;
  try {
    return { net: parseNet(`${option},mac=${mac}`), mac };
  } catch (e) {
    if (e instanceof UsageError) fault(`${what}: ${e.message}`);
    throw e;
  }
}

/** The configuration section's JSON, checked field by field. */
export function parseSnapshotConfig(json: string): SnapshotConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new SnapshotError("the snapshot's configuration is not readable");
  }
  const c = record(raw, "the configuration");
  const what = "config";
  const ramSize = integer(c, "ramSize", what, 4096, MAX_RAM);
  if (ramSize % 4096 !== 0) fault("config.ramSize is not a multiple of 4 KiB");
  const config: SnapshotConfig = {
    ramSize,
    vcpus: integer(c, "vcpus", what, 1, 8),
    clock: oneOf(c, "clock", what, ["host", "icount"] as const),
    flash: flag(c, "flash", what),
    rng: flag(c, "rng", what),
    console: oneOf(c, "console", what, ["pl011", "virtio"] as const),
    disks: list(c.disks, "config.disks").map(disk),
  };
  if (c.bootargs !== undefined) config.bootargs = text(c, "bootargs", what);
  if (c.nets !== undefined) config.nets = list(c.nets, "config.nets").map(nic);
  return config;
}

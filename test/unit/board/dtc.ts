// Runs the device tree compiler on a DTB when it is installed. Tests that need it skip loudly
// (a visible warning with the reason) when it is not.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Why dtc cannot be used, or null when it can. */
export function dtcUnavailable(): string | null {
  const probe = spawnSync("dtc", ["--version"], { encoding: "utf8" });
  if (probe.error) return `dtc not runnable (${probe.error.message}); install device-tree-compiler`;
  if (probe.status !== 0) return `dtc --version exited with ${probe.status}`;
  return null;
}

export { missing as skipLoudly } from "../../helpers/required.js";

/** Decompiles `dtb` to DTS source; returns the source and whatever dtc printed on stderr. */
export function decompile(dtb: Uint8Array): { status: number | null; dts: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), "armvmm-dtb-"));
  try {
    const file = join(dir, "test.dtb");
    writeFileSync(file, dtb);
    const run = spawnSync("dtc", ["-I", "dtb", "-O", "dts", file], { encoding: "utf8" });
    return { status: run.status, dts: run.stdout, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

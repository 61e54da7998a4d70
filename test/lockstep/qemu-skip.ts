// Shared by the lockstep tests: whether QEMU is here, and a skip that says so loudly.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { qemuVersion } from "./qemu-trace.js";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const GUEST_BIN = join(ROOT, "guests", "bin");

export const QEMU_VERSION = qemuVersion();

let warned = false;

/** Skips `t` when qemu-system-arm is missing (printing the reason once, loudly); true if skipped. */
export function skipWithoutQemu(t: { skip(message: string): void }): boolean {
  if (QEMU_VERSION) return false;
  const reason =
    "qemu-system-arm not found: lockstep comparison against QEMU skipped (install Debian's qemu-system-arm)";
  if (!warned) {
    process.stderr.write(`\n*** SKIPPED: ${reason} ***\n\n`);
    warned = true;
  }
  t.skip(reason);
  return true;
}

export function guestImage(name: string): { kernel: string; elf: string | undefined } {
  const elf = join(GUEST_BIN, `${name}.elf`);
  return { kernel: join(GUEST_BIN, `${name}.bin`), elf: existsSync(elf) ? elf : undefined };
}

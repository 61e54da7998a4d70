// Shared by the lockstep tests: whether QEMU is here, and a skip that says so loudly.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { qemuVersion } from "./qemu-trace.js";
import { missing } from "../helpers/required.js";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const GUEST_BIN = join(ROOT, "guests", "bin");

export const QEMU_VERSION = qemuVersion();

/** Skips `t` loudly when qemu-system-arm is missing (fails it under CI); true if skipped. */
export function skipWithoutQemu(t: { skip(message: string): void }): boolean {
  if (QEMU_VERSION) return false;
  missing(t, "qemu-system-arm not found: lockstep comparison against QEMU skipped (install Debian's qemu-system-arm)");
  return true;
}

export function guestImage(name: string): { kernel: string; elf: string | undefined } {
  const elf = join(GUEST_BIN, `${name}.elf`);
  return { kernel: join(GUEST_BIN, `${name}.bin`), elf: existsSync(elf) ? elf : undefined };
}

// Disassembly for divergence reports: arm-none-eabi-objdump on the instruction's own bytes (ARM or
// Thumb), and the nearest ELF symbol when the guest has an ELF. Both degrade to hex when the
// toolchain is missing. Only used on the slow path (a report), never per instruction.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const OBJDUMP = "arm-none-eabi-objdump";

/** Disassembles one instruction of `bytes` (2 or 4 bytes, little-endian) at `addr`. */
export function disassemble(bytes: Uint8Array, addr: number, thumb: boolean): string {
  const words = thumb
    ? bytes.length === 4
      ? `${hex16(bytes, 0)} ${hex16(bytes, 2)}`
      : hex16(bytes, 0)
    : ((bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0).toString(16).padStart(8, "0");
  const dir = mkdtempSync(join(tmpdir(), "armvmm-disasm-"));
  try {
    const file = join(dir, "insn.bin");
    writeFileSync(file, bytes);
    const args = ["-D", "-b", "binary", "-m", "arm", `--adjust-vma=0x${(addr >>> 0).toString(16)}`];
    if (thumb) args.push("-M", "force-thumb");
    args.push(file);
    const r = spawnSync(OBJDUMP, args, { encoding: "utf8" });
    if (r.error || r.status !== 0) return `${words}  (no ${OBJDUMP})`;
    for (const line of r.stdout.split("\n")) {
      const m = /^\s*[0-9a-f]+:\s+((?:[0-9a-f]{4,8} ?)+)\s+(.*)$/.exec(line);
      if (m) return `${words}  ${m[2].replace(/\s+/g, " ").trim()}`;
    }
    return words;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function hex16(b: Uint8Array, at: number): string {
  return (b[at] | (b[at + 1] << 8)).toString(16).padStart(4, "0");
}

/** Function symbols of an ELF, sorted by address, for "name+offset" in reports. */
export class Symbols {
  private readonly addrs: number[] = [];
  private readonly names: string[] = [];

  constructor(elf: string | undefined) {
    if (!elf) return;
    const r = spawnSync("arm-none-eabi-nm", ["-n", elf], { encoding: "utf8" });
    if (r.error || r.status !== 0) return;
    for (const line of r.stdout.split("\n")) {
      const m = /^([0-9a-f]{8}) [tTwW] (\S+)$/.exec(line);
      if (m && !m[2].startsWith("$")) {
        this.addrs.push(parseInt(m[1], 16));
        this.names.push(m[2]);
      }
    }
  }

  /** "name+0xoff" for the symbol at or below `addr`, or "" when none is known. */
  describe(addr: number): string {
    const a = addr >>> 0;
    let lo = 0;
    let hi = this.addrs.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.addrs[mid] <= a) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (best < 0) return "";
    const off = a - this.addrs[best];
    return off === 0 ? this.names[best] : `${this.names[best]}+0x${off.toString(16)}`;
  }
}

// Exit counts per vcpu, printed by --stats.

export class ExitStats {
  slice = 0;
  kick = 0;
  irq = 0;
  wfi = 0;
  wfe = 0;
  hvc = 0;
  smc = 0;
  mmioRead = 0;
  mmioWrite = 0;
  unmapped = 0;
  sysreg = 0;

  /** Rows of [reason, count] in a fixed order (so output is stable for comparisons). */
  rows(): [string, number][] {
    return [
      ["mmio read", this.mmioRead],
      ["mmio write", this.mmioWrite],
      ["mmio unmapped", this.unmapped],
      ["wfi", this.wfi],
      ["wfe", this.wfe],
      ["hvc", this.hvc],
      ["smc", this.smc],
      ["irq", this.irq],
      ["sysreg trap", this.sysreg],
      ["kick", this.kick],
      ["slice end", this.slice],
    ];
  }
}

/** Formats a table with one column per vcpu. */
export function formatExitStats(perVcpu: ExitStats[], instructions: number[]): string {
  const header = ["exits", ...perVcpu.map((_, k) => `vcpu${k}`)];
  const rows: string[][] = [header];
  const reasons = perVcpu[0]?.rows().map(([name]) => name) ?? [];
  reasons.forEach((name, r) => rows.push([name, ...perVcpu.map((s) => String(s.rows()[r][1]))]));
  rows.push(["instructions", ...instructions.map((n) => String(n))]);
  const widths = header.map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows
    .map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "))
    .join("\n");
}

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
  /** Lazy FP switches: the first VFP use after entry trapped (HCPTR). */
  fp = 0;
  /** PMU overflow interrupts injected (PPI 23). */
  pmuIrq = 0;

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
      ["fp trap", this.fp],
      ["pmu irq", this.pmuIrq],
      ["kick", this.kick],
      ["slice end", this.slice],
    ];
  }
}

/** Formats rows of counts with one column per vcpu; `perVcpu[k]` holds vcpu k's [name, count] rows. */
export function formatPerVcpu(title: string, perVcpu: [string, number][][]): string {
  const header = [title, ...perVcpu.map((_, k) => `vcpu${k}`)];
  const rows: string[][] = [header];
  const names = perVcpu[0]?.map(([name]) => name) ?? [];
  names.forEach((name, r) => rows.push([name, ...perVcpu.map((vcpuRows) => String(vcpuRows[r][1]))]));
  const widths = header.map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows
    .map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "))
    .join("\n");
}

/** The exit table of --stats, with the instructions each vcpu executed. */
export function formatExitStats(perVcpu: ExitStats[], instructions: number[]): string {
  return formatPerVcpu(
    "exits",
    perVcpu.map((s, k) => [...s.rows(), ["instructions", instructions[k]] as [string, number]]),
  );
}

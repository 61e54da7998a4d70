// Reads what a Linux guest printed: /proc/interrupts tables out of console output, and the kernel
// log lines (those with a printk timestamp).

export interface InterruptRow {
  /** "26", "IPI2", "Err". */
  id: string;
  /** One count per CPU column ("Err" has a single count). */
  counts: number[];
  /** What follows the counts: "GIC-0  27 Level     arch_timer", "Rescheduling interrupts". */
  description: string;
}

export interface InterruptTable {
  cpus: number;
  rows: InterruptRow[];
}

const HEADER = /^\s+CPU0(?:\s+CPU\d+)*\s*$/;
const ROW = /^\s*([A-Za-z]*\d*):((?:\s+\d+)+)\s*(.*?)\s*$/;

/** Every /proc/interrupts table in `text`, in order. A table runs from its "CPU0 CPU1 ..." header
 * to the first line that is not a row (or the "Err:" row). */
export function parseInterruptTables(text: string): InterruptTable[] {
  const tables: InterruptTable[] = [];
  let current: InterruptTable | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (HEADER.test(line)) {
      current = { cpus: line.trim().split(/\s+/).length, rows: [] };
      tables.push(current);
      continue;
    }
    if (current === null) continue;
    const m = ROW.exec(line);
    if (m === null) {
      current = null;
      continue;
    }
    current.rows.push({ id: m[1], counts: m[2].trim().split(/\s+/).map(Number), description: m[3] });
    if (m[1] === "Err") current = null;
  }
  return tables;
}

/** The row whose description matches `pattern`, or undefined. */
export function findRow(table: InterruptTable, pattern: RegExp): InterruptRow | undefined {
  return table.rows.find((r) => pattern.test(r.description));
}

export function sum(counts: readonly number[]): number {
  return counts.reduce((a, b) => a + b, 0);
}

/** Kernel log lines ("[    0.004228] CPU1: ..."), without the timestamp. */
export function kernelLog(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const m = /^\[\s*\d+\.\d+\] (.*?)\r?$/.exec(raw);
    if (m) out.push(m[1]);
  }
  return out;
}

/** Lines that mean the kernel hit a bug or a warning, whoever printed them. */
const KERNEL_TROUBLE =
  /^(?:-+\[ cut here \]-+|WARNING:|BUG:|Oops|Internal error|Unable to handle|Kernel panic|Call trace|Backtrace|Hardware name:|CPU\d+: failed to|.*\b(?:stuck|detected stalls?|soft lockup|blocked for more than)\b)/i;

/** The drivers the hypervisor emulates hardware for: the GIC, the generic timer, PSCI, VFP. */
const EMULATED_DRIVER = /\b(?:gic|gic-0|gicv2|arch_timer|arch_sys_counter|psci|vfp)\b/i;
const FAILURE_WORD =
  /\b(?:fail(?:ed|ure|s)?|error|warn(?:ing)?|invalid|unable|cannot|can't|broken|bad|bogus|unsupported|not (?:present|supported|found|available|responding)|missing|giving up|disabl(?:ed|ing)|timed? ?out)\b/i;

/** Kernel log lines reporting trouble in general, or a failure from a driver of emulated hardware. */
export function troubleLines(log: readonly string[]): string[] {
  return log.filter((l) => KERNEL_TROUBLE.test(l) || (EMULATED_DRIVER.test(l) && FAILURE_WORD.test(l)));
}

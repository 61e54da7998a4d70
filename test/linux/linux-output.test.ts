// The readers the Debian boot test relies on, on hand-written console text in the kernel's formats
// (fs/proc/interrupts.c layout: a CPU header, "NN:" rows with a count per CPU, IPI rows, "Err:").

import { test } from "node:test";
import assert from "node:assert/strict";
import { findRow, kernelLog, parseInterruptTables, sum, troubleLines } from "./linux-output.js";

const LISTING = [
  "           CPU0       CPU1       ",
  " 26:         46         45 GIC-0  27 Level     arch_timer",
  " 28:          3          0 GIC-0  33 Level     uart-pl011",
  "IPI2:          7         42  Rescheduling interrupts",
  "Err:          0",
].join("\r\n");

test("a /proc/interrupts listing: columns, rows and descriptions", () => {
  const text = `# cat /proc/interrupts\r\n${LISTING}\r\n# date\r\nThu Jan  1 00:00:02 UTC 2026\r\n`;
  const [t, ...rest] = parseInterruptTables(text);
  assert.equal(rest.length, 0);
  assert.equal(t.cpus, 2);
  assert.deepEqual(
    t.rows.map((r) => r.id),
    ["26", "28", "IPI2", "Err"],
  );
  assert.deepEqual(findRow(t, /arch_timer/)?.counts, [46, 45]);
  assert.equal(findRow(t, /uart/)?.description, "GIC-0  33 Level     uart-pl011");
  assert.deepEqual(findRow(t, /^Rescheduling/)?.counts, [7, 42]);
  assert.equal(sum(findRow(t, /^Rescheduling/)!.counts), 49);
  assert.equal(findRow(t, /rtc/), undefined);
});

test("two listings, and a listing cut short by other output", () => {
  const cut = "           CPU0\n  26:   5 GIC-0  27 Level     arch_timer\nsome other line\n 99: 1 X\n";
  const tables = parseInterruptTables(`${LISTING}\n${cut}`);
  assert.equal(tables.length, 2);
  assert.equal(tables[1].cpus, 1);
  assert.deepEqual(
    tables[1].rows.map((r) => r.id),
    ["26"],
    "rows after a non-row line belong to no listing",
  );
});

test("kernel log lines lose their timestamps; other lines are not log lines", () => {
  const text =
    "[    0.000000] Booting Linux on physical CPU 0x0\r\narmvmm-init: up\r\n[   12.345678] reboot: Power down\n";
  assert.deepEqual(kernelLog(text), ["Booting Linux on physical CPU 0x0", "reboot: Power down"]);
});

test("trouble: warnings, oopses and failures of the GIC, timer, PSCI and VFP drivers", () => {
  const bad = [
    "------------[ cut here ]------------",
    "WARNING: CPU: 1 PID: 0 at kernel/time/tick-sched.c:1 foo",
    "Internal error: Oops - undefined instruction: 0 [#1] SMP ARM",
    "Unable to handle kernel NULL pointer dereference at virtual address 00000000",
    "CPU1: failed to come online",
    "arch_timer: No interrupt available, giving up",
    "arch_timer: frequency not available",
    "psci: failed to boot CPU1 (-22)",
    "GIC: unable to map gic dist registers",
    "VFP support not present",
    "rcu: INFO: rcu_sched detected stalls on CPUs/tasks:",
    "watchdog: BUG: soft lockup - CPU#0 stuck for 22s!",
  ];
  const good = [
    "psci: PSCIv1.0 detected in firmware.",
    "arch_timer: cp15 timer(s) running at 62.50MHz (virt).",
    "VFP support v0.3: implementor 41 architecture 4 part 30 variant f rev 0",
    "smp: Brought up 1 node, 2 CPUs",
    "hw-breakpoint: debug architecture 0x0 unsupported.",
    "clocksource: Switched to clocksource arch_sys_counter",
  ];
  assert.deepEqual(troubleLines(bad), bad);
  assert.deepEqual(troubleLines(good), []);
});

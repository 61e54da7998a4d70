// The --stats tables, exactly as printed: exit counts per vcpu, the vgic's counters and the
// vtimer's rows. Scripts and the guest tests read these lines, so their wording, order and
// alignment are part of the interface.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ExitStats, formatExitStats, formatPerVcpu } from "../../../src/vmm/stats.js";
import { VgicStats, formatMicros, MAINTENANCE_KINDS } from "../../../src/vmm/vgic/stats.js";
import { VtimerStats } from "../../../src/vmm/vtimer-stats.js";

test("formatPerVcpu: names left-aligned, counts right-aligned under vcpuN, two spaces apart", () => {
  const text = formatPerVcpu("exits", [
    [
      ["a", 1],
      ["longer name", 22],
    ],
    [
      ["a", 1234567],
      ["longer name", 4],
    ],
  ]);
  assert.equal(
    text,
    ["exits        vcpu0    vcpu1", "a                1  1234567", "longer name     22        4"].join("\n"),
  );
});

test("formatPerVcpu with no vcpus is the title alone", () => {
  assert.equal(formatPerVcpu("vtimer", []), "vtimer");
});

test("formatExitStats: every exit reason in a fixed order, then the instructions", () => {
  const s = new ExitStats();
  s.mmioRead = 1;
  s.mmioWrite = 2;
  s.unmapped = 3;
  s.wfi = 4;
  s.wfe = 5;
  s.hvc = 6;
  s.smc = 7;
  s.irq = 8;
  s.sysreg = 9;
  s.kick = 10;
  s.slice = 11;
  const text = formatExitStats([s, new ExitStats()], [1000, 0]);
  assert.equal(
    text,
    [
      "exits          vcpu0  vcpu1",
      "mmio read          1      0",
      "mmio write         2      0",
      "mmio unmapped      3      0",
      "wfi                4      0",
      "wfe                5      0",
      "hvc                6      0",
      "smc                7      0",
      "irq                8      0",
      "sysreg trap        9      0",
      "fp trap            0      0",
      "pmu irq            0      0",
      "kick              10      0",
      "slice end         11      0",
      "instructions    1000      0",
    ].join("\n"),
  );
});

test("VgicStats.format: counters, maintenance kinds that occurred, injections by INTID", () => {
  const s = new VgicStats(64);
  s.lrFills = 5;
  s.acknowledges = 4;
  s.eois = 3;
  s.maintenanceInterrupts = 2;
  s.maintenanceByKind[0] = 2; // EOI
  s.maintenanceByKind[3] = 1; // NP
  s.overflows = 7;
  s.deepestQueue = 9;
  s.injections[27] = 100;
  s.injections[33] = 1;
  assert.equal(
    s.format(),
    [
      "vgic: 5 LR fills, 4 acknowledges, 3 EOIs",
      "vgic: 2 maintenance interrupts (EOI 2, NP 1)",
      "vgic: 7 LR overflows, deepest queue 9",
      "vgic: injections by INTID: 27: 100, 33: 1",
    ].join("\n"),
  );
  assert.equal(s.underflows, 0);
  s.maintenanceByKind[1] = 6;
  assert.equal(s.underflows, 6, "U is the second kind");
});

test("VgicStats.format with nothing counted", () => {
  assert.equal(
    new VgicStats(32).format(),
    [
      "vgic: 0 LR fills, 0 acknowledges, 0 EOIs",
      "vgic: 0 maintenance interrupts",
      "vgic: 0 LR overflows, deepest queue 0",
      "vgic: injections by INTID: none",
    ].join("\n"),
  );
});

test("VgicStats counters are separate words", () => {
  const s = new VgicStats(32);
  s.lrFills = 1;
  s.acknowledges = 2;
  s.eois = 3;
  s.maintenanceInterrupts = 4;
  s.overflows = 5;
  s.deepestQueue = 6;
  assert.deepEqual(
    [s.lrFills, s.acknowledges, s.eois, s.maintenanceInterrupts, s.overflows, s.deepestQueue],
    [1, 2, 3, 4, 5, 6],
  );
  assert.equal(s.injections.length, 32);
  assert.equal(s.maintenanceByKind.length, 8);
});

test("maintenance kinds follow GICH_MISR's bit order", () => {
  assert.deepEqual([...MAINTENANCE_KINDS], ["EOI", "U", "LRENP", "NP", "VGrp0E", "VGrp0D", "VGrp1E", "VGrp1D"]);
});

test("formatMicros: counter ticks (62.5 MHz) as microseconds with three decimals", () => {
  assert.equal(formatMicros(0), "0.000");
  assert.equal(formatMicros(1), "0.016");
  assert.equal(formatMicros(62_500_000), "1000000.000");
  assert.equal(formatMicros(125), "2.000");
});

test("VtimerStats rows: names and order of the vtimer table", () => {
  const s = new VtimerStats();
  s.virtInjected = 1;
  s.hostIrqs = 2;
  s.physInjected = 3;
  s.injectedWhileBlocked = 4;
  s.injectedWhileRunning = 5;
  s.hostTimersArmed = 6;
  s.hostTimerWakes = 7;
  s.hostTimersEarly = 8;
  s.physTraps = 9;
  assert.deepEqual(s.rows(), [
    ["vtimer irq (ppi 27)", 1],
    ["  from a hw timer irq", 2],
    ["ptimer irq (ppi 30)", 3],
    ["injected while blocked", 4],
    ["injected while running", 5],
    ["host timers armed", 6],
    ["  fired at the deadline", 7],
    ["  fired early", 8],
    ["cntp traps", 9],
  ]);
});

// The project's self-checking guests run in this process, on the machine the CLI builds but without
// the CLI around it (the way an embedder, a browser page for one, runs the core), in icount mode so
// that each run is deterministic. Besides showing that the core needs nothing from the CLI, these
// runs are what mutation testing (`npm run mutate`, stryker.config.json) uses as its guest-level
// tests: it only sees which code a test reaches when that code runs in the test's own process, so
// the CLI tests (child processes) cannot count for it.
//
// Some runs are also saved at an instant of icount time (the run goes on) and restored into a fresh
// machine, which must then print exactly what the run printed after that instant. The CLI's
// snapshot tests (snapshot.test.ts) cover the file format and the options; these restores are what
// mutation testing sees of every component's save and restore code. One run serves both checks, so
// that a mutant the unit tests miss pays for each guest once.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { buildVirtMachine, type VirtMachine } from "../../src/board/virt-machine.js";
import { nodeLoop } from "../../src/host/node/loop.js";
import { VmFate } from "../../src/vmm/vm.js";

type Sections = Map<string, { version: number; data: Uint8Array }>;

interface GuestRun {
  console: string;
  warnings: string[];
  fate: number;
  instructions: number;
  /** Host timers that woke a vcpu at its virtual-timer deadline, and that fired early, per vcpu. */
  wakes: number[];
  early: number[];
  /** With `saveAt`: the machine saved at the first scheduler checkpoint past that many instructions. */
  saved: Sections | null;
  /** The console up to that save. */
  consoleAtSave: string;
}

/** Host time after which a run counts as hung and is stopped (each takes well under a second). */
const HANG_GUARD_MS = 30_000;

function buildMachine(name: string | null, smp: number, output: (byte: number) => void, log: (m: string) => void) {
  return buildVirtMachine({
    ramSize: 128 << 20,
    vcpus: smp,
    clock: "icount",
    kernel: name === null ? undefined : new Uint8Array(readFileSync(`guests/bin/${name}.bin`)),
    loop: nodeLoop,
    output,
    log,
  });
}

async function runToEnd(machine: VirtMachine): Promise<void> {
  // Unreferenced: a run that waits for an event that can never come ends the process (and fails
  // the test) at once instead of waiting for the guard.
  const guard = setTimeout(() => machine.stop(), HANG_GUARD_MS).unref();
  try {
    await machine.run();
  } finally {
    clearTimeout(guard);
  }
}

async function runGuest(
  name: string,
  smp: number,
  options: { input?: string; saveAt?: number } = {},
): Promise<GuestRun> {
  const bytes: number[] = [];
  const warnings: string[] = [];
  const machine = buildMachine(
    name,
    smp,
    (byte) => bytes.push(byte),
    (message) => warnings.push(message),
  );
  if (options.input !== undefined) machine.input(new TextEncoder().encode(options.input));
  let saved: Sections | null = null;
  let consoleAtSave = "";
  const saveAt = options.saveAt;
  if (saveAt !== undefined) {
    machine.scheduler.checkpoint = () => {
      if (saved !== null || machine.instructions() < saveAt) return;
      // Copied now: the state writer keeps large arrays (guest RAM) by reference.
      saved = new Map(
        machine.snapshot!.save().map((s) => [s.name, { version: s.version, data: Buffer.concat(s.data) }]),
      );
      consoleAtSave = Buffer.from(bytes).toString("latin1");
    };
  }
  await runToEnd(machine);
  return {
    console: Buffer.from(bytes).toString("latin1"),
    warnings,
    fate: machine.vm.fate,
    instructions: machine.instructions(),
    wakes: machine.vtimers.map((v) => v.stats.hostTimerWakes),
    early: machine.vtimers.map((v) => v.stats.hostTimersEarly),
    saved,
    consoleAtSave,
  };
}

function assertPassed(r: GuestRun, name: string, minPassed: number): void {
  const m = new RegExp(`^${name}: (\\d+) passed, (\\d+) failed`, "m").exec(r.console);
  assert.ok(m, `no summary line from ${name}:\n${r.console}`);
  assert.deepEqual(
    r.console.split("\n").filter((l) => l.startsWith("FAIL")),
    [],
  );
  assert.equal(Number(m[2]), 0);
  assert.ok(Number(m[1]) >= minPassed, `${name}: only ${m[1]} checks passed`);
  assert.equal(r.fate, VmFate.POWER_OFF, "the guest powers off");
}

/** Restores `whole`'s save into a fresh machine: the rest of the run must be the same, to the instruction. */
async function assertRestoreExact(whole: GuestRun, smp: number, at: number): Promise<void> {
  assert.equal(whole.fate, VmFate.POWER_OFF, "the uninterrupted run powers off");
  assert.ok(whole.saved !== null, `the guest ended before ${at} instructions: choose an earlier instant`);
  assert.ok(
    whole.consoleAtSave.length > 0 && whole.consoleAtSave.length < whole.console.length,
    "the save falls mid-run",
  );
  const bytes: number[] = [];
  const restored = buildMachine(
    null,
    smp,
    (byte) => bytes.push(byte),
    () => {},
  );
  restored.snapshot!.restore(whole.saved);
  await runToEnd(restored);
  assert.equal(restored.vm.fate, VmFate.POWER_OFF);
  assert.equal(whole.consoleAtSave + Buffer.from(bytes).toString("latin1"), whole.console);
  assert.equal(restored.instructions(), whole.instructions, "instruction counts");
}

// Cheapest first: under mutation testing a run stops at the first failing test. One vcpu count
// each: the CLI tests (self-checking.test.ts) cover the others.
test("the heartbeat on 2 vcpus, in-process: ten beats per vcpu, exactly on time; restored from 20000 instructions", async () => {
  const r = await runGuest("heartbeat", 2, { saveAt: 20_000 });
  assert.match(r.console, /vcpu 0 +10 beats every 200 ms +interval error: mean 0 us, worst \+0 us/);
  assert.match(r.console, /vcpu 1 +10 beats every 300 ms +interval error: mean 0 us, worst \+0 us/);
  assert.match(r.console, /SGIs from vcpu 1 to vcpu 0: 10 sent, 10 received/);
  await assertRestoreExact(r, 2, 20_000);
});

test("guest library self-check (PSCI, SGIs) on 4 vcpus, in-process", async () => {
  assertPassed(await runGuest("libcheck", 4), "libcheck", 10);
});

test("pmu guest on 1 vcpu, in-process: restored from 100000 instructions", async () => {
  await assertRestoreExact(await runGuest("pmu", 1, { saveAt: 100_000 }), 1, 100_000);
});

test("platform guest on 4 vcpus, in-process: PSCI, unmapped MMIO, PL011 echo, PL031", async () => {
  const r = await runGuest("platform", 4, { input: "hello armvmm\n" });
  assertPassed(r, "platform", 125);
  assert.match(r.console, /^echo: HELLO ARMVMM\r?$/m);
  assert.ok(
    r.warnings.some((w) => w.includes("unmapped IPA 0x0c000000")),
    r.warnings.join("\n"),
  );
});

test("timer guest on 1 vcpu, in-process: one wake-up per deadline, none early; restored from 300000 instructions", async () => {
  const r = await runGuest("timer", 1, { saveAt: 300_000 });
  assertPassed(r, "timer", 70);
  for (const timer of ["virtual", "physical"]) {
    const line = new RegExp(
      `^  ${timer} timer: 100 deadlines asleep in WFI, 100 wake-ups, 0 without its interrupt`,
      "m",
    );
    assert.match(r.console, line);
  }
  assert.deepEqual(r.early, [0], "host timers that fired early");
  assert.ok(r.wakes[0] >= 140, `vcpu 0: only ${r.wakes[0]} host-timer wake-ups`);
  await assertRestoreExact(r, 1, 300_000);
});

test("fpswitch guest on 2 vcpus, in-process: restored from 100000 instructions", async () => {
  await assertRestoreExact(await runGuest("fpswitch", 2, { saveAt: 100_000 }), 2, 100_000);
});

test("vgic guest on 2 vcpus, in-process; restored from 300000 instructions", async () => {
  const r = await runGuest("vgic", 2, { saveAt: 300_000 });
  assertPassed(r, "vgic", 85);
  await assertRestoreExact(r, 2, 300_000);
});

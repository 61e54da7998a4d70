// The project's self-checking guests run in this process, on the machine the CLI builds but without
// the CLI around it (the way an embedder, a browser page for one, runs the core), in icount mode so
// that each run is deterministic. Besides showing that the core needs nothing from the CLI, these
// runs are what mutation testing (`npm run mutate`, stryker.config.json) uses as its guest-level
// tests: it only sees which code a test reaches when that code runs in the test's own process, so
// the CLI tests (child processes) cannot count for it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { buildVirtMachine } from "../../src/board/virt-machine.js";
import { nodeLoop } from "../../src/host/node/loop.js";
import { VmFate } from "../../src/vmm/vm.js";

interface GuestRun {
  console: string;
  warnings: string[];
  fate: number;
  /** Host timers that woke a vcpu at its virtual-timer deadline, and that fired early, per vcpu. */
  wakes: number[];
  early: number[];
}

/** Host time after which a run counts as hung and is stopped (each takes well under a second). */
const HANG_GUARD_MS = 30_000;

async function runGuest(name: string, smp: number, input = ""): Promise<GuestRun> {
  const bytes: number[] = [];
  const warnings: string[] = [];
  const machine = buildVirtMachine({
    ramSize: 128 << 20,
    vcpus: smp,
    clock: "icount",
    kernel: new Uint8Array(readFileSync(`guests/bin/${name}.bin`)),
    loop: nodeLoop,
    output: (byte) => bytes.push(byte),
    log: (message) => warnings.push(message),
  });
  if (input !== "") machine.input(new TextEncoder().encode(input));
  // Unreferenced: a run that waits for an event that can never come ends the process (and fails
  // the test) at once instead of waiting for the guard.
  const guard = setTimeout(() => machine.stop(), HANG_GUARD_MS).unref();
  try {
    await machine.run();
  } finally {
    clearTimeout(guard);
  }
  return {
    console: Buffer.from(bytes).toString("latin1"),
    warnings,
    fate: machine.vm.fate,
    wakes: machine.vtimers.map((v) => v.stats.hostTimerWakes),
    early: machine.vtimers.map((v) => v.stats.hostTimersEarly),
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

// Cheapest first: under mutation testing a run stops at the first failing test. One vcpu count
// each: the CLI tests (self-checking.test.ts) cover the others.
test("the heartbeat on 2 vcpus, in-process: ten beats per vcpu, exactly on time", async () => {
  const r = await runGuest("heartbeat", 2);
  assert.match(r.console, /vcpu 0 +10 beats every 200 ms +interval error: mean 0 us, worst \+0 us/);
  assert.match(r.console, /vcpu 1 +10 beats every 300 ms +interval error: mean 0 us, worst \+0 us/);
  assert.match(r.console, /SGIs from vcpu 1 to vcpu 0: 10 sent, 10 received/);
  assert.equal(r.fate, VmFate.POWER_OFF);
});

test("guest library self-check (PSCI, SGIs) on 4 vcpus, in-process", async () => {
  assertPassed(await runGuest("libcheck", 4), "libcheck", 10);
});

test("platform guest on 4 vcpus, in-process: PSCI, unmapped MMIO, PL011 echo, PL031", async () => {
  const r = await runGuest("platform", 4, "hello armvmm\n");
  assertPassed(r, "platform", 125);
  assert.match(r.console, /^echo: HELLO ARMVMM\r?$/m);
  assert.ok(
    r.warnings.some((w) => w.includes("unmapped IPA 0x0c000000")),
    r.warnings.join("\n"),
  );
});

test("timer guest on 1 vcpu, in-process: one wake-up per deadline, none early", async () => {
  const r = await runGuest("timer", 1);
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
});

test("vgic guest on 2 vcpus, in-process", async () => {
  assertPassed(await runGuest("vgic", 2), "vgic", 85);
});

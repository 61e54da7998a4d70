// Snapshots in this process (as in-process.test.ts runs guests): a guest saved at an instant of
// icount time and restored into a fresh machine prints, after the restore, exactly what the
// uninterrupted run prints after that instant. The CLI's snapshot tests (snapshot.test.ts) cover
// the file format and the options; these runs are what mutation testing sees of the save and
// restore code of every component (the CLI runs in a child process, where it sees nothing).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { buildVirtMachine, type VirtMachine } from "../../src/board/virt-machine.js";
import { nodeLoop } from "../../src/host/node/loop.js";
import { VmFate } from "../../src/vmm/vm.js";

const HANG_GUARD_MS = 30_000;

interface Run {
  machine: VirtMachine;
  console: () => string;
}

function machineFor(name: string | null, smp: number): Run {
  const bytes: number[] = [];
  const machine = buildVirtMachine({
    ramSize: 128 << 20,
    vcpus: smp,
    clock: "icount",
    kernel: name === null ? undefined : new Uint8Array(readFileSync(`guests/bin/${name}.bin`)),
    loop: nodeLoop,
    output: (byte) => bytes.push(byte),
    log: () => {},
  });
  return { machine, console: () => Buffer.from(bytes).toString("latin1") };
}

async function runToEnd(machine: VirtMachine): Promise<void> {
  const guard = setTimeout(() => machine.stop(), HANG_GUARD_MS).unref();
  try {
    await machine.run();
  } finally {
    clearTimeout(guard);
  }
}

/** Saves at the first scheduler checkpoint after `instructions`; null if it ended first. */
async function saveAt(
  run: Run,
  instructions: number,
): Promise<Map<string, { version: number; data: Uint8Array }> | null> {
  const machine = run.machine;
  let saved: Map<string, { version: number; data: Uint8Array }> | null = null;
  machine.scheduler.checkpoint = () => {
    if (saved !== null || machine.instructions() < instructions) return;
    saved = new Map(machine.snapshot!.save().map((s) => [s.name, { version: s.version, data: Buffer.concat(s.data) }]));
    machine.stop();
  };
  await runToEnd(machine);
  return saved;
}

for (const [name, smp, at] of [
  ["heartbeat", 2, 20_000],
  ["timer", 2, 300_000],
  ["vgic", 2, 300_000],
  ["pmu", 1, 100_000],
  ["fpswitch", 2, 100_000],
] as const) {
  test(`${name} on ${smp} vcpu(s): saved after ${at} instructions, restored in a fresh machine, exact`, async () => {
    const whole = machineFor(name, smp);
    await runToEnd(whole.machine);
    assert.equal(whole.machine.vm.fate, VmFate.POWER_OFF, "the uninterrupted run powers off");

    const first = machineFor(name, smp);
    const sections = await saveAt(first, at);
    assert.ok(sections !== null, `${name} ended before ${at} instructions: choose an earlier instant`);
    const before = first.console();
    assert.ok(before.length > 0 && before.length < whole.console().length, "the save falls mid-run");

    const second = machineFor(null, smp);
    second.machine.snapshot!.restore(sections);
    await runToEnd(second.machine);
    assert.equal(second.machine.vm.fate, VmFate.POWER_OFF);
    assert.equal(before + second.console(), whole.console());
    assert.equal(second.machine.instructions(), whole.machine.instructions(), "instruction counts");
  });
}

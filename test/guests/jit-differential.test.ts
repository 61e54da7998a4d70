// Translated code against the interpreter on whole guests: every CPU test guest (hand-written and
// generated, ARM and Thumb) runs on two machines, one translating every block at its first
// visit and one interpreting everything. Both are driven by hand in slices of random length (the
// same for both), and after every slice the registers, CPSR, PC and instruction count must agree.
// Both must reach the guest's power-off (PSCI SYSTEM_OFF) on the same slice; then the console output
// and the whole RAM must agree too.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { buildVirtMachine, type VirtMachine } from "../../src/board/virt-machine.js";
import { nodeLoop } from "../../src/host/node/loop.js";
import { VcpuState } from "../../src/vmm/vcpu.js";
import { VmFate } from "../../src/vmm/vm.js";

function machine(image: Uint8Array, jit: number | null, out: string[]): VirtMachine {
  return buildVirtMachine({
    ramSize: 64 << 20,
    vcpus: 1,
    clock: "icount",
    kernel: image,
    jitThreshold: jit,
    loop: nodeLoop,
    output: (byte) => out.push(String.fromCharCode(byte)),
    log: () => {},
  });
}

function state(m: VirtMachine): string {
  const cpu = m.vm.vcpus[0].cpu;
  const r = Array.from(cpu.r.subarray(0, 15), (v) => (v >>> 0).toString(16));
  return `r=${r.join(",")} cpsr=${(cpu.getCpsr() >>> 0).toString(16)} pc=${(cpu.nextPc >>> 0).toString(16)} n=${cpu.instructions}`;
}

const MAX_SLICES = 200_000;

/** Runs both to the guest's power-off, which both must reach within MAX_SLICES slices; returns the
 * number of slices compared, the instructions run and the blocks translated. */
function compare(image: Uint8Array): { slices: number; instructions: number; translated: number } {
  const outA: string[] = [];
  const outB: string[] = [];
  const a = machine(image, 1, outA);
  const b = machine(image, null, outB);
  const va = a.vm.vcpus[0];
  const vb = b.vm.vcpus[0];
  let seed = 0x9e3779b9 | 0;
  let slices = 0;
  while (a.vm.fate === VmFate.RUNNING && va.state === VcpuState.RUNNABLE && slices < MAX_SLICES) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const budget = 1 + ((seed >>> 0) % 97);
    va.runSlice(budget);
    vb.runSlice(budget);
    slices++;
    const sa = state(a);
    const sb = state(b);
    if (sa !== sb) assert.fail(`slice ${slices} (budget ${budget}):\n translated  ${sa}\n interpreted ${sb}`);
  }
  const fate = (f: number) => Object.keys(VmFate).find((k) => VmFate[k as keyof typeof VmFate] === f) ?? String(f);
  const where = `after ${slices} slices (${state(a)})`;
  assert.equal(fate(a.vm.fate), "POWER_OFF", `the translated run did not power off ${where}`);
  assert.equal(fate(b.vm.fate), "POWER_OFF", `the interpreted run did not power off ${where}`);
  assert.equal(vb.state, va.state);
  assert.equal(outA.join(""), outB.join(""), "console output");
  assert.ok(Buffer.from(a.vm.memory).equals(Buffer.from(b.vm.memory)), "RAM");
  return { slices, instructions: va.cpu.instructions, translated: va.cpu.mmu.code.compiled };
}

// The PMU guest too: counters and overflow interrupts must land on the same instructions.
const guests = readdirSync("guests/bin")
  .filter((f) => /^(cpu|gen)-.*\.elf$/.test(f) || f === "pmu.elf")
  .sort();

test("the CPU test guests are there", () => {
  assert.ok(guests.length >= 20, `only ${guests.length} guests in guests/bin`);
});

for (const file of guests) {
  test(`${file}: translated blocks agree with the interpreter after every slice`, () => {
    const { slices, instructions, translated } = compare(new Uint8Array(readFileSync(`guests/bin/${file}`)));
    // The short hand-written guests power off after a few slices (of 1 to 97 instructions).
    assert.ok(instructions > 40, `only ${instructions} instructions in ${slices} slices before power-off`);
    if (file.includes("-arm") || file.includes("-thumb")) assert.ok(translated > 0, "no block was translated");
  });
}

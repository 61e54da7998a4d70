// Small helpers shared by the Thumb instruction tests (t16-*.test.ts, t32-*.test.ts).

import assert from "node:assert/strict";
import { makeThumbCpu } from "../../helpers/cpu-harness.js";
import type { Cpu } from "../../../src/cpu/core.js";
import type { Stage2 } from "../../../src/cpu/stage2.js";
import { Mode } from "../../../src/cpu/state.js";

/** Code is placed here so that the exception vectors at 0 are distinct from it. */
export const CODE = 0x1000;

export interface ThumbTest {
  cpu: Cpu;
  stage2: Stage2;
}

/** A Thumb core in SVC mode with `halves` at CODE and the given registers. */
export function thumb(halves: number[], regs: Record<number, number> = {}): ThumbTest {
  const { cpu, stage2 } = makeThumbCpu(halves, CODE);
  for (const k of Object.keys(regs)) cpu.r[Number(k)] = regs[Number(k)];
  return { cpu, stage2 };
}

/** Register `n` as an unsigned value. */
export function u(cpu: Cpu, n: number): number {
  return cpu.r[n] >>> 0;
}

/** NZCV as a string, upper case for a set flag: "NzCv". */
export function flags(cpu: Cpu): string {
  return (cpu.n ? "N" : "n") + (cpu.z ? "Z" : "z") + (cpu.c ? "C" : "c") + (cpu.v ? "V" : "v");
}

export function setFlags(cpu: Cpu, nzcv: string): void {
  cpu.n = nzcv[0] === "N" ? 1 : 0;
  cpu.z = nzcv[1] === "Z" ? 1 : 0;
  cpu.c = nzcv[2] === "C" ? 1 : 0;
  cpu.v = nzcv[3] === "V" ? 1 : 0;
}

export function write32(stage2: Stage2, addr: number, value: number): void {
  const m = stage2.memory;
  m[addr] = value & 0xff;
  m[addr + 1] = (value >>> 8) & 0xff;
  m[addr + 2] = (value >>> 16) & 0xff;
  m[addr + 3] = value >>> 24;
}

export function read32(stage2: Stage2, addr: number): number {
  const m = stage2.memory;
  return (m[addr] | (m[addr + 1] << 8) | (m[addr + 2] << 16) | (m[addr + 3] << 24)) >>> 0;
}

/** Asserts that the instruction at `at` took the Undefined Instruction exception from Thumb state
 * (LR = address + 2 for both 16- and 32-bit instructions, B1.9.6). */
export function assertUndefined(cpu: Cpu, at: number): void {
  assert.equal(cpu.mode, Mode.UND, "mode is UND");
  assert.equal(cpu.nextPc, 0x04, "undefined vector");
  assert.equal(cpu.r[14] >>> 0, at + 2, "LR_und");
  assert.equal((cpu.getSpsr() >>> 5) & 1, 1, "SPSR.T");
}

/** Runs a single 16- or 32-bit instruction at CODE with the given registers and checks that it is UNDEFINED. */
export function expectUndefined(halves: number[], regs: Record<number, number> = {}): void {
  const { cpu } = thumb(halves, regs);
  cpu.run(1);
  assertUndefined(cpu, CODE);
}

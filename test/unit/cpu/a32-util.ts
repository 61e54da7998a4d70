// Shared setup for the A32 instruction tests: a core on 1 MiB of RAM with code at 0, registers and
// flags preset, run for a number of instructions.

import { makeCpu, type Harness } from "../../helpers/cpu-harness.js";
import type { Cpu } from "../../../src/cpu/core.js";

export interface RunOptions {
  /** Registers to preset (index → value). */
  regs?: Record<number, number>;
  /** NZCV as a 4-bit value (N = 8, Z = 4, C = 2, V = 1). */
  nzcv?: number;
  /** Called after the presets, before running (to poke memory or change modes). */
  setup?: (h: Harness) => void;
  /** Instructions to execute (default: one per word). */
  steps?: number;
}

/** Builds a core with `words` at address 0 and runs them. */
export function runA32(words: number[], opts: RunOptions = {}): Harness {
  const h = makeCpu(words);
  const cpu = h.cpu;
  if (opts.regs) for (const [k, v] of Object.entries(opts.regs)) cpu.r[Number(k)] = v;
  if (opts.nzcv !== undefined) cpu.setNzcv(opts.nzcv << 28);
  opts.setup?.(h);
  cpu.run(opts.steps ?? words.length);
  return h;
}

/** Register value as an unsigned 32-bit number, for readable assertions. */
export function u32(cpu: Cpu, n: number): number {
  return cpu.r[n] >>> 0;
}

/** NZCV flags as a 4-bit value. */
export function nzcv(cpu: Cpu): number {
  return (cpu.n << 3) | (cpu.z << 2) | (cpu.c << 1) | cpu.v;
}

/** Reads a little-endian word of guest RAM. */
export function peek32(h: Harness, addr: number): number {
  const m = h.stage2.memory;
  return (m[addr] | (m[addr + 1] << 8) | (m[addr + 2] << 16) | (m[addr + 3] << 24)) >>> 0;
}

/** Writes a little-endian word of guest RAM. */
export function poke32(h: Harness, addr: number, value: number): void {
  const m = h.stage2.memory;
  m[addr] = value & 0xff;
  m[addr + 1] = (value >>> 8) & 0xff;
  m[addr + 2] = (value >>> 16) & 0xff;
  m[addr + 3] = (value >>> 24) & 0xff;
}

/** Exception vector addresses (low vectors, VBAR = 0). */
export const VEC_UND = 0x04;
export const VEC_SVC = 0x08;
export const VEC_PABT = 0x0c;
export const VEC_DABT = 0x10;

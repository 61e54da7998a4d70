// MRC/MCR of the performance-monitor registers for the PMU unit tests.

import assert from "node:assert/strict";
import type { Cpu } from "../../../src/cpu/core.js";
import { Mode } from "../../../src/cpu/state.js";

export const PC = 0x200;

/** The CRm and opc2 of each PMU register (CRn c9, opc1 0). */
export const REG = {
  PMCR: [12, 0],
  PMCNTENSET: [12, 1],
  PMCNTENCLR: [12, 2],
  PMOVSR: [12, 3],
  PMSWINC: [12, 4],
  PMSELR: [12, 5],
  PMCEID0: [12, 6],
  PMCEID1: [12, 7],
  PMCCNTR: [13, 0],
  PMXEVTYPER: [13, 1],
  PMXEVCNTR: [13, 2],
  PMUSERENR: [14, 0],
  PMINTENSET: [14, 1],
  PMINTENCLR: [14, 2],
  PMOVSSET: [14, 3],
} as const;
export type RegName = keyof typeof REG;

/** MRC (read) or MCR p15, 0, r0, c9, CRm, opc2. */
export function encode(name: RegName, read: boolean, rt = 0): number {
  const [crm, opc2] = REG[name];
  return (0xee090f10 | (read ? 1 << 20 : 0) | (rt << 12) | (opc2 << 5) | crm) >>> 0;
}

/** Executes a CP15 instruction at PC; returns true if it was UNDEFINED (and undoes the entry). */
export function exec(cpu: Cpu, instr: number): boolean {
  cpu.curPc = PC;
  cpu.exceptionTaken = false;
  const mode = cpu.mode;
  cpu.cp15.execute(instr);
  const undef = cpu.exceptionTaken && cpu.mode === Mode.UND;
  if (undef) cpu.switchMode(mode);
  return undef;
}

export function read(cpu: Cpu, name: RegName): number {
  cpu.r[0] = 0x0badf00d;
  assert.equal(exec(cpu, encode(name, true)), false, `MRC ${name} is UNDEFINED`);
  return cpu.r[0] >>> 0;
}

export function write(cpu: Cpu, name: RegName, value: number): void {
  cpu.r[0] = value;
  assert.equal(exec(cpu, encode(name, false)), false, `MCR ${name} is UNDEFINED`);
}

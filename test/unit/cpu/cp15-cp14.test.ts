// CP14 through the coprocessor router: the debug ID registers Linux reads, ThumbEE's TEECR/TEEHBR
// (written on every Linux context switch), trivial Jazelle, and UNDEFINED for the rest.

import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCpu } from "../../helpers/cpu-harness.js";
import type { Cpu } from "../../../src/cpu/core.js";
import { executeCoproc } from "../../../src/cpu/coproc.js";
import { Mode } from "../../../src/cpu/state.js";

function exec(cpu: Cpu, instr: number): boolean {
  cpu.curPc = 0x400;
  cpu.exceptionTaken = false;
  const mode = cpu.mode;
  executeCoproc(cpu, instr);
  const undef = cpu.exceptionTaken && cpu.mode === Mode.UND;
  if (undef) cpu.switchMode(mode);
  return undef;
}

test("DBGDIDR reads 0 (no debug architecture) at PL1 and PL0; other debug registers RAZ/WI at PL1", () => {
  const { cpu } = makeCpu();
  cpu.r[0] = 0x1234;
  assert.equal(exec(cpu, 0xee100e10), false); // mrc p14, 0, r0, c0, c0, 0 (DBGDIDR)
  assert.equal(cpu.r[0], 0);
  cpu.r[0] = 0x1234;
  assert.equal(exec(cpu, 0xee100e52), false); // mrc p14, 0, r0, c0, c2, 2 (DBGDTRRXext)
  assert.equal(cpu.r[0], 0);
  assert.equal(exec(cpu, 0xee000e52), false); // mcr p14, 0, r0, c0, c2, 2
  cpu.switchMode(Mode.USR);
  cpu.r[0] = 0x1234;
  assert.equal(exec(cpu, 0xee100e10), false);
  assert.equal(cpu.r[0], 0);
  cpu.n = cpu.z = cpu.c = cpu.v = 1;
  assert.equal(exec(cpu, 0xee10fe11), false); // mrc p14, 0, APSR_nzcv, c0, c1, 0 (DBGDSCRint)
  assert.deepEqual([cpu.n, cpu.z, cpu.c, cpu.v], [0, 0, 0, 0]);
  assert.equal(exec(cpu, 0xee100e52), true, "PL0 may not read the external view");
  assert.equal(exec(cpu, 0xee000e52), true);
});

test("ThumbEE: TEEHBR is stored and PL0-accessible until TEECR.XED is set; TEECR is PL1-only", () => {
  const { cpu } = makeCpu();
  cpu.r[0] = 0x12345678;
  assert.equal(exec(cpu, 0xeec10e10), false); // mcr p14, 6, r0, c1, c0, 0 (TEEHBR)
  cpu.r[0] = 0;
  assert.equal(exec(cpu, 0xeed10e10), false); // mrc p14, 6, r0, c1, c0, 0
  assert.equal(cpu.r[0], 0x12345678 & ~3);
  cpu.switchMode(Mode.USR);
  assert.equal(exec(cpu, 0xeed10e10), false);
  assert.equal(exec(cpu, 0xeec00e10), true, "TEECR write at PL0");
  assert.equal(exec(cpu, 0xeed00e10), true, "TEECR read at PL0");
  cpu.switchMode(Mode.SVC);
  cpu.r[0] = 1;
  assert.equal(exec(cpu, 0xeec00e10), false); // mcr p14, 6, r0, c0, c0, 0 (TEECR.XED = 1)
  assert.equal(exec(cpu, 0xeed00e10), false);
  assert.equal(cpu.r[0], 1);
  cpu.switchMode(Mode.USR);
  assert.equal(exec(cpu, 0xeed10e10), true, "TEEHBR at PL0 with XED set");
});

test("trivial Jazelle: JIDR reads 0, JOSCR/JMCR RAZ/WI at PL1 and UNDEFINED at PL0", () => {
  const { cpu } = makeCpu();
  cpu.r[0] = 5;
  assert.equal(exec(cpu, 0xeef00e10), false); // mrc p14, 7, r0, c0, c0, 0 (JIDR)
  assert.equal(cpu.r[0], 0);
  assert.equal(exec(cpu, 0xeef10e10), false); // mrc p14, 7, r0, c1, c0, 0 (JOSCR)
  assert.equal(exec(cpu, 0xeee20e10), false); // mcr p14, 7, r0, c2, c0, 0 (JMCR)
  cpu.switchMode(Mode.USR);
  assert.equal(exec(cpu, 0xeef00e10), false);
  assert.equal(exec(cpu, 0xeef10e10), true);
});

test("MRRC, LDC and unknown opc1 on CP14 are UNDEFINED", () => {
  const { cpu } = makeCpu();
  assert.equal(exec(cpu, 0xec510e01), true); // mrrc p14, 0, r0, r1, c1
  assert.equal(exec(cpu, 0xed905e00), true); // ldc p14, c5, [r0]
  assert.equal(exec(cpu, 0xee300e10), true); // mrc p14, 1, r0, c0, c0, 0
});

// HCPTR.TCP10/TCP11 traps of VFP instructions to Hyp: the EC 0x07 syndrome (CV, COND from the
// instruction or ITSTATE, the coprocessor number), priority after CPACR and before FPEXC.EN, and
// the instruction executing once the handler clears the trap (DDI 0406C B1.14.x, B3.13.6).

import { test } from "node:test";
import assert from "node:assert/strict";
import { RecordingTraps } from "../../helpers/cpu-harness.js";
import { Mode } from "../../../src/cpu/state.js";
import { HCPTR_TCP10, HCPTR_TCP11 } from "../../../src/cpu/vfp-trap.js";
import type { Cpu } from "../../../src/cpu/core.js";
import { assertUndefined, f32, getS, setS, vfp, vfpThumb } from "./vfp-harness.js";

const VADD_F32 = 0xee300a81; // vadd.f32 s0, s1, s2
const VADDNE_F32 = 0x1e300a81; // vaddne.f32 s0, s1, s2
const VADD_F64 = 0xee310b02; // vadd.f64 d0, d1, d2
const VMRS_R3_FPEXC = 0xeef83a10; // vmrs r3, fpexc
const VLDR_S0 = 0xed900a00; // vldr s0, [r0]

/** Takes the trap as a lazy-switching hypervisor would: records it and clears `clear`. */
class FpTraps extends RecordingTraps {
  readonly fp: number[] = [];
  constructor(
    private readonly cpu: Cpu,
    private readonly clear: number,
  ) {
    super();
  }
  fpTrap(hsr: number): void {
    this.fp.push(hsr >>> 0);
    this.cpu.hyp.hcptr &= ~this.clear;
  }
}

function hsr(cond: number, coproc: number): number {
  return ((0x07 << 26) | (1 << 25) | (1 << 24) | (cond << 20) | coproc) >>> 0;
}

function trapping(words: number[], hcptr: number, clear = HCPTR_TCP10 | HCPTR_TCP11): { cpu: Cpu; traps: FpTraps } {
  const { cpu } = vfp(words);
  const traps = new FpTraps(cpu, clear);
  cpu.traps = traps;
  cpu.hyp.hcptr = hcptr;
  setS(cpu, 1, f32(1));
  setS(cpu, 2, f32(2));
  return { cpu, traps };
}

test("TCP10 traps a CP10 instruction with EC 0x07, COND 0xE, coproc 10; it then executes", () => {
  const { cpu, traps } = trapping([VADD_F32], HCPTR_TCP10);
  cpu.run(1);
  assert.deepEqual(traps.fp, [hsr(0xe, 10)]);
  assert.equal(cpu.mode, Mode.SVC);
  assert.equal(getS(cpu, 0), f32(3));
  assert.equal(cpu.hyp.hcptr, 0);
});

test("TCP11 traps CP11 (double precision) alone; coproc 11 in the syndrome", () => {
  const a = trapping([VADD_F64], HCPTR_TCP10);
  a.cpu.run(1);
  assert.deepEqual(a.traps.fp, [], "TCP10 does not trap cp11");
  const b = trapping([VADD_F64], HCPTR_TCP11);
  b.cpu.run(1);
  assert.deepEqual(b.traps.fp, [hsr(0xe, 11)]);
});

test("COND: the A32 condition field; in an IT block, ITSTATE's", () => {
  const { cpu, traps } = trapping([VADDNE_F32], HCPTR_TCP10);
  cpu.z = 0;
  cpu.run(1);
  assert.deepEqual(traps.fp, [hsr(0x1, 10)]);
  // it eq; vadd.f32 s0, s1, s2 (T32, in the IT block)
  const t = vfpThumb([0xbf08, 0xee30, 0x0a81]);
  const tt = new FpTraps(t.cpu, HCPTR_TCP10);
  t.cpu.traps = tt;
  t.cpu.hyp.hcptr = HCPTR_TCP10;
  t.cpu.z = 1;
  t.cpu.run(2);
  assert.deepEqual(tt.fp, [hsr(0x0, 10)]);
});

test("CPACR comes first: an access it denies is UNDEFINED, not trapped", () => {
  const { cpu, traps } = trapping([VADD_F32], HCPTR_TCP10);
  cpu.cp15.cpacr = 0;
  cpu.run(1);
  assertUndefined(cpu);
  assert.deepEqual(traps.fp, []);
});

test("HCPTR before FPEXC.EN: the trap comes first, then the instruction is UNDEFINED if FPEXC.EN is 0", () => {
  const { cpu, traps } = trapping([VADD_F32], HCPTR_TCP10);
  cpu.vfp.fpexc = 0;
  cpu.run(1);
  assert.equal(traps.fp.length, 1);
  assertUndefined(cpu);
});

test("VMRS of FPEXC and VLDR trap too (every CP10/CP11 instruction)", () => {
  const { cpu, traps } = trapping([VMRS_R3_FPEXC, VLDR_S0], HCPTR_TCP10, 0);
  cpu.run(1);
  assert.deepEqual(traps.fp, [hsr(0xe, 10)]);
  assertUndefined(cpu, 0x1000);
  const b = trapping([VLDR_S0], HCPTR_TCP10);
  b.cpu.r[0] = 0x1000;
  b.cpu.run(1);
  assert.deepEqual(b.traps.fp, [hsr(0xe, 10)]);
  assert.equal(getS(b.cpu, 0), VLDR_S0);
});

test("a hypervisor that leaves the trap set, or none at all: UNDEFINED for the guest", () => {
  const { cpu, traps } = trapping([VADD_F32], HCPTR_TCP10, 0);
  setS(cpu, 0, 0x1234);
  cpu.run(1);
  assert.equal(traps.fp.length, 1);
  assertUndefined(cpu);
  assert.equal(getS(cpu, 0), 0x1234);
  const b = vfp([VADD_F32]);
  b.cpu.hyp.hcptr = HCPTR_TCP10;
  b.cpu.run(1);
  assertUndefined(b.cpu);
});

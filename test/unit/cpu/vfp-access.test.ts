// VFP access control (CPACR, FPEXC.EN, privilege) and the system registers (VMRS/VMSR).

import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCpu } from "../../helpers/cpu-harness.js";
import { Mode } from "../../../src/cpu/state.js";
import { assertUndefined, CODE, CPACR_FULL, f32, FPEXC_EN, getS, IOC, setS, vfp } from "./vfp-harness.js";

const VADD_F32 = 0xee300a81; // vadd.f32 s0, s1, s2
const VADD_F64 = 0xee310b02; // vadd.f64 d0, d1, d2
const VMRS_R0_FPSID = 0xeef00a10; // vmrs r0, fpsid
const VMRS_R1_MVFR0 = 0xeef71a10; // vmrs r1, mvfr0
const VMRS_R2_MVFR1 = 0xeef62a10; // vmrs r2, mvfr1
const VMRS_R3_FPEXC = 0xeef83a10; // vmrs r3, fpexc
const VMRS_R4_FPSCR = 0xeef14a10; // vmrs r4, fpscr
const VMSR_FPEXC_R0 = 0xeee80a10; // vmsr fpexc, r0
const VMSR_FPSCR_R0 = 0xeee10a10; // vmsr fpscr, r0
const VMSR_FPSID_R0 = 0xeee00a10; // vmsr fpsid, r0
const VMRS_APSR = 0xeef1fa10; // vmrs APSR_nzcv, fpscr

test("a VFP instruction is UNDEFINED while FPEXC.EN is 0, and leaves its destination alone", () => {
  const { cpu } = vfp([VADD_F32]);
  cpu.vfp.fpexc = 0;
  setS(cpu, 0, 0x12345678);
  setS(cpu, 1, f32(1));
  setS(cpu, 2, f32(2));
  cpu.run(1);
  assertUndefined(cpu);
  assert.equal(getS(cpu, 0), 0x12345678);
});

test("the VFP is off at reset: FPEXC = 0 and CPACR denies cp10/cp11", () => {
  const { cpu } = makeCpu([VMRS_R0_FPSID], CODE);
  assert.equal(cpu.vfp.fpexc, 0);
  cpu.run(1);
  assertUndefined(cpu);
});

test("FPSID, MVFR0, MVFR1 and FPEXC read at PL1 with FPEXC.EN = 0 (the OS probe and lazy switch)", () => {
  const { cpu } = vfp([VMRS_R0_FPSID, VMRS_R1_MVFR0, VMRS_R2_MVFR1, VMRS_R3_FPEXC]);
  cpu.vfp.fpexc = 0;
  cpu.run(4);
  assert.equal(cpu.mode, Mode.SVC);
  assert.equal(cpu.r[0] >>> 0, 0x410430f0, "FPSID: ARM VFPv3, Cortex-A15");
  assert.equal(cpu.r[1] >>> 0, 0x10110222, "MVFR0: 32 D registers, SP+DP, divide, sqrt, rounding modes");
  assert.equal(cpu.r[2] >>> 0, 0x00000011, "MVFR1: FZ and DN only, no Advanced SIMD or half precision");
  assert.equal(cpu.r[3] >>> 0, 0);
});

test("VMRS FPSCR is UNDEFINED while FPEXC.EN is 0", () => {
  const { cpu } = vfp([VMRS_R4_FPSCR]);
  cpu.vfp.fpexc = 0;
  cpu.run(1);
  assertUndefined(cpu);
});

test("VMSR FPEXC sets EN, after which VFP arithmetic runs; EX and the other bits are RAZ/WI", () => {
  const { cpu } = vfp([VMSR_FPEXC_R0, VADD_F32, VMRS_R3_FPEXC]);
  cpu.vfp.fpexc = 0;
  cpu.r[0] = 0xffffffff | 0;
  setS(cpu, 1, f32(1.5));
  setS(cpu, 2, f32(2.25));
  cpu.run(3);
  assert.equal(cpu.mode, Mode.SVC);
  assert.equal(getS(cpu, 0), f32(3.75));
  assert.equal(cpu.r[3] >>> 0, FPEXC_EN);
});

test("CPACR with no access makes even VMRS FPSID UNDEFINED at PL1", () => {
  const { cpu } = vfp([VMRS_R0_FPSID]);
  cpu.cp15.cpacr = 0;
  cpu.run(1);
  assertUndefined(cpu);
});

test("CPACR PL1-only access: allowed in SVC, UNDEFINED in User mode", () => {
  const pl1 = vfp([VADD_F32]);
  pl1.cpu.cp15.cpacr = 0x00500000;
  pl1.cpu.run(1);
  assert.equal(pl1.cpu.mode, Mode.SVC);

  const user = vfp([VADD_F32]);
  user.cpu.cp15.cpacr = 0x00500000;
  user.cpu.switchMode(Mode.USR);
  user.cpu.run(1);
  assertUndefined(user.cpu);
});

test("CPACR full access lets User mode run arithmetic and read FPSCR", () => {
  const { cpu } = vfp([VADD_F32, VMRS_R4_FPSCR]);
  cpu.switchMode(Mode.USR);
  cpu.vfp.fpscr = 0x03000000;
  setS(cpu, 1, f32(1));
  setS(cpu, 2, f32(1));
  cpu.run(2);
  assert.equal(cpu.mode, Mode.USR);
  assert.equal(getS(cpu, 0), f32(2));
  assert.equal(cpu.r[4] >>> 0, 0x03000000);
});

test("User mode may not touch FPEXC, FPSID or the MVFRs, even with full CPACR access", () => {
  for (const instr of [VMRS_R3_FPEXC, VMSR_FPEXC_R0, VMRS_R0_FPSID, VMRS_R2_MVFR1]) {
    const { cpu } = vfp([instr]);
    cpu.switchMode(Mode.USR);
    cpu.run(1);
    assertUndefined(cpu);
  }
});

test("cp10 and cp11 are checked separately: cp11 (double precision) denied, cp10 allowed", () => {
  const dbl = vfp([VADD_F64]);
  dbl.cpu.cp15.cpacr = 0x00300000; // cp10 full, cp11 none
  dbl.cpu.run(1);
  assertUndefined(dbl.cpu);

  const sgl = vfp([VADD_F32]);
  sgl.cpu.cp15.cpacr = 0x00300000;
  sgl.cpu.run(1);
  assert.equal(sgl.cpu.mode, Mode.SVC);
});

test("the unconditional (cond = 0b1111) form of a VFP encoding is UNDEFINED", () => {
  const { cpu } = vfp([0xfe300a81]); // vadd.f32 s0, s1, s2 with cond 1111
  cpu.run(1);
  assertUndefined(cpu);
});

test("the A32 condition applies: VADDEQ does nothing when Z is clear", () => {
  const { cpu } = vfp([0x0e300a81]); // vaddeq.f32 s0, s1, s2
  cpu.z = 0;
  setS(cpu, 0, 0x11111111);
  setS(cpu, 1, f32(1));
  setS(cpu, 2, f32(1));
  cpu.run(1);
  assert.equal(getS(cpu, 0), 0x11111111);
  assert.equal(cpu.nextPc, CODE + 4);
});

test("VMSR FPSCR keeps only NZCV, DN, FZ, RMode and the cumulative flags (Len, Stride, traps RAZ/WI)", () => {
  const { cpu } = vfp([VMSR_FPSCR_R0, VMRS_R4_FPSCR]);
  cpu.r[0] = 0xffffffff | 0;
  cpu.run(2);
  assert.equal(cpu.r[4] >>> 0, 0xf3c0009f);
  assert.equal(cpu.vfp.fpscr, 0xf3c0009f);
});

test("VMSR FPSID is ignored at PL1", () => {
  const { cpu } = vfp([VMSR_FPSID_R0, VMRS_R0_FPSID]);
  cpu.r[0] = 0;
  cpu.run(2);
  assert.equal(cpu.mode, Mode.SVC);
  assert.equal(cpu.r[0] >>> 0, 0x410430f0);
});

test("VMRS APSR_nzcv, FPSCR copies FPSCR[31:28] into the CPSR flags", () => {
  const { cpu } = vfp([VMRS_APSR]);
  cpu.vfp.fpscr = 0xa0000000 | IOC; // N and C
  cpu.n = 0;
  cpu.z = 1;
  cpu.c = 0;
  cpu.v = 1;
  cpu.run(1);
  assert.deepEqual([cpu.n, cpu.z, cpu.c, cpu.v], [1, 0, 1, 0]);
});

test("VMRS of an unimplemented system register (FPINST) and VMRS PC, FPSID are UNDEFINED", () => {
  for (const instr of [0xeef90a10 /* vmrs r0, fpinst */, 0xeef0fa10 /* vmrs pc, fpsid */]) {
    const { cpu } = vfp([instr]);
    cpu.run(1);
    assertUndefined(cpu);
  }
});

test("VMSR FPSCR, PC is UNDEFINED", () => {
  const { cpu } = vfp([0xeee1fa10]); // vmsr fpscr, pc
  cpu.run(1);
  assertUndefined(cpu);
});

test("a fresh core has D0-D31 zeroed and FPSCR 0 after reset", () => {
  const { cpu } = vfp([]);
  cpu.vfp.w.fill(-1);
  cpu.vfp.fpscr = 0xf0000000;
  cpu.reset();
  assert.ok(cpu.vfp.w.every((x) => x === 0));
  assert.equal(cpu.vfp.fpscr, 0);
  assert.equal(cpu.vfp.fpexc, 0);
  assert.equal(cpu.cp15.cpacr & CPACR_FULL, 0);
});

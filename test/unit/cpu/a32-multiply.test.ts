// A32 multiplies and divides: 32- and 64-bit results on big operands, flags, the Q flag of the
// DSP multiplies, rounding of SMMUL/SMMLS, and SDIV/UDIV corner cases (÷0 → 0, INT_MIN/−1).

import { test } from "node:test";
import assert from "node:assert/strict";
import { runA32, u32, type RunOptions } from "./a32-util.js";

type Regs = Record<number, number>;

function exec(word: number, regs: Regs, setup?: RunOptions["setup"]) {
  return runA32([word], { regs, setup }).cpu;
}

test("MUL/MLA/MLS keep the low 32 bits", () => {
  let cpu = exec(0xe0000291, { 1: 0x12345678, 2: 0x9abcdef0 }); // mul r0, r1, r2
  assert.equal(u32(cpu, 0), 0x242d2080);
  cpu = exec(0xe0203291, { 1: 3, 2: 4, 3: 5 }); // mla r0, r1, r2, r3
  assert.equal(u32(cpu, 0), 17);
  cpu = exec(0xe0603291, { 1: 3, 2: 4, 3: 5 }); // mls r0, r1, r2, r3
  assert.equal(u32(cpu, 0), 0xfffffff9);
});

test("MULS sets N and Z only", () => {
  const cpu = runA32([0xe0100291], { regs: { 1: 0x10000, 2: 0x10000 }, nzcv: 0b0011 }).cpu; // muls r0, r1, r2
  assert.equal(u32(cpu, 0), 0);
  assert.equal(cpu.z, 1);
  assert.equal(cpu.n, 0);
  assert.equal(cpu.c, 1, "C unchanged");
  assert.equal(cpu.v, 1, "V unchanged");
});

test("UMULL/SMULL on extreme operands", () => {
  let cpu = exec(0xe0854291, { 1: 0xffffffff, 2: 0xffffffff }); // umull r4, r5, r1, r2
  assert.equal(u32(cpu, 4), 0x00000001);
  assert.equal(u32(cpu, 5), 0xfffffffe);
  cpu = exec(0xe0c54291, { 1: 0xffffffff, 2: 0xffffffff }); // smull: (−1)·(−1)
  assert.equal(u32(cpu, 4), 1);
  assert.equal(u32(cpu, 5), 0);
  cpu = exec(0xe0c54291, { 1: 0x80000000, 2: 0x80000000 }); // smull: 2^62
  assert.equal(u32(cpu, 4), 0);
  assert.equal(u32(cpu, 5), 0x40000000);
  cpu = exec(0xe0c54291, { 1: 0x80000000, 2: 0x7fffffff }); // smull: −2^31·(2^31−1)
  assert.equal(u32(cpu, 4), 0x80000000);
  assert.equal(u32(cpu, 5), 0xc0000000);
});

test("UMULLS flags come from the 64-bit result", () => {
  let cpu = exec(0xe0954291, { 1: 0x80000000, 2: 2 }); // umulls r4, r5, r1, r2: 2^32
  assert.equal(u32(cpu, 4), 0);
  assert.equal(u32(cpu, 5), 1);
  assert.equal(cpu.z, 0, "low word zero is not enough for Z");
  cpu = exec(0xe0954291, { 1: 0xffffffff, 2: 0xffffffff });
  assert.equal(cpu.n, 1);
  cpu = exec(0xe0954291, { 1: 0, 2: 0xffffffff });
  assert.equal(cpu.z, 1);
});

test("UMLAL/SMLAL accumulate with carry into the high word", () => {
  let cpu = exec(0xe0a54291, { 1: 1, 2: 1, 4: 0xffffffff, 5: 0 }); // umlal r4, r5, r1, r2
  assert.equal(u32(cpu, 4), 0);
  assert.equal(u32(cpu, 5), 1);
  cpu = exec(0xe0e54291, { 1: 0xffffffff, 2: 2, 4: 1, 5: 0 }); // smlal r4, r5, r1, r2: 1 + (−2)
  assert.equal(u32(cpu, 4), 0xffffffff);
  assert.equal(u32(cpu, 5), 0xffffffff);
});

test("UMAAL: the largest result fits 64 bits exactly", () => {
  const all = 0xffffffff;
  const cpu = exec(0xe0454291, { 1: all, 2: all, 4: all, 5: all }); // umaal r4, r5, r1, r2
  assert.equal(u32(cpu, 4), 0xffffffff);
  assert.equal(u32(cpu, 5), 0xffffffff);
  const c2 = exec(0xe0454291, { 1: 0x10000, 2: 0x10000, 4: 5, 5: 7 }); // 2^32 + 5 + 7
  assert.equal(u32(c2, 4), 12);
  assert.equal(u32(c2, 5), 1);
});

test("SMLA<x><y>/SMUL<x><y> pick halves; SMLABB overflow sets Q", () => {
  let cpu = exec(0xe1003281, { 1: 0x8000, 2: 0x8000, 3: 0x40000000 }); // smlabb r0, r1, r2, r3
  assert.equal(u32(cpu, 0), 0x80000000);
  assert.equal(cpu.q, 1);
  cpu = exec(0xe10032e1, { 1: 0xffff0000, 2: 0x00020000, 3: 10 }); // smlatt: −1·2 + 10
  assert.equal(u32(cpu, 0), 8);
  assert.equal(cpu.q, 0);
  cpu = exec(0xe16002c1, { 1: 0xabcd0003, 2: 0xfffe1234 }); // smulbt: 3·(−2)
  assert.equal(u32(cpu, 0), 0xfffffffa);
  cpu = exec(0xe16002a1, { 1: 0x7fff0000, 2: 0x00007fff }); // smultb
  assert.equal(u32(cpu, 0), 0x3fff0001);
});

test("SMULW<y>/SMLAW<y> keep bits [47:16]; SMLAWT overflow sets Q", () => {
  let cpu = exec(0xe12002a1, { 1: 0x80000000, 2: 0x0000ffff }); // smulwb: (−2^31·−1) >> 16
  assert.equal(u32(cpu, 0), 0x8000);
  cpu = exec(0xe12032c1, { 1: 0x7fffffff, 2: 0x7fff0000, 3: 0x40008001 }); // smlawt
  assert.equal(u32(cpu, 0), 0x80000000);
  assert.equal(cpu.q, 1);
});

test("SMLALBB sign-extends the product into 64 bits", () => {
  let cpu = exec(0xe1454281, { 1: 2, 2: 1, 4: 0xffffffff, 5: 0 }); // smlalbb r4, r5, r1, r2
  assert.equal(u32(cpu, 4), 1);
  assert.equal(u32(cpu, 5), 1);
  cpu = exec(0xe1454281, { 1: 0xffff, 2: 1, 4: 0, 5: 0 }); // −1
  assert.equal(u32(cpu, 4), 0xffffffff);
  assert.equal(u32(cpu, 5), 0xffffffff);
});

test("dual multiplies: SMUAD overflow sets Q, X swaps halves", () => {
  let cpu = exec(0xe700f211, { 1: 0x80008000, 2: 0x80008000 }); // smuad r0, r1, r2
  assert.equal(u32(cpu, 0), 0x80000000);
  assert.equal(cpu.q, 1);
  cpu = exec(0xe700f231, { 1: 0x00020003, 2: 0x00050007 }); // smuadx: 3·5 + 2·7
  assert.equal(u32(cpu, 0), 29);
  assert.equal(cpu.q, 0);
  cpu = exec(0xe7003211, { 1: 0x00020003, 2: 0x00050007, 3: 100 }); // smlad: 3·7 + 2·5 + 100
  assert.equal(u32(cpu, 0), 131);
  cpu = exec(0xe700f251, { 1: 0x00020003, 2: 0x00050007 }); // smusd: 21 − 10
  assert.equal(u32(cpu, 0), 11);
  cpu = exec(0xe7003251, { 1: 0x8000, 2: 0x8000, 3: 0x40000000 }); // smlsd: 2^30 − 0 + 2^30
  assert.equal(u32(cpu, 0), 0x80000000);
  assert.equal(cpu.q, 1);
});

test("SMLALD/SMLSLDX accumulate 64-bit", () => {
  let cpu = exec(0xe7454211, { 1: 0x00020003, 2: 0x00050007, 4: 0xffffffff, 5: 0 }); // smlald r4, r5, r1, r2
  assert.equal(u32(cpu, 4), 0x1e);
  assert.equal(u32(cpu, 5), 1);
  cpu = exec(0xe7454271, { 1: 0x00070001, 2: 0x00050003, 4: 10, 5: 0 }); // smlsldx: 1·5 − 7·3 + 10
  assert.equal(u32(cpu, 4), 0xfffffffa);
  assert.equal(u32(cpu, 5), 0xffffffff);
});

test("SMMUL/SMMLA/SMMLS and their rounding forms", () => {
  let cpu = exec(0xe750f211, { 1: 0x40000000, 2: 0x40000000 }); // smmul: 2^60 >> 32
  assert.equal(u32(cpu, 0), 0x10000000);
  cpu = exec(0xe750f211, { 1: 3, 2: 0x80000000 }); // smmul: −3·2^31 = 0xfffffffe_80000000
  assert.equal(u32(cpu, 0), 0xfffffffe);
  cpu = exec(0xe750f231, { 1: 3, 2: 0x80000000 }); // smmulr rounds up to 0xffffffff_00000000
  assert.equal(u32(cpu, 0), 0xffffffff);
  cpu = exec(0xe7503211, { 1: 0x40000000, 2: 0x40000000, 3: 5 }); // smmla
  assert.equal(u32(cpu, 0), 0x10000005);
  cpu = exec(0xe75032d1, { 1: 0x8000, 2: 0x10000, 3: 0 }); // smmls: 0 − 2^31 → 0xffffffff_80000000
  assert.equal(u32(cpu, 0), 0xffffffff);
  cpu = exec(0xe75032f1, { 1: 0x8000, 2: 0x10000, 3: 0 }); // smmlsr: + 2^31 → 0
  assert.equal(u32(cpu, 0), 0);
  cpu = exec(0xe75032d1, { 1: 0x10000, 2: 0x10000, 3: 2 }); // smmls: 2^33 − 2^32
  assert.equal(u32(cpu, 0), 1);
});

test("SDIV/UDIV: truncation, INT_MIN / −1 and division by zero", () => {
  const SDIV = 0xe710f211; // sdiv r0, r1, r2
  const UDIV = 0xe730f211; // udiv r0, r1, r2
  assert.equal(u32(exec(SDIV, { 1: 0x80000000, 2: 0xffffffff }), 0), 0x80000000);
  assert.equal(u32(exec(SDIV, { 1: 7, 2: 0xfffffffe }), 0), 0xfffffffd); // 7 / −2 = −3
  assert.equal(u32(exec(SDIV, { 1: 0xfffffff9, 2: 2 }), 0), 0xfffffffd); // −7 / 2 = −3
  assert.equal(u32(exec(SDIV, { 0: 99, 1: 5, 2: 0 }), 0), 0);
  assert.equal(u32(exec(UDIV, { 1: 0xffffffff, 2: 2 }), 0), 0x7fffffff);
  assert.equal(u32(exec(UDIV, { 1: 0xffffffff, 2: 1 }), 0), 0xffffffff);
  assert.equal(u32(exec(UDIV, { 0: 99, 1: 5, 2: 0 }), 0), 0);
});

test("Q is sticky: a non-saturating DSP multiply does not clear it", () => {
  const cpu = exec(0xe1003281, { 1: 1, 2: 1, 3: 1 }, ({ cpu }) => (cpu.q = 1)); // smlabb
  assert.equal(u32(cpu, 0), 2);
  assert.equal(cpu.q, 1);
});

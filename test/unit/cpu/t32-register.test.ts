// 32-bit Thumb data processing (register), A6.3.12-A6.3.15: shifts by register, extends with and
// without add, parallel add/subtract (GE, saturating, halving), QADD family, reversals, SEL, CLZ.

import { test } from "node:test";
import assert from "node:assert/strict";
import { thumb, u, flags, setFlags, CODE, expectUndefined } from "./t32-harness.js";

function run1(hw1: number, hw2: number, regs: Record<number, number>) {
  const t = thumb([hw1, hw2], regs);
  t.cpu.ge = 0xa;
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 4, "falls through");
  return t.cpu;
}

test("shifts by register: flags only with S, amount from Rm[7:0]", () => {
  const t = thumb([0xfa11, 0xf002], { 1: 1, 2: 32 }); // lsls.w r0, r1, r2
  setFlags(t.cpu, "Nzcv");
  t.cpu.run(1);
  assert.equal(u(t.cpu, 0), 0);
  assert.equal(flags(t.cpu), "nZCv");
  assert.equal(u(run1(0xfa61, 0xf002, { 1: 0x12345678, 2: 8 }), 0), 0x78123456); // ror.w r0, r1, r2
  const cpu = run1(0xfa41, 0xf002, { 1: 0x80000000, 2: 0x104 }); // asr.w r0, r1, r2
  assert.equal(u(cpu, 0), 0xf8000000);
  assert.equal(cpu.n, 0, "no S: flags kept");
});

test("extends, with rotation and with add", () => {
  const cases: [number, number, Record<number, number>, number][] = [
    [0xfa01, 0xf092, { 1: 0x1000, 2: 0x00ff8000 }, 0xf80], // sxtah r0, r1, r2, ror #8
    [0xfa5f, 0xf0a1, { 1: 0x12345678 }, 0x34], // uxtb.w r0, r1, ror #16
    [0xfa31, 0xf082, { 1: 0x00ff0001, 2: 0x12345678 }, 0x01330079], // uxtab16 r0, r1, r2
    [0xfa2f, 0xf081, { 1: 0x00800012 }, 0xff800012], // sxtb16 r0, r1
    [0xfa41, 0xf0b2, { 1: 100, 2: 0xfe000000 }, 98], // sxtab r0, r1, r2, ror #24
    [0xfa0f, 0xf081, { 1: 0x0000ffff }, 0xffffffff], // sxth.w r0, r1
    [0xfa1f, 0xf091, { 1: 0x12345678 }, 0x3456], // uxth.w r0, r1, ror #8
    [0xfa11, 0xf082, { 1: 0xffffffff, 2: 0x00010002 }, 1], // uxtah r0, r1, r2
    [0xfa4f, 0xf081, { 1: 0x180 }, 0xffffff80], // sxtb.w r0, r1
    [0xfa3f, 0xf091, { 1: 0x11223344 }, 0x00110033], // uxtb16 r0, r1, ror #8
    [0xfa21, 0xf082, { 1: 0x00010001, 2: 0x00800080 }, 0xff81ff81], // sxtab16 r0, r1, r2
  ];
  for (const [hw1, hw2, regs, want] of cases) {
    assert.equal(u(run1(hw1, hw2, regs), 0), want, `${hw1.toString(16)} ${hw2.toString(16)}`);
  }
});

test("parallel add/subtract: GE from the S and U forms only", () => {
  const cases: [number, number, number, number, number, number][] = [
    [0xfa91, 0xf002, 0x00010001, 0xfffe0001, 0xffff0002, 0x3], // sadd16 r0, r1, r2
    [0xfa91, 0xf012, 0x7fff8000, 0x00010001, 0x7fff8001, 0xa], // qadd16: GE kept
    [0xfa91, 0xf022, 0x00030005, 0x00010003, 0x00020004, 0xa], // shadd16
    [0xfa91, 0xf042, 0xffff0001, 0x00010001, 0x00000002, 0xc], // uadd16
    [0xfa81, 0xf052, 0xff10fe01, 0x01f00202, 0xffffff03, 0xa], // uqadd8
    [0xfae1, 0xf062, 0x00080004, 0x00060002, 0x00030005, 0xa], // uhsax
    [0xfac1, 0xf042, 0x01020304, 0x02020202, 0xff000102, 0x7], // usub8
    [0xfae1, 0xf002, 0x00050003, 0x00020007, 0xfffe0005, 0x3], // ssax
    [0xfac1, 0xf012, 0x80100000, 0x01200000, 0x80f00000, 0xa], // qsub8
    [0xfad1, 0xf002, 0x00010005, 0x00020003, 0xffff0002, 0x3], // ssub16
    [0xfaa1, 0xf042, 0xffff0005, 0x00060001, 0x0000ffff, 0xc], // uasx
  ];
  for (const [hw1, hw2, n, m, want, ge] of cases) {
    const cpu = run1(hw1, hw2, { 1: n, 2: m });
    const name = `${hw1.toString(16)} ${hw2.toString(16)}`;
    assert.equal(u(cpu, 0), want, name);
    assert.equal(cpu.ge, ge, name);
  }
});

test("QADD/QSUB/QDADD/QDSUB saturate and set Q", () => {
  let cpu = run1(0xfa82, 0xf081, { 1: 0x7fffffff, 2: 1 }); // qadd r0, r1, r2
  assert.equal(u(cpu, 0), 0x7fffffff);
  assert.equal(cpu.q, 1);
  cpu = run1(0xfa82, 0xf0a1, { 1: 0x80000000, 2: 1 }); // qsub r0, r1, r2 (r1 - r2)
  assert.equal(u(cpu, 0), 0x80000000);
  assert.equal(cpu.q, 1);
  cpu = run1(0xfa82, 0xf091, { 1: 1, 2: 0x20000000 }); // qdadd r0, r1, r2
  assert.equal(u(cpu, 0), 0x40000001);
  assert.equal(cpu.q, 0);
  cpu = run1(0xfa82, 0xf0b1, { 1: 0, 2: 0x40000000 }); // qdsub r0, r1, r2
  assert.equal(u(cpu, 0), 0x80000001);
  assert.equal(cpu.q, 1);
});

test("REV/REV16/REVSH/RBIT/SEL/CLZ", () => {
  assert.equal(u(run1(0xfa91, 0xf081, { 1: 0x12345678 }), 0), 0x78563412); // rev.w r0, r1
  assert.equal(u(run1(0xfa91, 0xf091, { 1: 0x12345678 }), 0), 0x34127856); // rev16.w r0, r1
  assert.equal(u(run1(0xfa91, 0xf0b1, { 1: 0x12345680 }), 0), 0xffff8056); // revsh.w r0, r1
  assert.equal(u(run1(0xfa91, 0xf0a1, { 1: 0x00000001 }), 0), 0x80000000); // rbit r0, r1
  assert.equal(u(run1(0xfa91, 0xf0a1, { 1: 0x12345678 }), 0), 0x1e6a2c48); // rbit r0, r1
  // sel r0, r1, r2 with GE = 1010: bytes 1 and 3 from r1, 0 and 2 from r2
  assert.equal(u(run1(0xfaa1, 0xf082, { 1: 0x11223344, 2: 0xaabbccdd }), 0), 0x11bb33dd);
  assert.equal(u(run1(0xfab1, 0xf081, { 1: 0x00010000 }), 0), 15); // clz r0, r1
  assert.equal(u(run1(0xfab1, 0xf081, { 1: 0 }), 0), 32);
});

test("UNDEFINED data-processing (register) encodings", () => {
  expectUndefined([0xfa11, 0x0002]); // hw2[15:12] != 1111
  expectUndefined([0xfa01, 0xf012]); // op1 = 0000, op2 = 0001
  expectUndefined([0xfa61, 0xf082]); // extend with op1 = 0110
  expectUndefined([0xfab1, 0xf002]); // parallel op1 = 1011
  expectUndefined([0xfa91, 0xf032]); // parallel op2 = 0011
  expectUndefined([0xfab1, 0xf091]); // miscellaneous op1 = 11, op2 = 01
  expectUndefined([0xfac1, 0xf081]); // op1 = 11xx, op2 = 1xxx
  expectUndefined([0xfa11, 0xff02]); // Rd = PC
});

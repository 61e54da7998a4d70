// 32-bit Thumb data processing: modified immediates (ThumbExpandImm, A6.3.2), shifted registers
// (A6.3.11) and plain binary immediates (A6.3.3).

import { test } from "node:test";
import assert from "node:assert/strict";
import { thumb, u, flags, setFlags, CODE, expectUndefined } from "./t32-harness.js";

/** Runs one 32-bit instruction with registers and flags; returns the core. */
function run1(hw1: number, hw2: number, regs: Record<number, number> = {}, nzcv = "nzcv") {
  const t = thumb([hw1, hw2], regs);
  setFlags(t.cpu, nzcv);
  t.cpu.run(1);
  assert.equal(t.cpu.nextPc, CODE + 4, "falls through");
  return t.cpu;
}

test("ThumbExpandImm: the four replicated patterns and rotated forms", () => {
  const cases: [number, number, number][] = [
    [0xf04f, 0x00ab, 0x000000ab], // mov.w r0, #0xab
    [0xf04f, 0x10ab, 0x00ab00ab], // mov.w r0, #0x00ab00ab
    [0xf04f, 0x20ab, 0xab00ab00], // mov.w r0, #0xab00ab00
    [0xf04f, 0x30ab, 0xabababab], // mov.w r0, #0xabababab
    [0xf44f, 0x707f, 0x000003fc], // mov.w r0, #0x3fc (0xff ror 30)
    [0xf06f, 0x0000, 0xffffffff], // mvn.w r0, #0
  ];
  for (const [hw1, hw2, want] of cases) {
    const cpu = run1(hw1, hw2, {}, "NZCV");
    assert.equal(u(cpu, 0), want, `${hw1.toString(16)} ${hw2.toString(16)}`);
    assert.equal(flags(cpu), "NZCV", "no S bit: flags kept");
  }
});

test("logical ops with a rotated immediate take C from bit 31 of the constant; unrotated keep C", () => {
  let cpu = run1(0xf05f, 0x4000); // movs.w r0, #0x80000000
  assert.equal(u(cpu, 0), 0x80000000);
  assert.equal(flags(cpu), "NzCv");
  cpu = run1(0xf05f, 0x407f, {}, "nZcV"); // movs.w r0, #0xff000000
  assert.equal(flags(cpu), "NzCV");
  cpu = run1(0xf011, 0x4000, { 1: 1 }); // ands.w r0, r1, #0x80000000
  assert.equal(u(cpu, 0), 0);
  assert.equal(flags(cpu), "nZCv");
  cpu = run1(0xf010, 0x0fff, { 0: 0x100 }, "nzCv"); // tst.w r0, #0xff
  assert.equal(u(cpu, 0), 0x100);
  assert.equal(flags(cpu), "nZCv");
  cpu = run1(0xf010, 0x0fff, { 0: 0x100 }, "nzcv");
  assert.equal(flags(cpu), "nZcv");
  cpu = run1(0xf090, 0x4f00, { 0: 0x80000000 }); // teq r0, #0x80000000
  assert.equal(flags(cpu), "nZCv");
});

test("BIC/ORR/ORN/EOR with immediates", () => {
  assert.equal(u(run1(0xf021, 0x00ff, { 1: 0x12345678 }), 0), 0x12345600); // bic.w r0, r1, #0xff
  assert.equal(u(run1(0xf441, 0x7080, { 1: 0x1 }), 0), 0x101); // orr.w r0, r1, #0x100
  assert.equal(u(run1(0xf061, 0x20ff, { 1: 0x1 }), 0), 0x00ff00ff); // orn r0, r1, #0xff00ff00
  assert.equal(u(run1(0xf081, 0x3055, { 1: 0xffffffff }), 0), 0xaaaaaaaa); // eor.w r0, r1, #0x55555555
});

test("arithmetic immediates: ADD/ADC/SBC/SUB/RSB/CMN/CMP and SP forms", () => {
  let cpu = run1(0xf501, 0x5080, { 1: 0x10 }, "NZCV"); // add.w r0, r1, #0x1000
  assert.equal(u(cpu, 0), 0x1010);
  assert.equal(flags(cpu), "NZCV");
  cpu = run1(0xf111, 0x0001, { 1: 0xffffffff }); // adds.w r0, r1, #1
  assert.equal(u(cpu, 0), 0);
  assert.equal(flags(cpu), "nZCv");
  cpu = run1(0xf110, 0x0f01, { 0: 0x7fffffff }); // cmn.w r0, #1
  assert.equal(u(cpu, 0), 0x7fffffff);
  assert.equal(flags(cpu), "NzcV");
  cpu = run1(0xf141, 0x0001, { 1: 5 }, "nzCv"); // adc.w r0, r1, #1
  assert.equal(u(cpu, 0), 7);
  cpu = run1(0xf171, 0x0001, { 1: 5 }); // sbcs.w r0, r1, #1 with C = 0: 5 - 1 - 1
  assert.equal(u(cpu, 0), 3);
  assert.equal(flags(cpu), "nzCv");
  cpu = run1(0xf5a1, 0x7080, { 1: 0x100 }); // sub.w r0, r1, #0x100
  assert.equal(u(cpu, 0), 0);
  assert.equal(flags(cpu), "nzcv");
  cpu = run1(0xf1b1, 0x0001, { 1: 0 }); // subs.w r0, r1, #1
  assert.equal(u(cpu, 0), 0xffffffff);
  assert.equal(flags(cpu), "Nzcv");
  cpu = run1(0xf5b0, 0x3f80, { 0: 0x10000 }); // cmp.w r0, #0x10000
  assert.equal(flags(cpu), "nZCv");
  cpu = run1(0xf1c1, 0x0000, { 1: 5 }); // rsb r0, r1, #0
  assert.equal(cpu.r[0], -5);
  cpu = run1(0xf5d1, 0x7080, { 1: 0x101 }); // rsbs r0, r1, #0x100
  assert.equal(cpu.r[0], -1);
  assert.equal(flags(cpu), "Nzcv");
  cpu = run1(0xf10d, 0x0d08, { 13: 0x8000 }); // add.w sp, sp, #8
  assert.equal(u(cpu, 13), 0x8008);
  cpu = run1(0xf5ad, 0x7d00, { 13: 0x8000 }); // sub.w sp, sp, #0x200
  assert.equal(u(cpu, 13), 0x7e00);
});

test("shifted-register operands, including RRX and shifter carry-out", () => {
  let cpu = run1(0xeb11, 0x1002, { 1: 1, 2: 0x0fffffff }); // adds.w r0, r1, r2, lsl #4
  assert.equal(u(cpu, 0), 0xfffffff1);
  assert.equal(flags(cpu), "Nzcv");
  cpu = run1(0xeba1, 0x70e2, { 1: 10, 2: 0x80000000 }); // sub.w r0, r1, r2, asr #31
  assert.equal(u(cpu, 0), 11);
  cpu = run1(0xea11, 0x0052, { 1: 0xffffffff, 2: 3 }); // ands.w r0, r1, r2, lsr #1
  assert.equal(u(cpu, 0), 1);
  assert.equal(flags(cpu), "nzCv");
  cpu = run1(0xea41, 0x2032, { 1: 0, 2: 0x12345678 }); // orr.w r0, r1, r2, ror #8
  assert.equal(u(cpu, 0), 0x78123456);
  cpu = run1(0xea51, 0x0032, { 1: 0, 2: 3 }, "nzCv"); // orrs.w r0, r1, r2, rrx
  assert.equal(u(cpu, 0), 0x80000001);
  assert.equal(flags(cpu), "NzCv");
  cpu = run1(0xea51, 0x0032, { 1: 0, 2: 2 }, "nzcv");
  assert.equal(u(cpu, 0), 1);
  assert.equal(flags(cpu), "nzcv");
  cpu = run1(0xea21, 0x0002, { 1: 0xff, 2: 0x0f }); // bic.w r0, r1, r2
  assert.equal(u(cpu, 0), 0xf0);
  cpu = run1(0xea91, 0x0042, { 1: 0, 2: 0x80000000 }); // eors.w r0, r1, r2, lsl #1
  assert.equal(flags(cpu), "nZCv");
  cpu = run1(0xea7f, 0x0001, { 1: 0xffffffff }); // mvns.w r0, r1
  assert.equal(u(cpu, 0), 0);
  assert.equal(flags(cpu), "nZcv");
  assert.equal(u(run1(0xea61, 0x0002, { 1: 0, 2: 0xffff0000 }), 0), 0x0000ffff); // orn r0, r1, r2
  assert.equal(u(run1(0xeb41, 0x0002, { 1: 1, 2: 2 }, "nzCv"), 0), 4); // adc.w r0, r1, r2
  assert.equal(u(run1(0xeb61, 0x0002, { 1: 10, 2: 3 }), 0), 6); // sbc.w r0, r1, r2
  assert.equal(u(run1(0xebc1, 0x0082, { 1: 1, 2: 4 }), 0), 15); // rsb r0, r1, r2, lsl #2
  cpu = run1(0xebb0, 0x0f41, { 0: 4, 1: 2 }); // cmp.w r0, r1, lsl #1
  assert.equal(flags(cpu), "nZCv");
  cpu = run1(0xea10, 0x0f01, { 0: 0x80000000, 1: 0x80000001 }); // tst.w r0, r1
  assert.equal(flags(cpu), "Nzcv");
  cpu = run1(0xea90, 0x0f01, { 0: 5, 1: 5 }); // teq r0, r1
  assert.equal(flags(cpu), "nZcv");
  cpu = run1(0xeb10, 0x0f01, { 0: 0x80000000, 1: 0x80000000 }); // cmn.w r0, r1
  assert.equal(flags(cpu), "nZCV");
  cpu = run1(0xea5f, 0x0061, { 1: 0x80000001 }); // asrs.w r0, r1, #1
  assert.equal(u(cpu, 0), 0xc0000000);
  assert.equal(flags(cpu), "NzCv");
  cpu = run1(0xea5f, 0x0011, { 1: 0x80000000 }); // lsrs.w r0, r1, #32
  assert.equal(u(cpu, 0), 0);
  assert.equal(flags(cpu), "nZCv");
});

test("PKHBT/PKHTB", () => {
  assert.equal(u(run1(0xeac1, 0x00c2, { 1: 0x11112222, 2: 0x00012345 }), 0), 0x00092222); // pkhbt r0, r1, r2, lsl #3
  assert.equal(u(run1(0xeac1, 0x00e2, { 1: 0x11112222, 2: 0x80001238 }), 0), 0x11110247); // pkhtb r0, r1, r2, asr #3
  expectUndefined([0xead1, 0x00c2]); // PKH with S = 1
  expectUndefined([0xeac1, 0x00d2]); // PKH with T = 1
});

test("unallocated data-processing opcodes are UNDEFINED", () => {
  expectUndefined([0xeaa1, 0x0002]); // shifted register, op = 0101
  expectUndefined([0xeb81, 0x0002]); // op = 1100
  expectUndefined([0xebe1, 0x0002]); // op = 1111
  expectUndefined([0xf0a1, 0x0001]); // modified immediate, op = 0101
  expectUndefined([0xf0c1, 0x0001]); // op = 0110
  expectUndefined([0xf221, 0x0001]); // plain binary immediate, op = 00010
  expectUndefined([0xf2e1, 0x0001]); // op = 01110
});

test("ADDW/SUBW/ADR.W/MOVW/MOVT", () => {
  assert.equal(u(run1(0xf601, 0x20bc, { 1: 0x10000 }), 0), 0x10abc); // addw r0, r1, #0xabc
  assert.equal(u(run1(0xf2a1, 0x1023, { 1: 0x1000 }), 0), 0x1000 - 0x123); // subw r0, r1, #0x123
  assert.equal(u(run1(0xf24a, 0x505a, { 0: 0xffffffff }), 0), 0xa55a); // movw r0, #0xa55a
  assert.equal(u(run1(0xf6cf, 0x70ff, { 0: 0x12341234 }), 0), 0xffff1234); // movt r0, #0xffff
  // addw r0, pc, #0xfff at CODE + 2: Align(CODE + 6, 4) = CODE + 4.
  let t = thumb([0xbf00, 0xf60f, 0x70ff]);
  t.cpu.run(2);
  assert.equal(u(t.cpu, 0), CODE + 4 + 0xfff);
  t = thumb([0xbf00, 0xf2af, 0x1004]); // subw r0, pc, #0x104
  t.cpu.run(2);
  assert.equal(u(t.cpu, 0), CODE + 4 - 0x104);
});

test("SSAT/USAT saturate and set Q; shifts apply first", () => {
  let cpu = run1(0xf301, 0x0007, { 1: 300 }); // ssat r0, #8, r1
  assert.equal(u(cpu, 0), 127);
  assert.equal(cpu.q, 1);
  cpu = run1(0xf301, 0x0007, { 1: -128 }); // ssat r0, #8, r1: in range
  assert.equal(cpu.r[0], -128);
  assert.equal(cpu.q, 0);
  cpu = run1(0xf301, 0x005f, { 1: 0x40000000 }); // ssat r0, #32, r1, lsl #1: the shift wraps to negative
  assert.equal(u(cpu, 0), 0x80000000);
  assert.equal(cpu.q, 0);
  cpu = run1(0xf321, 0x70c0, { 1: 0x80000000 }); // ssat r0, #1, r1, asr #31
  assert.equal(cpu.r[0], -1);
  assert.equal(cpu.q, 0);
  cpu = run1(0xf3a1, 0x1008, { 1: 0x1000 }); // usat r0, #8, r1, asr #4: 0x100 > 255
  assert.equal(u(cpu, 0), 255);
  assert.equal(cpu.q, 1);
  cpu = run1(0xf381, 0x00df, { 1: 0x10000000 }); // usat r0, #31, r1, lsl #3: negative → 0
  assert.equal(u(cpu, 0), 0);
  assert.equal(cpu.q, 1);
});

test("SSAT16/USAT16 saturate each halfword", () => {
  let cpu = run1(0xf321, 0x0007, { 1: 0xff000100 }); // ssat16 r0, #8, r1: -256 → -128, 256 → 127
  assert.equal(u(cpu, 0), 0xff80007f);
  assert.equal(cpu.q, 1);
  cpu = run1(0xf3a1, 0x0008, { 1: 0xffff0042 }); // usat16 r0, #8, r1: -1 → 0, 0x42 kept
  assert.equal(u(cpu, 0), 0x00000042);
  assert.equal(cpu.q, 1);
});

test("SBFX/UBFX/BFI/BFC, and fields outside the register are UNDEFINED", () => {
  assert.equal(u(run1(0xf341, 0x00dc, { 1: 0x80000008 }), 0), 0xf0000001); // sbfx r0, r1, #3, #29
  assert.equal(u(run1(0xf341, 0x0007, { 1: 0x7f }), 0), 0x7f); // sbfx r0, r1, #0, #8
  assert.equal(u(run1(0xf3c1, 0x7003, { 1: 0xa0000000 }), 0), 0xa); // ubfx r0, r1, #28, #4
  assert.equal(u(run1(0xf3c1, 0x001f, { 1: 0x87654321 }), 0), 0x87654321); // ubfx r0, r1, #0, #32
  assert.equal(u(run1(0xf36f, 0x100b, { 0: 0xffffffff }), 0), 0xfffff00f); // bfc r0, #4, #8
  assert.equal(u(run1(0xf361, 0x70df, { 0: 0, 1: 0xffffffff }), 0), 0x80000000); // bfi r0, r1, #31, #1
  assert.equal(u(run1(0xf361, 0x2017, { 0: 0x11111111, 1: 0xabcd }), 0), 0x11abcd11); // bfi r0, r1, #8, #16
  expectUndefined([0xf341, 0x7007]); // sbfx r0, r1, #28, #8
  expectUndefined([0xf361, 0x2007]); // bfi with msb 7 < lsb 8
});

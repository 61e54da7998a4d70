// A32 media instructions: parallel add/subtract with GE flags, SEL, saturation and the Q flag,
// packing, extends with rotation, byte/bit reversal, CLZ, USAD8, bit fields, and UNDEFINED encodings.

import { test } from "node:test";
import assert from "node:assert/strict";
import { runA32, u32, VEC_UND, type RunOptions } from "./a32-util.js";
import { Mode } from "../../../src/cpu/state.js";

function exec(words: number | number[], regs: Record<number, number>, setup?: RunOptions["setup"]) {
  return runA32(typeof words === "number" ? [words] : words, { regs, setup }).cpu;
}

test("SADD16/SASX set GE per halfword from the signed result", () => {
  let cpu = exec(0xe6110f12, { 1: 0x7fff0001, 2: 0x0001fffe }); // sadd16 r0, r1, r2
  assert.equal(u32(cpu, 0), 0x8000ffff);
  assert.equal(cpu.ge, 0b1100);
  cpu = exec(0xe6110f32, { 1: 0x00030005, 2: 0x0007fffe }); // sasx: lo = 5 − 7, hi = 3 + (−2)
  assert.equal(u32(cpu, 0), 0x0001fffe);
  assert.equal(cpu.ge, 0b1100);
});

test("UADD8/USUB8/USAX set GE from carries and non-negative differences", () => {
  let cpu = exec(0xe6510f92, { 1: 0xff800102, 2: 0x01800203 }); // uadd8 r0, r1, r2
  assert.equal(u32(cpu, 0), 0x00000305);
  assert.equal(cpu.ge, 0b1100);
  cpu = exec(0xe6510ff2, { 1: 0x051000ff, 2: 0x06100100 }); // usub8 r0, r1, r2
  assert.equal(u32(cpu, 0), 0xff00ffff);
  assert.equal(cpu.ge, 0b0101);
  cpu = exec(0xe6510f52, { 1: 0x0005ffff, 2: 0x00010006 }); // usax: lo = 0xffff + 1, hi = 5 − 6
  assert.equal(u32(cpu, 0), 0xffff0000);
  assert.equal(cpu.ge, 0b0011);
  cpu = exec(0xe6110ff2, { 1: 0x807f0001, 2: 0x01ff0002 }); // ssub8 r0, r1, r2
  assert.equal(u32(cpu, 0), 0x7f8000ff);
  assert.equal(cpu.ge, 0b0110);
});

test("saturating and halving parallel forms leave GE and Q alone", () => {
  const keep: RunOptions["setup"] = ({ cpu }) => {
    cpu.ge = 0b1010;
  };
  let cpu = exec(0xe6210f12, { 1: 0x7fff8000, 2: 0x0001ffff }, keep); // qadd16 r0, r1, r2
  assert.equal(u32(cpu, 0), 0x7fff8000);
  assert.equal(cpu.ge, 0b1010);
  assert.equal(cpu.q, 0);
  cpu = exec(0xe6610ff2, { 1: 0x10203040, 2: 0x20103050 }, keep); // uqsub8 r0, r1, r2
  assert.equal(u32(cpu, 0), 0x00100000);
  assert.equal(cpu.ge, 0b1010);
  cpu = exec(0xe6610f12, { 1: 0xfff00001, 2: 0x00200001 }); // uqadd16 r0, r1, r2
  assert.equal(u32(cpu, 0), 0xffff0002);
  cpu = exec(0xe6310f92, { 1: 0x7f8001ff, 2: 0x7f8002ff }); // shadd8 r0, r1, r2
  assert.equal(u32(cpu, 0), 0x7f8001ff);
  cpu = exec(0xe6710f72, { 1: 0x00000005, 2: 0x00010002 }); // uhsub16: hi (0 − 1) >> 1, lo (5 − 2) >> 1
  assert.equal(u32(cpu, 0), 0xffff0001);
});

test("SEL picks bytes by GE (after USUB8: a per-byte max)", () => {
  // usub8 r3, r1, r2 ; sel r0, r1, r2  → bytewise unsigned max of r1 and r2
  const cpu = exec([0xe6513ff2, 0xe6810fb2], { 1: 0x10ff2005, 2: 0x20013004 });
  assert.equal(u32(cpu, 0), 0x20ff3005);
  const c2 = exec(0xe6810fb2, { 1: 0x11223344, 2: 0xaabbccdd }, ({ cpu }) => (cpu.ge = 0b0101)); // sel r0, r1, r2
  assert.equal(u32(c2, 0), 0xaa22cc44);
});

test("QADD/QSUB/QDADD/QDSUB saturate and set Q", () => {
  let cpu = exec(0xe1020051, { 1: 0x7fffffff, 2: 1 }); // qadd r0, r1, r2
  assert.equal(u32(cpu, 0), 0x7fffffff);
  assert.equal(cpu.q, 1);
  cpu = exec(0xe1020051, { 1: 5, 2: 0xfffffffd }); // qadd: 5 + (−3)
  assert.equal(u32(cpu, 0), 2);
  assert.equal(cpu.q, 0);
  cpu = exec(0xe1220051, { 1: 0x80000000, 2: 1 }); // qsub r0, r1, r2
  assert.equal(u32(cpu, 0), 0x80000000);
  assert.equal(cpu.q, 1);
  cpu = exec(0xe1420051, { 1: 0xffffffff, 2: 0x40000000 }); // qdadd: −1 + sat(2^31) — only the doubling saturates
  assert.equal(u32(cpu, 0), 0x7ffffffe);
  assert.equal(cpu.q, 1);
  cpu = exec(0xe1620051, { 1: 0, 2: 0x80000000 }); // qdsub: 0 − sat(−2^32)
  assert.equal(u32(cpu, 0), 0x7fffffff);
  assert.equal(cpu.q, 1);
});

test("SSAT/USAT with shifts; SSAT #32 never saturates", () => {
  let cpu = exec(0xe6a70011, { 1: 200 }); // ssat r0, #8, r1
  assert.equal(u32(cpu, 0), 127);
  assert.equal(cpu.q, 1);
  cpu = exec(0xe6a70011, { 1: -200 });
  assert.equal(u32(cpu, 0), 0xffffff80);
  cpu = exec(0xe6a70011, { 1: 100 });
  assert.equal(u32(cpu, 0), 100);
  assert.equal(cpu.q, 0);
  cpu = exec(0xe6af0251, { 1: 0x00100000 }); // ssat r0, #16, r1, asr #4
  assert.equal(u32(cpu, 0), 0x7fff);
  assert.equal(cpu.q, 1);
  cpu = exec(0xe6e80011, { 1: -5 }); // usat r0, #8, r1
  assert.equal(u32(cpu, 0), 0);
  assert.equal(cpu.q, 1);
  cpu = exec(0xe6e80011, { 1: 300 });
  assert.equal(u32(cpu, 0), 255);
  cpu = exec(0xe6ff0091, { 1: 0x40000000 }); // usat r0, #31, r1, lsl #1: the shifted value is negative
  assert.equal(u32(cpu, 0), 0);
  assert.equal(cpu.q, 1);
  cpu = exec(0xe6ff0091, { 1: 0x3fffffff });
  assert.equal(u32(cpu, 0), 0x7ffffffe);
  assert.equal(cpu.q, 0);
  cpu = exec(0xe6bf0011, { 1: 0x80000000 }); // ssat r0, #32, r1
  assert.equal(u32(cpu, 0), 0x80000000);
  assert.equal(cpu.q, 0);
});

test("SSAT16/USAT16 saturate each halfword", () => {
  let cpu = exec(0xe6a30f31, { 1: 0x0009fff0 }); // ssat16 r0, #4, r1: range −8..7
  assert.equal(u32(cpu, 0), 0x0007fff8);
  assert.equal(cpu.q, 1);
  cpu = exec(0xe6e40f31, { 1: 0xffff0010 }); // usat16 r0, #4, r1: range 0..15
  assert.equal(u32(cpu, 0), 0x0000000f);
  assert.equal(cpu.q, 1);
});

test("PKHBT/PKHTB, with ASR #32", () => {
  let cpu = exec(0xe6810412, { 1: 0x11112222, 2: 0x00abcd00 }); // pkhbt r0, r1, r2, lsl #8
  assert.equal(u32(cpu, 0), 0xabcd2222);
  cpu = exec(0xe6810052, { 1: 0x11112222, 2: 0x80000000 }); // pkhtb r0, r1, r2, asr #32
  assert.equal(u32(cpu, 0), 0x1111ffff);
  cpu = exec(0xe6810452, { 1: 0x11112222, 2: 0x00123456 }); // pkhtb r0, r1, r2, asr #8
  assert.equal(u32(cpu, 0), 0x11111234);
});

test("extends rotate first, then extend (and add)", () => {
  let cpu = exec(0xe68f0471, { 1: 0x807fff01 }); // sxtb16 r0, r1, ror #8
  assert.equal(u32(cpu, 0), 0xff80ffff);
  cpu = exec(0xe6810072, { 1: 0x00010001, 2: 0x00ff00fe }); // sxtab16 r0, r1, r2
  assert.equal(u32(cpu, 0), 0x0000ffff);
  cpu = exec(0xe6e10872, { 1: 0x100, 2: 0x00ab0000 }); // uxtab r0, r1, r2, ror #16
  assert.equal(u32(cpu, 0), 0x1ab);
  cpu = exec(0xe6bf0c71, { 1: 0x00008080 }); // sxth r0, r1, ror #24
  assert.equal(u32(cpu, 0), 0xffff8000);
  cpu = exec(0xe6cf0071, { 1: 0x12345678 }); // uxtb16 r0, r1
  assert.equal(u32(cpu, 0), 0x00340078);
  cpu = exec(0xe6a10072, { 1: 10, 2: 0xf6 }); // sxtab r0, r1, r2
  assert.equal(u32(cpu, 0), 0);
  cpu = exec(0xe6f10472, { 1: 1, 2: 0x00ffff00 }); // uxtah r0, r1, r2, ror #8
  assert.equal(u32(cpu, 0), 0x10000);
});

test("REV/REV16/REVSH/RBIT/CLZ", () => {
  assert.equal(u32(exec(0xe6bf0f31, { 1: 0x12345678 }), 0), 0x78563412); // rev r0, r1
  assert.equal(u32(exec(0xe6bf0fb1, { 1: 0x12345678 }), 0), 0x34127856); // rev16 r0, r1
  assert.equal(u32(exec(0xe6ff0fb1, { 1: 0x12345680 }), 0), 0xffff8056); // revsh r0, r1
  assert.equal(u32(exec(0xe6ff0f31, { 1: 1 }), 0), 0x80000000); // rbit r0, r1
  assert.equal(u32(exec(0xe6ff0f31, { 1: 0x12345678 }), 0), 0x1e6a2c48);
  assert.equal(u32(exec(0xe16f0f11, { 1: 0 }), 0), 32); // clz r0, r1
  assert.equal(u32(exec(0xe16f0f11, { 1: 1 }), 0), 31);
  assert.equal(u32(exec(0xe16f0f11, { 1: 0x80000000 }), 0), 0);
});

test("USAD8/USADA8", () => {
  const regs = { 1: 0x0110ff00, 2: 0x020800ff, 3: 1000 };
  assert.equal(u32(exec(0xe780f211, regs), 0), 519); // usad8 r0, r1, r2: 1 + 8 + 255 + 255
  assert.equal(u32(exec(0xe7803211, regs), 0), 1519); // usada8 r0, r1, r2, r3
});

test("BFI/BFC/UBFX/SBFX", () => {
  assert.equal(u32(exec(0xe7d30411, { 0: 0xffffffff, 1: 0xabc }), 0), 0xfffabcff); // bfi r0, r1, #8, #12
  assert.equal(u32(exec(0xe7db021f, { 0: 0xffffffff }), 0), 0xf000000f); // bfc r0, #4, #24
  assert.equal(u32(exec(0xe7e30e51, { 1: 0xa0000000 }), 0), 0xa); // ubfx r0, r1, #28, #4
  assert.equal(u32(exec(0xe7a70251, { 1: 0x00000f80 }), 0), 0xfffffff8); // sbfx r0, r1, #4, #8
});

test("UDF and unallocated media encodings are UNDEFINED", () => {
  for (const word of [0xe7f123f4 /* udf #0x1234 */, 0xe6400f10 /* parallel op1 = 0b00100 */]) {
    const cpu = exec(word, { 0: 7 });
    assert.equal(cpu.mode, Mode.UND);
    assert.equal(cpu.nextPc, VEC_UND);
    assert.equal(u32(cpu, 14), 4, "LR_und = address of the instruction + 4");
    assert.equal(u32(cpu, 0), 7);
  }
});

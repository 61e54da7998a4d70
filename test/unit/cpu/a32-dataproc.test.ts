// A32 data-processing: arithmetic flags, shifter carry-out (immediate and register shifts,
// including amounts ≥ 32 and RRX), modified immediates, PC reads, MOVW/MOVT, and writes to the PC.
// Expected values are worked out from the ARM ARM pseudocode (DDI 0406C A8.4, A2.2).

import { test } from "node:test";
import assert from "node:assert/strict";
import { runA32, u32, nzcv } from "./a32-util.js";
import { Mode } from "../../../src/cpu/state.js";

const N = 8;
const Z = 4;
const C = 2;
const V = 1;

/** Runs one instruction with r1, r2 and NZCV preset; returns the core. */
function one(word: number, r1: number, r2: number, flags = 0) {
  return runA32([word], { regs: { 0: 0x5a5a5a5a, 1: r1, 2: r2 }, nzcv: flags }).cpu;
}

test("ADDS sets carry and overflow as AddWithCarry", () => {
  const ADDS = 0xe0910002; // adds r0, r1, r2
  let cpu = one(ADDS, 0xffffffff, 1);
  assert.equal(u32(cpu, 0), 0);
  assert.equal(nzcv(cpu), Z | C);
  cpu = one(ADDS, 0x7fffffff, 1);
  assert.equal(u32(cpu, 0), 0x80000000);
  assert.equal(nzcv(cpu), N | V);
});

test("SUBS/RSBS: C is NOT borrow, V on signed overflow", () => {
  const SUBS = 0xe0510002; // subs r0, r1, r2
  let cpu = one(SUBS, 0, 1);
  assert.equal(u32(cpu, 0), 0xffffffff);
  assert.equal(nzcv(cpu), N);
  cpu = one(SUBS, 0x80000000, 1);
  assert.equal(u32(cpu, 0), 0x7fffffff);
  assert.equal(nzcv(cpu), C | V);
  cpu = one(SUBS, 5, 5);
  assert.equal(nzcv(cpu), Z | C);
  cpu = one(0xe0710002, 3, 10); // rsbs r0, r1, r2
  assert.equal(u32(cpu, 0), 7);
  assert.equal(nzcv(cpu), C);
});

test("ADCS/SBCS/RSCS use the carry flag", () => {
  let cpu = one(0xe0b10002, 0xffffffff, 0, C); // adcs r0, r1, r2: 0xffffffff + 0 + 1
  assert.equal(u32(cpu, 0), 0);
  assert.equal(nzcv(cpu), Z | C);
  cpu = one(0xe0d10002, 5, 5, 0); // sbcs r0, r1, r2: 5 - 5 - 1
  assert.equal(u32(cpu, 0), 0xffffffff);
  assert.equal(nzcv(cpu), N);
  cpu = one(0xe0d10002, 5, 5, C); // sbcs with C = 1: 5 - 5
  assert.equal(u32(cpu, 0), 0);
  assert.equal(nzcv(cpu), Z | C);
  cpu = one(0xe0f10002, 1, 0, 0); // rscs r0, r1, r2: 0 - 1 - 1
  assert.equal(u32(cpu, 0), 0xfffffffe);
  assert.equal(nzcv(cpu), N);
});

test("LSL by register: amounts 0, 1, 31, 32, 33 and only Rs[7:0] counts", () => {
  const LSLS = 0xe1b00211; // lsls r0, r1, r2
  let cpu = one(LSLS, 0x80000001, 0, C); // by 0: unchanged, C unchanged
  assert.equal(u32(cpu, 0), 0x80000001);
  assert.equal(cpu.c, 1);
  cpu = one(LSLS, 0x80000001, 1);
  assert.equal(u32(cpu, 0), 2);
  assert.equal(cpu.c, 1);
  cpu = one(LSLS, 0x80000003, 31); // carry is bit 32-31 = bit 1
  assert.equal(u32(cpu, 0), 0x80000000);
  assert.equal(cpu.c, 1);
  cpu = one(LSLS, 0x80000001, 32); // result 0, carry = bit 0
  assert.equal(u32(cpu, 0), 0);
  assert.equal(nzcv(cpu), Z | C);
  cpu = one(LSLS, 0xffffffff, 33, C); // beyond 32: result 0, carry 0
  assert.equal(u32(cpu, 0), 0);
  assert.equal(nzcv(cpu), Z);
  cpu = one(LSLS, 0x80000001, 0x120); // Rs = 0x120: the amount is 0x20 = 32
  assert.equal(u32(cpu, 0), 0);
  assert.equal(cpu.c, 1);
  cpu = one(LSLS, 0x12345678, 0x100, 0); // low byte 0: no shift, C kept
  assert.equal(u32(cpu, 0), 0x12345678);
  assert.equal(cpu.c, 0);
});

test("LSR/ASR/ROR by register ≥ 32", () => {
  const LSRS = 0xe1b00231; // lsrs r0, r1, r2
  const ASRS = 0xe1b00251; // asrs r0, r1, r2
  const RORS = 0xe1b00271; // rors r0, r1, r2
  let cpu = one(LSRS, 0x80000001, 32); // 0, carry = bit 31
  assert.equal(u32(cpu, 0), 0);
  assert.equal(cpu.c, 1);
  cpu = one(LSRS, 0x80000001, 33, C);
  assert.equal(u32(cpu, 0), 0);
  assert.equal(cpu.c, 0);
  cpu = one(LSRS, 0x80000001, 1);
  assert.equal(u32(cpu, 0), 0x40000000);
  assert.equal(cpu.c, 1);
  cpu = one(ASRS, 0x80000000, 32);
  assert.equal(u32(cpu, 0), 0xffffffff);
  assert.equal(cpu.c, 1);
  cpu = one(ASRS, 0x80000000, 200);
  assert.equal(u32(cpu, 0), 0xffffffff);
  assert.equal(cpu.c, 1);
  cpu = one(ASRS, 0x40000000, 40, C);
  assert.equal(u32(cpu, 0), 0);
  assert.equal(cpu.c, 0);
  cpu = one(RORS, 0x80000001, 32); // rotation by 32: value unchanged, carry = bit 31
  assert.equal(u32(cpu, 0), 0x80000001);
  assert.equal(cpu.c, 1);
  cpu = one(RORS, 0x00000001, 64, C); // multiple of 32: carry = bit 31 = 0
  assert.equal(u32(cpu, 0), 1);
  assert.equal(cpu.c, 0);
  cpu = one(RORS, 0x80000001, 33); // same as ROR #1
  assert.equal(u32(cpu, 0), 0xc0000000);
  assert.equal(cpu.c, 1);
  cpu = one(RORS, 0x00000002, 0, C); // by 0: unchanged, C kept
  assert.equal(u32(cpu, 0), 2);
  assert.equal(cpu.c, 1);
});

test("immediate shifts: LSR #32, ASR #32, RRX and ROR carry-out", () => {
  let cpu = one(0xe1b00021, 0x80000000, 0); // lsrs r0, r1, #32
  assert.equal(u32(cpu, 0), 0);
  assert.equal(nzcv(cpu), Z | C);
  cpu = one(0xe1b00041, 0x80000000, 0); // asrs r0, r1, #32
  assert.equal(u32(cpu, 0), 0xffffffff);
  assert.equal(nzcv(cpu), N | C);
  cpu = one(0xe1b00041, 0x7fffffff, 0, C); // asrs r0, r1, #32
  assert.equal(u32(cpu, 0), 0);
  assert.equal(nzcv(cpu), Z);
  cpu = one(0xe1b00061, 3, 0, C); // rrxs r0, r1: C into bit 31, bit 0 out
  assert.equal(u32(cpu, 0), 0x80000001);
  assert.equal(nzcv(cpu), N | C);
  cpu = one(0xe1b00061, 2, 0, 0); // rrxs r0, r1
  assert.equal(u32(cpu, 0), 1);
  assert.equal(nzcv(cpu), 0);
  cpu = one(0xe1b00261, 0xf, 0); // rors r0, r1, #4
  assert.equal(u32(cpu, 0), 0xf0000000);
  assert.equal(nzcv(cpu), N | C);
  cpu = one(0xe1b00081, 0x40000000, 0, C | V); // lsls r0, r1, #1: V is untouched by logical ops
  assert.equal(u32(cpu, 0), 0x80000000);
  assert.equal(nzcv(cpu), N | V);
});

test("modified immediates: carry is bit 31 of a rotated constant, unchanged otherwise", () => {
  let cpu = one(0xe3b00102, 0, 0); // movs r0, #0x80000000
  assert.equal(u32(cpu, 0), 0x80000000);
  assert.equal(nzcv(cpu), N | C);
  cpu = one(0xe3b000ff, 0, 0, C); // movs r0, #0xff (no rotation): C kept
  assert.equal(u32(cpu, 0), 0xff);
  assert.equal(nzcv(cpu), C);
  cpu = one(0xe3d1020f, 0xffffffff, 0); // bics r0, r1, #0xf0000000
  assert.equal(u32(cpu, 0), 0x0fffffff);
  assert.equal(nzcv(cpu), C);
});

test("logical and compare operations", () => {
  let cpu = one(0xe1810202, 0x1, 0x0f0000f0); // orr r0, r1, r2, lsl #4
  assert.equal(u32(cpu, 0), 0xf0000f01);
  cpu = one(0xe0210462, 0xff, 0x12345678); // eor r0, r1, r2, ror #8
  assert.equal(u32(cpu, 0), 0x78123456 ^ 0xff);
  cpu = one(0xe1f00001, 0x0f0f0f0f, 0); // mvns r0, r1
  assert.equal(u32(cpu, 0), 0xf0f0f0f0);
  assert.equal(cpu.n, 1);
  cpu = one(0xe1110002, 0xf0, 0x0f); // tst r1, r2
  assert.equal(nzcv(cpu), Z);
  assert.equal(u32(cpu, 0), 0x5a5a5a5a, "TST writes no register");
  cpu = one(0xe1110082, 0x80000000, 0x80000000); // tst r1, r2, lsl #1: carry from the shifter
  assert.equal(nzcv(cpu), Z | C);
  cpu = one(0xe1310002, 0x1234, 0x1234); // teq r1, r2
  assert.equal(nzcv(cpu), Z);
  cpu = one(0xe1510002, 1, 2); // cmp r1, r2
  assert.equal(nzcv(cpu), N);
  cpu = one(0xe1710002, 0xffffffff, 1); // cmn r1, r2
  assert.equal(nzcv(cpu), Z | C);
});

test("condition codes gate execution", () => {
  let cpu = one(0x00810002, 1, 2, 0); // addeq r0, r1, r2 with Z = 0
  assert.equal(u32(cpu, 0), 0x5a5a5a5a);
  cpu = one(0x10810002, 1, 2, 0); // addne r0, r1, r2
  assert.equal(u32(cpu, 0), 3);
});

test("the PC reads as the instruction address + 8", () => {
  let { cpu } = runA32([0xe1a0000f]); // 0x0: mov r0, pc
  assert.equal(u32(cpu, 0), 8);
  ({ cpu } = runA32([0xe1a00000, 0xe1a00000, 0xe28f0000])); // nop; nop; 0x8: add r0, pc, #0
  assert.equal(u32(cpu, 0), 16);
  ({ cpu } = runA32([0xe08f0101], { regs: { 1: 1 } })); // add r0, pc, r1, lsl #2
  assert.equal(u32(cpu, 0), 12);
});

test("MOVW zero-extends, MOVT keeps the low half", () => {
  const { cpu } = runA32([0xe30b3eef, 0xe34d3ead], { regs: { 3: 0xffffffff } }); // movw r3, #0xbeef; movt r3, #0xdead
  assert.equal(u32(cpu, 3), 0xdeadbeef);
  const h = runA32([0xe30b3eef], { regs: { 3: 0xffffffff } });
  assert.equal(u32(h.cpu, 3), 0xbeef);
});

test("a data-processing write to the PC interworks (ALUWritePC)", () => {
  const { cpu } = runA32([0xe1a0f000], { regs: { 0: 0x101 } }); // mov pc, r0
  assert.equal(cpu.nextPc, 0x100);
  assert.equal(cpu.t, 1);
});

test("a simple loop runs: sub/cmp/bne", () => {
  // 0x0: sub r0, r0, #1; 0x4: cmp r0, #0; 0x8: bne 0x0
  const { cpu } = runA32([0xe2400001, 0xe3500000, 0x1afffffc], { regs: { 0: 5 }, steps: 15 });
  assert.equal(u32(cpu, 0), 0);
  assert.equal(cpu.nextPc, 0xc);
});

test("SUBS pc, lr, #4 returns from an exception: CPSR ← SPSR", () => {
  const { cpu } = runA32([0xe25ef004], {
    // subs pc, lr, #4
    setup: ({ cpu }) => {
      cpu.r[13] = 0x5000; // SVC stack
      cpu.r[14] = 0x204;
      cpu.setSpsr(0x60000010); // Z, C, User mode
      cpu.bankedSpLr[0] = 0x7000; // SP_usr
    },
  });
  assert.equal(cpu.mode, Mode.USR);
  assert.equal(cpu.nextPc, 0x200);
  assert.equal(nzcv(cpu), Z | C);
  assert.equal(u32(cpu, 13), 0x7000, "the User bank is live");
  assert.equal(cpu.i, 0);
});

test("MOVS pc, lr to a Thumb SPSR lands in Thumb state", () => {
  const { cpu } = runA32([0xe1b0f00e], {
    // movs pc, lr
    setup: ({ cpu }) => {
      cpu.r[14] = 0x301;
      cpu.setSpsr(0x00000030); // User, T
    },
  });
  assert.equal(cpu.t, 1);
  assert.equal(cpu.nextPc, 0x300);
  assert.equal(cpu.mode, Mode.USR);
});

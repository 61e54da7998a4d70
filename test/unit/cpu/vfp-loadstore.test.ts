// Extension register loads and stores: VLDR/VSTR (with PC-relative forms), VLDM/VSTM IA/DB with
// writeback, VPUSH/VPOP, FLDMX/FSTMX, alignment faults, and aborts that leave registers untouched.

import { test } from "node:test";
import assert from "node:assert/strict";
import { RAM_SIZE, RecordingTraps } from "../../helpers/cpu-harness.js";
import { Mode } from "../../../src/cpu/state.js";
import { assertUndefined, CODE, getD, getS, read32, setD, setS, vfp, vfpThumb, write32 } from "./vfp-harness.js";

const DATA = 0x8000;

test("VLDR Dd loads the low word from the lower address (little-endian)", () => {
  const { cpu, stage2 } = vfp([0xedd00b02 /* vldr d16, [r0, #8] */]);
  cpu.r[0] = DATA;
  write32(stage2, DATA + 8, 0x89abcdef);
  write32(stage2, DATA + 12, 0x01234567);
  cpu.run(1);
  assert.equal(getD(cpu, 16), "0123456789abcdef");
});

test("VSTR Sd with a negative offset; VLDR Sd from a PC-relative literal (ARM: PC = address + 8)", () => {
  const { cpu, stage2 } = vfp([0xed400a01 /* vstr s1, [r0, #-4] */, 0xed9f1a01 /* vldr s2, [pc, #4] */]);
  cpu.r[0] = DATA;
  setS(cpu, 1, 0x7f800001);
  write32(stage2, CODE + 4 + 8 + 4, 0xcafef00d);
  cpu.run(2);
  assert.equal(read32(stage2, DATA - 4), 0x7f800001);
  assert.equal(getS(cpu, 2), 0xcafef00d);
});

test("Thumb VLDR literal uses Align(PC, 4)", () => {
  // At CODE + 2 the PC reads as CODE + 6, aligned down to CODE + 4; the literal is at CODE + 8.
  const { cpu, stage2 } = vfpThumb([0xed9f, 0x1a01 /* vldr s2, [pc, #4] */], CODE + 2);
  write32(stage2, CODE + 8, 0x3f800000);
  write32(stage2, CODE + 12, 0xdeadbeef);
  cpu.run(1);
  assert.equal(getS(cpu, 2), 0x3f800000);
});

test("VLDMIA with writeback loads consecutive doubles and advances the base", () => {
  const { cpu, stage2 } = vfp([0xecb00b08 /* vldmia r0!, {d0-d3} */]);
  cpu.r[0] = DATA;
  for (let k = 0; k < 8; k++) write32(stage2, DATA + 4 * k, 0x1000 + k);
  cpu.run(1);
  assert.equal(cpu.r[0], DATA + 32);
  assert.equal(getD(cpu, 0), "0000100100001000");
  assert.equal(getD(cpu, 3), "0000100700001006");
});

test("VSTMDB with writeback stores below the base, lowest register at the lowest address", () => {
  const { cpu, stage2 } = vfp([0xed210a03 /* vstmdb r1!, {s0-s2} */]);
  cpu.r[1] = DATA;
  setS(cpu, 0, 0xa0);
  setS(cpu, 1, 0xa1);
  setS(cpu, 2, 0xa2);
  cpu.run(1);
  assert.equal(cpu.r[1], DATA - 12);
  assert.deepEqual([read32(stage2, DATA - 12), read32(stage2, DATA - 8), read32(stage2, DATA - 4)], [0xa0, 0xa1, 0xa2]);
});

test("VPUSH and VPOP round-trip D8-D9 through the stack", () => {
  const { cpu, stage2 } = vfp([0xed2d8b04 /* vpush {d8-d9} */, 0xecbd8b04 /* vpop {d8-d9} */]);
  cpu.r[13] = DATA;
  setD(cpu, 8, "7ff0000000000001");
  setD(cpu, 9, "c000000000000000");
  cpu.run(1);
  assert.equal(cpu.r[13], DATA - 16);
  assert.deepEqual(
    [0, 4, 8, 12].map((o) => read32(stage2, DATA - 16 + o)),
    [0x00000001, 0x7ff00000, 0x00000000, 0xc0000000],
  );
  setD(cpu, 8, "0000000000000000");
  setD(cpu, 9, "0000000000000000");
  cpu.run(1);
  assert.equal(cpu.r[13], DATA);
  assert.equal(getD(cpu, 8), "7ff0000000000001");
  assert.equal(getD(cpu, 9), "c000000000000000");
});

test("FSTMIAX/FLDMIAX (imm8 = 33): sixteen doubles, base moves by 33 words", () => {
  const { cpu, stage2 } = vfp([0xeca00b21 /* fstmiax r0!, {d0-d15} */, 0xecb00b21 /* fldmiax r0!, {d0-d15} */]);
  cpu.r[0] = DATA;
  for (let k = 0; k < 32; k++) setS(cpu, k, 0x100 + k);
  write32(stage2, DATA + 128, 0x5555aaaa);
  cpu.run(1);
  assert.equal(cpu.r[0], DATA + 132);
  assert.equal(read32(stage2, DATA + 124), 0x11f);
  assert.equal(read32(stage2, DATA + 128), 0x5555aaaa, "the format word is not written");
  cpu.vfp.w.fill(0);
  cpu.r[0] = DATA;
  cpu.run(1);
  assert.equal(cpu.r[0], DATA + 132);
  assert.equal(getS(cpu, 31), 0x11f);
});

test("VLDMIA without writeback into D16-D31; VSTMIA of S0-S31", () => {
  const { cpu, stage2 } = vfp([0xecd00b20 /* vldmia r0, {d16-d31} */, 0xec800a20 /* vstmia r0, {s0-s31} */]);
  cpu.r[0] = DATA;
  for (let k = 0; k < 32; k++) write32(stage2, DATA + 4 * k, k);
  cpu.run(1);
  assert.equal(cpu.r[0], DATA);
  assert.equal(getD(cpu, 16), "0000000100000000");
  assert.equal(getD(cpu, 31), "0000001f0000001e");
  for (let k = 0; k < 32; k++) setS(cpu, k, 0x200 + k);
  cpu.run(1);
  assert.equal(read32(stage2, DATA + 4 * 31), 0x21f);
});

test("VLDMDB with writeback of a single double", () => {
  const { cpu, stage2 } = vfp([0xed304b02 /* vldmdb r0!, {d4} */]);
  cpu.r[0] = DATA;
  write32(stage2, DATA - 8, 0x44444444);
  write32(stage2, DATA - 4, 0x40000000);
  cpu.run(1);
  assert.equal(cpu.r[0], DATA - 8);
  assert.equal(getD(cpu, 4), "4000000044444444");
});

test("an unaligned VLDR takes an alignment fault and leaves the register unchanged", () => {
  const { cpu } = vfp([0xed900b00 /* vldr d0, [r0] */]);
  cpu.r[0] = DATA + 2;
  setD(cpu, 0, "1111111122222222");
  cpu.run(1);
  assert.equal(cpu.mode, Mode.ABT);
  assert.equal(cpu.cp15.dfsr & 0x40f, 0x001, "alignment fault");
  assert.equal(cpu.cp15.dfar >>> 0, DATA + 2);
  assert.equal(getD(cpu, 0), "1111111122222222");
});

/** Traps that answer every MMIO access with an external abort. */
class AbortingTraps extends RecordingTraps {
  override dataAbort(hsr: number, ipa: number, va: number, size: number, isWrite: boolean, value: number): number {
    super.dataAbort(hsr, ipa, va, size, isWrite, value);
    this.externalAbort = true;
    return 0;
  }
}

test("a VLDM that aborts part way changes neither the registers nor the base", () => {
  const { cpu, stage2 } = vfp([0xecb00b08 /* vldmia r0!, {d0-d3} */]);
  cpu.traps = new AbortingTraps();
  cpu.r[0] = RAM_SIZE - 8; // d0 comes from RAM, d1 from outside it
  write32(stage2, RAM_SIZE - 8, 0x12345678);
  for (let k = 0; k < 4; k++) setD(cpu, k, "abababababababab");
  cpu.run(1);
  assert.equal(cpu.mode, Mode.ABT);
  assert.equal(cpu.r[0], RAM_SIZE - 8, "no writeback");
  for (let k = 0; k < 4; k++) assert.equal(getD(cpu, k), "abababababababab");
});

test("VLDM from MMIO goes through the hypervisor's trap word by word", () => {
  const { cpu, traps } = vfp([0xec900b04 /* vldmia r0, {d0-d1} */]);
  traps.mmioValue = 0x0badcafe;
  cpu.r[0] = 0x08000000;
  cpu.run(1);
  assert.equal(cpu.mode, Mode.SVC);
  assert.deepEqual(
    traps.accesses.map((a) => [a.ipa, a.size, a.isWrite]),
    [0, 4, 8, 12].map((o) => [0x08000000 + o, 4, false]),
  );
  assert.equal(getD(cpu, 1), "0badcafe0badcafe");
});

test("malformed VLDM/VSTM are UNDEFINED: no registers, too many, P = U = W = 1, PC base with writeback", () => {
  for (const instr of [
    0xec900b00, // vldmia r0, {} (imm8 = 0)
    0xecd00b22, // vldmia r0, {d16-d32}: 17 registers past D31
    0xedb00b04, // P = 1, U = 1, W = 1
    0xecbf0b04, // vldmia pc!, {d0-d1}
  ]) {
    const { cpu } = vfp([instr]);
    cpu.r[0] = DATA;
    cpu.run(1);
    assertUndefined(cpu);
  }
});

// A32 LDM/STM in all addressing modes, the base in the register list, the user-register (^) forms,
// LDM ^ with the PC (exception return), alignment and aborts part-way, and SRS/RFE.

import { test } from "node:test";
import assert from "node:assert/strict";
import { runA32, u32, peek32, poke32, nzcv, VEC_DABT, VEC_UND } from "./a32-util.js";
import type { Harness } from "../../helpers/cpu-harness.js";
import { Mode, bankOf } from "../../../src/cpu/state.js";

const DATA = 0x1000;

function withData(words: number[], regs: Record<number, number>, data: number[] = [], extra?: (h: Harness) => void) {
  return runA32(words, {
    regs,
    setup: (h) => {
      data.forEach((w, k) => poke32(h, DATA + 4 * k, w));
      extra?.(h);
    },
  });
}

test("PUSH then POP {…, pc} restores registers and interworks", () => {
  // push {r0-r3, lr}; mov r0, #9; pop {r0-r3, pc}
  const h = runA32([0xe92d400f, 0xe3a00009, 0xe8bd800f], { regs: { 0: 1, 1: 2, 2: 3, 3: 4, 13: 0x2000, 14: 0x101 } });
  assert.equal(peek32(h, 0x2000 - 20), 1, "lowest register at the lowest address");
  assert.equal(peek32(h, 0x2000 - 4), 0x101);
  const cpu = h.cpu;
  assert.equal(u32(cpu, 0), 1);
  assert.equal(u32(cpu, 3), 4);
  assert.equal(u32(cpu, 13), 0x2000);
  assert.equal(cpu.nextPc, 0x100);
  assert.equal(cpu.t, 1);
});

test("the four addressing modes and their writeback", () => {
  const regs = { 0: DATA, 1: 0x11, 2: 0x22 };
  let h = withData([0xe8800006], regs); // stmia r0, {r1, r2}
  assert.deepEqual([peek32(h, DATA), peek32(h, DATA + 4), u32(h.cpu, 0)], [0x11, 0x22, DATA]);
  h = withData([0xe9a00006], regs); // stmib r0!, {r1, r2}
  assert.deepEqual([peek32(h, DATA + 4), peek32(h, DATA + 8), u32(h.cpu, 0)], [0x11, 0x22, DATA + 8]);
  h = withData([0xe8200006], regs); // stmda r0!, {r1, r2}
  assert.deepEqual([peek32(h, DATA - 4), peek32(h, DATA), u32(h.cpu, 0)], [0x11, 0x22, DATA - 8]);
  const data = [0xa0, 0xa4, 0xa8];
  h = withData([0xe9900006], { 0: DATA }, data); // ldmib r0, {r1, r2}
  assert.deepEqual([u32(h.cpu, 1), u32(h.cpu, 2)], [0xa4, 0xa8]);
  h = withData([0xe8300006], { 0: DATA + 4 }, data); // ldmda r0!, {r1, r2}
  assert.deepEqual([u32(h.cpu, 1), u32(h.cpu, 2), u32(h.cpu, 0)], [0xa0, 0xa4, DATA - 4]);
  h = withData([0xe9100006], { 0: DATA + 8 }, data); // ldmdb r0, {r1, r2}
  assert.deepEqual([u32(h.cpu, 1), u32(h.cpu, 2), u32(h.cpu, 0)], [0xa0, 0xa4, DATA + 8]);
});

test("STM with writeback stores the original base when it is the lowest register", () => {
  const h = withData([0xe8a00003], { 0: DATA, 1: 0x11 }); // stmia r0!, {r0, r1}
  assert.equal(peek32(h, DATA), DATA);
  assert.equal(peek32(h, DATA + 4), 0x11);
  assert.equal(u32(h.cpu, 0), DATA + 8);
});

test("LDM with writeback and the base in the list: the base gets the loaded value", () => {
  const h = withData([0xe8b00003], { 0: DATA }, [0xbbbb, 0xcccc]); // ldmia r0!, {r0, r1}
  assert.equal(u32(h.cpu, 0), 0xbbbb);
  assert.equal(u32(h.cpu, 1), 0xcccc);
});

test("STM with the PC stores the instruction address + 8", () => {
  const h = withData([0xe1a00000, 0xe8808002], { 0: DATA, 1: 1 }); // nop; stmia r0, {r1, pc}
  assert.equal(peek32(h, DATA + 4), 4 + 8);
});

test("STM ^ and LDM ^ (no PC) reach the User registers from SVC", () => {
  const usr = bankOf(Mode.USR) * 2;
  let h = withData([0xe8c06000], { 0: DATA, 13: 0x5d5d, 14: 0x5e5e }, [], ({ cpu }) => {
    cpu.bankedSpLr[usr] = 0x1313;
    cpu.bankedSpLr[usr + 1] = 0x1414;
  }); // stmia r0, {sp, lr}^
  assert.equal(peek32(h, DATA), 0x1313);
  assert.equal(peek32(h, DATA + 4), 0x1414);
  h = withData([0xe8d06000], { 0: DATA, 13: 0x5d5d, 14: 0x5e5e }, [0xaaaa, 0xbbbb]); // ldmia r0, {sp, lr}^
  const cpu = h.cpu;
  assert.equal(u32(cpu, 13), 0x5d5d, "SVC's own SP is untouched");
  assert.equal(u32(cpu, 14), 0x5e5e);
  assert.equal(cpu.bankedSpLr[usr], 0xaaaa);
  assert.equal(cpu.bankedSpLr[usr + 1], 0xbbbb);
});

test("STM ^ and LDM ^ from FIQ mode use the User r8-r12", () => {
  const setup = ({ cpu }: Harness) => {
    cpu.switchMode(Mode.USR);
    for (let k = 8; k <= 12; k++) cpu.r[k] = 0x100 + k;
    cpu.switchMode(Mode.FIQ);
    for (let k = 8; k <= 12; k++) cpu.r[k] = 0xf00 + k;
    cpu.r[0] = DATA + 32;
  };
  let h = withData([0xe9401f00], {}, [], setup); // stmdb r0, {r8-r12}^
  assert.equal(peek32(h, DATA + 12), 0x108);
  assert.equal(peek32(h, DATA + 28), 0x10c);
  h = withData([0xe8d00300], {}, [0, 0, 0, 0, 0, 0, 0, 0, 0x888, 0x999], setup); // ldmia r0, {r8, r9}^
  const cpu = h.cpu;
  assert.equal(u32(cpu, 8), 0xf08, "FIQ r8 unchanged");
  cpu.switchMode(Mode.USR);
  assert.equal(u32(cpu, 8), 0x888);
  assert.equal(u32(cpu, 9), 0x999);
});

test("LDM ^ with the PC is an exception return; writeback uses the old mode's SP", () => {
  const h = withData([0xe8fd8002], {}, [0x77, 0x400], ({ cpu }) => {
    cpu.r[13] = DATA; // SVC stack
    cpu.setSpsr(0x80000010); // N, User mode
    cpu.bankedSpLr[bankOf(Mode.USR) * 2] = 0x9000;
  }); // ldmia sp!, {r1, pc}^
  const cpu = h.cpu;
  assert.equal(cpu.mode, Mode.USR);
  assert.equal(cpu.nextPc, 0x400);
  assert.equal(nzcv(cpu), 8);
  assert.equal(u32(cpu, 1), 0x77);
  assert.equal(u32(cpu, 13), 0x9000, "User SP untouched");
  assert.equal(cpu.bankedSpLr[bankOf(Mode.SVC) * 2], DATA + 8, "SVC SP written back");
});

test("LDM/STM require word alignment", () => {
  const h = withData([0xe890000e], { 0: DATA + 2, 1: 1, 2: 2, 3: 3 }, [5, 6, 7, 8]); // ldmia r0, {r1-r3}
  const cpu = h.cpu;
  assert.equal(cpu.mode, Mode.ABT);
  assert.equal(cpu.nextPc, VEC_DABT);
  assert.equal(cpu.cp15.dfsr & 0x40f, 0x01);
  assert.deepEqual([u32(cpu, 1), u32(cpu, 2), u32(cpu, 3)], [1, 2, 3]);
});

test("an LDM that aborts part-way changes no register", () => {
  // ldmia r0!, ... is not needed: the third word lies outside RAM (1 MiB).
  const h = runA32([0xe890000e], {
    regs: { 0: 0xffff8, 1: 1, 2: 2, 3: 3 },
    setup: (h) => {
      h.cpu.traps = null;
    },
  }); // ldmia r0, {r1-r3}
  const cpu = h.cpu;
  assert.equal(cpu.mode, Mode.ABT);
  assert.equal(cpu.cp15.dfar >>> 0, 0x100000);
  assert.deepEqual([u32(cpu, 0), u32(cpu, 1), u32(cpu, 2), u32(cpu, 3)], [0xffff8, 1, 2, 3]);
});

test("an empty register list is UNDEFINED here", () => {
  const { cpu } = runA32([0xe8900000], { regs: { 0: DATA } }); // ldmia r0, {}
  assert.equal(cpu.mode, Mode.UND);
  assert.equal(cpu.nextPc, VEC_UND);
});

test("SRSDB sp! then RFEIA sp! round-trips an exception frame", () => {
  const h = runA32([0xf96d0513, 0xf8bd0a00], {
    // srsdb sp!, #0x13 ; rfeia sp!
    setup: ({ cpu }) => {
      cpu.r[13] = 0x2000;
      cpu.r[14] = 0x300;
      cpu.setSpsr(0x60000010);
    },
  });
  assert.equal(peek32(h, 0x1ff8), 0x300);
  assert.equal(peek32(h, 0x1ffc), 0x60000010);
  const cpu = h.cpu;
  assert.equal(cpu.mode, Mode.USR);
  assert.equal(cpu.nextPc, 0x300);
  assert.equal(nzcv(cpu), 0b0110);
  assert.equal(cpu.bankedSpLr[bankOf(Mode.SVC) * 2], 0x2000, "SRS then RFE leave SP_svc where it was");
});

test("SRS to another mode's stack; RFEDB without writeback", () => {
  let h = runA32([0xf8cd0512], {
    // srsia sp, #0x12 (IRQ stack)
    setup: ({ cpu }) => {
      cpu.bankedSpLr[bankOf(Mode.IRQ) * 2] = 0x3000;
      cpu.r[13] = 0x2000;
      cpu.r[14] = 0x444;
      cpu.setSpsr(0x1d3);
    },
  });
  assert.equal(peek32(h, 0x3000), 0x444);
  assert.equal(peek32(h, 0x3004), 0x1d3);
  assert.equal(h.cpu.bankedSpLr[bankOf(Mode.IRQ) * 2], 0x3000);
  h = withData([0xf9100a00], { 0: DATA + 8 }, [0x600, 0x1f]); // rfedb r0 → System mode at 0x600
  assert.equal(h.cpu.mode, Mode.SYS);
  assert.equal(h.cpu.nextPc, 0x600);
  assert.equal(u32(h.cpu, 0), DATA + 8);
});

test("SRS and RFE are UNDEFINED in User mode", () => {
  for (const word of [0xf96d0513, 0xf8b00a00]) {
    const { cpu } = runA32([word], { regs: { 0: DATA }, setup: ({ cpu }) => cpu.switchMode(Mode.USR) });
    assert.equal(cpu.mode, Mode.UND);
  }
});

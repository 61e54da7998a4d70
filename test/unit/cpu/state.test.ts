import { test } from "node:test";
import assert from "node:assert/strict";
import { CpuState, Mode } from "../../../src/cpu/state.js";

test("mode switch banks r13/r14 and FIQ r8-r12", () => {
  const s = new CpuState();
  s.mode = Mode.SVC;
  s.r[8] = 8;
  s.r[13] = 0x1300;
  s.r[14] = 0x1400;
  s.switchMode(Mode.FIQ);
  assert.equal(s.r[8], 0, "FIQ has its own r8");
  s.r[8] = 88;
  s.r[13] = 0xf13;
  s.switchMode(Mode.IRQ);
  assert.equal(s.r[8], 8, "IRQ shares r8 with SVC");
  assert.equal(s.r[13], 0);
  s.switchMode(Mode.SVC);
  assert.equal(s.r[13], 0x1300);
  assert.equal(s.r[14], 0x1400);
  s.switchMode(Mode.FIQ);
  assert.equal(s.r[8], 88);
  assert.equal(s.r[13], 0xf13);
});

test("CPSR packs and unpacks every field, IT state included", () => {
  const s = new CpuState();
  const value = 0xf80f_fd33 >>> 0; // NZCVQ, IT bits, GE=0xf, T, mode SVC... with E cleared
  s.setCpsr(value);
  assert.equal(s.getCpsr(), (value & ~(1 << 9)) >>> 0);
  assert.equal(s.it, ((value >>> 25) & 3) | (((value >>> 10) & 0x3f) << 2));
});

test("user-bank access from FIQ mode reaches the user registers", () => {
  const s = new CpuState();
  s.mode = Mode.USR;
  s.r[9] = 9;
  s.r[13] = 0x13;
  s.switchMode(Mode.FIQ);
  assert.equal(s.getUserReg(9), 9);
  assert.equal(s.getUserReg(13), 0x13);
  s.setUserReg(13, 0x77);
  s.switchMode(Mode.USR);
  assert.equal(s.r[13], 0x77);
});

test("conditions follow the flags", () => {
  const s = new CpuState();
  s.setNzcv(0x6000_0000); // Z and C
  assert.equal(s.conditionPassed(0), true); // EQ
  assert.equal(s.conditionPassed(8), false); // HI needs C && !Z
  assert.equal(s.conditionPassed(9), true); // LS
  assert.equal(s.conditionPassed(13), true); // LE
});

// T32 branches and miscellaneous control (A6.3.4): B (T3 conditional, T4), BL, BLX (immediate),
// MSR/MRS (including the banked-register forms), CPS and hints, CLREX and barriers, BXJ,
// SUBS PC, LR (exception return), HVC, SMC and UDF. hw2[15] = 1 in this class.

import type { Cpu } from "./core.js";
import { mrsCpsr, msrCpsr, msrSpsr, cps, mrsBanked, msrBanked, banked } from "./ops-psr.js";
import { bankOf } from "./state.js";
import { executeHint } from "./ops-hint.js";

export function branchesMiscControl(cpu: Cpu, instr: number): void {
  const hw1 = instr >>> 16;
  // op1 = hw2[14:12]: x = bit 13 is part of the offset in the branch forms.
  switch ((instr >>> 12) & 5) {
    case 1: // B T4: 0x1
      cpu.branchTo((cpu.r[15] + branchOffset24(instr)) | 0);
      return;
    case 5: // BL: 1x1
      cpu.r[14] = cpu.nextPc | 1;
      cpu.branchTo((cpu.r[15] + branchOffset24(instr)) | 0);
      return;
    case 4: // BLX (immediate) to ARM state: 1x0; H (hw2[0]) = 1 is UNDEFINED.
      if (instr & 1) {
        cpu.undefinedInstruction();
        return;
      }
      cpu.r[14] = cpu.nextPc | 1;
      cpu.bxWritePc(((cpu.r[15] & ~3) + branchOffset24(instr)) & ~3);
      return;
    default:
      break;
  }
  // op1 = 0x0.
  const op = (hw1 >>> 4) & 0x7f;
  if ((op & 0x38) !== 0x38) {
    // B<c> T3: the condition is in the instruction, not in ITSTATE.
    if (cpu.conditionPassed((hw1 >>> 6) & 0xf)) {
      let offset = ((hw1 & 0x3f) << 12) | ((instr & 0x7ff) << 1) | ((instr & 0x2000) << 5) | ((instr & 0x800) << 8);
      if (hw1 & 0x400) offset |= 0xfff00000;
      cpu.branchTo((cpu.r[15] + offset) | 0);
    }
    return;
  }
  // The fixed (0)/(1) bits of these encodings are checked as QEMU decodes them: anything else is
  // UNDEFINED. hw2[13] is 0 in all of them except UDF.
  if (instr & 0x2000 && op !== 0x7f) {
    cpu.undefinedInstruction();
    return;
  }
  const low = instr & 0xffff;
  switch (op) {
    case 0x38:
    case 0x39:
      // MSR: hw2[7:0] = 0, or 001x 0000 for the banked form.
      if ((low & 0xff) === 0 || (low & 0xef) === 0x20) moveToStatus(cpu, instr);
      else cpu.undefinedInstruction();
      return;
    case 0x3a:
      if ((hw1 & 0xf) === 0xf && (low & 0x800) === 0) hintOrCps(cpu, instr);
      else cpu.undefinedInstruction();
      return;
    case 0x3b:
      if ((hw1 & 0xf) === 0xf && (low & 0xff00) === 0x8f00) miscControl(cpu, instr);
      else cpu.undefinedInstruction();
      return;
    case 0x3c: // BXJ: no Jazelle state, so it is BX.
      if (low === 0x8f00) cpu.bxWritePc(cpu.r[hw1 & 0xf]);
      else cpu.undefinedInstruction();
      return;
    case 0x3d:
      exceptionReturnFromLr(cpu, instr);
      return;
    case 0x3e:
    case 0x3f:
      // MRS: Rn = 1111 and hw2[7:0] = 0, or hw2[7:0] = 001x 0000 for the banked form.
      if (((hw1 & 0xf) === 0xf && (low & 0xff) === 0) || (low & 0xef) === 0x20) moveFromStatus(cpu, instr);
      else cpu.undefinedInstruction();
      return;
    case 0x7e:
      // HVC #imm16: UNDEFINED at PL0.
      if (cpu.isUser()) cpu.undefinedInstruction();
      else cpu.hypervisorCall(((hw1 & 0xf) << 12) | (instr & 0xfff));
      return;
    case 0x7f:
      // SMC #imm4 (hw2 = 0x8000); hw2[15:12] = 1010 is UDF.
      if (low !== 0x8000 || cpu.isUser()) cpu.undefinedInstruction();
      else cpu.secureMonitorCall(hw1 & 0xf);
      return;
    default:
      cpu.undefinedInstruction();
  }
}

/** SignExtend(S:I1:I2:imm10:imm11:'0') with I1 = NOT(J1 XOR S), I2 = NOT(J2 XOR S) (B T4, BL, BLX). */
export function branchOffset24(instr: number): number {
  const s = (instr >>> 26) & 1;
  const i1 = 1 ^ ((instr >>> 13) & 1) ^ s;
  const i2 = 1 ^ ((instr >>> 11) & 1) ^ s;
  const offset = (i1 << 23) | (i2 << 22) | ((instr >>> 4) & 0x3ff000) | ((instr & 0x7ff) << 1);
  return s ? offset | 0xff000000 : offset;
}

/** MSR <spec_reg>, Rn (hw2[5] = 0) and MSR <banked_reg>, Rn (hw2[5] = 1). */
function moveToStatus(cpu: Cpu, instr: number): void {
  const value = cpu.r[(instr >>> 16) & 0xf];
  const spsr = instr & 0x100000;
  if (instr & 0x20) {
    // SYSm = M:M1 = hw2[4]:hw2[11:8].
    msrBanked(cpu, spsr ? 1 : 0, (instr & 0x10) | ((instr >>> 8) & 0xf), value);
    if (!banked.ok) cpu.undefinedInstruction();
    return;
  }
  const mask = (instr >>> 8) & 0xf;
  if (spsr) {
    // No SPSR in USR/SYS (UNPREDICTABLE): UNDEFINED, as for MRS.
    if (bankOf(cpu.mode) === 0) cpu.undefinedInstruction();
    else msrSpsr(cpu, value, mask);
  } else {
    msrCpsr(cpu, value, mask);
  }
}

/** MRS Rd, <spec_reg> (hw2[5] = 0) and MRS Rd, <banked_reg> (hw2[5] = 1). */
function moveFromStatus(cpu: Cpu, instr: number): void {
  const d = (instr >>> 8) & 0xf;
  const spsr = instr & 0x100000;
  let value: number;
  if (instr & 0x20) {
    // SYSm = M:M1 = hw2[4]:hw1[3:0].
    value = mrsBanked(cpu, spsr ? 1 : 0, (instr & 0x10) | ((instr >>> 16) & 0xf));
    if (!banked.ok) {
      cpu.undefinedInstruction();
      return;
    }
  } else if (spsr) {
    if (bankOf(cpu.mode) === 0) {
      cpu.undefinedInstruction();
      return;
    }
    value = cpu.getSpsr() | 0;
  } else {
    value = mrsCpsr(cpu);
  }
  if (d === 15)
    cpu.undefinedInstruction(); // UNPREDICTABLE
  else cpu.r[d] = value;
}

/** hw1 = F3AF: CPS (hw2[10:8] != 0) or a hint. */
function hintOrCps(cpu: Cpu, instr: number): void {
  if (instr & 0x700) {
    // CPS<effect>.W <iflags>{, #mode}: imod = hw2[10:9], M = hw2[8], A:I:F = hw2[7:5].
    cps(cpu, (instr >>> 9) & 3, (instr >>> 5) & 7, (instr & 0x100) !== 0, instr & 0x1f);
    return;
  }
  executeHint(cpu, instr & 0xff);
}

/** hw1 = F3BF: CLREX, DSB, DMB, ISB (ENTERX/LEAVEX: no ThumbEE on this core). */
function miscControl(cpu: Cpu, instr: number): void {
  switch ((instr >>> 4) & 0xf) {
    case 2:
      if ((instr & 0xf) === 0xf) cpu.clearExclusive();
      else cpu.undefinedInstruction();
      return;
    case 4:
    case 5:
      // DSB, DMB: order this thread's accesses against other vcpu threads.
      cpu.barrier(((instr >>> 4) & 0xf) === 4);
      return;
    case 6:
      // ISB: nothing is prefetched here.
      return;
    default:
      cpu.undefinedInstruction();
  }
}

/** SUBS PC, LR, #imm8 (ERET outside Hyp mode is its #0 form): CPSR from SPSR, then branch. */
function exceptionReturnFromLr(cpu: Cpu, instr: number): void {
  // Rn must be LR; the instruction is UNPREDICTABLE in USR and SYS (no SPSR): UNDEFINED there.
  if ((instr & 0xfff00) !== 0xe8f00 || bankOf(cpu.mode) === 0) {
    cpu.undefinedInstruction();
    return;
  }
  cpu.exceptionReturn((cpu.r[14] - (instr & 0xff)) | 0, cpu.getSpsr());
}

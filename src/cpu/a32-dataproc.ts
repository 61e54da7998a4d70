// A32 data-processing instructions (DDI 0406C A5.2.1-A5.2.3, A8.8): the sixteen ALU operations with
// an immediate, an immediate-shifted register or a register-shifted register operand, and MOVW/MOVT.
// The hottest code of the core: no allocation, flags computed inline.

import type { Cpu } from "./core.js";
import { Mode } from "./state.js";
import { shiftImm, shiftImmCarry, shiftReg, shiftRegCarry } from "./alu.js";

const S_BIT = 1 << 20;

/**
 * Data-processing (A5.2.1-A5.2.3), all three operand forms: bit 25 selects a modified immediate,
 * bit 4 then selects a register shifted by an immediate or by Rs[7:0]. One function for all of
 * them, so that an instruction costs a single call from the run loop.
 */
export function dataProcessing(cpu: Cpu, instr: number): void {
  const r = cpu.r;
  const s = instr & S_BIT;
  // The shifter operand, and its carry out (needed only when S is set).
  let b: number;
  let carry = 0;
  if (instr & 0x02000000) {
    // ARMExpandImm_C: the carry out is bit 31 of a rotated value, and C when there is no rotation.
    const imm8 = instr & 0xff;
    const rot = (instr >>> 7) & 0x1e;
    if (rot === 0) {
      b = imm8;
      if (s) carry = cpu.c;
    } else {
      b = (imm8 >>> rot) | (imm8 << (32 - rot));
      carry = b >>> 31;
    }
  } else {
    const m = r[instr & 15];
    const type = (instr >>> 5) & 3;
    if ((instr & 0x10) === 0) {
      // Rm shifted by an immediate.
      const imm5 = (instr >>> 7) & 31;
      if ((instr & 0xff0) === 0) {
        b = m;
        if (s) carry = cpu.c;
      } else {
        b = shiftImm(m, type, imm5, cpu.c);
        if (s) carry = shiftImmCarry(m, type, imm5, cpu.c);
      }
    } else {
      // Rm shifted by Rs[7:0]. A PC operand is UNPREDICTABLE; it reads as the instruction + 8.
      const amount = r[(instr >>> 8) & 15] & 0xff;
      b = shiftReg(m, type, amount);
      if (s) carry = amount === 0 ? cpu.c : shiftRegCarry(m, type, amount);
    }
  }
  if (s) dataProcessingS(cpu, instr, b, carry);
  else dataProcessingPlain(cpu, instr, b);
}

/** The ALU operation on R[n] and the shifter operand `b` without S (the common case): no flags.
 * Opcodes 8-11 always have S (S = 0 is the miscellaneous space). */
function dataProcessingPlain(cpu: Cpu, instr: number, b: number): void {
  const r = cpu.r;
  const a = r[(instr >>> 16) & 15];
  let res: number;
  switch ((instr >>> 21) & 15) {
    case 0: // AND
      res = a & b;
      break;
    case 1: // EOR
      res = a ^ b;
      break;
    case 2: // SUB
      res = (a - b) | 0;
      break;
    case 3: // RSB
      res = (b - a) | 0;
      break;
    case 4: // ADD
      res = (a + b) | 0;
      break;
    case 5: // ADC
      res = (a + b + cpu.c) | 0;
      break;
    case 6: // SBC: a + NOT b + C
      res = (a - b - 1 + cpu.c) | 0;
      break;
    case 7: // RSC
      res = (b - a - 1 + cpu.c) | 0;
      break;
    case 12: // ORR
      res = a | b;
      break;
    case 13: // MOV
      res = b;
      break;
    case 14: // BIC
      res = a & ~b;
      break;
    case 15: // MVN
      res = ~b;
      break;
    default:
      return;
  }
  const d = (instr >>> 12) & 15;
  if (d !== 15) r[d] = res;
  else cpu.aluWritePc(res);
}

/** The flag-setting forms (S = 1), including the compares; `shiftCarry` is the shifter's carry out. */
function dataProcessingS(cpu: Cpu, instr: number, b: number, shiftCarry: number): void {
  const r = cpu.r;
  const a = r[(instr >>> 16) & 15];
  let res: number;
  switch ((instr >>> 21) & 15) {
    case 0: // ANDS
      res = a & b;
      logicFlags(cpu, res, shiftCarry);
      break;
    case 1: // EORS
      res = a ^ b;
      logicFlags(cpu, res, shiftCarry);
      break;
    case 2: // SUBS
      res = (a - b) | 0;
      subFlags(cpu, a, b, res);
      break;
    case 3: // RSBS
      res = (b - a) | 0;
      subFlags(cpu, b, a, res);
      break;
    case 4: // ADDS
      res = (a + b) | 0;
      addFlags(cpu, a, b, res);
      break;
    case 5: // ADCS
      res = adcs(cpu, a, b, cpu.c);
      break;
    case 6: // SBCS
      res = adcs(cpu, a, ~b, cpu.c);
      break;
    case 7: // RSCS
      res = adcs(cpu, b, ~a, cpu.c);
      break;
    case 8: // TST
      logicFlags(cpu, a & b, shiftCarry);
      return;
    case 9: // TEQ
      logicFlags(cpu, a ^ b, shiftCarry);
      return;
    case 10: // CMP
      subFlags(cpu, a, b, (a - b) | 0);
      return;
    case 11: // CMN
      addFlags(cpu, a, b, (a + b) | 0);
      return;
    case 12: // ORRS
      res = a | b;
      logicFlags(cpu, res, shiftCarry);
      break;
    case 13: // MOVS (and the shift pseudo-instructions)
      res = b;
      logicFlags(cpu, res, shiftCarry);
      break;
    case 14: // BICS
      res = a & ~b;
      logicFlags(cpu, res, shiftCarry);
      break;
    default: // MVNS
      res = ~b;
      logicFlags(cpu, res, shiftCarry);
      break;
  }
  const d = (instr >>> 12) & 15;
  if (d !== 15) r[d] = res;
  else aluWritePcOrReturn(cpu, res, 1);
}

function logicFlags(cpu: Cpu, res: number, carry: number): void {
  cpu.n = res >>> 31;
  cpu.z = res === 0 ? 1 : 0;
  cpu.c = carry;
}

/** Flags of a − b (AddWithCarry(a, NOT b, 1)): C is "no borrow". */
function subFlags(cpu: Cpu, a: number, b: number, res: number): void {
  cpu.n = res >>> 31;
  cpu.z = res === 0 ? 1 : 0;
  cpu.c = a >>> 0 >= b >>> 0 ? 1 : 0;
  cpu.v = ((a ^ b) & (a ^ res)) >>> 31;
}

function addFlags(cpu: Cpu, a: number, b: number, res: number): void {
  cpu.n = res >>> 31;
  cpu.z = res === 0 ? 1 : 0;
  cpu.c = (a >>> 0) + (b >>> 0) > 0xffffffff ? 1 : 0;
  cpu.v = (~(a ^ b) & (a ^ res)) >>> 31;
}

/** AddWithCarry with the flag update (ADCS, SBCS, RSCS). */
function adcs(cpu: Cpu, a: number, b: number, carryIn: number): number {
  const sum = (a >>> 0) + (b >>> 0) + carryIn;
  const res = sum | 0;
  cpu.n = res >>> 31;
  cpu.z = res === 0 ? 1 : 0;
  cpu.c = sum > 0xffffffff ? 1 : 0;
  cpu.v = ((a ^ res) & (b ^ res)) >>> 31;
  return res;
}

/** A data-processing result written to the PC: ALUWritePC, or with S an exception return
 * (CPSR ← SPSR). In User/System mode the S form is UNPREDICTABLE: it acts as a plain write. */
export function aluWritePcOrReturn(cpu: Cpu, value: number, s: number): void {
  if (s && cpu.mode !== Mode.USR && cpu.mode !== Mode.SYS) {
    cpu.exceptionReturn(value, cpu.getSpsr());
  } else {
    cpu.aluWritePc(value);
  }
}

/** MOVW (A8.8.102, encoding A2) and MOVT (A8.8.106). Rd = PC is UNPREDICTABLE: UNDEFINED here. */
export function movImm16(cpu: Cpu, instr: number): void {
  const d = (instr >>> 12) & 15;
  if (d === 15) {
    cpu.undefinedInstruction();
    return;
  }
  const imm16 = ((instr >>> 4) & 0xf000) | (instr & 0xfff);
  const r = cpu.r;
  if (instr & 0x400000) r[d] = (r[d] & 0xffff) | (imm16 << 16);
  else r[d] = imm16;
}

// A32 data-processing instructions (DDI 0406C A5.2.1-A5.2.3, A8.8): the sixteen ALU operations with
// an immediate, an immediate-shifted register or a register-shifted register operand, and MOVW/MOVT.
// The hottest code of the core: no allocation, flags computed inline.

import type { Cpu } from "./core.js";
import { Mode } from "./state.js";
import { alu, armExpandImmC, shiftImmC, shiftRegC } from "./alu.js";

/** Data-processing (immediate), A5.2.3. */
export function dpImmediate(cpu: Cpu, instr: number): void {
  const imm12 = instr & 0xfff;
  if (imm12 < 0x100) {
    dataProcessing(cpu, instr, imm12, cpu.c);
  } else {
    const b = armExpandImmC(imm12, cpu.c);
    dataProcessing(cpu, instr, b, alu.carry);
  }
}

/** Data-processing (register), A5.2.1: Rm shifted by an immediate. */
export function dpRegister(cpu: Cpu, instr: number): void {
  const m = cpu.r[instr & 15];
  if ((instr & 0xff0) === 0) {
    dataProcessing(cpu, instr, m, cpu.c);
  } else {
    const b = shiftImmC(m, (instr >>> 5) & 3, (instr >>> 7) & 31, cpu.c);
    dataProcessing(cpu, instr, b, alu.carry);
  }
}

/** Data-processing (register-shifted register), A5.2.2: Rm shifted by Rs[7:0]. A PC operand is
 * UNPREDICTABLE; it reads as the instruction address + 8 here. */
export function dpRegisterShifted(cpu: Cpu, instr: number): void {
  const r = cpu.r;
  const b = shiftRegC(r[instr & 15], (instr >>> 5) & 3, r[(instr >>> 8) & 15] & 0xff, cpu.c);
  dataProcessing(cpu, instr, b, alu.carry);
}

/** The ALU operation on R[n] and the shifter operand `b`, whose carry-out is `shiftCarry`. */
function dataProcessing(cpu: Cpu, instr: number, b: number, shiftCarry: number): void {
  if (instr & 0x100000) {
    dataProcessingS(cpu, instr, b, shiftCarry);
    return;
  }
  // Without S (the common case): no flags. Opcodes 8-11 always have S (S = 0 is the misc space).
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

/** The flag-setting forms (S = 1), including the compares. */
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

// T32 data processing with a shifted register (A6.3.11) or a modified immediate (A6.3.1) second
// operand. Both classes share one opcode table (hw1[8:5]); Rd = 15 with S = 1 selects the compare
// forms (TST, TEQ, CMN, CMP) and Rn = 15 the move forms (MOV, MVN).

import type { Cpu } from "./core.js";
import { alu, addWithCarry, shiftImmC, thumbExpandImmC } from "./alu.js";
import { pkhbt, pkhtb } from "./ops-media.js";

/** A6.3.11: hw1 = 1110 101 op S Rn, hw2 = 0 imm3 Rd imm2 type Rm. */
export function dataProcessingShiftedRegister(cpu: Cpu, instr: number): void {
  if (instr & 0x8000) {
    // hw2[15] is (0).
    cpu.undefinedInstruction();
    return;
  }
  const op = (instr >>> 21) & 0xf;
  const imm5 = ((instr >>> 10) & 0x1c) | ((instr >>> 6) & 3);
  const type = (instr >>> 4) & 3;
  const rm = cpu.r[instr & 0xf];
  if (op === 6) {
    // PKHBT/PKHTB: S = 1 or T = 1 is UNDEFINED.
    if (instr & 0x100010) {
      cpu.undefinedInstruction();
      return;
    }
    const n = cpu.r[(instr >>> 16) & 0xf];
    const result = type & 2 ? pkhtb(n, shiftImmC(rm, 2, imm5, 0)) : pkhbt(n, rm << imm5);
    writeResult(cpu, (instr >>> 8) & 0xf, result);
    return;
  }
  const operand = shiftImmC(rm, type, imm5, cpu.c);
  dataProcessing(cpu, instr, op, operand, alu.carry);
}

/** A6.3.1: hw1 = 1111 0 i 0 op S Rn, hw2 = 0 imm3 Rd imm8. */
export function dataProcessingModifiedImmediate(cpu: Cpu, instr: number): void {
  const imm12 = ((instr >>> 15) & 0x800) | ((instr >>> 4) & 0x700) | (instr & 0xff);
  const operand = thumbExpandImmC(imm12, cpu.c);
  dataProcessing(cpu, instr, (instr >>> 21) & 0xf, operand, alu.carry);
}

/** Writes a data-processing result; a PC destination (UNPREDICTABLE in T32) is a plain branch. */
function writeResult(cpu: Cpu, d: number, value: number): void {
  if (d === 15) cpu.aluWritePc(value);
  else cpu.r[d] = value;
}

/** Executes opcode `op` with Rn = hw1[3:0], Rd = hw2[11:8], S = hw1[4]; `carry` is the shifter's carry. */
function dataProcessing(cpu: Cpu, instr: number, op: number, operand: number, carry: number): void {
  const n = (instr >>> 16) & 0xf;
  const d = (instr >>> 8) & 0xf;
  const s = (instr >>> 20) & 1;
  const r = cpu.r;
  let result: number;
  switch (op) {
    case 0x0: // AND, TST
      result = r[n] & operand;
      break;
    case 0x1: // BIC
      result = r[n] & ~operand;
      break;
    case 0x2: // ORR, MOV
      result = n === 15 ? operand : r[n] | operand;
      break;
    case 0x3: // ORN, MVN
      result = n === 15 ? ~operand : r[n] | ~operand;
      break;
    case 0x4: // EOR, TEQ
      result = r[n] ^ operand;
      break;
    case 0x8: // ADD, CMN
      result = addWithCarry(r[n], operand, 0);
      return arithmetic(cpu, d, s, result);
    case 0xa: // ADC
      result = addWithCarry(r[n], operand, cpu.c);
      return arithmetic(cpu, d, s, result);
    case 0xb: // SBC
      result = addWithCarry(r[n], ~operand, cpu.c);
      return arithmetic(cpu, d, s, result);
    case 0xd: // SUB, CMP
      result = addWithCarry(r[n], ~operand, 1);
      return arithmetic(cpu, d, s, result);
    case 0xe: // RSB
      result = addWithCarry(~r[n], operand, 1);
      return arithmetic(cpu, d, s, result);
    default:
      cpu.undefinedInstruction();
      return;
  }
  if (s) {
    cpu.n = result >>> 31;
    cpu.z = result === 0 ? 1 : 0;
    cpu.c = carry;
    // TST/TEQ (AND/EOR with Rd = 15 and S = 1) write no register.
    if (d === 15 && (op === 0 || op === 4)) return;
  }
  writeResult(cpu, d, result);
}

function arithmetic(cpu: Cpu, d: number, s: number, result: number): void {
  if (s) {
    cpu.n = result >>> 31;
    cpu.z = result === 0 ? 1 : 0;
    cpu.c = alu.carry;
    cpu.v = alu.overflow;
    // CMN/CMP (ADD/SUB with Rd = 15 and S = 1) write no register.
    if (d === 15) return;
  }
  writeResult(cpu, d, result);
}

// A32 data-processing instructions (DDI 0406C A5.2.1-A5.2.3, A8.8): the sixteen ALU operations with
// an immediate, an immediate-shifted register or a register-shifted register operand, and MOVW/MOVT.
// The hottest code of the core: no allocation, flags computed inline.

import type { Cpu } from "./core.js";
import { Mode } from "./state.js";

const S_BIT = 1 << 20;
/** Opcodes whose flags are N, Z and the shifter's carry (AND, EOR, TST, TEQ, ORR, MOV, BIC, MVN),
 * as a bit mask; the others are additions (AddWithCarry). */
const LOGICAL_OPS = 0xf303;

/**
 * Data-processing (A5.2.1-A5.2.3), all three operand forms and both S forms in one function: bit 25
 * selects a modified immediate, bit 4 then a register shifted by an immediate or by Rs[7:0]. One
 * function, so that an instruction costs a single call from the run loop; it is also too large for
 * V8 to inline into the loop, so it gets its own inlining budget for the shift helpers.
 */
export function dataProcessing(cpu: Cpu, instr: number): void {
  const r = cpu.r;
  const s = instr & S_BIT;
  // The shifter operand and its carry out, computed inline (A8.4.3): the shifts are the hottest
  // code there is, and a call result would reach the ALU as a V8 Number, not an int32.
  let b: number;
  let carry: number;
  if (instr & 0x02000000) {
    // ARMExpandImm_C: the carry out is bit 31 of a rotated value, and C when there is no rotation.
    const imm8 = instr & 0xff;
    const rot = (instr >>> 7) & 0x1e;
    if (rot === 0) {
      b = imm8;
      carry = cpu.c;
    } else {
      b = (imm8 >>> rot) | (imm8 << (32 - rot));
      carry = b >>> 31;
    }
  } else {
    const m = r[instr & 15];
    const type = (instr >>> 5) & 3;
    // The amount: an immediate (DecodeImmShift: LSR/ASR #0 mean #32, ROR #0 is RRX), or Rs[7:0]
    // (a PC operand is UNPREDICTABLE; it reads as the instruction + 8).
    let amount: number;
    if ((instr & 0x10) === 0) {
      amount = (instr >>> 7) & 31;
      if (amount === 0 && type !== 0) amount = type === 3 ? -1 : 32;
    } else {
      amount = r[(instr >>> 8) & 15] & 0xff;
      if (type === 3 && amount !== 0) amount = ((amount - 1) & 31) + 1; // ROR by 32·k is ROR #32
    }
    if (amount === 0) {
      b = m;
      carry = cpu.c;
    } else if (amount < 0) {
      // RRX
      b = (cpu.c << 31) | (m >>> 1);
      carry = m & 1;
    } else if (amount < 32) {
      switch (type) {
        case 0: // LSL
          b = m << amount;
          carry = (m >>> (32 - amount)) & 1;
          break;
        case 1: // LSR
          b = (m >>> amount) | 0;
          carry = (m >>> (amount - 1)) & 1;
          break;
        case 2: // ASR
          b = m >> amount;
          carry = (m >>> (amount - 1)) & 1;
          break;
        default: // ROR
          b = (m >>> amount) | (m << (32 - amount));
          carry = (m >>> (amount - 1)) & 1;
          break;
      }
    } else {
      // 32 and more: LSL/LSR give 0 (the carry is the last bit out, up to #32), ASR fills with
      // the sign, ROR #32 gives Rm with bit 31 as the carry.
      switch (type) {
        case 0:
          b = 0;
          carry = amount === 32 ? m & 1 : 0;
          break;
        case 1:
          b = 0;
          carry = amount === 32 ? m >>> 31 : 0;
          break;
        case 2:
          b = m >> 31;
          carry = m >>> 31;
          break;
        default:
          b = m;
          carry = m >>> 31;
          break;
      }
    }
  }
  const a = r[(instr >>> 16) & 15];
  const op = (instr >>> 21) & 15;
  const d = (instr >>> 12) & 15;
  let res: number;
  if (s === 0) {
    // No flags (the common case). Opcodes 8-11 always have S (S = 0 is the miscellaneous space).
    switch (op) {
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
    if (d !== 15) r[d] = res;
    else cpu.aluWritePc(res);
    return;
  }
  if ((LOGICAL_OPS >>> op) & 1) {
    switch (op) {
      case 0: // ANDS
      case 8: // TST
        res = a & b;
        break;
      case 1: // EORS
      case 9: // TEQ
        res = a ^ b;
        break;
      case 12: // ORRS
        res = a | b;
        break;
      case 13: // MOVS (and the shift pseudo-instructions)
        res = b;
        break;
      case 14: // BICS
        res = a & ~b;
        break;
      default: // MVNS
        res = ~b;
        break;
    }
    cpu.c = carry;
  } else {
    // AddWithCarry(x, y, carry_in): subtraction is x + NOT y + 1, the reverse forms swap a and b.
    let x = a;
    let y = b;
    let carryIn = 0;
    switch (op) {
      case 2: // SUBS
      case 10: // CMP
        y = ~b;
        carryIn = 1;
        break;
      case 3: // RSBS
        x = b;
        y = ~a;
        carryIn = 1;
        break;
      case 5: // ADCS
        carryIn = cpu.c;
        break;
      case 6: // SBCS
        y = ~b;
        carryIn = cpu.c;
        break;
      case 7: // RSCS
        x = b;
        y = ~a;
        carryIn = cpu.c;
        break;
      default: // ADDS, CMN
        break;
    }
    res = (x + y + carryIn) | 0;
    // The carry out of bit 31, from the operands' and the result's top bits (int32 only).
    cpu.c = ((x & y) | ((x | y) & ~res)) >>> 31;
    cpu.v = ((x ^ res) & (y ^ res)) >>> 31;
  }
  cpu.n = res >>> 31;
  cpu.z = res === 0 ? 1 : 0;
  // TST, TEQ, CMP and CMN write no register.
  if (op >= 8 && op <= 11) return;
  if (d !== 15) r[d] = res;
  else aluWritePcOrReturn(cpu, res, 1);
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

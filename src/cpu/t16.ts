// 16-bit Thumb instructions (DDI 0406C A6.2). The core has already checked the IT condition, set
// r[15] to this instruction + 4 and nextPc past it. Flag-setting forms set flags only outside an IT
// block (cpu.it === 0); compares always do.

import type { Cpu } from "./core.js";
import { alu, addWithCarry, shiftImmC, shiftRegC } from "./alu.js";
import { readMultiple, commitMultiple, storeMultiple, bitCount16 } from "./t32-multiple.js";
import { executeHint } from "./ops-hint.js";

export function executeT16(cpu: Cpu, hw: number): void {
  switch (hw >>> 12) {
    case 0x0:
    case 0x1:
      shiftAddSub(cpu, hw);
      return;
    case 0x2:
    case 0x3:
      moveCompareImm(cpu, hw);
      return;
    case 0x4:
      if (hw & 0x800) loadLiteral(cpu, hw);
      else if (hw & 0x400) specialData(cpu, hw);
      else dataProcessing(cpu, hw);
      return;
    case 0x5:
      loadStoreRegister(cpu, hw);
      return;
    case 0x6:
    case 0x7:
    case 0x8:
    case 0x9:
      loadStoreImmediate(cpu, hw);
      return;
    case 0xa: {
      // ADR (Align(PC, 4) + imm) and ADD Rd, SP, #imm.
      const imm = (hw & 0xff) << 2;
      const base = hw & 0x800 ? cpu.r[13] : cpu.r[15] & ~3;
      cpu.r[(hw >>> 8) & 7] = (base + imm) | 0;
      return;
    }
    case 0xb:
      miscellaneous(cpu, hw);
      return;
    case 0xc:
      loadStoreMultiple(cpu, hw);
      return;
    case 0xd: {
      const cond = (hw >>> 8) & 0xf;
      if (cond === 0xf) cpu.supervisorCall();
      else if (cond === 0xe)
        cpu.undefinedInstruction(); // UDF
      else if (cpu.conditionPassed(cond)) cpu.branchTo((cpu.r[15] + ((hw << 24) >> 23)) | 0);
      return;
    }
    case 0xe:
      // B (T2); 32-bit prefixes never reach here.
      cpu.branchTo((cpu.r[15] + ((hw << 21) >> 20)) | 0);
      return;
    default:
      cpu.undefinedInstruction();
  }
}

function setNZ(cpu: Cpu, result: number): void {
  cpu.n = result >>> 31;
  cpu.z = result === 0 ? 1 : 0;
}

function setNZCV(cpu: Cpu, result: number): void {
  cpu.n = result >>> 31;
  cpu.z = result === 0 ? 1 : 0;
  cpu.c = alu.carry;
  cpu.v = alu.overflow;
}

/** A6.2.1 shift (immediate), add, subtract (opcode 000xx..0001x). */
function shiftAddSub(cpu: Cpu, hw: number): void {
  const r = cpu.r;
  const d = hw & 7;
  const n = (hw >>> 3) & 7;
  const setflags = cpu.it === 0;
  const op = (hw >>> 11) & 3;
  if (op !== 3) {
    // LSL/LSR/ASR #imm5 (LSL #0 is MOVS Rd, Rm).
    const result = shiftImmC(r[n], op, (hw >>> 6) & 0x1f, cpu.c);
    r[d] = result;
    if (setflags) {
      setNZ(cpu, result);
      cpu.c = alu.carry;
    }
    return;
  }
  const operand = hw & 0x400 ? (hw >>> 6) & 7 : r[(hw >>> 6) & 7];
  const result = hw & 0x200 ? addWithCarry(r[n], ~operand, 1) : addWithCarry(r[n], operand, 0);
  r[d] = result;
  if (setflags) setNZCV(cpu, result);
}

/** A6.2.1 MOV/CMP/ADD/SUB with an 8-bit immediate. */
function moveCompareImm(cpu: Cpu, hw: number): void {
  const r = cpu.r;
  const d = (hw >>> 8) & 7;
  const imm = hw & 0xff;
  switch ((hw >>> 11) & 3) {
    case 0:
      r[d] = imm;
      if (cpu.it === 0) setNZ(cpu, imm);
      return;
    case 1:
      setNZCV(cpu, addWithCarry(r[d], ~imm, 1));
      return;
    case 2: {
      const result = addWithCarry(r[d], imm, 0);
      r[d] = result;
      if (cpu.it === 0) setNZCV(cpu, result);
      return;
    }
    default: {
      const result = addWithCarry(r[d], ~imm, 1);
      r[d] = result;
      if (cpu.it === 0) setNZCV(cpu, result);
    }
  }
}

/** A6.2.2 data processing on low registers. */
function dataProcessing(cpu: Cpu, hw: number): void {
  const r = cpu.r;
  const d = hw & 7;
  const m = (hw >>> 3) & 7;
  const a = r[d];
  const b = r[m];
  const setflags = cpu.it === 0;
  let result: number;
  switch ((hw >>> 6) & 0xf) {
    case 0x0: // AND
      result = a & b;
      break;
    case 0x1: // EOR
      result = a ^ b;
      break;
    case 0x2: // LSL (register)
    case 0x3: // LSR
    case 0x4: // ASR
    case 0x7: {
      // ROR
      const op = (hw >>> 6) & 0xf;
      result = shiftRegC(a, op === 7 ? 3 : op - 2, b & 0xff, cpu.c);
      r[d] = result;
      if (setflags) {
        setNZ(cpu, result);
        cpu.c = alu.carry;
      }
      return;
    }
    case 0x5: // ADC
      result = addWithCarry(a, b, cpu.c);
      r[d] = result;
      if (setflags) setNZCV(cpu, result);
      return;
    case 0x6: // SBC
      result = addWithCarry(a, ~b, cpu.c);
      r[d] = result;
      if (setflags) setNZCV(cpu, result);
      return;
    case 0x8: // TST
      setNZ(cpu, a & b);
      return;
    case 0x9: // RSB Rd, Rn, #0 (NEG)
      result = addWithCarry(~b, 0, 1);
      r[d] = result;
      if (setflags) setNZCV(cpu, result);
      return;
    case 0xa: // CMP
      setNZCV(cpu, addWithCarry(a, ~b, 1));
      return;
    case 0xb: // CMN
      setNZCV(cpu, addWithCarry(a, b, 0));
      return;
    case 0xc: // ORR
      result = a | b;
      break;
    case 0xd: // MUL (C unchanged in ARMv7)
      result = Math.imul(a, b);
      break;
    case 0xe: // BIC
      result = a & ~b;
      break;
    default: // MVN
      result = ~b;
      break;
  }
  r[d] = result;
  if (setflags) setNZ(cpu, result);
}

/** A6.2.3 special data instructions and branch and exchange (high registers allowed). */
function specialData(cpu: Cpu, hw: number): void {
  const r = cpu.r;
  const m = (hw >>> 3) & 0xf;
  const dn = ((hw >>> 4) & 8) | (hw & 7);
  switch ((hw >>> 8) & 3) {
    case 0: {
      // ADD (register) T2; a write to the PC is a branch (ALUWritePC).
      const result = (r[dn] + r[m]) | 0;
      if (dn === 15) cpu.aluWritePc(result);
      else r[dn] = result;
      return;
    }
    case 1: // CMP (register) T2
      setNZCV(cpu, addWithCarry(r[dn], ~r[m], 1));
      return;
    case 2: // MOV (register) T1
      if (dn === 15) cpu.aluWritePc(r[m]);
      else r[dn] = r[m];
      return;
    default: {
      // BX/BLX: hw[2:0] is (0)(0)(0); otherwise UNDEFINED, as QEMU decodes it.
      if (hw & 7) {
        cpu.undefinedInstruction();
        return;
      }
      const target = r[m];
      if (hw & 0x80) {
        // BLX (register): LR = return address with the Thumb bit.
        r[14] = cpu.nextPc | 1;
      }
      cpu.bxWritePc(target);
    }
  }
}

/** LDR Rt, [PC, #imm8*4]: base is Align(PC, 4). */
function loadLiteral(cpu: Cpu, hw: number): void {
  const address = ((cpu.r[15] & ~3) + ((hw & 0xff) << 2)) | 0;
  cpu.r[(hw >>> 8) & 7] = cpu.mmu.read32(address);
}

/** A6.2.4 load/store with a register offset. */
function loadStoreRegister(cpu: Cpu, hw: number): void {
  const r = cpu.r;
  const mmu = cpu.mmu;
  const t = hw & 7;
  const address = (r[(hw >>> 3) & 7] + r[(hw >>> 6) & 7]) | 0;
  switch ((hw >>> 9) & 7) {
    case 0: // STR
      mmu.write32(address, r[t]);
      return;
    case 1: // STRH
      mmu.write16(address, r[t] & 0xffff);
      return;
    case 2: // STRB
      mmu.write8(address, r[t] & 0xff);
      return;
    case 3: // LDRSB
      r[t] = (mmu.read8(address) << 24) >> 24;
      return;
    case 4: // LDR
      r[t] = mmu.read32(address);
      return;
    case 5: // LDRH
      r[t] = mmu.read16(address);
      return;
    case 6: // LDRB
      r[t] = mmu.read8(address);
      return;
    default: // LDRSH
      r[t] = (mmu.read16(address) << 16) >> 16;
  }
}

/** A6.2.4 load/store with an immediate offset: word, byte, halfword and SP-relative word. */
function loadStoreImmediate(cpu: Cpu, hw: number): void {
  const r = cpu.r;
  const mmu = cpu.mmu;
  const load = hw & 0x800;
  if (hw >>> 12 === 9) {
    // STR/LDR Rt, [SP, #imm8*4]
    const t = (hw >>> 8) & 7;
    const address = (r[13] + ((hw & 0xff) << 2)) | 0;
    if (load) r[t] = mmu.read32(address);
    else mmu.write32(address, r[t]);
    return;
  }
  const t = hw & 7;
  const base = r[(hw >>> 3) & 7];
  const imm5 = (hw >>> 6) & 0x1f;
  switch (hw >>> 12) {
    case 6: {
      const address = (base + (imm5 << 2)) | 0;
      if (load) r[t] = mmu.read32(address);
      else mmu.write32(address, r[t]);
      return;
    }
    case 7: {
      const address = (base + imm5) | 0;
      if (load) r[t] = mmu.read8(address);
      else mmu.write8(address, r[t] & 0xff);
      return;
    }
    default: {
      const address = (base + (imm5 << 1)) | 0;
      if (load) r[t] = mmu.read16(address);
      else mmu.write16(address, r[t] & 0xffff);
    }
  }
}

/** STM Rn!, {list} and LDM Rn(!), {list}: writeback unless a load's list holds the base. */
function loadStoreMultiple(cpu: Cpu, hw: number): void {
  const r = cpu.r;
  const n = (hw >>> 8) & 7;
  const list = hw & 0xff;
  if (list === 0) {
    // BitCount < 1 is UNPREDICTABLE; take it as UNDEFINED rather than transfer nothing.
    cpu.undefinedInstruction();
    return;
  }
  const base = r[n];
  const end = (base + 4 * bitCount16(list)) | 0;
  if (hw & 0x800) {
    readMultiple(cpu, base, list);
    if ((list & (1 << n)) === 0) r[n] = end;
    commitMultiple(cpu, list);
  } else {
    storeMultiple(cpu, base, list);
    r[n] = end;
  }
}

/** A6.2.5 miscellaneous 16-bit instructions. */
function miscellaneous(cpu: Cpu, hw: number): void {
  const r = cpu.r;
  switch ((hw >>> 8) & 0xf) {
    case 0x0: {
      // ADD/SUB SP, SP, #imm7*4
      const imm = (hw & 0x7f) << 2;
      r[13] = hw & 0x80 ? (r[13] - imm) | 0 : (r[13] + imm) | 0;
      return;
    }
    case 0x1:
    case 0x3:
    case 0x9:
    case 0xb: {
      // CBZ/CBNZ Rn, label: forward only, offset i:imm5:'0'.
      const value = r[hw & 7];
      if ((value === 0) !== ((hw & 0x800) !== 0)) {
        cpu.branchTo((r[15] + (((hw >>> 3) & 0x40) | ((hw >>> 2) & 0x3e))) | 0);
      }
      return;
    }
    case 0x2: {
      const d = hw & 7;
      const v = r[(hw >>> 3) & 7];
      switch ((hw >>> 6) & 3) {
        case 0: // SXTH
          r[d] = (v << 16) >> 16;
          return;
        case 1: // SXTB
          r[d] = (v << 24) >> 24;
          return;
        case 2: // UXTH
          r[d] = v & 0xffff;
          return;
        default: // UXTB
          r[d] = v & 0xff;
      }
      return;
    }
    case 0x4:
    case 0x5: {
      // PUSH {list, LR?}: STMDB SP!
      const list = (hw & 0xff) | ((hw & 0x100) << 6);
      if (list === 0) {
        cpu.undefinedInstruction();
        return;
      }
      const address = (r[13] - 4 * bitCount16(list)) | 0;
      storeMultiple(cpu, address, list);
      r[13] = address;
      return;
    }
    case 0x6:
      if ((hw & 0xffe8) === 0xb660) {
        changeProcessorState16(cpu, hw);
      } else if ((hw & 0xfff7) === 0xb650) {
        // SETEND LE is a no-op; big-endian data is not implemented.
        if (hw & 8) cpu.undefinedInstruction();
      } else {
        cpu.undefinedInstruction();
      }
      return;
    case 0xa: {
      const d = hw & 7;
      const v = r[(hw >>> 3) & 7];
      switch ((hw >>> 6) & 3) {
        case 0: // REV
          r[d] = (v << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24) | 0;
          return;
        case 1: // REV16
          r[d] = ((v & 0x00ff00ff) << 8) | ((v >>> 8) & 0x00ff00ff);
          return;
        case 3: // REVSH
          r[d] = (((v & 0xff) << 24) >> 16) | ((v >>> 8) & 0xff);
          return;
        default: // HLT (ARMv8) is unallocated in ARMv7.
          cpu.undefinedInstruction();
      }
      return;
    }
    case 0xc:
    case 0xd: {
      // POP {list, PC?}: LDMIA SP!; a popped PC interworks.
      const list = (hw & 0xff) | ((hw & 0x100) << 7);
      if (list === 0) {
        cpu.undefinedInstruction();
        return;
      }
      const base = r[13];
      readMultiple(cpu, base, list);
      r[13] = (base + 4 * bitCount16(list)) | 0;
      commitMultiple(cpu, list);
      return;
    }
    case 0xe: // BKPT
      cpu.breakpoint();
      return;
    case 0xf:
      if (hw & 0xf) {
        // IT: ITSTATE = firstcond:mask; the core advances it after each instruction.
        cpu.it = hw & 0xff;
        return;
      }
      executeHint(cpu, (hw >>> 4) & 0xf);
      return;
    default:
      cpu.undefinedInstruction();
  }
}

/** CPSIE/CPSID <iflags> (no mode change): a NOP at PL0. */
function changeProcessorState16(cpu: Cpu, hw: number): void {
  if (cpu.isUser()) return;
  const v = hw & 0x10 ? 1 : 0;
  if (hw & 4) cpu.a = v;
  if (hw & 2) cpu.i = v;
  if (hw & 1) cpu.f = v;
  cpu.interruptMasksChanged();
}

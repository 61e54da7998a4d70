// A32 (ARM state) instruction execution: the top-level decode of DDI 0406C A5.1, dispatching on
// small bit-fields to the class executors in a32-*.ts. The core has already checked the condition
// (or passed cond = 0b1111 here); r[15] reads as the instruction address + 8.

import type { Cpu } from "./core.js";
import { executeCoproc } from "./coproc.js";
import { dpImmediate, dpRegister, dpRegisterShifted, movImm16 } from "./a32-dataproc.js";
import { loadStoreImmediate, loadStoreRegister, extraLoadStore, synchronization } from "./a32-loadstore.js";
import { blockTransfer } from "./a32-block.js";
import { multiply, halfwordMultiply } from "./a32-multiply.js";
import { mediaInstruction } from "./a32-media.js";
import { miscellaneous, msrImmediateOrHint } from "./a32-misc.js";
import { executeUnconditional } from "./a32-uncond.js";

/** op1 = bits [24:20] of the form 0b10xx0: the compare opcodes without S, i.e. the misc spaces. */
const MISC_MASK = 0x01900000;
const MISC_VALUE = 0x01000000;

export function executeA32(cpu: Cpu, instr: number): void {
  if (instr >>> 28 === 15) {
    executeUnconditional(cpu, instr);
    return;
  }
  switch ((instr >>> 25) & 7) {
    case 0:
      // Data-processing and miscellaneous instructions (A5.2), register forms.
      if ((instr & 0x10) === 0) {
        if ((instr & MISC_MASK) !== MISC_VALUE) dpRegister(cpu, instr);
        else if (instr & 0x80) halfwordMultiply(cpu, instr);
        else miscellaneous(cpu, instr);
      } else if ((instr & 0x80) === 0) {
        if ((instr & MISC_MASK) !== MISC_VALUE) dpRegisterShifted(cpu, instr);
        else miscellaneous(cpu, instr);
      } else if ((instr & 0x60) === 0) {
        if (instr & 0x01000000) synchronization(cpu, instr);
        else multiply(cpu, instr);
      } else {
        extraLoadStore(cpu, instr);
      }
      return;
    case 1:
      if ((instr & MISC_MASK) !== MISC_VALUE) dpImmediate(cpu, instr);
      else if (instr & 0x00200000) msrImmediateOrHint(cpu, instr);
      else movImm16(cpu, instr);
      return;
    case 2:
      loadStoreImmediate(cpu, instr);
      return;
    case 3:
      if (instr & 0x10) mediaInstruction(cpu, instr);
      else loadStoreRegister(cpu, instr);
      return;
    case 4:
      blockTransfer(cpu, instr);
      return;
    case 5: {
      // B / BL: PC + SignExtend(imm24:'00')
      if (instr & 0x01000000) cpu.r[14] = cpu.curPc + 4;
      cpu.branchTo((cpu.r[15] + ((instr << 8) >> 6)) | 0);
      return;
    }
    default:
      // Coprocessor instructions and SVC (A5.6).
      if ((instr & 0x03000000) === 0x03000000) cpu.supervisorCall();
      else if ((instr & 0x03e00000) === 0) cpu.undefinedInstruction();
      else executeCoproc(cpu, instr);
      return;
  }
}

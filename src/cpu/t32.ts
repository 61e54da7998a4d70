// T32 (Thumb state) instruction execution: the 32-bit encoding classes (DDI 0406C A6.3.1 table A6-9)
// dispatched to one file per class; 16-bit instructions live in t16.ts. `instr` is hw1:hw2.
// The core has checked the IT condition and set r[15] = this instruction + 4, nextPc past it.

import type { Cpu } from "./core.js";
import { executeCoproc } from "./coproc.js";
import { loadStoreMultiple32 } from "./t32-multiple.js";
import { dualExclusiveTable } from "./t32-exclusive.js";
import { dataProcessingShiftedRegister, dataProcessingModifiedImmediate } from "./t32-dataproc.js";
import { plainBinaryImmediate } from "./t32-immediate.js";
import { branchesMiscControl } from "./t32-branch-misc.js";
import { loadStoreSingle } from "./t32-loadstore.js";
import { dataProcessingRegister } from "./t32-register.js";
import { multiplyAccumulate, longMultiplyDivide } from "./t32-multiply.js";

export { executeT16 } from "./t16.js";

export function executeT32(cpu: Cpu, instr: number): void {
  const hw1 = instr >>> 16;
  // hw1[12:9]: op1 (hw1[12:11]) and the top bits of op2.
  switch ((hw1 >>> 9) & 0xf) {
    case 0x4:
      if (hw1 & 0x40) dualExclusiveTable(cpu, instr);
      else loadStoreMultiple32(cpu, instr);
      return;
    case 0x5:
      dataProcessingShiftedRegister(cpu, instr);
      return;
    case 0x8:
    case 0xa:
      if (instr & 0x8000) branchesMiscControl(cpu, instr);
      else dataProcessingModifiedImmediate(cpu, instr);
      return;
    case 0x9:
    case 0xb:
      if (instr & 0x8000) branchesMiscControl(cpu, instr);
      else plainBinaryImmediate(cpu, instr);
      return;
    case 0xc:
      loadStoreSingle(cpu, instr);
      return;
    case 0xd:
      if ((hw1 & 0x100) === 0) dataProcessingRegister(cpu, instr);
      else if ((hw1 & 0x80) === 0) multiplyAccumulate(cpu, instr);
      else longMultiplyDivide(cpu, instr);
      return;
    default:
      // 0x6, 0x7, 0xe, 0xf: coprocessor, floating-point and Advanced SIMD space.
      coprocessorSpace(cpu, instr);
  }
}

/** A6.3.18: hw1 = 111T 11xx xxxx xxxx. executeCoproc gets the whole word (bits [27:0] in the A32
 * layout, bits [31:28] = 0xE or 0xF) and rejects the T = 1 ("2") forms itself. */
function coprocessorSpace(cpu: Cpu, instr: number): void {
  const hw1 = instr >>> 16;
  if ((hw1 & 0x0f00) === 0x0f00 || (hw1 & 0x03e0) === 0) {
    // 111x 1111: Advanced SIMD data processing (no NEON on this core). op1 = 00000x: UNDEFINED.
    cpu.undefinedInstruction();
    return;
  }
  executeCoproc(cpu, instr);
}

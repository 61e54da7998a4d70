// VFPv3 instructions (coprocessors 10 and 11). STUB: every VFP instruction is UNDEFINED.

import type { Cpu } from "./core.js";

export function executeVfp(cpu: Cpu, instr: number): void {
  void instr;
  cpu.undefinedInstruction();
}

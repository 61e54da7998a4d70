// A32 (ARM state) instruction execution. STUB.

import type { Cpu } from "./core.js";

export function executeA32(cpu: Cpu, instr: number): void {
  void instr;
  cpu.undefinedInstruction();
}

// T32 (Thumb state) instruction execution. STUB.

import type { Cpu } from "./core.js";

export function executeT16(cpu: Cpu, hw: number): void {
  void hw;
  cpu.undefinedInstruction();
}

export function executeT32(cpu: Cpu, instr: number): void {
  void instr;
  cpu.undefinedInstruction();
}

// CP15 system control registers as a Cortex-A15 r4p0 presents them at PL1.
// STUB: the fields the core needs; MRC/MCR decoding comes with the full implementation.

import type { Cpu } from "./core.js";

export class Cp15 {
  private readonly cpu: Cpu;
  sctlr = 0x00c50078;
  vbar = 0;
  /** CPACR: cp10/cp11 access (bits [23:20]) gate the VFP. */
  cpacr = 0;
  dfsr = 0;
  dfar = 0;
  ifsr = 0;
  ifar = 0;

  constructor(cpu: Cpu) {
    this.cpu = cpu;
  }

  reset(): void {
    this.sctlr = 0x00c50078;
    this.vbar = 0;
  }

  /** Executes MCR/MRC/MCRR/MRRC to coprocessor 15 (`instr` in the A32 layout). */
  execute(instr: number): void {
    void instr;
    this.cpu.undefinedInstruction();
  }
}

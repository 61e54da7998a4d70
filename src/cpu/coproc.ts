// The coprocessor instruction space (A5.6 / A6.3.18): MCR/MRC, MCRR/MRRC, LDC/STC and CDP, routed
// to CP15 (system control), CP14 (debug, RAZ where allowed), and CP10/CP11 (VFP).
// `instr` is in the A32 layout; T32 callers pass hw1:hw2, whose bits [27:0] have the same layout.

import type { Cpu } from "./core.js";
import { executeVfp } from "./vfp.js";

export function executeCoproc(cpu: Cpu, instr: number): void {
  const coproc = (instr >>> 8) & 0xf;
  if (coproc === 10 || coproc === 11) {
    executeVfp(cpu, instr);
    return;
  }
  // MCR2/MRC2/LDC2/STC2/CDP2 (the 0b1111 forms) exist for no coprocessor on this core.
  if (instr >>> 28 === 0xf) {
    cpu.undefinedInstruction();
    return;
  }
  if (coproc === 15) {
    cpu.cp15.execute(instr);
    return;
  }
  if (coproc === 14) {
    cpu.cp15.cp14.execute(instr);
    return;
  }
  cpu.undefinedInstruction();
}

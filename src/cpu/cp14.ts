// CP14: the debug, ThumbEE and Jazelle registers (DDI 0406C C6, A2.10, A2.11), as far as guests
// touch them.
//  - Debug (opc1 0): no debug architecture is implemented. DBGDIDR reads 0 (version 0), which
//    Linux's hw_breakpoint reads unconditionally and then reports "unsupported"; DBGDSCRint,
//    DBGDRAR and DBGDSAR read 0 (also from PL0, where they are architecturally readable). The other
//    debug registers are RAZ/WI at PL1 (as KVM answers) and UNDEFINED at PL0.
//  - ThumbEE (opc1 6, advertised by ID_PFR0): TEECR and TEEHBR are stored. Linux rewrites TEEHBR
//    on every context switch. TEECR.XED = 1 makes PL0 TEEHBR accesses UNDEFINED.
//  - Jazelle (opc1 7, trivial implementation): JIDR reads 0 (writes ignored at PL1), JOSCR/JMCR
//    are RAZ/WI at PL1.
// MCRR/MRRC, LDC/STC and anything else are UNDEFINED.

import type { Cpu } from "./core.js";
import { Mode } from "./state.js";

// Keys as in cp15-regs.ts: (CRn << 12) | (opc1 << 8) | (CRm << 4) | opc2.
export const DBGDIDR = 0x0000;
export const DBGDSCRINT = 0x0010;
export const DBGDRAR = 0x1000;
export const DBGDSAR = 0x2000;
export const TEECR = 0x0600;
export const TEEHBR = 0x1600;
export const JIDR = 0x0700;
export const JOSCR = 0x1700;
export const JMCR = 0x2700;

const TEECR_XED = 1;

export class Cp14 {
  private readonly cpu: Cpu;
  teecr = 0;
  teehbr = 0;

  constructor(cpu: Cpu) {
    this.cpu = cpu;
  }

  reset(): void {
    this.teecr = 0;
    this.teehbr = 0;
  }

  /** Executes MCR/MRC/MCRR/MRRC/LDC/STC to coprocessor 14 (`instr` in the A32 layout). */
  execute(instr: number): void {
    const cpu = this.cpu;
    if ((instr & 0x0f000010) !== 0x0e000010) {
      cpu.undefinedInstruction();
      return;
    }
    const opc1 = (instr >>> 21) & 7;
    const isRead = (instr & (1 << 20)) !== 0;
    const crn = (instr >>> 16) & 15;
    const rt = (instr >>> 12) & 15;
    const opc2 = (instr >>> 5) & 7;
    const crm = instr & 15;
    const key = (crn << 12) | (opc1 << 8) | (crm << 4) | opc2;
    const user = cpu.mode === Mode.USR;
    let value = 0;
    switch (opc1) {
      case 0:
        if (user && !(isRead && (key === DBGDIDR || key === DBGDSCRINT || key === DBGDRAR || key === DBGDSAR))) {
          cpu.undefinedInstruction();
          return;
        }
        break;
      case 6:
        if (key === TEECR) {
          if (user) {
            cpu.undefinedInstruction();
            return;
          }
          if (isRead) value = this.teecr;
          else this.teecr = cpu.r[rt] & TEECR_XED;
        } else if (key === TEEHBR) {
          if (user && this.teecr & TEECR_XED) {
            cpu.undefinedInstruction();
            return;
          }
          if (isRead) value = this.teehbr;
          else this.teehbr = cpu.r[rt] & ~3;
        } else {
          cpu.undefinedInstruction();
          return;
        }
        break;
      case 7:
        if (key === JIDR ? user && !isRead : user || (key !== JOSCR && key !== JMCR)) {
          cpu.undefinedInstruction();
          return;
        }
        break;
      default:
        cpu.undefinedInstruction();
        return;
    }
    if (!isRead) return;
    if (rt === 15) cpu.setNzcv(value);
    else cpu.r[rt] = value;
  }
}

// The A32 unconditional instruction space, cond = 0b1111 (DDI 0406C A5.7): CPS, SETEND, the
// memory hints (PLD/PLDW/PLI, NOPs here), CLREX, the barriers (NOPs on this in-order model), SRS,
// RFE, BLX (immediate) and the coprocessor "2" forms. Advanced SIMD is not implemented: UNDEFINED.

import type { Cpu } from "./core.js";
import { executeCoproc } from "./coproc.js";
import { cps } from "./ops-psr.js";
import { srs, rfe } from "./a32-block.js";

export function executeUnconditional(cpu: Cpu, instr: number): void {
  switch ((instr >>> 25) & 7) {
    case 0:
    case 1:
    case 2:
    case 3:
      hintsAndMisc(cpu, instr);
      return;
    case 4:
      if ((instr & 0x00500000) === 0x00400000) srs(cpu, instr);
      else if ((instr & 0x00500000) === 0x00100000) rfe(cpu, instr);
      else cpu.undefinedInstruction();
      return;
    case 5: {
      // BLX (immediate): to Thumb state at PC + imm24:H:0.
      const offset = ((instr << 8) >> 6) | ((instr >>> 23) & 2);
      cpu.r[14] = cpu.curPc + 4;
      cpu.bxWritePc((cpu.r[15] + offset) | 1);
      return;
    }
    default:
      // LDC2/STC2/MCRR2/MRRC2/CDP2/MCR2/MRC2; op1 = 0b1100000x and 0b1111xxxx are unallocated.
      if ((instr & 0x0fe00000) === 0x0c000000 || (instr & 0x0f000000) === 0x0f000000) {
        cpu.undefinedInstruction();
        return;
      }
      executeCoproc(cpu, instr);
      return;
  }
}

/** Memory hints, Advanced SIMD and miscellaneous (A5.7.1): op1 = bits [26:20], op2 = bits [7:4]. */
function hintsAndMisc(cpu: Cpu, instr: number): void {
  const op1 = (instr >>> 20) & 0x7f;
  const op2 = (instr >>> 4) & 15;
  if (op1 === 0x10) {
    if ((instr & 0x10000) === 0) {
      // CPS: imod [19:18], M [17], A/I/F [8:6], mode [4:0]
      if ((op2 & 2) === 0) {
        cps(cpu, (instr >>> 18) & 3, (instr >>> 6) & 7, (instr & 0x20000) !== 0, instr & 0x1f);
        return;
      }
    } else if (op2 === 0) {
      // SETEND: this core is little-endian only, so SETEND BE is UNDEFINED.
      if (instr & 0x200) cpu.undefinedInstruction();
      return;
    }
    cpu.undefinedInstruction();
    return;
  }
  switch (op1 & 0x77) {
    case 0x41: // unallocated memory hint
    case 0x45: // PLI (immediate, literal)
    case 0x51: // PLDW (immediate)
    case 0x55: // PLD (immediate, literal)
      return;
    case 0x61: // unallocated memory hint
    case 0x65: // PLI (register)
    case 0x71: // PLDW (register)
    case 0x75: // PLD (register)
      if ((op2 & 1) === 0) return;
      break;
    default:
      if (op1 === 0x57) {
        switch (op2) {
          case 1:
            cpu.clearExclusive(); // CLREX
            return;
          case 4: // DSB
            cpu.barrier(true);
            return;
          case 5: // DMB
            cpu.barrier(false);
            return;
          case 6: // ISB: nothing is prefetched here
            return;
          default:
            break;
        }
      }
      break;
  }
  // Advanced SIMD data processing and element/structure loads/stores, and everything unallocated.
  cpu.undefinedInstruction();
}

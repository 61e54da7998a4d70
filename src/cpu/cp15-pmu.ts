// The performance-monitor registers reached through CP15 c9 (DDI 0406C B4.1.117-B4.1.132), routed to
// the PMU of this CPU (cpu.pmu) with the access rules that apply on the way, in the architecture's
// order of priority:
//  - encodings the Cortex-A15 does not implement (PMOVSSET is PMUv3's) are UNDEFINED;
//  - at PL0, PMUSERENR.EN = 0 makes every PMU register but PMUSERENR (read) UNDEFINED, and
//    PMUSERENR writes and PMINTENSET/CLR are UNDEFINED at PL0 whatever EN says;
//  - HDCR.TPM traps every PMU access to Hyp mode, HDCR.TPMCR traps PMCR (HSR EC 0x03): the
//    hypervisor's coprocTrap emulates the access.

import type { Cpu } from "./core.js";
import { mcrTrapHsr } from "./cp15-timer.js";
import { HDCR_TPM, HDCR_TPMCR } from "./pmu-regs.js";
import * as P from "./pmu-regs.js";

/** True for the encodings the Cortex-A15's PMU implements. */
function implemented(key: number): boolean {
  return (
    (key >= P.PMCR && key <= P.PMCEID1) ||
    (key >= P.PMCCNTR && key <= P.PMXEVCNTR) ||
    (key >= P.PMUSERENR && key <= P.PMINTENCLR)
  );
}

export class Cp15Pmu {
  private readonly cpu: Cpu;
  /** Set when the access is UNDEFINED (the caller takes the exception). */
  undef = false;

  constructor(cpu: Cpu) {
    this.cpu = cpu;
  }

  read(key: number, user: boolean, instr: number): number {
    if (!this.permitted(key, user, false)) return 0;
    if (this.trapped(key)) return this.trap(instr, 0);
    return this.cpu.pmu.read(key);
  }

  write(key: number, user: boolean, instr: number, value: number): void {
    if (!this.permitted(key, user, true)) return;
    if (this.trapped(key)) this.trap(instr, value);
    else this.cpu.pmu.write(key, value);
  }

  /** The UNDEFINED cases; sets `undef` and returns false for them. */
  private permitted(key: number, user: boolean, isWrite: boolean): boolean {
    let ok = implemented(key);
    if (ok && user) {
      if (key === P.PMUSERENR) ok = !isWrite;
      else if (key === P.PMINTENSET || key === P.PMINTENCLR) ok = false;
      else ok = (this.cpu.pmu.pmuserenr & P.PMUSERENR_EN) !== 0;
    }
    if (!ok) this.undef = true;
    return ok;
  }

  private trapped(key: number): boolean {
    const hdcr = this.cpu.hyp.hdcr;
    return (hdcr & HDCR_TPM) !== 0 || (key === P.PMCR && (hdcr & HDCR_TPMCR) !== 0);
  }

  private trap(instr: number, value: number): number {
    const cpu = this.cpu;
    const traps = cpu.traps;
    if (traps === null) {
      this.undef = true;
      return 0;
    }
    const hsr = mcrTrapHsr(cpu, instr);
    cpu.exit.hsr = hsr;
    return traps.coprocTrap(hsr, value, 0) | 0;
  }
}

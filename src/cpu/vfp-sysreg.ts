// VMRS/VMSR (DDI 0406C B9.3.x, A8.8.x): cond 1110 111 L reg Rt 1010 0001 0000. FPSCR needs FPEXC.EN
// and is open to PL0; FPSID, MVFR0/1 and FPEXC are PL1-only and work with EN = 0, which is how an OS
// probes the VFP and how Linux's lazy context switch turns it back on.

import type { Cpu } from "./core.js";
import { FPEXC_EN } from "./vfp-state.js";

// The `reg` field values.
export const VFP_REG_FPSID = 0b0000;
export const VFP_REG_FPSCR = 0b0001;
export const VFP_REG_MVFR1 = 0b0110;
export const VFP_REG_MVFR0 = 0b0111;
export const VFP_REG_FPEXC = 0b1000;

/** Called after the CPACR check; does its own FPEXC.EN and privilege checks. */
export function executeVmrsVmsr(cpu: Cpu, instr: number): void {
  const st = cpu.vfp;
  const reg = (instr >>> 16) & 0xf;
  const t = (instr >>> 12) & 0xf;
  const toArm = (instr & (1 << 20)) !== 0;
  if (reg === VFP_REG_FPSCR) {
    if ((st.fpexc & FPEXC_EN) === 0 || (!toArm && t === 15)) {
      cpu.undefinedInstruction();
      return;
    }
    if (!toArm) st.writeFpscr(cpu.r[t]);
    else if (t === 15)
      cpu.setNzcv(st.fpscr); // VMRS APSR_nzcv, FPSCR
    else cpu.r[t] = st.fpscr;
    return;
  }
  if (cpu.isUser() || t === 15) {
    cpu.undefinedInstruction();
    return;
  }
  if (toArm) {
    let value: number;
    switch (reg) {
      case VFP_REG_FPSID:
        value = st.fpsid;
        break;
      case VFP_REG_MVFR1:
        value = st.mvfr1;
        break;
      case VFP_REG_MVFR0:
        value = st.mvfr0;
        break;
      case VFP_REG_FPEXC:
        value = st.fpexc;
        break;
      default:
        // FPINST/FPINST2 and the rest are not implemented (no exception bounce).
        cpu.undefinedInstruction();
        return;
    }
    cpu.r[t] = value;
    return;
  }
  switch (reg) {
    case VFP_REG_FPSID:
      return; // read-only: writes are ignored
    case VFP_REG_FPEXC:
      st.writeFpexc(cpu.r[t]);
      return;
    default:
      cpu.undefinedInstruction();
  }
}

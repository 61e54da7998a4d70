// VFPv3-D32 instructions (coprocessors 10 and 11), without Advanced SIMD. This file checks that the
// VFP may be used (DDI 0406C B1.11.x: CPACR, then FPEXC.EN) and routes the three instruction groups:
// data processing (vfp-dataproc.ts), register transfers (vfp-transfer.ts, vfp-sysreg.ts) and
// extension register loads/stores (vfp-loadstore.ts).
// `instr` is in the A32 layout; T32 callers pass hw1:hw2, whose bits [27:0] match it. The core has
// already checked the A32 condition.

import type { Cpu } from "./core.js";
import { FPEXC_EN } from "./vfp-state.js";
import { executeVfpDataProcessing } from "./vfp-dataproc.js";
import { executeVfpTransfer32 } from "./vfp-transfer.js";
import { executeVfpLoadStore } from "./vfp-loadstore.js";
import { executeVmrsVmsr } from "./vfp-sysreg.js";
import { passesHcptr } from "./vfp-trap.js";

/** CPACR.cp10 at bits [21:20], cp11 at [23:22]: 0b01 PL1 only, 0b11 full access, otherwise none. */
const CPACR_CP10_SHIFT = 20;
const CPACR_CP11_SHIFT = 22;

export function executeVfp(cpu: Cpu, instr: number): void {
  // The unconditional ("2") forms of the coprocessor instructions do not exist for cp10/cp11.
  if (instr >>> 28 === 0xf) {
    cpu.undefinedInstruction();
    return;
  }
  const cp = (instr >>> 8) & 0xf;
  const access = (cpu.cp15.cpacr >>> (cp === 11 ? CPACR_CP11_SHIFT : CPACR_CP10_SHIFT)) & 3;
  if (access !== 3 && (access !== 1 || cpu.isUser())) {
    cpu.undefinedInstruction();
    return;
  }
  if (!passesHcptr(cpu, cp, instr)) {
    cpu.undefinedInstruction();
    return;
  }
  // VMRS/VMSR check FPEXC.EN themselves: the ID registers and FPEXC stay reachable with it clear.
  if ((instr & 0x0fe00f10) === 0x0ee00a10) {
    executeVmrsVmsr(cpu, instr);
    return;
  }
  if ((cpu.vfp.fpexc & FPEXC_EN) === 0) {
    cpu.undefinedInstruction();
    return;
  }
  const group = (instr >>> 24) & 0xf;
  if (group === 0xe) {
    if (instr & 0x10) executeVfpTransfer32(cpu, instr);
    else executeVfpDataProcessing(cpu, instr);
  } else if (group === 0xc || group === 0xd) {
    executeVfpLoadStore(cpu, instr);
  } else {
    cpu.undefinedInstruction();
  }
}

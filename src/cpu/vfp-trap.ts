// HCPTR traps of the VFP (DDI 0406C B1.14.x, B4.1.74; HSR B3.13.6 "HSR encoding for trapped
// CP10/CP11 accesses"). TCP10/TCP11 trap every CP10/CP11 instruction executed at PL0 or PL1 —
// VFP data processing, VLDR/VSTR/VLDM/VSTM/VPUSH/VPOP, VMOV to and from core registers, and
// VMRS/VMSR of every system register, FPEXC included — to Hyp mode with EC 0x07. The checks come in
// the architecture's order: CPACR (and NSACR, which gives Non-secure state full access here) first,
// making the instruction UNDEFINED; then HCPTR, trapping it; then FPEXC.EN, UNDEFINED again (so a
// hypervisor's lazy switch loads the guest's FPEXC before the guest's own lazy-VFP check).
//
// This core has no Advanced SIMD: its instructions are UNDEFINED before any trap, so HCPTR.TASE
// never traps (TA is never set in a syndrome) and reads as one, as the architecture has it when
// Advanced SIMD is not implemented.

import type { Cpu } from "./core.js";
import { EC, makeHsr } from "./exits.js";

export const HCPTR_TCP10 = 1 << 10;
export const HCPTR_TCP11 = 1 << 11;
export const HCPTR_TASE = 1 << 15;
/** What HCPTR holds: TCP10, TCP11 and TTA (trace, which nothing here uses); TASE is RAO. */
export const HCPTR_WRITABLE = HCPTR_TCP10 | HCPTR_TCP11 | (1 << 20);

/** ISS of EC 0x07: CV, COND, TA (bit 5) and the coprocessor number in bits [3:0]. */
export function cp10TrapHsr(cpu: Cpu, instr: number): number {
  const cond = cpu.t !== 0 && cpu.it !== 0 ? (cpu.it >>> 4) & 0xf : instr >>> 28;
  const iss = (1 << 24) | (cond << 20) | ((instr >>> 8) & 0xf);
  return makeHsr(EC.CP10, true, iss);
}

/**
 * Called once CPACR allows the access: if HCPTR traps coprocessor `cp`, Hyp mode takes the trap
 * (HypTraps.fpTrap, synchronously, as the exception and its ERET would). Returns false when the
 * instruction must not go on: no hypervisor to take the trap, or one that left it trapped (the
 * instruction would trap again forever); it is then UNDEFINED for the guest.
 */
export function passesHcptr(cpu: Cpu, cp: number, instr: number): boolean {
  const bit = cp === 11 ? HCPTR_TCP11 : HCPTR_TCP10;
  if ((cpu.hyp.hcptr & bit) === 0) return true;
  const traps = cpu.traps;
  if (traps === null || traps.fpTrap === undefined) return false;
  const hsr = cp10TrapHsr(cpu, instr);
  cpu.exit.hsr = hsr;
  traps.fpTrap(hsr);
  return (cpu.hyp.hcptr & bit) === 0;
}

// Moves between core registers and extension registers (DDI 0406C A7.8, A7.9): VMOV Rt <-> Sn,
// VMOV.32 Dd[x] <-> Rt, VMOV Rt, Rt2 <-> Sm, Sm+1 and VMOV Rt, Rt2 <-> Dm. Raw words only.
// Access checks are done by the caller; VMRS/VMSR are in vfp-sysreg.ts.

import type { Cpu } from "./core.js";

/** 8-, 16- and 32-bit register transfers: cond 1110 A L Vn Rt 101 C N B 1 0000. */
export function executeVfpTransfer32(cpu: Cpu, instr: number): void {
  const t = (instr >>> 12) & 0xf;
  const toArm = (instr & (1 << 20)) !== 0;
  // Rt = PC is UNPREDICTABLE; A (bits 23:21) = 111 is VMRS/VMSR, handled before we get here.
  if (t === 15) {
    cpu.undefinedInstruction();
    return;
  }
  const w = cpu.vfp.w;
  let index: number;
  if ((instr & (1 << 8)) === 0) {
    // VMOV between Rt and Sn (A = 000).
    if ((instr & 0x00e00000) !== 0) {
      cpu.undefinedInstruction();
      return;
    }
    index = (((instr >>> 16) & 0xf) << 1) | ((instr >>> 7) & 1);
  } else {
    // VMOV.32 between Rt and Dn[x]: U/bit 23, opc1<1> and opc2 all zero. The 8/16-bit forms and VDUP
    // belong to Advanced SIMD, which this core does not have.
    if ((instr & 0x00c00060) !== 0) {
      cpu.undefinedInstruction();
      return;
    }
    const dn = (((instr >>> 7) & 1) << 4) | ((instr >>> 16) & 0xf);
    index = 2 * dn + ((instr >>> 21) & 1);
  }
  if (toArm) cpu.r[t] = w[index];
  else w[index] = cpu.r[t];
}

/** 64-bit transfers: cond 1100 010 op Rt2 Rt 101 C 00 M 1 Vm (C = 0: Sm, Sm+1; C = 1: Dm). */
export function executeVfpTransfer64(cpu: Cpu, instr: number): void {
  const t = (instr >>> 12) & 0xf;
  const t2 = (instr >>> 16) & 0xf;
  const toArm = (instr & (1 << 20)) !== 0;
  const M = (instr >>> 5) & 1;
  const Vm = instr & 0xf;
  const dp = (instr & (1 << 8)) !== 0;
  const index = dp ? 2 * ((M << 4) | Vm) : (Vm << 1) | M;
  // Bits 7:6 must be 00; Rt or Rt2 = PC, Rt = Rt2 on a read, and S31 as the first of a pair are
  // UNPREDICTABLE.
  if ((instr & 0xc0) !== 0 || t === 15 || t2 === 15 || (toArm && t === t2) || (!dp && index === 31)) {
    cpu.undefinedInstruction();
    return;
  }
  const w = cpu.vfp.w;
  const r = cpu.r;
  if (toArm) {
    r[t] = w[index];
    r[t2] = w[index + 1];
  } else {
    w[index] = r[t];
    w[index + 1] = r[t2];
  }
}

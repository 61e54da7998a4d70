// Status-register instructions shared by the A32 and T32 executors: MRS/MSR (CPSR, SPSR and the
// Virtualization Extensions' banked-register forms) and CPS. DDI 0406C B1.3.3 (CPSRWriteByInstr,
// SPSRWriteByInstr), B9.3.9-B9.3.12 (MRS/MSR banked), B9.3.2 (CPS).

import type { CpuState } from "./state.js";
import { Mode, bankOf, isValidGuestMode } from "./state.js";

/** MRS Rd, CPSR: the execution-state bits (IT, J, T) read as zero. */
export const MRS_CPSR_MASK = 0xf8ff03df;

/** MRS Rd, CPSR. */
export function mrsCpsr(cpu: CpuState): number {
  return (cpu.getCpsr() & MRS_CPSR_MASK) | 0;
}

/**
 * MSR CPSR_<fields>, value (CPSRWriteByInstr with is_excpt_return = FALSE). `mask` is the 4-bit
 * field mask (bit 3 f = [31:24], 2 s = [23:16], 1 x = [15:8], 0 c = [7:0]). At PL0 only NZCVQ and
 * GE change; IT/J/T never change here; a write of an invalid or non-guest mode is ignored.
 */
export function msrCpsr(cpu: CpuState, value: number, mask: number): void {
  const privileged = cpu.mode !== Mode.USR;
  if (mask & 8) {
    cpu.n = (value >>> 31) & 1;
    cpu.z = (value >>> 30) & 1;
    cpu.c = (value >>> 29) & 1;
    cpu.v = (value >>> 28) & 1;
    cpu.q = (value >>> 27) & 1;
  }
  if (mask & 4) cpu.ge = (value >>> 16) & 0xf;
  // CPSR.E is writable, but this core implements little-endian data only: it stays 0.
  if (mask & 2 && privileged) cpu.a = (value >>> 8) & 1;
  if (mask & 1 && privileged) {
    cpu.i = (value >>> 7) & 1;
    cpu.f = (value >>> 6) & 1;
    const mode = value & 0x1f;
    if (mode !== cpu.mode && isValidGuestMode(mode)) cpu.switchMode(mode);
    cpu.interruptMasksChanged();
  }
}

/** MSR SPSR_<fields>, value (SPSRWriteByInstr): byte lanes of the current mode's SPSR. No SPSR in
 * USR/SYS (UNPREDICTABLE there): ignored. */
export function msrSpsr(cpu: CpuState, value: number, mask: number): void {
  let bytes = 0;
  if (mask & 8) bytes |= 0xff000000;
  if (mask & 4) bytes |= 0x00ff0000;
  if (mask & 2) bytes |= 0x0000ff00;
  if (mask & 1) bytes |= 0x000000ff;
  const old = cpu.getSpsr();
  cpu.setSpsr((old & ~bytes) | (value & bytes));
}

/**
 * CPS{IE,ID} with optional mode change. `imod` 2 = enable (clear the chosen masks), 3 = disable
 * (set them), other values change no mask; `aif` holds A (4), I (2), F (1). A NOP at PL0; a change
 * to an invalid mode is ignored.
 */
export function cps(cpu: CpuState, imod: number, aif: number, changeMode: boolean, mode: number): void {
  if (cpu.mode === Mode.USR) return;
  if (imod === 2 || imod === 3) {
    const bit = imod & 1;
    if (aif & 4) cpu.a = bit;
    if (aif & 2) cpu.i = bit;
    if (aif & 1) cpu.f = bit;
    cpu.interruptMasksChanged();
  }
  if (changeMode && isValidGuestMode(mode)) cpu.switchMode(mode);
}

// Banked-register access (MRS/MSR <banked_reg>). SYSm = M:m1 as in B9.2.3. Registers that belong
// to Monitor or Hyp mode, and unallocated SYSm values, are UNDEFINED from a Non-secure PL1 mode.
// Naming the current mode's own register is UNPREDICTABLE: the live register is used.

/** Resolves SYSm (R = 0) to a storage slot: 0..4 usr r8-r12, 5..11 fiq r8-r14, 12 usr sp, 13 usr lr,
 * 16 + 2·bank (+1 for LR) for the sp/lr of IRQ/SVC/ABT/UND; -1 when UNDEFINED. */
function bankedSlot(sysm: number): number {
  if (sysm <= 6) return sysm < 5 ? sysm : 12 + (sysm - 5);
  if (sysm >= 8 && sysm <= 14) return 5 + (sysm - 8);
  switch (sysm) {
    case 0x10:
      return 16 + 2 * 2 + 1; // LR_irq
    case 0x11:
      return 16 + 2 * 2; // SP_irq
    case 0x12:
      return 16 + 2 * 3 + 1; // LR_svc
    case 0x13:
      return 16 + 2 * 3; // SP_svc
    case 0x14:
      return 16 + 2 * 4 + 1; // LR_abt
    case 0x15:
      return 16 + 2 * 4; // SP_abt
    case 0x16:
      return 16 + 2 * 5 + 1; // LR_und
    case 0x17:
      return 16 + 2 * 5; // SP_und
    default:
      return -1; // Monitor and Hyp registers, unallocated encodings
  }
}

/** SPSR bank named by SYSm with R = 1, or -1 when UNDEFINED. */
function spsrBankOf(sysm: number): number {
  switch (sysm) {
    case 0x0e:
      return 1;
    case 0x10:
      return 2;
    case 0x12:
      return 3;
    case 0x14:
      return 4;
    case 0x16:
      return 5;
    default:
      return -1;
  }
}

/** Result of the banked accessors: set to false when the access is UNDEFINED (the caller then
 * raises the exception). */
export const banked = { ok: true };

/** MRS Rd, <banked_reg>: `r` selects an SPSR. Sets banked.ok = false for UNDEFINED (and at PL0). */
export function mrsBanked(cpu: CpuState, r: number, sysm: number): number {
  if (cpu.mode === Mode.USR) {
    banked.ok = false;
    return 0;
  }
  if (r) {
    const b = spsrBankOf(sysm);
    banked.ok = b >= 0;
    return b >= 0 ? cpu.spsr[b] : 0;
  }
  const slot = bankedSlot(sysm);
  banked.ok = slot >= 0;
  if (slot < 0) return 0;
  const inFiq = cpu.mode === Mode.FIQ;
  if (slot < 5) return inFiq ? cpu.hiRegs[slot] : cpu.r[8 + slot];
  if (slot < 10) return inFiq ? cpu.r[8 + slot - 5] : cpu.hiRegs[slot];
  if (slot < 12) return spLr(cpu, 1, slot - 10, false, 0); // SP_fiq, LR_fiq
  if (slot < 14) return spLr(cpu, 0, slot - 12, false, 0); // SP_usr, LR_usr
  return spLr(cpu, (slot - 16) >>> 1, (slot - 16) & 1, false, 0);
}

/** MSR <banked_reg>, value. Sets banked.ok = false for UNDEFINED (and at PL0). */
export function msrBanked(cpu: CpuState, r: number, sysm: number, value: number): void {
  if (cpu.mode === Mode.USR) {
    banked.ok = false;
    return;
  }
  if (r) {
    const b = spsrBankOf(sysm);
    banked.ok = b >= 0;
    if (b >= 0) cpu.spsr[b] = value;
    return;
  }
  const slot = bankedSlot(sysm);
  banked.ok = slot >= 0;
  if (slot < 0) return;
  const inFiq = cpu.mode === Mode.FIQ;
  if (slot < 5) {
    if (inFiq) cpu.hiRegs[slot] = value;
    else cpu.r[8 + slot] = value;
  } else if (slot < 10) {
    if (inFiq) cpu.r[8 + slot - 5] = value;
    else cpu.hiRegs[slot] = value;
  } else if (slot < 12) spLr(cpu, 1, slot - 10, true, value);
  else if (slot < 14) spLr(cpu, 0, slot - 12, true, value);
  else spLr(cpu, (slot - 16) >>> 1, (slot - 16) & 1, true, value);
}

/** Reads or writes SP (which = 0) or LR (1) of register bank `bank`: live when it is the current one. */
function spLr(cpu: CpuState, bank: number, which: number, write: boolean, value: number): number {
  if (bankOf(cpu.mode) === bank) {
    if (write) cpu.r[13 + which] = value;
    return cpu.r[13 + which];
  }
  if (write) cpu.bankedSpLr[bank * 2 + which] = value;
  return cpu.bankedSpLr[bank * 2 + which];
}

/** SP of the mode `mode` (for SRS): live when `mode` shares the current bank. */
export function getModeSp(cpu: CpuState, mode: number): number {
  return spLr(cpu, bankOf(mode), 0, false, 0);
}

export function setModeSp(cpu: CpuState, mode: number, value: number): void {
  spLr(cpu, bankOf(mode), 0, true, value);
}

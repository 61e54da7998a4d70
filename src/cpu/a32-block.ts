// A32 block transfers (DDI 0406C A8.8.58-A8.8.61, A8.8.199-A8.8.202, B9.3.5-B9.3.6, B9.3.13,
// B9.3.16): LDM/STM in the four addressing modes, the user-register (^) forms, LDM ^ with the PC
// (exception return), and SRS/RFE. All loads complete into a scratch buffer before any register
// changes, so an abort part-way leaves the registers untouched (base-restored abort model).

import type { Cpu } from "./core.js";
import { Mode, isValidGuestMode } from "./state.js";
import { getModeSp, setModeSp } from "./ops-psr.js";

const BIT_P = 1 << 24;
const BIT_U = 1 << 23;
const BIT_S = 1 << 22;
const BIT_W = 1 << 21;
const BIT_L = 1 << 20;

/** Loaded values, indexed by register number. */
const loaded = new Int32Array(16);

function bitCount(x: number): number {
  let v = x - ((x >>> 1) & 0x5555);
  v = (v & 0x3333) + ((v >>> 2) & 0x3333);
  v = (v + (v >>> 4)) & 0x0f0f;
  return (v + (v >>> 8)) & 0x1f;
}

/** LDM/STM (all forms). `instr` bits [27:25] are 0b100. */
export function blockTransfer(cpu: Cpu, instr: number): void {
  const list = instr & 0xffff;
  const n = (instr >>> 16) & 15;
  const wback = (instr & BIT_W) !== 0;
  if (list === 0 || (n === 15 && wback)) {
    cpu.undefinedInstruction(); // UNPREDICTABLE
    return;
  }
  const r = cpu.r;
  const mmu = cpu.mmu;
  const base = r[n];
  const bytes = bitCount(list) << 2;
  let address: number;
  if (instr & BIT_U)
    address = instr & BIT_P ? (base + 4) | 0 : base; // IB / IA
  else address = instr & BIT_P ? (base - bytes) | 0 : (base - bytes + 4) | 0; // DB / DA
  const newBase = instr & BIT_U ? (base + bytes) | 0 : (base - bytes) | 0;
  const userRegs = (instr & BIT_S) !== 0;

  if (!userRegs && (address & 0xfff) + bytes <= 0x1000) {
    // The whole transfer stays in one page: when the TLB holds it, the words are moved directly
    // (no access can abort then, so registers may change as the words arrive).
    const off = instr & BIT_L ? mmu.readRun(address) : mmu.writeRun(address);
    if (off >= 0) {
      const mem32 = mmu.stage2.mem32;
      let w = off >> 2;
      if ((instr & BIT_L) === 0) {
        for (let l = list; l !== 0; l &= l - 1) mem32[w++] = r[31 - Math.clz32(l & -l)];
        if (wback) r[n] = newBase;
        return;
      }
      // The base is written back first, so a base that is also in the list gets the loaded value.
      if (wback) r[n] = newBase;
      for (let l = list & 0x7fff; l !== 0; l &= l - 1) r[31 - Math.clz32(l & -l)] = mem32[w++];
      if (list & 0x8000) cpu.loadWritePc(mem32[w]);
      return;
    }
  }

  if ((instr & BIT_L) === 0) {
    // STM. A base in the list is stored with its original value (writeback comes last).
    mmu.checkAlignment(address, 4, true);
    // Visit the set bits only, lowest first.
    for (let l = list; l !== 0; l &= l - 1) {
      const i = 31 - Math.clz32(l & -l);
      mmu.write32(address, userRegs ? cpu.getUserReg(i) : r[i]);
      address = (address + 4) | 0;
    }
    if (wback) r[n] = newBase;
    return;
  }

  // LDM
  mmu.checkAlignment(address, 4, false);
  for (let l = list; l !== 0; l &= l - 1) {
    const i = 31 - Math.clz32(l & -l);
    loaded[i] = mmu.read32(address);
    address = (address + 4) | 0;
  }
  if (userRegs && (list & 0x8000) === 0) {
    // LDM (user registers); writeback is UNPREDICTABLE here and not done.
    for (let l = list; l !== 0; l &= l - 1) {
      const i = 31 - Math.clz32(l & -l);
      cpu.setUserReg(i, loaded[i]);
    }
    return;
  }
  // The base is written back first, so a base that is also in the list gets the loaded value.
  if (wback) r[n] = newBase;
  for (let l = list & 0x7fff; l !== 0; l &= l - 1) {
    const i = 31 - Math.clz32(l & -l);
    r[i] = loaded[i];
  }
  if (list & 0x8000) {
    if (userRegs && cpu.mode !== Mode.USR && cpu.mode !== Mode.SYS) {
      // LDM (exception return): CPSR ← SPSR of the mode the registers were loaded in.
      cpu.exceptionReturn(loaded[15], cpu.getSpsr());
    } else {
      cpu.loadWritePc(loaded[15]);
    }
  }
}

/** SRS{DA,IA,DB,IB} SP_<mode>{!}, #mode: stores LR and SPSR of the current mode on another mode's stack. */
export function srs(cpu: Cpu, instr: number): void {
  const mode = instr & 0x1f;
  if (cpu.mode === Mode.USR || cpu.mode === Mode.SYS || !isValidGuestMode(mode)) {
    cpu.undefinedInstruction(); // UNPREDICTABLE, or a mode this guest cannot name
    return;
  }
  const sp = getModeSp(cpu, mode);
  const up = (instr & BIT_U) !== 0;
  let address = up ? sp : (sp - 8) | 0;
  if (((instr & BIT_P) !== 0) === up) address = (address + 4) | 0;
  const mmu = cpu.mmu;
  mmu.checkAlignment(address, 4, true);
  mmu.write32(address, cpu.r[14]);
  mmu.write32((address + 4) | 0, cpu.getSpsr());
  if (instr & BIT_W) setModeSp(cpu, mode, up ? (sp + 8) | 0 : (sp - 8) | 0);
}

/** RFE{DA,IA,DB,IB} Rn{!}: loads PC and CPSR from memory (an exception return). */
export function rfe(cpu: Cpu, instr: number): void {
  const n = (instr >>> 16) & 15;
  if (cpu.mode === Mode.USR || n === 15) {
    cpu.undefinedInstruction(); // UNPREDICTABLE
    return;
  }
  const r = cpu.r;
  const base = r[n];
  const up = (instr & BIT_U) !== 0;
  let address = up ? base : (base - 8) | 0;
  if (((instr & BIT_P) !== 0) === up) address = (address + 4) | 0;
  const mmu = cpu.mmu;
  mmu.checkAlignment(address, 4, false);
  const pc = mmu.read32(address);
  const psr = mmu.read32((address + 4) | 0);
  if (instr & BIT_W) r[n] = up ? (base + 8) | 0 : (base - 8) | 0;
  cpu.exceptionReturn(pc, psr);
}

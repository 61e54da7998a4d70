// Load/store multiple shared by the 16-bit (LDM, STM, PUSH, POP) and 32-bit (LDM, LDMDB, STM, STMDB,
// PUSH.W, POP.W) Thumb encodings, and the 32-bit class that holds them with RFE and SRS (A6.3.5).
// Every memory access happens before any register is written so that an abort part-way leaves the
// registers as they were (the base-restored abort model).

import type { Cpu } from "./core.js";
import { isValidGuestMode } from "./state.js";
import { getModeSp, setModeSp } from "./ops-psr.js";

/** Loaded words waiting to be committed, indexed by register number. */
const loaded = new Int32Array(16);

/** Reads the words for `list` (bit i = register i) from consecutive words at `address` upwards into
 * the scratch buffer. Alignment is checked first: LDM uses MemA. */
export function readMultiple(cpu: Cpu, address: number, list: number): void {
  const mmu = cpu.mmu;
  if ((address & 0xfff) + (bitCount16(list) << 2) <= 0x1000) {
    // The whole transfer stays in one page: when the TLB holds it, read the words directly.
    const off = mmu.readRun(address);
    if (off >= 0) {
      const mem32 = mmu.stage2.mem32;
      let w = off >> 2;
      for (let l = list; l !== 0; l &= l - 1) loaded[31 - Math.clz32(l & -l)] = mem32[w++];
      return;
    }
  }
  mmu.checkAlignment(address, 4, false);
  let a = address;
  for (let i = 0; i < 16; i++) {
    if (list & (1 << i)) {
      loaded[i] = mmu.read32(a);
      a = (a + 4) | 0;
    }
  }
}

/** Writes the words read by readMultiple to their registers; the PC interworks (LoadWritePC). Any
 * base writeback must be done before this so that a loaded base register wins. */
export function commitMultiple(cpu: Cpu, list: number): void {
  const r = cpu.r;
  for (let i = 0; i < 15; i++) {
    if (list & (1 << i)) r[i] = loaded[i];
  }
  if (list & 0x8000) cpu.loadWritePc(loaded[15]);
}

/** Stores the registers of `list` to consecutive words from `address` upwards, lowest register at the
 * lowest address. A base register in the list is stored with its original value. */
export function storeMultiple(cpu: Cpu, address: number, list: number): void {
  const mmu = cpu.mmu;
  const r = cpu.r;
  if ((address & 0xfff) + (bitCount16(list) << 2) <= 0x1000) {
    // The whole transfer stays in one page: when the TLB holds it, write the words directly.
    const off = mmu.writeRun(address);
    if (off >= 0) {
      const mem32 = mmu.stage2.mem32;
      let w = off >> 2;
      for (let l = list; l !== 0; l &= l - 1) mem32[w++] = r[31 - Math.clz32(l & -l)];
      return;
    }
  }
  mmu.checkAlignment(address, 4, true);
  let a = address;
  for (let i = 0; i < 16; i++) {
    if (list & (1 << i)) {
      mmu.write32(a, r[i]);
      a = (a + 4) | 0;
    }
  }
}

/** Number of registers in a 16-bit list. */
export function bitCount16(list: number): number {
  let x = list - ((list >>> 1) & 0x5555);
  x = (x & 0x3333) + ((x >>> 2) & 0x3333);
  x = (x + (x >>> 4)) & 0x0f0f;
  return (x + (x >>> 8)) & 0x1f;
}

/** A6.3.5: hw1 = 1110 100 op(2) 0 W L Rn, op = 01 increment after, 10 decrement before; op = 00/11
 * are SRS/RFE (decrement before / increment after). PUSH.W/POP.W are STMDB/LDM SP!. */
export function loadStoreMultiple32(cpu: Cpu, instr: number): void {
  const op = (instr >>> 23) & 3;
  if (op === 0 || op === 3) {
    if (instr & 0x100000) returnFromException(cpu, instr, op === 3);
    else storeReturnState(cpu, instr, op === 3);
    return;
  }
  const r = cpu.r;
  const n = (instr >>> 16) & 0xf;
  const list = instr & 0xffff;
  const wback = (instr & 0x200000) !== 0;
  const load = instr & 0x100000;
  // Fewer than two registers, Rn = PC, or writeback with the base in the list are UNPREDICTABLE:
  // UNDEFINED, as QEMU makes them. (SP or PC in the list, also UNPREDICTABLE, transfer as written.)
  if ((list & (list - 1)) === 0 || n === 15 || (wback && list & (1 << n))) {
    cpu.undefinedInstruction();
    return;
  }
  const base = r[n];
  const bytes = 4 * bitCount16(list);
  const start = op === 1 ? base : (base - bytes) | 0;
  const newBase = op === 1 ? (base + bytes) | 0 : start;
  if (load) {
    readMultiple(cpu, start, list);
    if (wback) r[n] = newBase;
    commitMultiple(cpu, list);
  } else {
    storeMultiple(cpu, start, list);
    if (wback) r[n] = newBase;
  }
}

/** RFE{DB,IA} Rn{!}: loads PC and CPSR from the stack (UNPREDICTABLE at PL0: UNDEFINED there). */
function returnFromException(cpu: Cpu, instr: number, increment: boolean): void {
  if (cpu.isUser() || (instr & 0xffff) !== 0xc000) {
    cpu.undefinedInstruction();
    return;
  }
  const r = cpu.r;
  const n = (instr >>> 16) & 0xf;
  const base = r[n];
  const address = increment ? base : (base - 8) | 0;
  const mmu = cpu.mmu;
  mmu.checkAlignment(address, 4, false);
  const pc = mmu.read32(address);
  const psr = mmu.read32((address + 4) | 0);
  if (instr & 0x200000) r[n] = increment ? (base + 8) | 0 : address;
  cpu.exceptionReturn(pc, psr);
}

/** SRS{DB,IA} SP{!}, #mode: stores LR and SPSR on the stack of `mode` (UNDEFINED at PL0 and for a
 * mode this core does not have). */
function storeReturnState(cpu: Cpu, instr: number, increment: boolean): void {
  const mode = instr & 0x1f;
  if (cpu.isUser() || (instr & 0xf0000) !== 0xd0000 || (instr & 0xffe0) !== 0xc000 || !isValidGuestMode(mode)) {
    cpu.undefinedInstruction();
    return;
  }
  const sp = getModeSp(cpu, mode);
  const address = increment ? sp : (sp - 8) | 0;
  const mmu = cpu.mmu;
  mmu.checkAlignment(address, 4, true);
  mmu.write32(address, cpu.r[14]);
  mmu.write32((address + 4) | 0, cpu.getSpsr());
  if (instr & 0x200000) setModeSp(cpu, mode, increment ? (sp + 8) | 0 : address);
}

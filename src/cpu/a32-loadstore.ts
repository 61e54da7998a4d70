// A32 single-register loads and stores (DDI 0406C A5.3, A5.2.8, A5.2.10): LDR/STR/LDRB/STRB with
// immediate or scaled-register offsets and their unprivileged T forms, the "extra" halfword,
// signed and doubleword forms, and the exclusives. Every memory access happens before any register
// changes, so an access that aborts (the MMU throws) leaves the registers as they were.

import type { Cpu } from "./core.js";
import { shiftImm } from "./alu.js";
import { SCTLR_SW } from "./cp15-regs.js";

const BIT_P = 1 << 24;
const BIT_U = 1 << 23;
const BIT_B = 1 << 22;
const BIT_W = 1 << 21;
const BIT_L = 1 << 20;

/** LDR/STR/LDRB/STRB with an immediate offset (bit 25 = 0, A8.8.62 etc.) or a register offset
 * (bit 25 = 1): Rm shifted by an immediate, whose carry is not used. The complete implementation;
 * the run loop does all but the unprivileged forms itself. */
export function loadStoreWordByte(cpu: Cpu, instr: number): void {
  const r = cpu.r;
  const offset =
    (instr & 0x02000000) === 0
      ? instr & 0xfff
      : shiftImm(r[instr & 15], (instr >>> 5) & 3, (instr >>> 7) & 31, cpu.c) | 0;
  const n = (instr >>> 16) & 15;
  const t = (instr >>> 12) & 15;
  const base = r[n];
  const offsetAddr = instr & BIT_U ? (base + offset) | 0 : (base - offset) | 0;
  const p = instr & BIT_P;
  const address = p ? offsetAddr : base;
  // P = 0 is post-indexed with writeback; P = 0, W = 1 is the unprivileged (T) form.
  const wback = p === 0 || (instr & BIT_W) !== 0;
  const unpriv = p === 0 && (instr & BIT_W) !== 0;
  if (wback && n === 15) {
    cpu.undefinedInstruction(); // UNPREDICTABLE
    return;
  }
  const mmu = cpu.mmu;
  if (instr & BIT_L) {
    let v: number;
    if (instr & BIT_B) v = unpriv ? mmu.read8u(address) : mmu.read8(address);
    else v = unpriv ? mmu.read32u(address) : mmu.read32(address);
    if (wback) r[n] = offsetAddr;
    if (t === 15) cpu.loadWritePc(v);
    else r[t] = v;
  } else {
    const v = r[t]; // R15 stores PC + 8 (PCStoreValue)
    if (instr & BIT_B) {
      if (unpriv) mmu.write8u(address, v & 0xff);
      else mmu.write8(address, v & 0xff);
    } else if (unpriv) mmu.write32u(address, v);
    else mmu.write32(address, v);
    if (wback) r[n] = offsetAddr;
  }
}

/**
 * Extra load/store (A5.2.8): STRH/LDRH, LDRD/STRD, LDRSB/LDRSH and STRHT/LDRHT/LDRSBT/LDRSHT.
 * Bits [6:5] (op2): 1 = halfword, 2 = LDRD / LDRSB, 3 = STRD / LDRSH. Bit 22: immediate offset.
 */
export function extraLoadStore(cpu: Cpu, instr: number): void {
  const r = cpu.r;
  const n = (instr >>> 16) & 15;
  const t = (instr >>> 12) & 15;
  let offset: number;
  if (instr & BIT_B) {
    offset = ((instr >>> 4) & 0xf0) | (instr & 0xf);
  } else {
    if (instr & 0xf00) {
      cpu.undefinedInstruction(); // register form with bits [11:8] not zero: UNPREDICTABLE
      return;
    }
    offset = r[instr & 15];
  }
  const base = r[n];
  const offsetAddr = instr & BIT_U ? (base + offset) | 0 : (base - offset) | 0;
  const p = instr & BIT_P;
  const address = p ? offsetAddr : base;
  const wback = p === 0 || (instr & BIT_W) !== 0;
  const unpriv = p === 0 && (instr & BIT_W) !== 0;
  const op2 = (instr >>> 5) & 3;
  const load = (instr & BIT_L) !== 0;
  if (wback && n === 15) {
    cpu.undefinedInstruction();
    return;
  }
  const mmu = cpu.mmu;
  if (!load && op2 !== 1) {
    // LDRD (op2 = 2) / STRD (op2 = 3): Rt even and not R14; no unprivileged form.
    if (t & 1 || t === 14 || unpriv) {
      cpu.undefinedInstruction();
      return;
    }
    const isStore = op2 === 3;
    mmu.checkAlignment(address, 4, isStore);
    if (isStore) {
      mmu.write32(address, r[t]);
      mmu.write32((address + 4) | 0, r[t + 1]);
      if (wback) r[n] = offsetAddr;
    } else {
      const lo = mmu.read32(address);
      const hi = mmu.read32((address + 4) | 0);
      if (wback) r[n] = offsetAddr;
      r[t] = lo;
      r[t + 1] = hi;
    }
    return;
  }
  if (t === 15) {
    cpu.undefinedInstruction(); // UNPREDICTABLE for every halfword/signed form
    return;
  }
  if (!load) {
    // STRH / STRHT
    if (unpriv) mmu.write16u(address, r[t] & 0xffff);
    else mmu.write16(address, r[t] & 0xffff);
    if (wback) r[n] = offsetAddr;
    return;
  }
  let v: number;
  switch (op2) {
    case 1: // LDRH / LDRHT
      v = (unpriv ? mmu.read16u(address) : mmu.read16(address)) & 0xffff;
      break;
    case 2: // LDRSB / LDRSBT
      v = ((unpriv ? mmu.read8u(address) : mmu.read8(address)) << 24) >> 24;
      break;
    default: // LDRSH / LDRSHT
      v = ((unpriv ? mmu.read16u(address) : mmu.read16(address)) << 16) >> 16;
      break;
  }
  if (wback) r[n] = offsetAddr;
  r[t] = v;
}

/**
 * Synchronization primitives (A5.2.10): the exclusives, and SWP/SWPB. Bits [11:8] of the
 * exclusives must be 0b1111 (other values are ARMv8's load-acquire/store-release forms, not on a
 * Cortex-A15).
 */
export function synchronization(cpu: Cpu, instr: number): void {
  const op = (instr >>> 20) & 15;
  if ((op === 0 || op === 4) && (instr & 0xf00) === 0) {
    swap(cpu, instr, op === 4);
    return;
  }
  if ((instr & 0xf00) !== 0xf00) {
    cpu.undefinedInstruction();
    return;
  }
  const r = cpu.r;
  const mmu = cpu.mmu;
  const address = r[(instr >>> 16) & 15];
  const rd = (instr >>> 12) & 15; // Rt of a load, Rd (status) of a store
  const rt = instr & 15; // Rt of a store
  switch ((instr >>> 20) & 15) {
    case 8:
      // STREX
      mmu.checkAlignment(address, 4, true);
      r[rd] = cpu.storeExclusive(address, 4, r[rt], 0);
      return;
    case 9: {
      // LDREX
      mmu.checkAlignment(address, 4, false);
      const v = mmu.read32(address);
      cpu.setExclusive(address, 4, v);
      r[rd] = v;
      return;
    }
    case 10:
      // STREXD: Rt even, not R14
      if (rt & 1 || rt === 14) break;
      mmu.checkAlignment(address, 8, true);
      r[rd] = cpu.storeExclusive(address, 8, r[rt], r[rt + 1]);
      return;
    case 11: {
      // LDREXD
      if (rd & 1 || rd === 14) break;
      mmu.checkAlignment(address, 8, false);
      const lo = mmu.read32(address);
      const hi = mmu.read32((address + 4) | 0);
      cpu.setExclusive(address, 8, lo, hi);
      r[rd] = lo;
      r[rd + 1] = hi;
      return;
    }
    case 12: // STREXB
      r[rd] = cpu.storeExclusive(address, 1, r[rt], 0);
      return;
    case 13: {
      // LDREXB
      const v = mmu.read8(address) & 0xff;
      cpu.setExclusive(address, 1, v);
      r[rd] = v;
      return;
    }
    case 14: // STREXH
      mmu.checkAlignment(address, 2, true);
      r[rd] = cpu.storeExclusive(address, 2, r[rt], 0);
      return;
    case 15: {
      // LDREXH
      mmu.checkAlignment(address, 2, false);
      const v = mmu.read16(address) & 0xffff;
      cpu.setExclusive(address, 2, v);
      r[rd] = v;
      return;
    }
    default:
      // SWP/SWPB (0b0000, 0b0100) and unallocated
      break;
  }
  cpu.undefinedInstruction();
}

/**
 * SWP/SWPB Rt, Rt2, [Rn]: UNDEFINED unless SCTLR.SW enables them (the Multiprocessing Extensions
 * disable them from reset). The read and the write are one atomic exchange on guest memory, so
 * vcpus on other host threads never see them apart.
 */
function swap(cpu: Cpu, instr: number, byte: boolean): void {
  const n = (instr >>> 16) & 15;
  const t = (instr >>> 12) & 15;
  const t2 = instr & 15;
  if ((cpu.cp15.sctlr & SCTLR_SW) === 0 || n === 15 || t === 15 || t2 === 15 || n === t || n === t2) {
    cpu.undefinedInstruction();
    return;
  }
  const r = cpu.r;
  const mmu = cpu.mmu;
  const address = r[n];
  const size = byte ? 1 : 4;
  mmu.checkAlignment(address, size, true);
  const off = mmu.exclusiveOffset(address, size);
  let old: number;
  if (off >= 0) {
    old = byte ? Atomics.exchange(mmu.bytes, off, r[t2] & 0xff) : Atomics.exchange(mmu.words, off >> 2, r[t2]);
  } else {
    old = byte ? mmu.read8(address) & 0xff : mmu.read32(address);
    if (byte) mmu.write8(address, r[t2] & 0xff);
    else mmu.write32(address, r[t2]);
  }
  r[t] = old;
}

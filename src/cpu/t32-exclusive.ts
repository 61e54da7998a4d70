// T32 load/store dual, load/store exclusive and table branch (A6.3.6).
// hw1 = 1110 100 P U 1 W L Rn. P = W = 0 selects the exclusive and table-branch group, anything else
// is LDRD/STRD (immediate or literal). Memory is accessed before any register is written.

import type { Cpu } from "./core.js";

export function dualExclusiveTable(cpu: Cpu, instr: number): void {
  if ((instr & 0x01200000) !== 0) loadStoreDual(cpu, instr);
  else if (instr & 0x00800000) exclusiveSizedOrTable(cpu, instr);
  else exclusiveWord(cpu, instr);
}

/** LDRD/STRD Rt, Rt2, [Rn, #±imm8*4]{!} / [Rn], #±imm8*4 / LDRD literal. */
function loadStoreDual(cpu: Cpu, instr: number): void {
  const r = cpu.r;
  const n = (instr >>> 16) & 0xf;
  const t = (instr >>> 12) & 0xf;
  const t2 = (instr >>> 8) & 0xf;
  const load = instr & 0x100000;
  const wback = (instr & 0x200000) !== 0;
  // Rt/Rt2 = PC, Rn = PC with writeback or for a store, and wback with Rn in the pair are
  // UNPREDICTABLE: taken as UNDEFINED so the PC is never loaded this way.
  if (t === 15 || t2 === 15 || (n === 15 && (wback || load === 0))) {
    cpu.undefinedInstruction();
    return;
  }
  const imm = (instr & 0xff) << 2;
  const base = n === 15 ? r[15] & ~3 : r[n];
  const offsetAddr = instr & 0x800000 ? (base + imm) | 0 : (base - imm) | 0;
  const address = instr & 0x1000000 ? offsetAddr : base;
  const mmu = cpu.mmu;
  if (load) {
    mmu.checkAlignment(address, 4, false);
    const lo = mmu.read32(address);
    const hi = mmu.read32((address + 4) | 0);
    if (wback) r[n] = offsetAddr;
    r[t] = lo;
    r[t2] = hi;
  } else {
    mmu.checkAlignment(address, 4, true);
    mmu.write32(address, r[t]);
    mmu.write32((address + 4) | 0, r[t2]);
    if (wback) r[n] = offsetAddr;
  }
}

/** LDREX Rt, [Rn, #imm8*4] and STREX Rd, Rt, [Rn, #imm8*4]. */
function exclusiveWord(cpu: Cpu, instr: number): void {
  const r = cpu.r;
  const address = (r[(instr >>> 16) & 0xf] + ((instr & 0xff) << 2)) | 0;
  const t = (instr >>> 12) & 0xf;
  const mmu = cpu.mmu;
  if (instr & 0x100000) {
    // LDREX: hw2[11:8] is (1)(1)(1)(1).
    if (t === 15 || (instr & 0xf00) !== 0xf00) {
      cpu.undefinedInstruction();
      return;
    }
    mmu.checkAlignment(address, 4, false);
    const data = mmu.read32(address);
    cpu.setExclusive(address, 4, data);
    r[t] = data;
    return;
  }
  const d = (instr >>> 8) & 0xf;
  if (d === 15) {
    cpu.undefinedInstruction();
    return;
  }
  mmu.checkAlignment(address, 4, true);
  r[d] = cpu.storeExclusive(address, 4, r[t], 0);
}

/** TBB/TBH and the byte, halfword and doubleword exclusives (op3 = hw2[7:4]). */
function exclusiveSizedOrTable(cpu: Cpu, instr: number): void {
  const r = cpu.r;
  const mmu = cpu.mmu;
  const address = r[(instr >>> 16) & 0xf];
  const t = (instr >>> 12) & 0xf;
  const t2 = (instr >>> 8) & 0xf;
  const op3 = (instr >>> 4) & 0xf;
  // The (1)/(0) fields: TBB/TBH hw2[15:8] = 1111 0000; LDREXB/H hw2[11:8] and hw2[3:0] = 1111,
  // LDREXD hw2[3:0] = 1111; STREXB/H hw2[11:8] = 1111. Otherwise UNDEFINED, as QEMU makes them.
  if (instr & 0x100000) {
    if (op3 < 2 ? (instr & 0xff00) !== 0xf000 : (instr & 0xf) !== 0xf || (op3 !== 7 && t2 !== 15)) {
      cpu.undefinedInstruction();
      return;
    }
    switch (op3) {
      case 0: {
        // TBB [Rn, Rm]: branch forward by twice the byte at Rn + Rm.
        const offset = mmu.read8((address + r[instr & 0xf]) | 0);
        cpu.branchTo((r[15] + 2 * offset) | 0);
        return;
      }
      case 1: {
        // TBH [Rn, Rm, LSL #1]
        const offset = mmu.read16((address + (r[instr & 0xf] << 1)) | 0);
        cpu.branchTo((r[15] + 2 * offset) | 0);
        return;
      }
      case 4: // LDREXB
      case 5: // LDREXH
      case 7: {
        // LDREXD
        if (t === 15 || (op3 === 7 && t2 === 15)) break;
        const size = op3 === 4 ? 1 : op3 === 5 ? 2 : 8;
        mmu.checkAlignment(address, size, false);
        let lo: number;
        let hi = 0;
        if (size === 1) lo = mmu.read8(address);
        else if (size === 2) lo = mmu.read16(address);
        else {
          lo = mmu.read32(address);
          hi = mmu.read32((address + 4) | 0);
        }
        cpu.setExclusive(address, size, lo, hi);
        r[t] = lo;
        if (size === 8) r[t2] = hi;
        return;
      }
      default:
        break;
    }
    cpu.undefinedInstruction();
    return;
  }
  // STREXB/STREXH/STREXD Rd, Rt{, Rt2}, [Rn]: Rd = hw2[3:0].
  const d = instr & 0xf;
  if ((op3 !== 4 && op3 !== 5 && op3 !== 7) || d === 15 || (op3 !== 7 && t2 !== 15)) {
    cpu.undefinedInstruction();
    return;
  }
  const size = op3 === 4 ? 1 : op3 === 5 ? 2 : 8;
  mmu.checkAlignment(address, size, true);
  r[d] = cpu.storeExclusive(address, size, r[t], size === 8 ? r[t2] : 0);
}

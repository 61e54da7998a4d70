// T32 load/store single data item (A6.3.7-A6.3.10) with every addressing form: imm12, literal
// (Align(PC, 4) ± imm12), negative imm8, pre/post-indexed imm8 with writeback, register (LSL #0-3)
// and the unprivileged T forms; PLD/PLDW/PLI and the unallocated hints (Rt = 15 byte/halfword
// loads) are NOPs. hw1 = 1111 100 S Y size(2) L Rn with S = sign-extend, Y = imm12 form;
// hw2 = Rt ... . Memory is accessed before any register is written.

import type { Cpu } from "./core.js";

export function loadStoreSingle(cpu: Cpu, instr: number): void {
  const hw1 = instr >>> 16;
  const r = cpu.r;
  const size = (hw1 >>> 5) & 3; // 0 byte, 1 halfword, 2 word
  const load = hw1 & 0x10;
  const signed = hw1 & 0x100;
  // size 3 is UNDEFINED; S with a store is the Advanced SIMD element space; LDRS with size word does not exist.
  if (size === 3 || (signed && (load === 0 || size === 2))) {
    cpu.undefinedInstruction();
    return;
  }
  const n = hw1 & 0xf;
  const t = (instr >>> 12) & 0xf;
  let address: number;
  let wback = false;
  let wbValue = 0;
  let unprivileged = false;
  if (n === 15) {
    // Literal: loads only (stores with Rn = PC are UNDEFINED); U = hw1[7].
    if (load === 0) {
      cpu.undefinedInstruction();
      return;
    }
    const base = r[15] & ~3;
    const imm = instr & 0xfff;
    address = hw1 & 0x80 ? (base + imm) | 0 : (base - imm) | 0;
  } else if (hw1 & 0x80) {
    address = (r[n] + (instr & 0xfff)) | 0;
  } else if (instr & 0x800) {
    // hw2 = Rt 1 P U W imm8.
    const imm8 = instr & 0xff;
    const base = r[n];
    switch ((instr >>> 8) & 7) {
      case 4: // P=1 U=0 W=0: [Rn, #-imm8]
        address = (base - imm8) | 0;
        break;
      case 6: // P=1 U=1 W=0: LDRT/STRT... [Rn, #imm8] with unprivileged access
        address = (base + imm8) | 0;
        unprivileged = true;
        break;
      case 5: // pre-indexed [Rn, #-imm8]!
        address = wbValue = (base - imm8) | 0;
        wback = true;
        break;
      case 7: // [Rn, #imm8]!
        address = wbValue = (base + imm8) | 0;
        wback = true;
        break;
      case 1: // post-indexed [Rn], #-imm8
        address = base;
        wbValue = (base - imm8) | 0;
        wback = true;
        break;
      case 3: // [Rn], #imm8
        address = base;
        wbValue = (base + imm8) | 0;
        wback = true;
        break;
      default: // P = 0, W = 0
        cpu.undefinedInstruction();
        return;
    }
  } else if ((instr & 0xfc0) === 0) {
    // [Rn, Rm, LSL #imm2]
    address = (r[n] + (r[instr & 0xf] << ((instr >>> 4) & 3))) | 0;
  } else {
    cpu.undefinedInstruction();
    return;
  }
  const mmu = cpu.mmu;
  if (load) {
    let data: number;
    switch (size) {
      case 0:
        // Rt = 15: PLD/PLI (and UNPREDICTABLE forms): a hint, no access, no writeback.
        if (t === 15) return;
        data = unprivileged ? mmu.read8u(address) : mmu.read8(address);
        if (signed) data = (data << 24) >> 24;
        break;
      case 1:
        // Rt = 15: PLDW and unallocated memory hints.
        if (t === 15) return;
        data = unprivileged ? mmu.read16u(address) : mmu.read16(address);
        if (signed) data = (data << 16) >> 16;
        break;
      default:
        data = unprivileged ? mmu.read32u(address) : mmu.read32(address);
    }
    if (wback) r[n] = wbValue;
    if (t === 15) cpu.loadWritePc(data);
    else r[t] = data;
    return;
  }
  const value = r[t];
  switch (size) {
    case 0:
      if (unprivileged) mmu.write8u(address, value & 0xff);
      else mmu.write8(address, value & 0xff);
      break;
    case 1:
      if (unprivileged) mmu.write16u(address, value & 0xffff);
      else mmu.write16(address, value & 0xffff);
      break;
    default:
      if (unprivileged) mmu.write32u(address, value);
      else mmu.write32(address, value);
  }
  if (wback) r[n] = wbValue;
}

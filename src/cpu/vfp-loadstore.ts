// Extension register loads and stores (DDI 0406C A7.6): VLDR/VSTR, VLDM/VSTM (IA, DB, writeback;
// VPUSH/VPOP are VSTMDB/VLDMIA SP!), and the deprecated FLDMX/FSTMX (an odd imm8 with doubles: one more
// word of address space, none transferred). Word accesses, always alignment checked (MemA). A VLDM
// fills registers and the base register only after every access succeeded.

import type { Cpu } from "./core.js";
import { executeVfpTransfer64 } from "./vfp-transfer.js";

/** cond 110 P U D W L Rn Vd 101 sz imm8. */
export function executeVfpLoadStore(cpu: Cpu, instr: number): void {
  const opcode = (instr >>> 20) & 0x1f;
  if ((opcode & 0x1e) === 0b00100) {
    executeVfpTransfer64(cpu, instr);
    return;
  }
  const P = (instr >>> 24) & 1;
  const U = (instr >>> 23) & 1;
  const W = (instr >>> 21) & 1;
  const load = (instr & (1 << 20)) !== 0;
  const dp = (instr >>> 8) & 1;
  const D = (instr >>> 22) & 1;
  const Vd = (instr >>> 12) & 0xf;
  const n = (instr >>> 16) & 0xf;
  const imm8 = instr & 0xff;
  const d = dp ? (D << 4) | Vd : (Vd << 1) | D;
  const r = cpu.r;
  const mmu = cpu.mmu;
  const w = cpu.vfp.w;

  if (P === 1 && W === 0) {
    // VLDR/VSTR: [Rn, #+/-imm8*4]; a PC base is word-aligned (literal loads in Thumb).
    const base = n === 15 ? r[15] & ~3 : r[n];
    const offset = imm8 << 2;
    const address = (U ? base + offset : base - offset) >>> 0;
    mmu.checkAlignment(address, 4, !load);
    const first = dp ? 2 * d : d;
    if (load) {
      if (dp) {
        const lo = mmu.read32(address);
        const hi = mmu.read32((address + 4) >>> 0);
        w[first] = lo;
        w[first + 1] = hi;
      } else {
        w[first] = mmu.read32(address);
      }
    } else {
      mmu.write32(address, w[first]);
      if (dp) mmu.write32((address + 4) >>> 0, w[first + 1]);
    }
    return;
  }

  // VLDM/VSTM: IA (P = 0, U = 1) or DB with writeback (P = 1, U = 0, W = 1). P = U is not a VLDM/VSTM.
  const regs = dp ? imm8 >>> 1 : imm8;
  if (P === U || regs === 0 || d + regs > 32 || (dp && regs > 16) || (n === 15 && (W === 1 || cpu.t === 1))) {
    cpu.undefinedInstruction();
    return;
  }
  const base = r[n];
  const size = imm8 << 2;
  const start = (P ? base - size : base) >>> 0;
  mmu.checkAlignment(start, 4, !load);
  const words = dp ? 2 * regs : regs;
  const first = dp ? 2 * d : d;
  if (load) {
    const buf = cpu.vfp.loadBuffer;
    for (let k = 0; k < words; k++) buf[k] = mmu.read32((start + 4 * k) >>> 0);
    for (let k = 0; k < words; k++) w[first + k] = buf[k];
  } else {
    for (let k = 0; k < words; k++) mmu.write32((start + 4 * k) >>> 0, w[first + k]);
  }
  if (W) r[n] = P ? base - size : base + size;
}

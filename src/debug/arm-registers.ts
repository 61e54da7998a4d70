// A core's registers by gdb's ARM numbers, as target-xml.ts describes them: r0-r12, sp, lr, pc
// (0-15), cpsr (25: the FPA registers of old sat at 16-24), then d0-d31 (26-57) and fpscr (58).
// Values are little-endian bytes, as the target holds them.

import type { Cpu } from "../cpu/core.js";

export const REG_PC = 15;
export const REG_CPSR = 25;
export const REG_D0 = 26;
export const REG_FPSCR = 58;
/** The registers of a `g` packet, in order (QEMU sends the same: 68 bytes once XML is in use). */
export const G_REGISTERS = [...Array.from({ length: 16 }, (_, i) => i), REG_CPSR];

function word(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0, true);
  return out;
}

export function readArmRegister(cpu: Cpu, regno: number): Uint8Array | null {
  if (regno >= 0 && regno < 15) return word(cpu.r[regno]);
  if (regno === REG_PC) return word(cpu.nextPc);
  if (regno === REG_CPSR) return word(cpu.getCpsr());
  if (regno >= REG_D0 && regno < REG_D0 + 32) {
    const n = regno - REG_D0;
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    view.setInt32(0, cpu.vfp.w[2 * n], true);
    view.setInt32(4, cpu.vfp.w[2 * n + 1], true);
    return out;
  }
  if (regno === REG_FPSCR) return word(cpu.vfp.fpscr);
  return null;
}

export function writeArmRegister(cpu: Cpu, regno: number, bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = regno >= REG_D0 && regno < REG_D0 + 32 ? 8 : 4;
  if (bytes.length !== size || readArmRegister(cpu, regno) === null) return false;
  const value = view.getInt32(0, true);
  if (regno < 15) cpu.r[regno] = value;
  else if (regno === REG_PC) {
    // gdb writes the PC, then CPSR with T for a Thumb target: keep bit 1 whatever the state now.
    cpu.setPc(value & ~1, cpu.t !== 0);
  } else if (regno === REG_CPSR) {
    cpu.setCpsr(value);
    cpu.setPc(cpu.nextPc, cpu.t !== 0); // the run loops re-read the state
  } else if (regno === REG_FPSCR) cpu.vfp.writeFpscr(value);
  else {
    const n = regno - REG_D0;
    cpu.vfp.w[2 * n] = value;
    cpu.vfp.w[2 * n + 1] = view.getInt32(4, true);
  }
  return true;
}

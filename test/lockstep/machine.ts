// The smallest machine that runs a QEMU `virt` guest on armvmm's CPU for lockstep comparison: one
// core, RAM at 0x40000000, the image where QEMU puts a raw -kernel image (RAM base + 0x10000), the
// DTB where QEMU put it, and QEMU's 32-bit boot stub at RAM base (so the RAM contents match).
//
// Devices are not modelled: a load from MMIO returns 0 to the core and the harness then copies the
// destination register from QEMU's next state (the value QEMU's device returned), so the
// comparison checks the CPU only. PL011 data-register writes are collected as console output.
// PSCI calls (HVC) and generic-timer reads (the counter follows QEMU's host clock) likewise take
// their result registers from QEMU.

import { Cpu } from "../../src/cpu/core.js";
import { Stage2 } from "../../src/cpu/stage2.js";
import { ISS_ISV, ISS_SRT_SHIFT, ISS_WNR, type HypTraps } from "../../src/cpu/exits.js";
import type { TimerRegisterFile } from "../../src/cpu/timer-regs.js";
import type { TraceState } from "./qemu-trace.js";

export const RAM_BASE = 0x40000000;
export const IMAGE_OFFSET = 0x10000;
const UART_BASE = 0x09000000;
const UART_DR = 0x000;

/** HypTraps for the lockstep machine: console writes recorded, reads answered later from QEMU. */
export class LockstepTraps implements HypTraps {
  trapHi = 0;
  externalAbort = false;
  console = "";
  /** Register that received an MMIO read in the last instruction (-1: none; -2: a read without ISV). */
  pendingReadReg = -1;
  /** Describes the last MMIO access, for reports. */
  lastAccess = "";

  dataAbort(hsr: number, ipa: number, _va: number, size: number, isWrite: boolean, value: number): number {
    const a = ipa >>> 0;
    this.lastAccess = `${isWrite ? "write" : "read"} ${size} bytes at ${hex(a)}${isWrite ? ` value ${hex(value)}` : ""}`;
    if (isWrite) {
      if (a === UART_BASE + UART_DR) this.console += String.fromCharCode(value & 0xff);
      return 0;
    }
    if (hsr & ISS_ISV && !(hsr & ISS_WNR)) this.pendingReadReg = (hsr >>> ISS_SRT_SHIFT) & 15;
    else this.pendingReadReg = -2;
    return 0;
  }

  coprocTrap(_hsr: number, _lo: number, _hi: number): number {
    return 0;
  }
}

/** A timer block whose reads are answered later from QEMU (its counter runs on host time). */
export class LockstepTimer implements TimerRegisterFile {
  /** QEMU virt's CNTFRQ. */
  readonly cntfrq = 62_500_000;
  cntkctl = 0;
  /** PL1 may use the physical counter and timer without trapping (as on QEMU without EL2). */
  cnthctl = 3;
  /** Set when the last instruction read a timer register. */
  readHappened = false;

  readPhysicalCount(): number {
    this.readHappened = true;
    return 0;
  }
  readVirtualCount(): number {
    this.readHappened = true;
    return 0;
  }
  readCtl(_timer: number): number {
    this.readHappened = true;
    return 0;
  }
  writeCtl(_timer: number, _value: number): void {}
  readCval(_timer: number): number {
    this.readHappened = true;
    return 0;
  }
  writeCval(_timer: number, _value: number): void {}
  readTval(_timer: number): number {
    this.readHappened = true;
    return 0;
  }
  writeTval(_timer: number, _value: number): void {}
}

export class LockstepMachine {
  readonly stage2: Stage2;
  readonly cpu: Cpu;
  readonly traps = new LockstepTraps();
  readonly timer = new LockstepTimer();
  readonly ramSize: number;

  constructor(memMiB: number) {
    this.ramSize = memMiB * 1024 * 1024;
    this.stage2 = new Stage2(this.ramSize);
    this.stage2.addRam(RAM_BASE, this.ramSize, 0, true);
    this.cpu = new Cpu(this.stage2);
    this.cpu.traps = this.traps;
    this.cpu.timer = this.timer;
  }

  /** The instruction at `pc` in the A32 layout the coprocessor decoders use (a T32 instruction as
   * hw1:hw2), read through the MMU; 0 if it cannot be read. */
  instructionAt(pc: number, thumb: boolean): number {
    try {
      const mmu = this.cpu.mmu;
      if (!thumb) return mmu.fetch32(pc) | 0;
      const hw1 = mmu.fetch16(pc);
      return hw1 >>> 11 >= 0x1d ? (hw1 << 16) | mmu.fetch16(pc + 2) | 0 : hw1;
    } catch {
      return 0;
    }
  }

  load(addr: number, bytes: Uint8Array): void {
    const off = (addr >>> 0) - RAM_BASE;
    if (off < 0 || off + bytes.length > this.ramSize) {
      throw new Error(`${bytes.length} bytes at ${hex(addr)} do not fit in guest RAM`);
    }
    this.stage2.memory.set(bytes, off);
  }

  /** QEMU's boot stub for a 32-bit Linux-style boot (hw/arm/boot.c): r0 = 0, r1 = board id, r2 = DTB, jump. */
  loadBootStub(entry: number, dtb: number): void {
    const words = [0xe3a00000, 0xe59f1004, 0xe59f2004, 0xe59ff004, 0xffffffff, dtb >>> 0, entry >>> 0];
    const m = this.stage2.memory;
    words.forEach((w, k) => {
      for (let b = 0; b < 4; b++) m[4 * k + b] = (w >>> (8 * b)) & 0xff;
    });
  }

  /** Puts the core in exactly QEMU's state (the start of the comparison). */
  setState(s: TraceState, fpu: boolean): void {
    const cpu = this.cpu;
    // Set the mode first (it switches banks), then the registers of that mode.
    cpu.setCpsr(s.cpsr);
    for (let k = 0; k < 15; k++) cpu.r[k] = s.r[k];
    cpu.setPc(s.r[15] >>> 0, ((s.cpsr >>> 5) & 1) === 1);
    if (fpu) {
      cpu.vfp.w.set(s.d);
      cpu.vfp.fpscr = s.fpscr;
    }
  }

  /** The core's state in QEMU's terms, between instructions. */
  getState(out: TraceState, fpu: boolean): void {
    const cpu = this.cpu;
    for (let k = 0; k < 15; k++) out.r[k] = cpu.r[k];
    out.r[15] = cpu.nextPc | 0;
    out.cpsr = cpu.getCpsr() | 0;
    if (fpu) {
      out.d.set(cpu.vfp.w);
      out.fpscr = cpu.vfp.fpscr | 0;
    }
  }
}

export function hex(v: number, digits = 8): string {
  return (v >>> 0).toString(16).padStart(digits, "0");
}

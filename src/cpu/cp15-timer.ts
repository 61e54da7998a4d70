// Generic timer registers reached through CP15 (DDI 0406C B8.2, B4.1.21-B4.1.34), routed to the
// timer block of this CPU (cpu.timer), with the access rules that apply on the way:
//  - at PL0, CNTKCTL decides (PL0PCTEN, PL0VCTEN, PL0VTEN, PL0PTEN); a refused access is UNDEFINED;
//  - at PL0 and PL1, CNTHCTL.PL1PCEN = 0 traps the physical timer (CNTP_*) and CNTHCTL.PL1PCTEN = 0
//    traps CNTPCT to Hyp mode: the hypervisor's coprocTrap emulates the access (HSR EC 0x03/0x04);
//  - CNTFRQ is written only from Secure PL1 or Hyp, neither of which a guest has: PL1 writes are
//    ignored (the frequency belongs to the board), PL0 writes are UNDEFINED.
// Without a timer block (bare unit tests) registers read as zero and writes are ignored.

import type { Cpu } from "./core.js";
import { EC, makeHsr } from "./exits.js";
import { PHYS_TIMER, VIRT_TIMER } from "./timer-regs.js";
import {
  CNTFRQ,
  CNTHCTL_PL1PCEN,
  CNTHCTL_PL1PCTEN,
  CNTKCTL,
  CNTKCTL_PL0PCTEN,
  CNTKCTL_PL0PTEN,
  CNTKCTL_PL0VCTEN,
  CNTKCTL_PL0VTEN,
  CNTKCTL_WRITABLE,
  CNTP_CTL,
  CNTP_CVAL_64,
  CNTP_TVAL,
  CNTPCT_64,
  CNTV_CTL,
  CNTV_CVAL_64,
  CNTV_TVAL,
  CNTVCT_64,
} from "./cp15-regs.js";

const TWO_32 = 4294967296;

/** The condition field of a trapped instruction's syndrome: from ITSTATE inside an IT block. */
function trapCond(cpu: Cpu, instr: number): number {
  if (cpu.t !== 0 && cpu.it !== 0) return (cpu.it >>> 4) & 0xf;
  return instr >>> 28;
}

/** HSR for a trapped MCR/MRC (EC 0x03, B3.13.6): CV, COND, Opc2, Opc1, CRn, Rt, CRm, Direction. */
export function mcrTrapHsr(cpu: Cpu, instr: number): number {
  const iss =
    (1 << 24) |
    (trapCond(cpu, instr) << 20) |
    (((instr >>> 5) & 7) << 17) |
    (((instr >>> 21) & 7) << 14) |
    (((instr >>> 16) & 15) << 10) |
    (((instr >>> 12) & 15) << 5) |
    ((instr & 15) << 1) |
    ((instr >>> 20) & 1);
  return makeHsr(EC.CP15_32, true, iss);
}

/** HSR for a trapped MCRR/MRRC (EC 0x04): CV, COND, Opc1, Rt2, Rt, CRm, Direction. */
export function mcrrTrapHsr(cpu: Cpu, instr: number): number {
  const iss =
    (1 << 24) |
    (trapCond(cpu, instr) << 20) |
    (((instr >>> 4) & 15) << 16) |
    (((instr >>> 16) & 15) << 10) |
    (((instr >>> 12) & 15) << 5) |
    ((instr & 15) << 1) |
    ((instr >>> 20) & 1);
  return makeHsr(EC.CP15_64, true, iss);
}

export class Cp15Timer {
  private readonly cpu: Cpu;
  /** Set when the access is UNDEFINED (the caller takes the exception). */
  undef = false;
  /** High word of the last 64-bit read. */
  hi = 0;

  constructor(cpu: Cpu) {
    this.cpu = cpu;
  }

  /** MRC of a c14 register. */
  read32(key: number, user: boolean, instr: number): number {
    const timer = this.cpu.timer;
    const kctl = timer === null ? 0 : timer.cntkctl;
    switch (key) {
      case CNTFRQ:
        if (user && (kctl & (CNTKCTL_PL0PCTEN | CNTKCTL_PL0VCTEN)) === 0) return this.undefined();
        return timer === null ? 0 : timer.cntfrq | 0;
      case CNTKCTL:
        if (user) return this.undefined();
        return timer === null ? 0 : timer.cntkctl | 0;
      case CNTP_TVAL:
      case CNTP_CTL:
        if (user && (kctl & CNTKCTL_PL0PTEN) === 0) return this.undefined();
        if (this.physTrapped(CNTHCTL_PL1PCEN)) return this.trap32(instr, 0);
        if (timer === null) return 0;
        return key === CNTP_CTL ? timer.readCtl(PHYS_TIMER) | 0 : timer.readTval(PHYS_TIMER) | 0;
      case CNTV_TVAL:
      case CNTV_CTL:
        if (user && (kctl & CNTKCTL_PL0VTEN) === 0) return this.undefined();
        if (timer === null) return 0;
        return key === CNTV_CTL ? timer.readCtl(VIRT_TIMER) | 0 : timer.readTval(VIRT_TIMER) | 0;
      default:
        return this.undefined();
    }
  }

  /** MCR to a c14 register. */
  write32(key: number, user: boolean, instr: number, value: number): void {
    const timer = this.cpu.timer;
    const kctl = timer === null ? 0 : timer.cntkctl;
    switch (key) {
      case CNTFRQ:
        if (user) this.undefined();
        return;
      case CNTKCTL:
        if (user) this.undefined();
        else if (timer !== null) timer.cntkctl = value & CNTKCTL_WRITABLE;
        return;
      case CNTP_TVAL:
      case CNTP_CTL:
        if (user && (kctl & CNTKCTL_PL0PTEN) === 0) {
          this.undefined();
        } else if (this.physTrapped(CNTHCTL_PL1PCEN)) {
          this.trap32(instr, value);
        } else if (timer !== null) {
          if (key === CNTP_CTL) timer.writeCtl(PHYS_TIMER, value >>> 0);
          else timer.writeTval(PHYS_TIMER, value | 0);
        }
        return;
      case CNTV_TVAL:
      case CNTV_CTL:
        if (user && (kctl & CNTKCTL_PL0VTEN) === 0) {
          this.undefined();
        } else if (timer !== null) {
          if (key === CNTV_CTL) timer.writeCtl(VIRT_TIMER, value >>> 0);
          else timer.writeTval(VIRT_TIMER, value | 0);
        }
        return;
      default:
        this.undefined();
    }
  }

  /** MRRC p15, opc1, Rt, Rt2, c14: returns the low word, the high word in `hi`. */
  read64(key: number, user: boolean, instr: number): number {
    const timer = this.cpu.timer;
    const kctl = timer === null ? 0 : timer.cntkctl;
    let v: number;
    switch (key) {
      case CNTPCT_64:
        if (user && (kctl & CNTKCTL_PL0PCTEN) === 0) return this.undefined();
        if (this.physTrapped(CNTHCTL_PL1PCTEN)) return this.trap64(instr, 0, 0);
        v = timer === null ? 0 : timer.readPhysicalCount();
        break;
      case CNTVCT_64:
        if (user && (kctl & CNTKCTL_PL0VCTEN) === 0) return this.undefined();
        v = timer === null ? 0 : timer.readVirtualCount();
        break;
      case CNTP_CVAL_64:
        if (user && (kctl & CNTKCTL_PL0PTEN) === 0) return this.undefined();
        if (this.physTrapped(CNTHCTL_PL1PCEN)) return this.trap64(instr, 0, 0);
        v = timer === null ? 0 : timer.readCval(PHYS_TIMER);
        break;
      case CNTV_CVAL_64:
        if (user && (kctl & CNTKCTL_PL0VTEN) === 0) return this.undefined();
        v = timer === null ? 0 : timer.readCval(VIRT_TIMER);
        break;
      default:
        return this.undefined();
    }
    this.hi = Math.floor(v / TWO_32) | 0;
    return (v % TWO_32) | 0;
  }

  /** MCRR p15, opc1, Rt, Rt2, c14. The counters are read-only. */
  write64(key: number, user: boolean, instr: number, lo: number, hi: number): void {
    const timer = this.cpu.timer;
    const kctl = timer === null ? 0 : timer.cntkctl;
    const v = (hi >>> 0) * TWO_32 + (lo >>> 0);
    switch (key) {
      case CNTP_CVAL_64:
        if (user && (kctl & CNTKCTL_PL0PTEN) === 0) this.undefined();
        else if (this.physTrapped(CNTHCTL_PL1PCEN)) this.trap64(instr, lo, hi);
        else if (timer !== null) timer.writeCval(PHYS_TIMER, v);
        return;
      case CNTV_CVAL_64:
        if (user && (kctl & CNTKCTL_PL0VTEN) === 0) this.undefined();
        else if (timer !== null) timer.writeCval(VIRT_TIMER, v);
        return;
      default:
        this.undefined();
    }
  }

  /** True when CNTHCTL (Hyp's control) clears `enableBit`: the access goes to Hyp mode. */
  private physTrapped(enableBit: number): boolean {
    const timer = this.cpu.timer;
    return timer !== null && (timer.cnthctl & enableBit) === 0;
  }

  private trap32(instr: number, value: number): number {
    const cpu = this.cpu;
    const traps = cpu.traps;
    if (traps === null) return this.undefined();
    const hsr = mcrTrapHsr(cpu, instr);
    cpu.exit.hsr = hsr;
    return traps.coprocTrap(hsr, value, 0) | 0;
  }

  private trap64(instr: number, lo: number, hi: number): number {
    const cpu = this.cpu;
    const traps = cpu.traps;
    if (traps === null) return this.undefined();
    const hsr = mcrrTrapHsr(cpu, instr);
    cpu.exit.hsr = hsr;
    const result = traps.coprocTrap(hsr, lo, hi) | 0;
    this.hi = traps.trapHi | 0;
    return result;
  }

  private undefined(): number {
    this.undef = true;
    return 0;
  }
}

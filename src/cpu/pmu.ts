// The Cortex-A15's performance monitors as hardware (PMUv2, DDI 0406C C12): six event counters and
// the cycle counter, with overflow flags and the overflow interrupt output. The access rules (PL0,
// HDCR traps) are in cp15-pmu.ts.
//
// Counting is lazy, so that a core with no counter enabled runs exactly as fast as without a PMU:
// instructions and cycles are derived from the core's instruction count. `sync()` folds the
// instructions run since the last fold into every counter that counts them; it runs when a counter
// is read or written, when the privilege level changes (the filters depend on it), and whenever the
// run loop stops. The run loop asks `headroom()` how many instructions may run before a counter
// wraps, and stops there, so an overflow (and its interrupt) comes at the exact instruction.
//
// Events (C12.9.1), counted as they happen in this core:
//  - 0x00 SW_INCR: writes to PMSWINC;
//  - 0x08 INST_RETIRED: instructions architecturally executed, those that fail their condition
//    included; an instruction that takes an Undefined Instruction or abort exception (or a BKPT)
//    is not counted;
//  - 0x11 CPU_CYCLES and PMCCNTR: the nominal clock is one cycle per instruction started (aborted
//    ones too), in icount and host mode alike; nothing counts while the core waits in WFI, whose
//    clock a Cortex-A15 stops too;
//  - 0x09 EXC_TAKEN: every exception the guest takes (UND, SVC, PABT, DABT, IRQ, FIQ);
//  - 0x0A EXC_RETURN: every exception return (SUBS PC, LR and friends, RFE, LDM with ^, ERET-like
//    CPSR restores);
//  - 0x13 MEM_ACCESS: data memory accesses as the MMU performs them: each load or store of a byte,
//    halfword or word (an LDM/STM, LDRD/STRD or VLDM/VSTM makes one per word; an unaligned access
//    is one), device registers included; page-table walks and instruction fetches are not. While
//    such a counter is enabled the MMU keeps data pages out of its TLB, so every access takes its
//    slow path and is counted there, by translated code and the interpreter alike;
//  - 0x0C PC_WRITE_RETIRED: instructions that passed their condition and wrote the PC (branches,
//    loads and data processing to the PC, exception returns), not exceptions. While such a counter
//    is enabled the core runs the interpreter one instruction at a time (Cpu.run), with translated
//    code or without alike, and counts an instruction whose next PC is not the sequential one (so
//    a branch to the very next instruction goes uncounted).
// Each counts at a privilege level as its PMXEVTYPER filter says; the guest runs in Non-secure
// state, so PL1 counts when P equals NSK and PL0 when U equals NSU.

import type { Cpu } from "./core.js";
import { Mode } from "./state.js";
import * as P from "./pmu-regs.js";
import type { StateReader, StateWriter } from "../snapshot/state-stream.js";

const TWO_32 = 4294967296;

/** Where the overflow interrupt goes (the physical CPU's PPI input). */
export interface PmuIrqLine {
  set(level: boolean): void;
}

export class Pmu {
  private readonly cpu: Cpu;
  /** PMCR's stored bits (E, D, X, DP). */
  pmcr = 0;
  /** PMCNTENSET/CLR, PMOVSR, PMINTENSET/CLR: bit n for counter n, bit 31 for the cycle counter. */
  cntens = 0;
  ovs = 0;
  inten = 0;
  pmselr = 0;
  pmuserenr = 0;
  /** The cycle counter, its filter (PMCCFILTR) and the ÷64 prescaler's count. */
  pmccntr = 0;
  pmccfiltr = 0;
  private prescale = 0;
  /** Event counters and their PMXEVTYPER. */
  readonly counters = new Float64Array(P.PMU_COUNTERS);
  readonly evtypes = new Uint32Array(P.PMU_COUNTERS);
  /** HDCR.HPMN as Hyp set it: counters at and above it belong to Hyp (enabled by HDCR.HPME). */
  hpmn = P.PMU_COUNTERS;
  hpme = false;

  /** True while a counter counts instructions or cycles: the run loop then folds and stops at
   * overflows. */
  active = false;
  /** Bit e set when some enabled counter counts discrete event e (SW_INCR, EXC_TAKEN, EXC_RETURN,
   * PC_WRITE_RETIRED). */
  discrete = 0;
  /** Exceptions taken since reset, counted whatever the counters do (the PC-write count leaves
   * them out). */
  exceptionEntries = 0;

  /** Instructions started and instructions not retired at the last fold. */
  private lastStarted = 0;
  private lastUnretired = 0;
  /** Instructions that started but did not retire (exceptions on them), since reset. */
  unretired = 0;
  private irq: PmuIrqLine | null = null;
  private irqLevel = false;

  constructor(cpu: Cpu) {
    this.cpu = cpu;
  }

  connect(line: PmuIrqLine): void {
    this.irq = line;
    line.set(this.irqLevel);
  }

  reset(): void {
    this.pmcr = 0;
    this.cntens = this.ovs = this.inten = 0;
    this.pmselr = this.pmuserenr = 0;
    this.pmccntr = this.pmccfiltr = this.prescale = 0;
    this.counters.fill(0);
    this.evtypes.fill(0);
    this.lastStarted = this.cpu.instructions;
    this.lastUnretired = this.unretired;
    this.reconsider();
    this.updateIrq();
  }

  /** Snapshots, between slices: every register and the fold points (the core's instruction count
   * is restored with the core, before this). */
  save(w: StateWriter): void {
    this.sync();
    for (const v of [this.pmcr, this.cntens, this.ovs, this.inten, this.pmselr, this.pmuserenr]) w.u32(v);
    for (const v of [this.pmccntr, this.pmccfiltr, this.prescale, this.hpmn]) w.f64(v);
    w.bool(this.hpme);
    w.array(this.counters);
    w.array(this.evtypes);
    for (const v of [this.exceptionEntries, this.lastStarted, this.lastUnretired, this.unretired]) w.f64(v);
  }

  restore(r: StateReader): void {
    this.pmcr = r.u32();
    this.cntens = r.u32();
    this.ovs = r.u32();
    this.inten = r.u32();
    this.pmselr = r.u32();
    this.pmuserenr = r.u32();
    this.pmccntr = r.f64();
    this.pmccfiltr = r.f64();
    this.prescale = r.f64();
    this.hpmn = r.f64();
    this.hpme = r.bool();
    r.array(this.counters);
    r.array(this.evtypes);
    this.exceptionEntries = r.f64();
    this.lastStarted = r.f64();
    this.lastUnretired = r.f64();
    this.unretired = r.f64();
    this.reconsider();
    this.updateIrq();
  }

  /** The output level of the overflow interrupt (QEMU's pmu_update_irq: PMCR.E and an overflow
   * whose interrupt is enabled). */
  get interruptLevel(): boolean {
    return this.irqLevel;
  }

  // ---- Counting ----

  /** True if counter `n` (P.SEL_CYCLE: the cycle counter) is enabled. */
  private enabled(n: number): boolean {
    if (n === P.SEL_CYCLE) return (this.pmcr & P.PMCR_E) !== 0 && (this.cntens & P.CYCLE_BIT) !== 0;
    if (((this.cntens >>> n) & 1) === 0) return false;
    return n < this.hpmn ? (this.pmcr & P.PMCR_E) !== 0 : this.hpme;
  }

  /** True if a counter with filter `evtype` counts at the current privilege level (Non-secure). */
  private countsHere(evtype: number): boolean {
    return this.countsAt(evtype, this.cpu.mode === Mode.USR);
  }

  private countsAt(evtype: number, user: boolean): boolean {
    if (user) return ((evtype & P.EVT_U) !== 0) === ((evtype & P.EVT_NSU) !== 0);
    return ((evtype & P.EVT_P) !== 0) === ((evtype & P.EVT_NSK) !== 0);
  }

  /** Recomputes `active` and `discrete` after a change of enables, event types or PMCR. */
  private reconsider(): void {
    let active = this.enabled(P.SEL_CYCLE);
    let discrete = 0;
    for (let n = 0; n < P.PMU_COUNTERS; n++) {
      if (!this.enabled(n)) continue;
      const ev = this.evtypes[n] & 0xff;
      if (ev === P.EV_INST_RETIRED || ev === P.EV_CPU_CYCLES) active = true;
      else if (
        ev === P.EV_SW_INCR ||
        ev === P.EV_EXC_TAKEN ||
        ev === P.EV_EXC_RETURN ||
        ev === P.EV_PC_WRITE_RETIRED ||
        ev === P.EV_MEM_ACCESS
      )
        discrete |= 1 << ev;
    }
    this.active = active;
    this.discrete = discrete;
    this.cpu.mmu.countAccesses((discrete & (1 << P.EV_MEM_ACCESS)) !== 0);
    if (active || (discrete & (1 << P.EV_PC_WRITE_RETIRED)) !== 0) this.cpu.pmuChanged();
  }

  /** Folds the instructions run since the last fold into the counters, at the current privilege
   * level (the caller folds before every privilege change). */
  sync(): void {
    const cpu = this.cpu;
    const started = cpu.instructions;
    const cycles = started - this.lastStarted;
    const retired = cycles - (this.unretired - this.lastUnretired);
    this.lastStarted = started;
    this.lastUnretired = this.unretired;
    if (!this.active || cycles === 0) return;
    if (this.enabled(P.SEL_CYCLE) && this.countsHere(this.pmccfiltr)) {
      if (this.pmcr & P.PMCR_D) {
        const total = this.prescale + cycles;
        this.prescale = total % 64;
        this.addCycles(Math.floor(total / 64));
      } else {
        this.addCycles(cycles);
      }
    }
    for (let n = 0; n < P.PMU_COUNTERS; n++) {
      const ev = this.evtypes[n] & 0xff;
      if (ev !== P.EV_INST_RETIRED && ev !== P.EV_CPU_CYCLES) continue;
      if (!this.enabled(n) || !this.countsHere(this.evtypes[n])) continue;
      this.add(n, ev === P.EV_CPU_CYCLES ? cycles : retired);
    }
  }

  /** How many more instructions may start before some counter wraps (at the current privilege
   * level); Infinity when none counts here. */
  headroom(): number {
    let room = Infinity;
    if (this.enabled(P.SEL_CYCLE) && this.countsHere(this.pmccfiltr)) {
      const left = TWO_32 - this.pmccntr;
      room = this.pmcr & P.PMCR_D ? left * 64 - this.prescale : left;
    }
    for (let n = 0; n < P.PMU_COUNTERS; n++) {
      const ev = this.evtypes[n] & 0xff;
      if (ev !== P.EV_INST_RETIRED && ev !== P.EV_CPU_CYCLES) continue;
      if (!this.enabled(n) || !this.countsHere(this.evtypes[n])) continue;
      room = Math.min(room, TWO_32 - this.counters[n]);
    }
    return room;
  }

  /** A discrete event happened at the current privilege level (`user`: at PL0 or PL1 instead). */
  event(ev: number, user = this.cpu.mode === Mode.USR): void {
    if (((this.discrete >>> ev) & 1) === 0) return;
    for (let n = 0; n < P.PMU_COUNTERS; n++) {
      if ((this.evtypes[n] & 0xff) === ev && this.enabled(n) && this.countsAt(this.evtypes[n], user)) this.add(n, 1);
    }
  }

  private add(n: number, count: number): void {
    const v = this.counters[n] + count;
    if (v >= TWO_32) {
      this.counters[n] = v % TWO_32;
      this.overflow(1 << n);
    } else {
      this.counters[n] = v;
    }
  }

  private addCycles(count: number): void {
    const v = this.pmccntr + count;
    if (v >= TWO_32) {
      this.pmccntr = v % TWO_32;
      this.overflow(P.CYCLE_BIT);
    } else {
      this.pmccntr = v;
    }
  }

  private overflow(bit: number): void {
    this.ovs = (this.ovs | bit) >>> 0;
    this.updateIrq();
  }

  private updateIrq(): void {
    const level = (this.pmcr & P.PMCR_E) !== 0 && (this.ovs & this.inten) !== 0;
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    this.irq?.set(level);
  }

  // ---- Registers, as the guest sees them at Non-secure PL0/PL1 ----

  /** The counters the guest sees: those below HPMN, and the cycle counter. */
  private get guestMask(): number {
    return ((1 << this.hpmn) - 1) | P.CYCLE_BIT;
  }

  /** MRC of PMU register `key` (a valid, permitted access). */
  read(key: number): number {
    switch (key) {
      case P.PMCR:
        return P.PMCR_ID | (this.hpmn << P.PMCR_N_SHIFT) | this.pmcr | 0;
      case P.PMCNTENSET:
      case P.PMCNTENCLR:
        return this.cntens & this.guestMask;
      case P.PMOVSR:
        this.sync();
        return this.ovs & this.guestMask;
      case P.PMINTENSET:
      case P.PMINTENCLR:
        return this.inten & this.guestMask;
      case P.PMSELR:
        return this.pmselr;
      case P.PMCEID0:
        return P.PMCEID0_VALUE;
      case P.PMCEID1:
        return P.PMCEID1_VALUE;
      case P.PMCCNTR:
        this.sync();
        return this.pmccntr | 0;
      case P.PMXEVTYPER: {
        const sel = this.pmselr;
        if (sel === P.SEL_CYCLE) return this.pmccfiltr | 0;
        return sel < this.hpmn ? this.evtypes[sel] | 0 : 0;
      }
      case P.PMXEVCNTR: {
        const sel = this.pmselr;
        if (sel >= this.hpmn) return 0; // UNPREDICTABLE (the cycle counter, or Hyp's): RAZ
        this.sync();
        return this.counters[sel] | 0;
      }
      case P.PMUSERENR:
        return this.pmuserenr;
      default:
        return 0; // PMSWINC is write-only
    }
  }

  /** MCR to PMU register `key` (a valid, permitted access). */
  write(key: number, value: number): void {
    const mask = this.guestMask;
    // Fold at the old settings before anything that changes what counts.
    this.sync();
    switch (key) {
      case P.PMCR:
        if (value & P.PMCR_P) this.counters.fill(0, 0, this.hpmn);
        if (value & P.PMCR_C) {
          this.pmccntr = 0;
          this.prescale = 0;
        }
        this.pmcr = value & P.PMCR_STORED;
        this.updateIrq();
        break;
      case P.PMCNTENSET:
        this.cntens = (this.cntens | (value & mask)) >>> 0;
        break;
      case P.PMCNTENCLR:
        this.cntens = (this.cntens & ~(value & mask)) >>> 0;
        break;
      case P.PMOVSR:
        this.ovs = (this.ovs & ~(value & mask)) >>> 0;
        this.updateIrq();
        break;
      case P.PMINTENSET:
        this.inten = (this.inten | (value & mask)) >>> 0;
        this.updateIrq();
        break;
      case P.PMINTENCLR:
        this.inten = (this.inten & ~(value & mask)) >>> 0;
        this.updateIrq();
        break;
      case P.PMSWINC:
        for (let n = 0; n < this.hpmn; n++) {
          if ((value >>> n) & 1 && (this.evtypes[n] & 0xff) === P.EV_SW_INCR && this.enabled(n)) {
            if (this.countsHere(this.evtypes[n])) this.add(n, 1);
          }
        }
        break;
      case P.PMSELR:
        this.pmselr = value & 0x1f;
        break;
      case P.PMCCNTR:
        this.pmccntr = value >>> 0;
        break;
      case P.PMXEVTYPER: {
        const sel = this.pmselr;
        if (sel === P.SEL_CYCLE) this.pmccfiltr = (value & P.EVT_FILTER) >>> 0;
        else if (sel < this.hpmn) this.evtypes[sel] = value & P.EVT_WRITABLE;
        break;
      }
      case P.PMXEVCNTR:
        if (this.pmselr < this.hpmn) this.counters[this.pmselr] = value >>> 0;
        break;
      case P.PMUSERENR:
        this.pmuserenr = value & P.PMUSERENR_EN;
        break;
      default:
        // PMCEID0/1 are read-only.
        break;
    }
    this.reconsider();
  }

  /** Hyp's HDCR.HPMN and HPME (the vmm sets HPMN = N, as KVM does). */
  setHyp(hpmn: number, hpme: boolean): void {
    this.sync();
    this.hpmn = Math.min(hpmn, P.PMU_COUNTERS);
    this.hpme = hpme;
    this.reconsider();
  }
}

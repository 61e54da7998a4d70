// One ARMv7-A core with the Virtualization Extensions, running guest code at PL0/PL1 on behalf of
// a hypervisor. It runs for a bounded slice and returns an exit reason with an HSR-format syndrome
// (ExitInfo). Traps that must complete the faulting instruction (MMIO, trapped coprocessor
// registers) call the hypervisor's HypTraps synchronously, the way Hyp mode is entered and left
// with ERET. It knows nothing of devices or of the hypervisor's data structures.

import { CpuState, Mode } from "./state.js";
import { ExitInfo, ExitReason, EC, makeHsr, type HypTraps } from "./exits.js";
import { Mmu } from "./mmu.js";
import { Cp15 } from "./cp15.js";
import { VfpState } from "./vfp-state.js";
import { Stage2 } from "./stage2.js";
import type { TimerRegisterFile } from "./timer-regs.js";
import { executeA32 } from "./a32.js";
import { executeT16, executeT32 } from "./t32.js";

/** Thrown (a preallocated object, no allocation) by the MMU when an access aborts; caught by Cpu.run. */
export const GUEST_ABORT = { guestAbort: true };

// Interrupt input lines (bit flags in Cpu.lines).
export const LINE_IRQ = 1; // physical IRQ: routed to Hyp (HCR.IMO), always an exit
export const LINE_VIRQ = 2; // virtual IRQ from the GIC virtual CPU interface
export const LINE_VFIQ = 4; // virtual FIQ
export const LINE_FIQ = 8; // physical FIQ: routed to Hyp (HCR.FMO)

// Exception vector offsets (B1.8.1).
const VEC_UND = 0x04;
const VEC_SVC = 0x08;
const VEC_PABT = 0x0c;
const VEC_DABT = 0x10;
const VEC_IRQ = 0x18;
const VEC_FIQ = 0x1c;

/** The hypervisor-controlled configuration of this core (the parts of HCR/HCPTR the guest cannot see). */
export class HypConfig {
  /** HCR.TWI: WFI traps to Hyp. */
  twi = true;
  /** HCR.TWE: WFE traps to Hyp. */
  twe = true;
  /** HCR.TSC: SMC traps to Hyp. */
  tsc = true;
  /** VPIDR/VMPIDR: what the guest reads as MIDR and MPIDR. */
  vpidr = 0x414fc0f0;
  vmpidr = 0x80000000;
}

export class Cpu extends CpuState {
  readonly mmu: Mmu;
  readonly cp15: Cp15;
  readonly vfp = new VfpState();
  readonly hyp = new HypConfig();
  readonly exit = new ExitInfo();
  /** The timer block of this physical CPU; set by whoever builds the machine. */
  timer: TimerRegisterFile | null = null;
  /** Hyp-mode trap handlers; set by the hypervisor. */
  traps: HypTraps | null = null;

  /** Asserted interrupt inputs (LINE_* bits). */
  lines = 0;
  /** Set to end the current slice after the instruction in progress (a kick). */
  stopRequested = false;
  /** Instructions executed since reset, counted as they start (float64: exact to 2^53). The clock
   * reads it mid-slice in icount mode. */
  instructions = 0;
  /** `instructions` when the current slice began. */
  private sliceStart = 0;

  // The pending abort recorded by the MMU before it throws GUEST_ABORT.
  abortIsPrefetch = false;
  abortFsr = 0;
  abortFar = 0;

  // Local exclusive monitor (A3.4.1): an open address range, or -1 when closed.
  exclusiveAddr = -1;
  exclusiveSize = 0;
  /** Event register (SEV/WFE). */
  eventRegister = 0;
  /** Set when an exception was taken by the instruction in progress. */
  exceptionTaken = false;

  constructor(stage2: Stage2) {
    super();
    this.cp15 = new Cp15(this);
    this.mmu = new Mmu(this, stage2);
    this.reset();
  }

  /** Architectural reset state (B1.8.2), at PL1 in SVC mode with interrupts masked. */
  reset(): void {
    this.r.fill(0);
    this.hiRegs.fill(0);
    this.bankedSpLr.fill(0);
    this.spsr.fill(0);
    this.mode = Mode.SVC;
    this.n = this.z = this.c = this.v = this.q = 0;
    this.ge = 0;
    this.it = 0;
    this.t = 0;
    this.a = this.i = this.f = 1;
    this.nextPc = 0;
    this.curPc = 0;
    this.exclusiveAddr = -1;
    this.eventRegister = 0;
    this.cp15.reset();
    this.vfp.reset();
    this.mmu.flushTlb();
  }

  /** Mode changes go through here (MSR, CPS, exception entry and return): the MMU's view of the
   * privilege level follows. */
  override switchMode(newMode: number): void {
    if (newMode === this.mode) return;
    super.switchMode(newMode);
    this.mmu.privilegeChanged();
  }

  /** Sets the address of the next instruction and the instruction set (bit 0 of a BX-style target is not used here). */
  setPc(addr: number, thumb = false): void {
    this.nextPc = addr >>> 0;
    this.t = thumb ? 1 : 0;
  }

  setLine(line: number, level: boolean): void {
    if (level) this.lines |= line;
    else this.lines &= ~line;
  }

  /** Asks the core to return to the hypervisor after the current instruction. */
  kick(): void {
    this.stopRequested = true;
  }

  // ---- Writes to the PC from instructions (A2.3.1) ----

  /** BranchWritePC: a branch that stays in the current instruction set. */
  branchTo(addr: number): void {
    this.nextPc = this.t ? addr & ~1 : addr & ~3;
  }

  /** BXWritePC: interworking branch selected by bit 0. */
  bxWritePc(addr: number): void {
    if (addr & 1) {
      this.t = 1;
      this.nextPc = addr & ~1;
    } else {
      this.t = 0;
      // Bit 1 set in ARM state is UNPREDICTABLE; align as hardware commonly does.
      this.nextPc = addr & ~3;
    }
  }

  /** LoadWritePC: interworking in ARMv7 (loads and pops to the PC). */
  loadWritePc(addr: number): void {
    this.bxWritePc(addr);
  }

  /** ALUWritePC: interworks in ARM state, a plain branch in Thumb state. */
  aluWritePc(addr: number): void {
    if (this.t) this.nextPc = addr & ~1;
    else this.bxWritePc(addr);
  }

  /** Exception return (SUBS PC, LR / MOVS PC / LDM ^ / RFE): CPSR from `spsr`, then branch. */
  exceptionReturn(addr: number, spsr: number): void {
    this.setCpsr(spsr);
    // Guard against an SPSR whose T bit and target disagree: align as the pseudocode does.
    this.nextPc = this.t ? addr & ~1 : addr & ~3;
    // The ITSTATE just restored from the SPSR must not be advanced past this instruction.
    this.exceptionTaken = true;
  }

  // ---- Exceptions (B1.8, B1.9) ----

  private enterException(mode: number, vectorOffset: number, lr: number, maskA: boolean, maskF: boolean): void {
    const cpsr = this.getCpsr();
    this.switchMode(mode);
    this.setSpsr(cpsr);
    this.r[14] = lr;
    this.i = 1;
    if (maskA) this.a = 1;
    if (maskF) this.f = 1;
    this.it = 0;
    const sctlr = this.cp15.sctlr;
    this.t = (sctlr >>> 30) & 1; // SCTLR.TE
    const base = sctlr & (1 << 13) ? 0xffff0000 : this.cp15.vbar & ~0x1f;
    this.nextPc = (base + vectorOffset) >>> 0;
    this.exclusiveAddr = -1;
    this.exceptionTaken = true;
  }

  /** UNDEFINED instruction: the executor returns right after calling this. */
  undefinedInstruction(): void {
    this.enterException(Mode.UND, VEC_UND, this.curPc + (this.t ? 2 : 4), false, false);
  }

  supervisorCall(): void {
    this.enterException(Mode.SVC, VEC_SVC, this.curPc + (this.t ? 2 : 4), false, false);
  }

  /** BKPT, and instruction fetch aborts. */
  prefetchAbort(ifsr: number, ifar: number): void {
    this.cp15.ifsr = ifsr;
    this.cp15.ifar = ifar;
    this.enterException(Mode.ABT, VEC_PABT, this.curPc + 4, true, false);
  }

  dataAbort(dfsr: number, dfar: number): void {
    this.cp15.dfsr = dfsr;
    this.cp15.dfar = dfar;
    this.enterException(Mode.ABT, VEC_DABT, this.curPc + 8, true, false);
  }

  /** BKPT: a debug event taken as a prefetch abort (IFSR debug event, FS = 0b00010). */
  breakpoint(): void {
    this.prefetchAbort(0x2, this.curPc);
  }

  // ---- Exits to the hypervisor ----

  /** WFI/WFE: trapped to Hyp (HCR.TWI/TWE) ends the slice; the PC is already past the instruction. */
  waitForInterrupt(isWfe: boolean): void {
    if (isWfe) {
      if (this.eventRegister) {
        this.eventRegister = 0;
        return;
      }
      if (!this.hyp.twe) return;
    } else if (!this.hyp.twi) {
      return;
    }
    this.endSlice(
      ExitReason.WFX,
      makeHsr(EC.WFI_WFE, this.t === 0 || this.nextPc - this.curPc === 4, 0x1e00000 | (isWfe ? 1 : 0)),
    );
  }

  sendEvent(): void {
    this.eventRegister = 1;
  }

  hypervisorCall(imm16: number): void {
    this.endSlice(ExitReason.HVC, makeHsr(EC.HVC, this.t === 0 || this.nextPc - this.curPc === 4, imm16 & 0xffff));
  }

  secureMonitorCall(imm4: number): void {
    if (!this.hyp.tsc) {
      this.undefinedInstruction();
      return;
    }
    this.endSlice(ExitReason.SMC, makeHsr(EC.SMC, true, imm4 & 0xf));
  }

  private endSlice(reason: number, hsr: number): void {
    this.exit.reason = reason;
    this.exit.hsr = hsr;
    this.stopRequested = true;
  }

  // ---- Exclusive monitor ----

  setExclusive(addr: number, size: number): void {
    this.exclusiveAddr = addr >>> 0;
    this.exclusiveSize = size;
  }

  /** True when a store-exclusive to `addr` may succeed; the monitor is closed either way by the caller. */
  exclusivePasses(addr: number, size: number): boolean {
    return this.exclusiveAddr === addr >>> 0 && this.exclusiveSize === size;
  }

  clearExclusive(): void {
    this.exclusiveAddr = -1;
  }

  // ---- Interrupts ----

  /** Takes a pending interrupt at an instruction boundary; returns true if the slice must end. */
  private serviceInterrupts(): boolean {
    const lines = this.lines;
    if (lines & (LINE_IRQ | LINE_FIQ)) {
      // Physical interrupts are routed to Hyp mode (HCR.IMO/FMO): not masked by CPSR.I/F at PL0/PL1.
      this.exit.reason = ExitReason.IRQ;
      this.exit.hsr = 0;
      return true;
    }
    if (lines & LINE_VFIQ && this.f === 0) {
      this.enterException(Mode.FIQ, VEC_FIQ, this.nextPc + 4, true, true);
    } else if (lines & LINE_VIRQ && this.i === 0) {
      this.enterException(Mode.IRQ, VEC_IRQ, this.nextPc + 4, true, false);
    }
    this.exceptionTaken = false;
    return false;
  }

  /** Told about emulator bugs met while executing guest code (the guest sees an UNDEFINED instruction). */
  onHostFault: ((error: unknown, pc: number) => void) | null = null;

  /** A bug in the emulator must not take the host process down: report it, and let the guest
   * see the instruction as UNDEFINED. */
  private hostFault(error: unknown): void {
    this.onHostFault?.(error, this.curPc);
    this.undefinedInstruction();
    this.exceptionTaken = false;
  }

  private takePendingAbort(): void {
    if (this.abortIsPrefetch) this.prefetchAbort(this.abortFsr, this.abortFar);
    else this.dataAbort(this.abortFsr, this.abortFar);
    this.exceptionTaken = false;
  }

  /**
   * Runs at most `budget` instructions. Returns the exit reason (also in `exit.reason`); the number
   * of instructions retired is added to `instructions`.
   */
  run(budget: number): number {
    const exit = this.exit;
    exit.reason = ExitReason.SLICE;
    let done = 0;
    this.sliceStart = this.instructions;
    while (done < budget) {
      try {
        done = this.runInner(budget, done);
      } catch (e) {
        // The aborted instruction was counted when it was fetched (or the fetch itself aborted).
        if (e === GUEST_ABORT) this.takePendingAbort();
        else this.hostFault(e);
        done = this.instructions - this.sliceStart;
      }
      if (this.stopRequested) break;
    }
    if (this.stopRequested) {
      this.stopRequested = false;
      if (exit.reason === ExitReason.SLICE) exit.reason = ExitReason.KICK;
    }
    return exit.reason;
  }

  private runInner(budget: number, done: number): number {
    const r = this.r;
    const mmu = this.mmu;
    while (done < budget) {
      if (this.lines !== 0 && this.serviceInterrupts()) {
        this.stopRequested = true;
        return done;
      }
      const pc = this.nextPc;
      this.curPc = pc;
      if (this.t === 0) {
        done++;
        this.instructions++;
        const instr = mmu.fetch32(pc);
        this.nextPc = (pc + 4) >>> 0;
        r[15] = pc + 8;
        const cond = instr >>> 28;
        if (cond < 14 && !this.conditionPassed(cond)) continue;
        executeA32(this, instr);
      } else {
        done++;
        this.instructions++;
        const hw1 = mmu.fetch16(pc);
        const itBefore = this.it;
        this.exceptionTaken = false;
        if (hw1 >>> 11 >= 0x1d) {
          const instr = (hw1 << 16) | mmu.fetch16(pc + 2) | 0;
          this.nextPc = (pc + 4) >>> 0;
          r[15] = pc + 4;
          if (itBefore === 0 || this.conditionPassed(itBefore >>> 4)) executeT32(this, instr);
        } else {
          this.nextPc = (pc + 2) >>> 0;
          r[15] = pc + 4;
          // BKPT (0xBExx) is unconditional even inside an IT block.
          if (itBefore === 0 || this.conditionPassed(itBefore >>> 4) || hw1 >>> 8 === 0xbe) executeT16(this, hw1);
        }
        if (itBefore !== 0) {
          if (this.exceptionTaken) this.exceptionTaken = false;
          else this.itAdvance();
        }
      }
      if (this.stopRequested) return done;
    }
    return done;
  }
}

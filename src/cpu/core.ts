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
import { Pmu } from "./pmu.js";
import { EV_EXC_RETURN, EV_EXC_TAKEN, EV_PC_WRITE_RETIRED, HDCR_HPME, HDCR_HPMN_MASK, HDCR_RESET } from "./pmu-regs.js";
import { Stage2 } from "./stage2.js";
import type { TimerRegisterFile } from "./timer-regs.js";
import { runA32 } from "./a32.js";
import { runT32 } from "./run-t32.js";
import { runA32Blocks, runT32Blocks } from "./run-blocks.js";
import { runDebug, type CpuDebug } from "./debug-hooks.js";
import { DOUBLE_ZERO } from "./double-field.js";

/** Thrown (a preallocated object, no allocation) by the MMU when an access aborts; caught by Cpu.run. */
export const GUEST_ABORT = { guestAbort: true };

// Reasons for the run loops to leave their inner loop after the current instruction (bit flags in
// Cpu.attention), so that they test one field per instruction instead of one per reason.
/** An interrupt input is asserted: look at it before the next instruction. */
export const ATTN_LINES = 1;

/** Inner-shareable maintenance as a multiprocessor sees it: the other CPUs' TLBs and instruction
 * caches (translated code here) are invalidated too, at the latest when the issuer's DSB completes. */
export interface CpuBroadcast {
  /** Every other CPU must do this TLB invalidation too (TLBI*IS): `kind` 0 all, 1 by MVA and
   * ASID, 2 by ASID, 3 by MVA for all ASIDs; `value` the operand written. */
  tlb(kind: number, value: number): void;
  /** DC clean or invalidate by address (`va`; -1: by set/way, every page). ARMv7 requires new
   * instructions to be cleaned to the point of unification before the instruction cache is
   * invalidated, so the pages cleaned are where new code can be. */
  cleaned(va: number): void;
  /** ICIMVAU (the page at byte offset `page` of guest memory) or ICIALLUIS (`page` < 0): every
   * CPU drops translated code of the pages cleaned since it last looked (and of `page`). */
  code(page: number): void;
  /** DSB: waits until every other CPU has done what was broadcast. */
  complete(): void;
  /** SEV: wakes the CPUs waiting in WFE. */
  event(): void;
}
/** The slice must end (a kick, or an exit to the hypervisor). */
export const ATTN_STOP = 2;
/** The fetch pointer or the instruction set may be stale (TLB maintenance, a privilege or DACR
 * switch, an exception entry or return, an interworking branch): re-enter the loops. */
export const ATTN_RESYNC = 4;

// Interrupt input lines (bit flags in Cpu.lines).
export const LINE_IRQ = 1; // physical IRQ: routed to Hyp (HCR.IMO), always an exit
export const LINE_VIRQ = 2; // virtual IRQ from the GIC virtual CPU interface
export const LINE_VFIQ = 4; // virtual FIQ
export const LINE_FIQ = 8; // physical FIQ: routed to Hyp (HCR.FMO)

/** Instructions after which the interpreter alone returns at a taken branch (runInterpreter). */
const INTERPRETER_RUN = 4096;

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
  /** HDCR: TPM and TPMCR trap the performance monitors to Hyp; HPMN and HPME go to the PMU
   * (write it with Cpu.writeHdcr). */
  hdcr = HDCR_RESET;
  /** HCPTR: TCP10/TCP11 trap the VFP to Hyp (vfp-trap.ts). */
  hcptr = 0;
}

export class Cpu extends CpuState {
  readonly mmu: Mmu;
  readonly cp15: Cp15;
  readonly vfp: VfpState;
  readonly pmu: Pmu;
  readonly hyp = new HypConfig();
  readonly exit = new ExitInfo();
  /** The timer block of this physical CPU; set by whoever builds the machine. */
  timer: TimerRegisterFile | null = null;
  /** Hyp-mode trap handlers; set by the hypervisor. */
  traps: HypTraps | null = null;

  /** Asserted interrupt inputs (LINE_* bits). */
  lines = 0;
  /** A debugger's per-instruction check (debug-hooks.ts); null: none, and no cost. */
  debug: CpuDebug | null = null;
  /** Run hot code as translated blocks (run-blocks.ts); false: the interpreter alone. */
  jit = true;
  /** ATTN_* bits: why the run loops must look up after the current instruction. */
  attention = 0;
  /** Instructions executed before the current slice (float64: exact to 2^53). */
  private sliceBase = DOUBLE_ZERO;
  /** Instructions of the current slice so far, counted as they start (the run loops store it
   * before each instruction: a small integer store, where a float64 counter would cost a load,
   * an add and a store). */
  sliceCount = 0;

  // The pending abort recorded by the MMU before it throws GUEST_ABORT.
  abortIsPrefetch = false;
  abortFsr = 0;
  abortFar = DOUBLE_ZERO;

  // Local exclusive monitor (A3.4.1): an open address range, or -1 when closed, and the value the
  // load-exclusive read. The global monitor is the memory itself: a store-exclusive succeeds only
  // if the memory still holds that value, checked and written in one atomic compare-and-swap, so
  // a store by another CPU in between (running on another host thread) makes it fail. (QEMU's
  // multi-threaded TCG does the same; a store of the very value that was read goes unnoticed,
  // which no lock or counter built on exclusives can observe.)
  exclusiveAddr = DOUBLE_ZERO; // -1 (no reservation) from reset()
  exclusiveSize = 0;
  private exclusiveLo = 0;
  private exclusiveHi = 0;
  /** Shared words: [0] the doubleword store-exclusive lock, [1] a word barriers fence on, [3] the
   * count of SEVs executed by any CPU (the event every CPU's event register hears). */
  shared: Int32Array = new Int32Array(4);
  /** The SEV count this CPU's event register last took in. */
  seenEvents = 0;
  /** Kicks from other threads: non-zero asks the run loops to stop at the next block boundary. */
  external: Int32Array = new Int32Array(1);
  /** Maintenance that other CPUs must honour (inner-shareable broadcast); null on one thread. */
  broadcast: CpuBroadcast | null = null;
  /** Event register (SEV/WFE). */
  eventRegister = 0;
  /** Set when an exception was taken by the instruction in progress. */
  exceptionTaken = false;

  /** Instructions executed since reset, counted as they start; exact mid-slice too (the icount
   * clock reads it from inside instructions). */
  get instructions(): number {
    return this.sliceBase + this.sliceCount;
  }

  /** `vfp`: the VFP register file, which CPUs that take turns on one host thread may share (the
   * hypervisor then switches it lazily between them). */
  constructor(stage2: Stage2, vfp = new VfpState()) {
    super();
    this.vfp = vfp;
    this.cp15 = new Cp15(this);
    this.pmu = new Pmu(this);
    this.mmu = new Mmu(this, stage2);
    // +0, in the fields made doubles by DOUBLE_ZERO.
    this.sliceBase = this.abortFar = 0;
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
    this.interruptMasksChanged();
    this.nextPc = 0;
    this.curPc = 0;
    this.exclusiveAddr = -1;
    this.eventRegister = 0;
    this.cp15.reset();
    this.pmu.reset();
    this.vfp.reset();
    this.mmu.flushTlb();
    this.attention |= ATTN_RESYNC;
  }

  /** The state run() keeps private, for snapshots: instructions so far and the exclusive
   * monitor's remembered values. */
  savedPrivate(): [number, number, number] {
    return [this.sliceBase + this.sliceCount, this.exclusiveLo, this.exclusiveHi];
  }

  restorePrivate(instructions: number, exclusiveLo: number, exclusiveHi: number): void {
    this.sliceBase = instructions;
    this.sliceCount = 0;
    this.exclusiveLo = exclusiveLo;
    this.exclusiveHi = exclusiveHi;
  }

  /** Mode changes go through here (MSR, CPS, exception entry and return): the MMU's view of the
   * privilege level follows. */
  override switchMode(newMode: number): void {
    if (newMode === this.mode) return;
    if (this.pmu.active && (newMode === Mode.USR) !== (this.mode === Mode.USR)) {
      // The counters' filters depend on the privilege level: fold what ran at the old one, and
      // let the run loop look again at where the next overflow comes.
      this.pmu.sync();
      this.attention |= ATTN_RESYNC;
    }
    super.switchMode(newMode);
    this.mmu.privilegeChanged();
  }

  /** Sets the address of the next instruction and the instruction set (bit 0 of a BX-style target is not used here). */
  setPc(addr: number, thumb = false): void {
    this.nextPc = addr | 0;
    this.t = thumb ? 1 : 0;
    this.attention |= ATTN_RESYNC;
  }

  setLine(line: number, level: boolean): void {
    this.lines = level ? this.lines | line : this.lines & ~line;
    this.interruptMasksChanged();
  }

  /** ATTN_LINES only while an interrupt can be taken: a virtual interrupt masked by CPSR.I/F
   * (the guest in a critical section) must not stop the run loops after every instruction. */
  override interruptMasksChanged(): void {
    const lines = this.lines;
    if (
      (lines & (LINE_IRQ | LINE_FIQ)) !== 0 ||
      (lines & LINE_VIRQ && this.i === 0) ||
      (lines & LINE_VFIQ && this.f === 0)
    )
      this.attention |= ATTN_LINES;
    else this.attention &= ~ATTN_LINES;
  }

  /** The PMU started counting instructions or its counters changed: the run loop must look
   * again at where the next overflow comes. */
  pmuChanged(): void {
    this.attention |= ATTN_RESYNC;
  }

  /** Hyp writes HDCR: the trap bits stay here, HPMN and HPME go to the PMU. */
  writeHdcr(value: number): void {
    this.hyp.hdcr = value & 0xff;
    this.pmu.setHyp(value & HDCR_HPMN_MASK, (value & HDCR_HPME) !== 0);
  }

  /** Asks the core to return to the hypervisor after the current instruction. */
  kick(): void {
    this.attention |= ATTN_STOP;
  }

  // ---- Writes to the PC from instructions (A2.3.1) ----
  // The PC fields (nextPc, curPc) hold int32 values, whatever the address: V8 then keeps them as
  // small integers. Addresses become unsigned only where they leave the core (>>> 0).

  /** BranchWritePC: a branch that stays in the current instruction set. */
  branchTo(addr: number): void {
    this.nextPc = this.t ? addr & ~1 : addr & ~3;
  }

  /** BXWritePC: interworking branch selected by bit 0. */
  bxWritePc(addr: number): void {
    const t = addr & 1;
    // Bit 1 set in ARM state is UNPREDICTABLE; align as hardware commonly does.
    this.nextPc = t ? addr & ~1 : addr & ~3;
    if (t !== this.t) {
      // The run loop in use decodes one instruction set only.
      this.t = t;
      this.attention |= ATTN_RESYNC;
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
    if (this.pmu.discrete !== 0) this.pmu.event(EV_EXC_RETURN);
    this.setCpsr(spsr);
    // Guard against an SPSR whose T bit and target disagree: align as the pseudocode does.
    this.nextPc = this.t ? addr & ~1 : addr & ~3;
    // The ITSTATE just restored from the SPSR must not be advanced past this instruction.
    this.exceptionTaken = true;
    this.attention |= ATTN_RESYNC;
  }

  // ---- Exceptions (B1.8, B1.9) ----

  private enterException(mode: number, vectorOffset: number, lr: number, maskA: boolean, maskF: boolean): void {
    this.pmu.exceptionEntries++;
    if (this.pmu.discrete !== 0) this.pmu.event(EV_EXC_TAKEN);
    const cpsr = this.getCpsr();
    this.switchMode(mode);
    this.setSpsr(cpsr);
    this.r[14] = lr;
    this.i = 1;
    if (maskA) this.a = 1;
    if (maskF) this.f = 1;
    this.interruptMasksChanged();
    this.it = 0;
    const sctlr = this.cp15.sctlr;
    this.t = (sctlr >>> 30) & 1; // SCTLR.TE
    const base = sctlr & (1 << 13) ? 0xffff0000 : this.cp15.vbar & ~0x1f;
    this.nextPc = (base + vectorOffset) | 0;
    this.exclusiveAddr = -1;
    this.exceptionTaken = true;
    this.attention |= ATTN_RESYNC;
  }

  /** UNDEFINED instruction: the executor returns right after calling this. */
  undefinedInstruction(): void {
    this.pmu.unretired++;
    this.enterException(Mode.UND, VEC_UND, this.curPc + (this.t ? 2 : 4), false, false);
  }

  supervisorCall(): void {
    this.enterException(Mode.SVC, VEC_SVC, this.curPc + (this.t ? 2 : 4), false, false);
  }

  /** BKPT, and instruction fetch aborts. */
  prefetchAbort(ifsr: number, ifar: number): void {
    this.pmu.unretired++;
    this.cp15.ifsr = this.cp15.formatFsr(ifsr);
    this.cp15.ifar = ifar;
    this.enterException(Mode.ABT, VEC_PABT, this.curPc + 4, true, false);
  }

  dataAbort(dfsr: number, dfar: number): void {
    this.pmu.unretired++;
    this.cp15.dfsr = this.cp15.formatFsr(dfsr);
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
      const events = Atomics.load(this.shared, 3);
      if (this.eventRegister || events !== this.seenEvents) {
        this.eventRegister = 0;
        this.seenEvents = events;
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

  /** SEV: an event for every CPU of the system, this one included. */
  sendEvent(): void {
    this.eventRegister = 1;
    Atomics.add(this.shared, 3, 1);
    if (this.broadcast !== null) this.broadcast.event();
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
    this.attention |= ATTN_STOP;
  }

  // ---- Exclusive monitor ----

  /** A load-exclusive read `lo` (and `hi`, the doubleword's second word) at `addr`. */
  setExclusive(addr: number, size: number, lo: number, hi = 0): void {
    this.exclusiveAddr = addr >>> 0;
    this.exclusiveSize = size;
    this.exclusiveLo = lo;
    this.exclusiveHi = hi;
  }

  /** A store-exclusive of `size` bytes (`lo`, and `hi` for a doubleword) at an aligned `addr`;
   * returns the status it writes: 0 stored, 1 not. The monitor is closed either way. */
  storeExclusive(addr: number, size: number, lo: number, hi: number): number {
    const open = this.exclusiveAddr === addr >>> 0 && this.exclusiveSize === size;
    this.exclusiveAddr = -1;
    if (!open) return 1;
    const mmu = this.mmu;
    const off = mmu.exclusiveOffset(addr, size === 8 ? 4 : size);
    const off2 = size === 8 ? mmu.exclusiveOffset((addr + 4) | 0, 4) : 0;
    if (off < 0 || off2 < 0) {
      // Not plain RAM: an ordinary store (devices have no other observer to race with here).
      if (size === 1) mmu.write8(addr, lo);
      else if (size === 2) mmu.write16(addr, lo);
      else mmu.write32(addr, lo);
      if (size === 8) mmu.write32((addr + 4) | 0, hi);
      return 0;
    }
    const expected = this.exclusiveLo;
    switch (size) {
      case 1:
        return Atomics.compareExchange(mmu.bytes, off, expected & 0xff, lo & 0xff) === (expected & 0xff) ? 0 : 1;
      case 2:
        return Atomics.compareExchange(mmu.halfwords, off >> 1, expected & 0xffff, lo & 0xffff) === (expected & 0xffff)
          ? 0
          : 1;
      case 4:
        return Atomics.compareExchange(mmu.words, off >> 2, expected | 0, lo | 0) === (expected | 0) ? 0 : 1;
      default:
        return this.storeExclusiveDouble(off >> 2, off2 >> 2, lo, hi);
    }
  }

  /** No 64-bit compare-and-swap without BigInt: doubleword exclusives serialize on a lock shared by
   * every CPU, and compare and write both words inside it. */
  private storeExclusiveDouble(w0: number, w1: number, lo: number, hi: number): number {
    const lock = this.shared;
    while (Atomics.compareExchange(lock, 0, 0, 1) !== 0);
    const words = this.mmu.words;
    let status = 1;
    if (Atomics.load(words, w0) === (this.exclusiveLo | 0) && Atomics.load(words, w1) === (this.exclusiveHi | 0)) {
      Atomics.store(words, w0, lo);
      Atomics.store(words, w1, hi);
      status = 0;
    }
    Atomics.store(lock, 0, 0);
    return status;
  }

  /** DMB, DSB (`complete`: maintenance broadcast to other CPUs must be done when it retires). An
   * atomic operation on shared memory orders this thread's accesses as the barrier requires. */
  barrier(complete: boolean): void {
    Atomics.add(this.shared, 1, 0);
    if (complete && this.broadcast !== null) this.broadcast.complete();
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

  /** The interpreter one instruction at a time, counting the instructions that write the PC
   * (PC_WRITE_RETIRED) at the privilege level they ran at; exceptions are not PC writes. */
  private runCountingPcWrites(budget: number, done: number): number {
    const pmu = this.pmu;
    while (done < budget) {
      const entries = pmu.exceptionEntries;
      const thumb = this.t !== 0;
      const user = this.mode === Mode.USR;
      done = thumb ? runT32(this, done + 1, done) : runA32(this, done + 1, done);
      if (pmu.exceptionEntries === entries && this.wrotePc(thumb)) pmu.event(EV_PC_WRITE_RETIRED, user);
      if (this.attention !== 0 || this.external[0] !== 0) break;
    }
    return done;
  }

  /** After one instruction (at curPc, in the instruction set `thumb` names): did it write the PC? */
  private wrotePc(thumb: boolean): boolean {
    const pc = this.curPc;
    if (this.t !== (thumb ? 1 : 0)) return true;
    const next = this.nextPc;
    if (!thumb) return next !== ((pc + 4) | 0);
    // Its length, from the fetch TLB without a fetch (which could fault after a mapping change);
    // when the page has gone from it, either sequential address counts as no PC write.
    const mmu = this.mmu;
    const addend = mmu.fetchAddend(pc);
    if ((addend & 1) !== 0) return next !== ((pc + 2) | 0) && next !== ((pc + 4) | 0);
    const wide = mmu.stage2.mem16[(addend + pc) >> 1] >>> 11 >= 0x1d;
    return next !== ((pc + (wide ? 4 : 2)) | 0);
  }

  /** The interpreter alone (`--jit off`), in runs that end at a taken B (or BL in ARM state) past
   * INTERPRETER_RUN instructions: between them a kick from another thread (`external`) is seen, as the run loops
   * of translated code see it at block boundaries; otherwise a vcpu would see it only at the end
   * of its slice. */
  private runInterpreter(budget: number, done: number): number {
    for (;;) {
      const soft = (done + INTERPRETER_RUN) | 0;
      done = this.t !== 0 ? runT32(this, budget, done, soft) : runA32(this, budget, done, soft);
      if (this.attention !== 0 || done >= budget || this.external[0] !== 0) return done;
    }
  }

  /**
   * Runs at most `budget` instructions. Returns the exit reason (also in `exit.reason`); the number
   * of instructions retired is added to `instructions`.
   *
   * The instructions run in runA32/runT32, which leave after an instruction that sets `attention`;
   * this loop then takes pending interrupts (at the instruction boundary, as the hardware does),
   * ends the slice, or re-enters the loop of the current instruction set.
   */
  run(budget: number): number {
    const exit = this.exit;
    exit.reason = ExitReason.SLICE;
    let done = 0;
    this.sliceCount = 0;
    const debug = this.debug;
    const pmu = this.pmu;
    while (done < budget) {
      try {
        // A counter that counts instructions stops the slice where it wraps: its overflow
        // interrupt then comes before the next instruction.
        let limit = budget;
        if (pmu.active) {
          pmu.sync();
          limit = Math.min(budget, done + pmu.headroom());
        }
        if (this.lines !== 0 && (debug === null || debug.interrupts) && this.serviceInterrupts()) {
          this.attention |= ATTN_STOP;
          break;
        }
        this.attention &= ~ATTN_RESYNC;
        if (debug !== null) done = runDebug(this, debug, limit, done);
        else if (pmu.discrete & (1 << EV_PC_WRITE_RETIRED)) done = this.runCountingPcWrites(limit, done);
        else if (!this.jit) done = this.runInterpreter(limit, done);
        else if (this.t !== 0) done = runT32Blocks(this, limit, done);
        else done = runA32Blocks(this, limit, done);
      } catch (e) {
        // The aborted instruction was counted when it was fetched (or the fetch itself aborted).
        if (e === GUEST_ABORT) this.takePendingAbort();
        else this.hostFault(e);
        done = this.sliceCount;
      }
      if (this.external[0] !== 0) this.attention |= ATTN_STOP;
      if (this.attention & ATTN_STOP) break;
    }
    this.sliceBase += this.sliceCount;
    this.sliceCount = 0;
    if (pmu.active) pmu.sync();
    if (this.attention & ATTN_STOP) {
      this.attention &= ~ATTN_STOP;
      if (exit.reason === ExitReason.SLICE) exit.reason = ExitReason.KICK;
    }
    return exit.reason;
  }
}

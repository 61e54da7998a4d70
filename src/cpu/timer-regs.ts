// The generic-timer registers as the core's CP15 interface reaches them (DDI 0406C B8).
// Implemented by the timer block of the physical CPU (src/timer); the core only routes accesses
// and applies the PL0 (CNTKCTL) and trap-to-Hyp (CNTHCTL) rules.

/** Timer selector: the non-secure physical timer (CNTP_*) or the virtual timer (CNTV_*). */
export const PHYS_TIMER = 0;
export const VIRT_TIMER = 1;

export interface TimerRegisterFile {
  readonly cntfrq: number;
  /** CNTKCTL (PL1 writable): PL0 access control and the event stream. */
  cntkctl: number;
  /** CNTHCTL (Hyp only): bit 0 PL1PCTEN (CNTPCT access), bit 1 PL1PCEN (CNTP_* access). */
  cnthctl: number;
  /** 64-bit values are float64 numbers (exact below 2^53). */
  readPhysicalCount(): number;
  readVirtualCount(): number;
  readCtl(timer: number): number;
  writeCtl(timer: number, value: number): void;
  readCval(timer: number): number;
  writeCval(timer: number, value: number): void;
  readTval(timer: number): number;
  writeTval(timer: number, value: number): void;
}

// Architectural register state of one ARMv7-A core (PL0/PL1 view): the general registers with
// their per-mode banks, CPSR split into fields for speed, and the SPSRs.
// DDI 0406C B1.3 (processor modes, core registers), B1.3.3 (PSRs).

export const Mode = {
  USR: 0x10,
  FIQ: 0x11,
  IRQ: 0x12,
  SVC: 0x13,
  MON: 0x16,
  ABT: 0x17,
  HYP: 0x1a,
  UND: 0x1b,
  SYS: 0x1f,
} as const;

/** Bank slot for r13/r14/SPSR of each mode: 0 = USR/SYS, 1 FIQ, 2 IRQ, 3 SVC, 4 ABT, 5 UND, 6 MON, 7 HYP. */
export function bankOf(mode: number): number {
  switch (mode) {
    case Mode.FIQ:
      return 1;
    case Mode.IRQ:
      return 2;
    case Mode.SVC:
      return 3;
    case Mode.ABT:
      return 4;
    case Mode.UND:
      return 5;
    case Mode.MON:
      return 6;
    case Mode.HYP:
      return 7;
    default:
      return 0;
  }
}

/** True for the mode encodings that exist on this core (no Monitor/Hyp for guest software). */
export function isValidGuestMode(mode: number): boolean {
  switch (mode) {
    case Mode.USR:
    case Mode.FIQ:
    case Mode.IRQ:
    case Mode.SVC:
    case Mode.ABT:
    case Mode.UND:
    case Mode.SYS:
      return true;
    default:
      return false;
  }
}

// CPSR bit positions.
export const PSR_N = 1 << 31;
export const PSR_Z = 1 << 30;
export const PSR_C = 1 << 29;
export const PSR_V = 1 << 28;
export const PSR_Q = 1 << 27;
export const PSR_J = 1 << 24;
export const PSR_E = 1 << 9;
export const PSR_A = 1 << 8;
export const PSR_I = 1 << 7;
export const PSR_F = 1 << 6;
export const PSR_T = 1 << 5;

export class CpuState {
  /** r0..r15 of the current mode. During execution r[15] reads as the architectural PC value
   * (current instruction + 8 in ARM state, + 4 in Thumb state); see Cpu.run. */
  readonly r = new Int32Array(16);
  /** r8..r12 of the non-FIQ modes and of FIQ: [0..4] = usr r8-r12, [5..9] = fiq r8-r12. */
  readonly hiRegs = new Int32Array(10);
  /** r13, r14 per bank (bankOf): [bank * 2] = r13, [bank * 2 + 1] = r14. */
  readonly bankedSpLr = new Int32Array(16);
  /** SPSR per bank (index 0 unused: USR/SYS have none). */
  readonly spsr = new Int32Array(8);

  // CPSR, unpacked. Flags hold 0 or 1.
  n = 0;
  z = 0;
  c = 0;
  v = 0;
  q = 0;
  /** GE[3:0]. */
  ge = 0;
  /** ITSTATE[7:0] (Thumb IT block): 0 outside an IT block. */
  it = 0;
  /** 1 in Thumb state. */
  t = 0;
  /** CPSR.E (big-endian data); this core implements little-endian data only and keeps E = 0. */
  e = 0;
  /** Mask bits A, I, F as 0 or 1. */
  a = 1;
  i = 1;
  f = 1;
  mode: number = Mode.SVC;

  /** Address of the instruction being executed. */
  curPc = 0;
  /** Where execution continues after the current instruction (updated by branches). */
  nextPc = 0;

  /** Packs the CPSR fields into the architectural 32-bit value. */
  getCpsr(): number {
    const it = this.it;
    return (
      ((this.n << 31) |
        (this.z << 30) |
        (this.c << 29) |
        (this.v << 28) |
        (this.q << 27) |
        ((it & 3) << 25) |
        (this.ge << 16) |
        ((it >>> 2) << 10) |
        (this.e << 9) |
        (this.a << 8) |
        (this.i << 7) |
        (this.f << 6) |
        (this.t << 5) |
        this.mode) >>>
      0
    );
  }

  /** Writes every CPSR field (as on exception return); switches register banks if the mode changes.
   * An invalid mode field is treated as the architecture's UNPREDICTABLE case by keeping the current mode. */
  setCpsr(value: number): void {
    this.n = (value >>> 31) & 1;
    this.z = (value >>> 30) & 1;
    this.c = (value >>> 29) & 1;
    this.v = (value >>> 28) & 1;
    this.q = (value >>> 27) & 1;
    this.it = ((value >>> 25) & 3) | (((value >>> 10) & 0x3f) << 2);
    this.ge = (value >>> 16) & 0xf;
    this.e = 0;
    this.a = (value >>> 8) & 1;
    this.i = (value >>> 7) & 1;
    this.f = (value >>> 6) & 1;
    this.t = (value >>> 5) & 1;
    const mode = value & 0x1f;
    if (isValidGuestMode(mode)) this.switchMode(mode);
    this.interruptMasksChanged();
  }

  /** Called after CPSR.I or CPSR.F may have changed (the core re-evaluates its pending interrupts). */
  interruptMasksChanged(): void {}

  /** Sets NZCV from the top four bits of `value`. */
  setNzcv(value: number): void {
    this.n = (value >>> 31) & 1;
    this.z = (value >>> 30) & 1;
    this.c = (value >>> 29) & 1;
    this.v = (value >>> 28) & 1;
  }

  /** Changes the processor mode, saving the outgoing bank and loading the incoming one. */
  switchMode(newMode: number): void {
    const old = this.mode;
    if (old === newMode) return;
    const r = this.r;
    const oldBank = bankOf(old);
    const newBank = bankOf(newMode);
    const hi = this.hiRegs;
    if ((old === Mode.FIQ) !== (newMode === Mode.FIQ)) {
      const saveAt = old === Mode.FIQ ? 5 : 0;
      const loadFrom = newMode === Mode.FIQ ? 5 : 0;
      for (let k = 0; k < 5; k++) {
        hi[saveAt + k] = r[8 + k];
        r[8 + k] = hi[loadFrom + k];
      }
    }
    if (oldBank !== newBank) {
      const b = this.bankedSpLr;
      b[oldBank * 2] = r[13];
      b[oldBank * 2 + 1] = r[14];
      r[13] = b[newBank * 2];
      r[14] = b[newBank * 2 + 1];
    }
    this.mode = newMode;
  }

  /** SPSR of the current mode; 0 in USR/SYS (UNPREDICTABLE there, read as zero). */
  getSpsr(): number {
    return this.spsr[bankOf(this.mode)] >>> 0;
  }

  setSpsr(value: number): void {
    const bank = bankOf(this.mode);
    if (bank !== 0) this.spsr[bank] = value | 0;
  }

  /** Reads register `n` as the user-mode bank sees it (LDM/STM user-registers form). */
  getUserReg(n: number): number {
    if (n < 8 || n === 15) return this.r[n];
    const mode = this.mode;
    if (n < 13) return mode === Mode.FIQ ? this.hiRegs[n - 8] : this.r[n];
    if (bankOf(mode) === 0) return this.r[n];
    return this.bankedSpLr[n - 13];
  }

  setUserReg(n: number, value: number): void {
    if (n < 8 || n === 15) {
      this.r[n] = value;
      return;
    }
    const mode = this.mode;
    if (n < 13) {
      if (mode === Mode.FIQ) this.hiRegs[n - 8] = value;
      else this.r[n] = value;
      return;
    }
    if (bankOf(mode) === 0) this.r[n] = value;
    else this.bankedSpLr[n - 13] = value;
  }

  /** True at PL0. */
  isUser(): boolean {
    return this.mode === Mode.USR;
  }

  /** Advances ITSTATE after an instruction in an IT block (A2.5.2 ITAdvance). */
  itAdvance(): void {
    const it = this.it;
    if ((it & 7) === 0) this.it = 0;
    else this.it = (it & 0xe0) | ((it << 1) & 0x1f);
  }

  /** Condition-code check (A8.3). `cond` is 0..15. Odd conditions negate the even ones before
   * them. Written on the 0/1 flag values (no booleans until the end) and compactly, so that V8
   * inlines it into the run loops cheaply. */
  conditionPassed(cond: number): boolean {
    let holds: number;
    switch (cond >>> 1) {
      case 0: // EQ / NE
        holds = this.z;
        break;
      case 1: // CS / CC
        holds = this.c;
        break;
      case 2: // MI / PL
        holds = this.n;
        break;
      case 3: // VS / VC
        holds = this.v;
        break;
      case 4: // HI / LS
        holds = this.c & (this.z ^ 1);
        break;
      case 5: // GE / LT
        holds = this.n ^ this.v ^ 1;
        break;
      case 6: // GT / LE
        holds = (this.z | (this.n ^ this.v)) ^ 1;
        break;
      default: // AL, and 0b1111 (unconditional)
        return true;
    }
    return (holds ^ (cond & 1)) !== 0;
  }
}

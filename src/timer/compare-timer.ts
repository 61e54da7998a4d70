// One timer of the generic timer (DDI 0406C B8.1.5): its CTL register and 64-bit CompareValue,
// with the CompareValue and TimerValue views, measured against a count supplied by the caller.
// The physical CPU's GenericTimer holds three of these; the hypervisor uses the same rules for the
// vcpu's saved virtual timer and for the physical timer it emulates.
//
// Rules: the condition is met when CompareValue <= count (unsigned 64-bit). ISTATUS reads the
// condition while ENABLE is 1 (whatever IMASK says) and 0 while ENABLE is 0. The output (the
// interrupt) is ENABLE && !IMASK && condition. TVAL reads (CVAL − count)[31:0] as a signed value;
// writing TVAL sets CVAL = count + SignExtend(TVAL), modulo 2^64.

import type { StateReader, StateWriter } from "../snapshot/state-stream.js";
import { CNT_CTL_ENABLE, CNT_CTL_IMASK, CNT_CTL_ISTATUS, CNT_CTL_WRITABLE } from "./registers.js";
import { fromWords, hiWord, lessOrEqual, loWord, MAX_BELOW_2_64, ticksFrom, TWO_32, TWO_64 } from "./u64.js";

export class CompareTimer {
  /** ENABLE and IMASK (ISTATUS is computed on read). */
  ctl = 0;
  /** CompareValue bits [63:32] and [31:0]. */
  cvalHi = 0;
  cvalLo = 0;

  /** Reset: disabled; CVAL is UNKNOWN architecturally, zero here. */
  reset(): void {
    this.ctl = 0;
    this.cvalHi = 0;
    this.cvalLo = 0;
  }

  copyFrom(other: CompareTimer): void {
    this.ctl = other.ctl;
    this.cvalHi = other.cvalHi;
    this.cvalLo = other.cvalLo;
  }

  save(w: StateWriter): void {
    w.f64(this.ctl);
    w.f64(this.cvalHi);
    w.f64(this.cvalLo);
  }

  restore(r: StateReader): void {
    this.ctl = r.f64();
    this.cvalHi = r.f64();
    this.cvalLo = r.f64();
  }

  /** ENABLE set and IMASK clear: the timer can raise its interrupt. */
  get canFire(): boolean {
    return (this.ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) === CNT_CTL_ENABLE;
  }

  /** CompareValue <= count. */
  conditionMet(count: number): boolean {
    return lessOrEqual(this.cvalHi, this.cvalLo, count);
  }

  /** The interrupt output at `count`. */
  output(count: number): boolean {
    return this.canFire && this.conditionMet(count);
  }

  readCtl(count: number): number {
    const enabled = (this.ctl & CNT_CTL_ENABLE) !== 0;
    return enabled && this.conditionMet(count) ? this.ctl | CNT_CTL_ISTATUS : this.ctl;
  }

  writeCtl(value: number): void {
    this.ctl = value & CNT_CTL_WRITABLE;
  }

  /** CVAL as a float64 in [0, 2^64). */
  readCval(): number {
    return fromWords(this.cvalHi, this.cvalLo);
  }

  /**
   * `value` is hi * 2^32 + lo as MCRR passes it. Near the top of the range that sum rounds up to
   * 2^64, which must not wrap to 0 (CVAL = all ones means "never"): it saturates instead. Negative
   * values are taken modulo 2^64.
   */
  writeCval(value: number): void {
    const v = value >= TWO_64 ? MAX_BELOW_2_64 : value;
    this.cvalHi = hiWord(v);
    this.cvalLo = loWord(v);
  }

  writeCvalWords(hi: number, lo: number): void {
    this.cvalHi = hi >>> 0;
    this.cvalLo = lo >>> 0;
  }

  /** (CVAL − count)[31:0] as a signed 32-bit value. */
  readTval(count: number): number {
    return (this.cvalLo - loWord(count)) | 0;
  }

  /** CVAL = count + SignExtend(value[31:0]), modulo 2^64. */
  writeTval(count: number, value: number): void {
    let lo = loWord(count) + (value >>> 0);
    // Adding the sign extension's all-ones high word is subtracting one from the high word.
    let hi = hiWord(count) - ((value | 0) < 0 ? 1 : 0);
    if (lo >= TWO_32) {
      lo -= TWO_32;
      hi += 1;
    }
    this.cvalHi = hi >>> 0;
    this.cvalLo = lo;
  }

  /**
   * Counter ticks from `count` until the output rises: 0 if it is high already, Infinity if the timer
   * cannot fire (disabled or masked) or the compare value is 2^53 ticks or more away.
   */
  ticksUntilFire(count: number): number {
    if (!this.canFire) return Infinity;
    if (this.conditionMet(count)) return 0;
    return ticksFrom(this.cvalHi, this.cvalLo, count);
  }
}

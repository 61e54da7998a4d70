// VFPv3-D32 register file and system registers, as a Cortex-A15 without Advanced SIMD presents them.
// DDI 0406C B4.1.x (FPSID, FPSCR, FPEXC, MVFR0, MVFR1). The instructions live in vfp.ts and vfp-*.ts.

import { DOUBLE_ZERO } from "./double-field.js";

/** FPSID: ARM, VFPv3 common subarchitecture (v2), part 0x30, variant 0xf, revision 0 (Cortex-A15). */
export const FPSID_VALUE = 0x410430f0;
/** MVFR0: rounding modes, sqrt, divide, no short vectors, no trapping, double and single v3, 32 registers. */
export const MVFR0_VALUE = 0x10110222;
/** MVFR1: FZ and DN supported; every Advanced SIMD and half-precision field zero, so glibc picks no NEON
 * routines. */
export const MVFR1_VALUE = 0x00000011;

/** FPEXC.EN: VFP enabled. Linux clears it on a context switch and expects the next VFP instruction to UNDEF. */
export const FPEXC_EN = 1 << 30;

// FPSCR fields.
export const FPSCR_IOC = 1 << 0;
export const FPSCR_DZC = 1 << 1;
export const FPSCR_OFC = 1 << 2;
export const FPSCR_UFC = 1 << 3;
export const FPSCR_IXC = 1 << 4;
export const FPSCR_IDC = 1 << 7;
export const FPSCR_RMODE_SHIFT = 22;
export const FPSCR_FZ = 1 << 24;
export const FPSCR_DN = 1 << 25;
/**
 * Bits a VMSR can change: NZCV, DN, FZ, RMode and the cumulative exception flags. The trap enables are
 * RAZ/WI (no trapped exceptions), and so are Len and Stride (no short vectors: MVFR0[27:24] = 0), QC (no
 * Advanced SIMD) and AHP (no half-precision conversions).
 */
export const FPSCR_WRITABLE = 0xf3c0009f;

export class VfpState {
  /** D0..D31 as doubles; S0..S31 alias D0..D15 (S[2n] is the low half of D[n]; a little-endian host). */
  readonly buffer = new ArrayBuffer(32 * 8);
  readonly d = new Float64Array(this.buffer);
  readonly s = new Float32Array(this.buffer);
  /** Raw 32-bit view of the same storage, for moves that must keep NaN payloads: w[n] is S[n], and
   * D[n] is w[2n] (low word) and w[2n + 1] (high word). */
  readonly w = new Int32Array(this.buffer);
  /** FPSCR, as an unsigned 32-bit number. */
  fpscr = DOUBLE_ZERO;
  /** FPEXC, as an unsigned 32-bit number: only EN is implemented (EX is RAZ/WI: no asynchronous exceptions). */
  fpexc = 0;
  readonly fpsid = FPSID_VALUE;
  readonly mvfr0 = MVFR0_VALUE;
  readonly mvfr1 = MVFR1_VALUE;
  /** VLDM gathers its words here first, so an abort part way leaves the registers untouched. */
  readonly loadBuffer = new Int32Array(64);

  reset(): void {
    this.d.fill(0);
    this.fpscr = 0;
    this.fpexc = 0;
  }

  writeFpscr(value: number): void {
    this.fpscr = (value & FPSCR_WRITABLE) >>> 0;
  }

  writeFpexc(value: number): void {
    this.fpexc = (value & FPEXC_EN) >>> 0;
  }
}

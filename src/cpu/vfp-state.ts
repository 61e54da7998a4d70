// VFPv3-D32 register file and control registers.
// STUB: storage only; the instruction implementation lives in vfp.ts.

export class VfpState {
  /** D0..D31 as doubles; S0..S31 alias D0..D15 (S[2n] is the low half of D[n]). */
  readonly buffer = new ArrayBuffer(32 * 8);
  readonly d = new Float64Array(this.buffer);
  readonly s = new Float32Array(this.buffer);
  /** Raw 32-bit view of the same storage, for moves that must keep NaN payloads. */
  readonly w = new Int32Array(this.buffer);
  fpscr = 0;
  fpexc = 0;

  reset(): void {
    this.d.fill(0);
    this.fpscr = 0;
    this.fpexc = 0;
  }
}

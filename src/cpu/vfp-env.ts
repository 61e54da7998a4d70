// The floating-point environment of the instruction in progress: the FPSCR controls it obeys and the
// exception flags it raises. One module-level instance serves every core: an instruction runs to
// completion before another starts, and loads it from its own FPSCR first.

import {
  FPSCR_DN,
  FPSCR_FZ,
  FPSCR_IDC,
  FPSCR_IOC,
  FPSCR_IXC,
  FPSCR_OFC,
  FPSCR_RMODE_SHIFT,
  FPSCR_UFC,
  FPSCR_DZC,
} from "./vfp-state.js";

/** FPSCR.RMode values. */
export const RN = 0; // to nearest, ties to even
export const RP = 1; // towards plus infinity
export const RM = 2; // towards minus infinity
export const RZ = 3; // towards zero

export const EXC_IOC = FPSCR_IOC;
export const EXC_DZC = FPSCR_DZC;
export const EXC_OFC = FPSCR_OFC;
export const EXC_UFC = FPSCR_UFC;
export const EXC_IXC = FPSCR_IXC;
export const EXC_IDC = FPSCR_IDC;

export class FpEnv {
  rmode = RN;
  /** FPSCR.FZ: denormal inputs and tiny results become zero. */
  fz = false;
  /** FPSCR.DN: NaN results are the default NaN. */
  dn = false;
  /** Cumulative exception flags raised so far, at their FPSCR bit positions. */
  exc = 0;
  /** The words of the last NaN produced by a double-precision operation (which returns NaN). */
  nanHi = 0;
  nanLo = 0;

  load(fpscr: number): void {
    this.rmode = (fpscr >>> FPSCR_RMODE_SHIFT) & 3;
    this.fz = (fpscr & FPSCR_FZ) !== 0;
    this.dn = (fpscr & FPSCR_DN) !== 0;
    this.exc = 0;
  }
}

export const fpEnv = new FpEnv();

// Which generic-timer register a trapped CP15 access names, decoded from the HSR the way Hyp mode
// sees it (DDI 0406C B3.13.6). With CNTHCTL.PL1PCEN = 0 the guest's CNTP_CTL, CNTP_TVAL and
// CNTP_CVAL accesses trap; with PL1PCTEN = 0 its CNTPCT reads would too.
//
//   EC 0x03 (MCR/MRC):   ISS Opc2[19:17] Opc1[16:14] CRn[13:10] Rt[8:5] CRm[4:1] Direction[0]
//   EC 0x04 (MCRR/MRRC): ISS Opc1[19:16] Rt2[13:10] Rt[8:5] CRm[4:1] Direction[0]
//   Direction 1 = read (MRC/MRRC), 0 = write (MCR/MCRR).
//
//   CNTP_TVAL  MCR/MRC   p15, 0, Rt, c14, c2, 0
//   CNTP_CTL   MCR/MRC   p15, 0, Rt, c14, c2, 1
//   CNTP_CVAL  MCRR/MRRC p15, 2, Rt, Rt2, c14
//   CNTPCT     MRRC      p15, 0, Rt, Rt2, c14

import { EC } from "../cpu/exits.js";

export const TimerTrapReg = {
  NONE: 0,
  CNTP_CTL: 1,
  CNTP_TVAL: 2,
  CNTP_CVAL: 3,
  CNTPCT: 4,
} as const;

/** The register a timer trap names (a TimerTrapReg value); NONE for anything else. */
export function decodeTimerTrap(hsr: number): number {
  const ec = hsr >>> 26;
  if (ec === EC.CP15_32) {
    const opc2 = (hsr >>> 17) & 7;
    const opc1 = (hsr >>> 14) & 7;
    const crn = (hsr >>> 10) & 0xf;
    const crm = (hsr >>> 1) & 0xf;
    if (opc1 !== 0 || crn !== 14 || crm !== 2) return TimerTrapReg.NONE;
    if (opc2 === 0) return TimerTrapReg.CNTP_TVAL;
    if (opc2 === 1) return TimerTrapReg.CNTP_CTL;
    return TimerTrapReg.NONE;
  }
  if (ec === EC.CP15_64) {
    const opc1 = (hsr >>> 16) & 0xf;
    const crm = (hsr >>> 1) & 0xf;
    if (crm !== 14) return TimerTrapReg.NONE;
    if (opc1 === 2) return TimerTrapReg.CNTP_CVAL;
    // CNTPCT is read-only: MCRR to it is not a trap we answer.
    if (opc1 === 0 && isTrapRead(hsr)) return TimerTrapReg.CNTPCT;
    return TimerTrapReg.NONE;
  }
  return TimerTrapReg.NONE;
}

/** Direction bit: MRC/MRRC. */
export function isTrapRead(hsr: number): boolean {
  return (hsr & 1) === 1;
}

// Generic-timer register fields (DDI 0406C B4.1.21-B4.1.33 and B8.2), spelled as the ARM ARM
// spells them. The CP15 encodings are in the comments of src/vmm/vtimer-trap.ts, where the
// hypervisor decodes them from a trap syndrome.

export { PHYS_TIMER, VIRT_TIMER } from "../cpu/timer-regs.js";

/** The Hyp timer (CNTHP_*), the third timer of a core with the Virtualization Extensions. The
 * core's TimerRegisterFile selector names only the first two; this one continues the numbering. */
export const HYP_TIMER = 2;
/** Timers per core: physical, virtual, Hyp. */
export const TIMER_COUNT = 3;

// CNTP_CTL / CNTV_CTL / CNTHP_CTL.
export const CNT_CTL_ENABLE = 1 << 0;
export const CNT_CTL_IMASK = 1 << 1;
/** Read-only: the timer condition is met (reads 0 while ENABLE is 0). */
export const CNT_CTL_ISTATUS = 1 << 2;
/** The bits software can write. */
export const CNT_CTL_WRITABLE = CNT_CTL_ENABLE | CNT_CTL_IMASK;

// CNTKCTL (PL1 controls PL0 access and the event stream).
export const CNTKCTL_PL0PCTEN = 1 << 0;
export const CNTKCTL_PL0VCTEN = 1 << 1;
export const CNTKCTL_EVNTEN = 1 << 2;
export const CNTKCTL_EVNTDIR = 1 << 3;
export const CNTKCTL_EVNTI_SHIFT = 4;
export const CNTKCTL_PL0VTEN = 1 << 8;
export const CNTKCTL_PL0PTEN = 1 << 9;
export const CNTKCTL_MASK = 0x3ff;

// CNTHCTL (Hyp controls PL1 access to the physical counter and timer).
export const CNTHCTL_PL1PCTEN = 1 << 0;
export const CNTHCTL_PL1PCEN = 1 << 1;
export const CNTHCTL_EVNTEN = 1 << 2;
export const CNTHCTL_EVNTDIR = 1 << 3;
export const CNTHCTL_EVNTI_SHIFT = 4;
export const CNTHCTL_MASK = 0xff;

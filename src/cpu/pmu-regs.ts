// The performance monitors of a Cortex-A15 (PMUv2; DDI 0406C C12, Cortex-A15 TRM r4p0 chapter 11):
// register encodings as CP15 keys (CRn<<12 | opc1<<8 | CRm<<4 | opc2, as cp15.ts builds them),
// register bits and the event numbers counted here.

export const PMCR = 0x90c0;
export const PMCNTENSET = 0x90c1;
export const PMCNTENCLR = 0x90c2;
export const PMOVSR = 0x90c3;
export const PMSWINC = 0x90c4;
export const PMSELR = 0x90c5;
export const PMCEID0 = 0x90c6;
export const PMCEID1 = 0x90c7;
export const PMCCNTR = 0x90d0;
export const PMXEVTYPER = 0x90d1;
export const PMXEVCNTR = 0x90d2;
export const PMUSERENR = 0x90e0;
export const PMINTENSET = 0x90e1;
export const PMINTENCLR = 0x90e2;

/** True for the performance-monitor part of c9 (opc1 0, CRm c12-c14). */
export function isPmuKey(key: number): boolean {
  return key >= PMCR && key <= 0x90ef;
}

// PMCR (C12.8.7). IMP 0x41 (ARM), IDCODE 0x0F (Cortex-A15), N = 6: the A15 TRM's reset value.
export const PMCR_E = 1 << 0;
export const PMCR_P = 1 << 1;
export const PMCR_C = 1 << 2;
export const PMCR_D = 1 << 3;
export const PMCR_X = 1 << 4;
export const PMCR_DP = 1 << 5;
/** E, D, X and DP hold their value; P and C act and read as zero. */
export const PMCR_STORED = PMCR_E | PMCR_D | PMCR_X | PMCR_DP;
export const PMCR_N_SHIFT = 11;
export const PMU_COUNTERS = 6;
export const PMCR_ID = 0x410f0000;
export const PMCR_RESET = (PMCR_ID | (PMU_COUNTERS << PMCR_N_SHIFT)) >>> 0;

/** Bit 31 of PMCNTENSET/CLR, PMOVSR and PMINTENSET/CLR: the cycle counter. */
export const CYCLE_BIT = 1 << 31;
/** PMSELR.SEL (and PMSWINC bit index) naming the cycle counter: PMXEVTYPER is then PMCCFILTR. */
export const SEL_CYCLE = 31;

// PMXEVTYPER (and PMCCFILTR) filter bits: PL1 and PL0 exclusion, and their Non-secure twins.
export const EVT_P = 1 << 31;
export const EVT_U = 1 << 30;
export const EVT_NSK = 1 << 29;
export const EVT_NSU = 1 << 28;
export const EVT_NSH = 1 << 27;
export const EVT_FILTER = (EVT_P | EVT_U | EVT_NSK | EVT_NSU | EVT_NSH) >>> 0;
export const EVT_WRITABLE = (EVT_FILTER | 0xff) >>> 0;

/** PMUSERENR.EN: PL0 may use the performance monitors. */
export const PMUSERENR_EN = 1;

// Common architectural events (C12.9.1) that this PMU counts.
export const EV_SW_INCR = 0x00;
export const EV_INST_RETIRED = 0x08;
export const EV_EXC_TAKEN = 0x09;
export const EV_EXC_RETURN = 0x0a;
export const EV_PC_WRITE_RETIRED = 0x0c;
export const EV_CPU_CYCLES = 0x11;
export const EV_MEM_ACCESS = 0x13;

/** PMCEID0: one bit per implemented common event (0x00-0x1F), exactly the events above. */
export const PMCEID0_VALUE =
  (1 << EV_SW_INCR) |
  (1 << EV_INST_RETIRED) |
  (1 << EV_EXC_TAKEN) |
  (1 << EV_EXC_RETURN) |
  (1 << EV_PC_WRITE_RETIRED) |
  (1 << EV_CPU_CYCLES) |
  (1 << EV_MEM_ACCESS);
export const PMCEID1_VALUE = 0;

// HDCR (B4.1.67): what Hyp mode decides about the guest's performance monitors.
export const HDCR_HPMN_MASK = 0x1f;
export const HDCR_TPMCR = 1 << 5;
export const HDCR_TPM = 1 << 6;
export const HDCR_HPME = 1 << 7;
export const HDCR_RESET = PMU_COUNTERS;

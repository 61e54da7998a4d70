// CP15 register encodings (DDI 0406C B3.17, B8 for the generic timer), as one key per MCR/MRC
// encoding: (CRn << 12) | (opc1 << 8) | (CRm << 4) | opc2, so the hex digits read CRn, opc1, CRm,
// opc2. MCRR/MRRC keys are (opc1 << 4) | CRm.

export function cp15Key(crn: number, opc1: number, crm: number, opc2: number): number {
  return (crn << 12) | (opc1 << 8) | (crm << 4) | opc2;
}

// c0: identification (read-only).
export const MIDR = 0x0000;
export const CTR = 0x0001;
export const TCMTR = 0x0002;
export const TLBTR = 0x0003;
/** c0,c0,4 and c0,c0,7 are IMPLEMENTATION DEFINED aliases of MIDR on Cortex-A15. */
export const MIDR_ALIAS_4 = 0x0004;
export const MPIDR = 0x0005;
export const REVIDR = 0x0006;
export const MIDR_ALIAS_7 = 0x0007;
export const ID_PFR0 = 0x0010;
export const ID_PFR1 = 0x0011;
export const ID_DFR0 = 0x0012;
export const ID_AFR0 = 0x0013;
export const ID_MMFR0 = 0x0014;
export const ID_MMFR1 = 0x0015;
export const ID_MMFR2 = 0x0016;
export const ID_MMFR3 = 0x0017;
export const ID_ISAR0 = 0x0020;
export const ID_ISAR1 = 0x0021;
export const ID_ISAR2 = 0x0022;
export const ID_ISAR3 = 0x0023;
export const ID_ISAR4 = 0x0024;
export const ID_ISAR5 = 0x0025;
export const CCSIDR = 0x0100;
export const CLIDR = 0x0101;
export const AIDR = 0x0107;
export const CSSELR = 0x0200;

// c1: system control.
export const SCTLR = 0x1000;
export const ACTLR = 0x1001;
export const CPACR = 0x1002;

// c2, c3: translation table base and control, domains.
export const TTBR0 = 0x2000;
export const TTBR1 = 0x2001;
export const TTBCR = 0x2002;
export const DACR = 0x3000;

// c5, c6: fault status and address.
export const DFSR = 0x5000;
export const IFSR = 0x5001;
export const ADFSR = 0x5010;
export const AIFSR = 0x5011;
export const DFAR = 0x6000;
export const IFAR = 0x6002;

// c7: cache maintenance, VA to PA translation, barriers.
export const ICIALLUIS = 0x7010;
export const BPIALLIS = 0x7016;
export const PAR = 0x7040;
export const ICIALLU = 0x7050;
export const ICIMVAU = 0x7051;
export const CP15ISB = 0x7054;
export const BPIALL = 0x7056;
export const BPIMVA = 0x7057;
export const DCIMVAC = 0x7061;
export const DCISW = 0x7062;
export const ATS1CPR = 0x7080;
export const ATS1CPW = 0x7081;
export const ATS1CUR = 0x7082;
export const ATS1CUW = 0x7083;
export const DCCMVAC = 0x70a1;
export const DCCSW = 0x70a2;
export const CP15DSB = 0x70a4;
export const CP15DMB = 0x70a5;
export const DCCMVAU = 0x70b1;
export const DCCIMVAC = 0x70e1;
export const DCCISW = 0x70e2;

// c8: TLB maintenance.
export const TLBIALLIS = 0x8030;
export const TLBIMVAIS = 0x8031;
export const TLBIASIDIS = 0x8032;
export const TLBIMVAAIS = 0x8033;
export const ITLBIALL = 0x8050;
export const ITLBIMVA = 0x8051;
export const ITLBIASID = 0x8052;
export const DTLBIALL = 0x8060;
export const DTLBIMVA = 0x8061;
export const DTLBIASID = 0x8062;
export const TLBIALL = 0x8070;
export const TLBIMVA = 0x8071;
export const TLBIASID = 0x8072;
export const TLBIMVAA = 0x8073;

// c9: the Cortex-A15 L2 control registers (the performance monitors are in pmu-regs.ts).
export const L2CTLR = 0x9102;
export const L2ECTLR = 0x9103;

// c10: memory attribute remapping. With TTBCR.EAE = 1 the PRRR/NMRR encodings name MAIR0/MAIR1.
export const PRRR = 0xa020;
export const NMRR = 0xa021;
export const MAIR0 = PRRR;
export const MAIR1 = NMRR;
export const AMAIR0 = 0xa030;
export const AMAIR1 = 0xa031;

// c12, c13: vectors, process and thread IDs.
export const VBAR = 0xc000;
export const ISR = 0xc010;
export const FCSEIDR = 0xd000;
export const CONTEXTIDR = 0xd001;
export const TPIDRURW = 0xd002;
export const TPIDRURO = 0xd003;
export const TPIDRPRW = 0xd004;

// c14: generic timer (32-bit registers).
export const CNTFRQ = 0xe000;
export const CNTKCTL = 0xe010;
export const CNTP_TVAL = 0xe020;
export const CNTP_CTL = 0xe021;
export const CNTV_TVAL = 0xe030;
export const CNTV_CTL = 0xe031;

// MCRR/MRRC keys: (opc1 << 4) | CRm.
export const CNTPCT_64 = 0x0e;
export const CNTVCT_64 = 0x1e;
export const CNTP_CVAL_64 = 0x2e;
export const CNTV_CVAL_64 = 0x3e;
/** The 64-bit TTBR0, TTBR1 and PAR of the Large Physical Address Extension (B4.1.154-155, B4.1.112). */
export const TTBR0_64 = 0x02;
export const TTBR1_64 = 0x12;
export const PAR_64 = 0x07;

// SCTLR bits (B4.1.130).
export const SCTLR_M = 1 << 0;
export const SCTLR_A = 1 << 1;
export const SCTLR_C = 1 << 2;
export const SCTLR_CP15BEN = 1 << 5;
/** SWP/SWPB enable (the Multiprocessing Extensions make them UNDEFINED from reset). */
export const SCTLR_SW = 1 << 10;
export const SCTLR_Z = 1 << 11;
export const SCTLR_I = 1 << 12;
export const SCTLR_V = 1 << 13;
/** Round-robin cache replacement: no behaviour here, but the bit reads back as written. */
export const SCTLR_RR = 1 << 14;
export const SCTLR_TRE = 1 << 28;
export const SCTLR_AFE = 1 << 29;
export const SCTLR_TE = 1 << 30;
/** Bits 3, 4, 6, 16, 18, 22 (U), 23 (XP) read as one on ARMv7 with the Multiprocessing Extensions. */
export const SCTLR_RAO = 0x00c50058;
/** What a write can change: EE (big-endian exceptions) stays 0, WXN/UWXN/HA/FI/RR are not implemented. */
export const SCTLR_WRITABLE =
  SCTLR_M |
  SCTLR_A |
  SCTLR_C |
  SCTLR_CP15BEN |
  SCTLR_SW |
  SCTLR_Z |
  SCTLR_I |
  SCTLR_V |
  SCTLR_RR |
  SCTLR_TRE |
  SCTLR_AFE |
  SCTLR_TE;
export const SCTLR_RESET = 0x00c50078;

// TTBCR bits (B4.1.153). EAE selects the format of the translation tables and of TTBCR itself.
export const TTBCR_EAE = 1 << 31;
// Short-descriptor format (EAE = 0).
export const TTBCR_N = 7;
export const TTBCR_PD0 = 1 << 4;
export const TTBCR_PD1 = 1 << 5;
export const TTBCR_WRITABLE = TTBCR_N | TTBCR_PD0 | TTBCR_PD1;
// Long-descriptor format (EAE = 1).
export const TTBCR_T0SZ = 7;
export const TTBCR_EPD0 = 1 << 7;
export const TTBCR_T1SZ_SHIFT = 16;
export const TTBCR_A1 = 1 << 22;
export const TTBCR_EPD1 = 1 << 23;
/** T0SZ, EPD0, IRGN0/ORGN0/SH0 [13:8], T1SZ, A1, EPD1, IRGN1/ORGN1/SH1 [29:24] and EAE; bit 30
 * (IMPLEMENTATION DEFINED) and the UNK/SBZP fields read as zero. */
export const TTBCR_LONG_WRITABLE = TTBCR_EAE | 0x3fc73f87;

// CNTKCTL bits (B4.1.26).
export const CNTKCTL_PL0PCTEN = 1 << 0;
export const CNTKCTL_PL0VCTEN = 1 << 1;
export const CNTKCTL_PL0VTEN = 1 << 8;
export const CNTKCTL_PL0PTEN = 1 << 9;
export const CNTKCTL_WRITABLE = 0x3ff;
// CNTHCTL bits (B4.1.25).
export const CNTHCTL_PL1PCTEN = 1 << 0;
export const CNTHCTL_PL1PCEN = 1 << 1;

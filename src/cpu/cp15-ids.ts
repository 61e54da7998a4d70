// Identification register values of the emulated Cortex-A15 r4p0 (DDI 0406C B4.1, Cortex-A15
// TRM r4p0 4.3), as a guest at PL1 reads them. MIDR and MPIDR come from the hypervisor's
// VPIDR/VMPIDR (HypConfig). Where a value differs from the real part, the reason is given.

/** Cache Type: 64-byte lines, VIPT-like L1 I-cache policy field, ARMv7 format. */
export const CTR_VALUE = 0x8444c004;
/** Cache Level ID: separate L1 I/D, unified L2, LoUIS 1, LoC 2, LoUU 1. */
export const CLIDR_VALUE = 0x0a200023;
/** CCSIDR by CSSELR: 0 = L1 data, 1 = L1 instruction, 2 = L2 unified. */
export const CCSIDR_L1D = 0x701fe00a;
export const CCSIDR_L1I = 0x201fe00a;
export const CCSIDR_L2 = 0x711fe07a;

/** ARM, Thumb-2, trivial Jazelle, ThumbEE (TEECR/TEEHBR live in cp14.ts). */
export const ID_PFR0_VALUE = 0x00001131;
/**
 * Generic timer and the standard programmers' model, but neither the Security Extensions nor the
 * Virtualization Extensions: the guest runs at Non-secure PL1 with no Monitor mode and no Hyp mode
 * of its own (QEMU's virt machine without secure=on/virtualization=on presents the same). With
 * Security = 0, firmware such as u-boot does not try the Secure-to-Non-secure switch (SCR, MVBAR
 * and NSACR are UNDEFINED here). VBAR is kept, as QEMU does for every ARMv7-A core.
 */
export const ID_PFR1_VALUE = 0x00010001;
/**
 * No debug architecture and no performance monitors advertised. Linux's hw_breakpoint code reads
 * DBGDIDR through cp14 regardless of this register; cp14.ts answers it with 0 (version 0 =
 * unsupported), so Linux touches no other debug register.
 */
export const ID_DFR0_VALUE = 0;
export const ID_AFR0_VALUE = 0;
/**
 * VMSA support 5: VMSAv7 with PXN and the Long-descriptor format (LPAE), as on the real part and
 * in QEMU's Cortex-A15. Linux's non-LPAE armmp kernel only looks for PXN support (>= 4) and sets
 * PXN on user page tables; u-boot's qemu_arm uses the Long-descriptor format.
 */
export const ID_MMFR0_VALUE = 0x10201105;
export const ID_MMFR1_VALUE = 0x20000000;
export const ID_MMFR2_VALUE = 0x01240000;
export const ID_MMFR3_VALUE = 0x02102211;
/** ISAR0[27:24] = 2: SDIV/UDIV in ARM and Thumb. */
export const ID_ISAR0_VALUE = 0x02101110;
export const ID_ISAR1_VALUE = 0x13112111;
export const ID_ISAR2_VALUE = 0x21232041;
export const ID_ISAR3_VALUE = 0x11112131;
export const ID_ISAR4_VALUE = 0x10011142;
export const ID_ISAR5_VALUE = 0;
export const REVIDR_VALUE = 0;
export const TLBTR_VALUE = 0;
export const TCMTR_VALUE = 0;
export const AIDR_VALUE = 0;
/** L2CTLR: one processor in the cluster (bits [25:24] = number of processors - 1). */
export const L2CTLR_VALUE = 0;

/**
 * CPACR.ASEDIS/D32DIS read as zero: whether Advanced SIMD exists is said by MVFR1 alone (vfp.ts),
 * so this register does not have to agree with that choice.
 */
export const CPACR_RAO = 0;
/** Only the cp10 and cp11 access fields are writable. */
export const CPACR_WRITABLE = 0x00f00000;

/** Reset values of the remap registers on Cortex-A15. */
export const PRRR_RESET = 0x00098aa4;
export const NMRR_RESET = 0x44e048e0;

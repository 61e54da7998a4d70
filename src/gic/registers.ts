// GICv2 register map (ARM IHI 0048B): byte offsets of the distributor (GICD), the CPU interface
// (GICC, whose layout the virtual CPU interface GICV shares) and the virtual interface control
// block (GICH), with the bit fields the hypervisor and the hardware model both use.

// ---- Distributor (4.3) ----
export const GICD_CTLR = 0x000;
export const GICD_TYPER = 0x004;
export const GICD_IIDR = 0x008;
export const GICD_IGROUPR = 0x080;
export const GICD_ISENABLER = 0x100;
export const GICD_ICENABLER = 0x180;
export const GICD_ISPENDR = 0x200;
export const GICD_ICPENDR = 0x280;
export const GICD_ISACTIVER = 0x300;
export const GICD_ICACTIVER = 0x380;
export const GICD_IPRIORITYR = 0x400;
export const GICD_ITARGETSR = 0x800;
export const GICD_ICFGR = 0xc00;
export const GICD_SGIR = 0xf00;
export const GICD_CPENDSGIR = 0xf10;
export const GICD_SPENDSGIR = 0xf20;
// Peripheral and component ID registers (4.3.16 and the CoreSight layout).
export const GICD_PIDR4 = 0xfd0;
export const GICD_PIDR0 = 0xfe0;
export const GICD_PIDR2 = 0xfe8;
export const GICD_CIDR0 = 0xff0;
export const GICD_CIDR3 = 0xffc;
/** The distributor's register page. */
export const GICD_SIZE = 0x1000;

export const GICD_CTLR_ENABLE_GRP0 = 1 << 0;
export const GICD_CTLR_ENABLE_GRP1 = 1 << 1;

export const GICD_SGIR_TARGET_LIST_SHIFT = 16;
export const GICD_SGIR_FILTER_SHIFT = 24;
/** Bit 15; implemented only with the Security Extensions (this GIC has none, so it is ignored). */
export const GICD_SGIR_NSATT = 1 << 15;
export const SGIR_FILTER_LIST = 0;
export const SGIR_FILTER_ALL_BUT_SELF = 1;
export const SGIR_FILTER_SELF = 2;

/** ID register values of an Arm GICv2 (PIDR4..PIDR7, PIDR0..PIDR3, CIDR0..CIDR3); PIDR2[7:4] = 2 is
 * the architecture revision. */
export const GICD_ID_VALUES: readonly number[] = [
  0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1,
];

/** GICD_IIDR: implementer Arm (JEP106 0x43B), product and revision 0. */
export const GICD_IIDR_VALUE = 0x0000043b;

// Interrupt ID ranges (2.2.1).
export const SGI_COUNT = 16;
export const PRIVATE_COUNT = 32;
export const INTID_SPURIOUS = 1023;
/** Returned by GICC_IAR/HPPIR when the highest priority pending interrupt is Group 1 and AckCtl is 0. */
export const INTID_SPURIOUS_GRP1 = 1022;

/**
 * The per-interrupt distributor registers: each holds `bitsPerIrq` bits for every interrupt ID,
 * starting at `base` with interrupt 0. The first word of each (the first eight for the 8-bit ones)
 * is banked per CPU, since it covers the SGIs and PPIs. `byteAccess` is true where the spec allows
 * byte accesses besides word accesses (4.1.4).
 */
export interface PerIrqRegister {
  readonly name: string;
  readonly base: number;
  readonly bitsPerIrq: number;
  readonly byteAccess: boolean;
}

export const GICD_PER_IRQ_REGISTERS: readonly PerIrqRegister[] = [
  { name: "GICD_IGROUPR", base: GICD_IGROUPR, bitsPerIrq: 1, byteAccess: false },
  { name: "GICD_ISENABLER", base: GICD_ISENABLER, bitsPerIrq: 1, byteAccess: false },
  { name: "GICD_ICENABLER", base: GICD_ICENABLER, bitsPerIrq: 1, byteAccess: false },
  { name: "GICD_ISPENDR", base: GICD_ISPENDR, bitsPerIrq: 1, byteAccess: false },
  { name: "GICD_ICPENDR", base: GICD_ICPENDR, bitsPerIrq: 1, byteAccess: false },
  { name: "GICD_ISACTIVER", base: GICD_ISACTIVER, bitsPerIrq: 1, byteAccess: false },
  { name: "GICD_ICACTIVER", base: GICD_ICACTIVER, bitsPerIrq: 1, byteAccess: false },
  { name: "GICD_IPRIORITYR", base: GICD_IPRIORITYR, bitsPerIrq: 8, byteAccess: true },
  { name: "GICD_ITARGETSR", base: GICD_ITARGETSR, bitsPerIrq: 8, byteAccess: true },
  { name: "GICD_ICFGR", base: GICD_ICFGR, bitsPerIrq: 2, byteAccess: false },
];

/** The per-interrupt register holding `offset`, or undefined. Each spans 1024 interrupts. */
export function perIrqRegisterAt(offset: number): PerIrqRegister | undefined {
  for (const r of GICD_PER_IRQ_REGISTERS) {
    if (offset >= r.base && offset < r.base + (1024 * r.bitsPerIrq) / 8) return r;
  }
  return undefined;
}

// ---- CPU interface (4.4); the virtual CPU interface GICV has the same layout (5.5) ----
export const GICC_CTLR = 0x0000;
export const GICC_PMR = 0x0004;
export const GICC_BPR = 0x0008;
export const GICC_IAR = 0x000c;
export const GICC_EOIR = 0x0010;
export const GICC_RPR = 0x0014;
export const GICC_HPPIR = 0x0018;
export const GICC_ABPR = 0x001c;
export const GICC_AIAR = 0x0020;
export const GICC_AEOIR = 0x0024;
export const GICC_AHPPIR = 0x0028;
export const GICC_APR0 = 0x00d0;
export const GICC_APR3 = 0x00dc;
export const GICC_NSAPR0 = 0x00e0;
export const GICC_NSAPR3 = 0x00ec;
export const GICC_IIDR = 0x00fc;
export const GICC_DIR = 0x1000;
/** Size of the CPU interface frame the guest uses (two 4 KiB pages: DIR is on the second). */
export const GICC_SIZE = 0x2000;

// GICV_CTLR bits (5.5.1); the same bits sit at the same places in GICH_VMCR.
export const GICV_CTLR_ENABLE_GRP0 = 1 << 0;
export const GICV_CTLR_ENABLE_GRP1 = 1 << 1;
export const GICV_CTLR_ACKCTL = 1 << 2;
export const GICV_CTLR_FIQEN = 1 << 3;
export const GICV_CTLR_CBPR = 1 << 4;
export const GICV_CTLR_EOIMODE = 1 << 9;
export const GICV_CTLR_MASK = 0x21f;

/** GICV_IIDR: architecture version 2, implementer Arm. */
export const GICV_IIDR_VALUE = 0x0002043b;

// ---- Virtual interface control (GICH, 5.3) ----
export const GICH_HCR = 0x000;
export const GICH_VTR = 0x004;
export const GICH_VMCR = 0x008;
export const GICH_MISR = 0x010;
export const GICH_EISR0 = 0x020;
export const GICH_EISR1 = 0x024;
export const GICH_ELRSR0 = 0x030;
export const GICH_ELRSR1 = 0x034;
export const GICH_APR = 0x0f0;
export const GICH_LR0 = 0x100;
/** GICH_LRn is at GICH_LR0 + 4n, n < 64. */
export const GICH_LR_MAX = 64;
export const GICH_SIZE = 0x200;

export const GICH_HCR_EN = 1 << 0;
export const GICH_HCR_UIE = 1 << 1;
export const GICH_HCR_LRENPIE = 1 << 2;
export const GICH_HCR_NPIE = 1 << 3;
export const GICH_HCR_VGRP0EIE = 1 << 4;
export const GICH_HCR_VGRP0DIE = 1 << 5;
export const GICH_HCR_VGRP1EIE = 1 << 6;
export const GICH_HCR_VGRP1DIE = 1 << 7;
export const GICH_HCR_EOICOUNT_SHIFT = 27;
export const GICH_HCR_WRITABLE = 0xf80000ff;

export const GICH_VTR_PREBITS_SHIFT = 26;
export const GICH_VTR_PRIBITS_SHIFT = 29;

// GICH_VMCR fields (5.3.4): the guest-visible CTLR bits plus the binary points and priority mask.
export const GICH_VMCR_VMABP_SHIFT = 18;
export const GICH_VMCR_VMBP_SHIFT = 21;
export const GICH_VMCR_VMPRIMASK_SHIFT = 27;
export const GICH_VMCR_WRITABLE = 0xf8fc021f;

// GICH_MISR bits (5.3.5), in the same positions as their enables in GICH_HCR.
export const GICH_MISR_EOI = 1 << 0;
export const GICH_MISR_U = 1 << 1;
export const GICH_MISR_LRENP = 1 << 2;
export const GICH_MISR_NP = 1 << 3;
export const GICH_MISR_VGRP0E = 1 << 4;
export const GICH_MISR_VGRP0D = 1 << 5;
export const GICH_MISR_VGRP1E = 1 << 6;
export const GICH_MISR_VGRP1D = 1 << 7;

// GICH_LRn fields (5.3.9).
export const GICH_LR_VIRTUALID_MASK = 0x3ff;
export const GICH_LR_PHYSICALID_SHIFT = 10;
export const GICH_LR_PHYSICALID_MASK = 0x3ff << 10;
/** With HW = 0: bits [12:10] hold the source CPU of an SGI (it appears in GICV_IAR[12:10]). */
export const GICH_LR_CPUID_SHIFT = 10;
export const GICH_LR_CPUID_MASK = 7 << 10;
/** With HW = 0: request an EOI maintenance interrupt when the interrupt is deactivated. */
export const GICH_LR_EOI = 1 << 19;
export const GICH_LR_PRIORITY_SHIFT = 23;
export const GICH_LR_PRIORITY_MASK = 0x1f << 23;
export const GICH_LR_STATE_SHIFT = 28;
export const GICH_LR_STATE_MASK = 3 << 28;
export const GICH_LR_PENDING = 1 << 28;
export const GICH_LR_ACTIVE = 1 << 29;
export const GICH_LR_GRP1 = 1 << 30;
export const GICH_LR_HW = 1 << 31;
/** Bits [22:20] are reserved. */
export const GICH_LR_WRITABLE = 0xff8fffff;

// LR State field values.
export const LR_STATE_INVALID = 0;
export const LR_STATE_PENDING = 1;
export const LR_STATE_ACTIVE = 2;
export const LR_STATE_PENDING_ACTIVE = 3;

/** Priority bits the virtual interface implements (GICH_VTR.PRIbits + 1): LRs hold priority[7:3]. */
export const VIRTUAL_PRIORITY_BITS = 5;
/** Mask of the implemented bits of an 8-bit priority. */
export const PRIORITY_MASK = (0xff << (8 - VIRTUAL_PRIORITY_BITS)) & 0xff;

// The board: QEMU's `virt` machine as a 32-bit guest sees it. This table is the one place that
// knows addresses, sizes, interrupt numbers and compatible strings; the MMIO bus mapping
// (virt-bus.ts) and the device tree (virt-dtb.ts) are both made from it.
//
//   0x0000_0000  flash bank 0 (firmware, --bios)   64 MiB  CFI flash (--pflash)
//   0x0400_0000  flash bank 1                      64 MiB  u-boot's environment lives here
//   0x0800_0000  GIC distributor (GICD)            64 KiB
//   0x0801_0000  GIC CPU interface (GICC -> GICV)   8 KiB used of a 64 KiB slot
//   0x0900_0000  PL011 UART                         4 KiB   SPI 1  (INTID 33) level
//   0x0901_0000  PL031 RTC                          4 KiB   SPI 2  (INTID 34) level
//   0x0A00_0000  virtio-mmio slot n (0..31)   + 0x200*n     SPI 16+n (INTID 48+n) edge
//   0x4000_0000  RAM                                --mem, at most 3 GiB (the 32-bit space ends)

export type DeviceKind = "flash" | "gic-distributor" | "gic-cpu-interface" | "pl011" | "pl031" | "virtio-mmio";

export type Trigger = "level" | "edge";

export interface BoardIrq {
  /** Shared peripheral interrupt number: GIC INTID = GIC_SPI_BASE + spi. */
  readonly spi: number;
  readonly trigger: Trigger;
}

export interface BoardEntry {
  /** Unique name, used by the bus and in messages. */
  readonly name: string;
  readonly kind: DeviceKind;
  /** First guest physical address and window size in bytes. */
  readonly base: number;
  readonly size: number;
  readonly irq: BoardIrq | null;
  /** Device tree node name (before "@unit-address") and compatible list; null when the device is
   * described elsewhere (the GIC CPU interface is part of the GIC node) or not at all (flash). */
  readonly dtNode: string | null;
  readonly compatible: readonly string[];
}

/** First INTID of the shared peripheral interrupts, and of the private peripheral interrupts. */
export const GIC_SPI_BASE = 32;
export const GIC_PPI_BASE = 16;
/** GICv2 serves at most eight CPUs. */
export const VIRT_MAX_VCPUS = 8;

export const VIRT_RAM_BASE = 0x4000_0000;
/** RAM may reach the top of the 32-bit physical address space (no LPAE). */
export const VIRT_RAM_MAX = 0x1_0000_0000 - VIRT_RAM_BASE;

export const VIRT_VIRTIO_BASE = 0x0a00_0000;
export const VIRT_VIRTIO_SLOT_SIZE = 0x200;
export const VIRT_VIRTIO_SLOTS = 32;
export const VIRT_VIRTIO_FIRST_SPI = 16;

function virtioSlots(): BoardEntry[] {
  const slots: BoardEntry[] = [];
  for (let n = 0; n < VIRT_VIRTIO_SLOTS; n++) {
    slots.push({
      name: `virtio${n}`,
      kind: "virtio-mmio",
      base: VIRT_VIRTIO_BASE + VIRT_VIRTIO_SLOT_SIZE * n,
      size: VIRT_VIRTIO_SLOT_SIZE,
      irq: { spi: VIRT_VIRTIO_FIRST_SPI + n, trigger: "edge" },
      dtNode: "virtio_mmio",
      compatible: ["virtio,mmio"],
    });
  }
  return slots;
}

/** The virt machine's devices, in address order. */
export const VIRT_BOARD: readonly BoardEntry[] = [
  {
    name: "flash",
    kind: "flash",
    base: 0x0000_0000,
    size: 0x0400_0000,
    irq: null,
    dtNode: "flash", // one "cfi-flash" node for both banks
    compatible: ["cfi-flash"],
  },
  {
    // QEMU's second bank: u-boot's qemu_arm build keeps its environment at 0x04000000 (and checks
    // its CRC). Without a backing file QEMU's bank is all zeros, which u-boot reports as a bad CRC
    // and uses its default environment.
    name: "flash1",
    kind: "flash",
    base: 0x0400_0000,
    size: 0x0400_0000,
    irq: null,
    dtNode: null,
    compatible: [],
  },
  {
    name: "gicd",
    kind: "gic-distributor",
    base: 0x0800_0000,
    size: 0x1_0000,
    irq: null,
    dtNode: "intc",
    compatible: ["arm,cortex-a15-gic"],
  },
  {
    name: "gicc",
    kind: "gic-cpu-interface",
    base: 0x0801_0000,
    size: 0x2000,
    irq: null,
    dtNode: null, // the second reg entry of the GIC node
    compatible: [],
  },
  {
    name: "uart",
    kind: "pl011",
    base: 0x0900_0000,
    size: 0x1000,
    irq: { spi: 1, trigger: "level" },
    dtNode: "pl011",
    compatible: ["arm,pl011", "arm,primecell"],
  },
  {
    name: "rtc",
    kind: "pl031",
    base: 0x0901_0000,
    size: 0x1000,
    irq: { spi: 2, trigger: "level" },
    dtNode: "pl031",
    compatible: ["arm,pl031", "arm,primecell"],
  },
  ...virtioSlots(),
];

/** The entry named `name`; throws for an unknown name (a programming error). */
export function virtEntry(name: string): BoardEntry {
  const entry = VIRT_BOARD.find((e) => e.name === name);
  if (entry === undefined) throw new Error(`no board entry "${name}"`);
  return entry;
}

export const VIRT_FLASH = virtEntry("flash");
export const VIRT_FLASH1 = virtEntry("flash1");
/** Bytes of the flash banks' data bus (the device tree's bank-width). */
export const VIRT_FLASH_BANK_WIDTH = 4;
export const VIRT_GICD = virtEntry("gicd");
export const VIRT_GICC = virtEntry("gicc");
export const VIRT_UART = virtEntry("uart");
export const VIRT_RTC = virtEntry("rtc");

/** The GIC INTID an entry's interrupt arrives on. */
export function intidOf(irq: BoardIrq): number {
  return GIC_SPI_BASE + irq.spi;
}

/** "name@unit-address" for an entry's device tree node (unit address in lowercase hex). */
export function dtNodeName(entry: BoardEntry): string {
  if (entry.dtNode === null) throw new Error(`board entry "${entry.name}" has no device tree node`);
  return `${entry.dtNode}@${entry.base.toString(16)}`;
}

// Private peripheral interrupts, per CPU (PPI number; INTID = GIC_PPI_BASE + PPI).
/** The PMU's overflow interrupt (QEMU's VIRTUAL_PMU_IRQ). */
export const PPI_PMU = 7;
export const PPI_GIC_MAINTENANCE = 9;
export const PPI_TIMER_HYP = 10;
export const PPI_TIMER_VIRT = 11;
export const PPI_TIMER_SECURE_PHYS = 13;
export const PPI_TIMER_NONSECURE_PHYS = 14;

/** The generic timer's PPIs in the order the arm,armv7-timer binding lists them. */
export const TIMER_DT_PPIS = [PPI_TIMER_SECURE_PHYS, PPI_TIMER_NONSECURE_PHYS, PPI_TIMER_VIRT, PPI_TIMER_HYP] as const;

// GIC interrupt specifier encoding (arm,gic binding: <type number flags>).
export const GIC_DT_SPI = 0;
export const GIC_DT_PPI = 1;
export const GIC_DT_EDGE_RISING = 1;
export const GIC_DT_LEVEL_HIGH = 4;
/** PPI flags carry a CPU mask in bits [15:8]. */
export const GIC_DT_PPI_CPU_SHIFT = 8;

/** The 24 MHz APB clock PrimeCell drivers ask for. */
export const APB_PCLK_HZ = 24_000_000;

export const CPU_COMPATIBLE = "arm,cortex-a15";
export const PMU_COMPATIBLE = "arm,cortex-a15-pmu";

// PSCI function IDs (PSCI 0.2+, SMC32) advertised for the pre-0.2 binding, as QEMU does. The
// hypervisor's PSCI implementation must answer these.
export const PSCI_0_2_FN_CPU_SUSPEND = 0x8400_0001;
export const PSCI_0_2_FN_CPU_OFF = 0x8400_0002;
export const PSCI_0_2_FN_CPU_ON = 0x8400_0003;
export const PSCI_0_2_FN_MIGRATE = 0x8400_0005;

/** SPIs the distributor implements (INTIDs 32..95: the UART, RTC and all virtio-mmio slots). */
export const VIRT_SPIS = 64;

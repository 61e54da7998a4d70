// The virt machine's device tree, made from the board table (virt.ts). The layout follows QEMU's
// virt machine for a 32-bit guest so the same kernels, firmware and bare-metal programs run:
// #address-cells = #size-cells = 2 at the root (every reg and linux,initrd-* uses two cells, as in
// QEMU), PrimeCell devices with the apb-pclk clock their AMBA driver needs, a GICv2 without the
// virtualization extension regions (the guest gets no GICH/GICV), the generic timer's four PPIs,
// and PSCI over HVC.

import { FdtNode, serializeFdt, u64Cells, type FdtWriteOptions } from "./fdt.js";
import {
  APB_PCLK_HZ,
  CPU_COMPATIBLE,
  GIC_DT_EDGE_RISING,
  GIC_DT_LEVEL_HIGH,
  GIC_DT_PPI,
  GIC_DT_PPI_CPU_SHIFT,
  GIC_DT_SPI,
  PSCI_0_2_FN_CPU_OFF,
  PSCI_0_2_FN_CPU_ON,
  PSCI_0_2_FN_CPU_SUSPEND,
  PSCI_0_2_FN_MIGRATE,
  PMU_COMPATIBLE,
  PPI_PMU,
  TIMER_DT_PPIS,
  VIRT_BOARD,
  VIRT_FLASH1,
  VIRT_FLASH_BANK_WIDTH,
  VIRT_GICC,
  VIRT_GICD,
  VIRT_MAX_VCPUS,
  VIRT_RAM_BASE,
  VIRT_RAM_MAX,
  VIRT_UART,
  VIRT_VIRTIO_BASE,
  VIRT_VIRTIO_SLOT_SIZE,
  dtNodeName,
  type BoardEntry,
} from "./virt.js";

export interface VirtDtConfig {
  /** RAM size in bytes (RAM starts at VIRT_RAM_BASE). */
  ramSize: number;
  vcpus: number;
  /** Kernel command line for /chosen/bootargs (omitted when undefined). */
  bootargs?: string;
  /** Guest physical range of the initrd, [start, end). */
  initrd?: { start: number; end: number } | null;
  /** /chosen/stdout-path; defaults to the PL011's node. */
  stdoutPath?: string;
  /** The virtio-mmio slots that hold a device; only these get a node (default: none). */
  virtioSlots?: readonly number[];
  /** The flash banks are there: one cfi-flash node covers both, as QEMU's. */
  flash?: boolean;
}

// Phandles of the nodes others refer to.
export const PHANDLE_APB_PCLK = 1;
export const PHANDLE_GIC = 2;

const PAGE = 0x1000;

function regCells(base: number, size: number): number[] {
  return [...u64Cells(base), ...u64Cells(size)];
}

/** The interrupt specifier of a board entry's SPI. */
function spiSpecifier(entry: BoardEntry): number[] {
  if (entry.irq === null) throw new Error(`board entry "${entry.name}" has no interrupt`);
  const flags = entry.irq.trigger === "level" ? GIC_DT_LEVEL_HIGH : GIC_DT_EDGE_RISING;
  return [GIC_DT_SPI, entry.irq.spi, flags];
}

function validate(config: VirtDtConfig): void {
  const { ramSize, vcpus } = config;
  if (!Number.isInteger(vcpus) || vcpus < 1 || vcpus > VIRT_MAX_VCPUS) {
    throw new RangeError(`vcpu count ${vcpus} must be 1..${VIRT_MAX_VCPUS} (GICv2)`);
  }
  if (!Number.isInteger(ramSize) || ramSize <= 0 || ramSize % PAGE !== 0 || ramSize > VIRT_RAM_MAX) {
    throw new RangeError(`RAM size ${ramSize} must be a positive multiple of 4 KiB up to ${VIRT_RAM_MAX >>> 20} MiB`);
  }
  const initrd = config.initrd;
  if (initrd) {
    const end = VIRT_RAM_BASE + ramSize;
    if (!(initrd.start >= VIRT_RAM_BASE && initrd.start <= initrd.end && initrd.end <= end)) {
      throw new RangeError(`initrd range 0x${initrd.start.toString(16)}-0x${initrd.end.toString(16)} is not in RAM`);
    }
  }
}

/** Builds the tree (not yet serialized). Throws RangeError on an impossible configuration. */
export function buildVirtDeviceTree(config: VirtDtConfig): FdtNode {
  validate(config);
  const root = new FdtNode("");
  root.setCells("interrupt-parent", PHANDLE_GIC);
  root.setCells("#size-cells", 2);
  root.setCells("#address-cells", 2);
  root.setString("model", "linux,dummy-virt");
  root.setString("compatible", "linux,dummy-virt");

  const chosen = root.addNode("chosen");
  if (config.bootargs !== undefined) chosen.setString("bootargs", config.bootargs);
  chosen.setString("stdout-path", config.stdoutPath ?? `/${dtNodeName(VIRT_UART)}`);
  if (config.initrd) {
    chosen.setCells("linux,initrd-start", ...u64Cells(config.initrd.start));
    chosen.setCells("linux,initrd-end", ...u64Cells(config.initrd.end));
  }

  root.addNode("aliases").setString("serial0", `/${dtNodeName(VIRT_UART)}`);

  root
    .addNode(`memory@${VIRT_RAM_BASE.toString(16)}`)
    .setString("device_type", "memory")
    .setCells("reg", ...regCells(VIRT_RAM_BASE, config.ramSize));

  const cpus = root.addNode("cpus");
  cpus.setCells("#address-cells", 1);
  cpus.setCells("#size-cells", 0);
  for (let n = 0; n < config.vcpus; n++) {
    // reg is MPIDR[23:0]: one cluster, Aff0 = n.
    cpus
      .addNode(`cpu@${n.toString(16)}`)
      .setString("device_type", "cpu")
      .setString("compatible", CPU_COMPATIBLE)
      .setCells("reg", n)
      .setString("enable-method", "psci");
  }

  root
    .addNode("psci")
    .setStrings("compatible", "arm,psci-1.0", "arm,psci-0.2", "arm,psci")
    .setString("method", "hvc")
    .setCells("cpu_suspend", PSCI_0_2_FN_CPU_SUSPEND)
    .setCells("cpu_off", PSCI_0_2_FN_CPU_OFF)
    .setCells("cpu_on", PSCI_0_2_FN_CPU_ON)
    .setCells("migrate", PSCI_0_2_FN_MIGRATE);

  root
    .addNode(dtNodeName(VIRT_GICD))
    .setCells("phandle", PHANDLE_GIC)
    .setCells("reg", ...regCells(VIRT_GICD.base, VIRT_GICD.size), ...regCells(VIRT_GICC.base, VIRT_GICC.size))
    .setStrings("compatible", ...VIRT_GICD.compatible)
    .setEmpty("interrupt-controller")
    .setCells("#interrupt-cells", 3)
    // No children and no interrupt-map parents: zero address cells (dtc asks for the property).
    .setCells("#address-cells", 0);

  // PPI flags name the CPUs the interrupt is wired to, as a mask in bits [15:8].
  const ppiFlags = (((1 << config.vcpus) - 1) << GIC_DT_PPI_CPU_SHIFT) | GIC_DT_LEVEL_HIGH;
  root
    .addNode("timer")
    .setEmpty("always-on")
    .setCells("interrupts", ...TIMER_DT_PPIS.flatMap((ppi) => [GIC_DT_PPI, ppi, ppiFlags]))
    .setString("compatible", "arm,armv7-timer");

  // The performance monitors' overflow PPI, as QEMU's virt describes its PMU (for ARMv8 cores).
  root.addNode("pmu").setCells("interrupts", GIC_DT_PPI, PPI_PMU, ppiFlags).setString("compatible", PMU_COMPATIBLE);

  root
    .addNode("apb-pclk")
    .setCells("phandle", PHANDLE_APB_PCLK)
    .setString("clock-output-names", "clk24mhz")
    .setCells("clock-frequency", APB_PCLK_HZ)
    .setCells("#clock-cells", 0)
    .setString("compatible", "fixed-clock");

  const occupied = new Set((config.virtioSlots ?? []).map((n) => VIRT_VIRTIO_BASE + VIRT_VIRTIO_SLOT_SIZE * n));
  for (const entry of VIRT_BOARD) {
    switch (entry.kind) {
      case "pl011":
        root
          .addNode(dtNodeName(entry))
          .setStrings("clock-names", "uartclk", "apb_pclk")
          .setCells("clocks", PHANDLE_APB_PCLK, PHANDLE_APB_PCLK)
          .setCells("interrupts", ...spiSpecifier(entry))
          .setCells("reg", ...regCells(entry.base, entry.size))
          .setStrings("compatible", ...entry.compatible);
        break;
      case "pl031":
        root
          .addNode(dtNodeName(entry))
          .setString("clock-names", "apb_pclk")
          .setCells("clocks", PHANDLE_APB_PCLK)
          .setCells("interrupts", ...spiSpecifier(entry))
          .setCells("reg", ...regCells(entry.base, entry.size))
          .setStrings("compatible", ...entry.compatible);
        break;
      case "virtio-mmio":
        if (!occupied.has(entry.base)) break;
        root
          .addNode(dtNodeName(entry))
          .setEmpty("dma-coherent")
          .setCells("interrupts", ...spiSpecifier(entry))
          .setCells("reg", ...regCells(entry.base, entry.size))
          .setStrings("compatible", ...entry.compatible);
        break;
      case "flash":
        // QEMU's node: both banks in one, bank-width 4 (virt.c's virt_flash_fdt).
        if (config.flash !== true || entry.dtNode === null) break;
        root
          .addNode(dtNodeName(entry))
          .setCells("bank-width", VIRT_FLASH_BANK_WIDTH)
          .setCells("reg", ...regCells(entry.base, entry.size), ...regCells(VIRT_FLASH1.base, VIRT_FLASH1.size))
          .setString("compatible", "cfi-flash");
        break;
      default:
        break; // GIC: above
    }
  }
  return root;
}

/** Free space left in the DTB for software that edits it in place (u-boot's fixups, for one). */
export const VIRT_DTB_EXTRA_SPACE = 0x1000;

/** The virt machine's DTB. */
export function buildVirtDtb(config: VirtDtConfig, options: FdtWriteOptions = {}): Uint8Array {
  return serializeFdt(buildVirtDeviceTree(config), { extraSpace: VIRT_DTB_EXTRA_SPACE, ...options });
}

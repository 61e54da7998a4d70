// The boot plan for the virt board: the loaders of plan.ts with the board's memory map and its
// device tree.

import { buildVirtDtb } from "../board/virt-dtb.js";
import { VIRT_FLASH, VIRT_RAM_BASE } from "../board/virt.js";
import { BootError } from "./boot-error.js";
import { planBoot, type BootPlan, type InitrdRange } from "./plan.js";

export interface VirtBootConfig {
  ramSize: number;
  vcpus: number;
  bootargs?: string;
  kernel?: Uint8Array | null;
  initrd?: Uint8Array | null;
  bios?: Uint8Array | null;
  /** A device tree to use instead of the generated one (`--dtb`). */
  dtb?: Uint8Array | null;
  /** Occupied virtio-mmio slots, described in the device tree. */
  virtioSlots?: readonly number[];
  /** The board has its flash banks (a cfi-flash node in the device tree). */
  flash?: boolean;
  /** Boot from flash bank 0 as it is (a --pflash image holds the firmware). */
  flashBoot?: boolean;
}

/** Throws BootError for bad files and for a configuration the board cannot have (RAM size, vcpus). */
export function planVirtBoot(config: VirtBootConfig): BootPlan {
  try {
    return planOn(config);
  } catch (e) {
    if (e instanceof RangeError) throw new BootError(e.message, "machine");
    throw e;
  }
}

/** The generated device tree for `config`, with /chosen naming the initrd. */
export function virtDtb(config: VirtBootConfig, initrd: InitrdRange | null = null): Uint8Array {
  return buildVirtDtb({
    ramSize: config.ramSize,
    vcpus: config.vcpus,
    bootargs: config.bootargs,
    initrd,
    virtioSlots: config.virtioSlots,
    flash: config.flash,
  });
}

function planOn(config: VirtBootConfig): BootPlan {
  return planBoot({
    ram: { base: VIRT_RAM_BASE, size: config.ramSize },
    flash: { base: VIRT_FLASH.base, size: VIRT_FLASH.size },
    kernel: config.kernel,
    initrd: config.initrd,
    bios: config.bios,
    flashBoot: config.flashBoot,
    makeDtb: (initrd) => config.dtb ?? virtDtb(config, initrd),
  });
}

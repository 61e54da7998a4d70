// Turns the user's files into a boot plan: which bytes go where in guest memory, and the boot
// vcpu's entry state. A pure description, applied by the hypervisor; nothing here touches memory.
//
// What is loaded where (RAM at ram.base, flash at flash.base):
// - Firmware (--bios, e.g. u-boot's qemu_arm build): at the start of flash, entered at its first
//   word from the reset state, with the DTB at the start of RAM where that firmware looks for it.
// - zImage: at RAM + 0x10000 (as QEMU; the Linux boot protocol allows anywhere in the first
//   128 MiB), or at the header's link address when it is not position independent.
// - Uncompressed Linux Image: at the first 16 MiB-aligned RAM address + 0x8000 (TEXT_OFFSET).
// - Raw image (anything else): at RAM + 0x10000.
// - ELF: each PT_LOAD segment at its p_paddr, in RAM or flash; entry from the header (bit 0 =
//   Thumb). As QEMU does for ELF, the DTB goes at the start of RAM when it fits below the image.
// Kernels start with the Linux register state: r0 = 0, r1 = 0xFFFFFFFF (no machine number: DT
// boot), r2 = DTB address; SVC mode with asynchronous aborts, IRQ and FIQ masked, MMU and caches
// off (the core's reset state). Firmware starts with r0-r2 = 0.
//
// The initrd and DTB go high enough that the kernel cannot overwrite them while it decompresses
// and clears its .bss: like QEMU, at RAM + 128 MiB or half-way up RAM when RAM is under 256 MiB,
// but never below the kernel's footprint (for a zImage: the decompressed kernel plus the
// decompressor relocated above it). The initrd comes first, then the DTB, each 4 KiB aligned.
// Both stay in the first 128 MiB + initrd, well inside the kernel's lowmem mapping.

import { Mode, PSR_A, PSR_F, PSR_I, PSR_T } from "../cpu/state.js";
import { BootError, hex32 } from "./boot-error.js";
import { isElf, parseElf } from "./elf.js";
import { LINUX_TEXT_OFFSET, isLinuxImage } from "./linux-image.js";
import { isZImage, parseZImage } from "./zimage.js";

export interface MemoryRange {
  base: number;
  size: number;
}

export interface InitrdRange {
  start: number;
  /** One past the last byte. */
  end: number;
}

export interface BootInput {
  ram: MemoryRange;
  flash: MemoryRange;
  kernel?: Uint8Array | null;
  initrd?: Uint8Array | null;
  bios?: Uint8Array | null;
  /** With no kernel and no firmware: boot the firmware already in flash (QEMU's pflash0). */
  flashBoot?: boolean;
  /** Builds the DTB once the initrd's place is known (its /chosen names the range). */
  makeDtb(initrd: InitrdRange | null): Uint8Array;
}

export type BootKind = "zimage" | "image" | "raw" | "elf" | "firmware";

export interface MemoryWrite {
  addr: number;
  bytes: Uint8Array;
  /** What the bytes are, for messages ("kernel", "initrd", "dtb", ...). */
  what: string;
}

export interface BootPlan {
  kind: BootKind;
  /** Non-overlapping; each lies entirely in RAM or flash. */
  writes: MemoryWrite[];
  /** Entry address (bit 0 clear) and instruction set. */
  entry: number;
  thumb: boolean;
  registers: { r0: number; r1: number; r2: number };
  /** CPSR at entry. */
  cpsr: number;
  dtbAddr: number;
  initrd: InitrdRange | null;
}

/** Raw images and zImages go here above the RAM base (QEMU's KERNEL_LOAD_ADDR). */
export const KERNEL_LOAD_OFFSET = 0x10000;
/** The initrd and DTB go at least this far into RAM (or half-way up a smaller RAM). */
export const HIGH_LOAD_OFFSET = 128 << 20;
const IMAGE_ALIGN = 16 << 20;
const PAGE = 0x1000;
/** Room for the zImage decompressor's stack and malloc area beyond its image (as kexec assumes). */
const ZIMAGE_WORK_AREA = 0x20000;
/** Assumed compression ratio when a zImage does not say how big its kernel is (kexec's guess). */
const ZIMAGE_RATIO_GUESS = 5;

const BOOT_CPSR = Mode.SVC | PSR_A | PSR_I | PSR_F;

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

function inRange(r: MemoryRange, addr: number, size: number): boolean {
  return addr >= r.base && addr + size <= r.base + r.size;
}

/** A size for messages: "5.2 MiB", "12 KiB", "16 bytes". */
function mib(n: number): string {
  if (n >= 1 << 20) return `${Math.round((n / (1 << 20)) * 10) / 10} MiB`;
  if (n >= 1 << 10) return `${Math.round((n / (1 << 10)) * 10) / 10} KiB`;
  return `${n} bytes`;
}

export function planBoot(input: BootInput): BootPlan {
  const kernel = input.kernel ?? null;
  const bios = input.bios ?? null;
  if (kernel !== null && bios !== null)
    throw new BootError("give either a kernel or firmware (--bios), not both", "machine");
  if (bios !== null) return planFirmware(input, bios);
  if (kernel === null && input.flashBoot === true) return planFirmware(input, null);
  if (kernel === null) throw new BootError("nothing to boot: give a kernel image or firmware (--bios)", "machine");
  return planKernel(input, kernel);
}

/** Firmware at the start of flash: `bios` loaded there, or (null) what flash already holds. */
function planFirmware(input: BootInput, bios: Uint8Array | null): BootPlan {
  const { ram, flash } = input;
  if (bios !== null && bios.length === 0) throw new BootError("firmware image is empty", "firmware");
  if (bios !== null && bios.length > flash.size) {
    throw new BootError(`firmware (${bios.length} bytes) does not fit in the ${mib(flash.size)} flash`, "firmware");
  }
  if (input.initrd) throw new BootError("--initrd needs a kernel; firmware loads its own", "machine");
  const dtb = input.makeDtb(null);
  if (dtb.length > ram.size) throw new BootError(`RAM (${mib(ram.size)}) is too small for the DTB`, "machine");
  const writes = [{ addr: ram.base, bytes: dtb, what: "dtb" }];
  if (bios !== null) writes.unshift({ addr: flash.base, bytes: bios, what: "firmware" });
  return {
    kind: "firmware",
    writes,
    entry: flash.base,
    thumb: false,
    registers: { r0: 0, r1: 0, r2: 0 },
    cpsr: BOOT_CPSR,
    dtbAddr: ram.base,
    initrd: null,
  };
}

interface LoadedKernel {
  kind: BootKind;
  writes: MemoryWrite[];
  entry: number;
  thumb: boolean;
  /** First RAM address above everything the kernel may write before it has found its DTB. */
  footprintEnd: number;
  /** Where the DTB may go low in RAM (below the image), or null. */
  lowDtbLimit: number | null;
}

function planKernel(input: BootInput, kernel: Uint8Array): BootPlan {
  const { ram } = input;
  if (kernel.length === 0) throw new BootError("kernel image is empty");
  const loaded = loadKernel(input, kernel);

  const ramEnd = ram.base + ram.size;
  let next = alignUp(Math.max(ram.base + Math.min(ram.size / 2, HIGH_LOAD_OFFSET), loaded.footprintEnd), PAGE);
  const writes = loaded.writes;

  let initrd: InitrdRange | null = null;
  if (input.initrd) {
    if (input.initrd.length === 0) throw new BootError("initrd is empty", "initrd");
    initrd = { start: next, end: next + input.initrd.length };
    if (initrd.end > ramEnd) {
      throw new BootError(
        `RAM (${mib(ram.size)}) is too small: the initrd (${mib(input.initrd.length)}) would end at ${hex32(initrd.end)}`,
        "machine",
      );
    }
    writes.push({ addr: initrd.start, bytes: input.initrd, what: "initrd" });
    next = alignUp(initrd.end, PAGE);
  }

  const dtb = input.makeDtb(initrd);
  let dtbAddr = next;
  if (loaded.lowDtbLimit !== null && ram.base + dtb.length <= loaded.lowDtbLimit) dtbAddr = ram.base;
  if (dtbAddr + dtb.length > ramEnd)
    throw new BootError(`RAM (${mib(ram.size)}) is too small for the kernel and DTB`, "machine");
  writes.push({ addr: dtbAddr, bytes: dtb, what: "dtb" });

  checkOverlaps(writes);
  return {
    kind: loaded.kind,
    writes,
    entry: loaded.entry,
    thumb: loaded.thumb,
    registers: { r0: 0, r1: 0xffff_ffff, r2: dtbAddr },
    cpsr: BOOT_CPSR | (loaded.thumb ? PSR_T : 0),
    dtbAddr,
    initrd,
  };
}

function loadKernel(input: BootInput, kernel: Uint8Array): LoadedKernel {
  if (isElf(kernel)) return loadElf(input, kernel);
  const { ram } = input;
  let kind: BootKind;
  let addr: number;
  let footprintEnd: number;
  if (isZImage(kernel)) {
    kind = "zimage";
    const info = parseZImage(kernel);
    addr = info.linkAddress !== 0 ? info.linkAddress : ram.base + KERNEL_LOAD_OFFSET;
    // The decompressor puts the kernel at (its own address & 0xF8000000) + TEXT_OFFSET and, when
    // that would overwrite itself, first moves itself above the decompressed kernel's end.
    const kernelStart = Math.floor(addr / 0x0800_0000) * 0x0800_0000 + LINUX_TEXT_OFFSET;
    const kernelSize = info.kernelSize ?? kernel.length * ZIMAGE_RATIO_GUESS;
    footprintEnd = Math.max(addr, kernelStart + kernelSize) + kernel.length + ZIMAGE_WORK_AREA;
  } else if (isLinuxImage(kernel)) {
    kind = "image";
    addr = alignUp(ram.base, IMAGE_ALIGN) + LINUX_TEXT_OFFSET;
    footprintEnd = addr + kernel.length;
  } else {
    kind = "raw";
    addr = ram.base + KERNEL_LOAD_OFFSET;
    footprintEnd = addr + kernel.length;
  }
  if (!inRange(ram, addr, kernel.length)) {
    throw new BootError(`kernel (${mib(kernel.length)}) does not fit in RAM at ${hex32(addr)}`);
  }
  return {
    kind,
    writes: [{ addr, bytes: kernel, what: "kernel" }],
    entry: addr,
    thumb: false,
    footprintEnd,
    lowDtbLimit: null,
  };
}

function loadElf(input: BootInput, bytes: Uint8Array): LoadedKernel {
  const { ram, flash } = input;
  const elf = parseElf(bytes);
  const writes: MemoryWrite[] = [];
  let footprintEnd = ram.base;
  let lowest = ram.base + ram.size;
  for (const seg of elf.segments) {
    const inRam = inRange(ram, seg.paddr, seg.memsz);
    if (!inRam && !inRange(flash, seg.paddr, seg.memsz)) {
      throw new BootError(`ELF segment ${hex32(seg.paddr)}+${seg.memsz.toString(16)} is outside RAM and flash`);
    }
    if (seg.data.length > 0) writes.push({ addr: seg.paddr, bytes: seg.data, what: "kernel" });
    if (seg.memsz > seg.data.length) {
      writes.push({
        addr: seg.paddr + seg.data.length,
        bytes: new Uint8Array(seg.memsz - seg.data.length),
        what: "kernel .bss",
      });
    }
    if (inRam) {
      footprintEnd = Math.max(footprintEnd, seg.paddr + seg.memsz);
      lowest = Math.min(lowest, seg.paddr);
    }
  }
  if (!inRange(ram, elf.entry, 2) && !inRange(flash, elf.entry, 2)) {
    throw new BootError(`ELF entry point ${hex32(elf.entry)} is outside RAM and flash`);
  }
  return { kind: "elf", writes, entry: elf.entry, thumb: elf.thumb, footprintEnd, lowDtbLimit: lowest };
}

function checkOverlaps(writes: MemoryWrite[]): void {
  const sorted = writes.filter((w) => w.bytes.length > 0).sort((a, b) => a.addr - b.addr);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (prev.addr + prev.bytes.length > sorted[i].addr) {
      throw new BootError(
        `${sorted[i].what} at ${hex32(sorted[i].addr)} overlaps ${prev.what} at ${hex32(prev.addr)}`,
        "machine",
      );
    }
  }
}

// ELF32 little-endian ARM executables (System V ABI gABI; ELF for the Arm Architecture, IHI 0044):
// the loadable segments by physical address (p_paddr) and the entry point, whose bit 0 selects
// Thumb state.

import { BootError, hex32 } from "./boot-error.js";

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46]; // "\x7fELF"
const EI_CLASS = 4;
const EI_DATA = 5;
const ELFCLASS32 = 1;
const ELFDATA2LSB = 1;
const ET_EXEC = 2;
export const EM_ARM = 40;
const PT_LOAD = 1;
const EHDR_SIZE = 52;
const PHDR_SIZE = 32;

export interface ElfSegment {
  /** Physical load address. */
  paddr: number;
  /** The bytes from the file (p_filesz of them). */
  data: Uint8Array;
  /** Size in memory; bytes past `data` are zero. */
  memsz: number;
}

export interface ElfImage {
  /** Entry address with bit 0 cleared. */
  entry: number;
  thumb: boolean;
  segments: ElfSegment[];
}

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ELF_MAGIC.every((b, i) => bytes[i] === b);
}

/** Parses a file for which isElf() is true. */
export function parseElf(bytes: Uint8Array): ElfImage {
  if (bytes.length < EHDR_SIZE) throw new BootError(`truncated ELF: ${bytes.length} bytes is shorter than the header`);
  if (bytes[EI_CLASS] !== ELFCLASS32) throw new BootError("not a 32-bit ELF (ELFCLASS64 or unknown class)");
  if (bytes[EI_DATA] !== ELFDATA2LSB) throw new BootError("big-endian ELF: only little-endian guests are supported");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view.getUint16(16, true);
  const machine = view.getUint16(18, true);
  if (machine !== EM_ARM) throw new BootError(`ELF is for machine ${machine}, not ARM (${EM_ARM})`);
  if (type !== ET_EXEC) throw new BootError(`ELF is not an executable (e_type ${type})`);
  const entry = view.getUint32(24, true);
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  if (phnum > 0 && phentsize < PHDR_SIZE) throw new BootError(`ELF program header size ${phentsize} is too small`);
  if (phoff + phnum * phentsize > bytes.length) throw new BootError("truncated ELF: program headers run past the end");

  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (view.getUint32(ph, true) !== PT_LOAD) continue;
    const offset = view.getUint32(ph + 4, true);
    const paddr = view.getUint32(ph + 12, true);
    const filesz = view.getUint32(ph + 16, true);
    const memsz = view.getUint32(ph + 20, true);
    if (memsz === 0) continue;
    if (filesz > memsz) throw new BootError(`ELF segment at ${hex32(paddr)}: file size exceeds memory size`);
    if (offset + filesz > bytes.length) {
      throw new BootError(`truncated ELF: segment at ${hex32(paddr)} runs past the end of the file`);
    }
    if (paddr + memsz > 0x1_0000_0000) throw new BootError(`ELF segment at ${hex32(paddr)} runs past 4 GiB`);
    segments.push({ paddr, data: bytes.subarray(offset, offset + filesz), memsz });
  }
  if (segments.length === 0) throw new BootError("ELF has no loadable segments");
  return { entry: (entry & ~1) >>> 0, thumb: (entry & 1) !== 0, segments };
}

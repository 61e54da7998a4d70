// Stage-1 address translation (VMSAv7 short descriptors) and the guest's view of memory.
// STUB: flat translation (MMU off) only; the full walk, TLB and permission checks replace this.

import type { Cpu } from "./core.js";
import { GUEST_ABORT } from "./core.js";
import type { Stage2 } from "./stage2.js";

export class Mmu {
  private readonly cpu: Cpu;
  readonly stage2: Stage2;

  constructor(cpu: Cpu, stage2: Stage2) {
    this.cpu = cpu;
    this.stage2 = stage2;
  }

  flushTlb(): void {}
  /** Called when the privilege level may have changed (mode switch, exception entry/return). */
  privilegeChanged(): void {}

  private phys(va: number, isWrite: boolean, isFetch: boolean): number {
    const off = this.stage2.ramOffset(va);
    if (off < 0 || (isWrite && !this.stage2.regionAt(va)!.writable)) {
      const cpu = this.cpu;
      cpu.abortIsPrefetch = isFetch;
      cpu.abortFsr = 0x08 | (isWrite ? 1 << 11 : 0);
      cpu.abortFar = va;
      throw GUEST_ABORT;
    }
    return off;
  }

  fetch32(va: number): number {
    const m = this.stage2.memory;
    const o = this.phys(va, false, true);
    return m[o] | (m[o + 1] << 8) | (m[o + 2] << 16) | (m[o + 3] << 24);
  }
  fetch16(va: number): number {
    const m = this.stage2.memory;
    const o = this.phys(va, false, true);
    return m[o] | (m[o + 1] << 8);
  }
  read8(va: number): number {
    return this.stage2.memory[this.phys(va, false, false)];
  }
  read16(va: number): number {
    return this.read8(va) | (this.read8(va + 1) << 8);
  }
  read32(va: number): number {
    return this.read16(va) | (this.read16(va + 2) << 16);
  }
  write8(va: number, value: number): void {
    this.stage2.memory[this.phys(va, true, false)] = value;
  }
  write16(va: number, value: number): void {
    this.write8(va, value);
    this.write8(va + 1, value >>> 8);
  }
  write32(va: number, value: number): void {
    this.write16(va, value);
    this.write16(va + 2, value >>> 16);
  }
  read8u(va: number): number {
    return this.read8(va);
  }
  read16u(va: number): number {
    return this.read16(va);
  }
  read32u(va: number): number {
    return this.read32(va);
  }
  write8u(va: number, value: number): void {
    this.write8(va, value);
  }
  write16u(va: number, value: number): void {
    this.write16(va, value);
  }
  write32u(va: number, value: number): void {
    this.write32(va, value);
  }
  /** Raises an alignment fault unless `va` is a multiple of `size` (LDM/STM, LDRD/STRD, LDREX/STREX, VLDM...). */
  checkAlignment(va: number, size: number, isWrite: boolean): void {
    if ((va & (size - 1)) !== 0) {
      const cpu = this.cpu;
      cpu.abortIsPrefetch = false;
      cpu.abortFsr = 0x01 | (isWrite ? 1 << 11 : 0);
      cpu.abortFar = va;
      throw GUEST_ABORT;
    }
  }
}

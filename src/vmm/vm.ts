// A virtual machine: bhyve's struct vm. It owns the guest's memory and its stage-2 map, the vcpus
// (each pinned to its own emulated physical CPU), the MMIO bus for trapped device accesses, PSCI,
// and the machine's fate (running, powered off, reset). Boards (src/board) decide what sits where.

import { Cpu } from "../cpu/core.js";
import { VfpState } from "../cpu/vfp-state.js";
import { Stage2, type HardwareWindow } from "../cpu/stage2.js";
import { CodeCache } from "../cpu/code-cache.js";
import type { Clock } from "../host/time.js";
import { handlePsci, AFFINITY_OFF, AFFINITY_ON, mpidrOf, type PsciPlatform } from "./psci.js";
import { Vcpu, VcpuState, type VcpuHost } from "./vcpu.js";
import { MmioBus, MMIO_MISS } from "./mmio-bus.js";

export interface MemoryRegion {
  base: number;
  size: number;
  writable: boolean;
  /** A flash bank's read-array word (Stage2's RamRegion.romd). */
  romd?: Int32Array;
}

export interface VmConfig {
  /** RAM and read-only (firmware flash) regions, in guest physical addresses. */
  memory: MemoryRegion[];
  vcpus: number;
  clock: Clock;
  /** Where to report ignored guest behaviour (once per distinct message). */
  warn: (message: string) => void;
  /** `--trace psci`. */
  tracePsci?: (message: string) => void;
}

export const VmFate = {
  RUNNING: 0,
  POWER_OFF: 1,
  RESET: 2,
} as const;

export class Vm implements PsciPlatform, VcpuHost {
  readonly vcpus: Vcpu[] = [];
  /** Guest RAM and flash: shared memory, which vcpu threads map directly. */
  readonly memoryBuffer: SharedArrayBuffer;
  readonly memory: Uint8Array;
  readonly regions: (MemoryRegion & { offset: number })[] = [];
  readonly clock: Clock;
  /** Devices reached by trapped accesses (stage-2 faults). */
  readonly bus = new MmioBus();
  fate: number = VmFate.RUNNING;
  /** Called when the fate changes from RUNNING (power off or reset). */
  onStop: (() => void) | null = null;
  private readonly stage2s: Stage2[] = [];
  private readonly warned = new Set<string>();
  private readonly warn: (message: string) => void;
  private readonly tracePsci: ((message: string) => void) | null;

  constructor(config: VmConfig) {
    this.clock = config.clock;
    this.warn = config.warn;
    this.tracePsci = config.tracePsci ?? null;
    let total = 0;
    for (const r of config.memory) {
      this.regions.push({ ...r, offset: total });
      total += r.size;
    }
    this.memoryBuffer = new SharedArrayBuffer(total);
    this.memory = new Uint8Array(this.memoryBuffer);
    // The vcpus here take turns on one host thread, as on one physical CPU: they share its VFP
    // register file, which the vcpus switch lazily (vfp-lazy.ts).
    const fpu = new VfpState();
    for (let id = 0; id < config.vcpus; id++) {
      const stage2 = new Stage2(this.memoryBuffer);
      for (const r of this.regions) stage2.addRam(r.base, r.size, r.offset, r.writable, r.romd ?? null);
      const cpu = new Cpu(stage2, fpu);
      cpu.hyp.vmpidr = mpidrOf(id);
      this.stage2s.push(stage2);
      this.vcpus.push(new Vcpu(id, cpu, this));
    }
  }

  get vcpuCount(): number {
    return this.vcpus.length;
  }

  /** Maps a hardware window (the GIC virtual CPU interface) into one vcpu's stage-2 view. */
  mapHardware(vcpu: number, base: number, size: number, window: HardwareWindow): void {
    this.stage2s[vcpu].addHardware(base, size, window);
  }

  /** Copies `bytes` into guest memory at `addr` (loaders); false if it does not fit in one region. */
  writePhysical(addr: number, bytes: Uint8Array): boolean {
    const a = addr >>> 0;
    for (const r of this.regions) {
      if (a >= r.base && a + bytes.length <= r.base + r.size) {
        this.memory.set(bytes, r.offset + (a - r.base));
        CodeCache.of(this.memoryBuffer).writtenRange(r.offset + (a - r.base), bytes.length);
        return true;
      }
    }
    return false;
  }

  /** Instructions executed by every vcpu (the icount clock's source). */
  instructions(): number {
    let sum = 0;
    for (const v of this.vcpus) sum += v.cpu.instructions;
    return sum;
  }

  private stop(fate: number): void {
    if (this.fate !== VmFate.RUNNING) return;
    this.fate = fate;
    for (const v of this.vcpus) {
      v.yieldRequested = true;
      if (v.running) v.cpu.kick();
    }
    this.onStop?.();
  }

  // ---- VcpuHost ----

  mmioRead(vcpu: number, ipa: number, size: number): number | undefined {
    const value = this.bus.read(ipa, size, vcpu);
    return value === MMIO_MISS ? undefined : value;
  }

  mmioWrite(vcpu: number, ipa: number, size: number, value: number): boolean {
    return this.bus.write(ipa, size, value, vcpu);
  }

  hypercall(vcpu: Vcpu): void {
    const r = vcpu.cpu.r;
    const fid = r[0] >>> 0;
    const result = handlePsci(this, vcpu.id, fid, r[1], r[2], r[3]);
    this.tracePsci?.(
      `vcpu${vcpu.id} psci 0x${fid.toString(16)}(0x${(r[1] >>> 0).toString(16)}, 0x${(r[2] >>> 0).toString(16)}, 0x${(r[3] >>> 0).toString(16)}) = ${result}`,
    );
    // CPU_OFF and a stopped machine never return to the caller.
    if (vcpu.state !== VcpuState.OFF) r[0] = result;
  }

  warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(message);
  }

  // ---- PsciPlatform ----

  affinityState(index: number): number {
    return this.vcpus[index].state === VcpuState.OFF ? AFFINITY_OFF : AFFINITY_ON;
  }

  cpuOn(index: number, entry: number, contextId: number): void {
    this.vcpus[index].powerOn(entry, contextId);
  }

  cpuOff(caller: number): void {
    this.vcpus[caller].powerOff();
  }

  cpuSuspend(caller: number): void {
    this.vcpus[caller].waitForInterrupt();
  }

  systemOff(): void {
    this.stop(VmFate.POWER_OFF);
  }

  systemReset(): void {
    this.stop(VmFate.RESET);
  }
}

// The machine side of the GDB stub: breakpoints, watchpoints, single steps and stopping every
// vcpu, on a machine whose vcpus share one host thread (the scheduler's round-robin). --gdb
// always runs the vcpus that way, so "all vcpus stop together" is exact: a hit ends its vcpu's
// slice before the instruction, and the scheduler then runs nothing until the debugger resumes.
// Guest time stands still while the machine is held (IdleClock.hold), as QEMU's virtual clock
// does while the VM is stopped.
//
// Breakpoints are PC checks before each instruction (debug-hooks.ts), never BKPT written into
// guest memory (QEMU does not either), so translated code cannot run past them. Stepping one vcpu
// runs one instruction of it with interrupts not taken (QEMU's default, SSTEP_NOIRQ) while the
// others stay stopped (QEMU lets them run; holding them is simpler and keeps the step exact).

import type { Cpu } from "../cpu/core.js";
import { WATCH_STOP, type WatchHook } from "../cpu/debug-hooks.js";
import { CodeCache } from "../cpu/code-cache.js";
import { KIND_READ } from "../cpu/tlb-store.js";
import type { IdleClock } from "../host/clock.js";
import type { Scheduler, SchedulerGate } from "../host/scheduler.js";
import type { Vm } from "../vmm/vm.js";
import { VcpuState } from "../vmm/vcpu.js";
import {
  POINT_HARDWARE,
  POINT_SOFTWARE,
  WATCH_ACCESS,
  WATCH_READ,
  WATCH_WRITE,
  type DebugTarget,
  type StopEvent,
} from "./gdb-target.js";
import { readArmRegister, writeArmRegister } from "./arm-registers.js";

/** What the debugger needs of a machine built by buildVirtMachine (one thread). */
export interface DebuggableMachine {
  readonly vm: Vm;
  readonly scheduler: Scheduler;
  readonly clock: IdleClock;
  stop(): void;
}

interface Watchpoint {
  type: number;
  addr: number;
  length: number;
}

/** Every domain a manager: the debugger's translation checks no access permission (B3.7.2). */
const ALL_MANAGER = -1;

export class VmDebugger implements DebugTarget, SchedulerGate {
  private readonly machine: DebuggableMachine;
  private readonly cpus: Cpu[];
  private readonly software = new Set<number>();
  private readonly hardware = new Set<number>();
  private watches: Watchpoint[] = [];
  private readonly checks: { interrupts: boolean; check(cpu: Cpu): boolean }[];
  private readonly watchHooks: WatchHook[];
  /** Per vcpu: the instruction count of an instruction whose accesses trigger no watchpoint: the
   * one a watchpoint stopped before, when it runs on resume. */
  private readonly watchSkip: number[];
  /** The vcpu taking a single step, or -1. */
  private stepping = -1;
  private stepStart = 0;
  private pending: StopEvent | null = null;
  private onStop: ((event: StopEvent) => void) | null = null;
  private held = false;
  private lastRan = 0;
  /** The vcpu a watchpoint stopped, or -1. */
  private lastWatch = -1;

  constructor(machine: DebuggableMachine, holdAtStart: boolean) {
    this.machine = machine;
    this.cpus = machine.vm.vcpus.map((v) => v.cpu);
    this.checks = this.cpus.map((_, i) => ({ interrupts: true, check: (cpu: Cpu) => this.check(i, cpu) }));
    this.watchHooks = this.cpus.map((cpu, i) => ({
      watchesPage: (va: number) => this.watchesPage(va),
      access: (va: number, size: number, isWrite: boolean) => this.access(i, cpu, va, size, isWrite),
    }));
    this.watchSkip = this.cpus.map(() => -1);
    if (holdAtStart) this.hold();
  }

  get threadCount(): number {
    return this.cpus.length;
  }

  /** Whether the debugger holds the machine. */
  get isHeld(): boolean {
    return this.held;
  }

  threadAlive(t: number): boolean {
    return Number.isInteger(t) && t >= 1 && t <= this.cpus.length;
  }

  threadDescription(t: number): string {
    const state = this.machine.vm.vcpus[t - 1].state;
    return `vcpu ${t - 1}${state === VcpuState.OFF ? " (off)" : state === VcpuState.BLOCKED ? " (wfi)" : ""}`;
  }

  // The VFP registers are switched lazily (vfp-lazy.ts): outside a slice the register file holds
  // the host's state, so registers are read and written with the vcpu's own state put on it.
  readRegister(t: number, regno: number): Uint8Array | null {
    return this.machine.vm.vcpus[t - 1].fp.withGuest(() => readArmRegister(this.cpus[t - 1], regno));
  }

  writeRegister(t: number, regno: number, bytes: Uint8Array): boolean {
    return this.machine.vm.vcpus[t - 1].fp.withGuest(() => writeArmRegister(this.cpus[t - 1], regno, bytes));
  }

  readMemory(t: number, addr: number, length: number): Uint8Array {
    const cpu = this.cpus[t - 1];
    const out = new Uint8Array(length);
    const memory = this.machine.vm.memory;
    let done = 0;
    while (done < length) {
      const va = (addr + done) >>> 0;
      const off = this.ramOffset(cpu, va);
      if (off < 0) break;
      const n = Math.min(length - done, 0x1000 - (va & 0xfff), memory.length - off);
      out.set(memory.subarray(off, off + n), done);
      done += n;
      if (va + n > 0xffffffff) break;
    }
    return out.subarray(0, done);
  }

  writeMemory(t: number, addr: number, bytes: Uint8Array): number {
    const cpu = this.cpus[t - 1];
    const memory = this.machine.vm.memory;
    const code = CodeCache.of(this.machine.vm.memoryBuffer);
    let done = 0;
    while (done < bytes.length) {
      const va = (addr + done) >>> 0;
      const off = this.ramOffset(cpu, va);
      if (off < 0) break;
      const n = Math.min(bytes.length - done, 0x1000 - (va & 0xfff), memory.length - off);
      memory.set(bytes.subarray(done, done + n), off);
      // Translated code made from these bytes is stale, as after a loader's write.
      code.writtenRange(off, n);
      done += n;
      if (va + n > 0xffffffff) break;
    }
    return done;
  }

  /** The RAM byte offset `va` reaches through the cpu's stage 1 and stage 2, or -1. A walk only:
   * the TLB, the fault registers and the access flags are left as they were. */
  private ramOffset(cpu: Cpu, va: number): number {
    const cp15 = cpu.cp15;
    const dacr = cp15.dacr;
    cp15.dacr = ALL_MANAGER;
    const ipa = cpu.mmu.walker.translate(va, KIND_READ, false);
    cp15.dacr = dacr;
    return ipa < 0 ? -1 : cpu.mmu.stage2.ramOffset(ipa);
  }

  insertPoint(type: number, addr: number, kind: number): boolean {
    addr >>>= 0;
    switch (type) {
      case POINT_SOFTWARE:
      case POINT_HARDWARE:
        // Kinds 2 (Thumb), 3 (32-bit Thumb-2) and 4 (ARM): the instruction at addr, whatever its size.
        if (kind !== 2 && kind !== 3 && kind !== 4) return false;
        (type === POINT_SOFTWARE ? this.software : this.hardware).add(addr & ~1);
        return true;
      case WATCH_WRITE:
      case WATCH_READ:
      case WATCH_ACCESS:
        if (kind < 1 || kind > 0x10000) return false;
        if (!this.watches.some((w) => w.type === type && w.addr === addr && w.length === kind)) {
          this.watches.push({ type, addr, length: kind });
        }
        // Pages the TLB already holds would bypass the watch: drop them.
        for (const cpu of this.cpus) cpu.mmu.flushTlb();
        return true;
      default:
        return false;
    }
  }

  removePoint(type: number, addr: number, kind: number): boolean {
    addr >>>= 0;
    switch (type) {
      case POINT_SOFTWARE:
      case POINT_HARDWARE:
        (type === POINT_SOFTWARE ? this.software : this.hardware).delete(addr & ~1);
        return true;
      case WATCH_WRITE:
      case WATCH_READ:
      case WATCH_ACCESS:
        this.watches = this.watches.filter((w) => !(w.type === type && w.addr === addr && w.length === kind));
        return true;
      default:
        return false;
    }
  }

  attach(onStop: (event: StopEvent) => void): StopEvent {
    this.onStop = onStop;
    this.machine.scheduler.setGate(this);
    this.pending = null;
    this.hold();
    return { thread: this.lastRan + 1, signal: 5 };
  }

  resume(step: number | null): void {
    this.pending = null;
    this.stepping = step === null ? -1 : step - 1;
    const active = step !== null || this.software.size > 0 || this.hardware.size > 0 || this.watches.length > 0;
    this.cpus.forEach((cpu, i) => {
      this.checks[i].interrupts = i !== this.stepping;
      cpu.debug = active ? this.checks[i] : null;
      cpu.mmu.watch = this.watches.length > 0 ? this.watchHooks[i] : null;
      this.watchSkip[i] = this.lastWatch === i ? cpu.instructions + 1 : -1;
    });
    this.lastWatch = -1;
    if (step !== null) {
      this.stepStart = this.cpus[step - 1].instructions;
      if (this.machine.vm.vcpus[step - 1].state === VcpuState.OFF) {
        // A vcpu that is off has no instruction to step: it stops where it is.
        this.stopWith({ thread: step, signal: 5 });
        return;
      }
    }
    this.held = false;
    this.machine.clock.hold(false);
    this.machine.scheduler.resume();
  }

  interrupt(): void {
    if (this.held) return;
    this.stopWith({ thread: this.lastRan + 1, signal: 2 });
  }

  detach(): void {
    this.software.clear();
    this.hardware.clear();
    this.watches = [];
    this.onStop = null;
    this.machine.scheduler.setGate(null);
    this.resume(null);
  }

  kill(): void {
    this.detach();
    this.machine.stop();
  }

  // ---- SchedulerGate ----

  allows(index: number): boolean {
    return this.stepping < 0 || index === this.stepping;
  }

  sliceDone(index: number): void {
    this.lastRan = index;
    if (this.pending === null && index === this.stepping && this.cpus[index].instructions > this.stepStart) {
      // The step's instruction retired and ended the slice (WFI, an exit): report it here.
      this.pending = { thread: index + 1, signal: 5 };
    }
    if (this.pending !== null) {
      const event = this.pending;
      this.pending = null;
      this.stopWith(event);
    }
  }

  // ---- The hooks on the cores ----

  private check(index: number, cpu: Cpu): boolean {
    if (index === this.stepping && cpu.instructions > this.stepStart) {
      this.pending = { thread: index + 1, signal: 5 };
      return true;
    }
    const pc = cpu.nextPc >>> 0;
    if (this.software.has(pc)) {
      this.pending = { thread: index + 1, signal: 5, kind: "swbreak" };
      return true;
    }
    if (this.hardware.has(pc)) {
      this.pending = { thread: index + 1, signal: 5, kind: "hwbreak" };
      return true;
    }
    return false;
  }

  private watchesPage(va: number): boolean {
    const page = (va & ~0xfff) >>> 0;
    return this.watches.some((w) => w.addr < page + 0x1000 && w.addr + w.length > page);
  }

  private access(index: number, cpu: Cpu, va: number, size: number, isWrite: boolean): void {
    if (cpu.instructions === this.watchSkip[index]) return;
    for (const w of this.watches) {
      if (va >= w.addr + w.length || va + size <= w.addr) continue;
      if (w.type === WATCH_WRITE && !isWrite) continue;
      if (w.type === WATCH_READ && isWrite) continue;
      const kind = w.type === WATCH_WRITE ? "watch" : w.type === WATCH_READ ? "rwatch" : "awatch";
      this.pending = { thread: index + 1, signal: 5, kind, address: Math.max(va, w.addr) >>> 0 };
      this.lastWatch = index;
      throw WATCH_STOP;
    }
  }

  private hold(): void {
    this.held = true;
    this.machine.scheduler.pause();
    this.machine.clock.hold(true);
  }

  private stopWith(event: StopEvent): void {
    this.stepping = -1;
    this.hold();
    this.onStop?.(event);
  }
}

// A vcpu: bhyve's vcpu / KVM's kvm_vcpu. It owns one physical CPU's hardware while it runs (the
// core, its GIC virtual interface and its generic timer — each vcpu is pinned to its own physical
// CPU), runs it for a slice in the manner of vm_run/KVM_RUN, and dispatches every exit.

import type { Cpu } from "../cpu/core.js";
import {
  ExitReason,
  EC,
  DFSC_ALIGNMENT,
  HSR_DFSC_MASK,
  ISS_ISV,
  ISS_SSE,
  ISS_WNR,
  ISS_SAS_SHIFT,
  ISS_SRT_SHIFT,
  type HypTraps,
} from "../cpu/exits.js";
import { Mode } from "../cpu/state.js";
import { HostIrq, PPI_VIRT_TIMER } from "./host-irq.js";
import { ExitStats } from "./stats.js";
import type { StateReader, StateWriter } from "../snapshot/state-stream.js";
import { restoreCpu, saveCpu } from "../cpu/cpu-snapshot.js";
import type { Vpmu } from "./vpmu.js";
import { LazyFp } from "./vfp-lazy.js";
import { EV_BLOCK, EV_OFF, EV_RUN, type VcpuEventLane } from "./vcpu-events.js";

/** Power and scheduling state of a vcpu. */
export const VcpuState = {
  /** Powered off (PSCI), or never started. */
  OFF: 0,
  /** Ready to run. */
  RUNNABLE: 1,
  /** In WFI (or PSCI CPU_SUSPEND) with nothing deliverable: costs nothing until woken. */
  BLOCKED: 2,
} as const;

/** What a vcpu needs from the VM's interrupt controller. */
export interface VcpuInterrupts {
  flush(vcpu: number): void;
  sync(vcpu: number): void;
  hasDeliverable(vcpu: number): boolean;
}

/** What a vcpu needs from its timer virtualization. */
export interface VcpuTimers {
  /** Vcpu reset (PSCI CPU_ON): both timers disabled, their levels low. */
  reset(): void;
  /** The vcpu is about to run on its physical CPU: restore the virtual timer, cancel host timers. */
  load(): void;
  /** The vcpu leaves the physical CPU (`blocking`: it waits in WFI): save and arm a host timer. */
  put(blocking: boolean): void;
  /** The physical CPU's virtual-timer interrupt fired while the vcpu ran. */
  handleHostIrq(): void;
  /** A trapped CNTP_* / CNTPCT access (HSR EC 0x03 or 0x04). Returns true if it was a timer register. */
  handleCoprocTrap(hsr: number, lo: number, hi: number): boolean;
  /** Value (and high word) for the last trapped read. */
  readonly trapValue: number;
  readonly trapValueHi: number;
  /** The next counter value at which the running vcpu's hardware timer fires (Infinity if none). */
  hardwareDeadline(): number;
  /** Re-evaluates the hardware timer outputs at the current count. */
  updateHardware(): void;
}

/** What a vcpu needs from the VM: MMIO, PSCI, and reporting. */
export interface VcpuHost {
  mmioRead(vcpu: number, ipa: number, size: number): number | undefined;
  mmioWrite(vcpu: number, ipa: number, size: number, value: number): boolean;
  hypercall(vcpu: Vcpu): void;
  /** Reports something the guest did that the VMM ignores, once per distinct `key`. */
  warnOnce(key: string, message: string): void;
}

export class Vcpu implements HypTraps {
  readonly id: number;
  readonly cpu: Cpu;
  readonly hostIrq: HostIrq;
  readonly stats = new ExitStats();
  state: number = VcpuState.OFF;
  /** Set when the vcpu should return to the scheduler (power state changed, VM stopping). */
  yieldRequested = false;
  /** True while this vcpu's slice is executing (kicks then stop the core). */
  running = false;

  interrupts: VcpuInterrupts | null = null;
  timers: VcpuTimers | null = null;
  /** The vcpu's VFP state, switched onto the physical CPU at its first use in a slice. */
  readonly fp: LazyFp;
  /** The vcpu's performance monitors (set by the board). */
  pmu: Vpmu | null = null;
  private readonly host: VcpuHost;
  /** Whether the virtual timer state is loaded on the physical CPU. */
  private loaded = false;

  // HypTraps
  trapHi = 0;
  externalAbort = false;

  constructor(id: number, cpu: Cpu, host: VcpuHost) {
    this.id = id;
    this.cpu = cpu;
    this.host = host;
    this.hostIrq = new HostIrq((level) => cpu.setLine(1 /* LINE_IRQ */, level));
    this.hostIrq.enable(PPI_VIRT_TIMER, true);
    this.fp = new LazyFp(cpu);
    cpu.traps = this;
  }

  /** Snapshots, between slices: power and scheduling state, the host's PPIs, and the core. */
  save(w: StateWriter): void {
    w.u8(this.state);
    w.bool(this.loaded);
    w.bool(this.yieldRequested);
    this.hostIrq.save(w);
    // Between slices a lazily switched VFP register file holds the host's state, not this vcpu's.
    this.fp.withGuest(() => saveCpu(this.cpu, w));
  }

  restore(r: StateReader): void {
    this.state = r.u8();
    this.loaded = r.bool();
    this.yieldRequested = r.bool();
    this.hostIrq.restore(r);
    this.fp.withGuest(() => restoreCpu(this.cpu, r));
  }

  /** Makes a runnable vcpu that waits (or a blocked one) reconsider: wakes it from WFI and, if it is
   * executing right now, ends its slice after the current instruction. */
  kick(): void {
    if (this.state === VcpuState.BLOCKED) this.state = VcpuState.RUNNABLE;
    if (this.running) this.cpu.kick();
  }

  /** Powers the vcpu on at `entry` (bit 0: Thumb) in SVC mode with interrupts masked, MMU off,
   * and `r0` = context id (PSCI CPU_ON; also the boot vcpu's start). */
  powerOn(entry: number, r0: number, r1 = 0, r2 = 0): void {
    const cpu = this.cpu;
    cpu.reset();
    this.fp.reset();
    this.timers?.reset();
    cpu.switchMode(Mode.SVC);
    cpu.r[0] = r0;
    cpu.r[1] = r1;
    cpu.r[2] = r2;
    cpu.setPc(entry & ~1, (entry & 1) === 1);
    this.state = VcpuState.RUNNABLE;
  }

  powerOff(): void {
    this.leave(false);
    this.state = VcpuState.OFF;
    this.show(EV_OFF, 0);
    this.yieldRequested = true;
  }

  /** Runs one slice of at most `budget` instructions and handles the exit. */
  runSlice(budget: number): void {
    if (this.state !== VcpuState.RUNNABLE) return;
    this.show(EV_RUN, 0);
    const cpu = this.cpu;
    const interrupts = this.interrupts;
    const timers = this.timers;
    if (!this.loaded) {
      timers?.load();
      this.loaded = true;
    }
    timers?.updateHardware();
    this.updatePmu();
    interrupts?.flush(this.id);
    this.running = true;
    this.yieldRequested = false;
    this.fp.enter();
    const reason = cpu.run(budget);
    this.fp.exit();
    this.running = false;
    timers?.updateHardware();
    this.updatePmu();
    interrupts?.sync(this.id);
    const stats = this.stats;
    switch (reason) {
      case ExitReason.SLICE:
        stats.slice++;
        break;
      case ExitReason.KICK:
        stats.kick++;
        break;
      case ExitReason.IRQ:
        stats.irq++;
        if (this.hostIrq.pending(PPI_VIRT_TIMER)) timers?.handleHostIrq();
        break;
      case ExitReason.WFX:
        if (cpu.exit.hsr & 1) {
          // WFE: another vcpu holds what this one waits for; give it the physical CPU.
          stats.wfe++;
          this.yieldRequested = true;
        } else {
          stats.wfi++;
          this.waitForInterrupt();
        }
        break;
      case ExitReason.HVC:
        stats.hvc++;
        this.host.hypercall(this);
        break;
      case ExitReason.SMC:
        // No secure firmware behind this VM: SMC is UNDEFINED for the guest, as KVM does.
        stats.smc++;
        cpu.undefinedInstruction();
        break;
    }
  }

  private updatePmu(): void {
    const pmu = this.pmu;
    if (pmu === null) return;
    const before = pmu.injected;
    pmu.update();
    this.stats.pmuIrq += pmu.injected - before;
  }

  /** WFI: block unless an interrupt is already deliverable. */
  waitForInterrupt(): void {
    if (this.interrupts?.hasDeliverable(this.id)) return;
    this.state = VcpuState.BLOCKED;
    this.show(EV_BLOCK, -1);
    this.leave(true);
  }

  /** With every vcpu on one thread, the live timeline hears of state changes here (a vcpu thread's
   * loop reports its own). */
  events: VcpuEventLane | null = null;
  private shown = 0;

  private show(kind: number, arg: number): void {
    if (this.events === null || kind === this.shown) return;
    this.shown = kind;
    this.events.record(kind, arg);
  }

  /** The vcpu leaves its physical CPU (blocked or descheduled). */
  private leave(blocking: boolean): void {
    if (!this.loaded) return;
    this.timers?.put(blocking);
    this.loaded = false;
  }

  /** Descheduled in favour of another guest's work: the host keeps its timer alive. */
  deschedule(): void {
    this.leave(false);
  }

  // ---- Synchronous traps (HypTraps) ----

  dataAbort(hsr: number, ipa: number, va: number, size: number, isWrite: boolean, value: number): number {
    if ((hsr & HSR_DFSC_MASK) === DFSC_ALIGNMENT) {
      // An unaligned access to a window stage 2 maps as Device (GICV). KVM cannot emulate it
      // either ("Unsupported FSC") and fails the run; here the guest gets an external abort.
      this.unmapped(ipa, va, size, isWrite, "unaligned Device IPA");
      return 0;
    }
    // Decode the access from the syndrome when the hardware gave one (ISV), like KVM's decode_hsr.
    let sse = false;
    if (hsr & ISS_ISV) {
      size = 1 << ((hsr >>> ISS_SAS_SHIFT) & 3);
      sse = (hsr & ISS_SSE) !== 0;
      isWrite = (hsr & ISS_WNR) !== 0;
      if (isWrite) {
        const srt = (hsr >>> ISS_SRT_SHIFT) & 0xf;
        value = this.cpu.r[srt];
      }
    }
    const mask = size === 4 ? -1 : (1 << (size * 8)) - 1;
    this.externalAbort = false;
    if (isWrite) {
      this.stats.mmioWrite++;
      if (!this.host.mmioWrite(this.id, ipa >>> 0, size, value & mask)) this.unmapped(ipa, va, size, true);
      return 0;
    }
    this.stats.mmioRead++;
    const data = this.host.mmioRead(this.id, ipa >>> 0, size);
    if (data === undefined) {
      this.unmapped(ipa, va, size, false);
      return 0;
    }
    let result = data & mask;
    if (sse && size < 4) {
      const shift = 32 - size * 8;
      result = (result << shift) >> shift;
    }
    return result;
  }

  private unmapped(ipa: number, va: number, size: number, isWrite: boolean, why = "unmapped IPA"): void {
    this.externalAbort = true;
    this.stats.unmapped++;
    const hex = (n: number) => "0x" + (n >>> 0).toString(16).padStart(8, "0");
    this.host.warnOnce(
      `unmapped:${ipa >>> 0}`,
      `vcpu${this.id}: ${isWrite ? "write" : "read"} of ${size} byte(s) at ${why} ${hex(ipa)} (va ${hex(va)}, pc ${hex(this.cpu.curPc)}): external abort`,
    );
  }

  /** HCPTR trap of a VFP instruction (EC 0x07): the lazy FP switch. */
  fpTrap(): void {
    this.stats.fp++;
    this.fp.trap();
  }

  coprocTrap(hsr: number, lo: number, hi: number): number {
    this.stats.sysreg++;
    const timers = this.timers;
    if (timers && timers.handleCoprocTrap(hsr, lo, hi)) {
      this.trapHi = timers.trapValueHi;
      return timers.trapValue;
    }
    this.trapHi = 0;
    if (this.pmu?.handleCoprocTrap(hsr, lo)) return this.pmu.trapValue;
    const ec = hsr >>> 26;
    this.host.warnOnce(
      `coproc:${hsr}`,
      `vcpu${this.id}: trapped ${ec === EC.CP15_64 ? "MCRR/MRRC" : "MCR/MRC"} with syndrome 0x${hsr.toString(16)} ignored`,
    );
    return 0;
  }
}

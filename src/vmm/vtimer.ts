// Timer virtualization for one vcpu (bhyve's vtimer, KVM's arch_timer): the guest's virtual timer,
// which it programs directly on the physical CPU's generic timer, and its physical timer, which traps
// and is emulated (vtimer-phys.ts). Both drive their PPI in the vgic as a level equal to the timer's
// condition (ENABLE && !IMASK && CVAL <= count), so the vgic's level logic does the rest: a level
// interrupt re-pends after EOI while the condition holds, and stops when it no longer does.
//
// API (the vmm's run loop calls these; see VcpuTimers in vcpu.ts):
//   load()               the vcpu enters its physical CPU: CNTVOFF, CNTKCTL, CNTHCTL (trap CNTP_*,
//                        let CNTPCT through) and the saved CNTV_CTL/CVAL go to the hardware; the
//                        host timer is cancelled.
//   put(blocking)        it leaves (WFI or descheduled): CNTV_CTL/CVAL/CNTKCTL are saved and the
//                        hardware timer disabled; if the timer can still fire, a host timer is armed
//                        for its deadline, which injects PPI 27 and wakes the vcpu.
//   updateHardware()     around every slice (before the vgic's flush, after the exit and before the
//                        vgic's sync): re-derives the PPI 27 level from the hardware registers, then
//                        re-evaluates the hardware outputs.
//   handleHostIrq()      an IRQ exit for the physical CPU's virtual-timer PPI.
//   handleCoprocTrap()   a trapped CNTP_* / CNTPCT access; the answer is in trapValue/trapValueHi.
//   hardwareDeadline()   where the running vcpu's hardware timer next fires (for slice lengths).
//   reset()              vcpu reset (PSCI CPU_ON): both timers disabled, levels low.
//
// No interrupt storm: while the injected level is high, the host keeps the physical CPU's
// virtual-timer PPI disabled (KVM does the same when it cannot hand the interrupt's active state to
// the GIC), so the still-high hardware output does not exit again on every entry. The guest ends
// the condition by masking, disabling or reprogramming the timer; the next exit sees that, drops
// the level and re-enables the PPI. Guest EOI of the interrupt is a maintenance exit, so the level
// is current when the vgic resamples it: the tick is neither repeated nor lost.

import type { IrqLine } from "../devices/device.js";
import type { TimerHandle } from "../host/time.js";
import { CompareTimer } from "../timer/compare-timer.js";
import type { GenericTimer } from "../timer/generic-timer.js";
import {
  CNT_CTL_ENABLE,
  CNT_CTL_IMASK,
  CNT_CTL_ISTATUS,
  CNTHCTL_PL1PCEN,
  CNTHCTL_PL1PCTEN,
  VIRT_TIMER,
} from "../timer/registers.js";
import { hiWord, loWord } from "../timer/u64.js";
import { PPI_VIRT_TIMER } from "./host-irq.js";
import type { VcpuTimers } from "./vcpu.js";
import { EmulatedPhysTimer } from "./vtimer-phys.js";
import { VtimerStats } from "./vtimer-stats.js";
import { decodeTimerTrap, isTrapRead, TimerTrapReg } from "./vtimer-trap.js";
import type { VtimerVm } from "./vtimer-vm.js";
import type { StateReader, StateWriter } from "../snapshot/state-stream.js";
import { EV_HOST_FIRED, EV_HOST_TIMER, EV_INJECT, type VcpuEventLane } from "./vcpu-events.js";

/** What a vcpu's timers are connected to. */
export interface VtimerWiring {
  /** Vcpu index, for trace messages. */
  id: number;
  /** The generic timer of the physical CPU this vcpu is pinned to. */
  hw: GenericTimer;
  /** The host's enable of that CPU's PPIs (HostIrq). */
  hostIrq: { enable(intid: number, on: boolean): void };
  /** The vgic's level-sensitive inputs for this vcpu: PPI 27 (virtual timer), PPI 30 (physical). */
  virtIrq: IrqLine;
  physIrq: IrqLine;
  /** Wakes the vcpu if it waits in WFI; harmless otherwise. */
  wake: () => void;
}

/** CNTV_CTL bits that make the output high: enabled, not masked, condition met. */
const FIRING = CNT_CTL_ENABLE | CNT_CTL_ISTATUS;
const FIRING_MASK = CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS;

export class Vtimer implements VcpuTimers {
  readonly stats = new VtimerStats();
  /** The emulated physical timer. */
  readonly phys: EmulatedPhysTimer;
  /** The answer to the last trapped read. */
  trapValue = 0;
  trapValueHi = 0;
  /** `--trace vtimer`. */
  trace: ((message: string) => void) | null = null;
  /** This vcpu's lane of the live event rings, if any. */
  events: VcpuEventLane | null = null;

  private readonly vm: VtimerVm;
  private readonly hw: GenericTimer;
  private readonly wiring: VtimerWiring;
  /** The virtual timer's CTL/CVAL while the vcpu is off its physical CPU. */
  private readonly saved = new CompareTimer();
  private savedCntkctl = 0;
  private loaded = false;
  /** The level driven on the vgic's PPI 27. */
  private virtLevel = false;
  private hostTimer: TimerHandle | null = null;
  /** The host timer's callback, made once. */
  private readonly hostTimerExpired = (): void => this.onHostTimer();

  constructor(vm: VtimerVm, wiring: VtimerWiring) {
    this.vm = vm;
    this.hw = wiring.hw;
    this.wiring = wiring;
    this.phys = new EmulatedPhysTimer(vm.clock, vm.queue, wiring.physIrq, (fromTimer) => this.physRose(fromTimer));
  }

  /** Whether the virtual timer's state is on the physical CPU. */
  get isLoaded(): boolean {
    return this.loaded;
  }

  /** The level on the vgic's PPI 27. */
  get virtualLevel(): boolean {
    return this.virtLevel;
  }

  /** The guest's CNTV_CTL and CNTV_CVAL, wherever they live now (for inspection and tests). */
  virtualTimer(into: CompareTimer): CompareTimer {
    if (this.loaded) this.hw.saveTimer(VIRT_TIMER, into);
    else into.copyFrom(this.saved);
    return into;
  }

  // ---- Entry and exit ----

  load(): void {
    if (this.loaded) return;
    this.cancelHostTimer();
    const hw = this.hw;
    hw.cntvoff = this.vm.cntvoff;
    hw.cntkctl = this.savedCntkctl;
    hw.cnthctl = (hw.cnthctl | CNTHCTL_PL1PCTEN) & ~CNTHCTL_PL1PCEN;
    // The PPI gate first, so restoring a timer whose level is already injected raises no exit.
    this.wiring.hostIrq.enable(PPI_VIRT_TIMER, !this.virtLevel);
    hw.restoreTimer(VIRT_TIMER, this.saved);
    this.loaded = true;
    // A deadline that passed before the host timer ran is found here rather than by an extra exit.
    if (this.saved.output(this.vm.virtualCount()) && !this.virtLevel) {
      this.setVirtLevel(true, false);
      this.wiring.hostIrq.enable(PPI_VIRT_TIMER, false);
    }
  }

  put(blocking: boolean): void {
    if (!this.loaded) return;
    const hw = this.hw;
    hw.saveTimer(VIRT_TIMER, this.saved);
    this.savedCntkctl = hw.cntkctl;
    // The physical CPU's timer must not fire for a vcpu that is not there.
    hw.writeCtl(VIRT_TIMER, 0);
    hw.cnthctl = hw.cnthctl | CNTHCTL_PL1PCTEN | CNTHCTL_PL1PCEN;
    this.wiring.hostIrq.enable(PPI_VIRT_TIMER, true);
    this.loaded = false;

    const count = this.vm.virtualCount();
    const ticks = this.saved.ticksUntilFire(count);
    if (ticks === 0) {
      if (!this.virtLevel) {
        this.setVirtLevel(true, false);
        if (blocking) this.wiring.wake();
      }
      return;
    }
    if (this.virtLevel) this.setVirtLevel(false, false);
    if (ticks === Infinity) return;
    const deadline = this.vm.clock.now() + ticks;
    this.hostTimer = this.vm.queue.schedule(deadline, this.hostTimerExpired);
    this.stats.hostTimersArmed++;
    this.events?.record(EV_HOST_TIMER, deadline);
    this.trace?.(`vcpu${this.wiring.id} ${blocking ? "blocks" : "leaves"}: host timer at ${deadline} (+${ticks})`);
  }

  updateHardware(): void {
    if (this.loaded) this.syncVirtual();
    this.hw.update();
  }

  handleHostIrq(): void {
    this.syncVirtual();
  }

  hardwareDeadline(): number {
    return this.hw.nextDeadline();
  }

  reset(): void {
    this.cancelHostTimer();
    this.saved.reset();
    this.savedCntkctl = 0;
    if (this.virtLevel) this.setVirtLevel(false, false);
    this.phys.reset();
    if (this.loaded) {
      this.hw.cntkctl = 0;
      this.hw.restoreTimer(VIRT_TIMER, this.saved);
      this.wiring.hostIrq.enable(PPI_VIRT_TIMER, true);
    }
  }

  // ---- Snapshots ----

  /** The saved virtual timer, where the state lives, the PPI 27 level, the host timer (deadline
   * and order) and the emulated physical timer. The hardware timer is saved with its CPU. */
  save(w: StateWriter): void {
    this.saved.save(w);
    w.f64(this.savedCntkctl);
    w.bool(this.loaded);
    w.bool(this.virtLevel);
    const h = this.hostTimer;
    w.f64(h === null ? -1 : (h.deadline ?? -1));
    w.f64(h?.seq ?? 0);
    this.phys.save(w);
  }

  restore(r: StateReader): void {
    this.saved.restore(r);
    this.savedCntkctl = r.f64();
    this.loaded = r.bool();
    this.virtLevel = r.bool();
    const deadline = r.f64();
    const seq = r.f64();
    this.cancelHostTimer();
    if (deadline >= 0) this.hostTimer = this.vm.queue.schedule(deadline, this.hostTimerExpired, seq);
    this.phys.restore(r);
  }

  // ---- Trapped physical timer ----

  handleCoprocTrap(hsr: number, lo: number, hi: number): boolean {
    const reg = decodeTimerTrap(hsr);
    if (reg === TimerTrapReg.NONE) return false;
    this.stats.physTraps++;
    const read = isTrapRead(hsr);
    const phys = this.phys;
    this.trapValue = 0;
    this.trapValueHi = 0;
    switch (reg) {
      case TimerTrapReg.CNTP_CTL:
        if (read) this.trapValue = phys.readCtl();
        else phys.writeCtl(lo);
        break;
      case TimerTrapReg.CNTP_TVAL:
        if (read) this.trapValue = phys.readTval();
        else phys.writeTval(lo);
        break;
      case TimerTrapReg.CNTP_CVAL:
        if (read) {
          this.trapValue = phys.regs.cvalLo;
          this.trapValueHi = phys.regs.cvalHi;
        } else phys.writeCvalWords(hi, lo);
        break;
      case TimerTrapReg.CNTPCT: {
        const now = this.vm.clock.now();
        this.trapValue = loWord(now);
        this.trapValueHi = hiWord(now);
        break;
      }
    }
    return true;
  }

  // ---- Internals ----

  /** On the physical CPU: PPI 27's level follows the hardware condition; the host PPI is disabled
   * exactly while that level is high. */
  private syncVirtual(): void {
    const fire = (this.hw.readCtl(VIRT_TIMER) & FIRING_MASK) === FIRING;
    if (fire === this.virtLevel) return;
    if (fire && this.hw.outputLevel(VIRT_TIMER)) this.stats.hostIrqs++;
    this.wiring.hostIrq.enable(PPI_VIRT_TIMER, !fire);
    this.setVirtLevel(fire, true);
  }

  private onHostTimer(): void {
    this.hostTimer = null;
    if (this.loaded) return;
    const count = this.vm.virtualCount();
    const ticks = this.saved.ticksUntilFire(count);
    if (ticks > 0) {
      this.stats.hostTimersEarly++;
      // Early (a host clock that has not quite reached the deadline): try again at it.
      if (ticks < Infinity) this.hostTimer = this.vm.queue.schedule(this.vm.clock.now() + ticks, this.hostTimerExpired);
      return;
    }
    this.stats.hostTimerWakes++;
    if (!this.virtLevel) this.setVirtLevel(true, false);
    this.trace?.(`vcpu${this.wiring.id} host timer fired: ppi 27 raised, wake`);
    this.events?.record(EV_HOST_FIRED, 0);
    this.wiring.wake();
  }

  private setVirtLevel(level: boolean, running: boolean): void {
    this.virtLevel = level;
    this.wiring.virtIrq.set(level);
    if (!level) return;
    this.stats.virtInjected++;
    this.events?.record(EV_INJECT, running ? 1 : 0);
    if (running) this.stats.injectedWhileRunning++;
    else this.stats.injectedWhileBlocked++;
  }

  private physRose(fromTimer: boolean): void {
    this.stats.physInjected++;
    if (this.loaded) this.stats.injectedWhileRunning++;
    else this.stats.injectedWhileBlocked++;
    if (fromTimer) {
      this.trace?.(`vcpu${this.wiring.id} physical soft timer fired: ppi 30 raised`);
      this.wiring.wake();
    }
  }

  private cancelHostTimer(): void {
    if (this.hostTimer === null) return;
    this.vm.queue.cancel(this.hostTimer);
    this.hostTimer = null;
  }
}

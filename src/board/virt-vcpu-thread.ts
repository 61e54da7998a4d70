// One vcpu of the virt machine, as its own host thread builds it: the physical CPU it is pinned to
// (core, GIC virtual interface, generic timer), its view of the VM's shared state (guest memory,
// the vgic, every CPU's GIC interface for distributor accesses that halt the others), the vcpu with
// its vtimer, PSCI across threads, and its MMIO: the distributor is emulated right here, as KVM
// does in the kernel, and the other devices live on the I/O thread.

import { HotBlocks } from "../cpu/hot-blocks.js";
import { Cpu, LINE_VFIQ, LINE_VIRQ } from "../cpu/core.js";
import { Stage2 } from "../cpu/stage2.js";
import { VIRT_TIMER } from "../cpu/timer-regs.js";
import { GicVirtualInterface } from "../gic/virtual-interface.js";
import { HostClock } from "../host/clock.js";
import { SharedArrays } from "../host/shared-arrays.js";
import type { MessageSink, VcpuThreadInit } from "../host/thread-messages.js";
import { DeadlineQueue } from "../host/timer-queue.js";
import { GenericTimer } from "../timer/generic-timer.js";
import { PPI_MAINTENANCE, PPI_PHYS_TIMER, PPI_PMU, PPI_VIRT_TIMER } from "../vmm/host-irq.js";
import { MmioBus, MMIO_MISS } from "../vmm/mmio-bus.js";
import { AFFINITY_OFF, AFFINITY_ON, AFFINITY_ON_PENDING, handlePsci, mpidrOf, type PsciPlatform } from "../vmm/psci.js";
import { Vcpu, VcpuState, type VcpuHost } from "../vmm/vcpu.js";
import { Fate, Power, VmControl } from "../vmm/vm-control.js";
import { Vgic } from "../vmm/vgic/vgic.js";
import { VgicLock } from "../vmm/vgic/vgic-lock.js";
import { formatMicros } from "../vmm/vgic/stats.js";
import { Vtimer } from "../vmm/vtimer.js";
import { Vpmu } from "../vmm/vpmu.js";
import { applyTlbOp } from "../vmm/tlb-op.js";
import { VtimerVm } from "../vmm/vtimer-vm.js";
import { mapVirtDevices } from "./virt-bus.js";
import { IoChannel, IoThreadWindow, virtioWindows } from "./io-thread-windows.js";
import { VIRT_GICC, VIRT_RTC, VIRT_SPIS, VIRT_UART } from "./virt.js";
import { FlashGates, VIRT_FLASH_BANKS, VcpuFlashWindow } from "./virt-flash.js";
import { TLB_ALL } from "../vmm/vm-control.js";
import { EV_ACK, EV_LR_FILL, VcpuEventLane } from "../vmm/vcpu-events.js";
import { measureClockCorrection } from "../host/clock-sync.js";
import { restoreSection, sectionBytes, vcpuSection } from "./virt-snapshot.js";
import type { Snapshotable } from "../snapshot/state-stream.js";
import { CodeCache } from "../cpu/code-cache.js";

const NO_LINE = { set(): void {} };

export class VirtVcpuThread implements VcpuHost, PsciPlatform {
  readonly id: number;
  readonly vcpuCount: number;
  readonly control: VmControl;
  readonly lock: VgicLock;
  readonly cpu: Cpu;
  readonly vcpu: Vcpu;
  readonly vgic: Vgic;
  readonly vtimer: Vtimer;
  /** This CPU's GIC virtual interface (its outputs are re-evaluated after another thread changed it). */
  readonly gic: GicVirtualInterface;
  readonly clock: HostClock;
  readonly queue = new DeadlineQueue();
  /** When the running slice is expected to end (counter ticks; vcpu-loop.ts). */
  sliceEnd = Infinity;
  private readonly bus = new MmioBus();
  private readonly sink: MessageSink;
  private readonly warned = new Set<string>();
  private readonly section: Snapshotable;
  /** This vcpu's lane of the live event rings (the browser page's timeline). */
  readonly events: VcpuEventLane;
  private readonly tracePsci: boolean;
  /** The clock for a trace line (counts the line as posted), and where the line goes. */
  private readonly stamp: () => number;
  private readonly traceOut: (line: string) => void;
  private readonly traceMmio: boolean;

  constructor(init: VcpuThreadInit, sink: MessageSink) {
    const id = init.vcpu;
    this.id = id;
    this.vcpuCount = init.vcpus;
    this.sink = sink;
    this.control = new VmControl(init.vcpus, new SharedArrays(init.control));
    const control = this.control;
    this.cleanedFrom = control.cleanedSoFar();
    this.tlbFrom = control.tlbOps.end();
    this.lock = new VgicLock(control.mem, init.vcpus, id + 1, true, (v) => control.kick(v));
    const correction = measureClockCorrection(sink, id, control.clockAnswer, control.clockAnswers);
    this.clock = new HostClock(control.clockBase, correction);
    const clock = this.clock;
    const trace = new Set(init.trace);
    // Every trace line is stamped once, by `stamp`, which first counts the line as posted: the I/O
    // thread merges the vcpus' lines in time order by knowing which are still on their way.
    const tracePosted = control.tracePosted;
    let stamped = 0;
    const stamp = (): number => {
      Atomics.add(tracePosted, id, 1);
      stamped = clock.now();
      return stamped;
    };
    this.stamp = stamp;
    const traceOut = (line: string) => sink.post({ k: "trace", vcpu: id, t: stamped, line });
    this.traceOut = traceOut;
    this.tracePsci = trace.has("psci");
    this.traceMmio = trace.has("mmio");

    // Pages this thread writes are marked in the machine's one map (for snapshots).
    CodeCache.of(init.memory, init.dirtyPages);
    const stage2 = new Stage2(init.memory);
    const gates = init.flashGates === null ? null : new FlashGates(init.flashGates);
    for (const r of init.regions) {
      stage2.addRam(r.base, r.size, r.offset, r.writable, gates !== null && r.romd >= 0 ? gates.word(r.romd) : null);
    }
    const cpu = new Cpu(stage2);
    this.cpu = cpu;
    cpu.hyp.vmpidr = mpidrOf(id);
    cpu.external = control.kicks.subarray(id, id + 1);
    cpu.shared = control.cpuWords;
    if (init.jitThreshold === null) cpu.jit = false;
    else cpu.mmu.code.hotThreshold = init.jitThreshold;
    if (init.vcpus > 1) cpu.mmu.code.shared = new HotBlocks(control.hotBlocks);
    const vcpu = new Vcpu(id, cpu, this);
    this.vcpu = vcpu;

    // Every CPU's interface is mapped (a halting distributor access reloads the others' LRs); only
    // this CPU's drives this core.
    const interfaces = init.gic.map(
      (buffers, c) =>
        new GicVirtualInterface({
          virq: c === id ? { set: (level) => cpu.setLine(LINE_VIRQ, level) } : NO_LINE,
          vfiq: c === id ? { set: (level) => cpu.setLine(LINE_VFIQ, level) } : NO_LINE,
          maintenance: c === id ? vcpu.hostIrq.line(PPI_MAINTENANCE) : NO_LINE,
          mem: new SharedArrays(buffers),
        }),
    );
    this.gic = interfaces[id];
    vcpu.hostIrq.enable(PPI_MAINTENANCE, true);
    stage2.addHardware(VIRT_GICC.base, VIRT_GICC.size, this.gic.gicv);

    this.vgic = new Vgic({
      vcpus: init.vcpus,
      spis: VIRT_SPIS,
      gich: interfaces.map((i) => i.gich),
      now: stamp,
      trace: trace.has("vgic") ? traceOut : null,
      // This thread's own vcpu between slices needs no kick: its next entry takes the interrupt
      // (a kick would end that slice at once, before it ran anything).
      kick: (v) => {
        if (v !== id || vcpu.running) control.kick(v);
      },
      mem: new SharedArrays(init.vgic),
      sync: this.lock,
    });

    const hw = new GenericTimer(clock);
    cpu.timer = hw;
    hw.connect(VIRT_TIMER, vcpu.hostIrq.line(PPI_VIRT_TIMER));
    // A deadline programmed mid-slice that falls before the slice's expected end ends the slice,
    // so that its length is computed again; a later one need not (the slice ends before it).
    // Linux reprograms the timer several times on each way into and out of idle.
    hw.onProgrammed = () => {
      if (hw.nextDeadline() < this.sliceEnd) cpu.kick();
    };
    this.vtimer = new Vtimer(new VtimerVm(clock, this.queue, init.cntvoff), {
      id,
      hw,
      hostIrq: vcpu.hostIrq,
      virtIrq: this.vgic.ppiLine(id, PPI_VIRT_TIMER),
      physIrq: this.vgic.ppiLine(id, PPI_PHYS_TIMER),
      wake: () => vcpu.kick(),
    });
    this.events = new VcpuEventLane(control.events, id, clock);
    this.vtimer.events = this.events;
    const events = this.events;
    this.gic.onAcknowledge = (intid) => events.record(EV_ACK, intid);
    // Only this vcpu's own fills: each ring has one writer, its vcpu's thread.
    this.vgic.onFill = (v, intid) => {
      if (v === id) events.record(EV_LR_FILL, intid);
    };
    if (trace.has("vtimer")) this.vtimer.trace = (m) => traceOut(`vtimer ${formatMicros(stamp())}us ${m}`);
    // Posted writes that may lower a level-triggered line reach the vgic before the LRs are folded
    // (and a level resampled); virtio's interrupts are edges, so its writes need not be waited for.
    const vgic = this.vgic;
    const io = new IoChannel(sink, control);
    vcpu.interrupts = {
      flush: (v) => vgic.flush(v),
      sync: (v) => {
        io.drainLevel(v);
        vgic.sync(v);
      },
      hasDeliverable: (v) => vgic.hasDeliverable(v),
    };
    vcpu.timers = this.vtimer;
    vcpu.pmu = new Vpmu(cpu, vcpu.hostIrq, this.vgic.ppiLine(id, PPI_PMU));
    cpu.onHostFault = (error, pc) =>
      this.warnOnce(
        `host-fault:${pc}`,
        `vcpu${id}: emulator fault at pc 0x${(pc >>> 0).toString(16)} (${error instanceof Error ? error.message : String(error)}); the guest sees an undefined instruction`,
      );

    mapVirtDevices(this.bus, {
      gicDistributor: this.vgic.distributor,
      uart: new IoThreadWindow(VIRT_UART.base, io),
      rtc: new IoThreadWindow(VIRT_RTC.base, io),
      virtio: virtioWindows(init.virtioSlots, io, init.virtioIrq),
    });
    if (gates !== null) {
      // A write that unmaps a bank for reads: this CPU's TLB and every other's forget it before
      // the write completes (a stage-2 unmap with its broadcast invalidation).
      const unmapped = () => {
        cpu.mmu.flushTlb();
        const b = cpu.broadcast;
        if (b !== null) {
          b.tlb(TLB_ALL, 0);
          b.complete();
        }
      };
      VIRT_FLASH_BANKS.forEach((entry, bank) => {
        const window = new VcpuFlashWindow(new IoThreadWindow(entry.base, io), gates, bank, unmapped);
        this.bus.register(entry.name, entry.base, entry.size, window);
      });
    }

    this.section = vcpuSection({ vcpu, timer: hw, gic: this.gic, vtimer: this.vtimer, pmu: vcpu.pmu });
    if (init.restore !== null) {
      // A restored machine: this vcpu goes on from its section; the power word follows it.
      restoreSection(this.section, init.restore, `vcpu/${id}`);
      Atomics.store(control.power, id, vcpu.state === VcpuState.OFF ? Power.OFF : Power.ON);
    } else if (init.boot !== null) {
      const b = init.boot;
      vcpu.powerOn(b.entry, b.r0, b.r1, b.r2);
    }
  }

  /** This vcpu's snapshot section (taken between slices, with the VM held). */
  saveState(): Uint8Array {
    return sectionBytes(this.section);
  }

  /** Starts the vcpu if a CPU_ON for it was accepted. */
  takePowerOn(): void {
    const c = this.control;
    if (Atomics.load(c.power, this.id) !== Power.ON_PENDING) return;
    this.vcpu.powerOn(c.onEntry[this.id], c.onContext[this.id]);
    Atomics.store(c.power, this.id, Power.ON);
  }

  // ---- VcpuHost ----

  mmioRead(vcpu: number, ipa: number, size: number): number | undefined {
    const value = this.bus.read(ipa, size, vcpu);
    if (this.traceMmio) this.traceAccess(`read${size * 8} 0x${ipa.toString(16)} = 0x${(value >>> 0).toString(16)}`);
    this.afterTrap();
    return value === MMIO_MISS ? undefined : value;
  }

  mmioWrite(vcpu: number, ipa: number, size: number, value: number): boolean {
    if (this.traceMmio) this.traceAccess(`write${size * 8} 0x${ipa.toString(16)} <- 0x${(value >>> 0).toString(16)}`);
    const mapped = this.bus.write(ipa, size, value, vcpu);
    this.afterTrap();
    return mapped;
  }

  /** A distributor access may have waited for (or halted) the others: back into the guest only
   * through the entry gate, with this CPU's interface outputs re-evaluated. */
  private afterTrap(): void {
    this.enterGuest();
    // A slice is measured in instructions, but an access to the I/O thread takes tens of
    // microseconds: a timer deadline that passed meanwhile ends the slice now, as the hardware
    // timer would interrupt the vcpu.
    if (this.clock.now() >= Math.min(this.queue.nextDeadline(), this.vtimer.hardwareDeadline())) this.cpu.kick();
  }

  /** Where this vcpu is in the VM's clean log and TLB log (vm-control.ts). */
  private cleanedFrom: number;
  private tlbFrom: number;

  /** Does the TLB invalidations other vcpus broadcast since this one last looked (all of it when
   * it fell a whole log behind). */
  applyTlbOps(): void {
    const cpu = this.cpu;
    this.tlbFrom = this.control.tlbOps.read(
      this.tlbFrom,
      (kind, value) => applyTlbOp(cpu, kind, value),
      () => cpu.mmu.flushTlb(),
    );
  }

  /** Drops translated code of the pages cleaned since this vcpu last looked (an IC invalidate). */
  dropCleanedCode(): void {
    const code = this.cpu.mmu.code;
    this.cleanedFrom = this.control.readCleaned(this.cleanedFrom, (page) => code.dropByMaintenance(page));
  }

  /** Honours other threads' requests (broadcast maintenance, statistics); set by the run loop. */
  serviceRequests: () => void = () => {};

  /** The gate every return to guest code passes (see VgicLock.enterGuest): waits while another
   * vcpu has the guests halted, then honours broadcast maintenance before any guest instruction. */
  enterGuest(): void {
    if (this.lock.enterGuest(this.id)) this.gic.update();
    this.serviceRequests();
  }

  private traceAccess(text: string): void {
    this.traceOut(`mmio ${formatMicros(this.stamp())}us vcpu${this.id}: ${text}`);
  }

  hypercall(vcpu: Vcpu): void {
    const r = vcpu.cpu.r;
    const fid = r[0] >>> 0;
    const result = handlePsci(this, vcpu.id, fid, r[1], r[2], r[3]);
    if (this.tracePsci) {
      const hex = (n: number) => "0x" + (n >>> 0).toString(16);
      this.traceOut(
        `psci ${formatMicros(this.stamp())}us vcpu${vcpu.id} psci ${hex(fid)}(${hex(r[1])}, ${hex(r[2])}, ${hex(r[3])}) = ${result}`,
      );
    }
    if (vcpu.state !== VcpuState.OFF) r[0] = result;
  }

  warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.sink.post({ k: "warn", key, message });
  }

  // ---- PsciPlatform, across threads ----

  affinityState(index: number): number {
    const p = Atomics.load(this.control.power, index);
    return p === Power.OFF ? AFFINITY_OFF : p === Power.ON ? AFFINITY_ON : AFFINITY_ON_PENDING;
  }

  cpuOn(index: number, entry: number, contextId: number): void {
    const c = this.control;
    // Claim the vcpu first, so a racing CPU_ON cannot change the entry point once it is written.
    if (Atomics.compareExchange(c.power, index, Power.OFF, Power.CLAIMED) !== Power.OFF) return;
    c.onEntry[index] = entry | 0;
    c.onContext[index] = contextId | 0;
    Atomics.store(c.power, index, Power.ON_PENDING);
    c.kick(index);
  }

  cpuOff(caller: number): void {
    this.vcpu.powerOff();
    Atomics.store(this.control.power, caller, Power.OFF);
  }

  cpuSuspend(): void {
    this.vcpu.waitForInterrupt();
  }

  systemOff(): void {
    this.control.setFate(Fate.POWER_OFF);
    this.vcpu.yieldRequested = true;
  }

  systemReset(): void {
    this.control.setFate(Fate.RESET);
    this.vcpu.yieldRequested = true;
  }
}

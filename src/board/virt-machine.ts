// Assembles QEMU's `virt` machine around the hypervisor: one physical CPU per vcpu (core, GIC
// virtual CPU interface, generic timer), the vgic and vtimers, the trapped devices on the MMIO bus at
// the board table's addresses, the guest images in memory, and the scheduler that runs it all.

import { LINE_VFIQ, LINE_VIRQ } from "../cpu/core.js";
import { VIRT_TIMER } from "../cpu/timer-regs.js";
import { HOT_THRESHOLD } from "../cpu/code-cache.js";
import { Pl011 } from "../devices/pl011.js";
import { Pl031 } from "../devices/pl031.js";
import { GicVirtualInterface } from "../gic/virtual-interface.js";
import { HostClock, IcountClock, type IdleClock } from "../host/clock.js";
import { Scheduler, type HostLoop, type Schedulable } from "../host/scheduler.js";
import { DeadlineQueue } from "../host/timer-queue.js";
import { GenericTimer } from "../timer/generic-timer.js";
import type { BootPlan } from "../boot/plan.js";
import { planVirtBoot, virtDtb } from "../boot/virt-boot.js";
import { BootError } from "../boot/boot-error.js";
import { PPI_MAINTENANCE, PPI_PHYS_TIMER, PPI_PMU, PPI_VIRT_TIMER } from "../vmm/host-irq.js";
import { formatExitStats, formatPerVcpu } from "../vmm/stats.js";
import { Vgic } from "../vmm/vgic/vgic.js";
import { formatMicros } from "../vmm/vgic/stats.js";
import { Vm, VmFate, type MemoryRegion } from "../vmm/vm.js";
import { VcpuState } from "../vmm/vcpu.js";
import { Vtimer } from "../vmm/vtimer.js";
import { Vpmu } from "../vmm/vpmu.js";
import { VtimerVm } from "../vmm/vtimer-vm.js";
import { mapVirtDevices } from "./virt-bus.js";
import { buildVirtio, virtioSlotsOf, type VirtioConfig } from "./virt-virtio.js";
import { GuestMemory } from "../devices/virtio/guest-memory.js";
import { VIRTIO_IRQ_WORDS } from "../devices/virtio/interrupt-status.js";
import type { VirtioConsole } from "../devices/virtio/console.js";
import { VirtThreads } from "./virt-threads.js";
import { EV_ACK, EV_LR_FILL, VcpuEventLane } from "../vmm/vcpu-events.js";
import { FlashGates, mapVirtFlash, VIRT_FLASH_BANKS, type FlashBacking } from "./virt-flash.js";
import { SharedArrays } from "../host/shared-arrays.js";
import type { VcpuThreadHost } from "../host/thread-host.js";
import type { VcpuThreadInit } from "../host/thread-messages.js";
import { Fate, Power, VmControl } from "../vmm/vm-control.js";
import { VgicLock } from "../vmm/vgic/vgic-lock.js";
import { CodeCache } from "../cpu/code-cache.js";
import { SameThreadBroadcast } from "../vmm/same-thread-broadcast.js";
import {
  MachineSnapshot,
  VCPU_SECTION_VERSION,
  arraysSection,
  bytesSection,
  ramSection,
  vcpuSection,
} from "./virt-snapshot.js";
import type { Section } from "../snapshot/snapshot-format.js";
import { VIRT_FLASH, VIRT_GICC, VIRT_RAM_BASE, VIRT_RAM_MAX, VIRT_RTC, VIRT_SPIS, VIRT_UART, intidOf } from "./virt.js";

/** Start of the RTC in icount mode, so deterministic runs print the same dates: 2026-01-01T00:00:00Z. */
export const ICOUNT_RTC_EPOCH = 1_767_225_600;

export interface VirtMachineConfig {
  ramSize: number;
  vcpus: number;
  clock: "host" | "icount";
  kernel?: Uint8Array | null;
  initrd?: Uint8Array | null;
  bios?: Uint8Array | null;
  /** A device tree to use instead of the generated one. */
  dtb?: Uint8Array | null;
  bootargs?: string;
  /** Trace kinds: vgic, vtimer, psci, mmio. */
  trace?: ReadonlySet<string>;
  /** Seconds since the epoch for the RTC (default: the host's time, or ICOUNT_RTC_EPOCH in icount mode). */
  rtcEpochSeconds?: number;
  loop: HostLoop;
  /** Bytes the guest writes to its console. */
  output: (byte: number) => void;
  /** Warnings about what the guest did (unmapped accesses, ignored registers). */
  log: (message: string) => void;
  /** Trace lines. */
  traceOut?: (line: string) => void;
  /** Visits before an ARM block is translated to JavaScript (default HOT_THRESHOLD); null: interpreter only. */
  jitThreshold?: number | null;
  /** Runs each vcpu on a host thread of its own (host clock only); absent: all on this thread. */
  threads?: VcpuThreadHost;
  /** Virtio devices: disks, entropy, a console (`virtio.consoleOutput` puts console input on it). */
  virtio?: VirtioConfig;
  /** Map the flash banks even with nothing to load there (a restored snapshot that had them). */
  flash?: boolean;
  /** Backing stores of the flash banks (`--pflash`), by bank. With a bank 0 image and no kernel
   * or firmware, the machine boots from flash, as QEMU does. */
  pflash?: readonly (FlashBacking | null)[];
}

export interface MachineBuffers {
  vcpus: number;
  gic: SharedArrayBuffer[][];
  vgic: SharedArrayBuffer[];
  control: SharedArrayBuffer[];
}

export interface VirtMachine {
  readonly vm: Vm;
  readonly vgic: Vgic;
  readonly vtimers: Vtimer[];
  /** The VM's control words (kicks, power, instruction counts, the live event rings). */
  readonly control: VmControl;
  /** The shared buffers of every GIC virtual interface, the vgic and the control words, in the
   * order their owners allocate them: a viewer on another thread attaches to them (as the vcpu
   * threads do) and reads the state live. */
  readonly shared: MachineBuffers;
  readonly uart: Pl011;
  /** The virtio console, when there is one: console input goes there. */
  readonly virtioConsole: VirtioConsole | null;
  readonly clock: IdleClock;
  readonly scheduler: Scheduler;
  /** The device tree given to the guest. */
  readonly dtb: Uint8Array;
  readonly plan: BootPlan | null;
  /** Runs until the guest powers off or resets, or stop() is called. */
  run(): Promise<void>;
  stop(): void;
  /** Console input from the host. */
  input(bytes: Uint8Array): void;
  /** Stops (true) or lets go (false) every vcpu, with guest time standing still meanwhile, as
   * QEMU's `stop`/`cont`: the guest cannot tell it was paused. */
  pause(on: boolean): void;
  formatStats(): string;
  /** Per vcpu: exits by reason and the vtimer's counters (with vcpu threads: as of their last
   * report, see refreshStats). */
  statsRows(): { exits: [string, number][][]; vtimer: [string, number][][] };
  /** With vcpu threads: asks them for fresh statistics (formatStats shows them once they arrive). */
  refreshStats(): void;
  /** Whether the vcpus run on threads of their own. */
  readonly threaded: boolean;
  /** Guest instructions executed so far, every vcpu (with threads: as of their last slices). */
  instructions(): number;
  /** The machine's snapshot sections (virt-snapshot.ts). On one thread, save and restore them at
   * `scheduler.checkpoint`; with vcpu threads, save through captureSnapshot and restore before
   * run() (each vcpu thread then restores its own section as it starts). */
  readonly snapshot: MachineSnapshot;
  /** With vcpu threads: holds every vcpu between slices with guest time standing still, has each
   * thread send its section, and returns the machine's sections; then lets the vcpus go. */
  captureSnapshot(): Promise<Section[]>;
}

export function buildVirtMachine(config: VirtMachineConfig): VirtMachine {
  const { ramSize, vcpus } = config;
  if (ramSize > VIRT_RAM_MAX) throw new BootError(`RAM of ${ramSize} bytes does not fit the board (at most 3 GiB)`);
  const trace = config.trace ?? new Set<string>();
  const traceOut = config.traceOut ?? (() => {});

  const pflash = config.pflash ?? [];
  const flashBoot = (pflash[0] ?? null) !== null;
  const bootConfig = {
    ramSize,
    vcpus,
    bootargs: config.bootargs,
    kernel: config.kernel,
    initrd: config.initrd,
    bios: config.bios,
    dtb: config.dtb,
    virtioSlots: virtioSlotsOf(config.virtio ?? {}),
    flash: pflash.some((b) => b !== null) || (config.bios ?? null) !== null,
    flashBoot,
  };
  const hasImage = (config.kernel ?? null) !== null || (config.bios ?? null) !== null || flashBoot;
  const plan = hasImage ? planVirtBoot(bootConfig) : null;
  const dtb = plan?.writes.find((w) => w.what === "dtb")?.bytes ?? config.dtb ?? virtDtb(bootConfig);
  const flash = { base: VIRT_FLASH.base, size: VIRT_FLASH.size };

  // Flash exists when a bank has a backing file or something is loaded into it (firmware, or an
  // ELF linked there), or a restored snapshot had it; then both banks are there, as on QEMU.
  const needsFlash =
    config.flash === true || bootConfig.flash || (plan?.writes.some((w) => w.addr < flash.base + flash.size) ?? false);
  const flashGates = needsFlash ? new FlashGates() : null;
  const memory: MemoryRegion[] = [{ base: VIRT_RAM_BASE, size: ramSize, writable: true }];
  if (flashGates !== null) {
    memory.unshift(
      ...VIRT_FLASH_BANKS.map((b, k) => ({ base: b.base, size: b.size, writable: false, romd: flashGates.word(k) })),
    );
  }

  let vmRef: Vm | null = null;
  const control = new VmControl(vcpus);
  const clock: IdleClock =
    config.clock === "icount"
      ? new IcountClock(() => (vmRef === null ? 0 : vmRef.instructions()))
      : new HostClock(control.clockBase);
  const queue = new DeadlineQueue();
  const stamp = () => formatMicros(clock.now());
  const vm = new Vm({
    memory,
    vcpus,
    clock,
    warn: config.log,
    tracePsci: trace.has("psci") ? (m) => traceOut(`psci ${stamp()}us ${m}`) : undefined,
  });
  vmRef = vm;
  for (const v of vm.vcpus) {
    if (config.jitThreshold === null) v.cpu.jit = false;
    else if (config.jitThreshold !== undefined) v.cpu.mmu.code.hotThreshold = config.jitThreshold;
  }

  // With vcpu threads this thread is the I/O thread: it keeps the devices and injects their
  // interrupts under the vgic lock; the vcpu threads attach to the shared state built here.
  const threaded = config.threads !== undefined && config.clock === "host";
  // On one thread a kick must also wake the scheduler: it may be asleep until the next timer
  // deadline, and the vcpu that an interrupt (from a device, the console or the network) now wakes
  // must run at once, as a physical CPU leaves WFI.
  let scheduler: Scheduler | null = null;
  const kick = threaded
    ? (v: number) => control.kick(v)
    : (v: number) => {
        const vcpu = vm.vcpus[v];
        const wasBlocked = vcpu.state === VcpuState.BLOCKED;
        vcpu.kick();
        if (wasBlocked) scheduler?.wake();
      };
  const lock = threaded ? new VgicLock(control.mem, vcpus, vcpus + 1, true, kick) : undefined;
  const gicMems: SharedArrays[] = [];
  const vgicMem = new SharedArrays();

  // The cores' shared words (SEV count, the doubleword-exclusive lock), one set per VM.
  for (const v of vm.vcpus) v.cpu.shared = control.cpuWords;
  // On one thread, TLB maintenance to the inner-shareable domain reaches the other CPUs directly.
  if (!threaded && vcpus > 1) {
    const cpus = vm.vcpus.map((v) => v.cpu);
    for (const cpu of cpus) cpu.broadcast = new SameThreadBroadcast(cpu, cpus);
  }

  // One GIC virtual CPU interface per physical CPU, seen by its core at the guest's GICC address.
  const interfaces = vm.vcpus.map((vcpu) => {
    const cpu = vcpu.cpu;
    const mem = new SharedArrays();
    gicMems.push(mem);
    const vif = new GicVirtualInterface({
      virq: { set: (level) => cpu.setLine(LINE_VIRQ, level) },
      vfiq: { set: (level) => cpu.setLine(LINE_VFIQ, level) },
      maintenance: vcpu.hostIrq.line(PPI_MAINTENANCE),
      mem,
    });
    vcpu.hostIrq.enable(PPI_MAINTENANCE, true);
    vm.mapHardware(vcpu.id, VIRT_GICC.base, VIRT_GICC.size, vif.gicv);
    return vif;
  });

  const vgic = new Vgic({
    vcpus,
    spis: VIRT_SPIS,
    gich: interfaces.map((i) => i.gich),
    now: () => clock.now(),
    trace: trace.has("vgic") ? traceOut : null,
    kick,
    mem: vgicMem,
    sync: lock,
  });

  const timerVm = new VtimerVm(clock, queue);
  const lanes: VcpuEventLane[] = [];
  vgic.onFill = (v, intid) => lanes[v].record(EV_LR_FILL, intid);
  const vtimers = vm.vcpus.map((vcpu) => {
    const hw = new GenericTimer(clock);
    vcpu.cpu.timer = hw;
    hw.connect(VIRT_TIMER, vcpu.hostIrq.line(PPI_VIRT_TIMER));
    // In icount mode a nearer deadline must end the slice so the tick lands on its instruction.
    if (config.clock === "icount") hw.onProgrammed = () => vcpu.cpu.kick();
    const vt = new Vtimer(timerVm, {
      id: vcpu.id,
      hw,
      hostIrq: vcpu.hostIrq,
      virtIrq: vgic.ppiLine(vcpu.id, PPI_VIRT_TIMER),
      physIrq: vgic.ppiLine(vcpu.id, PPI_PHYS_TIMER),
      wake: () => vcpu.kick(),
    });
    if (trace.has("vtimer")) vt.trace = (m) => traceOut(`vtimer ${stamp()}us ${m}`);
    // The live views' timer and acknowledge events (the vcpu threads record their own).
    const lane = new VcpuEventLane(control.events, vcpu.id, clock);
    vt.events = lane;
    interfaces[vcpu.id].onAcknowledge = (intid) => lane.record(EV_ACK, intid);
    lanes.push(lane);
    if (!threaded) vcpu.events = lane;
    vcpu.interrupts = vgic;
    vcpu.timers = vt;
    vcpu.pmu = new Vpmu(vcpu.cpu, vcpu.hostIrq, vgic.ppiLine(vcpu.id, PPI_PMU));
    vcpu.cpu.onHostFault = (error, pc) =>
      vm.warnOnce(
        `host-fault:${pc}`,
        `vcpu${vcpu.id}: emulator fault at pc 0x${(pc >>> 0).toString(16)} (${error instanceof Error ? error.message : String(error)}); the guest sees an undefined instruction`,
      );
    return vt;
  });

  // Console input waits in a host-side queue while the UART's FIFO is full.
  const pendingInput: number[] = [];
  const uart = new Pl011(vgic.spiLine(intidOf(VIRT_UART.irq!)), config.output);
  const feedUart = () => {
    while (pendingInput.length > 0 && uart.canReceive()) uart.receive(pendingInput.shift()!);
  };
  uart.onRxSpace = () => config.loop.defer(feedUart);
  const rtcEpoch = config.rtcEpochSeconds ?? (config.clock === "icount" ? ICOUNT_RTC_EPOCH : Date.now() / 1000);
  const rtc = new Pl031(vgic.spiLine(intidOf(VIRT_RTC.irq!)), clock, queue, { startEpochSeconds: rtcEpoch });
  // Each transport's InterruptStatus in shared words, in slot order: vcpu threads answer the
  // driver's reads of it themselves.
  const virtioIrqMem = new SharedArrays();
  const virtio = buildVirtio(
    config.virtio ?? {},
    new GuestMemory(vm.memoryBuffer, vm.regions, CodeCache.of(vm.memoryBuffer).dirtyPages),
    (entry) => vgic.spiLine(intidOf(entry.irq!)),
    config.log,
    () => virtioIrqMem.i32(VIRTIO_IRQ_WORDS),
  );
  mapVirtDevices(vm.bus, { gicDistributor: vgic.distributor, uart, rtc, virtio: virtio.transports });
  const flashDevices =
    flashGates === null
      ? []
      : mapVirtFlash(vm.bus, {
          gates: flashGates,
          storage: VIRT_FLASH_BANKS.map((b) => {
            const r = vm.regions.find((region) => region.base === b.base)!;
            return vm.memory.subarray(r.offset, r.offset + r.size);
          }),
          backings: pflash,
          log: config.log,
          // With vcpu threads each vcpu flushes the TLBs when its write unmaps a bank.
          unmapped: threaded ? null : () => vm.vcpus.forEach((v) => v.cpu.mmu.flushTlb()),
        });
  if (trace.has("mmio")) {
    const bus = vm.bus;
    const read = bus.read.bind(bus);
    const write = bus.write.bind(bus);
    const hex = (n: number) => "0x" + (n >>> 0).toString(16);
    bus.read = (addr, size, cpu) => {
      const v = read(addr, size, cpu);
      traceOut(`mmio ${stamp()}us vcpu${cpu}: read${size * 8} ${hex(addr)} = ${hex(v)}`);
      return v;
    };
    bus.write = (addr, size, value, cpu) => {
      traceOut(`mmio ${stamp()}us vcpu${cpu}: write${size * 8} ${hex(addr)} <- ${hex(value)}`);
      return write(addr, size, value, cpu);
    };
  }

  if (plan !== null) {
    for (const w of plan.writes) {
      if (!vm.writePhysical(w.addr, w.bytes)) {
        throw new BootError(
          `${w.what} (${w.bytes.length} bytes at 0x${w.addr.toString(16)}) does not fit in guest memory`,
        );
      }
    }
    const r = plan.registers;
    if (threaded) Atomics.store(control.power, 0, Power.ON);
    else vm.vcpus[0].powerOn(plan.entry | (plan.thumb ? 1 : 0), r.r0, r.r1, r.r2);
  }

  const schedulables: Schedulable[] = vm.vcpus.map((vcpu, k) => ({
    runnable: () => vcpu.state === VcpuState.RUNNABLE,
    runSlice: (budget) => vcpu.runSlice(budget),
    hardwareDeadline: () => vtimers[k].hardwareDeadline(),
  }));
  // With vcpu threads this thread's scheduler has no vcpu: it runs the devices' deadlines.
  const sched = new Scheduler(threaded ? [] : schedulables, clock, queue, config.loop);
  scheduler = sched;
  vm.onStop = () => sched.stop();

  const threads =
    threaded && config.threads !== undefined
      ? new VirtThreads({
          vm,
          control,
          host: config.threads,
          log: config.log,
          traceOut,
          devicesTouched: () => sched.wake(),
          now: () => clock.now(),
          allReady: () => {
            if (startHold && !paused) {
              clock.hold(false);
              control.setHold(false);
            }
            startHold = false;
          },
          init: (v): VcpuThreadInit => ({
            vcpu: v,
            vcpus,
            memory: vm.memoryBuffer,
            regions: vm.regions.map((r) => ({
              base: r.base,
              size: r.size,
              offset: r.offset,
              writable: r.writable,
              romd: VIRT_FLASH_BANKS.findIndex((b) => r.romd !== undefined && b.base === r.base),
            })),
            flashGates: flashGates?.buffer ?? null,
            gic: gicMems.map((m) => m.buffers),
            vgic: vgicMem.buffers,
            control: control.mem.buffers,
            cntvoff: timerVm.cntvoff,
            jitThreshold: config.jitThreshold === undefined ? HOT_THRESHOLD : config.jitThreshold,
            trace: [...trace],
            virtioSlots: virtio.slots,
            virtioIrq: virtioIrqMem.buffers,
            boot:
              v === 0 && plan !== null && threadState[v] === null
                ? { entry: plan.entry | (plan.thumb ? 1 : 0), ...plan.registers }
                : null,
            restore: threadState[v],
            dirtyPages: CodeCache.of(vm.memoryBuffer).dirtyPages.buffer as SharedArrayBuffer,
          }),
        })
      : null;

  // With vcpu threads a vcpu's section is made and restored on its own thread (captureSnapshot,
  // VcpuThreadInit.restore); here it is bytes on their way.
  const snapshot = new MachineSnapshot();
  const threadState: (Uint8Array | null)[] = new Array<Uint8Array | null>(vcpus).fill(null);
  /** The vcpus and the clock are held until every vcpu thread is up (runThreads). */
  let startHold = false;
  /** Paused by `pause` (the start does not let a paused machine go). */
  let paused = false;
  {
    snapshot.add("ram", 1, ramSection(vm.memory, vm.regions, CodeCache.of(vm.memoryBuffer).dirtyPages));
    snapshot.add("clock", 1, {
      save(w) {
        w.f64(clock.saveBase());
        w.f64(queue.order);
        w.f64(sched.position);
        w.f64(timerVm.cntvoff);
        w.f64(control.cpuWords[3]);
      },
      restore(r) {
        clock.restoreBase(r.f64());
        queue.order = r.f64();
        sched.position = r.f64();
        timerVm.cntvoff = r.f64();
        control.cpuWords[3] = r.f64();
      },
    });
    vm.vcpus.forEach((vcpu, k) => {
      const section = threaded
        ? bytesSection(
            () => threadState[k] ?? new Uint8Array(0),
            (bytes) => (threadState[k] = bytes),
          )
        : vcpuSection({
            vcpu,
            timer: vcpu.cpu.timer as GenericTimer,
            gic: interfaces[k],
            vtimer: vtimers[k],
            pmu: vcpu.pmu!,
          });
      snapshot.add(`vcpu/${k}`, VCPU_SECTION_VERSION, section);
    });
    snapshot.add("vgic", 1, arraysSection(vgicMem.buffers));
    snapshot.add("pl011", 1, {
      save(w) {
        uart.save(w);
        w.bytes(Uint8Array.from(pendingInput));
      },
      restore(r) {
        uart.restore(r);
        pendingInput.splice(0, pendingInput.length, ...r.bytes());
      },
    });
    snapshot.add("pl031", 1, rtc);
    virtio.slots.forEach((slot) => snapshot.add(`virtio/${slot}`, 1, virtio.transports[slot]!));
    flashDevices.forEach((device, bank) => snapshot.add(`pflash/${bank}`, 1, device));
  }

  const runThreads = async (t: VirtThreads): Promise<void> => {
    // Guest time starts when the vcpus can run, as QEMU's virtual clock starts with the VM, not
    // when the machine is built: starting threads takes a good part of a second (more in a
    // browser), and a restored guest must not find its timers late, nor a fresh one its first tick.
    // No vcpu runs guest code before all are built either: a restored vcpu 0 could otherwise
    // power on vcpu 1 (PSCI CPU_ON) before vcpu 1's thread has restored its power state, which
    // would then overwrite the request (vcpu 1 never starts).
    startHold = true;
    clock.hold(true);
    control.setHold(true);
    const devices = sched.run();
    try {
      await t.run();
    } finally {
      const fate = Atomics.load(control.fate, 0);
      vm.fate = fate === Fate.RESET ? VmFate.RESET : fate === Fate.POWER_OFF ? VmFate.POWER_OFF : vm.fate;
      sched.stop();
      await devices;
    }
  };

  return {
    vm,
    vgic,
    vtimers,
    control,
    shared: { vcpus, gic: gicMems.map((m) => m.buffers), vgic: vgicMem.buffers, control: control.mem.buffers },
    uart,
    virtioConsole: virtio.console,
    clock,
    scheduler: sched,
    dtb,
    plan,
    threaded: threads !== null,
    snapshot,
    instructions: () => (threads !== null ? control.instructions.reduce((a, b) => a + b, 0) : vm.instructions()),
    run: () => (threads !== null ? runThreads(threads) : sched.run()),
    stop: () => (threads !== null ? threads.stop() : sched.stop()),
    refreshStats: () => threads?.requestStats(),
    captureSnapshot: async () => {
      if (threads === null)
        throw new Error("captureSnapshot is for vcpu threads; use snapshot.save() at the checkpoint");
      const wasHeld = Atomics.load(control.hold, 0) !== 0;
      clock.hold(true);
      try {
        const states = await threads.collectStates();
        states.forEach((s, k) => (threadState[k] = s));
        // The writer keeps large arrays by reference (guest pages, the vgic's arrays), and the
        // vcpus run on before the file is written: copy them while the vcpus are still held, or
        // the file would hold memory newer than the registers saved with it.
        return snapshot.save().map((sec) => ({
          ...sec,
          data: sec.data.map((part) => (part.buffer instanceof SharedArrayBuffer ? part.slice() : part)),
        }));
      } finally {
        threadState.fill(null);
        if (!wasHeld) {
          clock.hold(false);
          control.setHold(false);
        }
      }
    },
    statsRows: () =>
      threads !== null
        ? { exits: threads.stats.map((s) => s?.exits ?? []), vtimer: threads.stats.map((s) => s?.vtimer ?? []) }
        : { exits: vm.vcpus.map((v) => v.stats.rows()), vtimer: vtimers.map((vt) => vt.stats.rows()) },
    pause: (on) => {
      paused = on;
      if (on) {
        if (threads !== null) control.setHold(true);
        else sched.pause();
        clock.hold(true);
      } else {
        clock.hold(false);
        if (threads !== null) control.setHold(false);
        else sched.resume();
      }
    },
    input: (bytes) => {
      if (virtio.console !== null) {
        virtio.console.input(bytes);
        return;
      }
      for (const b of bytes) pendingInput.push(b);
      feedUart();
    },
    formatStats: () => {
      if (threads !== null) return formatThreadStats(threads, vgic, clock);
      const parts = [
        formatExitStats(
          vm.vcpus.map((v) => v.stats),
          vm.vcpus.map((v) => v.cpu.instructions),
        ),
        vgic.formatStats(),
        formatPerVcpu(
          "vtimer",
          vtimers.map((vt) => vt.stats.rows()),
        ),
        `guest time ${(clock.now() / 62_500_000).toFixed(3)} s, host CPU in guest ${(sched.busyMs / 1000).toFixed(3)} s`,
        vm.vcpus[0].cpu.mmu.code.describe(vm.vcpus[0].cpu.jit),
      ];
      return parts.join("\n\n");
    },
  };
}

/** --stats when the vcpus ran on threads: their own reports, and the shared vgic counters. */
function formatThreadStats(threads: VirtThreads, vgic: Vgic, clock: IdleClock): string {
  const stats = threads.stats;
  const rows = stats.map((s) => (s === null ? [] : [...s.exits, ["instructions", s.instructions] as [string, number]]));
  const busy = stats.reduce((sum, s) => sum + (s?.busyMs ?? 0), 0);
  return [
    formatPerVcpu("exits", rows),
    vgic.formatStats(),
    formatPerVcpu(
      "vtimer",
      stats.map((s) => s?.vtimer ?? []),
    ),
    `guest time ${(clock.now() / 62_500_000).toFixed(3)} s, host CPU in guest ${(busy / 1000).toFixed(3)} s (vcpu threads)`,
    stats[0]?.jit ?? "",
  ].join("\n\n");
}

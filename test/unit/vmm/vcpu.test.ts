// A vcpu and its VM around a real core, with recording fakes for the vgic and the timers: the order
// of the run loop's calls around a slice, every exit reason and what it does, MMIO data aborts with
// and without a decoded syndrome, unmapped accesses, trapped coprocessor accesses, power state, and
// the VM's PSCI platform and fate.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Vm, VmFate } from "../../../src/vmm/vm.js";
import { Vcpu, VcpuState, type VcpuInterrupts, type VcpuTimers } from "../../../src/vmm/vcpu.js";
import { PPI_MAINTENANCE, PPI_VIRT_TIMER } from "../../../src/vmm/host-irq.js";
import { PSCI_CPU_OFF, PSCI_VERSION, mpidrOf } from "../../../src/vmm/psci.js";
import { EC, ISS_ISV, ISS_SSE, ISS_WNR, makeHsr } from "../../../src/cpu/exits.js";
import { Mode } from "../../../src/cpu/state.js";
import type { MmioDevice } from "../../../src/devices/device.js";
import { FakeClock } from "../timer/fakes.js";
import { SharedArrays } from "../../../src/host/shared-arrays.js";
import { EV_BLOCK, EV_OFF, EV_RUN, VcpuEventLane, VcpuEvents } from "../../../src/vmm/vcpu-events.js";

const RAM = 0x4000_0000;
const DEV = 0x0900_0000;

// A32 encodings.
const WFI = 0xe320f003;
const WFE = 0xe320f002;
const HVC = 0xe1400070;
const SMC = 0xe1600070;
const NOP = 0xe320f000;
const LDR_R1_R2 = 0xe5921000; // ldr r1, [r2]
const B_SELF = 0xeafffffe;

class Calls {
  readonly log: string[] = [];
}

class FakeTimers implements VcpuTimers {
  trapValue = 0;
  trapValueHi = 0;
  handles = false;
  constructor(private readonly calls: Calls) {}
  reset(): void {
    this.calls.log.push("timers.reset");
  }
  load(): void {
    this.calls.log.push("load");
  }
  put(blocking: boolean): void {
    this.calls.log.push(`put(${blocking})`);
  }
  handleHostIrq(): void {
    this.calls.log.push("hostIrq");
  }
  handleCoprocTrap(hsr: number, lo: number, hi: number): boolean {
    this.calls.log.push(`coproc(${hsr.toString(16)},${lo},${hi})`);
    return this.handles;
  }
  hardwareDeadline(): number {
    return Infinity;
  }
  updateHardware(): void {
    this.calls.log.push("update");
  }
}

class FakeInterrupts implements VcpuInterrupts {
  deliverable = false;
  constructor(private readonly calls: Calls) {}
  flush(vcpu: number): void {
    this.calls.log.push(`flush${vcpu}`);
  }
  sync(vcpu: number): void {
    this.calls.log.push(`sync${vcpu}`);
  }
  hasDeliverable(vcpu: number): boolean {
    this.calls.log.push(`deliverable${vcpu}`);
    return this.deliverable;
  }
}

class Device implements MmioDevice {
  readonly accesses: string[] = [];
  value = 0;
  onRead: (() => void) | null = null;
  read(offset: number, size: number, cpu: number): number {
    this.accesses.push(`r ${offset} ${size} cpu${cpu}`);
    this.onRead?.();
    return this.value;
  }
  write(offset: number, size: number, value: number, cpu: number): void {
    this.accesses.push(`w ${offset} ${size} 0x${value.toString(16)} cpu${cpu}`);
  }
}

interface Setup {
  vm: Vm;
  vcpu: Vcpu;
  calls: Calls;
  timers: FakeTimers;
  interrupts: FakeInterrupts;
  device: Device;
  warnings: string[];
  psci: string[];
}

function setup(code: number[] = [], vcpus = 1): Setup {
  const warnings: string[] = [];
  const psci: string[] = [];
  const vm = new Vm({
    memory: [{ base: RAM, size: 1 << 20, writable: true }],
    vcpus,
    clock: new FakeClock(0),
    warn: (m) => warnings.push(m),
    tracePsci: (m) => psci.push(m),
  });
  const device = new Device();
  vm.bus.register("dev", DEV, 0x1000, device);
  const calls = new Calls();
  const timers = new FakeTimers(calls);
  const interrupts = new FakeInterrupts(calls);
  const vcpu = vm.vcpus[0];
  vcpu.timers = timers;
  vcpu.interrupts = interrupts;
  const bytes = new Uint8Array(code.length * 4);
  const view = new DataView(bytes.buffer);
  code.forEach((w, k) => view.setUint32(4 * k, w >>> 0, true));
  assert.ok(vm.writePhysical(RAM, bytes));
  vcpu.powerOn(RAM, 0x1234, 5, 6);
  calls.log.length = 0;
  return { vm, vcpu, calls, timers, interrupts, device, warnings, psci };
}

test("powerOn: SVC mode, r0..r2, the entry point (bit 0 selects Thumb), timers reset, runnable", () => {
  const s = setup([NOP]);
  const cpu = s.vcpu.cpu;
  assert.equal(s.vcpu.state, VcpuState.RUNNABLE);
  assert.deepEqual([cpu.r[0], cpu.r[1], cpu.r[2]], [0x1234, 5, 6]);
  assert.equal(cpu.getCpsr() & 0x1f, Mode.SVC);
  assert.equal(cpu.nextPc >>> 0, RAM);
  assert.equal(cpu.t, 0);
  s.vcpu.powerOn(RAM + 0x101, 7);
  assert.deepEqual(s.calls.log, ["timers.reset"]);
  assert.equal(cpu.nextPc >>> 0, RAM + 0x100);
  assert.equal(cpu.t, 1);
  assert.deepEqual([cpu.r[0], cpu.r[1], cpu.r[2]], [7, 0, 0], "r1 and r2 default to 0");
});

test("a slice: load once, timers and vgic around the run, then the exit is counted", () => {
  const s = setup([NOP, NOP, NOP, NOP, B_SELF]);
  s.vcpu.runSlice(2);
  assert.deepEqual(s.calls.log, ["load", "update", "flush0", "update", "sync0"]);
  assert.equal(s.vcpu.stats.slice, 1);
  assert.equal(s.vcpu.running, false);
  s.calls.log.length = 0;
  s.vcpu.runSlice(2);
  assert.deepEqual(s.calls.log, ["update", "flush0", "update", "sync0"], "loaded already");
  assert.equal(s.vcpu.stats.slice, 2);
  assert.equal(s.vcpu.cpu.instructions, 4);
});

test("a vcpu that is not runnable does not run", () => {
  const s = setup([NOP]);
  s.vcpu.state = VcpuState.BLOCKED;
  s.vcpu.runSlice(10);
  s.vcpu.state = VcpuState.OFF;
  s.vcpu.runSlice(10);
  assert.deepEqual(s.calls.log, []);
  assert.equal(s.vcpu.cpu.instructions, 0);
});

test("WFI with nothing deliverable blocks and puts the timers (blocking); a kick wakes it", () => {
  const s = setup([WFI, B_SELF]);
  s.vcpu.runSlice(100);
  assert.equal(s.vcpu.stats.wfi, 1);
  assert.equal(s.vcpu.state, VcpuState.BLOCKED);
  assert.deepEqual(s.calls.log, ["load", "update", "flush0", "update", "sync0", "deliverable0", "put(true)"]);
  s.vcpu.kick();
  assert.equal(s.vcpu.state, VcpuState.RUNNABLE);
  s.calls.log.length = 0;
  s.vcpu.runSlice(1);
  assert.equal(s.calls.log[0], "load", "loaded again after blocking");
});

test("WFI with an interrupt deliverable carries on", () => {
  const s = setup([WFI, B_SELF]);
  s.interrupts.deliverable = true;
  s.vcpu.runSlice(100);
  assert.equal(s.vcpu.stats.wfi, 1);
  assert.equal(s.vcpu.state, VcpuState.RUNNABLE);
  assert.ok(!s.calls.log.some((c) => c.startsWith("put")));
});

test("WFE yields the physical CPU without blocking", () => {
  const s = setup([WFE, B_SELF]);
  s.vcpu.runSlice(100);
  assert.equal(s.vcpu.stats.wfe, 1);
  assert.equal(s.vcpu.stats.wfi, 0);
  assert.equal(s.vcpu.state, VcpuState.RUNNABLE);
  assert.equal(s.vcpu.yieldRequested, true);
  s.vcpu.runSlice(1);
  assert.equal(s.vcpu.yieldRequested, false, "cleared when it runs again");
});

test("HVC is a PSCI call: the result goes to r0; traced", () => {
  const s = setup([HVC, B_SELF]);
  s.vcpu.cpu.r[0] = PSCI_VERSION;
  s.vcpu.cpu.r[1] = 0xa;
  s.vcpu.cpu.r[2] = 0xb;
  s.vcpu.cpu.r[3] = 0xc;
  s.vcpu.runSlice(100);
  assert.equal(s.vcpu.stats.hvc, 1);
  assert.equal(s.vcpu.cpu.r[0], 0x10000);
  assert.deepEqual(s.psci, ["vcpu0 psci 0x84000000(0xa, 0xb, 0xc) = 65536"]);
});

test("PSCI CPU_OFF does not return: r0 is left alone, the vcpu is off and yields", () => {
  const s = setup([HVC, B_SELF], 2);
  s.vcpu.cpu.r[0] = PSCI_CPU_OFF;
  s.vcpu.runSlice(100);
  assert.equal(s.vcpu.state, VcpuState.OFF);
  assert.equal(s.vcpu.cpu.r[0] >>> 0, PSCI_CPU_OFF);
  assert.equal(s.vcpu.yieldRequested, true);
  assert.ok(s.calls.log.includes("put(false)"), "its timers are put, not blocking");
  assert.equal(s.vm.affinityState(0), 1);
});

test("SMC is UNDEFINED for the guest", () => {
  const s = setup([SMC, B_SELF]);
  s.vcpu.runSlice(100);
  assert.equal(s.vcpu.stats.smc, 1);
  assert.equal(s.vcpu.cpu.getCpsr() & 0x1f, Mode.UND);
  assert.equal(s.vcpu.cpu.r[14] >>> 0, RAM + 4, "LR_und is the SMC's address + 4");
});

test("an IRQ exit for the virtual-timer PPI goes to the timers; other PPIs do not", () => {
  const s = setup([NOP, NOP, NOP, NOP, B_SELF]);
  s.vcpu.hostIrq.enable(PPI_MAINTENANCE, true);
  s.vcpu.hostIrq.line(PPI_MAINTENANCE).set(true);
  s.vcpu.runSlice(100);
  assert.equal(s.vcpu.stats.irq, 1);
  assert.ok(!s.calls.log.includes("hostIrq"));
  s.vcpu.hostIrq.line(PPI_MAINTENANCE).set(false);
  s.vcpu.hostIrq.line(PPI_VIRT_TIMER).set(true);
  s.calls.log.length = 0;
  s.vcpu.runSlice(100);
  assert.equal(s.vcpu.stats.irq, 2);
  assert.deepEqual(s.calls.log, ["update", "flush0", "update", "sync0", "hostIrq"]);
});

test("a kick during the slice (from a device) ends it after the instruction", () => {
  const s = setup([LDR_R1_R2, NOP, NOP, NOP, B_SELF]);
  s.vcpu.cpu.r[2] = DEV + 8;
  s.device.value = 77;
  s.device.onRead = () => s.vcpu.kick();
  s.vcpu.runSlice(100);
  assert.equal(s.vcpu.stats.kick, 1);
  assert.equal(s.vcpu.stats.mmioRead, 1);
  assert.equal(s.vcpu.cpu.r[1], 77);
  assert.equal(s.vcpu.cpu.instructions, 1);
  assert.deepEqual(s.device.accesses, ["r 8 4 cpu0"]);
  s.vcpu.kick();
  assert.equal(s.vcpu.state, VcpuState.RUNNABLE, "a kick outside a slice changes nothing");
  s.vcpu.runSlice(2);
  assert.equal(s.vcpu.stats.kick, 1);
});

test("a kick before a vcpu's first slice leaves that slice whole, and a vcpu that is off stays off", () => {
  // An SGI or PSCI call from vcpu 0 kicks vcpu 1 before vcpu 1 has ever run, or while it is off.
  const s = setup([NOP, NOP, NOP, B_SELF], 2);
  const off = s.vm.vcpus[1];
  off.kick();
  assert.equal(off.state, VcpuState.OFF);
  s.vcpu.kick();
  s.vcpu.runSlice(3);
  assert.equal(s.vcpu.cpu.instructions, 3);
  assert.deepEqual([s.vcpu.stats.kick, s.vcpu.stats.slice], [0, 1]);
});

test("a VM without a board (no vgic, no timers): WFI blocks, a timer-PPI IRQ exit and power-off need neither", () => {
  const s = setup([NOP, WFI, B_SELF]);
  s.vcpu.timers = null;
  s.vcpu.interrupts = null;
  s.vcpu.hostIrq.line(PPI_VIRT_TIMER).set(true);
  s.vcpu.runSlice(100);
  assert.equal(s.vcpu.stats.irq, 1);
  s.vcpu.hostIrq.line(PPI_VIRT_TIMER).set(false);
  s.vcpu.runSlice(100);
  assert.equal(s.vcpu.stats.wfi, 1);
  assert.equal(s.vcpu.state, VcpuState.BLOCKED, "nothing can be deliverable");
  s.vcpu.kick();
  s.vcpu.runSlice(1);
  s.vcpu.powerOff();
  assert.equal(s.vcpu.state, VcpuState.OFF);
});

test("the live timeline hears of each change of the vcpu's state once: run, block (no deadline), run, off", () => {
  const s = setup([NOP, NOP, WFI, NOP, B_SELF]);
  const events = new VcpuEvents(1, new SharedArrays());
  events.watching[0] = 1;
  s.vcpu.events = new VcpuEventLane(events, 0, new FakeClock(0));
  s.vcpu.runSlice(1);
  s.vcpu.runSlice(1); // still running: not news
  s.vcpu.runSlice(5); // WFI
  s.vcpu.kick();
  s.vcpu.runSlice(1);
  s.vcpu.powerOff();
  const seen: [number, number][] = [];
  events.read(0, 0, (_t, kind, arg) => seen.push([kind, arg]));
  assert.deepEqual(seen, [
    [EV_RUN, 0],
    [EV_BLOCK, -1],
    [EV_RUN, 0],
    [EV_OFF, 0],
  ]);
});

// ---- Data aborts ----

/** A data-abort syndrome with a valid ISS: size 1 << sas, register srt, sign-extend, write. */
function dabt(sas: number, srt: number, sse: boolean, write: boolean): number {
  const iss = ISS_ISV | (sas << 22) | (sse ? ISS_SSE : 0) | (srt << 16) | (write ? ISS_WNR : 0);
  return makeHsr(EC.DABT_LOWER, true, iss);
}

test("data abort with ISV: size, direction and register from the syndrome, not the arguments", () => {
  const s = setup();
  s.vcpu.cpu.r[5] = 0x12345678;
  assert.equal(s.vcpu.dataAbort(dabt(1, 5, false, true), DEV + 4, 0, 4, false, 0xdead), 0);
  assert.deepEqual(s.device.accesses, ["w 4 2 0x5678 cpu0"], "halfword from r5, masked");
  assert.equal(s.vcpu.stats.mmioWrite, 1);
  s.vcpu.cpu.r[3] = -1;
  s.vcpu.dataAbort(dabt(0, 3, false, true), DEV + 1, 0, 4, false, 0);
  s.vcpu.dataAbort(dabt(2, 3, false, true), DEV + 8, 0, 1, false, 0);
  assert.deepEqual(s.device.accesses.slice(1), ["w 1 1 0xff cpu0", "w 8 4 0xffffffff cpu0"]);
  assert.equal(s.vcpu.externalAbort, false);
});

test("data abort with ISV: reads are masked to the size, sign-extended with SSE", () => {
  const s = setup();
  s.device.value = 0xfffff0a5;
  assert.equal(s.vcpu.dataAbort(dabt(0, 0, false, false), DEV, 0, 4, true, 0), 0xa5);
  assert.equal(s.vcpu.dataAbort(dabt(0, 0, true, false), DEV, 0, 4, true, 0), -0x5b, "0xa5 sign-extended");
  assert.equal(s.vcpu.dataAbort(dabt(1, 0, false, false), DEV, 0, 4, true, 0), 0xf0a5);
  assert.equal(s.vcpu.dataAbort(dabt(1, 0, true, false), DEV, 0, 4, true, 0), -0xf5b);
  s.device.value = 0x7f;
  assert.equal(s.vcpu.dataAbort(dabt(0, 0, true, false), DEV, 0, 4, true, 0), 0x7f, "positive stays positive");
  s.device.value = 0x80000001;
  assert.equal(s.vcpu.dataAbort(dabt(2, 0, true, false), DEV, 0, 1, true, 0), 0x80000001 | 0, "word: no change");
  assert.equal(s.vcpu.stats.mmioRead, 6);
  assert.equal(s.vcpu.stats.mmioWrite, 0);
});

test("data abort without ISV: the access the core describes", () => {
  const s = setup();
  s.vcpu.dataAbort(0, DEV + 2, 0, 2, true, 0xabcdef);
  s.vcpu.dataAbort(0, DEV + 3, 0, 1, true, 0x1ff);
  s.device.value = 0x1234;
  assert.equal(s.vcpu.dataAbort(0, DEV + 2, 0, 1, false, 0), 0x34);
  s.device.value = 0x80;
  assert.equal(s.vcpu.dataAbort(0, DEV + 2, 0, 1, false, 0), 0x80, "no syndrome, no SSE: zero-extended");
  assert.deepEqual(s.device.accesses, ["w 2 2 0xcdef cpu0", "w 3 1 0xff cpu0", "r 2 1 cpu0", "r 2 1 cpu0"]);
});

test("an unmapped access is an external abort, warned about once per address", () => {
  const s = setup();
  s.vcpu.cpu.curPc = RAM + 0x40;
  assert.equal(s.vcpu.dataAbort(0, 0x0c00_0000, 0x1000, 4, false, 0), 0);
  assert.equal(s.vcpu.externalAbort, true);
  assert.equal(s.vcpu.stats.unmapped, 1);
  assert.equal(s.vcpu.stats.mmioRead, 1);
  s.vcpu.dataAbort(0, 0x0c00_0000, 0x1000, 4, true, 5);
  assert.equal(s.vcpu.stats.unmapped, 2);
  assert.equal(s.vcpu.stats.mmioWrite, 1);
  s.vcpu.dataAbort(0, 0xfff0_0000, 0x2000, 2, true, 5);
  assert.deepEqual(s.warnings, [
    "vcpu0: read of 4 byte(s) at unmapped IPA 0x0c000000 (va 0x00001000, pc 0x40000040): external abort",
    "vcpu0: write of 2 byte(s) at unmapped IPA 0xfff00000 (va 0x00002000, pc 0x40000040): external abort",
  ]);
  s.vcpu.dataAbort(0, DEV, 0, 4, false, 0);
  assert.equal(s.vcpu.externalAbort, false, "cleared by the next access that hits");
});

test("a stage-2 alignment fault (DFSC 0x21) is not emulated: an external abort, warned about, no device access", () => {
  const s = setup();
  s.vcpu.cpu.curPc = RAM + 0x40;
  const hsr = makeHsr(EC.DABT_LOWER, true, 0x21);
  assert.equal(s.vcpu.dataAbort(hsr, DEV + 2, 0x3002, 4, false, 0), 0);
  assert.equal(s.vcpu.externalAbort, true);
  assert.deepEqual(s.device.accesses, []);
  assert.equal(s.vcpu.stats.mmioRead, 0);
  assert.deepEqual(s.warnings, [
    "vcpu0: read of 4 byte(s) at unaligned Device IPA 0x09000002 (va 0x00003002, pc 0x40000040): external abort",
  ]);
});

test("coprocessor traps: the timers answer theirs; others read 0, warned once per syndrome", () => {
  const s = setup();
  s.timers.handles = true;
  s.timers.trapValue = 0x11;
  s.timers.trapValueHi = 0x22;
  const hsr32 = makeHsr(EC.CP15_32, true, 0x1234);
  const hsr64 = makeHsr(EC.CP15_64, true, 0x5678);
  assert.equal(s.vcpu.coprocTrap(hsr32, 3, 4), 0x11);
  assert.equal(s.vcpu.trapHi, 0x22);
  assert.deepEqual(s.calls.log, [`coproc(${hsr32.toString(16)},3,4)`]);
  s.timers.handles = false;
  assert.equal(s.vcpu.coprocTrap(hsr32, 3, 4), 0);
  assert.equal(s.vcpu.trapHi, 0);
  s.vcpu.coprocTrap(hsr32, 3, 4);
  s.vcpu.coprocTrap(hsr64, 0, 0);
  assert.equal(s.vcpu.stats.sysreg, 4);
  assert.deepEqual(s.warnings, [
    `vcpu0: trapped MCR/MRC with syndrome 0x${hsr32.toString(16)} ignored`,
    `vcpu0: trapped MCRR/MRRC with syndrome 0x${hsr64.toString(16)} ignored`,
  ]);
  s.vcpu.timers = null;
  assert.equal(s.vcpu.coprocTrap(hsr32, 0, 0), 0, "no timers at all");
});

test("powerOff and deschedule put the timers only while loaded", () => {
  const s = setup([NOP, NOP, B_SELF]);
  s.vcpu.deschedule();
  assert.deepEqual(s.calls.log, [], "never loaded");
  s.vcpu.runSlice(1);
  s.calls.log.length = 0;
  s.vcpu.deschedule();
  s.vcpu.deschedule();
  assert.deepEqual(s.calls.log, ["put(false)"]);
  s.vcpu.runSlice(1);
  s.calls.log.length = 0;
  s.vcpu.powerOff();
  s.vcpu.powerOff();
  assert.deepEqual(s.calls.log, ["put(false)"]);
  assert.equal(s.vcpu.state, VcpuState.OFF);
});

// ---- The VM ----

test("VM: PSCI platform over the vcpus; SYSTEM_OFF stops once and tells onStop", () => {
  const s = setup([], 3);
  let stops = 0;
  s.vm.onStop = () => stops++;
  assert.equal(s.vm.vcpuCount, 3);
  assert.equal(s.vm.affinityState(0), 0, "on");
  assert.equal(s.vm.affinityState(1), 1, "off");
  s.vm.cpuOn(1, RAM + 1, 99);
  assert.equal(s.vm.affinityState(1), 0);
  assert.equal(s.vm.vcpus[1].cpu.r[0], 99);
  assert.equal(s.vm.vcpus[1].cpu.t, 1);
  s.vm.cpuOff(1);
  assert.equal(s.vm.vcpus[1].state, VcpuState.OFF);
  s.vm.cpuSuspend(0);
  assert.equal(s.vcpu.state, VcpuState.BLOCKED, "CPU_SUSPEND waits like WFI");
  assert.equal(s.vm.vcpus[2].cpu.hyp.vmpidr, mpidrOf(2));
  s.vm.vcpus[2].running = true;
  s.vm.systemOff();
  assert.equal(s.vm.fate, VmFate.POWER_OFF);
  assert.equal(stops, 1);
  assert.ok(s.vm.vcpus.every((v) => v.yieldRequested));
  s.vm.systemReset();
  assert.equal(s.vm.fate, VmFate.POWER_OFF, "the first fate stays");
  assert.equal(stops, 1);
});

test("VM: SYSTEM_RESET is a fate of its own", () => {
  const s = setup();
  s.vm.systemReset();
  assert.equal(s.vm.fate, VmFate.RESET);
});

test("VM: writePhysical only within one region; instructions add up over the vcpus", () => {
  const vm = new Vm({
    memory: [
      { base: 0, size: 0x1000, writable: false },
      { base: RAM, size: 0x2000, writable: true },
    ],
    vcpus: 2,
    clock: new FakeClock(0),
    warn: () => {},
  });
  assert.equal(vm.writePhysical(0xff0, new Uint8Array(16)), true, "ends at the region's end");
  assert.equal(vm.writePhysical(0xff1, new Uint8Array(16)), false, "one byte past it");
  assert.equal(vm.writePhysical(RAM + 0x1ffc, new Uint8Array([1, 2, 3, 4])), true);
  assert.deepEqual([...vm.memory.subarray(0x1000 + 0x1ffc, 0x1000 + 0x2000)], [1, 2, 3, 4], "after the first region");
  assert.equal(vm.writePhysical(RAM - 4, new Uint8Array(8)), false);
  assert.equal(vm.memory.length, 0x3000);
  assert.deepEqual(
    vm.regions.map((r) => r.offset),
    [0, 0x1000],
  );
  // Mid-slice counts (what the icount clock reads while a slice runs).
  vm.vcpus[0].cpu.sliceCount = 5;
  vm.vcpus[1].cpu.sliceCount = 7;
  assert.equal(vm.instructions(), 12);
});

test("VM: MMIO through the bus; a miss reads as undefined and writes as false", () => {
  const s = setup();
  s.device.value = 9;
  assert.equal(s.vm.mmioRead(0, DEV + 4, 4), 9);
  assert.equal(s.vm.mmioWrite(0, DEV + 4, 4, 1), true);
  assert.equal(s.vm.mmioRead(0, DEV + 0x1000, 4), undefined);
  assert.equal(s.vm.mmioWrite(0, DEV + 0x1000, 4, 1), false);
});

test("VM: a flash region in read-array mode is RAM to the guest; out of it, its accesses go to the device", () => {
  const FLASH = 0x0000_0000;
  const romd = new Int32Array(new SharedArrayBuffer(4));
  const vm = new Vm({
    memory: [
      { base: FLASH, size: 0x1000, writable: false, romd },
      { base: RAM, size: 1 << 20, writable: true },
    ],
    vcpus: 1,
    clock: new FakeClock(0),
    warn: () => {},
  });
  const device = new Device();
  device.value = 0xabcd;
  vm.bus.register("flash", FLASH, 0x1000, device);
  assert.ok(vm.writePhysical(FLASH, new Uint8Array([0x78, 0x56, 0x34, 0x12])));
  const code = new Uint8Array(8);
  new DataView(code.buffer).setUint32(0, LDR_R1_R2, true);
  new DataView(code.buffer).setUint32(4, B_SELF, true);
  assert.ok(vm.writePhysical(RAM, code));
  const vcpu = vm.vcpus[0];
  vcpu.powerOn(RAM, 0);
  vcpu.cpu.r[2] = FLASH;
  vcpu.runSlice(1);
  assert.equal(vcpu.cpu.r[1], 0x12345678, "read-array mode: the flash contents, no exit");
  assert.deepEqual(device.accesses, []);
  Atomics.store(romd, 0, 1); // the device left read-array mode (a command was written)
  vcpu.powerOn(RAM, 0);
  vcpu.cpu.r[2] = FLASH;
  vcpu.runSlice(1);
  assert.equal(vcpu.cpu.r[1], 0xabcd, "answered by the device");
  assert.deepEqual(device.accesses, ["r 0 4 cpu0"]);
});

test("VM: a power-off during a slice (from a device) ends the running vcpu's slice at once", () => {
  const s = setup([LDR_R1_R2, NOP, NOP, NOP, B_SELF]);
  s.vcpu.cpu.r[2] = DEV;
  s.device.onRead = () => s.vm.systemOff();
  s.vcpu.runSlice(100);
  assert.equal(s.vm.fate, VmFate.POWER_OFF);
  assert.equal(s.vcpu.cpu.instructions, 1, "no guest instruction after the power-off");
});

// A vcpu's timers wired as the vmm wires them, around fakes: the physical CPU's generic timer with
// its virtual-timer output on the host's PPI 27 (whose OR is the core's IRQ input), and recording
// lines for the vgic's PPI 27 and PPI 30.

import { GenericTimer } from "../../../src/timer/generic-timer.js";
import { VIRT_TIMER } from "../../../src/timer/registers.js";
import { HostIrq, PPI_VIRT_TIMER } from "../../../src/vmm/host-irq.js";
import { Vtimer } from "../../../src/vmm/vtimer.js";
import { VtimerVm } from "../../../src/vmm/vtimer-vm.js";
import { FakeClock, FakeQueue, RecordingLine } from "../timer/fakes.js";

/** The physical count when the VM is created. */
export const T0 = 1_000_000;

export interface Rig {
  clock: FakeClock;
  queue: FakeQueue;
  hw: GenericTimer;
  hostIrq: HostIrq;
  /** The physical CPU's IRQ input (an IRQ exit when high). */
  cpuIrq: { level: boolean };
  virtIrq: RecordingLine;
  physIrq: RecordingLine;
  wakes: { count: number };
  vtimer: Vtimer;
  vm: VtimerVm;
}

export function rig(): Rig {
  const clock = new FakeClock(T0);
  const queue = new FakeQueue(clock);
  const vm = new VtimerVm(clock, queue);
  const hw = new GenericTimer(clock);
  const cpuIrq = { level: false };
  const hostIrq = new HostIrq((level) => (cpuIrq.level = level));
  hostIrq.enable(PPI_VIRT_TIMER, true);
  hw.connect(VIRT_TIMER, hostIrq.line(PPI_VIRT_TIMER));
  const virtIrq = new RecordingLine();
  const physIrq = new RecordingLine();
  const wakes = { count: 0 };
  const vtimer = new Vtimer(vm, { id: 0, hw, hostIrq, virtIrq, physIrq, wake: () => wakes.count++ });
  return { clock, queue, hw, hostIrq, cpuIrq, virtIrq, physIrq, wakes, vtimer, vm };
}

// The VM-wide part of timer virtualization: the clock and deadline queue the vcpus' timers use,
// and CNTVOFF. CNTVOFF is one value for the whole VM (every vcpu sees the same virtual count, as a
// guest expects of a system counter), taken from the physical count when the VM is created, so the
// guest's virtual count starts near zero.

import type { Clock, TimerQueue } from "../host/time.js";

export class VtimerVm {
  readonly clock: Clock;
  readonly queue: TimerQueue;
  /** CNTVOFF: the physical count at VM creation (a restored snapshot sets the saved one). */
  cntvoff: number;

  /** `cntvoff`: the VM's value, when another thread of the VM took it already. */
  constructor(clock: Clock, queue: TimerQueue, cntvoff = clock.now()) {
    this.clock = clock;
    this.queue = queue;
    this.cntvoff = cntvoff;
  }

  /** The guest's virtual count now (CNTVCT = CNTPCT − CNTVOFF). */
  virtualCount(): number {
    return this.clock.now() - this.cntvoff;
  }
}

// Timer-virtualization counts per vcpu, printed by --stats.

export class VtimerStats {
  /** Rising edges injected on PPI 27 (the virtual timer). */
  virtInjected = 0;
  /** Rising edges injected on PPI 30 (the emulated physical timer). */
  physInjected = 0;
  /** Rising edges (either timer) found while the vcpu was off its physical CPU — blocked in WFI or
   * descheduled: a host timer fired, or the deadline had passed when it left. */
  injectedWhileBlocked = 0;
  /** Rising edges found while the vcpu was on its physical CPU: at an exit, or a trapped write. */
  injectedWhileRunning = 0;
  /** Host timers armed for the virtual timer when the vcpu left its physical CPU. */
  hostTimersArmed = 0;
  /** Host timers that fired with the deadline reached: PPI 27 raised and the vcpu woken, once per
   * deadline it was away for. */
  hostTimerWakes = 0;
  /** Host timers that fired before the deadline and were re-armed for it (armed on the wrong clock,
   * or a host clock running behind): never expected. */
  hostTimersEarly = 0;
  /** Rising edges of PPI 27 found with the physical CPU's virtual-timer output already high: the
   * hardware timer fired while the vcpu ran (an IRQ exit). */
  hostIrqs = 0;
  /** Trapped CNTP_* / CNTPCT accesses. */
  physTraps = 0;

  /** Rows of [name, count] in a fixed order. */
  rows(): [string, number][] {
    return [
      ["vtimer irq (ppi 27)", this.virtInjected],
      ["  from a hw timer irq", this.hostIrqs],
      ["ptimer irq (ppi 30)", this.physInjected],
      ["injected while blocked", this.injectedWhileBlocked],
      ["injected while running", this.injectedWhileRunning],
      ["host timers armed", this.hostTimersArmed],
      ["  fired at the deadline", this.hostTimerWakes],
      ["  fired early", this.hostTimersEarly],
      ["cntp traps", this.physTraps],
    ];
  }
}

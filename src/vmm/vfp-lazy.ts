// Lazy switching of the VFP register file between the host and a vcpu, as KVM's 32-bit world
// switch and bhyve do it: the guest's FP state goes onto the physical CPU only when the guest uses
// the VFP. On every entry HCPTR.TCP10/TCP11 are set; the first CP10/CP11 instruction traps (EC 0x07),
// and the handler saves the host's FP state, loads the vcpu's and clears the trap bits, and the
// instruction executes. At the exit the vcpu's state is saved and the host's put back. A slice
// that never touches the VFP costs nothing.
//
// The "host" state is what the physical CPU's register file holds outside guest slices. On one
// host thread every vcpu's core shares one register file (vm.ts), as vcpus scheduled on one
// physical CPU do, so this switch is what keeps each vcpu's registers its own.

import type { Cpu } from "../cpu/core.js";
import type { VfpState } from "../cpu/vfp-state.js";
import { HCPTR_TCP10, HCPTR_TCP11 } from "../cpu/vfp-trap.js";
import { DOUBLE_ZERO } from "../cpu/double-field.js";

const TRAP_BITS = HCPTR_TCP10 | HCPTR_TCP11;

/** One saved copy of the VFP state: D0-D31, FPSCR and FPEXC. */
class FpContext {
  readonly words = new Int32Array(64);
  fpscr = DOUBLE_ZERO;
  fpexc = 0;

  constructor() {
    this.fpscr = 0;
  }

  save(vfp: VfpState): void {
    this.words.set(vfp.w);
    this.fpscr = vfp.fpscr;
    this.fpexc = vfp.fpexc;
  }

  load(vfp: VfpState): void {
    vfp.w.set(this.words);
    vfp.fpscr = this.fpscr;
    vfp.fpexc = this.fpexc;
  }

  clear(): void {
    this.words.fill(0);
    this.fpscr = this.fpexc = 0;
  }
}

export class LazyFp {
  /** Lazy switches done (traps taken). */
  switches = 0;
  private readonly cpu: Cpu;
  private readonly guest = new FpContext();
  private readonly host = new FpContext();
  /** True while the vcpu's state is on the physical CPU (between its trap and the exit). */
  private loaded = false;

  constructor(cpu: Cpu) {
    this.cpu = cpu;
  }

  /** Vcpu reset: the architectural reset state of the VFP. */
  reset(): void {
    this.guest.clear();
  }

  /** Guest entry: trap the first VFP use. */
  enter(): void {
    if (!this.loaded) this.cpu.hyp.hcptr |= TRAP_BITS;
  }

  /** The EC 0x07 trap: switch the register file over to the vcpu. */
  trap(): void {
    const cpu = this.cpu;
    if (!this.loaded) {
      this.host.save(cpu.vfp);
      this.guest.load(cpu.vfp);
      this.loaded = true;
      this.switches++;
    }
    cpu.hyp.hcptr &= ~TRAP_BITS;
  }

  /** Guest exit: the vcpu's state back to its context, the host's onto the CPU. */
  exit(): void {
    if (!this.loaded) return;
    const vfp = this.cpu.vfp;
    this.guest.save(vfp);
    this.host.load(vfp);
    this.loaded = false;
  }

  /** Runs `fn` with the vcpu's FP state on the CPU's register file, wherever it is now, and puts
   * the switch back as it was: for code outside a slice that reads or writes the guest's VFP
   * registers as the core holds them (a debugger, snapshots). */
  withGuest<T>(fn: () => T): T {
    if (this.loaded) return fn();
    const vfp = this.cpu.vfp;
    this.host.save(vfp);
    this.guest.load(vfp);
    try {
      return fn();
    } finally {
      this.guest.save(vfp);
      this.host.load(vfp);
    }
  }

  /** The vcpu's FP state wherever it is now (for inspection: a debugger, tests). */
  state(into: VfpState): VfpState {
    if (this.loaded) {
      into.w.set(this.cpu.vfp.w);
      into.fpscr = this.cpu.vfp.fpscr;
      into.fpexc = this.cpu.vfp.fpexc;
    } else {
      this.guest.load(into);
    }
    return into;
  }
}

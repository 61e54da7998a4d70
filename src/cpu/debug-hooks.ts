// What a debugger (src/debug) may hang on a core: a check before every instruction (breakpoints,
// the end of a single step) and a hook on data accesses (watchpoints). With no debugger, or none
// of these set, Cpu.debug and Mmu.watch are null and the run loops are the ordinary ones, so a
// debugger that is not used costs nothing. While one is set, instructions run one at a time
// through the interpreter: translated blocks never run past a breakpoint, whenever it was set.

import type { Cpu } from "./core.js";
import { ATTN_STOP } from "./core.js";
import { runA32 } from "./a32.js";
import { runT32 } from "./run-t32.js";

/** Thrown (a preallocated object) by a watch hook to stop before the accessing instruction. */
export const WATCH_STOP = { watchStop: true };

export interface CpuDebug {
  /** False while interrupts must not be taken (a single step, like QEMU's default SSTEP_NOIRQ). */
  readonly interrupts: boolean;
  /** Called before each instruction (at cpu.nextPc); true stops the core before it. */
  check(cpu: Cpu): boolean;
}

export interface WatchHook {
  /** True if a watched range touches the 4 KiB page of `va`: the TLB must not cache it, so that
   * every access to it comes to the MMU's slow paths and to access(). */
  watchesPage(va: number): boolean;
  /** A data access by the current instruction; throws WATCH_STOP to stop before the instruction. */
  access(va: number, size: number, isWrite: boolean): void;
}

/** Cpu.run's loop while a debugger is attached with something set: one instruction at a time. */
export function runDebug(cpu: Cpu, debug: CpuDebug, budget: number, done: number): number {
  for (;;) {
    if (debug.check(cpu)) {
      cpu.attention |= ATTN_STOP;
      return done;
    }
    if (done >= budget) return done;
    const before = done;
    try {
      done = cpu.t !== 0 ? runT32(cpu, done + 1, done) : runA32(cpu, done + 1, done);
    } catch (e) {
      if (e !== WATCH_STOP) throw e;
      // Aborts are precise, so the instruction changed nothing yet: it runs again on resume.
      cpu.nextPc = cpu.curPc;
      cpu.sliceCount = before;
      cpu.attention |= ATTN_STOP;
      return before;
    }
    if (cpu.attention !== 0) return done;
  }
}

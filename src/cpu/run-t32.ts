// The Thumb-state run loop: fetch (16- or 32-bit), the IT-block condition and ITSTATE advance, and
// dispatch, for as long as nothing needs the attention of Cpu.run and the budget lasts. The fetch
// pointer works as in run-a32.ts.

import type { Cpu } from "./core.js";
import { executeT16, executeT32 } from "./t32.js";

/** `fetchPage` value meaning "no page": page VAs have their low 12 bits clear. */
const NO_PAGE = 1;

/** Runs Thumb instructions from cpu.nextPc; returns the slice's instruction count after the last one. */
export function runT32(cpu: Cpu, budget: number, done: number): number {
  const r = cpu.r;
  const mmu = cpu.mmu;
  const mem16 = mmu.stage2.mem16;
  let fetchPage = NO_PAGE;
  let fetchAddend = 0;
  let pc = cpu.nextPc;
  for (;;) {
    done++;
    cpu.sliceCount = done;
    cpu.curPc = pc;
    let hw1: number;
    if ((pc & ~0xffe) === fetchPage) {
      hw1 = mem16[(fetchAddend + pc) >> 1];
    } else {
      hw1 = mmu.fetch16(pc);
      fetchAddend = mmu.fetchAddend(pc);
      fetchPage = (fetchAddend & 0xfff) === 0 ? pc & ~0xfff : NO_PAGE;
    }
    const itBefore = cpu.it;
    if (itBefore !== 0) cpu.exceptionTaken = false;
    if (hw1 >>> 11 >= 0x1d) {
      // A 32-bit instruction; its second halfword may be on the next page.
      const pc2 = (pc + 2) | 0;
      const hw2 = (pc2 & ~0xffe) === fetchPage ? mem16[(fetchAddend + pc2) >> 1] : mmu.fetch16(pc2);
      cpu.nextPc = (pc + 4) | 0;
      r[15] = (pc + 4) | 0;
      if (itBefore === 0 || cpu.conditionPassed(itBefore >>> 4)) executeT32(cpu, (hw1 << 16) | hw2);
    } else {
      cpu.nextPc = (pc + 2) | 0;
      r[15] = (pc + 4) | 0;
      // BKPT (0xBExx) is unconditional even inside an IT block.
      if (itBefore === 0 || cpu.conditionPassed(itBefore >>> 4) || hw1 >>> 8 === 0xbe) executeT16(cpu, hw1);
    }
    if (itBefore !== 0) {
      // An exception taken by the instruction (or an exception return) set ITSTATE itself.
      if (cpu.exceptionTaken) cpu.exceptionTaken = false;
      else cpu.itAdvance();
    }
    pc = cpu.nextPc;
    if (cpu.attention !== 0 || done >= budget) return done;
  }
}

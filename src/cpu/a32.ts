// The ARM-state run loop: fetch, the condition check and the top-level decode of DDI 0406C A5.1,
// dispatching on small bit-fields to the class executors in a32-*.ts. It runs for as long as
// nothing needs the attention of Cpu.run (Cpu.attention stays 0) and the budget lasts.
//
// The decode lives in the loop itself (rather than in a function it calls) so that each
// instruction costs one call, to its class executor: V8 does not inline a decoder this size.
//
// Instructions are fetched through a pointer into RAM that stays valid while the PC stays in one
// page (a copy of the fetch TLB entry): one compare per instruction instead of a TLB lookup. Every
// event that could make the copy stale (TLB maintenance, a privilege or DACR switch) sets
// ATTN_RESYNC, which ends this call; the next call starts without a page. Memory is read live, so
// code written by the guest (the zImage decompressor writes the kernel) runs as written.

import type { Cpu } from "./core.js";
import { executeCoproc } from "./coproc.js";
import { dataProcessing, movImm16 } from "./a32-dataproc.js";
import { loadStoreWordByte, extraLoadStore, synchronization } from "./a32-loadstore.js";
import { blockTransfer } from "./a32-block.js";
import { multiply, halfwordMultiply } from "./a32-multiply.js";
import { mediaInstruction } from "./a32-media.js";
import { miscellaneous, msrImmediateOrHint } from "./a32-misc.js";
import { executeUnconditional } from "./a32-uncond.js";

/** `fetchPage` value meaning "no page": page VAs have their low 12 bits clear. */
const NO_PAGE = 1;

/**
 * Runs ARM instructions from cpu.nextPc until an instruction sets cpu.attention or `done` reaches
 * `budget`; returns `done` plus the instructions run. r[15] reads as the instruction address + 8.
 */
export function runA32(cpu: Cpu, budget: number, done: number): number {
  const r = cpu.r;
  const mmu = cpu.mmu;
  const mem32 = mmu.stage2.mem32;
  // The page the fetch pointer covers, and the addend from a VA in it to a byte offset in RAM.
  let fetchPage = NO_PAGE;
  let fetchAddend = 0;
  let pc = cpu.nextPc | 0;
  budget |= 0;
  done |= 0;
  for (;;) {
    // Counted before the fetch: an instruction whose fetch aborts counts, as in QEMU's icount.
    done = (done + 1) | 0;
    cpu.sliceCount = done;
    cpu.curPc = pc;
    let instr: number;
    // The alignment bits take part in the compare: a misaligned PC takes the MMU's path.
    if ((pc & ~0xffc) === fetchPage) {
      instr = mem32[(fetchAddend + pc) >> 2];
    } else {
      // `| 0` keeps V8's representation of these locals an untagged int32 across the merge.
      instr = mmu.fetch32(pc) | 0;
      fetchAddend = mmu.fetchAddend(pc) | 0;
      fetchPage = (fetchAddend & 0xfff) === 0 ? pc & ~0xfff : NO_PAGE;
    }
    cpu.nextPc = (pc + 4) | 0;
    r[15] = (pc + 8) | 0;
    execute: {
      const cond = instr >>> 28;
      if (cond !== 14) {
        if (cond === 15) {
          executeUnconditional(cpu, instr);
          break execute;
        }
        if (!cpu.conditionPassed(cond)) break execute;
      }
      switch ((instr >>> 25) & 7) {
        case 0:
          // Data-processing and miscellaneous instructions (A5.2), register forms. op1 = bits
          // [24:20] of the form 0b10xx0 (the compares without S) is the miscellaneous space.
          if ((instr & 0x10) === 0) {
            if ((instr & 0x01900000) !== 0x01000000) dataProcessing(cpu, instr);
            else if (instr & 0x80) halfwordMultiply(cpu, instr);
            else miscellaneous(cpu, instr);
          } else if ((instr & 0x80) === 0) {
            if ((instr & 0x01900000) !== 0x01000000) dataProcessing(cpu, instr);
            else miscellaneous(cpu, instr);
          } else if ((instr & 0x60) === 0) {
            if (instr & 0x01000000) synchronization(cpu, instr);
            else multiply(cpu, instr);
          } else {
            extraLoadStore(cpu, instr);
          }
          break;
        case 1:
          if ((instr & 0x01900000) !== 0x01000000) dataProcessing(cpu, instr);
          else if (instr & 0x00200000) msrImmediateOrHint(cpu, instr);
          else movImm16(cpu, instr);
          break;
        case 2:
          loadStoreWordByte(cpu, instr);
          break;
        case 3:
          if (instr & 0x10) mediaInstruction(cpu, instr);
          else loadStoreWordByte(cpu, instr);
          break;
        case 4:
          blockTransfer(cpu, instr);
          break;
        case 5:
          // B / BL: PC + SignExtend(imm24:'00'), aligned as BranchWritePC does.
          if (instr & 0x01000000) r[14] = (pc + 4) | 0;
          cpu.nextPc = (pc + 8 + ((instr << 8) >> 6)) & ~3;
          break;
        default:
          // Coprocessor instructions and SVC (A5.6).
          if ((instr & 0x03000000) === 0x03000000) cpu.supervisorCall();
          else if ((instr & 0x03e00000) === 0) cpu.undefinedInstruction();
          else executeCoproc(cpu, instr);
          break;
      }
    }
    pc = cpu.nextPc | 0;
    if (cpu.attention !== 0 || done >= budget) return done;
  }
}

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
    // Every store to the core happens before the fetch, whose slow path is a call: V8 then checks
    // the core's hidden class once per instruction rather than after each merge.
    done = (done + 1) | 0;
    cpu.sliceCount = done;
    cpu.curPc = pc;
    cpu.nextPc = (pc + 4) | 0;
    r[15] = (pc + 8) | 0;
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
          // Data-processing and miscellaneous instructions (A5.2), register forms.
          if ((instr & 0x90) === 0x90) {
            // Multiplies, the synchronization primitives and the extra loads/stores.
            if (instr & 0x60) extraLoadStore(cpu, instr);
            else if (instr & 0x01000000) synchronization(cpu, instr);
            else multiply(cpu, instr);
            break;
          }
          if ((instr & 0x01900000) === 0x01000000) {
            // op1 = 0b10xx0 (the compares without S): the miscellaneous space.
            if ((instr & 0x90) === 0x80) halfwordMultiply(cpu, instr);
            else miscellaneous(cpu, instr);
            break;
          }
        // falls through: data-processing (register)
        case 1: {
          if ((instr & 0x03900000) === 0x03000000) {
            // op1 = 0b10xx0 with an immediate: MSR (immediate) and the hints, MOVW/MOVT.
            if (instr & 0x00200000) msrImmediateOrHint(cpu, instr);
            else movImm16(cpu, instr);
            break;
          }
          // The most frequent forms run here: no S, Rd not the PC, and an immediate or a register
          // shifted by an immediate (no carry out needed). dataProcessing does everything else.
          if ((instr & 0x00100000) !== 0 || (instr & 0xf000) === 0xf000 || (instr & 0x02000010) === 0x10) {
            dataProcessing(cpu, instr);
            break;
          }
          let b: number;
          if (instr & 0x02000000) {
            // ARMExpandImm: imm8 rotated right by twice bits [11:8].
            const imm8 = instr & 0xff;
            const rot = (instr >>> 7) & 0x1e;
            b = (imm8 >>> rot) | (imm8 << (32 - rot));
          } else {
            b = r[instr & 15];
            if (instr & 0xff0) {
              // DecodeImmShift: LSR/ASR #0 mean #32, ROR #0 is RRX.
              const imm5 = (instr >>> 7) & 31;
              switch ((instr >>> 5) & 3) {
                case 0:
                  b <<= imm5;
                  break;
                case 1:
                  b = imm5 === 0 ? 0 : (b >>> imm5) | 0;
                  break;
                case 2:
                  b >>= imm5 === 0 ? 31 : imm5;
                  break;
                default:
                  b = imm5 === 0 ? (cpu.c << 31) | (b >>> 1) : (b >>> imm5) | (b << (32 - imm5));
                  break;
              }
            }
          }
          const a = r[(instr >>> 16) & 15];
          let res: number;
          // Opcodes 8-11 without S are the miscellaneous space, excluded above.
          switch ((instr >>> 21) & 15) {
            case 0: // AND
              res = a & b;
              break;
            case 1: // EOR
              res = a ^ b;
              break;
            case 2: // SUB
              res = (a - b) | 0;
              break;
            case 3: // RSB
              res = (b - a) | 0;
              break;
            case 4: // ADD
              res = (a + b) | 0;
              break;
            case 5: // ADC
              res = (a + b + cpu.c) | 0;
              break;
            case 6: // SBC: a + NOT b + C
              res = (a - b - 1 + cpu.c) | 0;
              break;
            case 7: // RSC
              res = (b - a - 1 + cpu.c) | 0;
              break;
            case 12: // ORR
              res = a | b;
              break;
            case 13: // MOV
              res = b;
              break;
            case 14: // BIC
              res = a & ~b;
              break;
            default: // MVN
              res = ~b;
              break;
          }
          r[(instr >>> 12) & 15] = res;
          break;
        }
        case 2:
          if ((instr & 0x01200000) === 0x01000000) {
            // LDR/STR/LDRB/STRB with an immediate offset and no writeback, the common form, run
            // here; loadStoreWordByte does the indexed forms.
            const base = r[(instr >>> 16) & 15];
            const address = instr & 0x00800000 ? (base + (instr & 0xfff)) | 0 : (base - (instr & 0xfff)) | 0;
            const t = (instr >>> 12) & 15;
            if (instr & 0x00100000) {
              const v = instr & 0x00400000 ? mmu.read8(address) : mmu.read32(address);
              if (t !== 15) r[t] = v;
              else cpu.loadWritePc(v);
            } else if (instr & 0x00400000) {
              mmu.write8(address, r[t] & 0xff);
            } else {
              mmu.write32(address, r[t]); // R15 stores PC + 8 (PCStoreValue)
            }
            break;
          }
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

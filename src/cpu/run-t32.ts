// The Thumb-state run loop: fetch (16- or 32-bit), the IT-block condition and ITSTATE advance, and
// dispatch, for as long as nothing needs the attention of Cpu.run and the budget lasts. The fetch
// pointer works as in a32.ts.
//
// As in the ARM loop, the most frequent 16-bit forms run in the loop itself, which saves a call
// each: MOV/CMP/ADD/SUB with an 8-bit immediate, ADD/MOV of high registers, loads and stores with
// an immediate offset, the PC-relative load, PUSH/POP, ADD/SUB SP, IT, CBZ/CBNZ and the branches. They repeat the semantics of the
// t16.ts executors for those forms only; executeT16 and executeT32 do the rest.

import type { Cpu } from "./core.js";
import { executeT16, executeT32 } from "./t32.js";
import { bitCount16, commitMultiple, readMultiple, storeMultiple } from "./t32-multiple.js";
import { hotTargetT32 } from "./block-table.js";

/** `fetchPage` value meaning "no page": page VAs have their low 12 bits clear. */
const NO_PAGE = 1;

/**
 * Runs Thumb instructions from cpu.nextPc until an instruction sets cpu.attention or `done`
 * reaches `budget`; returns `done` plus the instructions run. r[15] reads as the instruction + 4.
 * A cold run of run-blocks.ts (`soft` below `budget`) also ends past `soft` at a taken 16-bit B,
 * and anywhere at a branch target whose block is translated or becomes hot (block-table.ts).
 */
export function runT32(cpu: Cpu, budget: number, done: number, soft = budget): number {
  const r = cpu.r;
  const mmu = cpu.mmu;
  const mem16 = mmu.stage2.mem16;
  let fetchPage = NO_PAGE;
  let fetchAddend = 0;
  let pc = cpu.nextPc | 0;
  budget |= 0;
  done |= 0;
  soft |= 0;
  const cold = soft < budget && cpu.jit;
  // Where the instruction running goes next when it does not branch.
  let sequential = 0;
  for (;;) {
    // As in runA32: counted before the fetch, and every store to the core before the fetch.
    done = (done + 1) | 0;
    cpu.sliceCount = done;
    cpu.curPc = pc;
    r[15] = (pc + 4) | 0;
    let hw1: number;
    if ((pc & ~0xffe) === fetchPage) {
      hw1 = mem16[(fetchAddend + pc) >> 1];
    } else {
      hw1 = mmu.fetch16(pc) | 0;
      fetchAddend = mmu.fetchAddend(pc) | 0;
      fetchPage = (fetchAddend & 0xfff) === 0 ? pc & ~0xfff : NO_PAGE;
    }
    const itBefore = cpu.it;
    if (itBefore !== 0) cpu.exceptionTaken = false;
    if (hw1 >>> 11 >= 0x1d) {
      // A 32-bit instruction; its second halfword may be on the next page.
      const pc2 = (pc + 2) | 0;
      const hw2 = (pc2 & ~0xffe) === fetchPage ? mem16[(fetchAddend + pc2) >> 1] : mmu.fetch16(pc2) | 0;
      cpu.nextPc = sequential = (pc + 4) | 0;
      if (itBefore === 0 || cpu.conditionPassed(itBefore >>> 4)) executeT32(cpu, (hw1 << 16) | hw2);
    } else {
      cpu.nextPc = sequential = (pc + 2) | 0;
      // BKPT (0xBExx) is unconditional even inside an IT block.
      if (itBefore === 0 || cpu.conditionPassed(itBefore >>> 4) || hw1 >>> 8 === 0xbe) {
        switch (hw1 >>> 11) {
          case 0x04: // MOVS Rd, #imm8 (flags outside an IT block; C unchanged)
            r[(hw1 >>> 8) & 7] = hw1 & 0xff;
            if (itBefore === 0) {
              cpu.n = 0;
              cpu.z = (hw1 & 0xff) === 0 ? 1 : 0;
            }
            break;
          case 0x05: // CMP Rn, #imm8
          case 0x06: // ADDS Rdn, #imm8
          case 0x07: {
            // SUBS Rdn, #imm8. AddWithCarry(a, NOT imm, 1) for CMP and SUBS.
            const d = (hw1 >>> 8) & 7;
            const x = r[d];
            const add = hw1 >>> 11 === 0x06;
            const y = add ? hw1 & 0xff : ~(hw1 & 0xff);
            const res = (x + y + (add ? 0 : 1)) | 0;
            if (hw1 >>> 11 !== 0x05) r[d] = res;
            if (itBefore === 0 || hw1 >>> 11 === 0x05) {
              cpu.n = res >>> 31;
              cpu.z = res === 0 ? 1 : 0;
              cpu.c = ((x & y) | ((x | y) & ~res)) >>> 31;
              cpu.v = ((x ^ res) & (y ^ res)) >>> 31;
            }
            break;
          }
          case 0x08:
            if ((hw1 & 0x0700) === 0x0400) {
              // ADD Rdn, Rm (T2) and MOV Rd, Rm (T1) with high registers; a PC destination, CMP
              // and BX/BLX go to executeT16.
              const dn = ((hw1 >>> 4) & 8) | (hw1 & 7);
              if (dn !== 15) {
                r[dn] = (r[(hw1 >>> 3) & 15] + r[dn]) | 0;
                break;
              }
            } else if ((hw1 & 0x0700) === 0x0600) {
              const dn = ((hw1 >>> 4) & 8) | (hw1 & 7);
              if (dn !== 15) {
                r[dn] = r[(hw1 >>> 3) & 15];
                break;
              }
            }
            executeT16(cpu, hw1);
            break;
          case 0x09: // LDR Rt, [PC, #imm8*4]: the base is Align(PC, 4).
            r[(hw1 >>> 8) & 7] = mmu.read32((((pc + 4) & ~3) + ((hw1 & 0xff) << 2)) | 0);
            break;
          case 0x0c: {
            // STR/LDR Rt, [Rn, #imm5*4]
            const address = (r[(hw1 >>> 3) & 7] + ((hw1 >>> 4) & 0x7c)) | 0;
            mmu.write32(address, r[hw1 & 7]);
            break;
          }
          case 0x0d:
            r[hw1 & 7] = mmu.read32((r[(hw1 >>> 3) & 7] + ((hw1 >>> 4) & 0x7c)) | 0);
            break;
          case 0x0e: // STRB Rt, [Rn, #imm5]
            mmu.write8((r[(hw1 >>> 3) & 7] + ((hw1 >>> 6) & 0x1f)) | 0, r[hw1 & 7] & 0xff);
            break;
          case 0x0f: // LDRB
            r[hw1 & 7] = mmu.read8((r[(hw1 >>> 3) & 7] + ((hw1 >>> 6) & 0x1f)) | 0);
            break;
          case 0x10: // STRH Rt, [Rn, #imm5*2]
            mmu.write16((r[(hw1 >>> 3) & 7] + ((hw1 >>> 5) & 0x3e)) | 0, r[hw1 & 7] & 0xffff);
            break;
          case 0x11: // LDRH
            r[hw1 & 7] = mmu.read16((r[(hw1 >>> 3) & 7] + ((hw1 >>> 5) & 0x3e)) | 0);
            break;
          case 0x12: // STR Rt, [SP, #imm8*4]
            mmu.write32((r[13] + ((hw1 & 0xff) << 2)) | 0, r[(hw1 >>> 8) & 7]);
            break;
          case 0x13: // LDR Rt, [SP, #imm8*4]
            r[(hw1 >>> 8) & 7] = mmu.read32((r[13] + ((hw1 & 0xff) << 2)) | 0);
            break;
          case 0x16:
            if ((hw1 & 0x0600) === 0x0400 && (hw1 & 0x1ff) !== 0) {
              // PUSH {list, LR?}: STMDB SP!
              const list = (hw1 & 0xff) | ((hw1 & 0x100) << 6);
              const address = (r[13] - 4 * bitCount16(list)) | 0;
              storeMultiple(cpu, address, list);
              r[13] = address;
            } else if ((hw1 & 0x0f00) === 0) {
              // ADD/SUB SP, SP, #imm7*4
              const imm = (hw1 & 0x7f) << 2;
              r[13] = hw1 & 0x80 ? (r[13] - imm) | 0 : (r[13] + imm) | 0;
            } else if ((hw1 & 0x0500) === 0x0100) {
              // CBZ/CBNZ Rn, label: forward only, offset i:imm5:'0'.
              if ((r[hw1 & 7] === 0) !== ((hw1 & 0x800) !== 0)) {
                cpu.nextPc = (pc + 4 + (((hw1 >>> 3) & 0x40) | ((hw1 >>> 2) & 0x3e))) & ~1;
              }
            } else {
              executeT16(cpu, hw1);
            }
            break;
          case 0x17:
            if ((hw1 & 0x0600) === 0x0400 && (hw1 & 0x1ff) !== 0) {
              // POP {list, PC?}: LDMIA SP!; a popped PC interworks.
              const list = (hw1 & 0xff) | ((hw1 & 0x100) << 7);
              const base = r[13];
              readMultiple(cpu, base, list);
              r[13] = (base + 4 * bitCount16(list)) | 0;
              commitMultiple(cpu, list);
            } else if ((hw1 & 0x0f00) === 0x0f00 && (hw1 & 0xf) !== 0) {
              // IT: ITSTATE = firstcond:mask; advanced after each instruction of the block.
              cpu.it = hw1 & 0xff;
            } else if ((hw1 & 0x0500) === 0x0100) {
              // CBZ/CBNZ
              if ((r[hw1 & 7] === 0) !== ((hw1 & 0x800) !== 0)) {
                cpu.nextPc = (pc + 4 + (((hw1 >>> 3) & 0x40) | ((hw1 >>> 2) & 0x3e))) & ~1;
              }
            } else {
              executeT16(cpu, hw1);
            }
            break;
          case 0x1a:
          case 0x1b: {
            // B<c> (T1); cond 0b1110 is UDF and 0b1111 SVC, in executeT16.
            const cond = (hw1 >>> 8) & 0xf;
            if (cond >= 14) executeT16(cpu, hw1);
            else if (cpu.conditionPassed(cond)) {
              cpu.nextPc = (pc + 4 + ((hw1 << 24) >> 23)) & ~1;
              if (done >= soft) budget = done; // the loop's own exit test ends the run
            }
            break;
          }
          case 0x1c: // B (T2)
            cpu.nextPc = (pc + 4 + ((hw1 << 21) >> 20)) & ~1;
            if (done >= soft) budget = done;
            break;
          default:
            executeT16(cpu, hw1);
            break;
        }
      }
    }
    if (itBefore !== 0) {
      // An exception taken by the instruction (or an exception return) set ITSTATE itself.
      if (cpu.exceptionTaken) cpu.exceptionTaken = false;
      else cpu.itAdvance();
    }
    pc = cpu.nextPc | 0;
    if (cpu.attention !== 0 || done >= budget) return done;
    if (cold && pc !== sequential && hotTargetT32(cpu, pc)) return done;
  }
}

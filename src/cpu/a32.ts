// A32 (ARM state): the run loop, and the top-level decode of DDI 0406C A5.1 that dispatches on
// small bit-fields to the class executors in a32-*.ts.
//
// The loop runs for as long as nothing needs the attention of Cpu.run (Cpu.attention stays 0) and
// the budget lasts. Its shape follows from how V8 compiles it:
// - A call costs more than a simple instruction's work (arguments, frame, and every live value
//   spilled around it), so the most frequent forms run in the loop itself: data-processing with an
//   immediate or an immediate-shifted register, LDR/STR/LDRB/STRB, and B/BL. These fast paths
//   repeat the semantics of dataProcessing and loadStoreWordByte for those forms only.
// - Other instructions call the big executors (dataProcessing, extraLoadStore, blockTransfer)
//   directly, and the rest go through executeA32. All of these are too large for V8 to inline, so
//   the loop's inlining budget goes to the MMU's fast paths and the condition check.
//
// Instructions are fetched through a pointer into RAM that stays valid while the PC stays in one
// page (a copy of the fetch TLB entry): one compare per instruction instead of a TLB lookup. Every
// event that could make the copy stale (TLB maintenance, a privilege or DACR switch) sets
// ATTN_RESYNC, which ends this call; the next call starts without a page. Memory is read live, so
// code written by the guest (the zImage decompressor writes the kernel) runs as written.

import type { Cpu } from "./core.js";
import { executeCoproc } from "./coproc.js";
import { shiftImm } from "./alu.js";
import { hotTargetA32 } from "./block-table.js";
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
 * A cold run of run-blocks.ts (`soft` below `budget`) also ends past `soft` at a taken B/BL, and
 * anywhere at a branch target whose block is translated or becomes hot (block-table.ts).
 */
export function runA32(cpu: Cpu, budget: number, done: number, soft = budget): number {
  const r = cpu.r;
  const mmu = cpu.mmu;
  const mem32 = mmu.stage2.mem32;
  // The page the fetch pointer covers, and the addend from a VA in it to a byte offset in RAM.
  let fetchPage = NO_PAGE;
  let fetchAddend = 0;
  let pc = cpu.nextPc | 0;
  budget |= 0;
  done |= 0;
  soft |= 0;
  const cold = soft < budget && cpu.jit;
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
      if (cond !== 14 && cond !== 15 && !cpu.conditionPassed(cond)) break execute;
      switch ((instr >>> 25) & 7) {
        case 0:
        case 1: {
          // Data-processing (A5.2.1-A5.2.3) unless op1 = 0b10xx0 (the compares without S: the
          // miscellaneous space), or bits 7 and 4 are set in a register form (multiplies and the
          // extra loads/stores).
          if (cond === 15 || (instr & 0x01900000) === 0x01000000) {
            executeA32(cpu, instr);
            break;
          }
          if ((instr & 0x02000090) === 0x90) {
            // The extra loads/stores (bits [6:5] not 0; the multiplies otherwise, A5.2.8): LDRH,
            // STRH, LDRSB and LDRSH with an offset and no writeback run here (a register offset
            // needs bits [11:8] clear); extraLoadStore does the rest.
            const t = (instr >>> 12) & 15;
            if (
              (instr & 0x60) === 0 ||
              (instr & 0x01200000) !== 0x01000000 ||
              t === 15 ||
              (instr & 0x00100040) === 0x40 ||
              ((instr & 0x00400000) === 0 && (instr & 0xf00) !== 0)
            ) {
              if (instr & 0x60) extraLoadStore(cpu, instr);
              else executeA32(cpu, instr);
              break;
            }
            const offset = instr & 0x00400000 ? ((instr >>> 4) & 0xf0) | (instr & 0xf) : r[instr & 15];
            const base = r[(instr >>> 16) & 15];
            const address = instr & 0x00800000 ? (base + offset) | 0 : (base - offset) | 0;
            if ((instr & 0x00100000) === 0)
              mmu.write16(address, r[t] & 0xffff); // STRH
            else if ((instr & 0x60) === 0x20)
              r[t] = mmu.read16(address) & 0xffff; // LDRH
            else if ((instr & 0x60) === 0x40)
              r[t] = (mmu.read8(address) << 24) >> 24; // LDRSB
            else r[t] = (mmu.read16(address) << 16) >> 16; // LDRSH
            break;
          }
          // The fast path: Rd not the PC, and an immediate or a register shifted by an immediate
          // (with S only an unshifted register: the shifter's carry out is then C). dataProcessing
          // does everything else.
          const s = instr & 0x00100000;
          if (
            (instr & 0xf000) === 0xf000 ||
            (instr & 0x02000010) === 0x10 ||
            (s !== 0 && (instr & 0x02000ff0) !== 0 && (instr & 0x02000000) === 0)
          ) {
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
          const op = (instr >>> 21) & 15;
          let res: number;
          if (s === 0) {
            // Opcodes 8-11 without S are the miscellaneous space, excluded above.
            switch (op) {
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
          if ((0xf303 >>> op) & 1) {
            // AND, EOR, TST, TEQ, ORR, MOV, BIC, MVN: C is the shifter's carry out, bit 31 of a
            // rotated immediate (C itself for an unrotated one or an unshifted register).
            switch (op) {
              case 0: // ANDS
              case 8: // TST
                res = a & b;
                break;
              case 1: // EORS
              case 9: // TEQ
                res = a ^ b;
                break;
              case 12: // ORRS
                res = a | b;
                break;
              case 13: // MOVS
                res = b;
                break;
              case 14: // BICS
                res = a & ~b;
                break;
              default: // MVNS
                res = ~b;
                break;
            }
            if ((instr & 0x02000f00) > 0x02000000) cpu.c = b >>> 31;
          } else {
            // AddWithCarry(x, y, carry_in): subtraction is x + NOT y + 1, the reverse forms swap.
            let x = a;
            let y = b;
            let carryIn = 0;
            switch (op) {
              case 2: // SUBS
              case 10: // CMP
                y = ~b;
                carryIn = 1;
                break;
              case 3: // RSBS
                x = b;
                y = ~a;
                carryIn = 1;
                break;
              case 5: // ADCS
                carryIn = cpu.c;
                break;
              case 6: // SBCS
                y = ~b;
                carryIn = cpu.c;
                break;
              case 7: // RSCS
                x = b;
                y = ~a;
                carryIn = cpu.c;
                break;
              default: // ADDS, CMN
                break;
            }
            res = (x + y + carryIn) | 0;
            // The carry out of bit 31, from the operands' and the result's top bits.
            cpu.c = ((x & y) | ((x | y) & ~res)) >>> 31;
            cpu.v = ((x ^ res) & (y ^ res)) >>> 31;
          }
          cpu.n = res >>> 31;
          cpu.z = res === 0 ? 1 : 0;
          // TST, TEQ, CMP and CMN write no register.
          if (op < 8 || op > 11) r[(instr >>> 12) & 15] = res;
          break;
        }
        case 2:
        case 3: {
          if (cond === 15 || (instr & 0x02000010) === 0x02000010) {
            // PLD/PLI and the like, or the media instructions.
            executeA32(cpu, instr);
            break;
          }
          // LDR/STR/LDRB/STRB run here, but for the unprivileged forms (P = 0, W = 1) and a PC
          // base with writeback (UNPREDICTABLE), which loadStoreWordByte does. The offset: imm12,
          // or Rm shifted by an immediate (whose carry is not used).
          const n = (instr >>> 16) & 15;
          const indexing = instr & 0x01200000; // P and W
          if (indexing === 0x00200000 || (n === 15 && indexing !== 0x01000000)) {
            loadStoreWordByte(cpu, instr);
            break;
          }
          const offset =
            (instr & 0x02000000) === 0
              ? instr & 0xfff
              : shiftImm(r[instr & 15], (instr >>> 5) & 3, (instr >>> 7) & 31, cpu.c) | 0;
          const base = r[n];
          const offsetAddr = instr & 0x00800000 ? (base + offset) | 0 : (base - offset) | 0;
          // P = 0: post-indexed (the access at the base); W or P = 0: the base is written back,
          // after the access (which may abort) and before a loaded Rt (which may be the base).
          const address = instr & 0x01000000 ? offsetAddr : base;
          const t = (instr >>> 12) & 15;
          if (instr & 0x00100000) {
            const v = instr & 0x00400000 ? mmu.read8(address) : mmu.read32(address);
            if (indexing !== 0x01000000) r[n] = offsetAddr;
            if (t !== 15) r[t] = v;
            else cpu.loadWritePc(v);
          } else {
            if (instr & 0x00400000) mmu.write8(address, r[t] & 0xff);
            else mmu.write32(address, r[t]); // R15 stores PC + 8 (PCStoreValue)
            if (indexing !== 0x01000000) r[n] = offsetAddr;
          }
          break;
        }
        case 4:
          if (cond === 15) executeA32(cpu, instr);
          else blockTransfer(cpu, instr);
          break;
        case 5:
          if (cond === 15) {
            executeA32(cpu, instr); // BLX (immediate)
            break;
          }
          // B / BL: PC + SignExtend(imm24:'00'), aligned as BranchWritePC does.
          if (instr & 0x01000000) r[14] = (pc + 4) | 0;
          cpu.nextPc = (pc + 8 + ((instr << 8) >> 6)) & ~3;
          if (done >= soft) return done;
          break;
        default:
          executeA32(cpu, instr);
          break;
      }
    }
    const sequential = (pc + 4) | 0;
    pc = cpu.nextPc | 0;
    if (cpu.attention !== 0 || done >= budget) return done;
    if (cold && pc !== sequential && hotTargetA32(cpu, pc)) return done;
  }
}

/**
 * Executes one ARM instruction whose condition has passed (or whose cond field is 0b1111): the
 * complete top-level decode (A5.1). The run loop comes here for what its fast paths do not cover.
 */
export function executeA32(cpu: Cpu, instr: number): void {
  if (instr >>> 28 === 15) {
    executeUnconditional(cpu, instr);
    return;
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
      return;
    case 1:
      if ((instr & 0x01900000) !== 0x01000000) dataProcessing(cpu, instr);
      else if (instr & 0x00200000) msrImmediateOrHint(cpu, instr);
      else movImm16(cpu, instr);
      return;
    case 2:
      loadStoreWordByte(cpu, instr);
      return;
    case 3:
      if (instr & 0x10) mediaInstruction(cpu, instr);
      else loadStoreWordByte(cpu, instr);
      return;
    case 4:
      blockTransfer(cpu, instr);
      return;
    case 5:
      // B / BL: PC + SignExtend(imm24:'00')
      if (instr & 0x01000000) cpu.r[14] = cpu.curPc + 4;
      cpu.branchTo((cpu.r[15] + ((instr << 8) >> 6)) | 0);
      return;
    default:
      // Coprocessor instructions and SVC (A5.6).
      if ((instr & 0x03000000) === 0x03000000) cpu.supervisorCall();
      else if ((instr & 0x03e00000) === 0) cpu.undefinedInstruction();
      else executeCoproc(cpu, instr);
      return;
  }
}

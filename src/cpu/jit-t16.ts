// Translation of Thumb blocks to JavaScript, as jit-a32.ts does for ARM code: a block is the
// straight run of instructions from an entry halfword to the first unconditional branch or PC
// write outside an IT block (at most MAX_BLOCK, never past its 4 KiB page). A block is entered
// only outside an IT block, so the generator knows ITSTATE at every instruction: IT blocks are
// translated as conditional code (16-bit forms inside setting no flags), with cpu.it stored as the
// interpreter advances it. Flag writes of register-only 16-bit forms (outside IT blocks almost
// all of them set flags) are left out when a later instruction of the block overwrites those
// flags before anything can see them.
//
// The frequent 32-bit forms are spelled out too (LDR/STR.W with imm12, imm8 and register offsets,
// data processing with a modified immediate or a shifted register, ADDW/SUBW/MOVW/MOVT, B<c>.W,
// B.W, BL). The others, and the 16-bit forms not spelled out, are calls to the interpreter's
// executors with the core set up as runT32 sets it; the block goes on only if the PC went where it
// was going and nothing asked for attention.

import type { BlockFn } from "./code-cache.js";
import { CONDITIONS, Emitter, NZ, NZCV, assemble, assembleRegion, exit } from "./jit-emitter.js";
import { instruction32, transferMultiple } from "./jit-t32.js";

/** Most instructions in one block. */
export const MAX_BLOCK = 48;

/** Halfwords in a 4 KiB page. */
const PAGE_HALFWORDS = 2048;

/** IT (not a hint: the mask is non-zero). */
function isIt(hw: number): boolean {
  return (hw & 0xff00) === 0xbf00 && (hw & 0xf) !== 0;
}

/** Whether the block must end after the 16-bit instruction `hw` (it branches or writes the PC, or
 * always raises an exception). Conditional B and CBZ/CBNZ do not end it. */
function endsBlock16(hw: number): boolean {
  switch (hw >>> 11) {
    case 0x08:
      // BX/BLX, and ADD/MOV (high registers) with Rd = PC.
      if ((hw & 0x0700) === 0x0700) return true;
      return (hw & 0x0400) !== 0 && (hw & 0x0300) !== 0x0100 && (((hw >>> 4) & 8) | (hw & 7)) === 15;
    case 0x17:
      // POP with the PC, BKPT.
      return (hw & 0x0f00) === 0x0d00 || (hw & 0x0f00) === 0x0e00;
    case 0x1b:
      // UDF, SVC.
      return (hw & 0x0e00) === 0x0e00;
    case 0x1c:
      return true;
    default:
      return false;
  }
}

/** Whether the block must end after a 32-bit instruction (branches, loads to the PC). Ending it
 * is only a saving: the executor call leaves on its own when the PC goes elsewhere. */
function endsBlock32(hw1: number, hw2: number): boolean {
  // B, BL, BLX, and the miscellaneous control space (SUBS PC, LR; MSR; ERET...); not B<c>.W
  // (T3, condition below 14), which the block follows on when it is not taken, nor the hints and
  // barriers (hw1 = F3AF, F3BF), which run on or leave by their executor's check (WFI).
  if ((hw1 & 0xf800) === 0xf000 && (hw2 & 0x8000) !== 0) {
    if ((hw2 & 0x5000) === 0 && (hw1 === 0xf3af || hw1 === 0xf3bf)) return false;
    return (hw2 & 0x5000) !== 0 || ((hw1 >>> 6) & 0xf) >= 14;
  }
  // LDM/POP.W with the PC, RFE.
  if ((hw1 & 0xfe50) === 0xe810 && (hw2 & 0x8000) !== 0) return true;
  // TBB/TBH.
  if ((hw1 & 0xfff0) === 0xe8d0 && (hw2 & 0xffe0) === 0xf000) return true;
  // LDR PC (not PLD, PLI and the other byte and halfword hints, which the block runs on past).
  return (hw1 & 0xfe70) === 0xf850 && (hw2 & 0xf000) === 0xf000;
}

/** Whether the instruction at `hw` (`hw2` its second halfword if 32-bit) always goes elsewhere
 * outside an IT block: B (T2), BX/BLX, POP with the PC, B.W, BL, BLX. The halfword after it is then
 * no successor of the block (a region does not take it for that). */
function alwaysBranches(hw: number, hw2: number): boolean {
  if (hw >>> 11 === 0x1c || (hw & 0xff00) === 0x4700 || (hw & 0xff00) === 0xbd00) return true;
  return (hw & 0xf800) === 0xf000 && (hw2 & 0x8000) !== 0 && (hw2 & 0x5000) !== 0;
}

export interface T16Scan {
  /** Instructions in the block (a 32-bit instruction counts once). */
  length: number;
  /** Halfwords they occupy. */
  halfwords: number;
}

/** ITSTATE after an instruction in an IT block (A2.5.2 ITAdvance). */
export function itAdvance(it: number): number {
  return (it & 7) === 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
}

/** The block whose first halfword is mem16[index]: stops before a 32-bit instruction whose second
 * halfword is on the next page, and before an IT instruction inside an IT block (UNPREDICTABLE:
 * the interpreter runs it). A length of 0 means that the first instruction is a split one. */
export function scanT16(mem16: Uint16Array, index: number): T16Scan {
  const end = (index & ~(PAGE_HALFWORDS - 1)) + PAGE_HALFWORDS;
  let i = index;
  let length = 0;
  let it = 0;
  while (i < end && length < MAX_BLOCK) {
    const hw = mem16[i];
    if (hw >>> 11 >= 0x1d) {
      if (i + 1 >= end) break;
      length++;
      i += 2;
      it = itAdvance(it);
      // Inside an IT block a branch may not be taken: the block goes on to the block's end.
      if (it === 0 && endsBlock32(hw, mem16[i - 1])) break;
    } else {
      if (isIt(hw)) {
        if (it !== 0) break;
        it = hw & 0xff;
        length++;
        i++;
        continue;
      }
      length++;
      i++;
      it = itAdvance(it);
      if (it === 0 && endsBlock16(hw)) break;
    }
  }
  return { length, halfwords: i - index };
}

/** The flag updates of a 16-bit form that sets flags only outside IT blocks. */
function flagsIf(e: Emitter, flags: string): string {
  return e.it === 0 ? ` ${flags.trimStart()}` : "";
}

/** LSL/LSR/ASR Rd, Rm, #imm5 (flags: NZ, and C unless LSL #0). */
function shiftImmediate(e: Emitter, hw: number): void {
  const d = hw & 7;
  const imm5 = (hw >>> 6) & 31;
  let value: string;
  let carry: string | null;
  switch (hw >>> 11) {
    case 0:
      value = imm5 === 0 ? "a" : `a << ${imm5}`;
      carry = imm5 === 0 ? null : `(a >>> ${32 - imm5}) & 1`;
      break;
    case 1:
      // LSR #0 is LSR #32.
      value = imm5 === 0 ? "0" : `(a >>> ${imm5}) | 0`;
      carry = imm5 === 0 ? "a >>> 31" : `(a >>> ${imm5 - 1}) & 1`;
      break;
    default:
      value = `a >> ${imm5 === 0 ? 31 : imm5}`;
      carry = imm5 === 0 ? "a >>> 31" : `(a >>> ${imm5 - 1}) & 1`;
      break;
  }
  const c = carry === null ? "" : ` cpu.c = ${carry};`;
  const flags = e.it === 0 ? ` ${NZ}${c}` : "";
  e.emit(`{ const a = r[${(hw >>> 3) & 7}], res = ${value}; r[${d}] = res;${flags} }`);
}

/** ADDS/SUBS Rd, Rn, Rm and ADDS/SUBS Rd, Rn, #imm3. */
function addSub3(e: Emitter, hw: number): void {
  const sub = (hw & 0x200) !== 0;
  const field = (hw >>> 6) & 7;
  let y: string;
  if (hw & 0x400) y = String(sub ? ~field : field);
  else y = sub ? `~r[${field}]` : `r[${field}]`;
  e.emit(
    `{ const x = r[${(hw >>> 3) & 7}], y = ${y}, res = (x + y + ${sub ? 1 : 0}) | 0; r[${hw & 7}] = res;${flagsIf(e, NZCV)} }`,
  );
}

/** MOVS/CMP/ADDS/SUBS with an 8-bit immediate. */
function immediate8(e: Emitter, hw: number): void {
  const d = (hw >>> 8) & 7;
  const imm = hw & 0xff;
  const op = (hw >>> 11) & 3;
  if (op === 0) {
    // MOVS: C and V unchanged.
    e.emit(`r[${d}] = ${imm};${flagsIf(e, ` cpu.n = 0; cpu.z = ${imm === 0 ? 1 : 0};`)}`);
    return;
  }
  const add = op === 2;
  const write = op === 1 ? "" : ` r[${d}] = res;`;
  // CMP sets the flags inside IT blocks too.
  const flags = op === 1 ? ` ${NZCV}` : flagsIf(e, NZCV);
  e.emit(`{ const x = r[${d}], y = ${add ? imm : ~imm}, res = (x + y + ${add ? 0 : 1}) | 0;${write}${flags} }`);
}

/** The data-processing group on low registers (AND..MVN), all setting flags outside IT blocks. */
function dataProcessing(e: Emitter, hw: number): void {
  const d = hw & 7;
  const a = `r[${d}]`;
  const b = `r[${(hw >>> 3) & 7}]`;
  const op = (hw >>> 6) & 15;
  // TST, CMP and CMN (the forms that write no register) set the flags inside IT blocks too.
  const logical = (value: string, write = true): void =>
    e.emit(`{ const res = ${value};${write ? ` r[${d}] = res;${flagsIf(e, NZ)}` : ` ${NZ}`} }`);
  const arith = (x: string, y: string, cin: string, write = true): void =>
    e.emit(
      `{ const x = ${x}, y = ${y}, res = (x + y + ${cin}) | 0;${write ? ` r[${d}] = res;${flagsIf(e, NZCV)}` : ` ${NZCV}`} }`,
    );
  switch (op) {
    case 0x0:
      logical(`${a} & ${b}`);
      return;
    case 0x1:
      logical(`${a} ^ ${b}`);
      return;
    case 0x2:
    case 0x3:
    case 0x4:
    case 0x7:
      // Shifts by a register: the alu's own Shift_C (amounts of 32 and more, and 0, are its rules).
      e.emit(
        `{ const res = h.shiftRegC(${a}, ${op === 7 ? 3 : op - 2}, ${b} & 0xff, cpu.c); r[${d}] = res;${flagsIf(e, `${NZ} cpu.c = h.alu.carry;`)} }`,
      );
      return;
    case 0x5:
      arith(a, b, "cpu.c");
      return;
    case 0x6:
      arith(a, `~${b}`, "cpu.c");
      return;
    case 0x8:
      logical(`${a} & ${b}`, false);
      return;
    case 0x9:
      // RSBS Rd, Rn, #0: AddWithCarry(NOT Rn, 0, 1).
      arith(`~${b}`, "0", "1");
      return;
    case 0xa:
      arith(a, `~${b}`, "1", false);
      return;
    case 0xb:
      arith(a, b, "0", false);
      return;
    case 0xc:
      logical(`${a} | ${b}`);
      return;
    case 0xd:
      // MULS: C unchanged in ARMv7.
      logical(`Math.imul(${a}, ${b})`);
      return;
    case 0xe:
      logical(`${a} & ~${b}`);
      return;
    default:
      logical(`~${b}`);
      return;
  }
}

/** ADD/CMP/MOV with high registers; a PC destination and BX/BLX go to the executor. */
function specialData(e: Emitter, hw: number): void {
  const dn = ((hw >>> 4) & 8) | (hw & 7);
  const m = (hw >>> 3) & 15;
  switch ((hw >>> 8) & 3) {
    case 0:
      if (dn !== 15) {
        e.emit(`r[${dn}] = (${e.reg(dn)} + ${e.reg(m)}) | 0;`);
        return;
      }
      break;
    case 1:
      e.emit(`{ const x = ${e.reg(dn)}, y = ~${e.reg(m)}, res = (x + y + 1) | 0; ${NZCV} }`);
      return;
    case 2:
      if (dn !== 15) {
        e.emit(`r[${dn}] = ${e.reg(m)};`);
        return;
      }
      if (m !== 15) {
        // MOV PC, Rm: ALUWritePC, a plain branch in Thumb state.
        e.emit(e.leave(`r[${m}] & ~1`));
        return;
      }
      break;
    default:
      if ((hw & 0x0007) === 0 && m !== 15) {
        // BX / BLX Rm (a return, a call through a pointer); a switch to ARM state asks the run
        // loop to change loops (BXWritePC).
        const link = hw & 0x80 ? ` r[14] = ${e.next | 1};` : "";
        e.emit(
          `{ const t = r[${m}];${link} if ((t & 1) !== 0) { ${e.leave("t & ~1")} } cpu.bxWritePc(t); ${e.leave("cpu.nextPc")} }`,
        );
        return;
      }
      break;
  }
  e.call("executeT16", hw);
}

/** LDR/STR/LDRB/STRB/LDRH/STRH/LDRSB/LDRSH Rt, [Rn, Rm]. */
function loadStoreRegister(e: Emitter, hw: number): void {
  const t = hw & 7;
  const addr = `(r[${(hw >>> 3) & 7}] + r[${(hw >>> 6) & 7}]) | 0`;
  const into = (v: string) => `r[${t}] = ${v};`;
  switch ((hw >>> 9) & 7) {
    case 0:
      e.store(32, addr, `r[${t}]`);
      return;
    case 1:
      e.store(16, addr, `r[${t}]`);
      return;
    case 2:
      e.store(8, addr, `r[${t}]`);
      return;
    case 3:
      e.load(8, addr, (v) => `r[${t}] = (${v} << 24) >> 24;`);
      return;
    case 4:
      e.load(32, addr, into);
      return;
    case 5:
      e.load(16, addr, into);
      return;
    case 6:
      e.load(8, addr, into);
      return;
    default:
      e.load(16, addr, (v) => `r[${t}] = (${v} << 16) >> 16;`);
      return;
  }
}

/** LDR/STR (word, byte, halfword) Rt, [Rn, #imm5 * size]. */
function loadStoreImmediate(e: Emitter, hw: number): void {
  const t = hw & 7;
  const load = (hw & 0x800) !== 0;
  const imm5 = (hw >>> 6) & 31;
  const base = `r[${(hw >>> 3) & 7}]`;
  let size: number;
  switch (hw >>> 12) {
    case 6:
      size = 4;
      break;
    case 7:
      size = 1;
      break;
    default:
      size = 2;
      break;
  }
  const addr = `(${base} + ${imm5 * size}) | 0`;
  const bits = size === 4 ? 32 : size === 2 ? 16 : 8;
  if (load) e.load(bits, addr, (v) => `r[${t}] = ${v};`);
  else e.store(bits, addr, `r[${t}]`);
}

/** PUSH {list, LR?} and POP {list, PC?}: STMDB/LDM SP! through transferMultiple; an empty list
 * (UNDEFINED) goes to the executor. */
function pushPop(e: Emitter, hw: number): void {
  const pop = (hw & 0x800) !== 0;
  const list = pop ? (hw & 0xff) | ((hw & 0x100) << 7) : (hw & 0xff) | ((hw & 0x100) << 6);
  if (list === 0) e.call("executeT16", hw);
  else transferMultiple(e, 13, list, pop, true, pop);
}

/** The miscellaneous 16-bit space (1011 xxxx): ADD/SUB SP, CBZ/CBNZ, SXTH..UXTB, PUSH/POP here. */
function miscellaneous(e: Emitter, hw: number): void {
  switch ((hw >>> 8) & 15) {
    case 0x0: {
      const imm = (hw & 0x7f) << 2;
      e.emit(`r[13] = (r[13] ${hw & 0x80 ? "-" : "+"} ${imm}) | 0;`);
      return;
    }
    case 0x1:
    case 0x3:
    case 0x9:
    case 0xb: {
      // CBZ/CBNZ: forward only, offset i:imm5:'0'.
      const target = (e.pc + 4 + (((hw >>> 3) & 0x40) | ((hw >>> 2) & 0x3e))) & ~1;
      e.emit(`if (r[${hw & 7}] ${hw & 0x800 ? "!==" : "==="} 0) { ${e.leave(target)} }`);
      return;
    }
    case 0x2: {
      const v = `r[${(hw >>> 3) & 7}]`;
      const value = [`(${v} << 16) >> 16`, `(${v} << 24) >> 24`, `${v} & 0xffff`, `${v} & 0xff`][(hw >>> 6) & 3];
      e.emit(`r[${hw & 7}] = ${value};`);
      return;
    }
    case 0x4:
    case 0x5:
    case 0xc:
    case 0xd:
      pushPop(e, hw);
      return;
    case 0xa: {
      // REV, REV16, REVSH (op 2 is UNDEFINED).
      const op = (hw >>> 6) & 3;
      if (op === 2) break;
      e.emit(`r[${hw & 7}] = h.${["rev", "rev16", "", "revsh"][op]}(r[${(hw >>> 3) & 7}]);`);
      return;
    }
    case 0xf: {
      // NOP, YIELD and the other hints that do nothing here (WFE, WFI and SEV do); never IT, which
      // the caller handles.
      const hint = (hw >>> 4) & 0xf;
      if ((hw & 0xf) === 0 && (hint < 2 || hint > 4)) return;
      break;
    }
    default:
      break;
  }
  e.call("executeT16", hw);
}

/** One 16-bit instruction (never IT: the scan ends blocks before it). */
function instruction16(e: Emitter, hw: number): void {
  switch (hw >>> 11) {
    case 0x00:
    case 0x01:
    case 0x02:
      shiftImmediate(e, hw);
      return;
    case 0x03:
      addSub3(e, hw);
      return;
    case 0x04:
    case 0x05:
    case 0x06:
    case 0x07:
      immediate8(e, hw);
      return;
    case 0x08:
      if (hw & 0x400) specialData(e, hw);
      else dataProcessing(e, hw);
      return;
    case 0x09:
      // LDR Rt, [PC, #imm8*4]: the base is Align(PC, 4).
      e.load(32, String((((e.pc + 4) & ~3) + ((hw & 0xff) << 2)) | 0), (v) => `r[${(hw >>> 8) & 7}] = ${v};`);
      return;
    case 0x0a:
    case 0x0b:
      loadStoreRegister(e, hw);
      return;
    case 0x0c:
    case 0x0d:
    case 0x0e:
    case 0x0f:
    case 0x10:
    case 0x11:
      loadStoreImmediate(e, hw);
      return;
    case 0x12:
      e.store(32, `(r[13] + ${(hw & 0xff) << 2}) | 0`, `r[${(hw >>> 8) & 7}]`);
      return;
    case 0x13:
      e.load(32, `(r[13] + ${(hw & 0xff) << 2}) | 0`, (v) => `r[${(hw >>> 8) & 7}] = ${v};`);
      return;
    case 0x14:
      // ADR: Align(PC, 4) + imm8*4, a constant.
      e.emit(`r[${(hw >>> 8) & 7}] = ${(((e.pc + 4) & ~3) + ((hw & 0xff) << 2)) | 0};`);
      return;
    case 0x15:
      e.emit(`r[${(hw >>> 8) & 7}] = (r[13] + ${(hw & 0xff) << 2}) | 0;`);
      return;
    case 0x16:
    case 0x17:
      miscellaneous(e, hw);
      return;
    case 0x1a:
    case 0x1b: {
      // B<c> (T1); cond 0b1110 is UDF and 0b1111 SVC, for the executor.
      const cond = (hw >>> 8) & 15;
      if (cond >= 14) {
        e.call("executeT16", hw);
        return;
      }
      const target = (e.pc + 4 + ((hw << 24) >> 23)) & ~1;
      e.emit(`if (${CONDITIONS[cond]}) { ${e.branch(target)} }`);
      return;
    }
    case 0x1c:
      e.emit(e.branch((e.pc + 4 + ((hw << 21) >> 20)) & ~1));
      return;
    default:
      e.call("executeT16", hw);
      return;
  }
}

const N = 8;
const Z = 4;
const C = 2;
const V = 1;
const NZCV_BITS = N | Z | C | V;

/** The flags a 16-bit instruction outside an IT block reads and writes, as [reads, writes], when
 * its code can neither leave the block nor fault (pure register arithmetic); null otherwise. */
function flagEffect(hw: number): [number, number] | null {
  switch (hw >>> 11) {
    case 0x00:
    case 0x01:
    case 0x02:
      // LSL #0 keeps C.
      return [0, hw >>> 11 === 0 && ((hw >>> 6) & 31) === 0 ? N | Z : N | Z | C];
    case 0x03:
    case 0x05:
    case 0x06:
    case 0x07:
      return [0, NZCV_BITS];
    case 0x04:
      return [0, N | Z];
    case 0x08: {
      if ((hw & 0x400) === 0) {
        const op = (hw >>> 6) & 15;
        if (op === 2 || op === 3 || op === 4 || op === 7) return [C, N | Z | C]; // shifts by a register
        if (op === 5 || op === 6) return [C, NZCV_BITS]; // ADC, SBC
        if (op === 9 || op === 10 || op === 11) return [0, NZCV_BITS];
        return [0, N | Z];
      }
      const dn = ((hw >>> 4) & 8) | (hw & 7);
      const op = (hw >>> 8) & 3;
      if (op === 1) return [0, NZCV_BITS];
      return op !== 3 && dn !== 15 ? [0, 0] : null;
    }
    case 0x14:
    case 0x15:
      return [0, 0];
    case 0x16:
      return (hw & 0x0f00) === 0 || (hw & 0x0f00) === 0x0200 ? [0, 0] : null;
    default:
      return null;
  }
}

/** For each instruction of the block, the flags it need not write: overwritten by the pure
 * instructions after it before anything (a read, an access that may fault, a call, an exit, the
 * block's end) can see them. Inside IT blocks and for 32-bit instructions, none. */
function deadFlags(mem16: Uint16Array, index: number, length: number): number[] {
  const effects: ([number, number] | null)[] = [];
  let i = index;
  let it = 0;
  for (let k = 0; k < length; k++) {
    const hw = mem16[i];
    const wide = hw >>> 11 >= 0x1d;
    effects.push(it === 0 && !wide ? flagEffect(hw) : null);
    if (it === 0 && !wide && isIt(hw)) it = hw & 0xff;
    else it = itAdvance(it);
    i += wide ? 2 : 1;
  }
  const dead = new Array<number>(length).fill(0);
  let live = NZCV_BITS;
  for (let k = length - 1; k >= 0; k--) {
    const effect = effects[k];
    if (effect === null) {
      live = NZCV_BITS;
      continue;
    }
    dead[k] = effect[1] & ~live;
    live = (live & ~effect[1]) | effect[0];
  }
  return dead;
}

/** The code of the block of `length` instructions from mem16[index], at address `pc` (as scanT16
 * found it), into `e`. ITSTATE is known at each instruction (the block is entered with it 0):
 * inside an IT block an instruction runs under its condition, the 16-bit forms set no flags, and
 * cpu.it is stored after each instruction, as the interpreter advances it. */
function emitBlock(e: Emitter, mem16: Uint16Array, index: number, pc: number, length: number): void {
  const dead = deadFlags(mem16, index, length);
  let i = index;
  let at = pc | 0;
  let it = 0;
  for (let k = 0; k < length; k++) {
    const hw = mem16[i];
    e.k = k;
    e.deadFlags = dead[k];
    e.pc = at;
    e.it = it;
    e.itNext = itAdvance(it);
    e.size = hw >>> 11 >= 0x1d ? 4 : 2;
    if (it === 0 && isIt(hw)) {
      // The scan never puts an IT inside an IT block.
      e.emit(`cpu.it = ${hw & 0xff};`);
      it = hw & 0xff;
    } else {
      const cond = it >>> 4;
      // Conditions 14 and 15 (IT AL) always pass; so does BKPT inside an IT block.
      const test = it !== 0 && cond < 14 && hw >>> 8 !== 0xbe;
      if (test) e.emit(`if (${CONDITIONS[cond]}) {`);
      if (e.size === 4) instruction32(e, (hw << 16) | mem16[i + 1]);
      else instruction16(e, hw);
      if (test) e.emit("}");
      if (it !== 0) e.emit(`cpu.it = ${e.itNext};`);
      it = e.itNext;
    }
    i += e.size >>> 1;
    at = (at + e.size) | 0;
  }
  const last = e.pc;
  const lastAt = index + ((last - pc) >> 1);
  // ITSTATE where the block runs on (not 0 when it ends inside an IT block, or right after an IT).
  e.itNext = it;
  e.deadFlags = 0;
  e.emit(e.end(at, exit(at, last, length), e.it !== 0 || !alwaysBranches(mem16[lastAt], mem16[lastAt + 1])));
}

/** The source of the function for the block of `length` instructions from mem16[index], at
 * address `pc`. */
export function generateT16(mem16: Uint16Array, index: number, pc: number, length: number): string {
  const out: string[] = [];
  const e = new Emitter(out, pc, length, 4);
  emitBlock(e, mem16, index, pc, length);
  return assemble(out, e.loops, 4);
}

/** Where the block at `pc` (mem16[index], `length` instructions) branches to or runs on to. */
export function targetsT16(mem16: Uint16Array, index: number, pc: number, length: number): number[] {
  const e = new Emitter([], pc, length, 4);
  emitBlock(e, mem16, index, pc, length);
  return e.targets;
}

/** The source of one function for the blocks of a region, as generateRegionA32; `pageIndex` is
 * the page's first halfword in mem16. */
export function generateRegionT16(mem16: Uint16Array, pageIndex: number, region: ReadonlyMap<number, number>): string {
  return assembleRegion(region, 4, (e, pc, length) =>
    emitBlock(e, mem16, pageIndex + ((pc & 0xfff) >>> 1), pc, length),
  );
}

/** Compiles the block (new Function: the one place the core makes code, with compileA32). */
export function compileT16(mem16: Uint16Array, index: number, pc: number, length: number): BlockFn {
  return new Function("cpu", "r", "mmu", "done", "h", "budget", generateT16(mem16, index, pc, length)) as BlockFn;
}

/** Compiles a region's blocks into one function. */
export function compileRegionT16(mem16: Uint16Array, pageIndex: number, region: ReadonlyMap<number, number>): BlockFn {
  return new Function("cpu", "r", "mmu", "done", "h", "budget", generateRegionT16(mem16, pageIndex, region)) as BlockFn;
}

// Translation of the 32-bit Thumb forms in jit-t16.ts's blocks. Each function spells a class of
// encodings out as JavaScript, doing what its executor in t32-*.ts does in the same order (so an
// abort or a budget's end leaves the same core), or returns false for the forms it leaves to
// executeT32: the rare ones, the UNDEFINED and UNPREDICTABLE encodings, and whatever changes the
// system state. Pure operations that take more than an expression (long multiplies, byte
// reversal, parallel add/subtract) are calls to the helpers of jit-helpers.ts, which touch no
// register: the block keeps its registers in locals around them, as it cannot around an executor.

import { CONDITIONS, type Emitter, NZ, NZCV } from "./jit-emitter.js";
import { thumbExpandImmC } from "./alu.js";
import { PAS_S, PAS_U, pasOpFromT32 } from "./ops-media.js";
import { branchOffset24 } from "./t32-branch-misc.js";

/**
 * LDM/STM with `list` (bit k = register k) from register `n`, upwards (`increment`) or downwards,
 * with or without writeback: the words move directly when the whole transfer is in one page that
 * the TLB holds, as readMultiple and storeMultiple do; otherwise the interpreter runs it (step). A
 * loaded PC interworks (LoadWritePC) and ends the block. PUSH/POP (16-bit) and PUSH.W/POP.W use it.
 */
export function transferMultiple(
  e: Emitter,
  n: number,
  list: number,
  increment: boolean,
  wback: boolean,
  load: boolean,
): void {
  const regs: number[] = [];
  for (let k = 0; k < 16; k++) if (list & (1 << k)) regs.push(k);
  const bytes = 4 * regs.length;
  const parts = [
    `const base = r[${n}], addr = ${increment ? "base" : `(base - ${bytes}) | 0`};`,
    `const o = (addr & 0xfff) <= ${4096 - bytes} ? mmu.${load ? "readRun" : "writeRun"}(addr) : -1;`,
    "if (o >= 0) { const m = mmu.stage2.mem32, w = o >> 2;",
  ];
  const newBase = increment ? `(base + ${bytes}) | 0` : "addr";
  if (load) {
    // The base is written back first: a loaded base wins, as in the executor.
    if (wback) parts.push(`r[${n}] = ${newBase};`);
    regs.forEach((reg, k) => {
      if (reg !== 15) parts.push(`r[${reg}] = m[w + ${k}];`);
    });
    if (list & 0x8000) {
      parts.push(
        `const t = m[w + ${regs.length - 1}];`,
        `if ((t & 1) !== 0) { ${e.leave("t & ~1")} } cpu.bxWritePc(t); ${e.leave("cpu.nextPc")}`,
      );
    }
  } else {
    regs.forEach((reg, k) => parts.push(`m[w + ${k}] = r[${reg}];`));
    if (wback) parts.push(`r[${n}] = ${newBase};`);
  }
  parts.push(`} else ${e.step()}`);
  e.emit(`{ ${parts.join(" ")} }`);
}

/** LDM, LDMDB, STM, STMDB (POP.W and PUSH.W among them); RFE, SRS and the lists the executor makes
 * UNDEFINED or transfers as written (fewer than two registers, SP, a stored PC, the base with
 * writeback, Rn = PC) go to the executor. */
function multiple(e: Emitter, instr: number): boolean {
  const op = (instr >>> 23) & 3;
  const n = (instr >>> 16) & 0xf;
  const list = instr & 0xffff;
  const wback = (instr & 0x200000) !== 0;
  const load = (instr & 0x100000) !== 0;
  if (op === 0 || op === 3 || n === 15 || (list & (list - 1)) === 0 || list & 0x2000) return false;
  if ((wback && list & (1 << n)) || (!load && list & 0x8000)) return false;
  transferMultiple(e, n, list, op === 1, wback, load);
  return true;
}

/** LDRD/STRD with an immediate offset, indexed or not: both words move directly when they are in
 * one page the TLB holds at a word-aligned address, else the interpreter (the slow path, an
 * alignment fault or an abort: step). The exclusives and TBB/TBH (P = W = 0), the literal form, the PC
 * as a register and writeback to a transferred register go to the executor. */
function dual(e: Emitter, instr: number): boolean {
  if ((instr & 0x01200000) === 0) return false;
  const n = (instr >>> 16) & 0xf;
  const t = (instr >>> 12) & 0xf;
  const t2 = (instr >>> 8) & 0xf;
  const load = (instr & 0x100000) !== 0;
  const wback = (instr & 0x200000) !== 0;
  if (n === 15 || t === 15 || t2 === 15 || (wback && (n === t || n === t2))) return false;
  const ea = `(base ${instr & 0x800000 ? "+" : "-"} ${(instr & 0xff) << 2}) | 0`;
  const write = wback ? ` r[${n}] = ea;` : "";
  const move = load
    ? `const lo = m[w], hi = m[w + 1];${write} r[${t}] = lo; r[${t2}] = hi;`
    : `m[w] = r[${t}]; m[w + 1] = r[${t2}];${write}`;
  e.emit(
    `{ const base = r[${n}], ea = ${ea}, addr = ${instr & 0x1000000 ? "ea" : "base"};` +
      ` const o = (addr & 0xfff) <= 4088 ? mmu.${load ? "readRun" : "writeRun"}(addr) : -1;` +
      ` if (o >= 0) { const m = mmu.stage2.mem32, w = o >> 2; ${move} }` +
      ` else ${e.step()} }`,
  );
  return true;
}

/** MUL, MLA, MLS, SMULL, UMULL, SMLAL, UMLAL, SDIV and UDIV; the halfword, dual and most-significant
 * forms, and the PC as any register, go to the executor. */
function multiply(e: Emitter, instr: number): boolean {
  const n = (instr >>> 16) & 0xf;
  const m = instr & 0xf;
  // Ra (or RdLo) and Rd (or RdHi).
  const a = (instr >>> 12) & 0xf;
  const d = (instr >>> 8) & 0xf;
  const op1 = (instr >>> 20) & 7;
  const op2 = (instr >>> 4) & 0xf;
  if (n === 15 || m === 15 || d === 15) return false;
  const product = `Math.imul(r[${n}], r[${m}])`;
  if ((instr & 0x800000) === 0) {
    // A6.3.16, op1 = 000: MUL (Ra = PC), MLA, MLS.
    if (op1 !== 0 || op2 > 1 || (op2 === 1 && a === 15)) return false;
    if (op2 === 1) e.emit(`r[${d}] = (r[${a}] - ${product}) | 0;`);
    else e.emit(`r[${d}] = ${a === 15 ? product : `(${product} + r[${a}]) | 0`};`);
    return true;
  }
  // A6.3.17.
  if (op1 === 1 || op1 === 3) {
    if (op2 !== 0xf || a !== 15) return false;
    e.emit(`r[${d}] = h.${op1 === 1 ? "sdiv" : "udiv"}(r[${n}], r[${m}]);`);
    return true;
  }
  const fn = ["smull64", null, "umull64", null, "smlal64", null, "umlal64", null][op1];
  if (fn === null || op2 !== 0 || a === 15) return false;
  const acc = op1 >= 4 ? `, r[${a}], r[${d}]` : "";
  e.emit(`{ const lo = h.${fn}(r[${n}], r[${m}]${acc}); r[${a}] = lo; r[${d}] = h.mul.hi; }`);
  return true;
}

/** Data processing (register), A6.3.12-A6.3.15: shifts by a register, SXTH/UXTH/SXTB/UXTB with or
 * without an add, parallel add/subtract, REV, REV16, RBIT, REVSH, SEL and CLZ; the saturating and
 * 16-bit-lane forms, the PC as a register and the UNDEFINED encodings go to the executor. */
function register(e: Emitter, instr: number): boolean {
  const op1 = (instr >>> 20) & 0xf;
  const op2 = (instr >>> 4) & 0xf;
  const n = (instr >>> 16) & 0xf;
  const d = (instr >>> 8) & 0xf;
  const m = instr & 0xf;
  if ((instr & 0xf000) !== 0xf000 || d === 15 || m === 15) return false;
  if (op1 < 8) {
    if (op2 === 0) {
      if (n === 15) return false;
      const type = op1 >>> 1;
      if (op1 & 1) {
        // LSLS/LSRS/ASRS/RORS.W: the alu's own Shift_C, flags with its carry.
        e.emit(
          `{ const res = h.shiftRegC(r[${n}], ${type}, r[${m}] & 0xff, cpu.c); r[${d}] = res; ${NZ} cpu.c = h.alu.carry; }`,
        );
        return true;
      }
      // Without flags: amounts of 32 and more give 0 (LSL, LSR) or the sign (ASR); ROR by its low 5 bits.
      const value = [
        "s < 32 ? x << s : 0",
        "s < 32 ? (x >>> s) | 0 : 0",
        "x >> (s < 32 ? s : 31)",
        "(x >>> (s & 31)) | (x << (32 - (s & 31)))",
      ][type];
      e.emit(`{ const x = r[${n}], s = r[${m}] & 0xff; r[${d}] = ${value}; }`);
      return true;
    }
    // SXTAH/UXTAH/SXTAB/UXTAB, SXTH... when Rn = PC; hw2[6] set is UNDEFINED; the 16-bit-lane ones
    // (op1 2, 3) go to the executor.
    if ((op2 & 0xc) !== 8 || (op1 !== 0 && op1 !== 1 && op1 !== 4 && op1 !== 5)) return false;
    const rot = (instr >>> 1) & 0x18;
    const rotated = rot === 0 ? `r[${m}]` : `((r[${m}] >>> ${rot}) | (r[${m}] << ${32 - rot}))`;
    const extended = [
      `((${rotated} << 16) >> 16)`,
      `(${rotated} & 0xffff)`,
      "",
      "",
      `((${rotated} << 24) >> 24)`,
      `(${rotated} & 0xff)`,
    ][op1];
    e.emit(n === 15 ? `r[${d}] = ${extended};` : `r[${d}] = (r[${n}] + ${extended}) | 0;`);
    return true;
  }
  if (n === 15) return false;
  if (op2 < 8) {
    // Parallel add/subtract: the prefix from hw2[6:4], the operation from hw1[6:4]; the S and U
    // prefixes set GE.
    const prefix = ((op2 & 4) | ((op2 & 3) + 1)) & 7;
    const op = pasOpFromT32(op1);
    if (op < 0 || (op2 & 3) === 3) return false;
    const ge = prefix === PAS_S || prefix === PAS_U ? " cpu.ge = h.media.ge;" : "";
    e.emit(`{ r[${d}] = h.parallelAddSub(${prefix}, ${op}, r[${n}], r[${m}]);${ge} }`);
    return true;
  }
  if (op1 >= 12 || op2 >= 12) return false;
  // A6.3.15 by op1[1:0]:op2[1:0]; QADD and its kind (they set Q) go to the executor.
  const misc = ((op1 & 3) << 2) | (op2 & 3);
  switch (misc) {
    case 0x4:
    case 0x5:
    case 0x6:
    case 0x7:
      e.emit(`r[${d}] = h.${["rev", "rev16", "rbit", "revsh"][misc - 4]}(r[${m}]);`);
      return true;
    case 0x8:
      e.emit(`r[${d}] = h.sel(r[${n}], r[${m}], cpu.ge);`);
      return true;
    case 0xc:
      e.emit(`r[${d}] = Math.clz32(r[${m}]);`);
      return true;
    default:
      return false;
  }
}

/** LDR/STR (word, byte, halfword, signed) .W: imm12, imm8 with P/U/W, register LSL #0-3 and the
 * literal loads; PLD, PLDW, PLI and the other byte and halfword loads to the PC are hints, which
 * make no access here (nothing at all). The unprivileged forms, LDR PC and the UNDEFINED encodings
 * go to the executor. */
function loadStore32(e: Emitter, instr: number): boolean {
  const hw1 = instr >>> 16;
  const size = (hw1 >>> 5) & 3;
  const load = (hw1 & 0x10) !== 0;
  const signed = (hw1 & 0x100) !== 0;
  const n = hw1 & 0xf;
  const t = (instr >>> 12) & 0xf;
  if (size === 3 || (signed && (!load || size === 2)) || (t === 15 && (!load || size === 2))) return false;
  let addr: string;
  // The value written back to Rn after the access, in terms of the address `a`.
  let wb: string | null = null;
  if (n === 15) {
    // Literal: Align(PC, 4) ± imm12 is a constant; stores with Rn = PC are UNDEFINED.
    if (!load) return false;
    const base = (e.pc + 4) & ~3;
    const imm = instr & 0xfff;
    addr = String(hw1 & 0x80 ? (base + imm) | 0 : (base - imm) | 0);
  } else if (hw1 & 0x80) {
    addr = `(r[${n}] + ${instr & 0xfff}) | 0`;
  } else if (instr & 0x800) {
    const imm8 = instr & 0xff;
    switch ((instr >>> 8) & 7) {
      case 4:
        addr = `(r[${n}] - ${imm8}) | 0`;
        break;
      case 5:
        addr = `(r[${n}] - ${imm8}) | 0`;
        wb = "a";
        break;
      case 7:
        addr = `(r[${n}] + ${imm8}) | 0`;
        wb = "a";
        break;
      case 1:
        addr = `r[${n}]`;
        wb = `(a - ${imm8}) | 0`;
        break;
      case 3:
        addr = `r[${n}]`;
        wb = `(a + ${imm8}) | 0`;
        break;
      default:
        // P=1 U=1 W=0 is LDRT/STRT (unprivileged); P=0 W=0 is UNDEFINED.
        return false;
    }
  } else if ((instr & 0xfc0) === 0) {
    addr = `(r[${n}] + (${e.reg(instr & 0xf)} << ${(instr >>> 4) & 3})) | 0`;
  } else {
    return false;
  }
  // A hint: no access, no writeback (the addressing form above was a valid one).
  if (t === 15) return true;
  const bits = size === 2 ? 32 : size === 1 ? 16 : 8;
  const write = wb === null ? "" : `r[${n}] = ${wb};`;
  if (load) {
    const value = (v: string) => (!signed ? v : size === 0 ? `(${v} << 24) >> 24` : `(${v} << 16) >> 16`);
    // The base is written back before Rt: with Rn = Rt the loaded value wins, as in the executor.
    e.load(bits, addr, (v) => `${write} r[${t}] = ${value(v)};`);
  } else {
    e.store(bits, addr, e.reg(t), write);
  }
  return true;
}

/** The data-processing opcode `op` (A6.3.1/A6.3.11 numbering) on `x` = Rn and the operand `b`,
 * with `carry` the shifter's carry out (null: C unchanged). Null for the forms left to the
 * executor: UNDEFINED opcodes and a PC destination other than the compare forms. */
function dataProcessing32(e: Emitter, instr: number, op: number, carry: string | null): string | null {
  const n = (instr >>> 16) & 0xf;
  const d = (instr >>> 8) & 0xf;
  const s = (instr & 0x100000) !== 0;
  const x = e.reg(n);
  let value: string;
  switch (op) {
    case 0x0:
      value = `${x} & b`;
      break;
    case 0x1:
      value = `${x} & ~b`;
      break;
    case 0x2:
      value = n === 15 ? "b" : `${x} | b`;
      break;
    case 0x3:
      value = n === 15 ? "~b" : `${x} | ~b`;
      break;
    case 0x4:
      value = `${x} ^ b`;
      break;
    case 0x8:
    case 0xa:
    case 0xb:
    case 0xd:
    case 0xe: {
      // ADD, ADC, SBC, SUB, RSB as AddWithCarry; with S and Rd = PC (CMN, CMP...) no register.
      if (d === 15 && !s) return null;
      const xs = op === 0xe ? `~${x}` : x;
      const ys = op === 0xb || op === 0xd ? "~b" : "b";
      const cin = op === 0x8 ? "0" : op === 0xa || op === 0xb ? "cpu.c" : "1";
      const store = d === 15 ? "" : ` r[${d}] = res;`;
      return `const x = ${xs}, y = ${ys}, res = (x + y + ${cin}) | 0;${store}${s ? ` ${NZCV}` : ""}`;
    }
    default:
      return null;
  }
  // TST/TEQ write no register; any other PC destination is a branch for the executor.
  const noWrite = s && d === 15 && (op === 0 || op === 4);
  if (d === 15 && !noWrite) return null;
  const flags = s ? ` ${NZ}${carry === null ? "" : ` cpu.c = ${carry};`}` : "";
  return `const res = ${value};${noWrite ? "" : ` r[${d}] = res;`}${flags}`;
}

/** Data processing with a modified immediate: ThumbExpandImm at generation time; the carry is
 * bit 31 of the value only when it came from a rotation, else C is kept. */
function modifiedImmediate(e: Emitter, instr: number): boolean {
  const imm12 = ((instr >>> 15) & 0x800) | ((instr >>> 4) & 0x700) | (instr & 0xff);
  const value = thumbExpandImmC(imm12, 0);
  const carry = imm12 >>> 10 === 0 ? null : String(value >>> 31);
  const body = dataProcessing32(e, instr, (instr >>> 21) & 0xf, carry);
  if (body === null) return false;
  e.emit(`{ const b = ${value | 0}; ${body} }`);
  return true;
}

/** Data processing with a register shifted by an immediate (Shift_C spelled out per type). */
function shiftedRegister(e: Emitter, instr: number): boolean {
  const op = (instr >>> 21) & 0xf;
  // hw2[15] set is UNDEFINED and op 6 is PKHBT/PKHTB: the executor.
  if (instr & 0x8000 || op === 6) return false;
  const imm5 = ((instr >>> 10) & 0x1c) | ((instr >>> 6) & 3);
  const type = (instr >>> 4) & 3;
  let value: string;
  let carry: string | null;
  switch (type) {
    case 0:
      value = imm5 === 0 ? "m" : `m << ${imm5}`;
      carry = imm5 === 0 ? null : `(m >>> ${32 - imm5}) & 1`;
      break;
    case 1:
      // LSR #0 and ASR #0 are shifts by 32.
      value = imm5 === 0 ? "0" : `(m >>> ${imm5}) | 0`;
      carry = imm5 === 0 ? "m >>> 31" : `(m >>> ${imm5 - 1}) & 1`;
      break;
    case 2:
      value = `m >> ${imm5 === 0 ? 31 : imm5}`;
      carry = imm5 === 0 ? "m >>> 31" : `(m >>> ${imm5 - 1}) & 1`;
      break;
    default:
      // ROR #0 is RRX, reading C before any flag is written.
      value = imm5 === 0 ? "(cpu.c << 31) | (m >>> 1)" : `(m >>> ${imm5}) | (m << ${32 - imm5})`;
      carry = imm5 === 0 ? "m & 1" : `(m >>> ${imm5 - 1}) & 1`;
      break;
  }
  const body = dataProcessing32(e, instr, op, carry);
  if (body === null) return false;
  e.emit(`{ const m = ${e.reg(instr & 0xf)}, b = ${value}; ${body} }`);
  return true;
}

/** ADDW/SUBW (ADR.W when Rn = PC, a constant), MOVW, MOVT, UBFX, SBFX, BFI and BFC; the
 * saturating forms, a PC destination and the UNDEFINED or UNPREDICTABLE fields go to the executor. */
function plainImmediate(e: Emitter, instr: number): boolean {
  const n = (instr >>> 16) & 0xf;
  const d = (instr >>> 8) & 0xf;
  const imm12 = ((instr >>> 15) & 0x800) | ((instr >>> 4) & 0x700) | (instr & 0xff);
  if (d === 15) return false;
  const op = (instr >>> 20) & 0x1f;
  if (op >= 0x10) return bitField(e, instr, op, n, d);
  const base = n === 15 ? String((e.pc + 4) & ~3) : `r[${n}]`;
  switch (op) {
    case 0x00:
      e.emit(`r[${d}] = (${base} + ${imm12}) | 0;`);
      return true;
    case 0x0a:
      e.emit(`r[${d}] = (${base} - ${imm12}) | 0;`);
      return true;
    case 0x04:
      e.emit(`r[${d}] = ${(n << 12) | imm12};`);
      return true;
    case 0x0c:
      e.emit(`r[${d}] = ${(n << 28) | (imm12 << 16) | 0} | (r[${d}] & 0xffff);`);
      return true;
    default:
      return false;
  }
}

/** UBFX, SBFX, BFI and BFC (op = hw1[8:4] from 0x10), the field's mask a constant; the saturating
 * forms, Rn = PC (but for BFC), a field past bit 31 and the (0) bits set go to the executor. */
function bitField(e: Emitter, instr: number, op: number, n: number, d: number): boolean {
  const lsb = ((instr >>> 10) & 0x1c) | ((instr >>> 6) & 3);
  if (instr & 0x04000020) return false;
  switch (op) {
    case 0x14:
    case 0x1c: {
      const width = (instr & 0x1f) + 1;
      if (lsb + width > 32 || n === 15) return false;
      if (op === 0x14) e.emit(`r[${d}] = (r[${n}] << ${32 - lsb - width}) >> ${32 - width};`);
      else e.emit(width === 32 ? `r[${d}] = r[${n}];` : `r[${d}] = (r[${n}] >>> ${lsb}) & ${(1 << width) - 1};`);
      return true;
    }
    case 0x16: {
      const msb = instr & 0x1f;
      if (msb < lsb) return false;
      const width = msb - lsb + 1;
      const mask = ((width === 32 ? -1 : (1 << width) - 1) << lsb) | 0;
      const field = n === 15 ? "" : ` | ((r[${n}] << ${lsb}) & ${mask})`;
      e.emit(`r[${d}] = (r[${d}] & ${~mask})${field};`);
      return true;
    }
    default:
      return false;
  }
}

/** B<c>.W (T3, the block goes on when not taken), B.W, BL and BLX to ARM state (T4, they end it),
 * and the hints and barriers that change nothing but ordering; the rest of the miscellaneous
 * control space goes to the executor. */
function branch32(e: Emitter, instr: number): boolean {
  const hw1 = instr >>> 16;
  switch ((instr >>> 12) & 5) {
    case 1:
    case 5: {
      const target = (e.pc + 4 + branchOffset24(instr)) & ~1;
      if (instr & 0x4000) e.emit(`r[14] = ${e.next | 1};`);
      e.emit(e.branch(target));
      return true;
    }
    case 4: {
      // BLX to ARM state: from Align(PC, 4); H (hw2[0]) = 1 is UNDEFINED.
      if (instr & 1) return false;
      const target = (((e.pc + 4) & ~3) + branchOffset24(instr)) & ~3;
      e.emit(`r[14] = ${e.next | 1}; cpu.bxWritePc(${target}); ${e.leave(target)}`);
      return true;
    }
    case 0: {
      const cond = (hw1 >>> 6) & 0xf;
      if (cond >= 14) return control(e, instr);
      // Inside an IT block B<c>.W is UNPREDICTABLE: the executor does what the interpreter does.
      if (e.it !== 0) return false;
      let offset = ((hw1 & 0x3f) << 12) | ((instr & 0x7ff) << 1) | ((instr & 0x2000) << 5) | ((instr & 0x800) << 8);
      if (hw1 & 0x400) offset |= 0xfff00000;
      e.emit(`if (${CONDITIONS[cond]}) { ${e.branch((e.pc + 4 + offset) & ~1)} }`);
      return true;
    }
    default:
      return false;
  }
}

/** The control space with hw1 = F3AF (hints, CPS) and F3BF (CLREX, DSB, DMB, ISB): the hints that
 * do nothing (all but WFE, WFI and SEV), DMB (the core's fence, which reads and writes no register)
 * and ISB (nothing is prefetched here) are spelled out; the rest goes to the executor. */
function control(e: Emitter, instr: number): boolean {
  const hw1 = instr >>> 16;
  if (hw1 === 0xf3af && (instr & 0x2f00) === 0) {
    const hint = instr & 0xff;
    return hint < 2 || hint > 4;
  }
  if (hw1 !== 0xf3bf || (instr & 0xff00) !== 0x8f00) return false;
  switch ((instr >>> 4) & 0xf) {
    case 5:
      e.emit("cpu.barrier(false);");
      return true;
    case 6:
      return true;
    default:
      return false;
  }
}

/** One 32-bit instruction: the frequent forms spelled out, the rest an executeT32 call. */
export function instruction32(e: Emitter, instr: number): void {
  const hw1 = instr >>> 16;
  let done = false;
  switch ((hw1 >>> 9) & 0xf) {
    case 0x4:
      done = hw1 & 0x40 ? dual(e, instr) : multiple(e, instr);
      break;
    case 0x5:
      done = shiftedRegister(e, instr);
      break;
    case 0x8:
    case 0xa:
      done = instr & 0x8000 ? branch32(e, instr) : modifiedImmediate(e, instr);
      break;
    case 0x9:
    case 0xb:
      done = instr & 0x8000 ? branch32(e, instr) : plainImmediate(e, instr);
      break;
    case 0xc:
      done = loadStore32(e, instr);
      break;
    case 0xd:
      done = hw1 & 0x100 ? multiply(e, instr) : register(e, instr);
      break;
    default:
      break;
  }
  if (!done) e.call("executeT32", instr);
}

// Translation of A32 blocks to JavaScript: a block is the straight run of instructions from an
// entry address to the first unconditional branch or PC write (at most MAX_BLOCK, never past its
// 4 KiB page). The generated function does what the interpreter would, with the decoding done
// once: operands become constants or `r[n]`, the PC is a constant, and only what can change the
// flow (a taken branch, an exception, an MMIO access that needs the hypervisor) leaves early.
//
// Every instruction the generator does not spell out is a call to the interpreter's executor for
// it, with the core set up as the run loop would (curPc, nextPc, r[15], sliceCount); the block goes
// on only if the executor left the PC where it was going and asked for no attention. So a block is
// exactly as correct as the interpreter, and the spelled-out forms are the frequent ones (the same
// forms as the run loop's fast paths in a32.ts).

import type { BlockFn } from "./code-cache.js";
import { CONDITIONS, Emitter, assemble, assembleRegion, exit } from "./jit-emitter.js";

/** Most instructions in one block. */
export const MAX_BLOCK = 48;

/** Whether the block must end after `instr` (it branches, writes the PC, or changes state that the
 * following words depend on). Conditional B/BL does not end it: execution may fall through. */
function endsBlock(instr: number): boolean {
  const cond = instr >>> 28;
  if (cond === 15) return true;
  switch ((instr >>> 25) & 7) {
    case 0:
    case 1:
    case 2:
    case 3:
      // Rd / Rt = PC in data-processing and loads (also BX, MSR and the hints, whose [15:12] are 1s).
      return ((instr >>> 12) & 15) === 15;
    case 4:
      // LDM with the PC, or the user-register / exception-return forms.
      return (instr & 0x00108000) === 0x00108000 || (instr & 0x00400000) !== 0;
    case 5:
      return cond === 14;
    default:
      // SVC.
      return (instr & 0x0f000000) === 0x0f000000;
  }
}

/** Whether `instr` always goes elsewhere (B, BL, BX, LDM with the PC, all unconditional): the
 * next word is then no successor of the block (a region does not take it for that). */
function alwaysBranches(instr: number): boolean {
  if (instr >>> 28 !== 14) return false;
  return ((instr >>> 25) & 7) === 5 || (instr & 0x0ffffff0) === 0x012fff10 || (instr & 0x0e108000) === 0x08108000;
}

/** Number of instructions in the block whose first word is mem32[word] (scan stops at the page end). */
export function scanA32(mem32: Int32Array, word: number): number {
  const end = Math.min((word & ~1023) + 1024, word + MAX_BLOCK);
  let w = word;
  while (w < end) {
    if (endsBlock(mem32[w++])) break;
  }
  return w - word;
}

/** Rm shifted by an immediate (DecodeImmShift), without the carry. */
function shifted(e: Emitter, instr: number): string {
  const rm = e.reg(instr & 15);
  const imm5 = (instr >>> 7) & 31;
  switch ((instr >>> 5) & 3) {
    case 0:
      return imm5 === 0 ? rm : `(${rm} << ${imm5})`;
    case 1:
      return imm5 === 0 ? "0" : `(${rm} >>> ${imm5})`;
    case 2:
      return `(${rm} >> ${imm5 === 0 ? 31 : imm5})`;
    default:
      return imm5 === 0 ? `((cpu.c << 31) | (${rm} >>> 1))` : `((${rm} >>> ${imm5}) | (${rm} << ${32 - imm5}))`;
  }
}

/** The shifter's carry out for Rm shifted by an immediate; null when it is C itself (LSL #0). */
function shiftedCarry(e: Emitter, instr: number): string | null {
  const rm = e.reg(instr & 15);
  const imm5 = (instr >>> 7) & 31;
  switch ((instr >>> 5) & 3) {
    case 0:
      return imm5 === 0 ? null : `((${rm} >>> ${32 - imm5}) & 1)`;
    case 1:
    case 2:
      return imm5 === 0 ? `(${rm} >>> 31)` : `((${rm} >>> ${imm5 - 1}) & 1)`;
    default:
      return imm5 === 0 ? `(${rm} & 1)` : `((${rm} >>> ${imm5 - 1}) & 1)`;
  }
}

const ARITH_S: Record<number, [string, string, string]> = {
  // op: [x, y, carry in] of AddWithCarry, with a and b the operands.
  2: ["a", "~b", "1"],
  3: ["b", "~a", "1"],
  4: ["a", "b", "0"],
  5: ["a", "b", "cpu.c"],
  6: ["a", "~b", "cpu.c"],
  7: ["b", "~a", "cpu.c"],
  10: ["a", "~b", "1"],
  11: ["a", "b", "0"],
};

/** The result of a logical operation (AND, EOR, TST, TEQ, ORR, MOV, BIC, MVN) of a and b. */
function logical(op: number, a: string, b: string): string {
  switch (op) {
    case 0:
    case 8:
      return `${a} & ${b}`;
    case 1:
    case 9:
      return `${a} ^ ${b}`;
    case 12:
      return `${a} | ${b}`;
    case 13:
      return b;
    case 14:
      return `${a} & ~${b}`;
    default:
      return `~${b}`;
  }
}

/** Data-processing with an immediate or an immediate-shifted register, Rd not the PC. */
function dataProcessing(e: Emitter, instr: number): void {
  const d = (instr >>> 12) & 15;
  const op = (instr >>> 21) & 15;
  const s = (instr >>> 20) & 1;
  let b: string;
  let carry: string | null;
  if (instr & 0x02000000) {
    const imm8 = instr & 0xff;
    const rot = (instr >>> 7) & 0x1e;
    const value = rot === 0 ? imm8 : (imm8 >>> rot) | (imm8 << (32 - rot)) | 0;
    b = String(value);
    carry = rot === 0 ? null : String(value >>> 31);
  } else {
    b = shifted(e, instr);
    carry = shiftedCarry(e, instr);
  }
  const a = e.reg((instr >>> 16) & 15);
  if (s === 0) {
    let v: string;
    switch (op) {
      case 2:
        v = `(${a} - ${b}) | 0`;
        break;
      case 3:
        v = `(${b} - ${a}) | 0`;
        break;
      case 4:
        v = `(${a} + ${b}) | 0`;
        break;
      case 5:
        v = `(${a} + ${b} + cpu.c) | 0`;
        break;
      case 6:
        v = `(${a} - ${b} - 1 + cpu.c) | 0`;
        break;
      case 7:
        v = `(${b} - ${a} - 1 + cpu.c) | 0`;
        break;
      default:
        v = logical(op, a, b);
        break;
    }
    e.emit(`r[${d}] = ${v};`);
    return;
  }
  const writes = op < 8 || op > 11;
  const parts = [`const a = ${a}, b = ${b};`];
  if ((0xf303 >>> op) & 1) {
    if (carry !== null) parts.push(`const sc = ${carry};`);
    parts.push(`const res = ${logical(op, "a", "b")};`);
    if (carry !== null) parts.push("cpu.c = sc;");
  } else {
    const [x, y, cin] = ARITH_S[op];
    parts.push(`const x = ${x}, y = ${y}, res = (x + y + ${cin}) | 0;`);
    parts.push("cpu.c = ((x & y) | ((x | y) & ~res)) >>> 31; cpu.v = ((x ^ res) & (y ^ res)) >>> 31;");
  }
  parts.push("cpu.n = res >>> 31; cpu.z = res === 0 ? 1 : 0;");
  if (writes) parts.push(`r[${d}] = res;`);
  e.emit(`{ ${parts.join(" ")} }`);
}

/** LDR/STR/LDRB/STRB, but for the unprivileged forms and PC writeback or PC loads. */
function loadStore(e: Emitter, instr: number): void {
  const n = (instr >>> 16) & 15;
  const t = (instr >>> 12) & 15;
  const indexing = instr & 0x01200000;
  const load = (instr & 0x00100000) !== 0;
  const byte = (instr & 0x00400000) !== 0;
  if (indexing === 0x00200000 || (n === 15 && indexing !== 0x01000000) || (load && t === 15)) {
    e.call("loadStoreWordByte", instr);
    return;
  }
  const offset = instr & 0x02000000 ? shifted(e, instr) : String(instr & 0xfff);
  const sign = instr & 0x00800000 ? "+" : "-";
  const prelude = `const base = ${e.reg(n)}, ea = (base ${sign} ${offset}) | 0; `;
  const addr = instr & 0x01000000 ? "ea" : "base";
  // The base is written back before Rt: with Rn = Rt the loaded value wins, as in the executor.
  const writeback = indexing !== 0x01000000 ? `r[${n}] = ea;` : "";
  const bits = byte ? 8 : 32;
  if (load) e.load(bits, addr, (v) => `${writeback} r[${t}] = ${v};`, prelude);
  else e.store(bits, addr, e.reg(t), writeback, prelude);
}

/** LDRH/STRH/LDRSB/LDRSH with an offset and no writeback; extraLoadStore does the rest. */
function extraLoadStore(e: Emitter, instr: number): void {
  const t = (instr >>> 12) & 15;
  if (
    (instr & 0x01200000) !== 0x01000000 ||
    t === 15 ||
    (instr & 0x00100040) === 0x40 ||
    ((instr & 0x00400000) === 0 && (instr & 0xf00) !== 0)
  ) {
    e.call("extraLoadStore", instr);
    return;
  }
  const offset = instr & 0x00400000 ? String(((instr >>> 4) & 0xf0) | (instr & 0xf)) : e.reg(instr & 15);
  const sign = instr & 0x00800000 ? "+" : "-";
  const addr = `(${e.reg((instr >>> 16) & 15)} ${sign} ${offset}) | 0`;
  if ((instr & 0x00100000) === 0) e.store(16, addr, e.reg(t));
  else if ((instr & 0x60) === 0x20) e.load(16, addr, (v) => `r[${t}] = ${v} & 0xffff;`);
  else if ((instr & 0x60) === 0x40) e.load(8, addr, (v) => `r[${t}] = (${v} << 24) >> 24;`);
  else e.load(16, addr, (v) => `r[${t}] = (${v} << 16) >> 16;`);
}

/**
 * LDM/STM without the user-register forms: when the whole transfer is in one page that the TLB
 * holds, the words move directly (nothing can abort then), as blockTransfer's own fast path does;
 * otherwise, and for what is left, blockTransfer itself.
 */
function blockTransfer(e: Emitter, instr: number): void {
  const list = instr & 0xffff;
  const n = (instr >>> 16) & 15;
  const wback = (instr & 0x00200000) !== 0;
  const load = (instr & 0x00100000) !== 0;
  if (list === 0 || n === 15 || (instr & 0x00400000) !== 0) {
    e.call("blockTransfer", instr);
    return;
  }
  const regs: number[] = [];
  for (let k = 0; k < 16; k++) if (list & (1 << k)) regs.push(k);
  const bytes = 4 * regs.length;
  const up = (instr & 0x00800000) !== 0;
  const pre = (instr & 0x01000000) !== 0;
  const first = up ? (pre ? 4 : 0) : pre ? -bytes : 4 - bytes;
  const parts = [
    `const base = r[${n}], addr = (base + ${first}) | 0;`,
    `const o = (addr & 0xfff) <= ${4096 - bytes} ? mmu.${load ? "readRun" : "writeRun"}(addr) : -1;`,
    "if (o >= 0) { const m = mmu.stage2.mem32, w = o >> 2;",
  ];
  const newBase = `(base ${up ? "+" : "-"} ${bytes}) | 0`;
  if (!load) {
    regs.forEach((reg, k) => parts.push(`m[w + ${k}] = ${e.reg(reg)};`));
    if (wback) parts.push(`r[${n}] = ${newBase};`);
  } else {
    if (wback) parts.push(`r[${n}] = ${newBase};`);
    regs.forEach((reg, k) => {
      if (reg !== 15) parts.push(`r[${reg}] = m[w + ${k}];`);
    });
    if (list & 0x8000) {
      parts.push(`cpu.loadWritePc(m[w + ${regs.length - 1}]); ${e.leave("cpu.nextPc")}`);
    }
  }
  parts.push(`} else ${e.step()}`);
  e.emit(`{ ${parts.join(" ")} }`);
}

/** The media space: SXTB/SXTH/UXTB/UXTH and their accumulating forms, SDIV and UDIV here, the rest
 * by the executor. */
function media(e: Emitter, instr: number): void {
  const d = (instr >>> 12) & 15;
  const m = instr & 15;
  const n = (instr >>> 16) & 15;
  const op = (instr >>> 20) & 7;
  if ((instr & 0x0fd0f0f0) === 0x0710f010 && n !== 15) {
    // SDIV / UDIV Rd, Rn, Rm: Rd is [19:16], Rm [11:8], Rn [3:0].
    const fn = instr & 0x00200000 ? "udiv" : "sdiv";
    e.emit(`r[${n}] = h.${fn}(${e.reg(m)}, ${e.reg((instr >>> 8) & 15)});`);
    return;
  }
  if ((instr & 0x0f8003f0) === 0x06800070 && (op === 2 || op === 3 || op === 6 || op === 7) && d !== 15 && m !== 15) {
    const rot = (instr >>> 7) & 0x18;
    const rotated = rot === 0 ? `r[${m}]` : `((r[${m}] >>> ${rot}) | (r[${m}] << ${32 - rot}))`;
    const extended = [
      "",
      "",
      `((${rotated} << 24) >> 24)`,
      `((${rotated} << 16) >> 16)`,
      "",
      "",
      `(${rotated} & 0xff)`,
      `(${rotated} & 0xffff)`,
    ][op];
    e.emit(n === 15 ? `r[${d}] = ${extended};` : `r[${d}] = (r[${n}] + ${extended}) | 0;`);
    return;
  }
  e.call("executeA32", instr);
}

/** One instruction whose condition has passed. */
function instruction(e: Emitter, instr: number): void {
  switch ((instr >>> 25) & 7) {
    case 0:
    case 1: {
      if ((instr & 0x01900000) === 0x01000000) {
        // The miscellaneous space (compares without S): MOVW/MOVT and CLZ here, the rest by the executor.
        const d = (instr >>> 12) & 15;
        const imm16 = ((instr >>> 4) & 0xf000) | (instr & 0xfff);
        if ((instr & 0x0fff0ff0) === 0x016f0f10 && d !== 15 && (instr & 15) !== 15)
          e.emit(`r[${d}] = Math.clz32(r[${instr & 15}]);`);
        else if ((instr & 0x0ff00000) === 0x03000000 && d !== 15) e.emit(`r[${d}] = ${imm16};`);
        else if ((instr & 0x0ff00000) === 0x03400000 && d !== 15)
          e.emit(`r[${d}] = (r[${d}] & 0xffff) | ${imm16 << 16};`);
        else if ((instr & 0x0fffffd0) === 0x012fff10 && (instr & 15) !== 15) {
          // BX / BLX Rm (a return, a call through a pointer); a switch to Thumb state asks the
          // run loop to change loops (BXWritePC).
          const link = instr & 0x20 ? ` r[14] = ${e.next};` : "";
          e.emit(
            `{ const t = r[${instr & 15}];${link} if ((t & 1) === 0) { ${e.leave("t & ~3")} } cpu.bxWritePc(t); ${e.leave("cpu.nextPc")} }`,
          );
        } else e.call("executeA32", instr);
        return;
      }
      if ((instr & 0x02000090) === 0x90) {
        if (instr & 0x60) {
          extraLoadStore(e, instr);
          return;
        }
        // MUL and MLA without S and without the PC; the other multiplies by the executor.
        const d = (instr >>> 16) & 15;
        const a = (instr >>> 12) & 15;
        const m = (instr >>> 8) & 15;
        const n = instr & 15;
        const noPc = d !== 15 && a !== 15 && m !== 15 && n !== 15;
        if ((instr & 0x0ff000f0) === 0x00000090 && noPc) e.emit(`r[${d}] = Math.imul(r[${n}], r[${m}]);`);
        else if ((instr & 0x0ff000f0) === 0x00200090 && noPc)
          e.emit(`r[${d}] = (Math.imul(r[${n}], r[${m}]) + r[${a}]) | 0;`);
        else if ((instr & 0x0f9000f0) === 0x00800090 && noPc) {
          // UMULL, UMLAL, SMULL, SMLAL without S: RdLo is [15:12], RdHi [19:16].
          const fn = ["umull64", "umlal64", "smull64", "smlal64"][(instr >>> 21) & 3];
          const acc = instr & 0x00200000 ? `, r[${a}], r[${d}]` : "";
          e.emit(`{ const lo = h.${fn}(r[${n}], r[${m}]${acc}); r[${a}] = lo; r[${d}] = h.mul.hi; }`);
        } else e.call("executeA32", instr);
        return;
      }
      if ((instr & 0xf000) === 0xf000 || (instr & 0x02000010) === 0x10) e.call("dataProcessing", instr);
      else dataProcessing(e, instr);
      return;
    }
    case 2:
      loadStore(e, instr);
      return;
    case 3:
      if (instr & 0x10) media(e, instr);
      else loadStore(e, instr);
      return;
    case 4:
      blockTransfer(e, instr);
      return;
    case 5: {
      // B / BL.
      if (instr & 0x01000000) e.emit(`r[14] = ${(e.pc + 4) | 0};`);
      const target = (e.pc + 8 + ((instr << 8) >> 6)) & ~3;
      e.emit(e.branch(target));
      return;
    }
    default:
      e.call("executeA32", instr);
      return;
  }
}

/** The code of the `length` instructions from mem32[word], at address `pc`, into `e`. */
function emitBlock(e: Emitter, mem32: Int32Array, word: number, pc: number, length: number): void {
  for (let k = 0; k < length; k++) {
    const instr = mem32[word + k];
    e.k = k;
    e.pc = (pc + 4 * k) | 0;
    const cond = instr >>> 28;
    if (cond === 15) {
      e.call("executeA32", instr);
      continue;
    }
    if (cond !== 14) e.emit(`if (${CONDITIONS[cond]}) {`);
    instruction(e, instr);
    if (cond !== 14) e.emit("}");
  }
  const last = (pc + 4 * (length - 1)) | 0;
  const lastInstr = mem32[word + length - 1];
  e.emit(e.end((last + 4) | 0, exit((last + 4) | 0, last, length), !alwaysBranches(lastInstr)));
}

/** The source of the function for the `length` instructions from mem32[word], at address `pc`. */
export function generateA32(mem32: Int32Array, word: number, pc: number, length: number): string {
  const out: string[] = [];
  const e = new Emitter(out, pc, length, 8);
  emitBlock(e, mem32, word, pc, length);
  return assemble(out, e.loops, 8);
}

/** Where the block at `pc` (mem32[word], `length` instructions) branches to or runs on to. */
export function targetsA32(mem32: Int32Array, word: number, pc: number, length: number): number[] {
  const e = new Emitter([], pc, length, 8);
  emitBlock(e, mem32, word, pc, length);
  return e.targets;
}

/** The source of one function for the blocks of a region (jit-region.ts), all in the 4 KiB page
 * whose first word is mem32[pageWord]: entered at any of them (at cpu.nextPc), it goes from block
 * to block inside the function and leaves only for an address outside the region. */
export function generateRegionA32(mem32: Int32Array, pageWord: number, region: ReadonlyMap<number, number>): string {
  return assembleRegion(region, 8, (e, pc, length) => emitBlock(e, mem32, pageWord + ((pc & 0xfff) >>> 2), pc, length));
}

/** Compiles the block (new Function: the one place the core makes code). */
export function compileA32(mem32: Int32Array, word: number, pc: number, length: number): BlockFn {
  return new Function("cpu", "r", "mmu", "done", "h", "budget", generateA32(mem32, word, pc, length)) as BlockFn;
}

/** Compiles a region's blocks into one function. */
export function compileRegionA32(mem32: Int32Array, pageWord: number, region: ReadonlyMap<number, number>): BlockFn {
  return new Function("cpu", "r", "mmu", "done", "h", "budget", generateRegionA32(mem32, pageWord, region)) as BlockFn;
}

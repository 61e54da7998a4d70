// Translated Thumb blocks (jit-t16.ts, runT32Blocks) against the interpreter: random sequences of
// the 16-bit forms the generator spells out, of forms it hands to executeT16, of 32-bit
// instructions (executeT32 calls) and of IT blocks (translated as conditional code), run once with blocks
// compiled at their first visit and once by the interpreter alone, from identical cores.
// Registers, CPSR (ITSTATE too), PC, memory, the instruction count and every trapped MMIO access
// must agree. Then the cases a random sequence rarely builds.

import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCpu, loadHalfwords, type Harness } from "../../helpers/cpu-harness.js";
import { generateT16, scanT16, MAX_BLOCK } from "../../../src/cpu/jit-t16.js";
import { Rng } from "../../helpers/rng.js";
import { assertSameCore } from "../../helpers/same-core.js";

const CODE = 0x8000;
const hex = (n: number): string => (n & 0xffff).toString(16).padStart(4, "0");

/** A low register. */
const lo = (rng: Rng): number => rng.below(8);

/** One planned instruction: fixed halfwords, or a branch patched once positions are known. */
type Item = { hw: number[] } | { branch: "cond" | "cbz" | "condw" | "bw" | "bl"; bits: number };

/** One random instruction of the classes a block holds (and a few that end it or start IT). */
function randomItem(rng: Rng): Item {
  switch (rng.below(30)) {
    case 0:
    case 1:
      // LSL/LSR/ASR #imm5.
      return { hw: [(rng.below(3) << 11) | rng.below(0x800)] };
    case 2:
      // ADDS/SUBS register or #imm3.
      return { hw: [0x1800 | rng.below(0x800)] };
    case 3:
    case 4:
      // MOVS/CMP/ADDS/SUBS #imm8.
      return { hw: [0x2000 | rng.below(0x2000)] };
    case 5:
    case 6:
      // AND..MVN.
      return { hw: [0x4000 | rng.below(0x400)] };
    case 7: {
      // ADD/CMP/MOV with high registers; rarely a PC destination or BX/BLX (they end the block).
      const op = rng.below(16) === 0 ? 3 : rng.below(3);
      let dn = rng.below(15);
      if (op !== 1 && rng.below(10) === 0) dn = 15;
      const m = rng.below(8) === 0 ? 15 : rng.below(15);
      const low = op === 3 ? 0 : dn & 7;
      return { hw: [0x4400 | (op << 8) | ((dn & 8) << 4) | (m << 3) | low] };
    }
    case 8:
      // LDR Rt, [PC, #imm8*4].
      return { hw: [0x4800 | rng.below(0x800)] };
    case 9:
    case 10:
      // Register offsets.
      return { hw: [0x5000 | rng.below(0x1000)] };
    case 11:
    case 12:
      // Immediate offsets: word, byte, halfword.
      return { hw: [0x6000 + rng.below(0x3000)] };
    case 13:
      // SP-relative, ADR, ADD Rd, SP.
      return { hw: [0x9000 + rng.below(0x2000)] };
    case 14: {
      // ADD/SUB SP, extends, REV, PUSH, POP (rarely with the PC), LDM/STM.
      const pick = rng.below(8);
      if (pick === 0) return { hw: [0xb000 | rng.below(0x100)] };
      if (pick === 1) return { hw: [0xb200 | rng.below(0x100)] };
      if (pick === 2) return { hw: [0xba00 | rng.below(0x100)] };
      if (pick === 3) return { hw: [0xb400 | rng.below(0x200)] };
      if (pick === 4) return { hw: [0xbc00 | (rng.below(12) === 0 ? 0x100 : 0) | rng.below(0x100)] };
      return { hw: [0xc000 | rng.below(0x1000)] };
    }
    case 15:
    case 16:
      return { branch: "cond", bits: rng.below(14) };
    case 17:
      return { branch: "cbz", bits: rng.below(16) };
    case 18: {
      // 32-bit: data processing with a modified immediate, LDR.W/STR.W imm12, MOVW.
      const pick = rng.below(4);
      if (pick === 0) {
        const hw1 = 0xf000 | (rng.below(2) << 10) | (rng.below(16) << 5) | (rng.below(2) << 4) | rng.below(16);
        return { hw: [hw1, (rng.below(8) << 12) | (rng.below(13) << 8) | rng.below(0x100)] };
      }
      if (pick === 1) return { hw: [0xf8c0 | (rng.below(2) << 4) | lo(rng), (lo(rng) << 12) | rng.below(0x100)] };
      if (pick === 2) return { hw: [0xf240 | rng.below(16), (rng.below(8) << 12) | (lo(rng) << 8) | rng.below(0x100)] };
      // Any 32-bit encoding at all (UNDEFINED ones, coprocessor, branches...).
      return { hw: [0xe800 + rng.below(0x1800), rng.below(0x10000)] };
    }
    case 19: {
      // IT with one to four instructions after it (their conditions come from ITSTATE).
      const firstcond = rng.below(14);
      const mask = 1 + rng.below(15);
      return { hw: [0xbf00 | (firstcond << 4) | mask] };
    }
    case 20:
      // Hints, and the exceptions: UDF, SVC, BKPT.
      return { hw: [[0xbf00, 0xbf10, 0xde00, 0xdf00, 0xbe00][rng.below(5)]] };
    case 22:
    case 23:
    case 24:
      return { hw: loadStoreW(rng) };
    case 25:
    case 26: {
      // Data processing, modified immediate: any opcode, S, Rd and Rn (PC and SP too).
      const hw1 = 0xf000 | (rng.below(2) << 10) | (rng.below(16) << 5) | (rng.below(2) << 4) | anyReg(rng);
      return { hw: [hw1, (rng.below(8) << 12) | (anyReg(rng) << 8) | edge8(rng)] };
    }
    case 27: {
      // Data processing, shifted register (hw2[15] rarely set: UNDEFINED).
      const hw1 = 0xea00 | (rng.below(16) << 5) | (rng.below(2) << 4) | anyReg(rng);
      const shift = rng.below(4) === 0 ? 0 : rng.below(32);
      const hw2 = (rng.below(16) === 0 ? 0x8000 : 0) | ((shift >>> 2) << 12) | ((shift & 3) << 6);
      return { hw: [hw1, hw2 | (anyReg(rng) << 8) | (rng.below(4) << 4) | anyReg(rng)] };
    }
    case 28: {
      // ADDW, SUBW (ADR.W with Rn = PC), MOVW, MOVT.
      const op = [0x00, 0x0a, 0x04, 0x0c][rng.below(4)];
      const hw1 = 0xf200 | (rng.below(2) << 10) | (op << 4) | anyReg(rng);
      return { hw: [hw1, (rng.below(8) << 12) | (anyReg(rng) << 8) | edge8(rng)] };
    }
    case 29: {
      const pick = rng.below(6);
      return { branch: pick < 4 ? "condw" : pick === 4 ? "bw" : "bl", bits: rng.below(16) };
    }
    default:
      // MUL, and CMP r, r (a flag setter ahead of conditional branches).
      return { hw: [rng.below(2) === 0 ? 0x4340 | rng.below(0x40) : 0x4280 | rng.below(0x40)] };
  }
}

/** A register, PC and SP included. */
const anyReg = (rng: Rng): number => (rng.below(4) === 0 ? [13, 15, 14, 12][rng.below(4)] : lo(rng));

/** An 8-bit field, often at its edges. */
const edge8 = (rng: Rng): number => (rng.below(4) === 0 ? [0, 0xff, 0x80, 0x7f][rng.below(4)] : rng.below(0x100));

/** LDR/STR/LDRB/STRB/LDRH/STRH/LDRSB/LDRSH.W: imm12, imm8 (every P/U/W), register, literal. */
function loadStoreW(rng: Rng): number[] {
  // S:size:L, mostly the defined ones; Rn mostly a low register (they point into RAM).
  const op = rng.below(8) === 0 ? rng.below(16) : [0, 1, 2, 3, 4, 5, 9, 11][rng.below(8)];
  const n = rng.below(10) === 0 ? 15 : rng.below(10) === 0 ? 13 : lo(rng);
  const t = rng.below(16) === 0 ? 15 : rng.below(8) === 0 ? n : rng.below(8) === 0 ? 13 : lo(rng);
  const hw1 = 0xf800 | ((op & 8) << 5) | ((op & 7) << 4) | n;
  switch (rng.below(3)) {
    case 0:
      return [hw1 | 0x80, (t << 12) | (rng.below(4) === 0 ? [0, 0xfff, 1][rng.below(3)] : rng.below(0x1000))];
    case 1:
      return [hw1, (t << 12) | 0x800 | (rng.below(8) << 8) | edge8(rng)];
    default: {
      // Register offset; hw2[11:6] rarely non-zero (UNDEFINED).
      const m = rng.below(8) === 0 ? anyReg(rng) : lo(rng);
      const bad = rng.below(16) === 0 ? 1 << (6 + rng.below(6)) : 0;
      return [hw1, (t << 12) | bad | (rng.below(4) << 4) | m];
    }
  }
}

/** B<c>.W (T3) with condition `bits`, B.W or BL (T4), `h` halfwords past PC + 4. */
function wideBranch(kind: "condw" | "bw" | "bl", bits: number, h: number): number[] {
  const imm11 = h & 0x7ff;
  if (kind === "condw") {
    const s = (h >>> 19) & 1;
    const hw1 = 0xf000 | (s << 10) | (bits << 6) | ((h >>> 11) & 0x3f);
    return [hw1, 0x8000 | (((h >>> 17) & 1) << 13) | (((h >>> 18) & 1) << 11) | imm11];
  }
  const s = (h >>> 23) & 1;
  const j1 = ((h >>> 22) & 1) ^ 1 ^ s;
  const j2 = ((h >>> 21) & 1) ^ 1 ^ s;
  const hw1 = 0xf000 | (s << 10) | ((h >>> 11) & 0x3ff);
  return [hw1, (kind === "bl" ? 0xd000 : 0x9000) | (j1 << 13) | (j2 << 11) | imm11];
}

/** The halfwords of `count` random instructions; branches go back to the start, forward in the
 * sequence, just past it, or far ahead. */
function randomCode(rng: Rng, count: number): number[] {
  const items: Item[] = [];
  for (let i = 0; i < count; i++) items.push(randomItem(rng));
  return layOut(rng, items);
}

/** The halfwords of `items`, with their branches' targets chosen now that positions are known. */
function layOut(rng: Rng, items: Item[]): number[] {
  const count = items.length;
  const starts: number[] = [];
  let at = 0;
  for (const item of items) {
    starts.push(at);
    at += "hw" in item ? item.hw.length : item.branch === "cond" || item.branch === "cbz" ? 1 : 2;
  }
  const total = at;
  const out: number[] = [];
  items.forEach((item, k) => {
    if ("hw" in item) {
      out.push(...item.hw);
      return;
    }
    const here = starts[k];
    if (item.branch === "cond") {
      const pick = rng.below(4);
      const target =
        pick === 0 ? 0 : pick === 1 ? here + 30 + rng.below(90) : (starts[k + 1 + rng.below(count - k)] ?? total);
      const imm8 = Math.max(-128, Math.min(127, target - here - 2));
      out.push(0xd000 | (item.bits << 8) | (imm8 & 0xff));
    } else if (item.branch !== "cbz") {
      // B<c>.W (conditions 14 and 15 are the control space), B.W, BL: back, within, past, or
      // far ahead (a page or more; negative too for B.W).
      const pick = rng.below(5);
      const h =
        pick === 0
          ? -here - 2
          : pick === 1
            ? rng.below(0x4000) - 0x2000
            : (starts[k + 1 + rng.below(count - k)] ?? total) - here - 2;
      out.push(...wideBranch(item.branch, item.bits, h));
    } else {
      // CBZ/CBNZ: forward only, 0..63 halfwords past pc + 4.
      const target = rng.below(3) === 0 ? here + 2 + rng.below(64) : (starts[k + 1 + rng.below(count - k)] ?? total);
      const off = Math.max(0, Math.min(63, target - here - 2));
      out.push(0xb100 | ((item.bits & 1) << 11) | ((off & 0x20) << 4) | ((off & 0x1f) << 3) | (item.bits >>> 1));
    }
  });
  return out;
}

/** A core in Thumb state with seeded RAM, registers mostly pointing into RAM, random flags. */
function core(seed: number, code: number[], jit: boolean): Harness {
  const rng = new Rng(seed);
  const h = makeCpu([], CODE, true);
  const words = h.stage2.mem32;
  for (let k = 0; k < words.length; k++) words[k] = rng.next() | 0;
  loadHalfwords(h.stage2, CODE, code);
  const cpu = h.cpu;
  for (let k = 0; k < 15; k++) {
    const pick = rng.below(6);
    cpu.r[k] =
      pick < 3
        ? 0x10000 + (rng.below(0x60000) & ~3)
        : pick === 3
          ? rng.below(32)
          : pick === 4
            ? 0x10000 + rng.below(0x60000)
            : rng.next() | 0;
  }
  cpu.r[13] = 0x40000 + (rng.below(0x10000) & ~3);
  cpu.setNzcv(rng.below(16) << 28);
  cpu.jit = jit;
  cpu.mmu.code.hotThreshold = 1;
  return h;
}

function sameState(a: Harness, b: Harness, what: string): void {
  assertSameCore(a, b, what, { instructions: true, traps: true, it: true });
}

test("random Thumb blocks: compiled code and the interpreter end in the same state", () => {
  const rng = new Rng(0x7b0b1e55);
  let compiled = 0;
  let loops = 0;
  for (let k = 0; k < 1500; k++) {
    const count = 1 + rng.below(20);
    const code = randomCode(rng, count);
    // Mostly b . (the state the block left stays to be compared), sometimes b somewhere ahead.
    code.push(rng.below(4) === 0 ? 0xe000 | rng.below(0x400) : 0xe7fe);
    const seed = rng.next();
    const budget = rng.below(3) === 0 ? 1 + rng.below(code.length + 1) : 200;
    const jit = core(seed, code, true);
    const interp = core(seed, code, false);
    jit.cpu.run(budget);
    interp.cpu.run(budget);
    compiled += jit.cpu.mmu.code.compiled;
    const mem = Uint16Array.from(code);
    const scan = scanT16(mem, 0);
    if (scan.length > 0 && generateT16(mem, 0, CODE, scan.length).includes("continue;")) loops++;
    sameState(jit, interp, `block ${k} [${code.map(hex).join(" ")}] budget ${budget}`);
    // Once more from where each stopped: a second slice enters blocks compiled by the first.
    jit.cpu.run(100);
    interp.cpu.run(100);
    sameState(jit, interp, `block ${k} [${code.map(hex).join(" ")}] second slice`);
  }
  assert.ok(compiled > 1500, `blocks were compiled (${compiled})`);
  assert.ok(loops > 30, `blocks looping on themselves were among them (${loops})`);
});

/** Random code made of IT blocks (any condition and mask, AL included) and the instructions they
 * hold, with plain instructions between them; rarely an IT inside an IT block (UNPREDICTABLE). */
function randomItCode(rng: Rng, groups: number): number[] {
  const items: Item[] = [];
  for (let g = 0; g < groups; g++) {
    if (rng.below(4) === 0) {
      items.push(randomItem(rng));
      continue;
    }
    const firstcond = rng.below(8) === 0 ? 14 : rng.below(14);
    const mask = 1 + rng.below(15);
    items.push({ hw: [0xbf00 | (firstcond << 4) | mask] });
    // The instructions the mask covers: 4 - (trailing zeros of mask).
    const inside = 4 - Math.log2(mask & -mask);
    for (let k = 0; k < inside; k++) {
      let item = randomItem(rng);
      while ("hw" in item && item.hw.length === 1 && (item.hw[0] & 0xff00) === 0xbf00 && rng.below(8) !== 0) {
        item = randomItem(rng);
      }
      items.push(item);
    }
  }
  return layOut(rng, items);
}

test("random IT blocks: compiled code and the interpreter end in the same state, aborts and budgets too", () => {
  const rng = new Rng(0x17b10c5);
  let compiled = 0;
  for (let k = 0; k < 1500; k++) {
    const code = randomItCode(rng, 1 + rng.below(6));
    code.push(rng.below(4) === 0 ? 0xe000 | rng.below(0x400) : 0xe7fe);
    const seed = rng.next();
    // No hypervisor in a third of the runs: an access outside RAM is then an external abort.
    const abort = rng.below(3) === 0;
    const jit = core(seed, code, true);
    const interp = core(seed, code, false);
    if (abort) jit.cpu.traps = interp.cpu.traps = null;
    compiled += jit.cpu.mmu.code.compiled;
    const what = `IT code ${k} [${code.map(hex).join(" ")}]${abort ? " aborting" : ""}`;
    // Slices of random length, so budgets end inside IT blocks and blocks are entered again.
    for (let slice = 0; slice < 4; slice++) {
      const budget = 1 + rng.below(code.length + 4);
      jit.cpu.run(budget);
      interp.cpu.run(budget);
      sameState(jit, interp, `${what} slice ${slice} budget ${budget}`);
    }
    compiled += jit.cpu.mmu.code.compiled;
  }
  assert.ok(compiled > 1500, `blocks were compiled (${compiled})`);
});

/** One 16-bit instruction that only computes on registers and flags: the forms whose flag writes
 * the generator drops when a later one overwrites them (MOVS Rd, Rm being LSL #0, which keeps C). */
function pureItem(rng: Rng): number {
  switch (rng.below(8)) {
    case 0:
      return (lo(rng) << 3) | lo(rng); // movs rd, rm (LSL #0: C kept)
    case 1:
      return rng.below(0x1800); // LSL/LSR/ASR #imm5
    case 2:
      return 0x1800 | rng.below(0x800); // ADDS/SUBS register, #imm3
    case 3:
      return 0x2000 | rng.below(0x2000); // MOVS/CMP/ADDS/SUBS #imm8
    case 4:
      return 0x4000 | rng.below(0x400); // AND..MVN: ADC, SBC and shifts by a register read C
    case 5:
      return 0x4140 | rng.below(0x80); // ADC, SBC
    case 6: {
      // ADD/CMP/MOV with high registers (no PC destination).
      const op = rng.below(3);
      const dn = rng.below(15);
      return 0x4400 | (op << 8) | ((dn & 8) << 4) | (rng.below(15) << 3) | (dn & 7);
    }
    default:
      return [0xb000 | rng.below(0x100), 0xb200 | rng.below(0x100), 0xa000 | rng.below(0x800)][rng.below(3)];
  }
}

test("flag writes a later instruction overwrites are dropped, and only those", () => {
  const rng = new Rng(0xf1a95);
  for (let k = 0; k < 1500; k++) {
    const code: number[] = [];
    for (let n = 1 + rng.below(10); n > 0; n--) code.push(pureItem(rng));
    // Flags seen by a conditional branch, by a load that may fault, or at the block's end.
    const tail = rng.below(3);
    if (tail === 0) code.push(0xd000 | (rng.below(14) << 8) | 0x02);
    else if (tail === 1) code.push(0x6800 | rng.below(0x800));
    code.push(0xe7fe);
    const seed = rng.next();
    const jit = core(seed, code, true);
    const interp = core(seed, code, false);
    jit.cpu.run(code.length + 2);
    interp.cpu.run(code.length + 2);
    sameState(jit, interp, `pure code ${k} [${code.map(hex).join(" ")}]`);
  }
});

test("the Thumb scan ends at branches and PC writes, before a nested IT, at the page end and MAX_BLOCK", () => {
  const mem = new Uint16Array(4096);
  mem.set([0x2001, 0xd110, 0xe7fe], 0); // movs r0, #1; bne (goes on); b .
  assert.deepEqual(scanT16(mem, 0), { length: 3, halfwords: 3 });
  mem.set([0x2001, 0xbf08, 0x2002, 0xe7fe], 10); // movs; it eq; moveq; b .: IT blocks are in blocks
  assert.deepEqual(scanT16(mem, 10), { length: 4, halfwords: 4 });
  assert.equal(scanT16(mem, 11).length, 3, "a block may start with IT");
  mem.set([0xbf0c, 0x4770, 0x2001, 0xe7fe], 50); // ite eq; bxeq lr; movne r0, #1; b .
  assert.equal(scanT16(mem, 50).length, 4, "a branch inside an IT block (not its last) goes on");
  mem.set([0xbf04, 0x2001, 0x4770, 0x2002], 60); // itt eq; moveq; bxeq lr (last): ends
  assert.equal(scanT16(mem, 60).length, 3);
  mem.set([0xbf04, 0xbf08, 0x2002], 70); // itt eq; it eq (UNPREDICTABLE): ends before the inner IT
  assert.equal(scanT16(mem, 70).length, 1);
  mem.set([0x4770], 20); // bx lr
  assert.equal(scanT16(mem, 20).length, 1);
  mem.set([0xbd10, 0xbc10, 0x46f7, 0x4687, 0x4617], 30); // pop {r4, pc}; pop {r4}; mov pc, lr; mov pc, r0; mov r7, r2
  assert.equal(scanT16(mem, 30).length, 1);
  assert.equal(scanT16(mem, 31).length, 2, "pop without the PC goes on; mov pc, lr ends");
  mem.set([0xf000, 0xf800, 0xf8d0, 0x1000], 40); // bl: ends
  assert.deepEqual(scanT16(mem, 40), { length: 1, halfwords: 2 });
  assert.ok(scanT16(mem, 42).halfwords > 2, "ldr.w r1, [r0] goes on");
  mem.set([0x2001, 0xf8d0, 0x1000], 2046); // the 32-bit load's second halfword is on the next page
  assert.deepEqual(scanT16(mem, 2046), { length: 1, halfwords: 1 });
  assert.equal(scanT16(mem, 2047).length, 0);
  assert.equal(scanT16(mem, 100).length, MAX_BLOCK);
});

test("generated code: literal loads from Align(PC, 4), PC operands as constants", () => {
  // At 0x1002: ldr r0, [pc, #4] (Align(0x1006, 4) + 4 = 0x1008); adr r1, #8 at 0x1004
  // (Align(0x1008, 4) + 8 = 0x1010); add r2, pc at 0x1006 (r2 + 0x100a).
  const mem = new Uint16Array([0, 0x4801, 0xa102, 0x447a, 0xe7fe]);
  const src = generateT16(mem, 1, 0x1002, 4);
  assert.match(src, /const a = 4104,/);
  assert.match(src, /r1 = 4112;/);
  assert.match(src, /r2 = \(r2 \+ 4106\) \| 0;/);
  // And when run: ldr r0, [pc, #4] at CODE and ldr r1, [pc, #4] at CODE + 2 both read CODE + 8
  // (unaligned, the second would read 0x22221111); b .
  for (const jit of [true, false]) {
    const h = makeCpu([0x49014801, 0xbf00e7fe, 0x11111111, 0x22222222], CODE, true);
    h.cpu.jit = jit;
    h.cpu.mmu.code.hotThreshold = 1;
    h.cpu.run(3);
    assert.equal(h.cpu.r[0] >>> 0, 0x11111111, `jit ${jit}`);
    assert.equal(h.cpu.r[1] >>> 0, 0x11111111, `jit ${jit}`);
    assert.equal(h.cpu.nextPc, CODE + 4);
    // The first load misses the TLB: the block stops before it, the interpreter runs it, and the
    // block from the second load on is translated in turn.
    assert.equal(h.cpu.mmu.code.compiled, jit ? 2 : 0);
  }
});

test("generated code: the frequent 32-bit forms are spelled out, corners go to executeT32", () => {
  const spelled = [
    [0xf8d1, 0x0004], // ldr.w r0, [r1, #4]
    [0xf841, 0x0d04], // str r0, [r1, #-4]!
    [0xf811, 0x2b01], // ldrb r2, [r1], #1
    [0xf931, 0x2013], // ldrsh.w r2, [r1, r3, lsl #1]
    [0xf8df, 0x0008], // ldr.w r0, [pc, #8]
    [0xf110, 0x0f01], // cmn.w r0, #1
    [0xf46f, 0x4080], // mvn r0, #16384
    [0xea50, 0x01c2], // orrs.w r1, r0, r2, lsl #3
    [0xea4f, 0x0131], // mov.w r1, r1, rrx
    [0xf240, 0x1234], // movw r2, #0x134
    [0xf2c1, 0x2234], // movt r2, #0x1234
    [0xf20d, 0x4004], // addw r0, sp, #1028
    [0xf040, 0x8000], // bne.w (+0)
    [0xe8bd, 0x8ff0], // pop.w {r4-r11, pc}
    [0xe92d, 0x4ff0], // push.w {r4-r11, lr}
    [0xe9d0, 0x2300], // ldrd r2, r3, [r0]
    [0xe9c1, 0x2302], // strd r2, r3, [r1, #8]
    [0xe8f0, 0x2302], // ldrd r2, r3, [r0], #8
    [0xe96d, 0x4502], // strd r4, r5, [sp, #-8]!
    [0xfb00, 0xf001], // mul.w r0, r0, r1
    [0xfb00, 0x2001], // mla r0, r0, r1, r2
    [0xfb00, 0x2011], // mls r0, r0, r1, r2
    [0xfba0, 0x2301], // umull r2, r3, r0, r1
    [0xfbc0, 0x2301], // smlal r2, r3, r0, r1
    [0xfbb0, 0xf0f1], // udiv r0, r0, r1
    [0xfab0, 0xf080], // clz r0, r0
    [0xfa1f, 0xf081], // uxth.w r0, r1
    [0xfa52, 0xf091], // uxtab r0, r2, r1, ror #8
    [0xfa00, 0xf001], // lsl.w r0, r0, r1
    [0xfa50, 0xf001], // asrs.w r0, r0, r1
    [0xfa80, 0xf041], // uadd8 r0, r0, r1
    [0xfa90, 0xf041], // uadd16 r0, r0, r1
    [0xfaa0, 0xf081], // sel r0, r0, r1
    [0xfa91, 0xf0a1], // rbit r0, r1
    [0xfa91, 0xf081], // rev.w r0, r1
    [0xf3c0, 0x0004], // ubfx r0, r0, #0, #5
    [0xf342, 0x01c6], // sbfx r1, r2, #3, #7
    [0xf361, 0x100b], // bfi r0, r1, #4, #8
    [0xf36f, 0x0004], // bfc r0, #0, #5
    [0xf890, 0xf000], // pld [r0]
    [0xf810, 0xfc04], // pld [r0, #-4]
    [0xf3bf, 0x8f5b], // dmb ish
    [0xf3bf, 0x8f6f], // isb sy
    [0xf3af, 0x8000], // nop.w
    [0xf7ff, 0xeffe], // blx (to ARM state)
  ];
  // Spelled out: no executor at all, or one on a slow path only (LDM/STM, LDRD/STRD missing the
  // TLB), where the block keeps its registers in locals; an executor on the main path keeps none.
  const locals = /^let r\d+ = r\[/m;
  for (const hw of spelled) {
    const src = generateT16(Uint16Array.from(hw), 0, CODE, 1);
    assert.ok(!src.includes("executeT32") || locals.test(src), `${hw.map(hex).join(" ")}: ${src}`);
  }
  const called = [
    [0xf8d1, 0xf004], // ldr.w pc, [r1, #4]
    [0xf851, 0x0e04], // ldrt r0, [r1, #4]
    [0xf8cf, 0x0004], // str.w r0, [pc, #4]
    [0xf040, 0x0f01], // orr pc, r0, #1
    [0xeac0, 0x0001], // pkhbt r0, r0, r1
    [0xe890, 0x0001], // ldm.w r0, {r0}: one register
    [0xe8b0, 0x0003], // ldmia.w r0!, {r0, r1}: the base with writeback
    [0xe8bd, 0x2003], // ldmia.w sp!, {r0, r1, sp}
    [0xe8d0, 0xf001], // tbb [r0, r1]
    [0xe850, 0x1f00], // ldrex r1, [r0]
    [0xe9df, 0x2300], // ldrd r2, r3, [pc]
    [0xe8f0, 0x0302], // ldrd r0, r3, [r0], #8: writeback to a loaded register
    [0xfb10, 0xf001], // smulbb r0, r0, r1
    [0xfa81, 0xf080], // qadd r0, r0, r1
    [0xfa80, 0xf071], // parallel add/subtract with hw2[5:4] = 11: UNDEFINED
    [0xf3bf, 0x8f4f], // dsb sy
    [0xf3af, 0x8003], // wfi.w
    [0xf380, 0x8800], // msr CPSR_f, r0
    [0xf300, 0x0007], // ssat r0, #8, r0
    [0xf7ff, 0xeffd], // blx with H = 1: UNDEFINED
  ];
  for (const hw of called) {
    const src = generateT16(Uint16Array.from(hw), 0, CODE, 1);
    assert.ok(src.includes("executeT32") && !locals.test(src), `${hw.map(hex).join(" ")}: ${src}`);
  }
  // BL: LR = the next instruction | 1; the block ends there. B<c>.W does not end it.
  const bl = Uint16Array.from([0xf000, 0xf802, 0x2001]);
  assert.equal(scanT16(bl, 0).length, 1);
  assert.match(generateT16(bl, 0, CODE, 1), new RegExp(`r14 = ${CODE + 5};`));
  assert.equal(scanT16(Uint16Array.from([0xf040, 0x8000, 0x2001, 0xe7fe]), 0).length, 3);
});

test("CBZ/CBNZ in a compiled loop: same registers and count as the interpreter", () => {
  // loop: cbz r0, out; subs r0, #1; adds r1, #3; b loop; out: movs r2, #7; b .
  const code = [0xb110, 0x3801, 0x3103, 0xe7fb, 0x2207, 0xe7fe];
  const results = [true, false].map((jit) => {
    const h = makeCpu([], CODE, true);
    loadHalfwords(h.stage2, CODE, code);
    h.cpu.jit = jit;
    h.cpu.mmu.code.hotThreshold = 1;
    h.cpu.r[0] = 50;
    h.cpu.run(150);
    return {
      r: Array.from(h.cpu.r.subarray(0, 3)),
      n: h.cpu.instructions,
      pc: h.cpu.nextPc,
      compiled: h.cpu.mmu.code.compiled,
    };
  });
  assert.deepEqual(results[0].r, results[1].r);
  assert.equal(results[0].n, results[1].n);
  assert.equal(results[0].pc, results[1].pc);
  assert.ok(results[0].compiled >= 1);
  // And to the end: r0 counted down, out reached.
  const h = makeCpu([], CODE, true);
  loadHalfwords(h.stage2, CODE, code);
  h.cpu.mmu.code.hotThreshold = 1;
  h.cpu.r[0] = 50;
  h.cpu.run(500);
  assert.deepEqual(Array.from(h.cpu.r.subarray(0, 3)), [0, 150, 7]);
  assert.equal(h.cpu.nextPc, CODE + 10);
});

test("POP with the PC ends the block and interworks", () => {
  // push {r4, lr}; movs r4, #5; pop {r4, pc}; (never reached) movs r0, #9
  const code = [0xb510, 0x2405, 0xbd10, 0x2009];
  assert.equal(scanT16(Uint16Array.from(code), 0).length, 3);
  for (const jit of [true, false]) {
    const h = makeCpu([], CODE, true);
    loadHalfwords(h.stage2, CODE, code);
    loadHalfwords(h.stage2, 0x9000, [0x2107, 0xe7fe]); // movs r1, #7; b .
    h.cpu.jit = jit;
    h.cpu.mmu.code.hotThreshold = 1;
    h.cpu.r[13] = 0x20000;
    h.cpu.r[4] = 0x44;
    h.cpu.r[14] = 0x9001; // Thumb
    h.cpu.run(5);
    assert.equal(h.cpu.r[4], 0x44, `jit ${jit}`);
    assert.equal(h.cpu.r[1], 7);
    assert.equal(h.cpu.r[0], 0);
    assert.equal(h.cpu.r[13], 0x20000);
    assert.equal(h.cpu.t, 1);
    assert.equal(h.cpu.nextPc, 0x9002);
  }
});

test("a store into the running Thumb block: the new halfword runs", () => {
  // strh r1, [r2]; movs r0, #1 (overwritten with movs r0, #7); b .
  for (const jit of [true, false]) {
    const h = makeCpu([], CODE, true);
    loadHalfwords(h.stage2, CODE, [0x8011, 0x2001, 0xe7fe]);
    h.cpu.jit = jit;
    h.cpu.mmu.code.hotThreshold = 1;
    h.cpu.r[1] = 0x2007;
    h.cpu.r[2] = CODE + 2;
    h.cpu.run(3);
    assert.equal(h.cpu.r[0], 7, `jit ${jit}`);
  }
});

test("an IT block inside a translated loop, slices of every length: same states as the interpreter", () => {
  // loop: cmp r0, #3; ite eq; addeq r1, #1; addne r2, #1; subs r0, #1; bne loop; b .
  const code = [0x2803, 0xbf0c, 0x3101, 0x3201, 0x3801, 0xd1f9, 0xe7fe];
  const results = [true, false].map((jit) => {
    const h = makeCpu([], CODE, true);
    loadHalfwords(h.stage2, CODE, code);
    h.cpu.jit = jit;
    h.cpu.mmu.code.hotThreshold = 1;
    h.cpu.r[0] = 10;
    const states: string[] = [];
    for (let k = 0; k < 20; k++) {
      h.cpu.run(1 + (k % 5));
      states.push(`${h.cpu.r[0]} ${h.cpu.r[1]} ${h.cpu.r[2]} ${h.cpu.getCpsr()} ${h.cpu.nextPc} ${h.cpu.instructions}`);
    }
    return states;
  });
  assert.deepEqual(results[0], results[1]);
});

test("a kick before the slice: one Thumb instruction, whether a block is translated or not", () => {
  // A loop on itself (adds r0, #1; b .-2) and a straight block (movs r0, #1..#4; b .).
  const programs = [
    [0x3001, 0xe7fd],
    [0x2001, 0x2002, 0x2003, 0x2004, 0xe7fe],
  ];
  for (const code of programs) {
    const results = [true, false].map((jit) => {
      const h = makeCpu([], CODE, true);
      loadHalfwords(h.stage2, CODE, code);
      h.cpu.jit = jit;
      h.cpu.mmu.code.hotThreshold = 1;
      h.cpu.run(code.length * 2);
      h.cpu.nextPc = CODE;
      h.cpu.kick();
      h.cpu.run(1000);
      return [h.cpu.r[0], h.cpu.instructions, h.cpu.nextPc];
    });
    assert.deepEqual(results[0], results[1]);
    assert.equal(results[1][1], code.length * 2 + 1, "the kicked slice ran one instruction");
  }
});

test("returns and calls through registers (BX, BLX, POP with the PC), in IT blocks or not, to either state", () => {
  const rng = new Rng(0xb0b5);
  let translated = 0;
  for (let k = 0; k < 500; k++) {
    const code: number[] = [];
    for (let i = rng.below(4); i > 0; i--) code.push(pureItem(rng));
    const kind = rng.below(3);
    // Before a POP, mostly a load from the stack: the TLB then holds its page, which the POP's
    // direct way needs.
    if (kind === 2 && rng.below(4) !== 0) code.push(0x9800 | rng.below(4)); // ldr r0, [sp, #imm]
    // A single-instruction IT with a condition that may fail (the branch is its last instruction).
    if (rng.below(4) === 0) code.push(0xbf08 | (rng.below(15) << 4));
    const m = [14, lo(rng), 12, 9][rng.below(4)];
    code.push(kind === 0 ? 0x4700 | (m << 3) : kind === 1 ? 0x4780 | (m << 3) : 0xbd00 | rng.below(0x100));
    // The target: Thumb (bit 0 set) or ARM, any halfword; the stack sometimes at a page's end, so
    // that the popped words cross it (the executor's way).
    const target = (0x10000 + 2 * rng.below(0x8000)) | rng.below(2);
    const sp = rng.below(3) === 0 ? 0x41000 - 4 * rng.below(4) : 0x40000 + 4 * rng.below(0x100);
    const seed = rng.next();
    const budget = code.length + rng.below(3);
    const run = (jit: boolean): Harness => {
      const h = core(seed, code, jit);
      h.cpu.r[13] = sp;
      h.cpu.r[m] = target;
      const list = code[code.length - 1] & 0xff;
      let popped = 0;
      for (let b = 0; b < 8; b++) if (list & (1 << b)) popped++;
      if (kind === 2) h.stage2.mem32[(sp + 4 * popped) >>> 2] = target;
      h.cpu.run(budget);
      return h;
    };
    const jit = run(true);
    translated += jit.cpu.mmu.code.compiled;
    sameState(
      jit,
      run(false),
      `case ${k} [${code.map(hex).join(" ")}] r${m} / pc ${target.toString(16)} sp ${sp.toString(16)}`,
    );
  }
  assert.ok(translated > 400, `blocks were translated (${translated})`);
});

test("BX LR, BLX and POP {..., pc} are spelled out: a block that returns keeps its registers in locals", () => {
  for (const hw of [0x4770, 0x47c8, 0xbd10]) {
    const src = generateT16(Uint16Array.from([0x3001, hw]), 0, CODE, 2);
    assert.match(src, /^let r0 = r\[0\]/m, `${hex(hw)}: ${src}`);
    assert.match(src, /xNext = t & ~1;/, hex(hw));
    // A switch to ARM state too: BXWritePC, no executor.
    assert.match(src, /cpu\.bxWritePc\(t\);/, hex(hw));
    if (hw !== 0xbd10) assert.ok(!src.includes("executeT16"), `${hex(hw)}: ${src}`);
  }
});

/** A register for the 32-bit forms below: mostly low ones, sometimes SP, LR, R12 or the PC. */
const wideReg = (rng: Rng): number => (rng.below(6) === 0 ? [13, 14, 12, 15][rng.below(4)] : lo(rng));

/** One of the 32-bit forms jit-t32.ts spells out with their corners (the forms it leaves to the
 * executor among them): LDM/STM, LDRD/STRD, the multiplies and divides, the register data
 * processing class, bit fields, hints, barriers, preloads and BLX; or a MOVW/MOVT pair that points
 * a register just below a page's end, so that transfers cross it. */
function wideItem(rng: Rng): number[] {
  switch (rng.below(10)) {
    case 0: {
      // LDM/STM (IA, DB; RFE/SRS rarely), any W, base mostly SP or a low register.
      const op = rng.below(12) === 0 ? [0, 3][rng.below(2)] : 1 + rng.below(2);
      const n = rng.below(3) === 0 ? 13 : rng.below(12) === 0 ? 15 : lo(rng);
      let list = rng.below(3) === 0 ? rng.below(0x10000) : rng.below(0x100) | (rng.below(2) << 14);
      if (rng.below(3) === 0) list |= 0x8000;
      if (rng.below(4) !== 0) list &= ~0x2000;
      if (rng.below(3) !== 0) list &= ~(1 << n);
      return [0xe800 | (op << 7) | (rng.below(2) << 5) | (rng.below(2) << 4) | n, list];
    }
    case 1: {
      // LDRD/STRD: P, U, W, L; P = W = 0 (the exclusives) rarely; imm8 often near a page's end.
      let puw = rng.below(8);
      if ((puw & 5) === 0 && rng.below(4) !== 0) puw |= 4;
      const n = rng.below(4) === 0 ? 13 : rng.below(16) === 0 ? 15 : lo(rng);
      const imm8 = rng.below(3) === 0 ? [0, 0xff, 1, 0xfe][rng.below(4)] : rng.below(0x100);
      const hw1 = 0xe840 | ((puw & 4) << 6) | ((puw & 2) << 6) | ((puw & 1) << 5) | (rng.below(2) << 4) | n;
      // Rt = Rt2 sometimes (UNPREDICTABLE: the executor loads Rt2 last).
      const t = wideReg(rng);
      return [hw1, (t << 12) | ((rng.below(6) === 0 ? t : wideReg(rng)) << 8) | imm8];
    }
    case 2: {
      // Multiply (op1 0..7, op2 0..3) and long multiply and divide (op2 any).
      const long = rng.below(2);
      const op2 = long ? [0, 0, 0xf, rng.below(16)][rng.below(4)] : rng.below(3) === 0 ? rng.below(16) : rng.below(2);
      const op1 = rng.below(3) === 0 ? rng.below(8) : long ? [0, 1, 2, 3, 4, 6][rng.below(6)] : 0;
      const a = rng.below(3) === 0 ? 15 : wideReg(rng);
      const hw1 = 0xfb00 | (long << 7) | (op1 << 4) | wideReg(rng);
      return [hw1, (a << 12) | (wideReg(rng) << 8) | (op2 << 4) | wideReg(rng)];
    }
    case 3: {
      // Data processing (register): shifts, extends, parallel add/subtract, miscellaneous; hw2[15:12]
      // rarely not 1111 (UNDEFINED).
      const op1 = rng.below(16);
      const op2 = rng.below(2) === 0 ? [0, 8, 9, 10, 11][rng.below(5)] : rng.below(16);
      const top = rng.below(16) === 0 ? rng.below(16) : 0xf;
      const m = wideReg(rng);
      // CLZ and the reversals name Rm twice.
      const n = rng.below(2) === 0 ? m : rng.below(4) === 0 ? 15 : wideReg(rng);
      return [0xfa00 | (op1 << 4) | n, (top << 12) | (wideReg(rng) << 8) | (op2 << 4) | m];
    }
    case 4: {
      // SBFX, BFI/BFC, UBFX (and SSAT/USAT), lsb and width at their edges too; the (0) bits rarely.
      const op = [0x14, 0x16, 0x1c, 0x16, 0x10, 0x18][rng.below(6)];
      const lsb = rng.below(3) === 0 ? [0, 31, 16][rng.below(3)] : rng.below(32);
      const w = rng.below(3) === 0 ? [0, 31, 15][rng.below(3)] : rng.below(32);
      const zeros = rng.below(16) === 0 ? [0x20, 0x04000000][rng.below(2)] : 0;
      const n = rng.below(6) === 0 ? 15 : wideReg(rng);
      const instr = ((0xf200 | (op << 4) | n) << 16) | ((lsb >>> 2) << 12) | (wideReg(rng) << 8) | ((lsb & 3) << 6) | w;
      return [((instr | zeros) >>> 16) & 0xffff, (instr | zeros) & 0xffff];
    }
    case 5: {
      // Hints (NOP.W, YIELD.W, SEV.W, WFE/WFI rarely), barriers, CLREX.
      const pick = rng.below(4);
      if (pick === 0)
        return [0xf3af, 0x8000 | (rng.below(8) === 0 ? rng.below(0x100) : [0, 1, 2, 3, 4, 0xf0][rng.below(6)])];
      return [0xf3bf, 0x8f00 | ([0x2f, 0x4f, 0x5f, 0x5b, 0x6f, 0x3f][rng.below(6)] ?? 0)];
    }
    case 6: {
      // PLD/PLDW/PLI (imm12, imm8, register), LDRB/LDRH.W to the PC, and LDR.W PC (ends the block).
      const size = rng.below(3);
      const hw1 = 0xf810 | (rng.below(4) === 0 ? 0x100 : 0) | (size << 5) | (rng.below(2) << 7) | wideReg(rng);
      const form = [0xf000 | rng.below(0x1000), 0xfc00 | rng.below(0x100), 0xf000 | (rng.below(4) << 4) | lo(rng)];
      return [hw1, form[rng.below(3)]];
    }
    case 7: {
      // BLX to ARM state, H rarely set; near targets (RAM or this code, run as ARM).
      const h = rng.below(0x200) - 0x100;
      const s = h < 0 ? 1 : 0;
      const hw1 = 0xf000 | (s << 10) | ((h >>> 11) & 0x3ff);
      return [hw1, 0xc000 | ((s ^ 1) << 13) | ((s ^ 1) << 11) | (h & 0x7fe) | (rng.below(8) === 0 ? 1 : 0)];
    }
    default: {
      // movw/movt: a register a few words below a page's end, RAM's last page among them (what
      // follows it is no RAM).
      const d = rng.below(3) === 0 ? 13 : lo(rng);
      const end = rng.below(4) === 0 ? 0x100000 : 0x20000 + 0x1000 * rng.below(0x40);
      const value = end - 4 * rng.below(12) - (rng.below(8) === 0 ? 2 : 0);
      const movw = (v: number, top: number): number[] => [
        0xf240 | (top << 7) | (((v >>> 11) & 1) << 10) | ((v >>> 12) & 0xf),
        (((v >>> 8) & 7) << 12) | (d << 8) | (v & 0xff),
      ];
      return [...movw(value & 0xffff, 0), ...movw(value >>> 16, 1)];
    }
  }
}

test("random 32-bit forms (LDM/STM, LDRD/STRD, multiplies, register forms, bit fields, hints, BLX): compiled code and the interpreter agree", () => {
  const rng = new Rng(0x3217e5);
  let compiled = 0;
  for (let k = 0; k < 2000; k++) {
    const items: Item[] = [];
    for (let i = 1 + rng.below(12); i > 0; i--)
      items.push(rng.below(3) === 0 ? randomItem(rng) : { hw: wideItem(rng) });
    const code = layOut(rng, items);
    code.push(rng.below(4) === 0 ? 0xe000 | rng.below(0x400) : 0xe7fe);
    const seed = rng.next();
    const abort = rng.below(4) === 0;
    const jit = core(seed, code, true);
    const interp = core(seed, code, false);
    if (abort) jit.cpu.traps = interp.cpu.traps = null;
    // WFI and WFE trapped to the hypervisor in half the runs (they end the slice then).
    const trapWfx = rng.below(2) === 0;
    for (const h of [jit, interp]) h.cpu.hyp.twi = h.cpu.hyp.twe = trapWfx;
    const what = `code ${k} [${code.map(hex).join(" ")}]${abort ? " aborting" : ""}${trapWfx ? " WFx trapped" : ""}`;
    // The first slice compiles and fills the TLB; the later ones run the direct ways.
    for (let slice = 0; slice < 3; slice++) {
      const budget = slice === 0 || rng.below(2) === 0 ? 200 : 1 + rng.below(code.length + 2);
      if (slice > 0) jit.cpu.nextPc = interp.cpu.nextPc = CODE;
      jit.cpu.run(budget);
      interp.cpu.run(budget);
      sameState(jit, interp, `${what} slice ${slice} budget ${budget}`);
    }
    compiled += jit.cpu.mmu.code.compiled;
  }
  assert.ok(compiled > 2000, `blocks were compiled (${compiled})`);
});

test("LDM/STM, PUSH/POP and LDRD/STRD at RAM's last words: a transfer past its end takes the executor's way", () => {
  const forms = [
    [0xe9d0, 0x2300], // ldrd r2, r3, [r0]
    [0xe9c0, 0x2300], // strd r2, r3, [r0]
    [0xe8b0, 0x001e], // ldmia.w r0!, {r1-r4}
    [0xe8a0, 0x001e], // stmia.w r0!, {r1-r4}
    [0xe910, 0x001e], // ldmdb r0, {r1-r4}
    [0xbc1e], // pop {r1-r4}
    [0xb41e], // push {r1-r4}
  ];
  let cases = 0;
  for (const form of forms) {
    for (const below of [0, 4, 8, 12, 16, 20]) {
      for (const abort of [false, true]) {
        // ldr r5, [r0, #-4]... warms the TLB for the last page; then the form, then b .
        const base = 0x100000 - below + (form[0] === 0xe910 || form[0] === 0xb41e ? 16 : 0);
        const code = [0xf850, 0x5c04, 0xf8dd, 0x5000, ...form, 0xe7fe];
        const run = (jit: boolean): Harness => {
          const h = core(0x5eed + below, code, jit);
          if (abort) h.cpu.traps = null;
          h.cpu.r[0] = base;
          h.cpu.r[13] = base;
          h.cpu.run(3 + form.length);
          return h;
        };
        sameState(
          run(true),
          run(false),
          `${form.map(hex).join(" ")} at ${(base >>> 0).toString(16)}${abort ? " aborting" : ""}`,
        );
        cases++;
      }
    }
  }
  assert.equal(cases, 84);
});

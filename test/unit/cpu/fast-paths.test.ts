// The run loops execute the most frequent instruction forms themselves (a32.ts, run-t32.ts) and
// repeat, for those forms, the semantics of the executors (dataProcessing, loadStoreWordByte,
// extraLoadStore, the t16.ts functions). These tests hold the two to each other: every word is
// run once through Cpu.run (the loop, with its fast paths) and once through the complete decoder
// (executeA32 / executeT16) on an identical core, and the whole visible state must agree.
//
// The words are drawn at random (fixed seeds) from the encoding classes the fast paths cover, so
// that every field takes odd values too: PC operands, writeback, rotations, shifts by 0 (RRX, #32),
// conditions, S, IT blocks, UNPREDICTABLE encodings the executors turn into UNDEFINED. A few
// hand-picked words check the fast paths against the architecture directly.

import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCpu, RAM_SIZE, type Harness } from "../../helpers/cpu-harness.js";
import { executeA32 } from "../../../src/cpu/a32.js";
import { executeT16 } from "../../../src/cpu/t16.js";
import { Mode } from "../../../src/cpu/state.js";
import { GUEST_ABORT, type Cpu } from "../../../src/cpu/core.js";
import { Rng } from "../../helpers/rng.js";
import { assertSameCore } from "../../helpers/same-core.js";

const CODE = 0x8000;
const hex = (n: number): string => "0x" + (n >>> 0).toString(16).padStart(8, "0");

/** Registers mostly pointing into the middle of RAM (so loads and stores hit memory), some small,
 * some arbitrary (so that shifts and additions overflow), and random flags. */
function randomState(rng: Rng): { regs: number[]; nzcv: number } {
  const regs: number[] = [];
  for (let k = 0; k < 15; k++) {
    const pick = rng.below(4);
    if (pick < 2) regs.push(0x10000 + (rng.below(0x60000) & ~(pick === 0 ? 3 : 0)));
    else if (pick === 2) regs.push([0, 1, -1, 0x7fffffff, -0x80000000][rng.below(5)] + rng.below(2));
    else regs.push(rng.next() | 0);
  }
  return { regs, nzcv: rng.below(16) };
}

/** A core with random (seeded) RAM contents, `regs`, the flags, and the PC at CODE. */
function core(seed: number, regs: number[], nzcv: number, thumb: boolean): Harness {
  const h = makeCpu([], CODE, thumb);
  const fill = new Rng(seed);
  const words = h.stage2.mem32;
  for (let k = 0; k < words.length; k++) words[k] = fill.next() | 0;
  const cpu = h.cpu;
  for (let k = 0; k < 15; k++) cpu.r[k] = regs[k];
  cpu.setNzcv(nzcv << 28);
  return h;
}

/** Runs `step` the way Cpu.run would: an abort it raises is taken as the exception. */
function asRun(cpu: Cpu, step: () => void): void {
  try {
    step();
  } catch (e) {
    if (e !== GUEST_ABORT) throw e;
    if (cpu.abortIsPrefetch) cpu.prefetchAbort(cpu.abortFsr, cpu.abortFar);
    else cpu.dataAbort(cpu.abortFsr, cpu.abortFar);
    cpu.exceptionTaken = false;
  }
}

function sameState(a: Harness, b: Harness, what: string): void {
  assertSameCore(a, b, what);
}

/** One ARM word, through the loop and through executeA32 as the loop's reference. */
function checkA32(instr: number, seed: number, rng: Rng): void {
  const { regs, nzcv } = randomState(rng);
  const viaLoop = core(seed, regs, nzcv, false);
  const viaDecoder = core(seed, regs, nzcv, false);
  viaLoop.stage2.mem32[CODE >>> 2] = instr;
  viaDecoder.stage2.mem32[CODE >>> 2] = instr;
  viaLoop.cpu.run(1);
  // What the loop does around an instruction: the PC values, then the condition.
  const cpu = viaDecoder.cpu;
  cpu.curPc = CODE;
  cpu.nextPc = CODE + 4;
  cpu.r[15] = CODE + 8;
  const cond = instr >>> 28;
  if (cond >= 14 || cpu.conditionPassed(cond)) asRun(cpu, () => executeA32(cpu, instr));
  sameState(viaLoop, viaDecoder, hex(instr));
}

/** One 16-bit Thumb halfword (optionally inside an IT block), through the loop and executeT16. */
function checkT16(hw: number, it: number, seed: number, rng: Rng): void {
  const { regs, nzcv } = randomState(rng);
  const viaLoop = core(seed, regs, nzcv, true);
  const viaDecoder = core(seed, regs, nzcv, true);
  for (const h of [viaLoop, viaDecoder]) {
    h.stage2.mem16[CODE >>> 1] = hw;
    h.cpu.it = it;
  }
  viaLoop.cpu.run(1);
  const cpu = viaDecoder.cpu;
  cpu.curPc = CODE;
  cpu.nextPc = CODE + 2;
  cpu.r[15] = CODE + 4;
  cpu.exceptionTaken = false;
  if (it === 0 || cpu.conditionPassed(it >>> 4) || hw >>> 8 === 0xbe) {
    asRun(cpu, () => {
      executeT16(cpu, hw);
      if (it !== 0 && !cpu.exceptionTaken) cpu.itAdvance();
    });
  } else if (it !== 0) {
    cpu.itAdvance();
  }
  sameState(viaLoop, viaDecoder, `${hw.toString(16).padStart(4, "0")} (ITSTATE ${it.toString(16)})`);
}

/** A condition: AL most of the time, otherwise any (0b1111 included). */
function cond(rng: Rng): number {
  return rng.below(3) === 0 ? rng.below(16) : 14;
}

test("A32 data-processing: the loop's fast paths agree with dataProcessing", () => {
  const rng = new Rng(0x1234567);
  for (let k = 0; k < 3000; k++) {
    // cond 00 I opcode S Rn Rd operand2: every operand form, S or not, Rd = PC sometimes.
    let instr = (cond(rng) << 28) | (rng.below(2) << 25) | (rng.next() & 0x01ffffff);
    // Zero shift amounts and immediates (RRX, LSR #32, zero results) come up often enough.
    if (rng.below(4) === 0) instr &= ~0xf80;
    if (rng.below(8) === 0) instr &= ~0xff;
    checkA32(instr, k, rng);
  }
});

test("A32 LDR/STR/LDRB/STRB: the loop's fast path agrees with loadStoreWordByte", () => {
  const rng = new Rng(0x7654321);
  for (let k = 0; k < 3000; k++) {
    // cond 01 I P U B W L Rn Rt offset; a register offset has bit 4 clear (set is the media space).
    let instr = (cond(rng) << 28) | 0x04000000 | (rng.next() & 0x03ffffef);
    // Keep immediate offsets small enough to stay in RAM most of the time.
    if ((instr & 0x02000000) === 0) instr = (instr & ~0xfff) | (rng.below(4) === 0 ? 0 : rng.below(0x100));
    checkA32(instr, k, rng);
  }
});

test("A32 extra loads and stores: the loop's fast path agrees with extraLoadStore", () => {
  const rng = new Rng(0x2468ace);
  for (let k = 0; k < 3000; k++) {
    // cond 000 P U I W L Rn Rt imm4H/0000 1 op2 1 imm4L/Rm, op2 != 0; sometimes bits [11:8] set in
    // the register form (UNPREDICTABLE: UNDEFINED here).
    const op2 = 1 + rng.below(3);
    const instr = (cond(rng) << 28) | (rng.next() & 0x01ffff0f) | 0x90 | (op2 << 5);
    checkA32(instr, k, rng);
  }
});

test("A32 branches and conditions: the loop agrees with executeA32", () => {
  const rng = new Rng(0x13579bd);
  for (let k = 0; k < 1000; k++) {
    const instr = ((rng.below(16) << 28) | 0x0a000000 | (rng.next() & 0x01ffffff)) >>> 0;
    checkA32(instr, k, rng);
  }
});

test("Thumb 16-bit: the loop's fast paths agree with executeT16, in and out of IT blocks", () => {
  const rng = new Rng(0x0badcafe);
  // The ranges the loop handles itself, and their neighbours.
  const ranges = [
    [0x2000, 0x4000],
    [0x4400, 0x5000],
    [0x6000, 0xa000],
    [0xb000, 0xc000],
    [0xd000, 0xe800],
  ];
  for (let k = 0; k < 10000; k++) {
    const [lo, hi] = ranges[rng.below(ranges.length)];
    let hw = lo + rng.below(hi - lo);
    // Edge values of the immediate fields (zero results, sign bits) come up often enough.
    const edge = rng.below(8);
    if (edge === 0) hw &= ~0xff;
    else if (edge === 1) hw |= 0xff;
    // Outside an IT block half the time; otherwise a valid ITSTATE (firstcond:mask, mask != 0).
    const it = rng.below(2) === 0 ? 0 : (rng.below(15) << 4) | (1 + rng.below(15));
    checkT16(hw, it, k, rng);
  }
});

// A few words checked against the architecture, not against the other implementation.

test("the fast paths by hand: flags, writeback, RRX, a PC base, Thumb IT", () => {
  // subs r0, r1, #1 with r1 = 0: N = 1, Z = 0, C = 0 (borrow), V = 0             — e2510001
  let h = makeCpu([0xe2510001]);
  h.cpu.r[1] = 0;
  h.cpu.run(1);
  assert.equal(h.cpu.r[0], -1);
  assert.deepEqual([h.cpu.n, h.cpu.z, h.cpu.c, h.cpu.v], [1, 0, 0, 0]);

  // movs r0, #0x80000000 (imm8 0x02 ror 2): C = bit 31 of the rotated value   — e3b00102
  h = makeCpu([0xe3b00102]);
  h.cpu.run(1);
  assert.equal(h.cpu.r[0] >>> 0, 0x80000000);
  assert.deepEqual([h.cpu.n, h.cpu.z, h.cpu.c], [1, 0, 1]);

  // mov r0, r1, rrx with C = 1                                                  — e1a00061
  h = makeCpu([0xe1a00061]);
  h.cpu.r[1] = 2;
  h.cpu.setNzcv(0x20000000);
  h.cpu.run(1);
  assert.equal(h.cpu.r[0] >>> 0, 0x80000001);

  // ldr r0, [r1], #4 (post-indexed): loads from r1, then r1 += 4                 — e4910004
  h = makeCpu([0xe4910004]);
  h.stage2.mem32[0x100 >>> 2] = 0x11223344;
  h.cpu.r[1] = 0x100;
  h.cpu.run(1);
  assert.equal(h.cpu.r[0], 0x11223344);
  assert.equal(h.cpu.r[1], 0x104);

  // str r1, [r1, #-4]! (pre-indexed): stores the original base, then writes it back — e5211004
  h = makeCpu([0xe5211004]);
  h.cpu.r[1] = 0x104;
  h.cpu.run(1);
  assert.equal(h.stage2.mem32[0x100 >>> 2], 0x104);
  assert.equal(h.cpu.r[1], 0x100);

  // ldr r0, [pc, #-8]: the PC reads as this instruction + 8, so it loads itself          — e51f0008
  h = makeCpu([0xe51f0008]);
  h.cpu.run(1);
  assert.equal(h.cpu.r[0] >>> 0, 0xe51f0008);

  // ldrh r0, [r1, r2] with bits [11:8] set is UNPREDICTABLE: UNDEFINED here          — e19101b2
  h = makeCpu([0xe19101b2]);
  h.cpu.run(1);
  assert.equal(h.cpu.mode, Mode.UND);

  // Thumb: it eq; adds r0, #1 — inside the block ADDS does not set flags             — bf08 3001
  h = makeCpu([0x3001bf08], 0, true);
  h.cpu.setNzcv(0x40000000); // Z = 1: the condition passes
  h.cpu.run(2);
  assert.equal(h.cpu.r[0], 1);
  assert.equal(h.cpu.z, 1, "flags unchanged in an IT block");
  assert.equal(h.cpu.it, 0, "the block is over");
});

test("a32 fetch pointer: code written by a store runs as written, in the same page", () => {
  // str r1, [r2]; then the next word, which the store overwrote with mov r0, #7.
  // e5821000 str r1, [r2]   (r2 = address of the next word)
  // e3a00001 mov r0, #1     (overwritten before it runs)
  const h = makeCpu([0xe5821000, 0xe3a00001]);
  h.cpu.r[1] = 0xe3a00007; // mov r0, #7
  h.cpu.r[2] = 4;
  h.cpu.run(2);
  assert.equal(h.cpu.r[0], 7);
  assert.ok(RAM_SIZE > 8);
});

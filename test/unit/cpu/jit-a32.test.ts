// Translated blocks (jit-a32.ts, run-blocks.ts) against the interpreter: random sequences of the
// forms the generator spells out, of the forms it hands to executors, conditional branches and
// instructions that fault or reach the hypervisor, run once with blocks compiled at their first
// visit and once by the interpreter alone, from identical cores. Registers, flags, mode, PC,
// memory, the instruction count and every trapped MMIO access must agree. Then the cases a
// random sequence rarely builds: self-modifying code, budgets that end inside a block, aborts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCpu, loadWords, type Harness } from "../../helpers/cpu-harness.js";
import { Mode } from "../../../src/cpu/state.js";
import { ATTN_LINES, LINE_VIRQ } from "../../../src/cpu/core.js";
import { generateA32, generateRegionA32, scanA32, MAX_BLOCK } from "../../../src/cpu/jit-a32.js";
import { Rng } from "../../helpers/rng.js";
import { assertSameCore } from "../../helpers/same-core.js";

const CODE = 0x8000;
const hex = (n: number): string => "0x" + (n >>> 0).toString(16).padStart(8, "0");

function cond(rng: Rng): number {
  return rng.below(4) === 0 ? rng.below(15) : 14;
}

/** A register number, rarely the PC (or never, when `pc` is false). */
function reg(rng: Rng, pc = true): number {
  return pc && rng.below(12) === 0 ? 15 : rng.below(15);
}

/** One random instruction of the classes a block holds (none that always branches). */
function randomInstruction(rng: Rng, index: number, length: number): number {
  const c = cond(rng) << 28;
  switch (rng.below(12)) {
    case 0:
    case 1:
    case 2: {
      // Data-processing, immediate or register shifted by an immediate, S or not.
      let instr = c | (rng.below(2) << 25) | (rng.next() & 0x01ffffef);
      instr = (instr & ~0xf000) | (reg(rng, false) << 12);
      if (rng.below(4) === 0) instr &= ~0xf80;
      if ((instr & 0x01900000) === 0x01000000) instr |= 0x00100000; // a compare: with S
      return instr;
    }
    case 3: {
      // Data-processing, register shifted by a register (an executor call).
      const instr = c | (rng.next() & 0x01ff0f0f) | 0x10 | (rng.below(4) << 5) | (reg(rng, false) << 12);
      return (instr & 0x01900000) === 0x01000000 ? instr | 0x00100000 : instr;
    }
    case 4:
    case 5: {
      // LDR/STR/LDRB/STRB; loads never into the PC.
      let instr = c | 0x04000000 | (rng.next() & 0x03ffffef);
      if ((instr & 0x02000000) === 0) instr = (instr & ~0xfff) | rng.below(0x100);
      if (instr & 0x00100000) instr = (instr & ~0xf000) | (reg(rng, false) << 12);
      return instr;
    }
    case 6: {
      // Extra loads and stores.
      const op2 = 1 + rng.below(3);
      return (c | (rng.next() & 0x01ff0f0f) | 0x90 | (op2 << 5) | (reg(rng, false) << 12)) >>> 0;
    }
    case 7: {
      // MOVW / MOVT, MUL / MLA, UMULL.
      const d = reg(rng, false);
      switch (rng.below(4)) {
        case 0:
          return c | 0x03000000 | (rng.below(16) << 16) | (d << 12) | rng.below(0x1000);
        case 1:
          return c | 0x03400000 | (rng.below(16) << 16) | (d << 12) | rng.below(0x1000);
        case 2:
          return (
            c | (rng.below(2) << 21) | (d << 16) | (rng.below(15) << 12) | (rng.below(15) << 8) | 0x90 | rng.below(15)
          );
        default:
          // UMULL, UMLAL, SMULL, SMLAL, rarely with S.
          return (
            c |
            0x00800090 |
            (rng.below(4) << 21) |
            (rng.below(6) === 0 ? 0x00100000 : 0) |
            (d << 16) |
            (((d + 1) % 15) << 12) |
            (rng.below(15) << 8) |
            rng.below(15)
          );
      }
    }
    case 8: {
      // LDM/STM in all four addressing modes, with and without writeback, sometimes the user-register
      // forms or a loaded PC (which ends the block).
      const list = (rng.next() & (rng.below(8) === 0 ? 0xffff : 0x7fff)) | 1;
      return c | 0x08000000 | (rng.below(32) << 20) | (rng.below(13) << 16) | list;
    }
    case 9: {
      // A conditional branch: back to the block's start (a loop), forward within the block, just
      // past it, or far away.
      const pick = rng.below(4);
      const ahead = pick === 0 ? -index : pick === 1 ? 0x1000 + rng.below(0x100) : 1 + rng.below(length - index);
      return ((1 + rng.below(13)) << 28) | 0x0a000000 | (rng.below(2) << 24) | ((ahead - 2) & 0xffffff);
    }
    case 10:
      if (rng.below(4) === 0) {
        // SDIV/UDIV Rd, Rn, Rm (PC operands and destination too); divisors of 0 among them, and
        // rarely a non-1111 [15:12] (UNDEFINED).
        const ra = rng.below(8) === 0 ? rng.below(15) : 15;
        return c | 0x07100010 | (rng.below(2) << 21) | (reg(rng) << 16) | (ra << 12) | (reg(rng) << 8) | reg(rng);
      }
      if (rng.below(2) === 0) {
        // SXTB/SXTH/UXTB/UXTH, with an accumulator or not (Rn = PC), any rotation.
        const op = [2, 3, 6, 7][rng.below(4)];
        const n = rng.below(3) === 0 ? 15 : rng.below(15);
        return c | 0x06800070 | (op << 20) | (n << 16) | (reg(rng, false) << 12) | (rng.below(4) << 10) | rng.below(15);
      }
      // CLZ, UXTB, REV, MRS, SXTB16.
      return [0xe16f0f11, 0xe6ef0071, 0xe6bf0f31, 0xe10f0000, 0xe68f0071][rng.below(5)] | (reg(rng, false) << 12);
    default:
      // Rarely: an UNDEFINED word, an SVC, or an unconditional-space instruction (end the block).
      return [0xe7f000f0, 0xef000000, 0xf57ff05f, c | 0x0320f000][rng.below(4)] >>> 0;
  }
}

/** A core with seeded RAM, registers mostly pointing into RAM, random flags, the code at CODE. */
function core(seed: number, code: number[], jit: boolean): Harness {
  const rng = new Rng(seed);
  const h = makeCpu([], CODE);
  const words = h.stage2.mem32;
  for (let k = 0; k < words.length; k++) words[k] = rng.next() | 0;
  loadWords(h.stage2, CODE, code);
  const cpu = h.cpu;
  for (let k = 0; k < 15; k++) {
    const pick = rng.below(5);
    cpu.r[k] = pick < 3 ? 0x10000 + (rng.below(0x60000) & ~3) : pick === 3 ? rng.below(16) : rng.next() | 0;
  }
  cpu.setNzcv(rng.below(16) << 28);
  cpu.jit = jit;
  cpu.mmu.code.hotThreshold = 1;
  return h;
}

function sameState(a: Harness, b: Harness, what: string): void {
  assertSameCore(a, b, what, { instructions: true, traps: true });
}

test("random blocks: compiled code and the interpreter end in the same state", () => {
  const rng = new Rng(0x5eed1e55);
  let compiled = 0;
  let loops = 0;
  for (let k = 0; k < 600; k++) {
    const length = 1 + rng.below(20);
    const code: number[] = [];
    for (let i = 0; i < length; i++) code.push(randomInstruction(rng, i, length));
    code.push(0xea000000 | (rng.below(0x400) & 0xffffff)); // b somewhere ahead: ends the block
    const seed = rng.next();
    const budget = rng.below(3) === 0 ? 1 + rng.below(length + 1) : 200;
    const jit = core(seed, code, true);
    const interp = core(seed, code, false);
    jit.cpu.run(budget);
    interp.cpu.run(budget);
    compiled += jit.cpu.mmu.code.compiled;
    const words = Int32Array.from(code);
    if (generateA32(words, 0, CODE, scanA32(words, 0)).includes("continue;")) loops++;
    sameState(jit, interp, `block ${k} [${code.map(hex).join(" ")}] budget ${budget}`);
  }
  assert.ok(compiled > 600, `blocks were compiled (${compiled})`);
  assert.ok(loops > 30, `blocks looping on themselves were among them (${loops})`);
});

test("the block scan ends at unconditional branches, PC writes, SVC, the page end and MAX_BLOCK", () => {
  const words = new Int32Array(2048);
  const at = (k: number, w: number): void => {
    words[k] = w | 0;
  };
  at(0, 0xe3a00001); // mov r0, #1
  at(1, 0x1a000010); // bne: conditional, goes on
  at(2, 0xeb000010); // bl: ends
  assert.equal(scanA32(words, 0), 3);
  at(10, 0xe1a0f00e); // mov pc, lr
  assert.equal(scanA32(words, 10), 1);
  at(11, 0xe8bd8010); // pop {r4, pc}
  assert.equal(scanA32(words, 11), 1);
  at(12, 0xe12fff1e); // bx lr
  assert.equal(scanA32(words, 12), 1);
  at(13, 0xef000000); // svc 0
  assert.equal(scanA32(words, 13), 1);
  assert.equal(scanA32(words, 1020), 4, "a block never crosses into the next page");
  assert.equal(scanA32(words, 100), MAX_BLOCK);
});

test("generated code spells out PC operands as constants and leaves through the taken branch", () => {
  const mem = new Int32Array([0xe28f0004 | 0, 0x0a000001, 0xe5910000 | 0, 0xea000000 | 0]);
  const src = generateA32(mem, 0, 0x1000, 4);
  assert.match(src, /r0 = \(4104 \+ 4\) \| 0;/, "add r0, pc, #4 reads the PC as 0x1008");
  assert.match(src, /if \(fz !== 0\) \{/);
  assert.match(src, /xNext = 4112;/, "beq to 0x1010");
  // A TLB miss stops the block before the load, the third instruction, for the interpreter.
  assert.match(src, /else \{ xNext = 4104; xPc = 4104; xRan = 2; xStep = -1; break exit; \}/);
});

test("generated code keeps registers and flags in locals, and writes back only what it assigns", () => {
  // loop: add r0, r0, r1; str r0, [r3, #4]; subs r1, r1, #1; bne loop
  const loop = new Int32Array([0xe0800001 | 0, 0xe5830004 | 0, 0xe2511001 | 0, 0x1afffffb]);
  const src = generateA32(loop, 0, 0x1000, 4);
  assert.ok(src.startsWith('"use strict";\n'), "strict mode needs the directive first");
  assert.match(
    src,
    /^let r0 = r\[0\], r1 = r\[1\], r3 = r\[3\], fn = cpu\.n, fz = cpu\.z, fc = cpu\.c, fv = cpu\.v;$/m,
  );
  assert.doesNotMatch(src, /r\[3\] = r3/, "r3 is only read");
  assert.match(src, /r\[0\] = r0; r\[1\] = r1; cpu\.n = fn; cpu\.z = fz; cpu\.c = fc; cpu\.v = fv;/);
  // Written back in one place: the epilogue that the block's three exits (the store missing the
  // TLB, the budget, the loop's end) go to.
  assert.equal(src.match(/cpu\.v = fv;/g)?.length, 1, src);
  assert.equal(src.match(/break exit;/g)?.length, 3, src);
  assert.equal(src.match(/return /g)?.length, 1, src);
  // A block that calls an executor (here MRS) works on r and cpu directly.
  const withCall = generateA32(new Int32Array([0xe10f0000 | 0, 0xe2800001 | 0, 0xeafffffe | 0]), 0, 0x1000, 3);
  assert.doesNotMatch(withCall, /\br\d+ = r\[/, "no register in a local");
  assert.match(withCall, /h\.executeA32\(cpu, /);
  assert.match(withCall, /r\[0\] = \(r\[0\] \+ 1\) \| 0;/);
});

test("a store into the running block: the new word runs, as it would in the interpreter", () => {
  // str r1, [r2]; mov r0, #1 (overwritten with mov r0, #7 by the store); b .
  for (const jit of [true, false]) {
    const h = makeCpu([0xe5821000, 0xe3a00001, 0xeafffffe], CODE);
    h.cpu.jit = jit;
    h.cpu.mmu.code.hotThreshold = 1;
    h.cpu.r[1] = 0xe3a00007;
    h.cpu.r[2] = CODE + 4;
    h.cpu.run(3);
    assert.equal(h.cpu.r[0], 7, `jit ${jit}`);
  }
});

test("code rewritten after it was compiled runs as rewritten (a store from another page)", () => {
  // At CODE: mov r0, #1; b CODE+0x1000. There: cmp r4, #0; strne r1, [r2]; b CODE.
  const h = makeCpu([], CODE);
  loadWords(h.stage2, CODE, [0xe3a00001, 0xea0003fd]);
  loadWords(h.stage2, CODE + 0x1000, [0xe3540000, 0x15821000, 0xeafffbfc]);
  h.cpu.mmu.code.hotThreshold = 1;
  h.cpu.r[1] = 0xe3a00009; // mov r0, #9
  h.cpu.r[2] = CODE;
  h.cpu.run(50); // ten passes: both blocks translated
  assert.equal(h.cpu.r[0], 1);
  assert.equal(h.cpu.mmu.code.invalidations, 0);
  h.cpu.r[4] = 1; // the next pass stores over `mov r0, #1`, then runs it
  h.cpu.run(7);
  assert.equal(h.cpu.r[0], 9);
  assert.equal(h.cpu.mmu.code.invalidations, 1, "the code page was dropped once");
});

test("a data abort in the middle of a compiled block: earlier instructions done, exact count", () => {
  for (const jit of [true, false]) {
    // mov r0, #1; add r0, r0, #2; ldr r3, [r4] (r4 beyond RAM: a trap the hypervisor turns into an
    // external abort); mov r0, #9; b .
    const h = makeCpu([0xe3a00001, 0xe2800002, 0xe5943000, 0xe3a00009, 0xeafffffe], CODE);
    h.cpu.jit = jit;
    h.cpu.mmu.code.hotThreshold = 1;
    h.cpu.cp15.vbar = 0x4000;
    h.cpu.r[4] = 0x40000000;
    h.traps.externalAbort = false;
    h.traps.dataAbort = function (): number {
      this.externalAbort = true;
      return 0;
    };
    h.cpu.run(3);
    assert.equal(h.cpu.r[0], 3, `jit ${jit}`);
    assert.equal(h.cpu.mode, Mode.ABT);
    assert.equal(h.cpu.r[14], CODE + 8 + 8, "LR_abt = the load + 8");
    assert.equal(h.cpu.nextPc, 0x4010, "the data abort vector");
    assert.equal(h.cpu.instructions, 3);
  }
});

test("a virtual IRQ pending while masked is taken right after the CPSIE that unmasks it", () => {
  for (const jit of [true, false]) {
    // mov r0, #1; mov r0, #2; cpsie i; mov r0, #3; b .
    const h = makeCpu([0xe3a00001, 0xe3a00002, 0xf1080080, 0xe3a00003, 0xeafffffe], CODE);
    h.cpu.jit = jit;
    h.cpu.mmu.code.hotThreshold = 1;
    h.cpu.cp15.vbar = 0x4000;
    h.cpu.setLine(LINE_VIRQ, true);
    assert.equal(h.cpu.i, 1);
    h.cpu.run(2);
    assert.equal(h.cpu.mode, Mode.SVC, "masked: not taken");
    assert.equal(h.cpu.attention & ATTN_LINES, 0, "a masked interrupt asks no attention");
    h.cpu.run(10);
    assert.equal(h.cpu.r[0], 2, `jit ${jit}`);
    assert.equal(h.cpu.mode, Mode.IRQ);
    assert.equal(h.cpu.r[14], CODE + 12 + 4, "LR_irq = the next instruction + 4");
  }
});

/** Runs a loop of 1000 passes from CODE, translated at once, storing r0 = 0x1234 at r2, a word
 * in the loop's own page. */
function runNextToCode(words: number[], budget: number): Harness {
  const h = makeCpu(words, CODE);
  h.cpu.mmu.code.hotThreshold = 1;
  h.cpu.r[0] = 0x1234;
  h.cpu.r[1] = 1000;
  h.cpu.r[2] = CODE + 0x800;
  h.cpu.run(budget);
  return h;
}

test("stores to data next to code in the same page leave the translated code in place", () => {
  // loop: str r0, [r2]; ldr r3, [r2]; subs r1, r1, #1; bne loop; b .   (r2: a word in the same page)
  const h = runNextToCode([0xe5820000, 0xe5923000, 0xe2511001, 0x1afffffb, 0xeafffffe], 4001);
  assert.equal(h.cpu.r[1], 0);
  assert.equal(h.cpu.r[3], 0x1234);
  assert.equal(h.cpu.mmu.code.invalidations, 0, "no block was dropped");
  assert.ok(h.cpu.mmu.code.compiled >= 1);
  // A store onto the loop's own words does drop them.
  h.cpu.r[2] = CODE + 8;
  h.cpu.r[1] = 2;
  h.cpu.nextPc = CODE;
  h.cpu.run(1);
  assert.equal(h.cpu.mmu.code.invalidations, 1);
});

test("byte and halfword stores next to code reach RAM and leave the translated code in place", () => {
  // loop: strb r0, [r2]; strh r0, [r2, #2]; ldr r3, [r2]; subs r1, r1, #1; bne loop; b .
  const h = runNextToCode([0xe5c20000, 0xe1c200b2, 0xe5923000, 0xe2511001, 0x1afffffa, 0xeafffffe], 5001);
  assert.equal(h.cpu.r[1], 0);
  assert.equal(hex(h.cpu.r[3]), hex(0x12340034), "the byte at +0, the halfword at +2");
  assert.equal(h.cpu.mmu.code.invalidations, 0, "no block was dropped");
  // A byte store onto the loop's own words drops them.
  h.cpu.r[2] = CODE + 4;
  h.cpu.r[1] = 2;
  h.cpu.nextPc = CODE;
  h.cpu.run(1);
  assert.equal(h.cpu.mmu.code.invalidations, 1);
});

test("a kick before the slice: one instruction, whether a block is translated or not", () => {
  // A loop on itself (add r0, r0, #1; b .-4) and a straight block (mov r0, #1..#4; b .).
  const programs = [
    [0xe2800001, 0xeafffffd],
    [0xe3a00001, 0xe3a00002, 0xe3a00003, 0xe3a00004, 0xeafffffe],
  ];
  for (const words of programs) {
    const results = [true, false].map((jit) => {
      const h = makeCpu(words, CODE);
      h.cpu.jit = jit;
      h.cpu.mmu.code.hotThreshold = 1;
      h.cpu.run(words.length * 2); // the blocks are translated by now
      h.cpu.nextPc = CODE;
      h.cpu.kick();
      h.cpu.run(1000);
      return [h.cpu.r[0], h.cpu.instructions, h.cpu.nextPc];
    });
    assert.deepEqual(results[0], results[1]);
    assert.equal(results[1][1], words.length * 2 + 1, "the kicked slice ran one instruction");
  }
});

test("another thread's kick ends a translated loop on itself at its next pass, not at the end of the budget", () => {
  // add r0, r0, #1; b .-4: one block that loops inside its function.
  const h = makeCpu([0xe2800001, 0xeafffffd], CODE);
  h.cpu.mmu.code.hotThreshold = 1;
  h.cpu.run(4); // translated by now
  assert.ok(h.cpu.mmu.code.compiled >= 1);
  const before = h.cpu.instructions;
  h.cpu.run(1000);
  assert.equal(h.cpu.instructions - before, 1000, "unkicked, the loop runs its whole budget");
  // The vcpu thread's kick word, as another thread sets it while this one runs.
  h.cpu.external[0] = 1;
  const kicked = h.cpu.instructions;
  h.cpu.run(100_000);
  assert.equal(h.cpu.instructions - kicked, 2, "one pass of the loop, then out");
  assert.equal(h.cpu.nextPc, CODE);
});

test("with the interpreter alone too, a kick ends a loop within some thousands of instructions", () => {
  for (const [words, thumb] of [
    [[0xe2800001, 0xeafffffd], false], // add r0, r0, #1; b .-4
    [[0xe7fd3001], true], // adds r0, #1; b .-2
  ] as const) {
    const h = makeCpu(words, CODE, thumb);
    h.cpu.jit = false;
    h.cpu.run(1000);
    assert.equal(h.cpu.instructions, 1000, "unkicked, the whole budget");
    h.cpu.external[0] = 1;
    h.cpu.run(1_000_000);
    const ran = h.cpu.instructions - 1000;
    assert.ok(ran > 0 && ran <= 4098, `${thumb ? "Thumb" : "ARM"}: kicked, ${ran} instructions ran`);
    assert.ok(h.cpu.r[0] > 500, "the loop ran");
  }
});

/** Two blocks of one page that branch to each other, and a way out to the next page and back:
 * A: add r0, r0, #1; subs r1, r1, #1; bne B; b CODE+0x1000.  B: add r2, r2, #2; b A.
 * At CODE+0x1000: mov r5, r0; b A. */
const REGION_CODE = [0xe2800001, 0xe2511001, 0x1a000000, 0xea0003fb, 0xe2822002, 0xeafffff9];
const OUTSIDE = [0xe1a05000, 0xeafffbfd];

test("a region is one function: a branch to another of its blocks goes on inside it, others leave", () => {
  const mem = Int32Array.from(REGION_CODE);
  const src = generateRegionA32(
    mem,
    0,
    new Map([
      [0x1000, 4],
      [0x1010, 2],
    ]),
  );
  assert.match(src, /^let entry = cpu\.nextPc \| 0;$/m);
  assert.match(src, /case 4096: \{/);
  assert.match(src, /case 4112: \{/);
  assert.match(src, /entry = 4112; continue;/, "bne B stays inside");
  assert.match(src, /entry = 4096; continue;/, "b A stays inside");
  assert.match(src, /xNext = 8192;/, "the branch to the next page leaves");
  assert.match(src, /if \(\(\(done \+ 2\) \| 0\) > budget \|\| cpu\.external\[0\] !== 0\)/, "B runs only whole");
});

test("regions against the interpreter: every budget ends on the same instruction, in the same state", () => {
  for (let budget = 1; budget <= 60; budget++) {
    const run = (jit: boolean): Harness => {
      const h = makeCpu(REGION_CODE, CODE);
      loadWords(h.stage2, CODE + 0x1000, OUTSIDE);
      h.cpu.jit = jit;
      h.cpu.mmu.code.hotThreshold = 1;
      h.cpu.r[1] = 5; // bne B taken four times, then the way out through the next page
      h.cpu.run(budget);
      return h;
    };
    const jit = run(true);
    sameState(jit, run(false), `budget ${budget}`);
    if (budget === 60) {
      const slots = jit.cpu.mmu.code.pages[CODE >>> 12]?.blocks;
      const a = slots?.[0];
      const b = slots?.[4];
      assert.ok(a?.fn && b?.fn, "both blocks translated");
      assert.equal(a.fn, b.fn, "as one region");
    }
  }
});

test("BX and BLX through a register, either state, any condition: as the interpreter", () => {
  const rng = new Rng(0xb1b1);
  let translated = 0;
  for (let k = 0; k < 400; k++) {
    const code: number[] = [];
    for (let i = rng.below(4); i > 0; i--)
      code.push(0xe2800000 | (rng.below(15) << 16) | (rng.below(15) << 12) | rng.below(0x100));
    const m = [14, rng.below(13), 12][rng.below(3)];
    const c = rng.below(3) === 0 ? rng.below(15) : 14;
    code.push((c << 28) | (rng.below(2) === 0 ? 0x012fff10 : 0x012fff30) | m);
    code.push(0xe3a05007); // mov r5, #7 (runs only when the branch is not taken)
    // An ARM target (bit 1 set sometimes: BXWritePC aligns it) or a Thumb one.
    const target = 0x10000 + 4 * rng.below(0x4000) + [0, 1, 2, 3][rng.below(4)];
    const seed = rng.next();
    const budget = code.length + rng.below(3);
    const run = (jit: boolean): Harness => {
      const h = core(seed, code, jit);
      h.cpu.r[m] = target;
      h.cpu.run(budget);
      return h;
    };
    const jit = run(true);
    translated += jit.cpu.mmu.code.compiled;
    sameState(jit, run(false), `case ${k} [${code.map(hex).join(" ")}] r${m} = ${hex(target)}`);
  }
  assert.ok(translated > 300, `blocks were translated (${translated})`);
  // Spelled out: the block keeps its registers in locals.
  const src = generateA32(new Int32Array([0xe2800001 | 0, 0xe12fff1e | 0]), 0, 0x1000, 2);
  assert.match(src, /^let r0 = r\[0\]/m);
  assert.match(src, /xNext = t & ~3;/);
});

// Translated Thumb blocks (jit-t16.ts, runT32Blocks) against the interpreter: random sequences of
// the 16-bit forms the generator spells out, of forms it hands to executeT16, of 32-bit
// instructions (executeT32 calls) and of IT blocks (which stay interpreted), run once with blocks
// compiled at their first visit and once by the interpreter alone, from identical cores.
// Registers, CPSR (ITSTATE too), PC, memory, the instruction count and every trapped MMIO access
// must agree. Then the cases a random sequence rarely builds.

import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCpu, loadHalfwords, type Harness } from "../../helpers/cpu-harness.js";
import { generateT16, scanT16, MAX_BLOCK } from "../../../src/cpu/jit-t16.js";
import { Rng } from "../../helpers/rng.js";

const CODE = 0x8000;
const hex = (n: number): string => (n & 0xffff).toString(16).padStart(4, "0");

/** A low register. */
const lo = (rng: Rng): number => rng.below(8);

/** One planned instruction: fixed halfwords, or a branch patched once positions are known. */
type Item = { hw: number[] } | { branch: "cond" | "cbz"; bits: number };

/** One random instruction of the classes a block holds (and a few that end it or start IT). */
function randomItem(rng: Rng): Item {
  switch (rng.below(22)) {
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
    default:
      // MUL, and CMP r, r (a flag setter ahead of conditional branches).
      return { hw: [rng.below(2) === 0 ? 0x4340 | rng.below(0x40) : 0x4280 | rng.below(0x40)] };
  }
}

/** The halfwords of `count` random instructions; branches go back to the start, forward in the
 * sequence, just past it, or far ahead. */
function randomCode(rng: Rng, count: number): number[] {
  const items: Item[] = [];
  for (let i = 0; i < count; i++) items.push(randomItem(rng));
  const starts: number[] = [];
  let at = 0;
  for (const item of items) {
    starts.push(at);
    at += "hw" in item ? item.hw.length : 1;
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
  const x = a.cpu;
  const y = b.cpu;
  for (let k = 0; k < 15; k++) assert.equal(x.r[k], y.r[k], `${what}: r${k}`);
  assert.equal(x.nextPc | 0, y.nextPc | 0, `${what}: next PC`);
  assert.equal(x.getCpsr(), y.getCpsr(), `${what}: CPSR`);
  assert.equal(x.it, y.it, `${what}: ITSTATE`);
  assert.equal(x.mode, y.mode, `${what}: mode`);
  assert.equal(x.instructions, y.instructions, `${what}: instructions`);
  assert.deepEqual(x.traps, y.traps, `${what}: MMIO accesses`);
  assert.ok(Buffer.from(a.stage2.memory).equals(Buffer.from(b.stage2.memory)), `${what}: memory`);
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

test("the Thumb scan ends at branches and PC writes, before IT, at the page end and MAX_BLOCK", () => {
  const mem = new Uint16Array(4096);
  mem.set([0x2001, 0xd110, 0xe7fe], 0); // movs r0, #1; bne (goes on); b .
  assert.deepEqual(scanT16(mem, 0), { length: 3, halfwords: 3 });
  mem.set([0x2001, 0xbf08, 0x2002], 10); // movs; it eq; movs: ends before the IT
  assert.deepEqual(scanT16(mem, 10), { length: 1, halfwords: 1 });
  assert.equal(scanT16(mem, 11).length, 0, "a block never starts with IT");
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
  assert.match(src, /mmu\.read32\(4104\)/);
  assert.match(src, /r\[1\] = 4112;/);
  assert.match(src, /r\[2\] = \(r\[2\] \+ 4106\) \| 0;/);
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
    assert.equal(h.cpu.mmu.code.compiled, jit ? 1 : 0);
  }
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

test("an IT block between translated code runs in the interpreter", () => {
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

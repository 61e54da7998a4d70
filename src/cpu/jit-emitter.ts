// What the ARM and Thumb generators (jit-a32.ts, jit-t16.ts) share: the generator's state for one
// instruction, and the code around an instruction that makes a block leave the core exactly as
// the interpreter's run loop would (curPc, nextPc, r[15], sliceCount, attention).

import type { HelperName } from "./jit-helpers.js";

/** A condition code's test on the flags (cond 0..13; AL is no test). */
export const CONDITIONS = [
  "cpu.z !== 0",
  "cpu.z === 0",
  "cpu.c !== 0",
  "cpu.c === 0",
  "cpu.n !== 0",
  "cpu.n === 0",
  "cpu.v !== 0",
  "cpu.v === 0",
  "(cpu.c & (cpu.z ^ 1)) !== 0",
  "(cpu.c & (cpu.z ^ 1)) === 0",
  "cpu.n === cpu.v",
  "cpu.n !== cpu.v",
  "(cpu.z === 0 && cpu.n === cpu.v)",
  "(cpu.z !== 0 || cpu.n !== cpu.v)",
];

/** N and Z from `res`, as the generated code writes them. */
export const NZ = "cpu.n = res >>> 31; cpu.z = res === 0 ? 1 : 0;";
/** AddWithCarry's flags for res = x + y + carry in. */
export const NZCV = `${NZ} cpu.c = ((x & y) | ((x | y) & ~res)) >>> 31; cpu.v = ((x ^ res) & (y ^ res)) >>> 31;`;

/** A flag's assignment in generated code, and each flag's bit. */
const FLAG_WRITE = / ?cpu\.([nzcv]) = [^;=][^;]*;/g;
const FLAG_BITS: Record<string, number> = { n: 8, z: 4, c: 2, v: 1 };

/** Where the generated code writes the registers and flags it keeps in locals back: the epilogue,
 * the one way out (`assemble` fills it in). */
const SPILL = "/*spill*/";
/** An executor call: the block then keeps nothing in locals. */
const EXECUTOR = "/*executor*/";

/** A register in generated code, r[0]..r[14] (r[15] is only ever written, as the core's view). */
const REGISTER = /(?<![\w.$])r\[(\d|1[0-4])\]/g;
/** A condition flag in generated code. */
const FLAG = /\bcpu\.([nzcv])\b/g;

/** Where the block's body ends and its one epilogue begins. */
const EPILOGUE = "/*epilogue*/";

/**
 * The function body of a block from its lines: the registers and flags it names live in locals
 * (`r0`..`r14`, `fn`, `fz`, `fc`, `fv`) while it runs, loaded at entry, and those it assigns
 * written back when it leaves, as V8 cannot keep `r[n]` in a machine register across a store to
 * guest memory (the two typed arrays might alias), nor `cpu.z` across a call. `loops`: the body
 * is a loop (a branch back to the block's start).
 *
 * Every exit breaks out to one epilogue, which writes the locals back and sets the PC: written
 * at each exit, they made much of a block's code, and V8 took a fifth longer to optimize it.
 */
export function assemble(lines: string[], loops: boolean, pcAhead: 8 | 4, head = ""): string {
  const body = lines.join("\n");
  const epilogue = `${SPILL} cpu.nextPc = xNext; cpu.curPc = xPc; r[15] = (xPc + ${pcAhead}) | 0; return ((done + xRan) | 0) ^ xStep;`;
  const whole = body + EPILOGUE + epilogue;
  const wrap = (code: string, locals = "") => {
    const [inside, after] = code.split(EPILOGUE);
    const loop = loops ? `for (;;) {\n${inside}\n}` : inside;
    return `"use strict";\n${locals}let xNext = 0, xPc = 0, xRan = 0, xStep = 0;\nexit: {\n${head}${loop}\n}\n${after}`;
  };
  // A block that calls the interpreter's executors on its way would write back and reload its
  // locals around each call, which costs more than it saves: it works on `r` and `cpu` directly.
  if (body.includes(EXECUTOR)) return wrap(whole.replaceAll(SPILL, "").replaceAll(EXECUTOR, ""));
  // Each kept value: its place in the core and its local.
  const kept: [string, string][] = [];
  const regs = new Set<number>();
  for (const m of body.matchAll(REGISTER)) regs.add(Number(m[1]));
  for (const n of [...regs].sort((x, y) => x - y)) kept.push([`r[${n}]`, `r${n}`]);
  const flags = new Set<string>();
  for (const m of body.matchAll(FLAG)) flags.add(m[1]);
  for (const f of "nzcv") if (flags.has(f)) kept.push([`cpu.${f}`, `f${f}`]);
  const named = whole.replace(REGISTER, (_, n: string) => `r${n}`).replace(FLAG, (_, f: string) => `f${f}`);
  // Only what the block assigns can differ from the core: the rest need not be written back.
  const spill = kept.filter(([, local]) => new RegExp(`(?<![\\w.$])${local} = (?!=)`).test(named));
  const code = named.replaceAll(SPILL, spill.map(([core, local]) => `${core} = ${local};`).join(" "));
  const locals = kept.length === 0 ? "" : `let ${kept.map(([core, local]) => `${local} = ${core}`).join(", ")};\n`;
  return wrap(code, locals);
}

/** The function body for a region's blocks (jit-region.ts): a `switch` on the entry address
 * (cpu.nextPc) inside a loop, one case per block, whose code `emitBlock` writes with an emitter
 * that knows the region (so that branches between its blocks stay inside). */
export function assembleRegion(
  region: ReadonlyMap<number, number>,
  pcAhead: 8 | 4,
  emitBlock: (e: Emitter, pc: number, length: number) => void,
): string {
  const out: string[] = ["switch (entry) {"];
  for (const [pc, length] of region) {
    const e = new Emitter(out, pc, length, pcAhead);
    e.region = region;
    out.push(`case ${pc}: {`);
    emitBlock(e, pc, length);
    out.push("}");
  }
  out.push("default: throw new Error(`no block of the region at ${entry >>> 0}`);", "}");
  return assemble(out, true, pcAhead, "let entry = cpu.nextPc | 0;\n");
}

/** Leaves the block for `target` after the instruction at `pc`, `ran` instructions after `done`:
 * on to the epilogue (assemble), which writes the locals back, sets the core's PC and counts.
 * An exit computes nothing (constants into locals): code V8 optimizes before it ever ran needs
 * no type feedback for it, and taking it later does not throw the optimized code away. */
export function exit(target: number | string, pc: number, ran: number): string {
  return `{ xNext = ${target}; xPc = ${pc}; xRan = ${ran}; break exit; }`;
}

/** Per access size: the tag mask that also checks alignment, the RAM view and its index (the
 * same expressions as mmu.ts's fast paths). */
const ACCESS = {
  8: ["~0xfff", "mem8", "| 0"],
  16: ["~0xffe", "mem16", ">> 1"],
  32: ["~0xffc", "mem32", ">> 2"],
} as const;

export class Emitter {
  /** Index of the instruction in the block (counts from 0), its address and its size in bytes. */
  k = 0;
  pc = 0;
  size: number;
  /** Set when a branch goes back to the block's first instruction, or on to another block of
   * the region: the body is then a loop. */
  loops = false;
  /** The region being generated (jit-region.ts): each block's address and length. A branch to one
   * of them, or the block running on into one, goes on there inside the function. Null: a lone
   * block, which only loops on itself. */
  region: ReadonlyMap<number, number> | null = null;
  /** Every address the block's branches go to and where it runs on at its end (for jit-region.ts). */
  readonly targets: number[] = [];
  /** Thumb: ITSTATE while this instruction runs, and after it (0 outside IT blocks). The
   * generated code keeps cpu.it at `it` during the instruction (an abort saves it in the SPSR, the
   * executors read it) and sets `itNext` whenever it leaves after the instruction. */
  it = 0;
  itNext = 0;
  constructor(
    private readonly out: string[],
    /** The block's first address, and its length in instructions. */
    readonly start: number,
    readonly length: number,
    /** How far ahead of an instruction the PC reads: 8 in ARM state, 4 in Thumb state. */
    private readonly pcAhead: 8 | 4,
  ) {
    this.size = pcAhead === 8 ? 4 : 2;
  }

  /** Flags (N 8, Z 4, C 2, V 1) this instruction need not write: a later instruction of the block
   * writes them before anything can read them or see them (jit-t16.ts finds these). */
  deadFlags = 0;

  emit(line: string): void {
    this.out.push(
      this.deadFlags === 0
        ? line
        : line.replace(FLAG_WRITE, (w, f: string) => (this.deadFlags & FLAG_BITS[f] ? "" : w)),
    );
  }

  /** The value of register n as an operand. */
  reg(n: number): string {
    return n === 15 ? String(this.pcValue) : `r[${n}]`;
  }

  /** What r[15] reads as for this instruction. */
  get pcValue(): number {
    return (this.pc + this.pcAhead) | 0;
  }

  get count(): string {
    return `(done + ${this.k + 1}) | 0`;
  }

  /** The address of the next instruction. */
  get next(): number {
    return (this.pc + this.size) | 0;
  }

  /** A load of `bits` (8, 16, 32, zero-extended) from the address expression `addr`, whose value
   * `use` puts where it goes; `prelude` runs first (the address may name its constants). The
   * TLB's hit is inline, as in mmu.read32 and its kind, and costs no bookkeeping; on a miss the
   * block stops before the instruction, for the interpreter to run it (`step`). */
  load(bits: 8 | 16 | 32, addr: string, use: (value: string) => string, prelude = ""): void {
    const [mask, mem, index] = ACCESS[bits];
    this.emit(
      `{ ${prelude}const a = ${addr}, i = (a >>> 12) & 0x3ff; let v = 0;` +
        ` if ((a & ${mask}) === mmu.rTag[i]) v = mmu.${mem}[(mmu.rAdd[i] + a) ${index}]; else ${this.step()}` +
        ` ${use("v")} }`,
    );
  }

  /** A store of the low `bits` of `value` (an expression on registers) to `addr`, then `after`
   * (a base writeback); inline on a TLB hit as `load`, else the interpreter's (a code page, whose
   * blocks a store may drop, is never in the write TLB). */
  store(bits: 8 | 16 | 32, addr: string, word: string, after = "", prelude = ""): void {
    const [mask, mem, index] = ACCESS[bits];
    const value = bits === 32 ? word : `${word} & ${bits === 16 ? "0xffff" : "0xff"}`;
    this.emit(
      `{ ${prelude}const a = ${addr}, i = (a >>> 12) & 0x3ff;` +
        ` if ((a & ${mask}) === mmu.wTag[i]) mmu.${mem}[(mmu.wAdd[i] + a) ${index}] = ${value}; else ${this.step()}` +
        ` ${after} }`,
    );
  }

  /**
   * Stops the block before this instruction, which the run loop then runs by the interpreter:
   * the rare path of an instruction the block spells out (a TLB miss, MMIO, a code page, a
   * transfer that crosses a page). Only locals are written on the way, so the path needs no type
   * feedback: when V8 optimized a block before such a path ran, taking it later threw the
   * optimized code away (a deoptimization) and had it optimized again, each time. The count
   * returned is complemented (negative), which tells the run loop.
   */
  step(): string {
    return `{ xNext = ${this.pc}; xPc = ${this.pc}; xRan = ${this.k}; xStep = -1; break exit; }`;
  }

  /** Leaves the block after this instruction, going on at `target` (an address, or an expression
   * for one computed at run time), `ran` instructions after `done` (this one the last). */
  leave(target: number | string, ran = this.k + 1): string {
    const it = this.it === 0 ? "" : `cpu.it = ${this.itNext}; `;
    return `${it}${exit(target, this.pc, ran)}`;
  }

  /** A branch taken to `target`: leaves the block, or goes round again when it is the block's own
   * start and the budget allows a whole pass (memcpy, memset, delays stay inside the function).
   * A kick from another thread (cpu.external: an interrupt for this vcpu, a halt, a TLB
   * broadcast) ends the loop too, as the run loop would end a slice at the next block: a vcpu
   * spinning on a flag would otherwise see it only when its budget runs out, milliseconds on. */
  branch(target: number): string {
    this.targets.push(target);
    // In an IT block the loop is not taken: ITSTATE may not be 0 at the target (the block's entry
    // assumes it is), and the branch is an IT block's last instruction, rare in loops anyway.
    if (this.it !== 0) return this.leave(target);
    if (this.region !== null) {
      const length = this.region.get(target);
      return length === undefined ? this.leave(target) : this.goOn(target, length, `entry = ${target};`);
    }
    return target === this.start ? this.goOn(target, this.length, "") : this.leave(target);
  }

  /** The block's last instruction ran without leaving: on to `next`, inside the region if it is
   * there; `plain` is the exit of a lone block. ITSTATE after it must be 0 to go on inside.
   * `reachable`: false after a branch that is always taken, where `next` is no successor. */
  end(next: number, plain: string, reachable: boolean): string {
    if (!reachable) return plain;
    this.targets.push(next);
    const length = this.itNext === 0 ? this.region?.get(next) : undefined;
    return length === undefined ? plain : this.goOn(next, length, `entry = ${next};`);
  }

  /** Goes round again at `target` (`length` instructions there) when the budget allows it whole,
   * as the run loop would enter the block there; else leaves, as at a block's end. */
  private goOn(target: number, length: number, set: string): string {
    this.loops = true;
    return (
      `done = ${this.count};` +
      ` if (((done + ${length}) | 0) > budget || cpu.external[0] !== 0) { ${this.leave(target, 0)} }` +
      (set === "" ? "" : ` ${set}`) +
      " continue;"
    );
  }

  /** The interpreter's executor for this instruction, set up as the interpreter would call it; the
   * block goes on only where it would have. A block with one works on `r` and `cpu` directly. */
  call(helper: HelperName, instr: number): void {
    const next = this.next;
    const setup = `${EXECUTOR} cpu.curPc = ${this.pc}; cpu.nextPc = ${next}; r[15] = ${this.pcValue}; cpu.sliceCount = ${this.count};`;
    const call = ` h.${helper}(cpu, ${instr | 0});`;
    const check = ` if (cpu.nextPc !== ${next} || cpu.attention !== 0) return ${this.count};`;
    if (this.it === 0) {
      this.emit(setup + call + check);
      return;
    }
    // In an IT block, as runT32: ITSTATE advances after the instruction unless it took an
    // exception (or returned from one), which set ITSTATE itself.
    this.emit(
      setup +
        " cpu.exceptionTaken = false;" +
        call +
        ` if (cpu.exceptionTaken) cpu.exceptionTaken = false; else cpu.it = ${this.itNext};` +
        check,
    );
  }
}

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

/** A flag's assignment in generated code, and each flag's bit. */
const FLAG_WRITE = / ?cpu\.([nzcv]) = [^;=][^;]*;/g;
const FLAG_BITS: Record<string, number> = { n: 8, z: 4, c: 2, v: 1 };

export class Emitter {
  /** Index of the instruction in the block (counts from 0), its address and its size in bytes. */
  k = 0;
  pc = 0;
  size: number;
  /** Set when a branch goes back to the block's first instruction: the body is then a loop. */
  loops = false;
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

  /** Before an access that may abort or reach a device: what the abort, the icount clock and the
   * hypervisor's trap handlers read, as the interpreter leaves it. */
  beforeAccess(): void {
    this.emit(
      `cpu.curPc = ${this.pc}; cpu.nextPc = ${this.next}; r[15] = ${this.pcValue}; cpu.sliceCount = ${this.count};`,
    );
  }

  /** After an access: an MMIO access or a store to code may have asked for attention. */
  afterAccess(): void {
    this.emit(`if (cpu.attention !== 0) { ${this.leave(this.next)} }`);
  }

  /** A load or store whose body is `body`, set up and checked as the interpreter would be. */
  access(body: string): void {
    this.beforeAccess();
    this.emit(body);
    this.afterAccess();
  }

  /** Leaves the block after this instruction, going on at `target`. */
  leave(target: number): string {
    const it = this.it === 0 ? "" : `cpu.it = ${this.itNext}; `;
    return `${it}cpu.nextPc = ${target}; cpu.curPc = ${this.pc}; r[15] = ${this.pcValue}; return ${this.count};`;
  }

  /** A branch taken to `target`: leaves the block, or goes round again when it is the block's own
   * start and the budget allows a whole pass (memcpy, memset, delays stay inside the function).
   * A kick from another thread (cpu.external: an interrupt for this vcpu, a halt, a TLB
   * broadcast) ends the loop too, as the run loop would end a slice at the next block: a vcpu
   * spinning on a flag would otherwise see it only when its budget runs out, milliseconds on. */
  branch(target: number): string {
    // In an IT block the loop is not taken: ITSTATE may not be 0 at the target (the block's entry
    // assumes it is), and the branch is an IT block's last instruction, rare in loops anyway.
    if (target !== this.start || this.it !== 0) return this.leave(target);
    this.loops = true;
    return (
      `done = ${this.count};` +
      ` if (((done + ${this.length}) | 0) > budget || cpu.external[0] !== 0) { ${this.leave(target).replace(/return .*;$/, "return done;")} }` +
      " continue;"
    );
  }

  /** The interpreter's executor for this instruction; the block goes on only where it would have. */
  call(helper: HelperName, instr: number): void {
    this.emit(this.callText(helper, instr));
  }

  callText(helper: HelperName, instr: number): string {
    const next = this.next;
    const setup = `cpu.curPc = ${this.pc}; cpu.nextPc = ${next}; r[15] = ${this.pcValue}; cpu.sliceCount = ${this.count};`;
    const call = ` h.${helper}(cpu, ${instr | 0});`;
    const check = ` if (cpu.nextPc !== ${next} || cpu.attention !== 0) return ${this.count};`;
    if (this.it === 0) return setup + call + check;
    // In an IT block, as runT32: ITSTATE advances after the instruction unless it took an
    // exception (or returned from one), which set ITSTATE itself.
    return (
      setup +
      " cpu.exceptionTaken = false;" +
      call +
      ` if (cpu.exceptionTaken) cpu.exceptionTaken = false; else cpu.it = ${this.itNext};` +
      check
    );
  }
}

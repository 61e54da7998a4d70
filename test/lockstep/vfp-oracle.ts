// The program behind test/unit/cpu/vfp-qemu-vectors.ts: QEMU's results for VFP data-processing
// instructions, on operands made to hit the hard cases. Three steps:
//   1. makeInputs: PER_FAMILY vectors for each instruction family (seeded, so every run makes the
//      same ones): an instruction word, an FPSCR with a random RMode, FZ and DN and no flags, and
//      D0-D2 with the operands in the registers the instruction reads (S0/S2/S4, the low halves of
//      D0-D2, or D0-D2; the rest random bits).
//   2. runOnQemu: the guest guests/vfp-oracle runs every vector on qemu-system-arm (-M virt -cpu
//      cortex-a15) and prints D0 and FPSCR after each.
//   3. pick: per family, in the order made, a vector is kept when it is the first with its FPSCR
//      mode or the first to produce its combination of cumulative flags and NZCV; kept vectors are
//      sorted by instruction word and FPSCR. vectorsFile formats them as the TypeScript module.
// scripts/vfp-vectors.ts runs the three and writes (or checks) the file; the test
// test/lockstep/vfp-vectors.test.ts checks that the committed file is what they give.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Rng } from "../helpers/rng.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The vectors module, in the source tree. */
export const VECTORS_FILE = join(ROOT, "test", "unit", "cpu", "vfp-qemu-vectors.ts");
export const ORACLE_IMAGE = join(ROOT, "guests", "bin", "vfp-oracle.bin");

export const SEED = 0x2545f491;
export const PER_FAMILY = 1300;
/** Where the guest finds the vectors (guests/vfp-oracle/vfp-oracle.c), and their header. */
const VECTORS_ADDR = 0x41000000;
const MAGIC = 0x56504656;

/** One vector: D registers as 16 hex digits (high word first), words as 8. */
export interface Vector {
  instr: number;
  fpscr: number;
  d: [string, string, string];
}

export interface Result {
  d0: string;
  fpscr: number;
}

// ---- Floating-point bit patterns ----

interface Format {
  readonly width: number;
  /** Exponent and fraction field widths. */
  readonly e: number;
  readonly m: number;
}
const F32: Format = { width: 32, e: 8, m: 23 };
const F64: Format = { width: 64, e: 11, m: 52 };

const ones = (n: number): bigint => (1n << BigInt(n)) - 1n;
const expAllOnes = (f: Format): number => (1 << f.e) - 1;
const bias = (f: Format): number => (1 << (f.e - 1)) - 1;

function fp(f: Format, sign: number, exp: number, fraction: bigint): bigint {
  return (BigInt(sign) << BigInt(f.width - 1)) | (BigInt(exp) << BigInt(f.m)) | (fraction & ones(f.m));
}

const scratch = new ArrayBuffer(8);
const asF64 = new Float64Array(scratch);
const asU64 = new BigUint64Array(scratch);
const asF32 = new Float32Array(scratch);
const asU32 = new Uint32Array(scratch);

/** The bits of `x` in format `f` (rounded to nearest for single precision). Not for NaNs. */
function bitsOf(f: Format, x: number): bigint {
  if (f.width === 64) {
    asF64[0] = x;
    return asU64[0];
  }
  asF32[0] = x;
  return BigInt(asU32[0]);
}

function valueOf(f: Format, bits: bigint): number {
  if (f.width === 64) {
    asU64[0] = bits;
    return asF64[0];
  }
  asU32[0] = Number(bits);
  return asF32[0];
}

function hex(v: bigint, digits: number): string {
  return v.toString(16).padStart(digits, "0");
}

// ---- Random operands ----

class Gen {
  private readonly rng: Rng;
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }
  /** 32 random bits, unsigned. */
  word(): number {
    return this.rng.next();
  }
  below(n: number): number {
    return this.rng.below(n);
  }
  bit(): number {
    return this.rng.next() & 1;
  }
  /** In [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }
  bits(n: number): bigint {
    let v = 0n;
    for (let have = 0; have < n; have += 32) v = (v << 32n) | BigInt(this.rng.next());
    return v & ones(n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)];
  }

  /** A fraction field with structure: all ones, zero, one bit, a few high bits, a tie, or random. */
  fraction(f: Format): bigint {
    switch (this.below(7)) {
      case 0:
        return ones(f.m);
      case 1:
        return 0n;
      case 2:
        return 1n << BigInt(this.below(f.m));
      case 3: {
        const k = this.range(1, 8);
        return this.bits(k) << BigInt(f.m - k);
      }
      case 4: {
        // Random high bits, then a one and zeros: exactly half-way when shifted out.
        const low = this.range(1, f.m - 1);
        return ((this.bits(f.m - low) << BigInt(low)) | (1n << BigInt(low - 1))) & ones(f.m);
      }
      default:
        return this.bits(f.m);
    }
  }

  /** A NaN: quiet or signalling, with a random payload (a quiet one sometimes the default NaN's). */
  nan(f: Format, quiet: boolean): bigint {
    const top = 1n << BigInt(f.m - 1);
    if (quiet) return fp(f, this.bit(), expAllOnes(f), top | (this.bit() ? this.fraction(f) : 0n));
    let payload = this.fraction(f) & (top - 1n);
    if (payload === 0n) payload = 1n << BigInt(this.below(f.m - 1));
    return fp(f, this.bit(), expAllOnes(f), payload);
  }

  /** A number with the exponent field `exp` (clamped into the normal range; at or below 0 a
   * subnormal) and a structured fraction. */
  withExp(f: Format, sign: number, exp: number): bigint {
    if (exp <= 0) {
      let fraction = this.fraction(f) >> BigInt(Math.min(f.m, -exp));
      if (fraction === 0n) fraction = 1n;
      return fp(f, sign, 0, fraction);
    }
    return fp(f, sign, Math.min(exp, expAllOnes(f) - 1), this.fraction(f));
  }

  /** Any operand, biased towards the hard cases. */
  value(f: Format): bigint {
    const s = this.bit();
    const top = expAllOnes(f);
    switch (this.below(16)) {
      case 0:
        return fp(f, s, 0, 0n);
      case 1:
        return fp(f, s, top, 0n);
      case 2:
        return this.nan(f, true);
      case 3:
        return this.nan(f, false);
      case 4:
      case 5: {
        const fraction = this.fraction(f);
        return fp(f, s, 0, fraction === 0n ? 1n : fraction);
      }
      case 6:
        return fp(f, s, 1, this.fraction(f));
      case 7:
        return fp(f, s, top - 1, this.fraction(f));
      case 8:
      case 9:
        return fp(f, s, bias(f) + this.range(-2, 2), this.fraction(f));
      case 10:
        return bitsOf(f, (s ? -1 : 1) * (this.below(1000) + this.pick([0, 0.25, 0.5, 0.75])));
      case 11:
        return this.bits(f.width);
      default:
        return fp(f, s, this.range(1, top - 1), this.fraction(f));
    }
  }

  /** `bits` moved by a few units in the last place, towards or away from zero. */
  nudge(f: Format, bits: bigint): bigint {
    const magnitude = bits & ones(f.width - 1);
    const next = magnitude + BigInt(this.range(-3, 3));
    return (bits & ~ones(f.width - 1)) | (next < 0n ? 0n : next & ones(f.width - 1));
  }

  /** Two operands for a binary operation. */
  pair(f: Format, op: "add" | "sub" | "mul" | "div"): [bigint, bigint] {
    const b = bias(f);
    const top = expAllOnes(f) - 1;
    switch (this.below(8)) {
      case 0:
      case 1:
        return [this.value(f), this.value(f)];
      case 2: {
        // Close exponents: the alignment shift keeps guard, round and sticky bits busy.
        const e = this.range(1, top);
        return [this.withExp(f, this.bit(), e), this.withExp(f, this.bit(), e + this.range(-(f.m + 3), f.m + 3))];
      }
      case 3: {
        // Near-cancelling pairs (and, for mul and div, quotients and products near the operand).
        const x = fp(f, this.bit(), this.range(1, top), this.fraction(f));
        const y = this.nudge(f, x);
        if (op === "add") return [x, y ^ (1n << BigInt(f.width - 1))];
        if (op === "sub") return [x, y];
        return [x, this.withExp(f, this.bit(), b + this.range(-1, 0))];
      }
      case 4: {
        // A result in (or just above) the subnormal range.
        const target = this.range(-(f.m + 2), 1);
        if (op === "add" || op === "sub") {
          const x = fp(f, this.bit(), this.range(0, 2), this.fraction(f));
          const y = fp(f, this.bit(), this.range(0, 2), this.fraction(f));
          return [x, y];
        }
        const ex = this.range(Math.max(1, target + b - top), Math.min(top, target + b + top));
        const ey = op === "mul" ? target + b - ex : ex + b - target;
        return [this.withExp(f, this.bit(), ex), this.withExp(f, this.bit(), ey)];
      }
      case 5: {
        // A result at the overflow boundary.
        const target = top + this.range(-1, 1);
        if (op === "add" || op === "sub") {
          const s = this.bit();
          const t = op === "add" ? s : s ^ 1;
          return [
            fp(f, s, this.range(top - 1, top), this.fraction(f)),
            fp(f, t, this.range(top - 1, top), this.fraction(f)),
          ];
        }
        const ex = this.range(Math.max(1, target + b - top), top);
        const ey = op === "mul" ? target + b - ex : ex + b - target;
        return [this.withExp(f, this.bit(), ex), this.withExp(f, this.bit(), ey)];
      }
      case 6: {
        // One special operand (NaN, infinity, zero or subnormal) with an ordinary one.
        const special = this.pick([
          fp(f, this.bit(), 0, 0n),
          fp(f, this.bit(), expAllOnes(f), 0n),
          this.nan(f, this.bit() === 1),
          this.withExp(f, this.bit(), -this.below(f.m)),
        ]);
        const other = this.withExp(f, this.bit(), this.range(1, top));
        return this.bit() ? [special, other] : [other, special];
      }
      default: {
        // Two NaNs: which one's payload comes out (signalling first, then the first operand).
        return [this.nan(f, this.bit() === 1), this.bit() ? this.nan(f, this.bit() === 1) : this.value(f)];
      }
    }
  }

  /** The accumulator of a multiply-accumulate: often close to plus or minus the product. */
  accumulator(f: Format, n: bigint, m: bigint): bigint {
    const product = valueOf(f, n) * valueOf(f, m);
    if (this.below(3) === 0 || !Number.isFinite(product) || product === 0) return this.value(f);
    return this.nudge(f, bitsOf(f, this.bit() ? product : -product));
  }

  /** Two operands for a comparison. */
  comparePair(f: Format): [bigint, bigint] {
    const x = this.value(f);
    switch (this.below(6)) {
      case 0:
        return [x, x];
      case 1:
        return [x, x ^ (1n << BigInt(f.width - 1))];
      case 2:
        return [x, this.nudge(f, x)];
      case 3:
        return this.bit() ? [x, this.nan(f, this.bit() === 1)] : [this.nan(f, this.bit() === 1), x];
      default:
        return [x, this.value(f)];
    }
  }

  /** A double for VCVT.F32.F64: around single precision's range, ties and NaN payloads. */
  doubleForSingle(): bigint {
    const s = this.bit();
    const b = bias(F64);
    switch (this.below(6)) {
      case 0:
        return this.value(F64);
      case 1:
        return this.withExp(F64, s, b + this.range(-126, 127));
      case 2:
        return fp(
          F64,
          s,
          b + this.range(126, 129),
          this.bits(52) | (this.bit() ? ones(52) ^ ones(this.below(30)) : 0n),
        );
      case 3:
        return this.withExp(F64, s, b + this.range(-152, -125));
      case 4: {
        // Half-way between two singles (bit 28 set, the bits below clear), or next to it.
        const tie = (this.bits(23) << 29n) | (1n << 28n);
        return this.nudge(F64, fp(F64, s, b + this.range(-130, 127), tie));
      }
      default:
        return this.nan(F64, this.bit() === 1);
    }
  }

  /** A 32-bit integer for the integer-to-float conversions. */
  integer(): number {
    switch (this.below(5)) {
      case 0:
        return this.rng.next();
      case 1:
        return (this.below(512) - 256) >>> 0;
      case 2:
        return this.pick([0, 1, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0xfffffffe, 0x01000001, 0x00ffffff]);
      case 3: {
        // More significant bits than a single holds.
        const k = this.range(24, 31);
        return ((1 << k) | (this.rng.next() & ((1 << k) - 1))) >>> 0;
      }
      default: {
        // Half-way between two singles.
        const shift = this.range(1, 8);
        return ((((this.rng.next() & 0xffffff) | 0x800000) << shift) | (1 << (shift - 1))) >>> 0;
      }
    }
  }

  /** A float for the float-to-integer (or fixed-point, scaled by 2^-fracBits) conversions, around
   * the bounds of a `size`-bit integer. */
  forInteger(f: Format, size: number, fracBits: number): bigint {
    const scale = 2 ** -fracBits;
    switch (this.below(5)) {
      case 0:
        return this.value(f);
      case 1: {
        const k = this.range(-300, 300) + this.pick([0, 0.25, 0.5, 0.75, this.below(1 << 16) / (1 << 16)]);
        return bitsOf(f, k * scale);
      }
      case 2: {
        const bound = this.pick([
          2 ** (size - 1),
          2 ** size,
          -(2 ** (size - 1)),
          -(2 ** (size - 1)) - 1,
          -1,
          0.5,
          -0.5,
          1,
        ]);
        return this.nudge(f, bitsOf(f, bound * scale));
      }
      case 3:
        return bitsOf(f, (this.bit() ? -1 : 1) * (this.rng.next() / 2 ** 32) * 2 ** this.below(size + 2) * scale);
      default:
        return this.withExp(f, this.bit(), bias(f) + this.range(-3, size + 1) - fracBits);
    }
  }
}

// ---- Instruction families ----

/** D0-D2 as (high, low) word pairs; an operation sets the operands and leaves the rest random. */
class Regs {
  readonly hi: number[];
  readonly lo: number[];
  constructor(g: Gen) {
    this.hi = [g.word(), g.word(), g.word()];
    this.lo = [g.word(), g.word(), g.word()];
  }
  /** S register 2n (the low half of Dn). */
  s(n: number, v: bigint | number): void {
    this.lo[n] = Number(BigInt(v) & 0xffffffffn);
  }
  d(n: number, v: bigint): void {
    this.hi[n] = Number(v >> 32n);
    this.lo[n] = Number(v & 0xffffffffn);
  }
  /** Single or double operand by format. */
  set(f: Format, n: number, v: bigint): void {
    if (f.width === 64) this.d(n, v);
    else this.s(n, v);
  }
  hex(n: number): string {
    return hex(BigInt(this.hi[n]), 8) + hex(BigInt(this.lo[n]), 8);
  }
}

interface Family {
  /** The instruction word (for the fixed-point conversions, with the immediate zero). */
  base: number;
  /** The instruction word of one vector, and the operands it reads. */
  make(g: Gen, r: Regs): number;
}

function families(): Family[] {
  const out: Family[] = [];
  const fmt = (word: number): Format => ((word >>> 8) & 1 ? F64 : F32);
  // VMLA, VMLS, VNMLS, VNMLA: Fd (S0/D0) accumulates Fn (S2/D1) times Fm (S4/D2).
  for (const base of [0xee010a02, 0xee010a42, 0xee110a02, 0xee110a42]) {
    for (const word of [base, base | 0x100]) {
      out.push({
        base: word,
        make(g, r) {
          const f = fmt(word);
          const [n, m] = g.pair(f, "mul");
          r.set(f, 0, g.accumulator(f, n, m));
          r.set(f, 1, n);
          r.set(f, 2, m);
          return word;
        },
      });
    }
  }
  // VMUL, VNMUL, VADD, VSUB, VDIV: Fd = Fn op Fm.
  const binary: [number, "mul" | "add" | "sub" | "div"][] = [
    [0xee210a02, "mul"],
    [0xee210a42, "mul"],
    [0xee310a02, "add"],
    [0xee310a42, "sub"],
    [0xee810a02, "div"],
  ];
  for (const [base, op] of binary) {
    for (const word of [base, base | 0x100]) {
      out.push({
        base: word,
        make(g, r) {
          const f = fmt(word);
          const [n, m] = g.pair(f, op);
          r.set(f, 1, n);
          r.set(f, 2, m);
          return word;
        },
      });
    }
  }
  // VABS, VNEG, VSQRT: Fd = op(Fm); VSQRT also on squares.
  for (const base of [0xeeb00ac2, 0xeeb10a42, 0xeeb10ac2]) {
    for (const word of [base, base | 0x100]) {
      out.push({
        base: word,
        make(g, r) {
          const f = fmt(word);
          const square = bitsOf(f, (g.below(1 << 12) + 1) ** 2 * 2 ** (2 * g.range(-40, 40)));
          r.set(f, 2, base === 0xeeb10ac2 && g.below(6) === 0 ? square : g.value(f));
          return word;
        },
      });
    }
  }
  // VCMP, VCMPE Fd, Fm; VCMP, VCMPE Fd, #0.
  for (const base of [0xeeb40a42, 0xeeb40ac2]) {
    for (const word of [base, base | 0x100]) {
      out.push({
        base: word,
        make(g, r) {
          const f = fmt(word);
          const [x, y] = g.comparePair(f);
          r.set(f, 0, x);
          r.set(f, 2, y);
          return word;
        },
      });
    }
  }
  for (const base of [0xeeb50a40, 0xeeb50ac0]) {
    for (const word of [base, base | 0x100]) {
      out.push({
        base: word,
        make(g, r) {
          r.set(fmt(word), 0, g.value(fmt(word)));
          return word;
        },
      });
    }
  }
  // VCVT.F64.F32 D0, S4 and VCVT.F32.F64 S0, D2.
  out.push({
    base: 0xeeb70ac2,
    make(g, r) {
      r.s(2, g.value(F32));
      return 0xeeb70ac2;
    },
  });
  out.push({
    base: 0xeeb70bc2,
    make(g, r) {
      r.d(2, g.doubleForSingle());
      return 0xeeb70bc2;
    },
  });
  // VCVT.F32/F64.U32/S32 Fd, S4.
  for (const word of [0xeeb80a42, 0xeeb80ac2, 0xeeb80b42, 0xeeb80bc2]) {
    out.push({
      base: word,
      make(g, r) {
        r.s(2, g.integer());
        return word;
      },
    });
  }
  // VCVT{R}.U32/S32.F32/F64 S0, Fm (bit 7 clear: FPSCR's rounding, set: towards zero).
  for (const base of [0xeebc0a42, 0xeebc0ac2, 0xeebd0a42, 0xeebd0ac2]) {
    for (const word of [base, base | 0x100]) {
      out.push({
        base: word,
        make(g, r) {
          const f = fmt(word);
          r.set(f, 2, g.forInteger(f, 32, 0));
          return word;
        },
      });
    }
  }
  // VCVT between floating point and fixed point, in place in S0/D0: bits 19:16 = 1 op 1 U (op: to
  // fixed; U: unsigned), bit 7 (sx) a 32-bit (else 16-bit) fixed-point value, fraction bits =
  // size - imm4:i (bits 3:0 and 5).
  for (const opu of [0xa, 0xb, 0xe, 0xf]) {
    for (const sf of [0, 1]) {
      for (const sx of [0, 1]) {
        const base = 0xeeb00a40 | (opu << 16) | (sf << 8) | (sx << 7);
        out.push({
          base,
          make(g, r) {
            const size = sx ? 32 : 16;
            const imm = g.range(0, size === 16 ? 16 : 31);
            const fracBits = size - imm;
            const f = sf ? F64 : F32;
            if (opu & 4) r.set(f, 0, g.forInteger(f, size, fracBits));
            else if (size === 16 && g.bit())
              r.s(0, (g.bits(16) << 16n) | BigInt(g.pick([0, 1, 0x7fff, 0x8000, 0xffff, 0x8001])));
            else r.s(0, g.integer());
            return (base | ((imm >>> 1) & 15) | ((imm & 1) << 5)) >>> 0;
          },
        });
      }
    }
  }
  return out;
}

// ---- The three steps ----

const FPSCR_MODES = 16;
/** A random RMode, FZ and DN. */
const fpscrMode = (k: number): number => (((k & 3) << 22) | ((k >> 2) << 24)) >>> 0;

/** Step 1: the vectors, family by family (the family's index alongside each). */
export function makeInputs(seed = SEED, perFamily = PER_FAMILY): { family: number; vector: Vector }[] {
  const g = new Gen(seed);
  const out: { family: number; vector: Vector }[] = [];
  families().forEach((fam, index) => {
    for (let k = 0; k < perFamily; k++) {
      const fpscr = fpscrMode(g.below(FPSCR_MODES));
      const r = new Regs(g);
      const instr = fam.make(g, r) >>> 0;
      out.push({ family: index, vector: { instr, fpscr, d: [r.hex(0), r.hex(1), r.hex(2)] } });
    }
  });
  return out;
}

/** The input image for the guest: MAGIC, the count, then 8 words per vector. */
export function inputImage(vectors: readonly Vector[]): Buffer {
  const words = new Uint32Array(2 + 8 * vectors.length);
  words[0] = MAGIC;
  words[1] = vectors.length;
  vectors.forEach((v, k) => {
    const at = 2 + 8 * k;
    words[at] = v.instr;
    words[at + 1] = v.fpscr;
    for (let n = 0; n < 3; n++) {
      words[at + 2 + 2 * n] = parseInt(v.d[n].slice(8), 16);
      words[at + 3 + 2 * n] = parseInt(v.d[n].slice(0, 8), 16);
    }
  });
  return Buffer.from(words.buffer);
}

/** Step 2: runs the vectors on QEMU through the guest guests/vfp-oracle; D0 and FPSCR after each. */
export async function runOnQemu(
  vectors: readonly Vector[],
  o: { qemu?: string; image?: string; timeoutMs?: number } = {},
): Promise<Result[]> {
  const dir = mkdtempSync(join(tmpdir(), "armvmm-vfp-oracle-"));
  try {
    const input = join(dir, "vectors.bin");
    writeFileSync(input, inputImage(vectors));
    const args = [
      ...["-M", "virt,gic-version=2", "-cpu", "cortex-a15", "-m", "128", "-smp", "1", "-nic", "none"],
      ...["-display", "none", "-monitor", "none", "-serial", "stdio"],
      ...["-kernel", o.image ?? ORACLE_IMAGE],
      ...["-device", `loader,file=${input},addr=0x${VECTORS_ADDR.toString(16)},force-raw=on`],
    ];
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(o.qemu ?? "qemu-system-arm", args, { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.setEncoding("latin1").on("data", (s: string) => {
        out += s;
      });
      child.stderr.setEncoding("utf8").on("data", (s: string) => {
        err += s;
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs ?? 300_000);
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve(out);
        else reject(new Error(`qemu-system-arm ended with ${signal ?? `exit code ${code}`}: ${err.trim()}`));
      });
    });
    const lines = stdout.replace(/\r/g, "").split("\n");
    const summary = `vfp-oracle: ${vectors.length} vectors`;
    const end = lines.indexOf(summary);
    if (end !== vectors.length) {
      throw new Error(
        `the guest did not run every vector (no "${summary}" after them); its output ends:\n${lines.slice(-5).join("\n")}`,
      );
    }
    return lines.slice(0, end).map((line, k) => {
      const m = /^([0-9a-f]{16}) ([0-9a-f]{8})$/.exec(line);
      if (!m) throw new Error(`vector ${k}: unexpected guest output "${line}"`);
      return { d0: m[1], fpscr: parseInt(m[2], 16) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The cumulative exception flags (IDC, IXC, UFC, OFC, DZC, IOC) and NZCV. */
const OUTCOME_MASK = 0xf000009f;

/** Step 3: per family, the first vector of each FPSCR mode and of each outcome; sorted. */
export function pick(
  inputs: readonly { family: number; vector: Vector }[],
  results: readonly Result[],
): { vector: Vector; result: Result }[] {
  const seen = new Set<string>();
  const kept: { vector: Vector; result: Result; order: number }[] = [];
  inputs.forEach(({ family, vector }, k) => {
    const result = results[k];
    const mode = `${family} mode ${vector.fpscr}`;
    const outcome = `${family} outcome ${(result.fpscr & OUTCOME_MASK) >>> 0}`;
    if (seen.has(mode) && seen.has(outcome)) return;
    seen.add(mode);
    seen.add(outcome);
    kept.push({ vector, result, order: k });
  });
  kept.sort((a, b) => a.vector.instr - b.vector.instr || a.vector.fpscr - b.vector.fpscr || a.order - b.order);
  return kept.map(({ vector, result }) => ({ vector, result }));
}

const hex8 = (v: number): string => (v >>> 0).toString(16).padStart(8, "0");

/** The vectors module's text. `qemu` is QEMU's major.minor version. */
export function vectorsFile(
  picked: readonly { vector: Vector; result: Result }[],
  total: number,
  qemu: string,
): string {
  const header = `// GENERATED by scripts/vfp-vectors.ts (\`npx tsc -p . && node dist/scripts/vfp-vectors.js\`): do not edit.
// Reference results for VFP data-processing instructions, produced by QEMU ${qemu} (qemu-system-arm -M virt
// -cpu cortex-a15, TCG softfloat, which follows the ARM ARM pseudocode: tininess before rounding, FZ,
// DN, ARM NaN priority). The bare-metal guest guests/vfp-oracle loaded FPSCR and D0-D2 for each
// vector, executed the instruction word, and printed D0 and FPSCR. Operands were random (seeded: the
// same every run) with a bias towards the hard cases (zeros, infinities, quiet and signalling NaNs
// with payloads, subnormals, values at the normal and overflow boundaries, near-cancelling pairs,
// products and quotients landing in the subnormal range, ties, integer and fixed-point bounds);
// FPSCR had a random RMode, FZ and DN and no flags. This subset was picked from ${total} such vectors
// (test/lockstep/vfp-oracle.ts) so that every instruction meets every input mode and every output
// flag/NZCV combination it produced. test/lockstep/vfp-vectors.test.ts checks that this file is
// what the program gives. Each line: instruction, FPSCR, D0, D1, D2 before; then D0 and FPSCR
// after. The instructions use S0/S2/S4 (the low halves of D0-D2) or D0-D2; fixed-point conversions
// work in place in S0/D0.
`;
  const lines = picked.map(
    ({ vector: v, result: r }) =>
      `${hex8(v.instr)} ${hex8(v.fpscr)} ${v.d[0]} ${v.d[1]} ${v.d[2]} ${r.d0} ${hex8(r.fpscr)}\n`,
  );
  return `${header}\nexport const QEMU_VECTORS = \`\n${lines.join("")}\`;\n`;
}

/** QEMU's major.minor from its `--version` line ("QEMU emulator version 7.2.22 (...)"). */
export function qemuMajorMinor(versionLine: string): string {
  const m = /version (\d+\.\d+)/.exec(versionLine);
  return m ? m[1] : "(unknown version)";
}

/** All three steps: the vectors module as the program makes it now. */
export async function generateVectorsFile(qemuVersionLine: string, qemu?: string): Promise<string> {
  const inputs = makeInputs();
  const results = await runOnQemu(
    inputs.map((i) => i.vector),
    { qemu },
  );
  return vectorsFile(pick(inputs, results), inputs.length, qemuMajorMinor(qemuVersionLine));
}

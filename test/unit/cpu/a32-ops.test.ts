// The shared semantic helpers (ops-multiply.ts, ops-media.ts) against straightforward BigInt
// renderings of the ARM ARM pseudocode, on random and edge-case operands.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as M from "../../../src/cpu/ops-multiply.js";
import * as P from "../../../src/cpu/ops-media.js";

// Deterministic xorshift so a failure can be replayed.
let seed = 0x2545f491;
function rnd32(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
const EDGES = [0, 1, 2, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff];
function operand(): number {
  const k = rnd32() % 4;
  if (k === 0) return EDGES[rnd32() % EDGES.length];
  if (k === 1) return (rnd32() & 0xffff) * 0x10001;
  return rnd32();
}

const U64 = (1n << 64n) - 1n;
const s32 = (x: number) => BigInt(x | 0);
const u32 = (x: number) => BigInt(x >>> 0);
const s16 = (x: number) => BigInt((x << 16) >> 16);
const hi16 = (x: number) => BigInt(x >> 16);
const pair = (lo: number, hi: number) => (u32(hi) << 32n) | u32(lo);
function asPair(v: bigint): [number, number] {
  const w = v & U64;
  return [Number(w & 0xffffffffn) | 0, Number(w >> 32n) | 0];
}
function check64(got: number, expected: bigint, what: string): void {
  const [lo, hi] = asPair(expected);
  assert.equal(got, lo, `${what}: low word`);
  assert.equal(M.mul.hi, hi, `${what}: high word`);
}
const fits32 = (v: bigint) => v >= -(1n << 31n) && v < 1n << 31n;

test("long multiplies and UMAAL match 64-bit arithmetic", () => {
  for (let k = 0; k < 3000; k++) {
    const a = operand();
    const b = operand();
    const lo = operand();
    const hi = operand();
    const acc = pair(lo, hi);
    check64(M.umull64(a, b), u32(a) * u32(b), `umull ${a}·${b}`);
    check64(M.smull64(a, b), s32(a) * s32(b), `smull ${a}·${b}`);
    check64(M.umlal64(a, b, lo, hi), u32(a) * u32(b) + acc, "umlal");
    check64(M.smlal64(a, b, lo, hi), s32(a) * s32(b) + acc, "smlal");
    check64(M.umaal(a, b, lo, hi), u32(a) * u32(b) + u32(lo) + u32(hi), "umaal");
  }
});

test("halfword, word-by-halfword and dual multiplies, with their Q conditions", () => {
  for (let k = 0; k < 3000; k++) {
    const n = operand();
    const m = operand();
    const a = operand();
    const nt = rnd32() & 1;
    const mt = rnd32() & 1;
    const nh = nt ? hi16(n) : s16(n);
    const mh = mt ? hi16(m) : s16(m);
    assert.equal(M.smulxy(n, m, nt, mt), Number(nh * mh) | 0);
    const mla = nh * mh + s32(a);
    assert.equal(M.smlaxy(n, m, a, nt, mt), Number(BigInt.asIntN(32, mla)));
    assert.equal(M.mul.q, fits32(mla) ? 0 : 1, "smlaxy Q");
    const w = (s32(n) * mh) >> 16n;
    assert.equal(M.smulwy(n, m, mt), Number(BigInt.asIntN(32, w)));
    const wa = (s32(n) * mh + (s32(a) << 16n)) >> 16n;
    assert.equal(M.smlawy(n, m, a, mt), Number(BigInt.asIntN(32, wa)));
    assert.equal(M.mul.q, fits32(wa) ? 0 : 1, "smlawy Q");
    const x = rnd32() & 1;
    const mm = x ? (m >>> 16) | (m << 16) : m;
    const p1 = s16(n) * s16(mm);
    const p2 = hi16(n) * hi16(mm);
    const sum = p1 + p2 + s32(a);
    assert.equal(M.smlad(n, m, a, x), Number(BigInt.asIntN(32, sum)));
    assert.equal(M.mul.q, fits32(sum) ? 0 : 1, "smlad Q");
    const dif = p1 - p2 + s32(a);
    assert.equal(M.smlsd(n, m, a, x), Number(BigInt.asIntN(32, dif)));
    assert.equal(M.mul.q, fits32(dif) ? 0 : 1, "smlsd Q");
    assert.equal(M.smuad(n, m, x), Number(BigInt.asIntN(32, p1 + p2)));
    assert.equal(M.smusd(n, m, x), Number(BigInt.asIntN(32, p1 - p2)));
    const lo = operand();
    const hi = operand();
    check64(M.smlald(n, m, lo, hi, x), p1 + p2 + pair(lo, hi), "smlald");
    check64(M.smlsld(n, m, lo, hi, x), p1 - p2 + pair(lo, hi), "smlsld");
  }
});

test("SMLAL<x><y> adds the sign-extended product", () => {
  for (let k = 0; k < 2000; k++) {
    const n = operand();
    const m = operand();
    const lo = operand();
    const hi = operand();
    const nt = rnd32() & 1;
    const mt = rnd32() & 1;
    const p = (nt ? hi16(n) : s16(n)) * (mt ? hi16(m) : s16(m));
    check64(M.smlalxy(n, m, lo, hi, nt, mt), p + pair(lo, hi), "smlalxy");
  }
});

test("most-significant-word multiplies round as the pseudocode says", () => {
  for (let k = 0; k < 3000; k++) {
    const n = operand();
    const m = operand();
    const a = operand();
    const r = rnd32() & 1;
    const round = r ? 0x80000000n : 0n;
    const p = s32(n) * s32(m);
    assert.equal(M.smmul(n, m, r), Number(BigInt.asIntN(32, (p + round) >> 32n)), "smmul");
    assert.equal(M.smmla(n, m, a, r), Number(BigInt.asIntN(32, ((s32(a) << 32n) + p + round) >> 32n)), "smmla");
    assert.equal(M.smmls(n, m, a, r), Number(BigInt.asIntN(32, ((s32(a) << 32n) - p + round) >> 32n)), "smmls");
  }
});

test("SDIV/UDIV round towards zero; ÷0 is 0", () => {
  for (let k = 0; k < 3000; k++) {
    const n = operand();
    const m = operand();
    const sq = m === 0 ? 0n : s32(n) / s32(m); // BigInt division truncates towards zero
    const uq = m === 0 ? 0n : u32(n) / u32(m);
    assert.equal(M.sdiv(n, m), Number(BigInt.asIntN(32, sq)), `sdiv ${n}/${m}`);
    assert.equal(M.udiv(n, m), Number(BigInt.asIntN(32, uq)), `udiv ${n}/${m}`);
  }
});

/** Reference parallel add/subtract, lane by lane from the pseudocode of each instruction. */
function refParallel(prefix: number, op: number, n: number, m: number): { res: number; ge: number } {
  const signed = prefix < 4;
  const bits = op === P.PAS_ADD8 || op === P.PAS_SUB8 ? 8 : 16;
  const lanes = 32 / bits;
  const mask = (1 << bits) - 1;
  const lane = (x: number, i: number) => {
    const v = (x >>> (i * bits)) & mask;
    return signed && v >= 1 << (bits - 1) ? v - (1 << bits) : v;
  };
  let res = 0;
  let ge = 0;
  for (let i = 0; i < lanes; i++) {
    let x: number;
    let isAdd: boolean;
    if (bits === 8 || op === P.PAS_ADD16 || op === P.PAS_SUB16) {
      isAdd = op === P.PAS_ADD16 || op === P.PAS_ADD8;
      x = isAdd ? lane(n, i) + lane(m, i) : lane(n, i) - lane(m, i);
    } else if (op === P.PAS_ASX) {
      isAdd = i === 1; // low lane: n.lo − m.hi; high lane: n.hi + m.lo
      x = i === 0 ? lane(n, 0) - lane(m, 1) : lane(n, 1) + lane(m, 0);
    } else {
      isAdd = i === 0; // SAX: low lane n.lo + m.hi; high lane n.hi − m.lo
      x = i === 0 ? lane(n, 0) + lane(m, 1) : lane(n, 1) - lane(m, 0);
    }
    let v: number;
    switch (prefix) {
      case P.PAS_Q:
        v = Math.max(-(1 << (bits - 1)), Math.min((1 << (bits - 1)) - 1, x));
        break;
      case P.PAS_UQ:
        v = Math.max(0, Math.min(mask, x));
        break;
      case P.PAS_SH:
      case P.PAS_UH:
        v = Math.floor(x / 2);
        break;
      default:
        v = x;
    }
    const geBit = signed || !isAdd ? x >= 0 : x >= 1 << bits;
    if (geBit) ge |= (bits === 8 ? 1 : 3) << (i * (bits === 8 ? 1 : 2));
    res |= (v & mask) << (i * bits);
  }
  return { res: res | 0, ge };
}

test("parallel add/subtract: every prefix and operation", () => {
  const prefixes = [P.PAS_S, P.PAS_Q, P.PAS_SH, P.PAS_U, P.PAS_UQ, P.PAS_UH];
  const ops = [P.PAS_ADD16, P.PAS_ASX, P.PAS_SAX, P.PAS_SUB16, P.PAS_ADD8, P.PAS_SUB8];
  for (let k = 0; k < 1000; k++) {
    const n = operand();
    const m = operand();
    for (const prefix of prefixes) {
      for (const op of ops) {
        const want = refParallel(prefix, op, n, m);
        assert.equal(P.parallelAddSub(prefix, op, n, m), want.res, `prefix ${prefix} op ${op} ${n} ${m}`);
        if (prefix === P.PAS_S || prefix === P.PAS_U) assert.equal(P.media.ge, want.ge, `GE prefix ${prefix} op ${op}`);
      }
    }
  }
  P.parallelAddSub(4, P.PAS_ADD16, 1, 1);
  assert.equal(P.media.ge, -1, "prefix 0b100 is unallocated");
  P.parallelAddSub(P.PAS_S, 5, 1, 1);
  assert.equal(P.media.ge, -1, "op 0b101 is unallocated");
});

test("T32 operation field maps onto the same operations", () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7].map((k) => P.pasOpFromT32(k)),
    [P.PAS_ADD8, P.PAS_ADD16, P.PAS_ASX, -1, P.PAS_SUB8, P.PAS_SUB16, P.PAS_SAX, -1],
  );
});

test("saturation helpers report saturation", () => {
  for (let bits = 1; bits <= 32; bits++) {
    const max = 2 ** (bits - 1) - 1;
    assert.equal(P.ssat(0x7fffffff, bits), max | 0);
    assert.equal(P.media.sat, bits === 32 ? 0 : 1);
    assert.equal(P.ssat(-0x80000000, bits), -(2 ** (bits - 1)) | 0);
  }
  for (let bits = 0; bits <= 31; bits++) {
    assert.equal(P.usat(0x7fffffff, bits) >>> 0, 2 ** bits - 1);
    assert.equal(P.media.sat, bits === 31 ? 0 : 1);
    assert.equal(P.usat(-1, bits), 0);
    assert.equal(P.media.sat, 1);
  }
});

test("bit-field helpers at the edges", () => {
  assert.equal(P.ubfx(0xffffffff, 0, 32) >>> 0, 0xffffffff);
  assert.equal(P.sbfx(0x80000000, 31, 1), -1);
  assert.equal(P.sbfx(0x12345678, 0, 32), 0x12345678);
  assert.equal(P.bfi(0, 0xffffffff, 0, 31) >>> 0, 0xffffffff);
  assert.equal(P.bfi(0xffffffff, 0, 31, 31) >>> 0, 0x7fffffff);
});

// The 64-bit multiply helpers against BigInt arithmetic (tests may use BigInt; the core may not),
// on random operands and on the edges where limbs carry into each other.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../helpers/rng.js";
import { mul, umull64, smull64, umlal64, smlal64, umaal } from "../../../src/cpu/ops-multiply.js";

const M64 = (1n << 64n) - 1n;
const u = (x: number): bigint => BigInt(x >>> 0);
const s = (x: number): bigint => BigInt(x | 0);
const pair = (lo: number, hi: number): bigint => (u(hi) << 32n) | u(lo);

const EDGES = [
  0, 1, 2, 0xffff, 0x10000, 0x1ffff, 0x7fffffff, 0x80000000, 0x80000001, 0xfffeffff, 0xffff0000, 0xffffffff,
];

function* operands(): Generator<[number, number, number, number]> {
  for (const a of EDGES) for (const b of EDGES) yield [a, b, a ^ 0x5a5a5a5a, ~b];
  const rng = new Rng(0x2545f491);
  const next = (): number => rng.next() | 0;
  for (let k = 0; k < 20000; k++) yield [next(), next(), next(), next()];
}

test("UMULL, SMULL, UMLAL, SMLAL and UMAAL agree with 64-bit arithmetic", () => {
  for (const [a, b, lo, hi] of operands()) {
    const cases: [string, () => number, bigint][] = [
      ["umull", () => umull64(a, b), (u(a) * u(b)) & M64],
      ["smull", () => smull64(a, b), (s(a) * s(b)) & M64],
      ["umlal", () => umlal64(a, b, lo, hi), (u(a) * u(b) + pair(lo, hi)) & M64],
      ["smlal", () => smlal64(a, b, lo, hi), (s(a) * s(b) + pair(lo, hi)) & M64],
      ["umaal", () => umaal(a, b, lo, hi), (u(a) * u(b) + u(lo) + u(hi)) & M64],
    ];
    for (const [name, run, want] of cases) {
      const got = pair(run(), mul.hi);
      if (got !== want) assert.fail(`${name}(${a >>> 0}, ${b >>> 0}, ${lo >>> 0}, ${hi >>> 0}) = ${got}, want ${want}`);
    }
  }
});

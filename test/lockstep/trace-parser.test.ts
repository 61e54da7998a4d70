// The QEMU log parser, on hand-written log text in QEMU 7.2's `-d cpu[,fpu]` format, split into
// chunks at every possible point (the log arrives through a pipe in arbitrary pieces).

import { test } from "node:test";
import assert from "node:assert/strict";
import { TraceParser, type TraceState } from "./qemu-trace.js";

function regsBlock(base: number, pc: number, psr: string): string {
  const lines: string[] = [];
  for (let row = 0; row < 4; row++) {
    const parts: string[] = [];
    for (let c = 0; c < 4; c++) {
      const n = row * 4 + c;
      const v = n === 15 ? pc : (base + n * 0x01010101) >>> 0;
      parts.push(`R${n.toString().padStart(2, "0")}=${v.toString(16).padStart(8, "0")}`);
    }
    lines.push(parts.join(" "));
  }
  lines.push(`PSR=${psr} -Z-- A svc32`);
  return lines.join("\n") + "\n";
}

function fpuBlock(): string {
  const lines: string[] = [];
  for (let d = 0; d < 32; d++) {
    const s0 = (2 * d).toString().padStart(2, "0");
    const s1 = (2 * d + 1).toString().padStart(2, "0");
    const hi = (0x3ff00000 + d).toString(16).padStart(8, "0");
    const lo = (0xabc00000 + d).toString(16).padStart(8, "0");
    lines.push(`s${s0}=${lo} s${s1}=${hi} d${d.toString().padStart(2, "0")}=${hi}${lo}`);
  }
  lines.push("FPSCR: 03c00010");
  return lines.join("\n") + "\n";
}

function parseAll(text: string, fpu: boolean, chunk: number): { pcs: number[]; last: TraceState | null } {
  const pcs: number[] = [];
  let last: TraceState | null = null;
  const p = new TraceParser(fpu, (s) => {
    pcs.push(s.r[15] >>> 0);
    last = s;
    return true;
  });
  const buf = Buffer.from(text, "latin1");
  for (let k = 0; k < buf.length; k += chunk) p.feed(buf.subarray(k, k + chunk));
  return { pcs, last };
}

test("integer records: every register, the PSR, records in order, any chunking", () => {
  const text =
    "----------------\nIN: \n0x40010000:  ea000006  b        #0x40010020\n\n" +
    regsBlock(0x10000000, 0x40010000, "400001d3") +
    regsBlock(0x20000000, 0x40010020, "a00001f3");
  for (const chunk of [1, 3, 7, 64, 1 << 20]) {
    const { pcs, last } = parseAll(text, false, chunk);
    assert.deepEqual(pcs, [0x40010000, 0x40010020], `chunk ${chunk}`);
    const s = last as TraceState | null;
    assert.ok(s);
    assert.equal(s.r[0] >>> 0, 0x20000000);
    assert.equal(s.r[14] >>> 0, (0x20000000 + 14 * 0x01010101) >>> 0);
    assert.equal(s.cpsr >>> 0, 0xa00001f3);
  }
});

test("fpu records end at FPSCR and carry D0-D31 as (low, high) words", () => {
  const text = regsBlock(0, 0x40010004, "600001d3") + fpuBlock();
  const { pcs, last } = parseAll(text, true, 5);
  assert.deepEqual(pcs, [0x40010004]);
  const s = last as TraceState | null;
  assert.ok(s);
  assert.equal(s.fpscr >>> 0, 0x03c00010);
  assert.equal(s.d[2 * 31] >>> 0, 0xabc0001f, "D31 low word");
  assert.equal(s.d[2 * 31 + 1] >>> 0, 0x3ff0001f, "D31 high word");
  assert.equal(s.d[0] >>> 0, 0xabc00000);
});

test("without fpu the PSR line ends a record, so a following fpu dump is ignored", () => {
  const text = regsBlock(0, 0x40010004, "600001d3") + fpuBlock() + regsBlock(0, 0x40010008, "600001d3");
  const { pcs } = parseAll(text, false, 11);
  assert.deepEqual(pcs, [0x40010004, 0x40010008]);
});

test("returning false stops the parser", () => {
  const text = regsBlock(0, 0x1000, "000001d3") + regsBlock(0, 0x2000, "000001d3");
  const pcs: number[] = [];
  const p = new TraceParser(false, (s) => {
    pcs.push(s.r[15]);
    return false;
  });
  p.feed(Buffer.from(text));
  assert.deepEqual(pcs, [0x1000]);
  assert.equal(p.stopped, true);
});

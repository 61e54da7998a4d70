// Two cores that ran the same code two ways (fast path or translated block against the full
// decoder or the interpreter) must end in the same visible state.

import assert from "node:assert/strict";
import type { Harness } from "./cpu-harness.js";

export interface Compared {
  /** Also the instruction count, trapped MMIO accesses and ITSTATE. */
  instructions?: boolean;
  traps?: boolean;
  it?: boolean;
}

export function assertSameCore(a: Harness, b: Harness, what: string, also: Compared = {}): void {
  const x = a.cpu;
  const y = b.cpu;
  for (let k = 0; k < 15; k++) assert.equal(x.r[k], y.r[k], `${what}: r${k}`);
  assert.equal(x.nextPc | 0, y.nextPc | 0, `${what}: next PC`);
  assert.equal(x.getCpsr(), y.getCpsr(), `${what}: CPSR`);
  if (also.it) assert.equal(x.it, y.it, `${what}: ITSTATE`);
  assert.equal(x.mode, y.mode, `${what}: mode`);
  if (also.instructions) assert.equal(x.instructions, y.instructions, `${what}: instructions`);
  if (also.traps) assert.deepEqual(x.traps, y.traps, `${what}: MMIO accesses`);
  assert.ok(Buffer.from(a.stage2.memory).equals(Buffer.from(b.stage2.memory)), `${what}: memory`);
}

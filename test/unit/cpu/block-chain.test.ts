// Chaining (block-table.ts): the run loop finds the block a translated block goes on to among the
// two successors it went on to before, without a lookup by address; a successor whose page was
// dropped (code rewritten) never matches again, so the new code runs.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { Block } from "../../../src/cpu/code-cache.js";
import { makeCpu, loadHalfwords, loadWords } from "../../helpers/cpu-harness.js";

const AT = 0x2000;
const SUB = AT + 0x1000;

// A loop that calls a subroutine on the next page twice per pass, so the subroutine's return has
// two successors that alternate, 100 passes:
//   mov r1, #100; loop: bl sub; bl sub; subs r1, #1; bne loop; b .    sub: add r0, #1; bx lr
const ARM_MAIN = [0xe3a01064, 0xeb0003fd, 0xeb0003fc, 0xe2511001, 0x1afffffb, 0xeafffffe];
const ARM_SUB = [0xe2800001, 0xe12fff1e];
const ARM_ADD16 = 0xe2800010;
const THUMB_MAIN = [0x2164, 0xf000, 0xfffd, 0xf000, 0xfffb, 0x3901, 0xd1f9, 0xe7fe];
const THUMB_SUB = [0x3001, 0x4770];
const THUMB_ADD16 = 0x3010;
/** Instructions from the start to the final `b .`: mov, then 100 passes of 2 calls (3 each) and
 * the loop's 2. */
const PROGRAM = 1 + 100 * (2 * 3 + 2);

function machine(thumb: boolean) {
  const h = makeCpu(thumb ? [] : ARM_MAIN, AT, thumb);
  if (thumb) {
    loadHalfwords(h.stage2, AT, THUMB_MAIN);
    loadHalfwords(h.stage2, SUB, THUMB_SUB);
  } else {
    loadWords(h.stage2, SUB, ARM_SUB);
  }
  h.cpu.mmu.code.hotThreshold = 1;
  const again = () => {
    h.cpu.r[0] = 0;
    h.cpu.setPc(AT, thumb);
    h.cpu.run(PROGRAM);
  };
  return { ...h, again };
}

function slots(thumb: boolean, blocks: ReturnType<typeof machine>, at: number): (Block | undefined)[] {
  const page = blocks.cpu.mmu.code.pages[at >>> 12];
  return (thumb ? page?.thumbBlocks : page?.blocks) ?? [];
}

for (const thumb of [false, true]) {
  const state = thumb ? "Thumb" : "ARM";

  test(`${state}: a block's two last successors are found without a lookup`, () => {
    const m = machine(thumb);
    m.again();
    assert.equal(m.cpu.r[0], 200);
    const code = m.cpu.mmu.code;
    const before = code.lookups;
    m.again();
    assert.equal(m.cpu.r[0], 200);
    // The subroutine returns to two places in turn; with both remembered, the 400 block entries
    // of the second run take a lookup only at its start and end.
    assert.ok(code.lookups - before <= 4, `${code.lookups - before} lookups in a warm run`);
    const sub = slots(thumb, m, SUB)[0];
    assert.ok(sub !== undefined && sub.fn !== null, "subroutine translated");
    const returns = [sub.next0?.va, sub.next1?.va].sort((x, y) => (x ?? 0) - (y ?? 0));
    // After the first call (at AT + 4, or AT + 2 in Thumb) and after the second; each BL is 4 bytes.
    const first = AT + (thumb ? 2 : 4) + 4;
    assert.deepEqual(returns, [first, first + 4], "the two return sites");
  });

  test(`${state}: a cached successor whose code is rewritten is not run`, () => {
    const m = machine(thumb);
    m.again();
    assert.equal(m.cpu.r[0], 200);
    const old = slots(thumb, m, SUB)[0];
    assert.ok(old !== undefined && old.fn !== null);
    const callers = slots(thumb, m, AT).filter((b) => b !== undefined && (b.next0 === old || b.next1 === old));
    assert.ok(callers.length > 0, "the subroutine is a cached successor");
    // Rewritten as a loader would: add 16 now. The page's blocks are dropped, the cached ones too.
    if (thumb) loadHalfwords(m.stage2, SUB, [THUMB_ADD16]);
    else loadWords(m.stage2, SUB, [ARM_ADD16]);
    assert.equal(old.off, -1, "dropped");
    m.again();
    assert.equal(m.cpu.r[0], 200 * 16);
  });
}

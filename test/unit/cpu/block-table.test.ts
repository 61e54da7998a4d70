// The interpreter's counting on cold runs (block-table.ts): the targets of the branches it takes are
// entries into their blocks, so a loop it runs becomes hot after hotThreshold passes, however few
// cold runs it took; and with the interpreter alone (`--jit off`) nothing is counted or made.

import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCpu, loadHalfwords } from "../../helpers/cpu-harness.js";

const AT = 0x2000;
// Thumb: movs r0, #1; lsls r0, r0, #16; 1: subs r0, #1; bne 1b; b .
const THUMB_LOOP = [0x2001, 0x0400, 0x3801, 0xd1fd, 0xe7fe];
// ARM: mov r0, #0x10000; 1: subs r0, r0, #1; bne 1b; b .
const ARM_LOOP = [0xe3a00801, 0xe2500001, 0x1afffffd, 0xeafffffe];

function run(thumb: boolean, jit: boolean, passes: number) {
  const h = makeCpu(thumb ? [] : ARM_LOOP, AT, thumb);
  if (thumb) loadHalfwords(h.stage2, AT, THUMB_LOOP);
  h.cpu.jit = jit;
  h.cpu.mmu.code.hotThreshold = 1000;
  h.cpu.run(2 + 2 * passes);
  return { code: h.cpu.mmu.code, r0: h.cpu.r[0], instructions: h.cpu.instructions };
}

for (const thumb of [true, false]) {
  const state = thumb ? "Thumb" : "ARM";
  test(`${state}: a loop inside one cold run is translated after hotThreshold passes`, () => {
    // 1100 passes are a few cold runs of a few hundred instructions: counted per run, the loop would
    // stay cold; counted per pass, it is translated once past 1000.
    const below = run(thumb, true, 900);
    assert.equal(below.code.compiled, 0, "900 passes: still cold");
    const above = run(thumb, true, 1100);
    assert.equal(above.code.compiled, 1, "1100 passes: translated");
    // The same instructions ran, to the same result, as with the interpreter alone.
    const interpreted = run(thumb, false, 1100);
    assert.equal(above.r0, interpreted.r0);
    assert.equal(above.instructions, interpreted.instructions);
  });

  test(`${state}: the interpreter alone counts nothing and makes no block`, () => {
    const { code } = run(thumb, false, 3000);
    assert.equal(code.compiled, 0);
    assert.ok(
      code.pages.every((p) => p === undefined),
      "no page of blocks",
    );
  });
}

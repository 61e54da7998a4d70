// The lockstep harness on hand-made QEMU states (no QEMU needed): a QEMU record that repeats the
// previous one is compared with armvmm's state like any other. It must not be skipped as a
// "duplicate" when armvmm's state differs from it: that would hide an instruction QEMU runs as a
// no-op (a branch to itself) and armvmm does not.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLockstep, type LockstepOptions, type TraceSource } from "./lockstep.js";
import { TraceState } from "./qemu-trace.js";
import { IMAGE_OFFSET, RAM_BASE } from "./machine.js";

const ENTRY = RAM_BASE + IMAGE_OFFSET;
// mov r0, #1; b . (the guest's end: a branch to itself)
const IMAGE = [0xe3a00001, 0xeafffffe];

const dir = mkdtempSync(join(tmpdir(), "armvmm-repeat-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const kernel = join(dir, "image.bin");
writeFileSync(kernel, Buffer.from(new Uint32Array(IMAGE).buffer));

/** QEMU's state before the instruction at `pc`, SVC mode with IRQ and FIQ masked. */
function state(pc: number, r0: number): TraceState {
  const s = new TraceState();
  s.r[0] = r0;
  s.r[1] = -1;
  s.r[15] = pc | 0;
  s.cpsr = 0x1d3;
  return s;
}
const BEFORE_MOV = state(ENTRY, 0);
const AT_LOOP = state(ENTRY + 4, 1);

/** Replays `states` as QEMU's log, then ends like QEMU exiting. */
function replay(states: TraceState[]): TraceSource {
  return {
    dtb: () => Buffer.alloc(0),
    start(onState, onEnd) {
      setImmediate(() => {
        for (const s of states) if (!onState(s)) break;
        onEnd(0);
      });
      return { console: "", stderr: "" };
    },
  };
}

function run(states: TraceState[], extra: Partial<LockstepOptions> = {}) {
  return runLockstep({ kernel, memMiB: 1, fpu: false, source: replay(states), ...extra });
}

test("a repeated QEMU record that armvmm's state also matches (a branch to itself) is compared and counted", async () => {
  const r = await run([BEFORE_MOV, AT_LOOP, AT_LOOP, AT_LOOP]);
  assert.equal(r.ok, true, r.report);
  assert.equal(r.end, "guest-ended");
  assert.equal(r.instructions, 3, r.report);
});

test("an instruction QEMU runs as a no-op and armvmm does not is a divergence, not a skipped record", async () => {
  // armvmm's `b .` is made to change r5; QEMU's state after it repeats the state before it.
  const r = await run([BEFORE_MOV, AT_LOOP, AT_LOOP, AT_LOOP], {
    afterStep: (m, n) => {
      if (n === 2) m.cpu.r[5] = 0x55;
    },
  });
  assert.equal(r.ok, false, r.report);
  assert.equal(r.end, "divergence");
  assert.equal(r.instructions, 1, r.report);
  assert.match(r.report, /^ {2}r5 +00000000 {2}00000055 {2}<-- differs$/m);
  assert.match(r.report, /note: QEMU's state after the instruction repeats its state before it/);
});

test("a QEMU record that repeats the previous one while armvmm's instruction changed the state is a divergence", async () => {
  // QEMU logs the state before `mov r0, #1` twice; armvmm has run it (r0 = 1, pc + 4).
  const r = await run([BEFORE_MOV, BEFORE_MOV, AT_LOOP, AT_LOOP]);
  assert.equal(r.ok, false, r.report);
  assert.equal(r.end, "divergence");
  assert.equal(r.instructions, 0, r.report);
  assert.match(r.report, /^ {2}r0 +00000000 {2}00000001 {2}<-- differs$/m);
  assert.match(r.report, /^ {2}pc +40010000 {2}40010004 {2}<-- differs$/m);
});

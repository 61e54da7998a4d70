// Cross-check against QEMU's VFP (see vfp-qemu-vectors.ts for how the vectors were made): every
// arithmetic, compare and conversion instruction, in every rounding mode, with FZ and DN, on operands
// chosen to hit the rounding, NaN and range corner cases. Results and flags must match bit for bit.

import { test } from "node:test";
import assert from "node:assert/strict";
import { loadWords } from "../../helpers/cpu-harness.js";
import { Mode } from "../../../src/cpu/state.js";
import { CODE, getD, hex8, setD, vfp } from "./vfp-harness.js";
import { QEMU_VECTORS } from "./vfp-qemu-vectors.js";

test("VFP data processing matches QEMU's results and FPSCR bit for bit", () => {
  const { cpu, stage2 } = vfp([]);
  const lines = QEMU_VECTORS.trim().split("\n");
  assert.ok(lines.length > 1000);
  const failures: string[] = [];
  for (const line of lines) {
    const [instr, fpscr, d0, d1, d2, want0, wantFpscr] = line.split(" ");
    loadWords(stage2, CODE, [parseInt(instr, 16)]);
    cpu.setPc(CODE);
    cpu.vfp.fpscr = parseInt(fpscr, 16);
    setD(cpu, 0, d0);
    setD(cpu, 1, d1);
    setD(cpu, 2, d2);
    cpu.run(1);
    assert.equal(cpu.mode, Mode.SVC, `${instr} trapped`);
    const got = `${getD(cpu, 0)} ${hex8(cpu.vfp.fpscr)}`;
    if (got !== `${want0} ${wantFpscr}`) failures.push(`${line}: got ${got}`);
  }
  assert.deepEqual(failures.slice(0, 10), []);
});

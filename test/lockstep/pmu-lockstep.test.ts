// The PMU counters QEMU's Cortex-A15 counts as armvmm does, in lockstep: the pmu-count guest reads
// INST_RETIRED, CPU_CYCLES, SW_INCR and PMCCNTR (the ÷64 divider left out) while a loop runs, and every register is
// compared with QEMU's after every instruction. QEMU counts instructions and cycles exactly only
// under -icount (one instruction per nanosecond with shift=0), so QEMU runs with it here.

import { test } from "node:test";
import assert from "node:assert/strict";
import { runLockstep } from "./lockstep.js";
import { guestImage, skipWithoutQemu } from "./qemu-skip.js";

test("lockstep with QEMU (-icount shift=0): the PMU counters of pmu-count", { timeout: 180_000 }, async (t) => {
  if (skipWithoutQemu(t)) return;
  const r = await runLockstep({ ...guestImage("pmu-count"), memMiB: 128, fpu: false, extra: ["-icount", "shift=0"] });
  assert.ok(r.ok, r.report);
  assert.equal(r.end, "guest-ended", r.report);
  assert.equal(r.armvmmConsole, "", "the guest found a count that makes no sense");
  assert.ok(r.instructions > 1000, `only ${r.instructions} instructions ran: ${r.report}`);
});

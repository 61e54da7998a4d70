// The PMU guest (guests/pmu): every check passes in icount mode, with translated code and with the
// interpreter alone, printing the same bytes; --stats counts the two overflow interrupts. QEMU
// (-icount shift=0) is the oracle for what it implements the same way: PMCR's reset value, the
// instruction and cycle counts over the guest's loops (÷64 too), PMSWINC, the cycle counter's
// overflow interrupt on PPI 23 and PMUSERENR at PL0. (QEMU's Cortex-A15 reports PMUv3's PMCEID,
// has no EXC_TAKEN/EXC_RETURN, and finds an instruction counter's overflow only when the PMU is
// next touched, so those checks are armvmm's alone.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { runCli, guestSummary, guestImage } from "./cli-runner.js";
import { skipWithoutQemu } from "../lockstep/qemu-skip.js";

const MIN_PASSED = 47;

function guestLines(stdout: string): string[] {
  return stdout.split("\n").filter((l) => /^(PASS|FAIL|INFO):/.test(l));
}

test("pmu guest: every check passes in icount mode, JIT on and off, byte for byte", async () => {
  const on = await runCli(["run", "--kernel", guestImage("pmu"), "--clock", "icount", "--stats"]);
  const off = await runCli(["run", "--kernel", guestImage("pmu"), "--clock", "icount", "--jit", "off"]);
  for (const r of [on, off]) {
    const summary = guestSummary(r.stdout, "pmu");
    assert.ok(summary, `no summary:\n${r.stdout}\n${r.stderr}`);
    assert.deepEqual(
      r.stdout.split("\n").filter((l) => l.startsWith("FAIL")),
      [],
    );
    assert.ok(summary.passed >= MIN_PASSED, `only ${summary.passed} checks ran`);
    assert.equal(r.code, 0, r.stderr);
  }
  assert.deepEqual(guestLines(on.stdout), guestLines(off.stdout));
  assert.match(on.stderr, /^pmu irq +2$/m, "two overflow interrupts injected");
});

test("pmu guest against QEMU: the counts and the checks QEMU implements the same way agree", async (t) => {
  if (skipWithoutQemu(t)) return;
  const q = spawnSync(
    "qemu-system-arm",
    [
      "-M",
      "virt,gic-version=2",
      "-cpu",
      "cortex-a15",
      "-nographic",
      // sleep=off: with every vcpu in WFI, QEMU jumps to the next deadline (as armvmm's icount
      // clock does) rather than letting host time pass, which made the count after the overflow
      // interrupt's wait depend on how loaded the host was.
      "-icount",
      "shift=0,sleep=off",
      "-kernel",
      guestImage("pmu"),
    ],
    { encoding: "utf8", timeout: 60_000 },
  );
  const qemu = guestLines(q.stdout ?? "");
  assert.ok(qemu.length > 0, `QEMU printed nothing: ${q.stderr}`);
  const ours = guestLines((await runCli(["run", "--kernel", guestImage("pmu"), "--clock", "icount"])).stdout);
  const info = (lines: string[]) => lines.filter((l) => l.startsWith("INFO: loop"));
  const comparable = [
    "PASS: PMCR reset (IMP 0x41, IDCODE 0x0F, N = 6)",
    "PASS: INST_RETIRED over the loop: 2n + 3 instructions",
    "PASS: PMCCNTR over the loop: one cycle per instruction",
    "PASS: INST_RETIRED over the long loop",
    "PASS: PMCCNTR with PMCR.D counts every 64 cycles",
    "PASS: SW_INCR: three PMSWINC writes",
    "PASS: cycle counter overflow interrupt",
    "PASS: PL0 PMCCNTR read with PMUSERENR.EN = 0 is UNDEFINED",
    "PASS:   reads the counter",
    "PASS: PL0 PMINTENSET read is UNDEFINED even with EN",
  ];
  for (const line of comparable) {
    assert.ok(qemu.includes(line), `QEMU: no "${line}"`);
    assert.ok(ours.includes(line), `armvmm: no "${line}"`);
  }
  const expected = [
    "INFO: loop of 1000: 2003 instructions, 2003 cycles",
    "INFO: loop of 64000 with PMCR.D: 128003 instructions, 2000 cycle counts",
  ];
  assert.deepEqual(info(ours), expected, "armvmm's counts");
  // On a loaded host QEMU once counted the ÷64 loop as 2001 (in a CI run; not reproduced since),
  // which the guest's own check allows: where the prescaler's phase stands when PMCR.C resets the
  // counter is QEMU's own. The instructions and the undivided cycles must agree exactly.
  const [qemuPlain, qemuDivided] = info(qemu);
  assert.equal(qemuPlain, expected[0], "QEMU's counts over the plain loop");
  assert.match(qemuDivided ?? "", /^INFO: loop of 64000 with PMCR\.D: 128003 instructions, 200[01] cycle counts$/);
});

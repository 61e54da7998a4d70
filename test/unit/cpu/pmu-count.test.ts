// Counting: instructions, cycles (÷64 too), exceptions taken and returned, software increments,
// the privilege filters, and overflow at the exact instruction with the interrupt output, the
// same with translated code as with the interpreter.

import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCpu, makeThumbCpu } from "../../helpers/cpu-harness.js";
import { CodeCache } from "../../../src/cpu/code-cache.js";
import { ExitReason } from "../../../src/cpu/exits.js";
import { LINE_IRQ, type Cpu } from "../../../src/cpu/core.js";
import { Mode } from "../../../src/cpu/state.js";
import * as P from "../../../src/cpu/pmu-regs.js";

/** subs r1, r1, #1; bne 0; b . */
const LOOP = [0xe2511001, 0x1afffffd, 0xeafffffe];

function loopCpu(jit: boolean, iterations: number): Cpu {
  const { cpu, stage2 } = makeCpu(LOOP);
  CodeCache.of(stage2.memory.buffer as ArrayBuffer).hotThreshold = 2;
  cpu.jit = jit;
  cpu.r[1] = iterations;
  return cpu;
}

function counter(cpu: Cpu, n: number, event: number, value = 0): void {
  cpu.pmu.write(P.PMSELR, n);
  cpu.pmu.write(P.PMXEVTYPER, event);
  cpu.pmu.write(P.PMXEVCNTR, value);
}

function readCounter(cpu: Cpu, n: number): number {
  cpu.pmu.write(P.PMSELR, n);
  return cpu.pmu.read(P.PMXEVCNTR) >>> 0;
}

for (const jit of [false, true]) {
  const mode = jit ? "JIT" : "interpreter";

  test(`${mode}: INST_RETIRED, CPU_CYCLES and PMCCNTR count one per instruction`, () => {
    const cpu = loopCpu(jit, 1000);
    counter(cpu, 0, P.EV_INST_RETIRED);
    counter(cpu, 1, P.EV_CPU_CYCLES);
    cpu.pmu.write(P.PMCNTENSET, 0x80000003);
    cpu.pmu.write(P.PMCR, P.PMCR_E);
    assert.equal(cpu.run(2500), ExitReason.SLICE);
    assert.equal(readCounter(cpu, 0), 2500);
    assert.equal(readCounter(cpu, 1), 2500);
    assert.equal(cpu.pmu.read(P.PMCCNTR), 2500);
  });

  test(`${mode}: PMCR.D counts the cycle counter every 64 cycles, carrying the remainder`, () => {
    const cpu = loopCpu(jit, 1000);
    cpu.pmu.write(P.PMCNTENSET, P.CYCLE_BIT);
    cpu.pmu.write(P.PMCR, P.PMCR_E | P.PMCR_D);
    cpu.run(100);
    assert.equal(cpu.pmu.read(P.PMCCNTR), 1);
    cpu.run(28);
    assert.equal(cpu.pmu.read(P.PMCCNTR), 2);
  });

  test(`${mode}: a counter that wraps stops the slice after the exact instruction and raises the interrupt`, () => {
    const cpu = loopCpu(jit, 100000);
    const levels: boolean[] = [];
    cpu.pmu.connect({
      set: (level) => {
        levels.push(level);
        cpu.setLine(LINE_IRQ, level);
      },
    });
    counter(cpu, 2, P.EV_INST_RETIRED, 0xffffffff - 1233);
    cpu.pmu.write(P.PMCNTENSET, 1 << 2);
    cpu.pmu.write(P.PMINTENSET, 1 << 2);
    cpu.pmu.write(P.PMCR, P.PMCR_E);
    assert.equal(cpu.run(100000), ExitReason.IRQ);
    assert.equal(cpu.instructions, 1234);
    assert.equal(cpu.pmu.read(P.PMOVSR), 1 << 2);
    assert.equal(readCounter(cpu, 2), 0);
    assert.deepEqual(levels, [false, true]);
    cpu.pmu.write(P.PMOVSR, 1 << 2);
    assert.deepEqual(levels, [false, true, false]);
  });

  test(`${mode}: the cycle counter with ÷64 overflows after 64 instructions per count left`, () => {
    const cpu = loopCpu(jit, 100000);
    cpu.pmu.connect({ set: (level) => cpu.setLine(LINE_IRQ, level) });
    cpu.pmu.write(P.PMCCNTR, 0xfffffffe);
    cpu.pmu.write(P.PMCNTENSET, P.CYCLE_BIT);
    cpu.pmu.write(P.PMINTENSET, P.CYCLE_BIT);
    cpu.pmu.write(P.PMCR, P.PMCR_E | P.PMCR_D);
    assert.equal(cpu.run(100000), ExitReason.IRQ);
    assert.equal(cpu.instructions, 128);
    assert.equal(cpu.pmu.read(P.PMOVSR) >>> 0, P.CYCLE_BIT >>> 0);
  });
}

for (const jit of [false, true]) {
  test(`PC_WRITE_RETIRED (${jit ? "JIT" : "interpreter"}): taken branches and branches to themselves, ARM and Thumb`, () => {
    const arm = loopCpu(jit, 10);
    // subs r1, #1; bne.n 0; b.n .
    const { cpu: thumb } = makeThumbCpu([0x3901, 0xd1fd, 0xe7fe]);
    thumb.jit = jit;
    thumb.r[1] = 10;
    for (const cpu of [arm, thumb]) {
      counter(cpu, 0, P.EV_PC_WRITE_RETIRED);
      counter(cpu, 1, P.EV_INST_RETIRED);
      cpu.pmu.write(P.PMCNTENSET, 3);
      cpu.pmu.write(P.PMCR, P.PMCR_E);
      cpu.run(25);
      // 10 iterations (9 taken branches), then 5 branches to themselves.
      assert.equal(readCounter(cpu, 0), 14, cpu.t ? "Thumb" : "ARM");
      assert.equal(readCounter(cpu, 1), 25);
    }
  });
}

test("an UNDEFINED instruction starts (a cycle) but does not retire; EXC_TAKEN and EXC_RETURN count", () => {
  // 0x04 (UND vector): movs pc, lr; 0x100: udf; 0x104: b .
  const { cpu, stage2 } = makeCpu([0, 0xe1b0f00e]);
  const m = new DataView(stage2.memory.buffer);
  m.setUint32(0x100, 0xe7f000f0, true);
  m.setUint32(0x104, 0xeafffffe, true);
  cpu.setPc(0x100);
  counter(cpu, 0, P.EV_INST_RETIRED);
  counter(cpu, 1, P.EV_CPU_CYCLES);
  counter(cpu, 2, P.EV_EXC_TAKEN);
  counter(cpu, 3, P.EV_EXC_RETURN);
  counter(cpu, 4, P.EV_PC_WRITE_RETIRED);
  cpu.pmu.write(P.PMCNTENSET, 0x1f);
  cpu.pmu.write(P.PMCR, P.PMCR_E);
  cpu.run(10);
  assert.equal(cpu.nextPc, 0x104);
  // PC writes: the exception return and 8 branches to themselves; the exception is none.
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((n) => readCounter(cpu, n)),
    [9, 10, 1, 1, 9],
  );
});

test("PMSWINC increments the enabled SW_INCR counters it names", () => {
  const { cpu } = makeCpu();
  counter(cpu, 0, P.EV_SW_INCR);
  counter(cpu, 1, P.EV_SW_INCR);
  counter(cpu, 2, P.EV_INST_RETIRED);
  cpu.pmu.write(P.PMCNTENSET, 0x7);
  cpu.pmu.write(P.PMSWINC, 0x7);
  assert.deepEqual(
    [0, 1, 2].map((n) => readCounter(cpu, n)),
    [0, 0, 0],
    "PMCR.E clear",
  );
  cpu.pmu.write(P.PMCR, P.PMCR_E);
  cpu.pmu.write(P.PMSWINC, 0x5);
  cpu.pmu.write(P.PMSWINC, 0x1);
  assert.deepEqual(
    [0, 1, 2].map((n) => readCounter(cpu, n)),
    [2, 0, 0],
  );
});

test("filters: P excludes PL1 and U excludes PL0 (Non-secure: when NSK/NSU differ from them)", () => {
  const cpu = loopCpu(false, 100000);
  counter(cpu, 0, P.EV_INST_RETIRED | P.EVT_P);
  counter(cpu, 1, P.EV_INST_RETIRED | P.EVT_U);
  counter(cpu, 2, P.EV_INST_RETIRED | P.EVT_P | P.EVT_NSK);
  cpu.pmu.write(P.PMSELR, 31);
  cpu.pmu.write(P.PMXEVTYPER, P.EVT_U);
  cpu.pmu.write(P.PMCNTENSET, 0x80000007);
  cpu.pmu.write(P.PMCR, P.PMCR_E);
  cpu.run(100); // in SVC mode
  cpu.switchMode(Mode.USR);
  cpu.run(30);
  assert.deepEqual(
    [0, 1, 2].map((n) => readCounter(cpu, n)),
    [30, 100, 130],
  );
  assert.equal(cpu.pmu.read(P.PMCCNTR), 100);
});

test("no counter enabled: the PMU stays out of the run loop", () => {
  const cpu = loopCpu(true, 1000);
  cpu.pmu.write(P.PMCNTENSET, 0x3f);
  assert.equal(cpu.pmu.active, false, "PMCR.E clear");
  cpu.run(2000);
  assert.equal(cpu.pmu.read(P.PMCCNTR), 0);
});

/** ldr r2, [r0]; str r2, [r0, #4]; ldmia r0, {r3, r4}; subs r1, r1, #1; bne 0; b . */
const MEMORY_LOOP = [0xe5902000, 0xe5802004, 0xe8900018, 0xe2511001, 0x1afffffa, 0xeafffffe];

for (const jit of [false, true]) {
  const mode = jit ? "JIT" : "interpreter";

  test(`${mode}: MEM_ACCESS counts every data access (one per word of an LDM), none once disabled`, () => {
    const { cpu, stage2 } = makeCpu(MEMORY_LOOP);
    CodeCache.of(stage2.memory.buffer as ArrayBuffer).hotThreshold = 2;
    cpu.jit = jit;
    cpu.r[0] = 0x1000;
    cpu.r[1] = 100;
    // Warm the TLB and the translation first, so that counting must take the data pages back out.
    cpu.run(50);
    counter(cpu, 3, P.EV_MEM_ACCESS);
    cpu.pmu.write(P.PMCNTENSET, 1 << 3);
    cpu.pmu.write(P.PMCR, P.PMCR_E);
    cpu.run(2000);
    assert.equal(cpu.r[1], 0);
    // 10 iterations (50 instructions) ran before counting began; 90 more, 4 accesses each.
    assert.equal(readCounter(cpu, 3), 90 * 4);
    cpu.pmu.write(P.PMCNTENCLR, 1 << 3);
    cpu.r[1] = 10;
    cpu.setPc(0, false);
    cpu.run(200);
    assert.equal(readCounter(cpu, 3), 90 * 4);
  });
}

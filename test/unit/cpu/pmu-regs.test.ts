// The performance-monitor registers one by one: reset values (Cortex-A15 TRM r4p0, 11.8), writable
// bits, set/clear pairs, PMSELR indirection (PMCCFILTR at SEL 31), HDCR.HPMN, PMUSERENR at PL0,
// and the HDCR.TPM/TPMCR traps with their EC 0x03 syndrome.

import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCpu } from "../../helpers/cpu-harness.js";
import { Mode } from "../../../src/cpu/state.js";
import { encode, exec, read, write, REG, type RegName } from "./pmu-harness.js";

test("reset values are the Cortex-A15's: PMCR 0x410F3000 (N = 6), PMCEID0 names the events counted", () => {
  const { cpu } = makeCpu();
  const expected: Partial<Record<RegName, number>> = {
    PMCR: 0x410f3000,
    PMCNTENSET: 0,
    PMCNTENCLR: 0,
    PMOVSR: 0,
    PMSELR: 0,
    PMCEID0: (1 << 0x00) | (1 << 0x08) | (1 << 0x09) | (1 << 0x0a) | (1 << 0x0c) | (1 << 0x11) | (1 << 0x13),
    PMCEID1: 0,
    PMCCNTR: 0,
    PMXEVTYPER: 0,
    PMXEVCNTR: 0,
    PMUSERENR: 0,
    PMINTENSET: 0,
    PMINTENCLR: 0,
  };
  for (const [name, value] of Object.entries(expected)) assert.equal(read(cpu, name as RegName), value, name);
});

test("PMOVSSET (PMUv3) and unallocated c9 PMU encodings are UNDEFINED", () => {
  const { cpu } = makeCpu();
  assert.equal(exec(cpu, encode("PMOVSSET", true)), true);
  assert.equal(exec(cpu, encode("PMOVSSET", false)), true);
  assert.equal(exec(cpu, 0xee190f7d), true, "mrc p15, 0, r0, c9, c13, 3");
  assert.equal(exec(cpu, 0xee190f7e), true, "mrc p15, 0, r0, c9, c14, 3");
});

test("PMCR: E, D, X, DP are stored; P and C reset the counters and read as zero; N and IDs are fixed", () => {
  const { cpu } = makeCpu();
  write(cpu, "PMCR", 0xffffffff);
  assert.equal(read(cpu, "PMCR"), 0x410f3000 | 0x39);
  write(cpu, "PMSELR", 2);
  write(cpu, "PMXEVCNTR", 1234);
  write(cpu, "PMCCNTR", 5678);
  write(cpu, "PMCR", 0x2); // P: event counters only
  assert.equal(read(cpu, "PMXEVCNTR"), 0);
  assert.equal(read(cpu, "PMCCNTR"), 5678);
  write(cpu, "PMCR", 0x4); // C: the cycle counter
  assert.equal(read(cpu, "PMCCNTR"), 0);
  assert.equal(read(cpu, "PMCR"), 0x410f3000);
});

test("set/clear pairs: PMCNTENSET/CLR and PMINTENSET/CLR hold bits 0-5 and 31; PMOVSR is write-one-to-clear", () => {
  const { cpu } = makeCpu();
  write(cpu, "PMCNTENSET", 0xffffffff);
  assert.equal(read(cpu, "PMCNTENSET"), 0x8000003f);
  assert.equal(read(cpu, "PMCNTENCLR"), 0x8000003f);
  write(cpu, "PMCNTENCLR", 0x80000005);
  assert.equal(read(cpu, "PMCNTENSET"), 0x3a);
  write(cpu, "PMINTENSET", 0x80000041);
  assert.equal(read(cpu, "PMINTENCLR"), 0x80000001);
  write(cpu, "PMINTENCLR", 1);
  assert.equal(read(cpu, "PMINTENSET"), 0x80000000);
  cpu.pmu.ovs = 0x80000011;
  write(cpu, "PMOVSR", 0x10);
  assert.equal(read(cpu, "PMOVSR"), 0x80000001);
});

test("PMSELR selects PMXEVTYPER/PMXEVCNTR; SEL 31 makes PMXEVTYPER the cycle counter's filter", () => {
  const { cpu } = makeCpu();
  for (let n = 0; n < 6; n++) {
    write(cpu, "PMSELR", n);
    write(cpu, "PMXEVTYPER", 0xffffff00 | n);
    write(cpu, "PMXEVCNTR", 100 + n);
  }
  for (let n = 0; n < 6; n++) {
    write(cpu, "PMSELR", n);
    assert.equal(read(cpu, "PMSELR"), n);
    assert.equal(read(cpu, "PMXEVTYPER"), (0xf8000000 | n) >>> 0, `evtype ${n}`);
    assert.equal(read(cpu, "PMXEVCNTR"), 100 + n);
  }
  write(cpu, "PMSELR", 31);
  write(cpu, "PMXEVTYPER", 0xffffffff);
  assert.equal(read(cpu, "PMXEVTYPER"), 0xf8000000, "PMCCFILTR: filter bits only");
  assert.equal(read(cpu, "PMXEVCNTR"), 0, "no event counter 31");
  write(cpu, "PMSELR", 0xff);
  assert.equal(read(cpu, "PMSELR"), 31);
  write(cpu, "PMSELR", 7);
  write(cpu, "PMXEVCNTR", 9);
  assert.equal(read(cpu, "PMXEVCNTR"), 0, "counter 7 does not exist");
});

test("HDCR.HPMN hides the counters it reserves for Hyp: PMCR.N follows it, their bits read as zero", () => {
  const { cpu } = makeCpu();
  cpu.writeHdcr(4);
  assert.equal((read(cpu, "PMCR") >>> 11) & 0x1f, 4);
  write(cpu, "PMCNTENSET", 0xffffffff);
  assert.equal(read(cpu, "PMCNTENSET"), 0x8000000f);
  write(cpu, "PMSELR", 5);
  write(cpu, "PMXEVTYPER", 0x08);
  assert.equal(read(cpu, "PMXEVTYPER"), 0);
});

test("PL0: UNDEFINED unless PMUSERENR.EN; PMUSERENR is read-only and PMINTENSET/CLR PL1-only there", () => {
  const { cpu } = makeCpu();
  cpu.switchMode(Mode.USR);
  assert.equal(read(cpu, "PMUSERENR"), 0);
  for (const name of Object.keys(REG) as RegName[]) {
    if (name === "PMUSERENR") continue;
    assert.equal(exec(cpu, encode(name, true)), true, `MRC ${name} at PL0`);
    assert.equal(exec(cpu, encode(name, false)), true, `MCR ${name} at PL0`);
  }
  cpu.switchMode(Mode.SVC);
  write(cpu, "PMUSERENR", 0xffffffff);
  assert.equal(read(cpu, "PMUSERENR"), 1);
  cpu.switchMode(Mode.USR);
  assert.equal(exec(cpu, encode("PMUSERENR", false)), true, "PMUSERENR write at PL0");
  assert.equal(exec(cpu, encode("PMINTENSET", true)), true);
  assert.equal(exec(cpu, encode("PMINTENCLR", false)), true);
  write(cpu, "PMCCNTR", 77);
  assert.equal(read(cpu, "PMCCNTR"), 77);
  assert.equal(read(cpu, "PMCR"), 0x410f3000);
});

test("HDCR.TPMCR traps PMCR only; HDCR.TPM traps every PMU register, with the EC 0x03 syndrome", () => {
  const { cpu, traps } = makeCpu();
  cpu.writeHdcr(6 | (1 << 5));
  cpu.r[3] = 0x11;
  exec(cpu, 0xee093f1c); // mcr p15, 0, r3, c9, c12, 0 (PMCR)
  write(cpu, "PMSELR", 1);
  assert.equal(traps.coproc.length, 1);
  const { hsr, lo } = traps.coproc[0];
  // EC 0x03, IL, CV, COND 0xE, Opc2 0, Opc1 0, CRn 9, Rt 3, CRm 12, write.
  assert.equal(
    hsr >>> 0,
    ((0x03 << 26) | (1 << 25) | (1 << 24) | (0xe << 20) | (9 << 10) | (3 << 5) | (12 << 1)) >>> 0,
  );
  assert.equal(lo, 0x11);
  assert.equal(read(cpu, "PMCR") & 1, 0, "the trapped write did not reach PMCR");
  assert.equal(traps.coproc.length, 2);
  cpu.writeHdcr(6 | (1 << 6));
  read(cpu, "PMCCNTR");
  write(cpu, "PMXEVTYPER", 8);
  assert.equal(traps.coproc.length, 4);
  assert.equal((traps.coproc[2].hsr >>> 1) & 0xf, 13, "CRm of PMCCNTR");
  assert.equal(traps.coproc[2].hsr & 1, 1, "a read");
  // PL0 without PMUSERENR.EN: UNDEFINED first, not trapped.
  cpu.switchMode(Mode.USR);
  assert.equal(exec(cpu, encode("PMCCNTR", true)), true);
  assert.equal(traps.coproc.length, 4);
});

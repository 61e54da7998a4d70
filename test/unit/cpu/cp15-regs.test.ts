// CP15 MCR/MRC: identification values, register masks, access rules at PL0 and PL1, UNDEFINED
// encodings, barriers and the VA-to-PA operations. Instruction words checked with arm-none-eabi-as.

import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCpu } from "../../helpers/cpu-harness.js";
import type { Cpu } from "../../../src/cpu/core.js";
import { Mode } from "../../../src/cpu/state.js";
import { enableMmu, Tables } from "./mmu-tables.js";

const PC = 0x200;

/** Executes a CP15 instruction as if at PC; returns true if it was UNDEFINED. */
function exec(cpu: Cpu, instr: number): boolean {
  cpu.curPc = PC;
  cpu.exceptionTaken = false;
  const mode = cpu.mode;
  cpu.cp15.execute(instr);
  const undef = cpu.exceptionTaken && cpu.mode === Mode.UND;
  if (undef) {
    assert.equal(cpu.r[14], PC + 4, "LR_und");
    cpu.switchMode(mode);
  }
  return undef;
}

function mrc(cpu: Cpu, instr: number, rt: number): number {
  cpu.r[rt] = 0x0badf00d;
  assert.equal(exec(cpu, instr), false, `mrc ${instr.toString(16)} is UNDEFINED`);
  return cpu.r[rt] >>> 0;
}

function mcr(cpu: Cpu, instr: number, rt: number, value: number): void {
  cpu.r[rt] = value;
  assert.equal(exec(cpu, instr), false, `mcr ${instr.toString(16)} is UNDEFINED`);
}

test("MIDR and MPIDR follow the hypervisor's VPIDR/VMPIDR", () => {
  const { cpu } = makeCpu();
  assert.equal(mrc(cpu, 0xee101f10, 1), 0x414fc0f0); // mrc p15, 0, r1, c0, c0, 0
  assert.equal(mrc(cpu, 0xee101fb0, 1), 0x80000000); // mrc p15, 0, r1, c0, c0, 5
  cpu.hyp.vpidr = 0x412fc0f1;
  cpu.hyp.vmpidr = 0x80000003;
  assert.equal(mrc(cpu, 0xee101f10, 1), 0x412fc0f1);
  assert.equal(mrc(cpu, 0xee101fb0, 1), 0x80000003);
});

test("cache identification: CTR, CLIDR, and CCSIDR selected by CSSELR", () => {
  const { cpu } = makeCpu();
  assert.equal(mrc(cpu, 0xee101f30, 1), 0x8444c004); // mrc p15, 0, r1, c0, c0, 1 (CTR)
  assert.equal(mrc(cpu, 0xee301f30, 1), 0x0a200023); // mrc p15, 1, r1, c0, c0, 1 (CLIDR)
  const ccsidr = (sel: number) => {
    mcr(cpu, 0xee400f10, 0, sel); // mcr p15, 2, r0, c0, c0, 0 (CSSELR)
    return mrc(cpu, 0xee301f10, 1); // mrc p15, 1, r1, c0, c0, 0 (CCSIDR)
  };
  assert.equal(ccsidr(0), 0x701fe00a);
  assert.equal(ccsidr(1), 0x201fe00a);
  assert.equal(ccsidr(2), 0x711fe07a);
});

test("feature registers: VMSAv7 with PXN and LPAE, no Security Extensions, reserved ID space reads zero", () => {
  const { cpu } = makeCpu();
  const mmfr0 = mrc(cpu, 0xee101f91, 1); // mrc p15, 0, r1, c0, c1, 4
  // 5 = VMSAv7 with PXN and the Long-descriptor format, the Cortex-A15 value (TRM 4.3.32).
  assert.equal(mmfr0 & 0xf, 5, "VMSA support: v7 with PXN and long descriptors");
  const pfr1 = mrc(cpu, 0xee101f31, 1); // mrc p15, 0, r1, c0, c1, 1
  assert.equal((pfr1 >>> 4) & 0xf, 0, "no Security Extensions");
  assert.equal((pfr1 >>> 16) & 0xf, 1, "generic timer");
  assert.equal(mrc(cpu, 0xee100f13, 0), 0); // mrc p15, 0, r0, c0, c3, 0: reserved CPUID space
  assert.equal(exec(cpu, 0xee100f18), true); // mrc p15, 0, r0, c0, c8, 0: not an ID register
});

test("SCTLR: reset value, read-as-one bits, and only the implemented bits writable", () => {
  const { cpu } = makeCpu();
  assert.equal(mrc(cpu, 0xee110f10, 0), 0x00c50078); // mrc p15, 0, r0, c1, c0, 0
  mcr(cpu, 0xee010f10, 0, 0xffffffff);
  // RAO 3,4,6,16,18,22,23 plus M A C CP15BEN SW Z I V RR TRE AFE TE; EE, WXN, NMFI... stay 0.
  // RR (bit 14) has no effect but reads back as written, as QEMU's A15 does (the zImage writes it).
  assert.equal(mrc(cpu, 0xee110f10, 0), 0x70c57c7f);
  mcr(cpu, 0xee010f10, 0, 0);
  assert.equal(mrc(cpu, 0xee110f10, 0), 0x00c50058);
  mcr(cpu, 0xee010f10, 0, 0x10c5387d); // what Linux writes
  assert.equal(mrc(cpu, 0xee110f10, 0), 0x10c5387d);
});

test("register masks: CPACR cp10/cp11 only, TTBCR N/PD0/PD1, VBAR 32-byte aligned, ACTLR RAZ/WI", () => {
  const { cpu } = makeCpu();
  mcr(cpu, 0xee010f50, 0, 0xffffffff); // mcr p15, 0, r0, c1, c0, 2 (CPACR)
  assert.equal(mrc(cpu, 0xee110f50, 0), 0x00f00000);
  mcr(cpu, 0xee020f50, 0, 0x7fffffff); // mcr p15, 0, r0, c2, c0, 2 (TTBCR, EAE = 0)
  assert.equal(mrc(cpu, 0xee120f50, 0), 0x37); // mrc p15, 0, r0, c2, c0, 2
  // EAE = 1: the Long-descriptor layout (B4.1.153): T0SZ [2:0], EPD0..SH0 [13:7], T1SZ [18:16],
  // A1..SH1 [29:22], EAE [31]; bit 30 is IMPLEMENTATION DEFINED (RAZ here) and the rest UNK/SBZP.
  mcr(cpu, 0xee020f50, 0, 0xffffffff);
  assert.equal(mrc(cpu, 0xee120f50, 0) >>> 0, 0xbfc73f87);
  mcr(cpu, 0xee020f50, 0, 0);
  mcr(cpu, 0xee0c0f10, 0, 0x12345677); // mcr p15, 0, r0, c12, c0, 0 (VBAR)
  assert.equal(mrc(cpu, 0xee1c0f10, 0), 0x12345660);
  assert.equal(cpu.cp15.vbar, 0x12345660);
  mcr(cpu, 0xee010f30, 0, 0x41); // mcr p15, 0, r0, c1, c0, 1 (ACTLR)
  assert.equal(mrc(cpu, 0xee110f30, 0), 0);
  mcr(cpu, 0xee0d0f90, 0, 0xc0de0001); // mcr p15, 0, r0, c13, c0, 4 (TPIDRPRW)
  assert.equal(mrc(cpu, 0xee1d0f90, 0), 0xc0de0001);
  mcr(cpu, 0xee0d0f30, 0, 0x1234); // CONTEXTIDR
  assert.equal(mrc(cpu, 0xee1d0f30, 0), 0x1234);
});

test("DFSR/DFAR/IFSR/IFAR read back what the abort wrote", () => {
  const { cpu } = makeCpu();
  cpu.curPc = 0x80;
  cpu.dataAbort(0x80f, 0xc0001234);
  cpu.switchMode(Mode.SVC);
  assert.equal(mrc(cpu, 0xee150f10, 0), 0x80f); // mrc p15, 0, r0, c5, c0, 0
  assert.equal(mrc(cpu, 0xee160f10, 0), 0xc0001234); // mrc p15, 0, r0, c6, c0, 0
  cpu.prefetchAbort(0x00d, 0x8000);
  cpu.switchMode(Mode.SVC);
  assert.equal(mrc(cpu, 0xee150f30, 0), 0x00d); // mrc p15, 0, r0, c5, c0, 1
  assert.equal(mrc(cpu, 0xee160f50, 0), 0x8000); // mrc p15, 0, r0, c6, c0, 2
});

test("PL0: thread ID registers and barriers only; everything else is UNDEFINED", () => {
  const { cpu } = makeCpu();
  mcr(cpu, 0xee0d2f70, 2, 0x7700); // mcr p15, 0, r2, c13, c0, 3 (TPIDRURO, at PL1)
  cpu.switchMode(Mode.USR);
  assert.equal(mrc(cpu, 0xee1d2f70, 2), 0x7700); // mrc p15, 0, r2, c13, c0, 3
  assert.equal(exec(cpu, 0xee0d2f70), true, "TPIDRURO is read-only at PL0");
  mcr(cpu, 0xee0d2f50, 2, 0x5500); // mcr p15, 0, r2, c13, c0, 2 (TPIDRURW)
  assert.equal(mrc(cpu, 0xee1d2f50, 2), 0x5500);
  mcr(cpu, 0xee070fba, 0, 0); // mcr p15, 0, r0, c7, c10, 5 (CP15DMB)
  mcr(cpu, 0xee070f95, 0, 0); // mcr p15, 0, r0, c7, c5, 4 (CP15ISB)
  for (const instr of [
    0xee101f10, // mrc p15, 0, r1, c0, c0, 0 (MIDR)
    0xee110f10, // mrc p15, 0, r0, c1, c0, 0 (SCTLR)
    0xee030f10, // mcr p15, 0, r0, c3, c0, 0 (DACR)
    0xee080f17, // mcr p15, 0, r0, c8, c7, 0 (TLBIALL)
    0xee070f15, // mcr p15, 0, r0, c7, c5, 0 (ICIALLU)
    0xee190f1c, // mrc p15, 0, r0, c9, c12, 0 (PMCR)
    0xee1f0f10, // mrc p15, 0, r0, c15, c0, 0
  ]) {
    assert.equal(exec(cpu, instr), true, instr.toString(16));
  }
  assert.equal(cpu.cp15.dacr, 0);
});

test("Hyp-only, Secure-only and unknown encodings are UNDEFINED at PL1", () => {
  const { cpu } = makeCpu();
  for (const instr of [
    0xee910f11, // mrc p15, 4, r0, c1, c1, 0 (HCR)
    0xee110f11, // mrc p15, 0, r0, c1, c1, 0 (SCR)
    0xec410f42, // mcrr p15, 4, r0, r1, c2 (HTTBR)
    0xec410f62, // mcrr p15, 6, r0, r1, c2 (VTTBR)
    0xec454f4e, // mcrr p15, 4, r4, r5, c14 (CNTVOFF)
    0xee000f10, // mcr p15, 0, r0, c0, c0, 0 (MIDR is read-only)
    0xee180f17, // mrc p15, 0, r0, c8, c7, 0 (TLBIALL is write-only)
    0xed900f00, // ldc p15, c0, [r0]
    0xee000f00, // cdp p15, 0, c0, c0, c0, 0
  ]) {
    assert.equal(exec(cpu, instr), true, instr.toString(16));
  }
});

test("IMPLEMENTATION DEFINED c15 registers are RAZ/WI at PL1; cache maintenance is a no-op", () => {
  const { cpu } = makeCpu();
  assert.equal(mrc(cpu, 0xee1f0f10, 0), 0);
  mcr(cpu, 0xee0f0f10, 0, 0xffffffff); // mcr p15, 0, r0, c15, c0, 0
  assert.equal(mrc(cpu, 0xee1f0f10, 0), 0);
  mcr(cpu, 0xee070f15, 0, 0); // ICIALLU
  mcr(cpu, 0xee070f3e, 0, 0x1000); // mcr p15, 0, r0, c7, c14, 1 (DCCIMVAC)
  mcr(cpu, 0xee070f5e, 0, 0); // mcr p15, 0, r0, c7, c14, 2 (DCCISW)
});

test("CP15 barriers are UNDEFINED when SCTLR.CP15BEN is 0", () => {
  const { cpu } = makeCpu();
  mcr(cpu, 0xee070f9a, 0, 0); // mcr p15, 0, r0, c7, c10, 4 (CP15DSB)
  mcr(cpu, 0xee010f10, 0, 0x00c50058); // SCTLR with CP15BEN clear
  assert.equal(exec(cpu, 0xee070f9a), true);
  assert.equal(exec(cpu, 0xee070fba), true);
  assert.equal(exec(cpu, 0xee070f95), true);
});

test("MRC to APSR_nzcv copies bits [31:28] into the flags", () => {
  const { cpu } = makeCpu();
  mcr(cpu, 0xee0d0f90, 0, 0xa0000000); // TPIDRPRW = N and C set
  cpu.n = cpu.z = cpu.c = cpu.v = 0;
  cpu.z = 1;
  assert.equal(exec(cpu, 0xee1dff90), false); // mrc p15, 0, APSR_nzcv, c13, c0, 4
  assert.deepEqual([cpu.n, cpu.z, cpu.c, cpu.v], [1, 0, 1, 0]);
});

test("ATS1CPR/ATS1CUR: PAR holds the PA and attributes, or F and the fault status, with no abort", () => {
  const { cpu, stage2 } = makeCpu();
  const t = new Tables(stage2);
  t.section(0x00100000, 0, { texcb: 0b00111 });
  t.section(0x00200000, 0, { texcb: 0b00111, s: true });
  t.section(0x00300000, 0, { ap: 0b001 });
  enableMmu(cpu);
  const par = () => mrc(cpu, 0xee171f14, 1); // mrc p15, 0, r1, c7, c4, 0
  mcr(cpu, 0xee070f18, 0, 0x00102345); // mcr p15, 0, r0, c7, c8, 0 (ATS1CPR)
  // PA 0x2000 | NS | Inner WB-WA (0b101) | Outer WB-WA (0b01), not shareable.
  assert.equal(par(), 0x00002000 | 0x200 | (5 << 4) | (1 << 2));
  mcr(cpu, 0xee070f58, 0, 0x00300000); // mcr p15, 0, r0, c7, c8, 2 (ATS1CUR): PL1-only section
  assert.equal(par(), (0b01101 << 1) | 1);
  mcr(cpu, 0xee070f18, 0, 0x00500000); // unmapped
  assert.equal(par(), (0b00101 << 1) | 1);
  assert.equal(cpu.cp15.dfsr, 0, "no abort was taken");
  // TEX remap with Linux's PRRR/NMRR: index 7 is Normal, inner/outer WB-WA, shareable -> inner shareable.
  mcr(cpu, 0xee0a0f12, 0, 0xff0a81a8); // mcr p15, 0, r0, c10, c2, 0 (PRRR)
  mcr(cpu, 0xee0a0f32, 0, 0x40e040e0); // mcr p15, 0, r0, c10, c2, 1 (NMRR)
  mcr(cpu, 0xee010f10, 0, cpu.cp15.sctlr | (1 << 28));
  mcr(cpu, 0xee070f18, 0, 0x00200010);
  assert.equal(par(), 0x400 | 0x200 | 0x80 | (5 << 4) | (1 << 2));
});

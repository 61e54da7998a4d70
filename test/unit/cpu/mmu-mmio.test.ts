// Stage 2: RAM, hardware windows reached without an exit, and stage-2 data aborts handed to the
// hypervisor with the HSR syndrome decoded from the faulting instruction (DDI 0406C B3.13.6).

import { test } from "node:test";
import assert from "node:assert/strict";
import { Cpu } from "../../../src/cpu/core.js";
import { Stage2 } from "../../../src/cpu/stage2.js";
import type { HypTraps } from "../../../src/cpu/exits.js";
import { loadHalfwords, loadWords } from "../../helpers/cpu-harness.js";
import { enableMmu, expectAbort, flatMap, poke32, peek32, Tables } from "./mmu-tables.js";

interface Access {
  hsr: number;
  ipa: number;
  va: number;
  size: number;
  isWrite: boolean;
  value: number;
}

class Traps implements HypTraps {
  trapHi = 0;
  externalAbort = false;
  answer = 0;
  refuse = false;
  readonly log: Access[] = [];
  dataAbort(hsr: number, ipa: number, va: number, size: number, isWrite: boolean, value: number): number {
    this.log.push({ hsr, ipa, va, size, isWrite, value });
    if (this.refuse) this.externalAbort = true;
    return this.answer;
  }
  coprocTrap(): number {
    return 0;
  }
}

const CODE = 0x100;
const UART = 0x09000000;

/** 1 MiB of RAM at 0, 64 KiB of read-only "flash" at 0x00100000 (backing offset 0x100000). */
function machine() {
  const stage2 = new Stage2(0x110000);
  stage2.addRam(0, 0x100000, 0, true);
  stage2.addRam(0x00100000, 0x10000, 0x100000, false);
  const cpu = new Cpu(stage2);
  const traps = new Traps();
  cpu.traps = traps;
  cpu.curPc = CODE;
  return { cpu, stage2, traps };
}

/** Places an A32 instruction at CODE as the one being executed. */
function arm(cpu: Cpu, stage2: Stage2, instr: number): void {
  loadWords(stage2, CODE, [instr]);
  cpu.t = 0;
}

function thumb(cpu: Cpu, stage2: Stage2, halves: number[]): void {
  loadHalfwords(stage2, CODE, halves);
  cpu.t = 1;
}

const hex = (v: number) => "0x" + (v >>> 0).toString(16);

test("LDRH to an unbacked IPA: EC 0x24, IL, ISV, SAS=halfword, SRT, DFSC translation; value returned", () => {
  const { cpu, stage2, traps } = machine();
  new Tables(stage2).section(0xf0000000, UART);
  new Tables(stage2).section(0x00000000, 0);
  enableMmu(cpu);
  arm(cpu, stage2, 0xe1d130b0); // ldrh r3, [r1]
  traps.answer = 0x1234abcd;
  assert.equal(cpu.mmu.read16(0xf0000004), 0xabcd, "zero-extended to the access size");
  assert.equal(traps.log.length, 1);
  const a = traps.log[0];
  assert.equal(hex(a.hsr), "0x93430007");
  assert.deepEqual([a.ipa, a.va, a.size, a.isWrite], [UART + 4, 0xf0000004, 2, false]);
  assert.equal(hex(cpu.exit.hsr), "0x93430007");
  assert.equal(cpu.exit.hdfar, 0xf0000004);
  assert.equal(cpu.exit.ipa, UART + 4);
});

test("A32 single loads and stores: SAS, SSE, SRT and WnR", () => {
  const cases: [number, string, (c: Cpu) => void, string][] = [
    [0xe5c02001, "strb r2, [r0, #1]", (c) => c.mmu.write8(UART, 0x15a), "0x93020047"],
    [0xe15140d2, "ldrsb r4, [r1, #-2]", (c) => c.mmu.read8(UART), "0x93240007"],
    [0xe19150f2, "ldrsh r5, [r1, r2]", (c) => c.mmu.read16(UART), "0x93650007"],
    [0xe5916008, "ldr r6, [r1, #8]", (c) => c.mmu.read32(UART), "0x93860007"],
    [0xe5817000, "str r7, [r1]", (c) => c.mmu.write32(UART, 7), "0x93870047"],
    [0xe1c130b2, "strh r3, [r1, #2]", (c) => c.mmu.write16(UART, 0x12345), "0x93430047"],
  ];
  for (const [instr, asm, access, hsr] of cases) {
    const { cpu, stage2, traps } = machine();
    arm(cpu, stage2, instr);
    access(cpu);
    assert.equal(hex(traps.log[0].hsr), hsr, asm);
  }
  const { cpu, stage2, traps } = machine();
  arm(cpu, stage2, 0xe5c02001);
  cpu.mmu.write8(UART, 0x15a);
  cpu.mmu.write16(UART, 0x12345);
  assert.equal(traps.log[0].value, 0x5a, "byte store value masked");
  assert.equal(traps.log[1].value, 0x2345, "halfword store value masked");
});

test("no instruction syndrome (ISV = 0) for writeback, T forms in ARM, LDRD, LDM, PC transfers, size mismatch", () => {
  const cases: [number, string][] = [
    [0xe4910004, "ldr r0, [r1], #4"],
    [0xe5b10004, "ldr r0, [r1, #4]!"],
    [0xe4b12000, "ldrt r2, [r1], #0"],
    [0xe1c120d0, "ldrd r2, r3, [r1]"],
    [0xe891000c, "ldm r1, {r2, r3}"],
    [0xe591f000, "ldr pc, [r1]"],
    [0xe1d130b0, "ldrh r3, [r1] (but a word access reached the device)"],
  ];
  for (const [instr, asm] of cases) {
    const { cpu, stage2, traps } = machine();
    arm(cpu, stage2, instr);
    cpu.mmu.read32(UART);
    assert.equal(hex(traps.log[0].hsr), "0x92000007", asm);
  }
});

test("Thumb: 16-bit forms have IL = 0; 32-bit forms decode SAS/SSE/SRT and writeback", () => {
  const cases: [number[], string, (c: Cpu) => void, string][] = [
    [[0x6851], "ldr r1, [r2, #4]", (c) => c.mmu.read32(UART), "0x91810007"],
    [[0x8063], "strh r3, [r4, #2]", (c) => c.mmu.write16(UART, 1), "0x91430047"],
    [[0x56d1], "ldrsb r1, [r2, r3]", (c) => c.mmu.read8(UART), "0x91210007"],
    [[0xf8d9, 0x8008], "ldr.w r8, [r9, #8]", (c) => c.mmu.read32(UART), "0x93880007"],
    [[0xf9bb, 0xa002], "ldrsh.w r10, [r11, #2]", (c) => c.mmu.read16(UART), "0x936a0007"],
    [[0xf851, 0x0b04], "ldr.w r0, [r1], #4", (c) => c.mmu.read32(UART), "0x92000007"],
    [[0xf851, 0x2e04], "ldrt r2, [r1, #4]", (c) => c.mmu.read32u(UART), "0x93820007"],
    [[0xf801, 0x2c01], "strb.w r2, [r1, #-1]", (c) => c.mmu.write8(UART, 1), "0x93020047"],
    [[0xf811, 0x3012], "ldrb.w r3, [r1, r2, lsl #1]", (c) => c.mmu.read8(UART), "0x93030007"],
  ];
  for (const [halves, asm, access, hsr] of cases) {
    const { cpu, stage2, traps } = machine();
    thumb(cpu, stage2, halves);
    access(cpu);
    assert.equal(hex(traps.log[0].hsr), hsr, asm);
  }
});

test("the hypervisor may answer with an external abort; without a hypervisor every access gets one", () => {
  const { cpu, stage2, traps } = machine();
  arm(cpu, stage2, 0xe5916008);
  traps.refuse = true;
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.read32(UART + 8)),
    { prefetch: false, fsr: 0x008, far: UART + 8 },
  );
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.write32(UART + 8, 1)),
    { prefetch: false, fsr: 0x808, far: UART + 8 },
  );
  traps.refuse = false;
  cpu.mmu.read32(UART);
  assert.equal(traps.log.length, 3, "the flag is cleared before each call");
  cpu.traps = null;
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.read8(UART)),
    { prefetch: false, fsr: 0x008, far: UART },
  );
});

test("a hardware window (GIC virtual CPU interface) is accessed directly, without a trap", () => {
  const { cpu, stage2, traps } = machine();
  const calls: string[] = [];
  stage2.addHardware(0x08010000, 0x2000, {
    read: (offset, size) => {
      calls.push(`r ${hex(offset)} ${size}`);
      return 0x3ff;
    },
    write: (offset, size, value) => {
      calls.push(`w ${hex(offset)} ${size} ${hex(value)}`);
    },
  });
  assert.equal(cpu.mmu.read32(0x0801000c), 0x3ff);
  cpu.mmu.write32(0x08010010, 0x21);
  cpu.mmu.write16(0x08011000, 0xabcdef);
  assert.deepEqual(calls, ["r 0xc 4", "w 0x10 4 0x21", "w 0x1000 2 0xcdef"]);
  assert.equal(traps.log.length, 0);
});

test("read-only RAM (flash): reads and fetches come from memory, writes go to the hypervisor", () => {
  const { cpu, stage2, traps } = machine();
  poke32(stage2, 0x100040, 0xe3a00001);
  arm(cpu, stage2, 0xe5817000); // str r7, [r1]
  assert.equal(cpu.mmu.read32(0x00100040) >>> 0, 0xe3a00001);
  assert.equal(cpu.mmu.fetch32(0x00100040) >>> 0, 0xe3a00001);
  cpu.mmu.write32(0x00100040, 0x12345678);
  cpu.mmu.write32(0x00100040, 0x12345678);
  assert.equal(peek32(stage2, 0x100040), 0xe3a00001);
  assert.equal(traps.log.length, 2, "never cached for writes");
  // Stage-2 permission fault, level 3 (DFSC 0b001111).
  assert.equal(hex(traps.log[0].hsr), "0x9387004f");
  assert.equal(traps.log[0].value, 0x12345678);
  assert.equal(traps.log[0].ipa, 0x00100040);
});

test("an unaligned access to an unbacked IPA mapped Normal at stage 1 is split into byte accesses without a syndrome", () => {
  const { cpu, stage2, traps } = machine();
  flatMap(cpu, stage2);
  arm(cpu, stage2, 0xe5916008);
  traps.answer = 0xa5;
  assert.equal(cpu.mmu.read32(UART + 2) >>> 0, 0xa5a5a5a5);
  assert.deepEqual(
    traps.log.map((a) => [a.ipa - UART, a.size, hex(a.hsr)]),
    [
      [2, 1, "0x92000007"],
      [3, 1, "0x92000007"],
      [4, 1, "0x92000007"],
      [5, 1, "0x92000007"],
    ],
  );
  traps.log.length = 0;
  cpu.mmu.write16(UART + 1, 0xbeef);
  assert.deepEqual(
    traps.log.map((a) => [a.ipa - UART, a.value]),
    [
      [1, 0xef],
      [2, 0xbe],
    ],
  );
});

test("an unaligned access to Device memory at stage 1 is an alignment fault before any trap", () => {
  const { cpu, stage2, traps } = machine();
  flatMap(cpu, stage2, 0b00001);
  arm(cpu, stage2, 0xe5916008);
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.read32(UART + 2)),
    { prefetch: false, fsr: 0x001, far: UART + 2 },
  );
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.write16(UART + 0xfff, 1)),
    {
      prefetch: false,
      fsr: 0x801,
      far: UART + 0xfff,
    },
  );
  assert.equal(traps.log.length, 0);
  cpu.mmu.read32(UART + 4);
  assert.equal(traps.log.length, 1, "aligned accesses still trap");
});

test("an unaligned access to a hardware window (Device at stage 2) is a stage-2 alignment fault to the hypervisor", () => {
  const { cpu, stage2, traps } = machine();
  const calls: string[] = [];
  stage2.addHardware(0x08010000, 0x2000, {
    read: () => {
      calls.push("r");
      return 0;
    },
    write: () => calls.push("w"),
  });
  flatMap(cpu, stage2);
  arm(cpu, stage2, 0xe5916008); // ldr r6, [r1, #8]
  traps.refuse = true;
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.read32(0x08010002)),
    { prefetch: false, fsr: 0x008, far: 0x08010002 },
  );
  // EC 0x24, IL, ISV with SAS = word and SRT = 6, DFSC = 0b100001 (alignment).
  assert.equal(hex(traps.log[0].hsr), "0x93860021");
  assert.deepEqual([traps.log[0].ipa, traps.log[0].size], [0x08010002, 4]);
  // Across a page boundary into the window, and a store.
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.write32(0x0800fffe, 5)),
    {
      prefetch: false,
      fsr: 0x808,
      far: 0x08010000,
    },
  );
  assert.equal(traps.log[1].hsr & 0x3f, 0x21);
  assert.deepEqual(calls, [], "the window never sees the access");
});

test("instruction fetch from a device or unbacked IPA is a prefetch abort (external)", () => {
  const { cpu, traps } = machine();
  assert.deepEqual(
    expectAbort(cpu, () => cpu.mmu.fetch32(UART)),
    { prefetch: true, fsr: 0x008, far: UART },
  );
  assert.equal(traps.log.length, 0);
});

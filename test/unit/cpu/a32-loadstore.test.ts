// A32 single loads and stores: addressing modes and writeback, byte/halfword/signed/doubleword
// forms, unaligned LDR/LDRH versus the alignment-checked LDRD/LDREX, PC-relative loads and loads
// to the PC, the T forms, aborts that leave the registers untouched, and the exclusive monitor.

import { test } from "node:test";
import assert from "node:assert/strict";
import { runA32, u32, peek32, poke32, VEC_DABT, VEC_UND } from "./a32-util.js";
import type { Harness } from "../../helpers/cpu-harness.js";
import { Mode } from "../../../src/cpu/state.js";
import { flatMap } from "./mmu-tables.js";

const DATA = 0x1000;
const UNMAPPED = 0x200000; // the harness maps 1 MiB at 0

function withData(words: number[], regs: Record<number, number>, data: number[] = [], steps?: number): Harness {
  return runA32(words, {
    regs,
    steps,
    setup: (h) => data.forEach((w, k) => poke32(h, DATA + 4 * k, w)),
  });
}

/** Runs with no hypervisor attached, so an access outside RAM is an external abort into the guest. */
function withoutHypervisor(words: number[], regs: Record<number, number>): Harness {
  return runA32(words, {
    regs,
    setup: (h) => {
      h.cpu.traps = null;
    },
  });
}

test("LDR with offset, pre-indexed writeback and post-indexing", () => {
  const data = [0x11111111, 0xdeadbeef, 0x33333333];
  let { cpu } = withData([0xe5910004], { 1: DATA }, data); // ldr r0, [r1, #4]
  assert.equal(u32(cpu, 0), 0xdeadbeef);
  assert.equal(u32(cpu, 1), DATA);
  ({ cpu } = withData([0xe5310004], { 1: DATA + 8 }, data)); // ldr r0, [r1, #-4]!
  assert.equal(u32(cpu, 0), 0xdeadbeef);
  assert.equal(u32(cpu, 1), DATA + 4);
  ({ cpu } = withData([0xe4910008], { 1: DATA + 4 }, data)); // ldr r0, [r1], #8
  assert.equal(u32(cpu, 0), 0xdeadbeef);
  assert.equal(u32(cpu, 1), DATA + 12);
});

test("STR pre-indexed and post-indexed", () => {
  let h = withData([0xe5a10004], { 0: 0xcafef00d, 1: DATA }); // str r0, [r1, #4]!
  assert.equal(peek32(h, DATA + 4), 0xcafef00d);
  assert.equal(u32(h.cpu, 1), DATA + 4);
  h = withData([0xe4010004], { 0: 0x12345678, 1: DATA }); // str r0, [r1], #-4
  assert.equal(peek32(h, DATA), 0x12345678);
  assert.equal(u32(h.cpu, 1), DATA - 4);
});

test("LDRB/STRB touch one byte", () => {
  let h = withData([0xe5d10001], { 1: DATA }, [0x44332211]); // ldrb r0, [r1, #1]
  assert.equal(u32(h.cpu, 0), 0x22);
  h = withData([0xe5c10003], { 0: 0x123456aa, 1: DATA }, [0x44332211]); // strb r0, [r1, #3]
  assert.equal(peek32(h, DATA), 0xaa332211);
});

test("scaled register offsets, negative and post-indexed", () => {
  const data = [0x10, 0x20, 0x30];
  let { cpu } = withData([0xe7910102], { 1: DATA, 2: 1 }, data); // ldr r0, [r1, r2, lsl #2]
  assert.equal(u32(cpu, 0), 0x20);
  ({ cpu } = withData([0xe7310102], { 1: DATA + 8, 2: 1 }, data)); // ldr r0, [r1, -r2, lsl #2]!
  assert.equal(u32(cpu, 0), 0x20);
  assert.equal(u32(cpu, 1), DATA + 4);
  ({ cpu } = withData([0xe69100c2], { 1: DATA, 2: 0xfffffff0 }, data)); // ldr r0, [r1], r2, asr #1
  assert.equal(u32(cpu, 0), 0x10);
  assert.equal(u32(cpu, 1), DATA - 8);
});

test("halfword and signed loads; STRH", () => {
  const data = [0x800180fe]; // bytes fe 80 01 80
  assert.equal(u32(withData([0xe1d100b2], { 1: DATA }, data).cpu, 0), 0x8001); // ldrh r0, [r1, #2]
  assert.equal(u32(withData([0xe1d100f2], { 1: DATA }, data).cpu, 0), 0xffff8001); // ldrsh r0, [r1, #2]
  assert.equal(u32(withData([0xe1d100d1], { 1: DATA }, data).cpu, 0), 0xffffff80); // ldrsb r0, [r1, #1]
  const h = withData([0xe16100b2], { 0: 0xabcd1234, 1: DATA + 4 }, data); // strh r0, [r1, #-2]!
  assert.equal(peek32(h, DATA), 0x123480fe);
  assert.equal(u32(h.cpu, 1), DATA + 2);
  const p = withData([0xe09100b2], { 1: DATA, 2: 6 }, data); // ldrh r0, [r1], r2
  assert.equal(u32(p.cpu, 0), 0x80fe);
  assert.equal(u32(p.cpu, 1), DATA + 6);
});

/** Like withData, with RAM mapped as Normal memory (texcb) by an identity map. */
function withMapped(words: number[], regs: Record<number, number>, data: number[], texcb = 0b00111): Harness {
  return runA32(words, {
    regs,
    setup: (h) => {
      data.forEach((w, k) => poke32(h, DATA + 4 * k, w));
      flatMap(h.cpu, h.stage2, texcb);
    },
  });
}

test("unaligned LDR and LDRH to Normal memory are allowed with SCTLR.A = 0 (no rotation)", () => {
  const data = [0x44332211, 0x88776655];
  let { cpu } = withMapped([0xe5910004], { 1: DATA - 3 }, data); // ldr r0, [r1, #4] → DATA + 1
  assert.equal(u32(cpu, 0), 0x55443322);
  ({ cpu } = withMapped([0xe1d100b1], { 1: DATA }, data)); // ldrh r0, [r1, #1]
  assert.equal(u32(cpu, 0), 0x3322);
  const h = withMapped([0xe5810001], { 0: 0xa1b2c3d4, 1: DATA }, data); // str r0, [r1, #1]
  assert.equal(peek32(h, DATA), 0xb2c3d411);
  assert.equal(peek32(h, DATA + 4), 0x887766a1);
});

test("unaligned LDR/STR to Strongly-ordered memory (the MMU off) or Device memory take an alignment fault", () => {
  const data = [0x44332211, 0x88776655];
  // MMU off: data accesses are Strongly-ordered.
  let { cpu } = withData([0xe5910004], { 0: 7, 1: DATA - 3 }, data); // ldr r0, [r1, #4]
  assert.equal(cpu.mode, Mode.ABT);
  assert.equal(cpu.cp15.dfsr, 0x001);
  assert.equal(cpu.cp15.dfar >>> 0, DATA + 1);
  assert.equal(u32(cpu, 0), 7);
  // Device (TEX:C:B = 0b00001) and Strongly-ordered (0b00000) mappings, a store.
  for (const texcb of [0b00001, 0b00000, 0b01000]) {
    const h = withMapped([0xe1c100b1], { 0: 0xbeef, 1: DATA }, data, texcb); // strh r0, [r1, #1]
    assert.equal(h.cpu.mode, Mode.ABT);
    assert.equal(h.cpu.cp15.dfsr, 0x801); // WnR, alignment
    assert.equal(h.cpu.cp15.dfar >>> 0, DATA + 1);
    assert.equal(peek32(h, DATA), 0x44332211);
  }
  // Aligned accesses to Device memory are fine.
  ({ cpu } = withMapped([0xe5910004], { 1: DATA }, data, 0b00001));
  assert.equal(u32(cpu, 0), 0x88776655);
});

test("LDRD/STRD need word alignment only", () => {
  const data = [0, 0, 0x11111111, 0x22222222, 0x33333333];
  let { cpu } = withData([0xe1c120d8], { 1: DATA }, data); // ldrd r2, r3, [r1, #8]
  assert.equal(u32(cpu, 2), 0x11111111);
  assert.equal(u32(cpu, 3), 0x22222222);
  ({ cpu } = withData([0xe1c120d8], { 1: DATA + 4 }, data)); // word- but not doubleword-aligned
  assert.equal(u32(cpu, 2), 0x22222222);
  assert.equal(u32(cpu, 3), 0x33333333);
  const h = withData([0xe16120f8], { 1: DATA + 16, 2: 0xaaaa, 3: 0xbbbb }); // strd r2, r3, [r1, #-8]!
  assert.equal(peek32(h, DATA + 8), 0xaaaa);
  assert.equal(peek32(h, DATA + 12), 0xbbbb);
  assert.equal(u32(h.cpu, 1), DATA + 8);
  ({ cpu } = withData([0xe08120d4], { 1: DATA + 8, 4: 16 }, data)); // ldrd r2, r3, [r1], r4
  assert.equal(u32(cpu, 2), 0x11111111);
  assert.equal(u32(cpu, 1), DATA + 24);
});

test("a misaligned LDRD takes an alignment fault and changes no register", () => {
  const { cpu } = withData([0xe1c120d8], { 1: DATA + 2, 2: 0x22, 3: 0x33 }, [1, 2, 3, 4, 5]); // ldrd r2, r3, [r1, #8]
  assert.equal(cpu.mode, Mode.ABT);
  assert.equal(cpu.nextPc, VEC_DABT);
  assert.equal(cpu.cp15.dfsr & 0x40f, 0x01, "alignment fault");
  assert.equal(cpu.cp15.dfar >>> 0, DATA + 10);
  assert.equal(u32(cpu, 14), 8, "LR_abt = instruction + 8");
  assert.equal(u32(cpu, 2), 0x22);
  assert.equal(u32(cpu, 3), 0x33);
});

test("aborted accesses leave the base and the destination unchanged", () => {
  let { cpu } = withoutHypervisor([0xe4910004], { 0: 0x77, 1: UNMAPPED }); // ldr r0, [r1], #4
  assert.equal(cpu.mode, Mode.ABT);
  assert.equal(cpu.cp15.dfar >>> 0, UNMAPPED);
  assert.equal(u32(cpu, 0), 0x77);
  assert.equal(u32(cpu, 1), UNMAPPED);
  ({ cpu } = withoutHypervisor([0xe5a10004], { 0: 0x77, 1: UNMAPPED - 4 })); // str r0, [r1, #4]!
  assert.equal(cpu.mode, Mode.ABT);
  assert.equal(u32(cpu, 1), UNMAPPED - 4);
  // LDRD whose second word faults: the first word must not land in r2.
  ({ cpu } = withoutHypervisor([0xe1c120d0], { 1: 0xffffc, 2: 0x22, 3: 0x33 })); // ldrd r2, r3, [r1]
  assert.equal(cpu.mode, Mode.ABT);
  assert.equal(cpu.cp15.dfar >>> 0, 0x100000);
  assert.equal(u32(cpu, 2), 0x22);
});

test("PC-relative load reads PC + 8; LDR pc interworks; STR pc stores PC + 8", () => {
  // 0x0: ldr r0, [pc, #4]; nop; nop; 0xc: .word 0xcafef00d
  let h = runA32([0xe59f0004, 0xe1a00000, 0xe1a00000, 0xcafef00d], { steps: 1 });
  assert.equal(u32(h.cpu, 0), 0xcafef00d);
  h = withData([0xe591f000], { 1: DATA }, [0x2001]); // ldr pc, [r1]
  assert.equal(h.cpu.nextPc, 0x2000);
  assert.equal(h.cpu.t, 1);
  h = withData([0xe591f000], { 1: DATA }, [0x2000]);
  assert.equal(h.cpu.nextPc, 0x2000);
  assert.equal(h.cpu.t, 0);
  h = withData([0xe581f000], { 1: DATA }); // str pc, [r1]
  assert.equal(peek32(h, DATA), 8);
});

test("LDRT/STRBT/LDRSBT are post-indexed", () => {
  let h = withData([0xe4b10004], { 1: DATA }, [0x5555]); // ldrt r0, [r1], #4
  assert.equal(u32(h.cpu, 0), 0x5555);
  assert.equal(u32(h.cpu, 1), DATA + 4);
  h = withData([0xe4e10001], { 0: 0x1ee, 1: DATA }, [0]); // strbt r0, [r1], #1
  assert.equal(peek32(h, DATA), 0xee);
  assert.equal(u32(h.cpu, 1), DATA + 1);
  h = withData([0xe0f100d1], { 1: DATA }, [0x81]); // ldrsbt r0, [r1], #1
  assert.equal(u32(h.cpu, 0), 0xffffff81);
  assert.equal(u32(h.cpu, 1), DATA + 1);
});

const LDREX = 0xe1910f9f; // ldrex r0, [r1]
const STREX = 0xe1812f90; // strex r2, r0, [r1]
const ADD1 = 0xe2800001; // add r0, r0, #1
const CLREX = 0xf57ff01f; // clrex

test("LDREX/STREX: an atomic increment succeeds", () => {
  const h = withData([LDREX, ADD1, STREX], { 1: DATA, 2: 99 }, [41]);
  assert.equal(u32(h.cpu, 2), 0, "status 0 = stored");
  assert.equal(peek32(h, DATA), 42);
});

test("STREX fails without a matching LDREX, after CLREX, and a second time", () => {
  let h = withData([STREX], { 0: 5, 1: DATA, 2: 99 }, [41]);
  assert.equal(u32(h.cpu, 2), 1);
  assert.equal(peek32(h, DATA), 41, "a failed STREX stores nothing");
  h = withData([LDREX, CLREX, STREX], { 1: DATA }, [41]);
  assert.equal(u32(h.cpu, 2), 1);
  h = withData([LDREX, STREX, 0xe1814f90 /* strex r4, r0, [r1] */], { 1: DATA }, [41]);
  assert.equal(u32(h.cpu, 2), 0);
  assert.equal(u32(h.cpu, 4), 1, "the first STREX closed the monitor");
  // A STREX to another address than the LDREX fails.
  h = withData([LDREX, 0xe1832f90 /* strex r2, r0, [r3] */], { 1: DATA, 3: DATA + 8 }, [41]);
  assert.equal(u32(h.cpu, 2), 1);
  assert.equal(peek32(h, DATA + 8), 0);
});

test("taking an exception clears the local monitor", () => {
  // 0x0: ldrex r0, [r1]; 0x4: svc #0; 0x8 (SVC vector): strex r2, r0, [r1]
  const h = withData([LDREX, 0xef000000, STREX], { 1: DATA }, [41]);
  assert.equal(h.cpu.mode, Mode.SVC);
  assert.equal(u32(h.cpu, 2), 1);
});

test("LDREXD/STREXD, LDREXB/STREXB, LDREXH/STREXH", () => {
  let h = withData([0xe1b14f9f, 0xe1a12f94], { 1: DATA }, [0x1111, 0x2222]); // ldrexd r4, r5, [r1]; strexd r2, r4, r5, [r1]
  assert.equal(u32(h.cpu, 4), 0x1111);
  assert.equal(u32(h.cpu, 5), 0x2222);
  assert.equal(u32(h.cpu, 2), 0);
  h = withData([0xe1d10f9f, ADD1, 0xe1c12f90], { 1: DATA + 1 }, [0x0000ff00]); // ldrexb; add; strexb r2, r0, [r1]
  assert.equal(u32(h.cpu, 0), 0x100);
  assert.equal(u32(h.cpu, 2), 0);
  assert.equal(peek32(h, DATA), 0, "only the byte is stored");
  h = withData([0xe1f10f9f, ADD1, 0xe1e12f90], { 1: DATA + 2 }, [0xffff0000]); // ldrexh; add; strexh r2, r0, [r1]
  assert.equal(u32(h.cpu, 2), 0);
  assert.equal(peek32(h, DATA), 0);
});

test("exclusives are alignment-checked", () => {
  let { cpu } = withData([LDREX], { 1: DATA + 2 });
  assert.equal(cpu.mode, Mode.ABT);
  assert.equal(cpu.cp15.dfsr & 0x40f, 0x01);
  ({ cpu } = withData([0xe1b14f9f], { 1: DATA + 4 })); // ldrexd at a word but not doubleword boundary
  assert.equal(cpu.mode, Mode.ABT);
  ({ cpu } = withData([0xe1f10f9f], { 1: DATA + 1 })); // ldrexh at an odd address
  assert.equal(cpu.mode, Mode.ABT);
});

test("SWP/SWPB with SCTLR.SW set swap a word or a byte; an unaligned SWP faults", () => {
  const swOn = (h: Harness) => {
    h.cpu.cp15.sctlr |= 1 << 10;
  };
  let h = runA32([0xe1020091], {
    // swp r0, r1, [r2]
    regs: { 0: 3, 1: 0xcafef00d, 2: DATA },
    setup: (x) => {
      swOn(x);
      poke32(x, DATA, 0x12345678);
    },
  });
  assert.equal(u32(h.cpu, 0), 0x12345678);
  assert.equal(peek32(h, DATA), 0xcafef00d);
  h = runA32([0xe1420091], {
    // swpb r0, r1, [r2]
    regs: { 0: 3, 1: 0x1ab, 2: DATA + 1 },
    setup: (x) => {
      swOn(x);
      poke32(x, DATA, 0x44332211);
    },
  });
  assert.equal(u32(h.cpu, 0), 0x22);
  assert.equal(peek32(h, DATA), 0x4433ab11);
  h = runA32([0xe1020091], { regs: { 1: 5, 2: DATA + 2 }, setup: swOn });
  assert.equal(h.cpu.mode, Mode.ABT);
});

test("SWP/SWPB (SCTLR.SW clear, as at reset) and ARMv8 acquire/release forms are UNDEFINED", () => {
  for (const word of [0xe1020091 /* swp r0, r1, [r2] */, 0xe1420091 /* swpb */, 0xe1910c9f /* ldaex r0, [r1] */]) {
    const h = withData([word], { 0: 3, 1: 4, 2: DATA }, [0x99]);
    assert.equal(h.cpu.mode, Mode.UND);
    assert.equal(h.cpu.nextPc, VEC_UND);
    assert.equal(u32(h.cpu, 0), 3);
    assert.equal(peek32(h, DATA), 0x99);
  }
});

test("loads and stores outside RAM complete through the hypervisor (MMIO)", () => {
  const h = runA32([0xe5910000, 0xe5810004], {
    // ldr r0, [r1]; str r0, [r1, #4]
    regs: { 1: UNMAPPED },
    setup: (h) => {
      h.traps.mmioValue = 0x600dcafe;
    },
  });
  assert.equal(h.cpu.mode, Mode.SVC);
  assert.equal(u32(h.cpu, 0), 0x600dcafe);
  assert.equal(h.traps.accesses.length, 2);
  assert.deepEqual(
    h.traps.accesses.map((a) => [a.ipa >>> 0, a.size, a.isWrite, a.value >>> 0]),
    [
      [UNMAPPED, 4, false, 0],
      [UNMAPPED + 4, 4, true, 0x600dcafe],
    ],
  );
});

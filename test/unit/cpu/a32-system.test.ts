// A32 branches and system instructions: B/BL/BX/BLX/BXJ, MRS/MSR (CPSR, SPSR, banked registers),
// CPS, SETEND, SVC/BKPT/HVC/SMC/WFI/WFE, hints and barriers, ERET, and UNDEFINED encodings of the
// unconditional space.

import { test } from "node:test";
import assert from "node:assert/strict";
import { runA32, u32, nzcv, VEC_UND, VEC_SVC, VEC_PABT, type RunOptions } from "./a32-util.js";
import { Mode, bankOf } from "../../../src/cpu/state.js";
import { ExitReason, EC } from "../../../src/cpu/exits.js";

function exec(words: number[], opts: RunOptions = {}) {
  return runA32(words, opts).cpu;
}

const toUser: RunOptions["setup"] = ({ cpu }) => cpu.switchMode(Mode.USR);

test("B and BL: offsets relative to PC + 8, BL links the next instruction", () => {
  let cpu = exec([0xea000002]); // 0x0: b 0x10
  assert.equal(cpu.nextPc, 0x10);
  cpu = exec([0xe1a00000, 0xe1a00000, 0xe1a00000, 0xeafffffc], { steps: 4 }); // 0xc: b 0x4
  assert.equal(cpu.nextPc, 0x4);
  cpu = exec([0xe1a00000, 0xeb00003e]); // 0x4: bl 0x104
  assert.equal(cpu.nextPc, 0x104);
  assert.equal(u32(cpu, 14), 0x8);
});

test("BX/BXJ/BLX (register) interwork; BLX lr uses the old LR", () => {
  let cpu = exec([0xe12fff10], { regs: { 0: 0x201 } }); // bx r0
  assert.equal(cpu.nextPc, 0x200);
  assert.equal(cpu.t, 1);
  cpu = exec([0xe12fff20], { regs: { 0: 0x201 } }); // bxj r0 (no Jazelle: as BX)
  assert.equal(cpu.nextPc, 0x200);
  assert.equal(cpu.t, 1);
  cpu = exec([0xe12fff30], { regs: { 0: 0x300 } }); // blx r0
  assert.equal(cpu.nextPc, 0x300);
  assert.equal(cpu.t, 0);
  assert.equal(u32(cpu, 14), 4);
  cpu = exec([0xe12fff3e], { regs: { 14: 0x401 } }); // blx lr
  assert.equal(cpu.nextPc, 0x400);
  assert.equal(cpu.t, 1);
  assert.equal(u32(cpu, 14), 4);
});

test("BLX (immediate) switches to Thumb; H adds 2", () => {
  let cpu = exec([0xfa00003e]); // blx 0x100
  assert.equal(cpu.nextPc, 0x100);
  assert.equal(cpu.t, 1);
  assert.equal(u32(cpu, 14), 4);
  cpu = exec([0xfb00003e]); // blx 0x102
  assert.equal(cpu.nextPc, 0x102);
  assert.equal(cpu.t, 1);
});

test("MRS reads the CPSR; MSR CPSR_f/CPSR_c", () => {
  let cpu = exec([0xe10f0000], { nzcv: 0b0110 }); // mrs r0, cpsr
  assert.equal(u32(cpu, 0), 0x600001d3);
  cpu = exec([0xe328f20f]); // msr cpsr_f, #0xf0000000
  assert.equal(nzcv(cpu), 0b1111);
  cpu = exec([0xe121f000], { regs: { 0: 0x1f, 13: 0x5000 } }); // msr cpsr_c, r0 → System, interrupts unmasked
  assert.equal(cpu.mode, Mode.SYS);
  assert.equal(cpu.i, 0);
  assert.equal(cpu.f, 0);
  assert.equal(cpu.bankedSpLr[bankOf(Mode.SVC) * 2], 0x5000, "SVC SP banked away");
});

test("MSR CPSR at PL0 changes only NZCVQ and GE", () => {
  const cpu = exec([0xe12ff000], { regs: { 0: 0xf80f001f }, setup: toUser }); // msr cpsr_fsxc, r0
  assert.equal(cpu.mode, Mode.USR);
  assert.equal(nzcv(cpu), 0b1111);
  assert.equal(cpu.q, 1);
  assert.equal(cpu.ge, 0xf);
  assert.equal(cpu.i, 1, "I unchanged (it was set at reset)");
});

test("MSR with an invalid or Hyp mode leaves the mode alone", () => {
  for (const mode of [0x1a, 0x15, 0x16]) {
    const cpu = exec([0xe121f000], { regs: { 0: 0xc0 | mode } }); // msr cpsr_c, r0
    assert.equal(cpu.mode, Mode.SVC);
  }
});

test("MSR/MRS SPSR, with field masks", () => {
  let cpu = exec([0xe16ff000, 0xe14f1000], { regs: { 0: 0x800001d0 } }); // msr spsr_fsxc, r0; mrs r1, spsr
  assert.equal(u32(cpu, 1), 0x800001d0);
  cpu = exec([0xe168f000], { regs: { 0: 0xf00000ff }, setup: ({ cpu }) => cpu.setSpsr(0x12345678) }); // msr spsr_f, r0
  assert.equal(cpu.getSpsr(), 0xf0345678);
});

test("banked MRS/MSR reach other modes' registers", () => {
  const usrSp = bankOf(Mode.USR) * 2;
  let cpu = exec([0xe1050200], { setup: ({ cpu }) => (cpu.bankedSpLr[usrSp] = 0xabc0) }); // mrs r0, sp_usr
  assert.equal(u32(cpu, 0), 0xabc0);
  cpu = exec([0xe121f300], { regs: { 0: 0x7700 } }); // msr sp_irq, r0
  assert.equal(cpu.bankedSpLr[bankOf(Mode.IRQ) * 2], 0x7700);
  cpu = exec([0xe1080200], { setup: ({ cpu }) => (cpu.hiRegs[5] = 0xf8f8) }); // mrs r0, r8_fiq
  assert.equal(u32(cpu, 0), 0xf8f8);
  cpu = exec([0xe120f201], { regs: { 1: 0x8888 } }); // msr r8_usr, r1 (from SVC, r8 is the User r8)
  assert.equal(u32(cpu, 8), 0x8888);
  cpu = exec([0xe160f300, 0xe1400300], { regs: { 0: 0x1d2 } }); // msr spsr_irq, r0; mrs r0, spsr_irq
  assert.equal(cpu.spsr[bankOf(Mode.IRQ)], 0x1d2);
  assert.equal(cpu.getSpsr(), 0, "SVC's own SPSR untouched");
  cpu = exec([0xe1020300], { regs: { 14: 0x1234 } }); // mrs r0, lr_svc from SVC: the live LR
  assert.equal(u32(cpu, 0), 0x1234);
  cpu = exec([0xe10d2200], {
    setup: ({ cpu }) => {
      cpu.switchMode(Mode.FIQ);
      cpu.r[13] = 0xf13;
      cpu.switchMode(Mode.SVC);
    },
  }); // mrs r2, sp_fiq
  assert.equal(u32(cpu, 2), 0xf13);
});

test("banked accesses to Hyp registers, and any at PL0, are UNDEFINED", () => {
  let cpu = exec([0xe12ef300]); // msr elr_hyp, r0
  assert.equal(cpu.mode, Mode.UND);
  cpu = exec([0xe1050200], { setup: toUser }); // mrs r0, sp_usr at PL0
  assert.equal(cpu.mode, Mode.UND);
});

test("CPS changes masks and mode at PL1 and is a NOP at PL0", () => {
  let cpu = exec([0xf1080080]); // cpsie i
  assert.equal(cpu.i, 0);
  assert.equal(cpu.f, 1);
  cpu = exec([0xf1080080, 0xf10c00c0]); // cpsie i; cpsid if
  assert.equal(cpu.i, 1);
  assert.equal(cpu.f, 1);
  cpu = exec([0xf102001f]); // cps #0x1f
  assert.equal(cpu.mode, Mode.SYS);
  cpu = exec([0xf10a011b]); // cpsie a, #0x1b
  assert.equal(cpu.mode, Mode.UND);
  assert.equal(cpu.a, 0);
  cpu = exec([0xf1080080, 0xf102001f], { setup: toUser }); // cpsie i; cps #0x1f at PL0
  assert.equal(cpu.mode, Mode.USR);
  assert.equal(cpu.i, 1);
});

test("SETEND LE is a NOP; SETEND BE is UNDEFINED on this little-endian core", () => {
  let cpu = exec([0xf1010000]); // setend le
  assert.equal(cpu.mode, Mode.SVC);
  assert.equal(cpu.nextPc, 4);
  cpu = exec([0xf1010200]); // setend be
  assert.equal(cpu.mode, Mode.UND);
  assert.equal(cpu.nextPc, VEC_UND);
});

test("SVC enters Supervisor mode with LR and SPSR; MOVS pc, lr returns", () => {
  // 0x0: b 0x10 ... 0x8 (SVC vector): movs pc, lr ... 0x10: svc #0x42 ; 0x14: mov r0, #1
  const words = [0xea000002, 0, 0xe1b0f00e, 0, 0xef000042, 0xe3a00001];
  let cpu = exec(words, { steps: 2, setup: toUser, nzcv: 0b1000 });
  assert.equal(cpu.mode, Mode.SVC);
  assert.equal(cpu.nextPc, VEC_SVC);
  assert.equal(u32(cpu, 14), 0x14);
  assert.equal(cpu.getSpsr(), 0x800001d0);
  assert.equal(cpu.i, 1);
  cpu = exec(words, { steps: 4, setup: toUser });
  assert.equal(cpu.mode, Mode.USR);
  assert.equal(u32(cpu, 0), 1);
});

test("BKPT is a prefetch abort (debug event)", () => {
  const cpu = exec([0xe1200172]); // bkpt #0x12
  assert.equal(cpu.mode, Mode.ABT);
  assert.equal(cpu.nextPc, VEC_PABT);
  assert.equal(cpu.cp15.ifsr & 0x40f, 0x2);
});

test("HVC exits to the hypervisor with its immediate; UNDEFINED at PL0", () => {
  const h = runA32([0xe14abc7d, 0xe1a00000]); // hvc #0xabcd
  assert.equal(h.cpu.exit.reason, ExitReason.HVC);
  assert.equal(h.cpu.exit.hsr >>> 26, EC.HVC);
  assert.equal(h.cpu.exit.hsr & 0xffff, 0xabcd);
  assert.equal(h.cpu.nextPc, 4, "returns to the next instruction");
  const cpu = exec([0xe14abc7d], { setup: toUser });
  assert.equal(cpu.mode, Mode.UND);
});

test("SMC traps to the hypervisor (HCR.TSC); UNDEFINED at PL0", () => {
  const h = runA32([0xe1600073]); // smc #3
  assert.equal(h.cpu.exit.reason, ExitReason.SMC);
  assert.equal(h.cpu.exit.hsr & 0xf, 3);
  const cpu = exec([0xe1600073], { setup: toUser });
  assert.equal(cpu.mode, Mode.UND);
});

test("WFI exits; SEV makes the next WFE fall through", () => {
  let h = runA32([0xe320f003, 0xe1a00000]); // wfi
  assert.equal(h.cpu.exit.reason, ExitReason.WFX);
  assert.equal(h.cpu.nextPc, 4);
  h = runA32([0xe320f004, 0xe320f002, 0xe3a00001]); // sev; wfe; mov r0, #1
  assert.equal(h.cpu.exit.reason, ExitReason.SLICE);
  assert.equal(u32(h.cpu, 0), 1);
});

test("hints, preloads and barriers do nothing", () => {
  const words = [
    0xe320f000, // nop
    0xe320f001, // yield
    0xe320f0f5, // dbg #5
    0xf5d0f004, // pld [r0, #4]
    0xf6d0f001, // pli [r0, r1]
    0xf57ff05b, // dmb ish
    0xf57ff04f, // dsb sy
    0xf57ff06f, // isb sy
  ];
  const cpu = exec(words, { regs: { 0: 0x4000, 1: 8 }, nzcv: 0b0101 });
  assert.equal(cpu.mode, Mode.SVC);
  assert.equal(cpu.nextPc, 4 * words.length);
  assert.equal(u32(cpu, 0), 0x4000);
  assert.equal(nzcv(cpu), 0b0101);
});

test("ERET from SVC returns through LR and the SPSR", () => {
  const cpu = exec([0xe160006e], {
    // eret
    setup: ({ cpu }) => {
      cpu.r[14] = 0x800;
      cpu.setSpsr(0x1f);
    },
  });
  assert.equal(cpu.mode, Mode.SYS);
  assert.equal(cpu.nextPc, 0x800);
});

test("Advanced SIMD and unallocated coprocessors are UNDEFINED", () => {
  for (const word of [0xf2220844 /* vadd.i32 q0, q1, q2 */, 0xee010572 /* mcr p5, 0, r0, c1, c2, 3 */]) {
    const cpu = exec([word]);
    assert.equal(cpu.mode, Mode.UND);
    assert.equal(u32(cpu, 14), 4);
  }
});

test("MRC p15 reaches CP15: MIDR reads the virtualized ID", () => {
  const cpu = exec([0xee100f10]); // mrc p15, 0, r0, c0, c0, 0
  assert.equal(cpu.mode, Mode.SVC);
  assert.equal(u32(cpu, 0), cpu.hyp.vpidr >>> 0);
});

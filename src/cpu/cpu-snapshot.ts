// A core's architectural state in a snapshot: the register file with its banks, CPSR and SPSRs,
// VFP (D0-D31, FPSCR, FPEXC), the CP15 and CP14 registers, the exclusive monitor, the event
// register, the hypervisor's configuration of the core and its instruction count. Taken between
// slices, where the next instruction's address is nextPc. The TLBs and translated code are not
// saved: they are rebuilt from memory, so the TLB is flushed on restore.

import type { StateReader, StateWriter } from "../snapshot/state-stream.js";
import { ATTN_RESYNC, type Cpu } from "./core.js";

const CP15_FIELDS = [
  "sctlr",
  "vbar",
  "cpacr",
  "dfsr",
  "dfar",
  "ifsr",
  "ifar",
  "ttbr0",
  "ttbr1",
  "ttbr0Hi",
  "ttbr1Hi",
  "ttbcr",
  "dacr",
  "par",
  "parHi",
  "prrr",
  "nmrr",
  "mair0",
  "mair1",
  "amair0",
  "amair1",
  "contextidr",
  "tpidrurw",
  "tpidruro",
  "tpidrprw",
  "csselr",
] as const;

const FLAG_FIELDS = ["n", "z", "c", "v", "q", "ge", "it", "t", "e", "a", "i", "f", "mode"] as const;

export function saveCpu(cpu: Cpu, w: StateWriter): void {
  w.array(cpu.r);
  w.array(cpu.hiRegs);
  w.array(cpu.bankedSpLr);
  w.array(cpu.spsr);
  for (const f of FLAG_FIELDS) w.f64(cpu[f]);
  w.f64(cpu.curPc);
  w.f64(cpu.nextPc);
  w.u32(cpu.lines);
  const [instructions, exLo, exHi] = cpu.savedPrivate();
  w.f64(instructions);
  w.f64(cpu.exclusiveAddr);
  w.i32(cpu.exclusiveSize);
  w.f64(exLo);
  w.f64(exHi);
  w.f64(cpu.eventRegister);
  w.f64(cpu.seenEvents);
  const hyp = cpu.hyp;
  w.bool(hyp.twi);
  w.bool(hyp.twe);
  w.bool(hyp.tsc);
  w.f64(hyp.vpidr);
  w.f64(hyp.vmpidr);
  w.array(cpu.vfp.w);
  w.u32(cpu.vfp.fpscr);
  w.u32(cpu.vfp.fpexc);
  const cp15 = cpu.cp15;
  for (const f of CP15_FIELDS) w.f64(cp15[f]);
  w.f64(cp15.cp14.teecr);
  w.f64(cp15.cp14.teehbr);
}

export function restoreCpu(cpu: Cpu, r: StateReader): void {
  r.array(cpu.r);
  r.array(cpu.hiRegs);
  r.array(cpu.bankedSpLr);
  r.array(cpu.spsr);
  // Fields set directly: the banks read above are already those of the saved mode.
  for (const f of FLAG_FIELDS) cpu[f] = r.f64();
  cpu.curPc = r.f64();
  cpu.nextPc = r.f64();
  cpu.lines = r.u32();
  const instructions = r.f64();
  cpu.exclusiveAddr = r.f64();
  cpu.exclusiveSize = r.i32();
  const exLo = r.f64();
  const exHi = r.f64();
  cpu.restorePrivate(instructions, exLo, exHi);
  cpu.eventRegister = r.f64();
  cpu.seenEvents = r.f64();
  const hyp = cpu.hyp;
  hyp.twi = r.bool();
  hyp.twe = r.bool();
  hyp.tsc = r.bool();
  hyp.vpidr = r.f64();
  hyp.vmpidr = r.f64();
  r.array(cpu.vfp.w);
  cpu.vfp.fpscr = r.u32();
  cpu.vfp.fpexc = r.u32();
  const cp15 = cpu.cp15;
  for (const f of CP15_FIELDS) cp15[f] = r.f64();
  cp15.cp14.teecr = r.f64();
  cp15.cp14.teehbr = r.f64();
  // Nothing cached survives: translations are walked again, the run loops re-enter.
  cpu.mmu.flushTlb();
  cpu.interruptMasksChanged();
  cpu.attention |= ATTN_RESYNC;
}

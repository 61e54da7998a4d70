// A32 miscellaneous instructions (DDI 0406C A5.2.12, A5.2.11): MRS/MSR (including the banked
// forms), BX/BXJ/BLX (register), CLZ, the saturating add/subtract, ERET, BKPT, HVC, SMC, and the
// MSR (immediate) / hint space (NOP, YIELD, WFE, WFI, SEV, DBG).

import type { Cpu } from "./core.js";
import { Mode } from "./state.js";
import { armExpandImmC } from "./alu.js";
import { media, qadd, qsub, qdadd, qdsub } from "./ops-media.js";
import { banked, mrsBanked, msrBanked, mrsCpsr, msrCpsr, msrSpsr } from "./ops-psr.js";
import { executeHint } from "./ops-hint.js";

/** Miscellaneous instructions: op1 = bits [24:20] = 0b10xx0 with bit 7 = 0. op = bits [22:21],
 * op2 = bits [6:4]. */
export function miscellaneous(cpu: Cpu, instr: number): void {
  const r = cpu.r;
  const op = (instr >>> 21) & 3;
  switch ((instr >>> 4) & 7) {
    case 0:
      statusRegister(cpu, instr, op);
      return;
    case 1:
      if (op === 1) {
        cpu.bxWritePc(r[instr & 15]); // BX
        return;
      }
      if (op === 3) {
        const d = (instr >>> 12) & 15;
        if (d === 15) break;
        r[d] = Math.clz32(r[instr & 15]); // CLZ
        return;
      }
      break;
    case 2:
      if (op === 1) {
        cpu.bxWritePc(r[instr & 15]); // BXJ: no Jazelle, so it acts as BX
        return;
      }
      break;
    case 3:
      if (op === 1) {
        // BLX (register): read the target before LR changes (BLX lr).
        const target = r[instr & 15];
        r[14] = cpu.curPc + 4;
        cpu.bxWritePc(target);
        return;
      }
      break;
    case 5: {
      // QADD / QSUB / QDADD / QDSUB Rd, Rm, Rn
      const d = (instr >>> 12) & 15;
      if (d === 15) break;
      const mv = r[instr & 15];
      const nv = r[(instr >>> 16) & 15];
      let res: number;
      if (op === 0) res = qadd(mv, nv);
      else if (op === 1) res = qsub(mv, nv);
      else if (op === 2) res = qdadd(mv, nv);
      else res = qdsub(mv, nv);
      r[d] = res;
      cpu.q |= media.sat;
      return;
    }
    case 6:
      if (op === 3) {
        // ERET from a PL1 mode: return with LR and the SPSR (as SUBS PC, LR, #0).
        if (cpu.mode === Mode.USR || cpu.mode === Mode.SYS) break;
        cpu.exceptionReturn(r[14], cpu.getSpsr());
        return;
      }
      break;
    case 7:
      if (op === 1) {
        cpu.breakpoint(); // BKPT
        return;
      }
      if (op === 2) {
        // HVC #imm16: UNDEFINED at PL0
        if (cpu.mode === Mode.USR) break;
        cpu.hypervisorCall(((instr >>> 4) & 0xfff0) | (instr & 0xf));
        return;
      }
      if (op === 3) {
        // SMC #imm4: UNDEFINED at PL0
        if (cpu.mode === Mode.USR) break;
        cpu.secureMonitorCall(instr & 0xf);
        return;
      }
      break;
    default:
      break;
  }
  cpu.undefinedInstruction();
}

/** MRS / MSR (register) and their banked-register forms (op2 = 0b000). */
function statusRegister(cpu: Cpu, instr: number, op: number): void {
  const r = cpu.r;
  const spsr = (instr >>> 22) & 1;
  if (instr & 0x200) {
    // Banked: SYSm = M (bit 8) : m1 (bits [19:16])
    const sysm = ((instr >>> 4) & 0x10) | ((instr >>> 16) & 15);
    if (op & 1) {
      msrBanked(cpu, spsr, sysm, r[instr & 15]);
      if (!banked.ok) cpu.undefinedInstruction();
      return;
    }
    const d = (instr >>> 12) & 15;
    const v = mrsBanked(cpu, spsr, sysm);
    if (!banked.ok || d === 15) cpu.undefinedInstruction();
    else r[d] = v;
    return;
  }
  if (op & 1) {
    // MSR <spec_reg>, Rn
    const mask = (instr >>> 16) & 15;
    const value = r[instr & 15];
    if (spsr) {
      if (cpu.mode === Mode.USR)
        cpu.undefinedInstruction(); // no SPSR: UNPREDICTABLE
      else msrSpsr(cpu, value, mask);
    } else {
      msrCpsr(cpu, value, mask);
    }
    return;
  }
  // MRS Rd, <spec_reg>
  const d = (instr >>> 12) & 15;
  if (d === 15 || (spsr && cpu.mode === Mode.USR)) {
    cpu.undefinedInstruction();
    return;
  }
  r[d] = spsr ? cpu.getSpsr() : mrsCpsr(cpu);
}

/** MSR (immediate) and hints (A5.2.11): op1 = bits [24:20] = 0b10x10 with bit 25 = 1. */
export function msrImmediateOrHint(cpu: Cpu, instr: number): void {
  const mask = (instr >>> 16) & 15;
  const spsr = instr & 0x400000;
  if (spsr === 0 && mask === 0) {
    executeHint(cpu, instr & 0xff);
    return;
  }
  const value = armExpandImmC(instr & 0xfff, cpu.c);
  if (spsr) {
    if (cpu.mode === Mode.USR) cpu.undefinedInstruction();
    else msrSpsr(cpu, value, mask);
  } else {
    msrCpsr(cpu, value, mask);
  }
}

// T32 data processing (plain binary immediate), A6.3.3: ADDW/SUBW/ADR, MOVW/MOVT, SSAT/USAT (and
// their 16-bit-lane forms), SBFX/UBFX, BFI/BFC. hw1 = 1111 0 i 1 op(5) Rn, hw2 = 0 imm3 Rd imm8.

import type { Cpu } from "./core.js";
import { ssat, usat, ssat16, usat16, media, bfi, sbfx, ubfx } from "./ops-media.js";

export function plainBinaryImmediate(cpu: Cpu, instr: number): void {
  const r = cpu.r;
  const n = (instr >>> 16) & 0xf;
  const d = (instr >>> 8) & 0xf;
  // imm3:imm2, the shift amount or lsb of the saturate and bit-field forms.
  const imm5 = ((instr >>> 10) & 0x1c) | ((instr >>> 6) & 3);
  const op = (instr >>> 20) & 0x1f;
  // The saturate and bit-field forms have i (hw1[10]) and hw2[5] as (0): set, the encoding is
  // UNDEFINED (as QEMU makes it).
  if (op >= 0x10 && instr & 0x04000020) {
    cpu.undefinedInstruction();
    return;
  }
  let result: number;
  switch (op) {
    case 0x00: {
      // ADDW Rd, Rn, #imm12; ADR.W (add) when Rn = PC, from Align(PC, 4).
      const base = n === 15 ? r[15] & ~3 : r[n];
      result = (base + imm12(instr)) | 0;
      break;
    }
    case 0x0a: {
      // SUBW; ADR.W (subtract).
      const base = n === 15 ? r[15] & ~3 : r[n];
      result = (base - imm12(instr)) | 0;
      break;
    }
    case 0x04: // MOVW
      result = (n << 12) | imm12(instr);
      break;
    case 0x0c: // MOVT: the low half of Rd is kept.
      result = (n << 28) | (imm12(instr) << 16) | (r[d] & 0xffff) | 0;
      break;
    case 0x10:
    case 0x12: {
      // SSAT Rd, #sat, Rn{, LSL/ASR #imm}; sh = 1 with a zero shift is SSAT16.
      const sat = (instr & 0x1f) + 1;
      if (instr & 0x200000) {
        if (imm5 === 0) {
          result = ssat16(r[n], (instr & 0x1f) + 1);
        } else {
          result = ssat(r[n] >> imm5, sat);
        }
      } else {
        result = ssat(r[n] << imm5, sat);
      }
      if (media.sat) cpu.q = 1;
      break;
    }
    case 0x18:
    case 0x1a: {
      // USAT Rd, #sat, Rn{, LSL/ASR #imm}; sh = 1 with a zero shift is USAT16.
      const sat = instr & 0x1f;
      if (instr & 0x200000) {
        if (imm5 === 0) {
          result = usat16(r[n], instr & 0x1f);
        } else {
          result = usat(r[n] >> imm5, sat);
        }
      } else {
        result = usat(r[n] << imm5, sat);
      }
      if (media.sat) cpu.q = 1;
      break;
    }
    case 0x14:
    case 0x1c: {
      // SBFX/UBFX Rd, Rn, #lsb, #width: a field past bit 31 is UNPREDICTABLE, taken as UNDEFINED.
      const width = (instr & 0x1f) + 1;
      if (imm5 + width > 32) return undefinedForm(cpu);
      result = instr & 0x800000 ? ubfx(r[n], imm5, width) : sbfx(r[n], imm5, width);
      break;
    }
    case 0x16: {
      // BFI Rd, Rn, #lsb, #width; BFC when Rn = PC. msb < lsb is UNPREDICTABLE: UNDEFINED.
      const msb = instr & 0x1f;
      if (msb < imm5) return undefinedForm(cpu);
      result = bfi(r[d], n === 15 ? 0 : r[n], imm5, msb);
      break;
    }
    default:
      cpu.undefinedInstruction();
      return;
  }
  if (d === 15) cpu.aluWritePc(result);
  else r[d] = result;
}

/** i:imm3:imm8. */
function imm12(instr: number): number {
  return ((instr >>> 15) & 0x800) | ((instr >>> 4) & 0x700) | (instr & 0xff);
}

function undefinedForm(cpu: Cpu): void {
  cpu.undefinedInstruction();
}

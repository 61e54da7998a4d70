// Helpers shared by the VFP tests (vfp-*.test.ts): a core with the VFP enabled, and raw-bit access to
// S and D registers (hex strings for doubles, so NaN payloads are compared exactly).

import assert from "node:assert/strict";
import { makeCpu, makeThumbCpu, type RecordingTraps } from "../../helpers/cpu-harness.js";
import type { Cpu } from "../../../src/cpu/core.js";
import type { Stage2 } from "../../../src/cpu/stage2.js";
import { Mode } from "../../../src/cpu/state.js";

/** Code goes here, away from the exception vectors at 0. */
export const CODE = 0x1000;
/** CPACR with cp10 and cp11 at full access. */
export const CPACR_FULL = 0x00f00000;
export const FPEXC_EN = 0x40000000;

// FPSCR fields, spelled out here independently of the implementation.
export const IOC = 1 << 0;
export const DZC = 1 << 1;
export const OFC = 1 << 2;
export const UFC = 1 << 3;
export const IXC = 1 << 4;
export const IDC = 1 << 7;
export const FZ = 1 << 24;
export const DN = 1 << 25;
export const RN = 0 << 22;
export const RP = 1 << 22;
export const RM = 2 << 22;
export const RZ = 3 << 22;

export interface VfpTest {
  cpu: Cpu;
  stage2: Stage2;
  traps: RecordingTraps;
}

/** An ARM-state core in SVC mode with the VFP enabled (CPACR full access, FPEXC.EN) and `words` at CODE. */
export function vfp(words: number[], fpscr = 0): VfpTest {
  const { cpu, stage2, traps } = makeCpu(words, CODE);
  cpu.cp15.cpacr = CPACR_FULL;
  cpu.vfp.fpexc = FPEXC_EN;
  cpu.vfp.fpscr = fpscr;
  return { cpu, stage2, traps };
}

/** The same in Thumb state, with 16-bit halfwords at `at`. */
export function vfpThumb(halves: number[], at = CODE): VfpTest {
  const { cpu, stage2, traps } = makeThumbCpu(halves, at);
  cpu.cp15.cpacr = CPACR_FULL;
  cpu.vfp.fpexc = FPEXC_EN;
  return { cpu, stage2, traps };
}

/** Runs a single VFP instruction word with the given FPSCR, after `setup`. */
export function exec(instr: number, fpscr: number, setup: (cpu: Cpu) => void): Cpu {
  const { cpu } = vfp([instr], fpscr);
  setup(cpu);
  cpu.run(1);
  assert.equal(cpu.mode, Mode.SVC, "the instruction did not trap");
  return cpu;
}

export function setS(cpu: Cpu, n: number, bits: number): void {
  cpu.vfp.w[n] = bits;
}

/** S register n as unsigned bits. */
export function getS(cpu: Cpu, n: number): number {
  return cpu.vfp.w[n] >>> 0;
}

/** Sets D register n from 16 hex digits. */
export function setD(cpu: Cpu, n: number, hex: string): void {
  assert.equal(hex.length, 16);
  cpu.vfp.w[2 * n + 1] = parseInt(hex.slice(0, 8), 16) | 0;
  cpu.vfp.w[2 * n] = parseInt(hex.slice(8), 16) | 0;
}

/** D register n as 16 hex digits. */
export function getD(cpu: Cpu, n: number): string {
  const w = cpu.vfp.w;
  return hex8(w[2 * n + 1]) + hex8(w[2 * n]);
}

export function hex8(x: number): string {
  return (x >>> 0).toString(16).padStart(8, "0");
}

const view = new DataView(new ArrayBuffer(8));

/** Single-precision bits of a JS number that is exactly representable in single precision. */
export function f32(x: number): number {
  view.setFloat32(0, x);
  assert.equal(view.getFloat32(0), x, `${x} is a single`);
  return view.getUint32(0);
}

/** Double-precision bits of a JS number (not a NaN) as 16 hex digits. */
export function f64(x: number): string {
  view.setFloat64(0, x);
  return hex8(view.getUint32(0)) + hex8(view.getUint32(4));
}

/** The cumulative exception flags of FPSCR (bits 7 and 4:0). */
export function flagsOf(cpu: Cpu): number {
  return cpu.vfp.fpscr & 0x9f;
}

/** Asserts that the ARM-state instruction at `at` took the Undefined Instruction exception. */
export function assertUndefined(cpu: Cpu, at = CODE): void {
  assert.equal(cpu.mode, Mode.UND, "mode is UND");
  assert.equal(cpu.nextPc, 0x04, "undefined vector");
  assert.equal(cpu.r[14] >>> 0, at + 4, "LR_und");
}

export { read32, write32 } from "./t32-harness.js";

// A bare core on 1 MiB of RAM at address 0, for instruction-level unit tests.

import { Cpu } from "../../src/cpu/core.js";
import { Stage2 } from "../../src/cpu/stage2.js";
import type { HypTraps } from "../../src/cpu/exits.js";
import { CodeCache } from "../../src/cpu/code-cache.js";

export const RAM_SIZE = 1 << 20;

/** Records hypervisor traps; MMIO reads return `mmioValue`. */
export class RecordingTraps implements HypTraps {
  trapHi = 0;
  externalAbort = false;
  mmioValue = 0;
  readonly accesses: { hsr: number; ipa: number; size: number; isWrite: boolean; value: number }[] = [];
  readonly coproc: { hsr: number; lo: number; hi: number }[] = [];
  dataAbort(hsr: number, ipa: number, _va: number, size: number, isWrite: boolean, value: number): number {
    this.accesses.push({ hsr, ipa, size, isWrite, value });
    return this.mmioValue;
  }
  coprocTrap(hsr: number, lo: number, hi: number): number {
    this.coproc.push({ hsr, lo, hi });
    return 0;
  }
}

export interface Harness {
  cpu: Cpu;
  stage2: Stage2;
  traps: RecordingTraps;
}

/** Builds a core with `words` (32-bit little-endian) loaded at `at` and the PC there. */
export function makeCpu(words: ArrayLike<number> = [], at = 0, thumb = false): Harness {
  const stage2 = new Stage2(RAM_SIZE);
  stage2.addRam(0, RAM_SIZE, 0, true);
  const cpu = new Cpu(stage2);
  const traps = new RecordingTraps();
  cpu.traps = traps;
  loadWords(stage2, at, words);
  cpu.setPc(at, thumb);
  return { cpu, stage2, traps };
}

export function loadWords(stage2: Stage2, at: number, words: ArrayLike<number>): void {
  const m = stage2.memory;
  for (let k = 0; k < words.length; k++) {
    const w = words[k] >>> 0;
    const o = at + 4 * k;
    m[o] = w & 0xff;
    m[o + 1] = (w >>> 8) & 0xff;
    m[o + 2] = (w >>> 16) & 0xff;
    m[o + 3] = w >>> 24;
  }
  // Written from outside the core, as a loader would: translated code there is stale.
  CodeCache.of(m.buffer as ArrayBuffer).writtenRange(at, 4 * words.length);
}

/** Loads 16-bit Thumb halfwords at `at`. */
export function loadHalfwords(stage2: Stage2, at: number, halves: ArrayLike<number>): void {
  const m = stage2.memory;
  for (let k = 0; k < halves.length; k++) {
    const h = halves[k] & 0xffff;
    m[at + 2 * k] = h & 0xff;
    m[at + 2 * k + 1] = h >>> 8;
  }
  CodeCache.of(m.buffer as ArrayBuffer).writtenRange(at, 2 * halves.length);
}

/** Builds a Thumb core with `halves` at `at`. */
export function makeThumbCpu(halves: ArrayLike<number>, at = 0): Harness {
  const h = makeCpu([], at, true);
  loadHalfwords(h.stage2, at, halves);
  return h;
}

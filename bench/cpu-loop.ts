// The integer loop benchmark (add, shifted-operand eor, store, load, subs, branch): one program,
// run directly on armvmm's core (no VM around it: the CPU's own speed, interpreted and translated) and, as a bare-metal
// image, on QEMU. It ends with PSCI SYSTEM_OFF over HVC, which stops the core here with an HVC exit
// and powers QEMU's virt machine off.

import { Cpu } from "../src/cpu/core.js";
import { Stage2 } from "../src/cpu/stage2.js";
import { ExitReason } from "../src/cpu/exits.js";

const RAM_BASE = 0x40000000;
const PSCI_SYSTEM_OFF = 0x84000008;

/** The program's words; position independent apart from its scratch word at RAM_BASE + 4. */
export function loopProgram(iterations: number): number[] {
  return [
    0xe3a00000, // 0x00  mov   r0, #0
    0xe59f1024, // 0x04  ldr   r1, [pc, #0x24]      @ = iterations (0x30)
    0xe3a03101, // 0x08  mov   r3, #0x40000000
    0xe0800001, // 0x0c  loop: add r0, r0, r1
    0xe0202181, // 0x10  eor   r2, r0, r1, lsl #3
    0xe5832004, // 0x14  str   r2, [r3, #4]
    0xe5934004, // 0x18  ldr   r4, [r3, #4]
    0xe2511001, // 0x1c  subs  r1, r1, #1
    0x1afffff9, // 0x20  bne   loop
    0xe59f0008, // 0x24  ldr   r0, [pc, #8]         @ = PSCI SYSTEM_OFF (0x34)
    0xe1400070, // 0x28  hvc   #0
    0xeafffffe, // 0x2c  b     .
    iterations >>> 0, // 0x30
    PSCI_SYSTEM_OFF, // 0x34
  ];
}

/** Instructions executed up to and including the HVC: 3 + 6 per iteration + 2. */
export function loopInstructions(iterations: number): number {
  return 3 + 6 * iterations + 2;
}

/** The program as a raw little-endian image (QEMU loads it at RAM base + 0x10000 and enters it). */
export function loopImage(iterations: number): Uint8Array {
  const words = loopProgram(iterations);
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((w, k) => view.setUint32(4 * k, w >>> 0, true));
  return bytes;
}

export interface LoopResult {
  instructions: number;
  seconds: number;
  mips: number;
}

/** Runs the loop on a bare core: with `jit`, the loop's block is translated at its first visit. */
export function runIntegerLoop(iterations: number, jit: boolean): LoopResult {
  const stage2 = new Stage2(1 << 20);
  stage2.addRam(RAM_BASE, 1 << 20, 0, true);
  const cpu = new Cpu(stage2);
  cpu.jit = jit;
  cpu.mmu.code.hotThreshold = 1;
  new Uint8Array(stage2.memory.buffer).set(loopImage(iterations), 0x100);
  cpu.setPc(RAM_BASE + 0x100);
  const start = performance.now();
  let reason: number = ExitReason.SLICE;
  while (reason !== ExitReason.HVC) {
    reason = cpu.run(1_000_000);
    if (reason !== ExitReason.SLICE && reason !== ExitReason.HVC) throw new Error(`unexpected exit ${reason}`);
  }
  const seconds = (performance.now() - start) / 1000;
  const instructions = cpu.instructions;
  if (cpu.r[1] !== 0 || instructions !== loopInstructions(iterations)) {
    throw new Error(`the loop ran wrong: r1=${cpu.r[1]}, ${instructions} instructions`);
  }
  return { instructions, seconds, mips: instructions / seconds / 1e6 };
}

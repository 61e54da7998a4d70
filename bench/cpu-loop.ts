// Guest MIPS of the interpreter on an integer loop (add, shifted-operand eor, store, load, subs,
// branch), run directly on the core without a VM around it.

import { Cpu } from "../src/cpu/core.js";
import { Stage2 } from "../src/cpu/stage2.js";
import { ExitReason } from "../src/cpu/exits.js";

const RAM_BASE = 0x40000000;

// loop: mov r0,#0; ldr r1,=N; mov r3,#RAM; add r0,r0,r1; eor r2,r0,r1,lsl#3; str r2,[r3,#4];
//       ldr r4,[r3,#4]; subs r1,r1,#1; bne loop; hvc #0; .word N
function program(iterations: number): number[] {
  return [
    0xe3a00000,
    0xe59f101c,
    0xe3a03101,
    0xe0800001,
    0xe0202181,
    0xe5832004,
    0xe5934004,
    0xe2511001,
    0x1afffff9,
    0xe1400070,
    iterations,
  ];
}

export interface LoopResult {
  instructions: number;
  seconds: number;
  mips: number;
}

export function runIntegerLoop(iterations: number): LoopResult {
  const stage2 = new Stage2(1 << 20);
  stage2.addRam(RAM_BASE, 1 << 20, 0, true);
  const cpu = new Cpu(stage2);
  const words = program(iterations);
  const view = new DataView(stage2.memory.buffer);
  words.forEach((w, k) => view.setUint32(0x100 + 4 * k, w >>> 0, true));
  cpu.setPc(RAM_BASE + 0x100);
  const start = performance.now();
  let reason: number = ExitReason.SLICE;
  while (reason !== ExitReason.HVC) {
    reason = cpu.run(1_000_000);
    if (reason !== ExitReason.SLICE && reason !== ExitReason.HVC) throw new Error(`unexpected exit ${reason}`);
  }
  const seconds = (performance.now() - start) / 1000;
  const instructions = cpu.instructions;
  if (cpu.r[1] !== 0) throw new Error("loop did not finish correctly");
  return { instructions, seconds, mips: instructions / seconds / 1e6 };
}

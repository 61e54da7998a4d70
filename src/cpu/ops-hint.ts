// The hint instructions, shared by the A32 and both Thumb encodings (DDI 0406C A8.8.424 etc.): the
// hint number selects WFE, WFI or SEV; NOP, YIELD, DBG and the unallocated hints do nothing.

import type { Cpu } from "./core.js";

export function executeHint(cpu: Cpu, op: number): void {
  switch (op) {
    case 2:
      cpu.waitForInterrupt(true); // WFE
      return;
    case 3:
      cpu.waitForInterrupt(false); // WFI
      return;
    case 4:
      cpu.sendEvent(); // SEV
      return;
    default:
  }
}

// Inner-shareable maintenance when every vcpu shares one host thread: the other CPUs are not
// running while this one is, so their TLBs are invalidated at once. Translated code needs nothing:
// the CPUs of one thread share one code cache, which follows every store (code-cache.ts).

import type { Cpu, CpuBroadcast } from "../cpu/core.js";
import { applyTlbOp } from "./tlb-op.js";

export class SameThreadBroadcast implements CpuBroadcast {
  constructor(
    private readonly self: Cpu,
    private readonly all: readonly Cpu[],
  ) {}

  tlb(kind: number, value: number): void {
    for (const cpu of this.all) if (cpu !== this.self) applyTlbOp(cpu, kind, value);
  }

  cleaned(): void {}

  code(): void {}

  complete(): void {}

  event(): void {}
}

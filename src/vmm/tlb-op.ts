// A TLB invalidation another CPU broadcast (TLBI*IS), done on this CPU's TLB as the architecture
// says: by MVA for the given ASID (only global entries when it is not this CPU's current ASID,
// since entries are held for the current ASID only), by ASID, by MVA for all ASIDs, or all.

import type { Cpu } from "../cpu/core.js";
import { TLB_ASID, TLB_MVA, TLB_MVA_ALL_ASID } from "./vm-control.js";

export function applyTlbOp(cpu: Cpu, kind: number, value: number): void {
  const mmu = cpu.mmu;
  if (kind === TLB_MVA) mmu.flushVa(value, value & 0xff, false);
  else if (kind === TLB_ASID) mmu.flushAsid(value & 0xff);
  else if (kind === TLB_MVA_ALL_ASID) mmu.flushVa(value, 0, true);
  else mmu.flushTlb();
}

// Inner-shareable TLB maintenance with every vcpu on one thread: a TLBI*IS on one CPU invalidates
// the TLBs of all the others at once, and the issuing CPU's own TLB is left to its local operation.

import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCpu } from "../../helpers/cpu-harness.js";
import { SameThreadBroadcast } from "../../../src/vmm/same-thread-broadcast.js";
import { TLB_ALL, TLB_ASID } from "../../../src/vmm/vm-control.js";

test("a broadcast TLB operation reaches every other CPU of the thread, not the issuer", () => {
  const cpus = [makeCpu().cpu, makeCpu().cpu, makeCpu().cpu];
  const seen: string[] = [];
  cpus.forEach((cpu, k) => {
    cpu.mmu.flushTlb = () => void seen.push(`cpu${k} all`);
    cpu.mmu.flushAsid = (asid: number) => void seen.push(`cpu${k} asid ${asid}`);
  });
  const fromCpu1 = new SameThreadBroadcast(cpus[1], cpus);
  fromCpu1.tlb(TLB_ALL, 0);
  fromCpu1.tlb(TLB_ASID, 7);
  assert.deepEqual(seen, ["cpu0 all", "cpu2 all", "cpu0 asid 7", "cpu2 asid 7"]);
});

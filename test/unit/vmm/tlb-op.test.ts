// A broadcast TLB invalidation done on the receiving CPU: each kind reaches the MMU operation the
// architecture names, with the ASID taken from the low byte of the value.

import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCpu } from "../../helpers/cpu-harness.js";
import { applyTlbOp } from "../../../src/vmm/tlb-op.js";
import { TLB_ALL, TLB_ASID, TLB_MVA, TLB_MVA_ALL_ASID } from "../../../src/vmm/vm-control.js";

/** The MMU operations `applyTlbOp` makes on a fresh core, in order. */
function opsFor(kind: number, value: number): string[] {
  const { cpu } = makeCpu();
  const calls: string[] = [];
  const mmu = cpu.mmu;
  mmu.flushVa = (va: number, asid: number, allAsids: boolean) =>
    void calls.push(`va ${va.toString(16)} ${asid} ${allAsids}`);
  mmu.flushAsid = (asid: number) => void calls.push(`asid ${asid}`);
  mmu.flushTlb = () => void calls.push("all");
  applyTlbOp(cpu, kind, value);
  return calls;
}

test("TLBIMVAIS: by MVA for the ASID in the value's low byte", () => {
  assert.deepEqual(opsFor(TLB_MVA, 0x12345_0a7), ["va 123450a7 167 false"]);
});

test("TLBIASIDIS: by the ASID in the value's low byte", () => {
  assert.deepEqual(opsFor(TLB_ASID, 0x1ff), ["asid 255"]);
});

test("TLBIMVAAIS: by MVA for every ASID", () => {
  assert.deepEqual(opsFor(TLB_MVA_ALL_ASID, 0x8000_0000), ["va 80000000 0 true"]);
});

test("TLBIALLIS: everything", () => {
  assert.deepEqual(opsFor(TLB_ALL, 0), ["all"]);
});

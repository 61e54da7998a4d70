// The live views' data, from a heartbeat run in this process (icount, one thread): the event rings
// record what each vcpu did only while watched, and MachineView, attached to the machine's shared
// buffers as the page attaches, reads the vgic, the list registers and the counters.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { buildVirtMachine } from "../../../src/board/virt-machine.js";
import { MachineView } from "../../../src/board/machine-view.js";
import { nodeLoop } from "../../../src/host/node/loop.js";
import {
  EV_ACK,
  EV_BLOCK,
  EV_HOST_TIMER,
  EV_INJECT,
  EV_LR_FILL,
  EV_OFF,
  EV_RUN,
  EVENT_RING,
  VcpuEvents,
} from "../../../src/vmm/vcpu-events.js";
import { SharedArrays } from "../../../src/host/shared-arrays.js";

function heartbeat() {
  return buildVirtMachine({
    ramSize: 64 << 20,
    vcpus: 2,
    clock: "icount",
    kernel: new Uint8Array(readFileSync("guests/bin/heartbeat.bin")),
    loop: nodeLoop,
    output: () => {},
    log: () => {},
  });
}

test("event rings: nothing is recorded unless watched; watched, each vcpu's run, block, timer and interrupt path", async () => {
  const quiet = heartbeat();
  await quiet.run();
  assert.deepEqual(Array.from(quiet.control.events.heads), [0, 0]);

  const m = heartbeat();
  const view = new MachineView(m.shared);
  view.watch(true);
  await m.run();
  for (let v = 0; v < 2; v++) {
    const kinds = new Map<number, number>();
    const acks: number[] = [];
    const fills: number[] = [];
    let last = -Infinity;
    view.events.read(v, 0, (t, kind, arg) => {
      assert.ok(t >= last, `vcpu${v}: time goes back`);
      last = t;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      if (kind === EV_ACK) acks.push(arg);
      if (kind === EV_LR_FILL) fills.push(arg);
    });
    // Ten beats each: blocked in WFI with a host timer, injected, filled, acknowledged; then off.
    for (const [kind, least] of [
      [EV_RUN, 10],
      [EV_BLOCK, 10],
      [EV_HOST_TIMER, 10],
      [EV_INJECT, 10],
    ]) {
      assert.ok((kinds.get(kind) ?? 0) >= least, `vcpu${v}: ${kinds.get(kind)} of event ${kind}`);
    }
    assert.ok(acks.filter((id) => id === 27).length >= 10, `vcpu${v} acknowledged INTID 27 ${acks.length} times`);
    assert.ok(fills.filter((id) => id === 27).length >= 10, `vcpu${v} had INTID 27 in its LRs`);
    if (v === 0) assert.ok(fills.includes(1) || fills.includes(2), "vcpu1's SGIs reached vcpu0's LRs");
  }
  // vcpu 1 ends with PSCI CPU_OFF once its beats are done.
  let offs = 0;
  view.events.read(1, 0, (_t, kind) => (offs += kind === EV_OFF ? 1 : 0));
  assert.equal(offs, 1);
});

test("MachineView reads the distributor, the list registers and the counters through shared buffers", async () => {
  const m = heartbeat();
  const view = new MachineView(m.shared);
  await m.run();
  const ints = view.interrupts();
  for (const v of [0, 1]) {
    const timer = ints.find((i) => i.intid === 27 && i.vcpu === v);
    assert.ok(timer, `INTID 27 of vcpu${v} is enabled`);
    assert.equal(timer.enabled, true);
    assert.equal(timer.edge, false);
    assert.equal(timer.targets, 1 << v);
    const c = view.cpuInterface(v);
    assert.equal(c.lrs.length, 4);
    assert.equal((c.hcr & 1) === 1, true, "GICH_HCR.En set by the hypervisor");
  }
  assert.equal(view.distributorEnabled & 1, 1);
  const counters = view.counters();
  assert.equal(counters.lrFills, m.vgic.stats.lrFills);
  assert.ok(counters.lrFills >= 20, `${counters.lrFills} LR fills`);
  assert.deepEqual(
    counters.injections.find(([id]) => id === 27),
    [27, m.vgic.stats.injections[27]],
  );
  assert.ok(view.instructions()[0] >= 0);
});

test("the ring keeps the last EVENT_RING entries; a reader that fell behind gets the newest", () => {
  const ev = new VcpuEvents(1, new SharedArrays());
  ev.watching[0] = 1;
  for (let k = 0; k < EVENT_RING * 2 + 5; k++) ev.record(0, k, EV_RUN, k);
  const seen: number[] = [];
  const next = ev.read(0, 0, (t) => seen.push(t));
  assert.equal(next, EVENT_RING * 2 + 5);
  assert.equal(seen[seen.length - 1], EVENT_RING * 2 + 4);
  assert.ok(seen.length <= EVENT_RING && seen.length >= EVENT_RING - 64);
  for (let k = 1; k < seen.length; k++) assert.equal(seen[k], seen[k - 1] + 1);
  const more: number[] = [];
  ev.record(0, 99999, EV_BLOCK, 0);
  assert.equal(
    ev.read(0, next, (t) => more.push(t)),
    next + 1,
  );
  assert.deepEqual(more, [99999]);
});

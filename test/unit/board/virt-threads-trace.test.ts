// The I/O thread's merge of the vcpu threads' trace lines: a line is printed only once no line
// stamped earlier can still be on its way from another vcpu, whatever order the messages arrive in.

import { test } from "node:test";
import assert from "node:assert/strict";
import { VirtThreads } from "../../../src/board/virt-threads.js";
import type { FromVcpu, VcpuThreadInit } from "../../../src/host/thread-messages.js";
import { VmControl } from "../../../src/vmm/vm-control.js";
import { vmWithCode } from "../../helpers/vm-with-code.js";

const MS = 62_500;

function rig(vcpus: number) {
  const control = new VmControl(vcpus);
  const receivers: ((m: FromVcpu) => void)[] = [];
  const out: string[] = [];
  let now = 1000 * MS;
  const threads = new VirtThreads({
    vm: vmWithCode(0x4000_0000, [], vcpus),
    control,
    host: {
      spawn: (_init, onMessage) => {
        receivers.push(onMessage);
        return { terminate: () => {} };
      },
    },
    init: (vcpu) => ({ vcpu }) as unknown as VcpuThreadInit,
    log: () => {},
    traceOut: (line) => out.push(line),
    devicesTouched: () => {},
    now: () => now,
  });
  const done = threads.run();
  /** A vcpu stamps a line (counted as posted first, as the thread does); the message is delivered later. */
  const stamp = (vcpu: number, t: number, text: string): FromVcpu => {
    Atomics.add(control.tracePosted, vcpu, 1);
    return { k: "trace", vcpu, t, line: text };
  };
  const deliver = (m: FromVcpu) => receivers[m.k === "trace" ? m.vcpu : 0](m);
  const finish = async () => {
    for (let v = 0; v < vcpus; v++) {
      receivers[v]({
        k: "stats",
        final: true,
        stats: { vcpu: v, exits: [], instructions: 0, vtimer: [], jit: "", busyMs: 0 },
      });
    }
    await done;
  };
  return { out, stamp, deliver, finish, setNow: (t: number) => (now = t) };
}

test("trace merge: a line waits for an earlier one still on its way from another vcpu", async () => {
  const r = rig(2);
  const early = r.stamp(0, 500 * MS, "vcpu0 early");
  const late = r.stamp(1, 600 * MS, "vcpu1 late");
  r.deliver(late);
  assert.deepEqual(r.out, [], "printed while vcpu 0's earlier line was still on its way");
  r.deliver(early);
  assert.deepEqual(r.out, ["vcpu0 early", "vcpu1 late"]);
  await r.finish();
});

test("trace merge: with every line in, the ones older than the clock skew print at once", async () => {
  const r = rig(2);
  r.deliver(r.stamp(1, 700 * MS, "b"));
  r.deliver(r.stamp(0, 800 * MS, "c"));
  r.deliver(r.stamp(0, 999.5 * MS, "too recent"));
  assert.deepEqual(r.out, ["b", "c"]);
  r.setNow(1010 * MS);
  r.deliver(r.stamp(1, 1005 * MS, "d"));
  assert.deepEqual(r.out, ["b", "c", "too recent", "d"]);
  await r.finish();
});

test("trace merge: a vcpu with lines on their way holds back only what is newer than its last line", async () => {
  const r = rig(3);
  r.deliver(r.stamp(2, 100 * MS, "v2 first"));
  const second = r.stamp(2, 400 * MS, "v2 second");
  r.deliver(r.stamp(0, 300 * MS, "v0"));
  r.deliver(r.stamp(1, 200 * MS, "v1"));
  assert.deepEqual(r.out, ["v2 first"], "v2's last line here is at 100 ms, so 200 ms may not print yet");
  r.deliver(second);
  assert.deepEqual(r.out, ["v2 first", "v1", "v0", "v2 second"]);
  await r.finish();
});

test("trace merge: lines held when the VM ends are all printed, in time order", async () => {
  const r = rig(2);
  r.stamp(0, 10 * MS, "lost on the way");
  r.deliver(r.stamp(1, 50 * MS, "y"));
  r.deliver(r.stamp(1, 20 * MS, "x"));
  assert.deepEqual(r.out, []);
  await r.finish();
  assert.deepEqual(r.out, ["x", "y"]);
});

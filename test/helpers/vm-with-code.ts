// A Vm (the hypervisor without a board) with little-endian ARM code at the start of its RAM and a
// fake clock: for unit tests of what the vmm does around guest slices.

import assert from "node:assert/strict";
import { Vm } from "../../src/vmm/vm.js";
import { FakeClock } from "../unit/timer/fakes.js";

export function vmWithCode(ram: number, code: readonly number[], vcpus: number): Vm {
  const vm = new Vm({
    memory: [{ base: ram, size: 1 << 20, writable: true }],
    vcpus,
    clock: new FakeClock(0),
    warn: () => {},
  });
  const bytes = new Uint8Array(code.length * 4);
  const view = new DataView(bytes.buffer);
  code.forEach((w, k) => view.setUint32(4 * k, w >>> 0, true));
  assert.ok(vm.writePhysical(ram, bytes));
  return vm;
}

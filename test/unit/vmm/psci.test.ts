import { test } from "node:test";
import assert from "node:assert/strict";
import {
  handlePsci,
  AFFINITY_OFF,
  AFFINITY_ON,
  AFFINITY_ON_PENDING,
  mpidrOf,
  PSCI_AFFINITY_INFO,
  PSCI_ALREADY_ON,
  PSCI_CPU_OFF,
  PSCI_CPU_ON,
  PSCI_CPU_SUSPEND,
  PSCI_DENIED,
  PSCI_FEATURES,
  PSCI_INTERNAL_FAILURE,
  PSCI_INVALID_PARAMETERS,
  PSCI_MIGRATE,
  PSCI_MIGRATE_INFO_TYPE,
  PSCI_MIGRATE_INFO_UP_CPU,
  PSCI_NOT_SUPPORTED,
  PSCI_ON_PENDING,
  PSCI_SUCCESS,
  PSCI_SYSTEM_OFF,
  PSCI_SYSTEM_RESET,
  PSCI_VERSION,
  type PsciPlatform,
} from "../../../src/vmm/psci.js";

class FakePlatform implements PsciPlatform {
  readonly vcpuCount: number;
  on: boolean[];
  started: [number, number, number][] = [];
  off = false;
  reset = false;
  suspended: number[] = [];
  constructor(n: number) {
    this.vcpuCount = n;
    this.on = Array.from({ length: n }, (_, k) => k === 0);
  }
  affinityState(i: number): number {
    return this.on[i] ? AFFINITY_ON : AFFINITY_OFF;
  }
  cpuOn(i: number, entry: number, ctx: number): void {
    this.on[i] = true;
    this.started.push([i, entry, ctx]);
  }
  cpuOff(i: number): void {
    this.on[i] = false;
  }
  cpuSuspend(i: number): void {
    this.suspended.push(i);
  }
  systemOff(): void {
    this.off = true;
  }
  systemReset(): void {
    this.reset = true;
  }
}

test("PSCI_VERSION reports 1.0", () => {
  assert.equal(handlePsci(new FakePlatform(1), 0, PSCI_VERSION, 0, 0, 0), 0x10000);
});

test("CPU_ON starts a secondary with its entry and context id, once", () => {
  const p = new FakePlatform(4);
  assert.equal(handlePsci(p, 0, PSCI_CPU_ON, 0x80000002, 0x40001001, 0x1234), 0);
  assert.deepEqual(p.started, [[2, 0x40001001, 0x1234]]);
  assert.equal(handlePsci(p, 0, PSCI_CPU_ON, 2, 0x40001000, 0), PSCI_ALREADY_ON);
  assert.equal(handlePsci(p, 0, PSCI_CPU_ON, 0, 0x40001000, 0), PSCI_ALREADY_ON, "the caller itself is on");
});

test("CPU_ON and AFFINITY_INFO reject CPUs that do not exist", () => {
  const p = new FakePlatform(2);
  assert.equal(handlePsci(p, 0, PSCI_CPU_ON, 2, 0x40000000, 0), PSCI_INVALID_PARAMETERS);
  assert.equal(handlePsci(p, 0, PSCI_CPU_ON, 0x100, 0x40000000, 0), PSCI_INVALID_PARAMETERS, "Aff1 = 1");
  assert.equal(handlePsci(p, 0, PSCI_AFFINITY_INFO, 5, 0, 0), PSCI_INVALID_PARAMETERS);
  assert.equal(handlePsci(p, 0, PSCI_AFFINITY_INFO, 1, 1, 0), PSCI_INVALID_PARAMETERS, "level 1 not described");
});

test("AFFINITY_INFO follows CPU_ON and CPU_OFF", () => {
  const p = new FakePlatform(2);
  assert.equal(handlePsci(p, 0, PSCI_AFFINITY_INFO, 1, 0, 0), AFFINITY_OFF);
  handlePsci(p, 0, PSCI_CPU_ON, 1, 0x40000000, 0);
  assert.equal(handlePsci(p, 0, PSCI_AFFINITY_INFO, 1, 0, 0), AFFINITY_ON);
  handlePsci(p, 1, PSCI_CPU_OFF, 0, 0, 0);
  assert.equal(handlePsci(p, 0, PSCI_AFFINITY_INFO, 1, 0, 0), AFFINITY_OFF);
});

test("FEATURES, MIGRATE_INFO_TYPE, unknown calls, SYSTEM_OFF/RESET", () => {
  const p = new FakePlatform(1);
  assert.equal(handlePsci(p, 0, PSCI_FEATURES, PSCI_CPU_ON, 0, 0), 0);
  assert.equal(handlePsci(p, 0, PSCI_FEATURES, 0x84000005 /* MIGRATE */, 0, 0), PSCI_NOT_SUPPORTED);
  assert.equal(handlePsci(p, 0, PSCI_MIGRATE_INFO_TYPE, 0, 0, 0), 2);
  assert.equal(handlePsci(p, 0, 0x8400_00ff, 0, 0, 0), PSCI_NOT_SUPPORTED);
  assert.equal(handlePsci(p, 0, 0xc400_0003 /* CPU_ON SMC64 */, 0, 0, 0), PSCI_NOT_SUPPORTED);
  handlePsci(p, 0, PSCI_SYSTEM_RESET, 0, 0, 0);
  assert.equal(p.reset, true);
  handlePsci(p, 0, PSCI_SYSTEM_OFF, 0, 0, 0);
  assert.equal(p.off, true);
});

test("CPU_SUSPEND suspends the caller (standby, like WFI) and succeeds", () => {
  const p = new FakePlatform(2);
  assert.equal(handlePsci(p, 1, PSCI_CPU_SUSPEND, 0, 0x40000000, 0), PSCI_SUCCESS);
  assert.deepEqual(p.suspended, [1]);
});

test("CPU_OFF powers the caller off; SYSTEM_OFF and SYSTEM_RESET return success", () => {
  const p = new FakePlatform(2);
  p.on[1] = true;
  assert.equal(handlePsci(p, 1, PSCI_CPU_OFF, 0, 0, 0), PSCI_SUCCESS);
  assert.deepEqual(p.on, [true, false]);
  assert.equal(handlePsci(p, 0, PSCI_SYSTEM_RESET, 0, 0, 0), PSCI_SUCCESS);
  assert.equal(handlePsci(p, 0, PSCI_SYSTEM_OFF, 0, 0, 0), PSCI_SUCCESS);
});

test("CPU_ON of a CPU whose start is pending answers ON_PENDING and starts nothing", () => {
  const p = new FakePlatform(2);
  p.affinityState = (i) => (i === 1 ? AFFINITY_ON_PENDING : AFFINITY_ON);
  assert.equal(handlePsci(p, 0, PSCI_CPU_ON, 1, 0x40000000, 0), PSCI_ON_PENDING);
  assert.deepEqual(p.started, []);
  assert.equal(handlePsci(p, 0, PSCI_AFFINITY_INFO, 1, 0, 0), AFFINITY_ON_PENDING);
});

test("CPU_ON passes the entry point unsigned and the context id signed; affinity above Aff2 is ignored", () => {
  const p = new FakePlatform(2);
  assert.equal(handlePsci(p, 0, PSCI_CPU_ON, 0xff000001, 0xc0000001 | 0, 0xffffffff), PSCI_SUCCESS);
  assert.deepEqual(p.started, [[1, 0xc0000001, -1]]);
  assert.equal(handlePsci(p, 0, PSCI_AFFINITY_INFO, 0x81000001, 0, 0), AFFINITY_ON);
  assert.equal(handlePsci(p, 0, PSCI_AFFINITY_INFO, 0x010000, 0, 0), PSCI_INVALID_PARAMETERS, "Aff2 = 1");
});

test("FEATURES: every function implemented here is reported, MIGRATE and unknown IDs are not", () => {
  const p = new FakePlatform(1);
  const implemented = [
    PSCI_VERSION,
    PSCI_CPU_SUSPEND,
    PSCI_CPU_OFF,
    PSCI_CPU_ON,
    PSCI_AFFINITY_INFO,
    PSCI_MIGRATE_INFO_TYPE,
    PSCI_SYSTEM_OFF,
    PSCI_SYSTEM_RESET,
    PSCI_FEATURES,
  ];
  for (const fid of implemented)
    assert.equal(handlePsci(p, 0, PSCI_FEATURES, fid | 0, 0, 0), PSCI_SUCCESS, fid.toString(16));
  for (const fid of [PSCI_MIGRATE, PSCI_MIGRATE_INFO_UP_CPU, 0x8400000b, 0]) {
    assert.equal(handlePsci(p, 0, PSCI_FEATURES, fid, 0, 0), PSCI_NOT_SUPPORTED, fid.toString(16));
  }
  assert.equal(handlePsci(p, 0, PSCI_VERSION | 0, 0, 0, 0), 0x10000, "a function ID passed as a negative int32");
});

test("MPIDR of vcpu n: Aff0 = n with the multiprocessor bit", () => {
  assert.equal(mpidrOf(0), 0x80000000);
  assert.equal(mpidrOf(3), 0x80000003);
});

test("return codes and AFFINITY_INFO states have the values of DEN 0022", () => {
  assert.deepEqual(
    [PSCI_SUCCESS, PSCI_NOT_SUPPORTED, PSCI_INVALID_PARAMETERS, PSCI_DENIED, PSCI_ALREADY_ON],
    [0, -1, -2, -3, -4],
  );
  assert.deepEqual([PSCI_ON_PENDING, PSCI_INTERNAL_FAILURE], [-5, -6]);
  assert.deepEqual([AFFINITY_ON, AFFINITY_OFF, AFFINITY_ON_PENDING], [0, 1, 2]);
});

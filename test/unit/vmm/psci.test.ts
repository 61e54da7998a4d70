import { test } from "node:test";
import assert from "node:assert/strict";
import {
  handlePsci,
  AFFINITY_OFF,
  AFFINITY_ON,
  PSCI_AFFINITY_INFO,
  PSCI_ALREADY_ON,
  PSCI_CPU_OFF,
  PSCI_CPU_ON,
  PSCI_FEATURES,
  PSCI_INVALID_PARAMETERS,
  PSCI_MIGRATE_INFO_TYPE,
  PSCI_NOT_SUPPORTED,
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

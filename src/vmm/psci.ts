// PSCI 1.0 (ARM DEN 0022) over HVC, SMC32 calling convention: function ID in r0, arguments in
// r1..r3, result in r0. The hypervisor is the PSCI implementation for its guest, as in KVM.

export const PSCI_VERSION = 0x84000000;
export const PSCI_CPU_SUSPEND = 0x84000001;
export const PSCI_CPU_OFF = 0x84000002;
export const PSCI_CPU_ON = 0x84000003;
export const PSCI_AFFINITY_INFO = 0x84000004;
export const PSCI_MIGRATE = 0x84000005;
export const PSCI_MIGRATE_INFO_TYPE = 0x84000006;
export const PSCI_MIGRATE_INFO_UP_CPU = 0x84000007;
export const PSCI_SYSTEM_OFF = 0x84000008;
export const PSCI_SYSTEM_RESET = 0x84000009;
export const PSCI_FEATURES = 0x8400000a;

export const PSCI_SUCCESS = 0;
export const PSCI_NOT_SUPPORTED = -1;
export const PSCI_INVALID_PARAMETERS = -2;
export const PSCI_DENIED = -3;
export const PSCI_ALREADY_ON = -4;
export const PSCI_ON_PENDING = -5;
export const PSCI_INTERNAL_FAILURE = -6;

/** AFFINITY_INFO answers. */
export const AFFINITY_ON = 0;
export const AFFINITY_OFF = 1;
export const AFFINITY_ON_PENDING = 2;

/** MIGRATE_INFO_TYPE: no Trusted OS, so no migration is required. */
const MIGRATE_NOT_REQUIRED = 2;
/** Version 1.0: major in [31:16], minor in [15:0]. */
const VERSION_1_0 = 0x00010000;

/** What PSCI needs from the VM. */
export interface PsciPlatform {
  readonly vcpuCount: number;
  /** Power state of vcpu `index`: AFFINITY_ON / OFF / ON_PENDING. */
  affinityState(index: number): number;
  /** Starts an off vcpu at `entry` (bit 0 selects Thumb) with `contextId` in r0. */
  cpuOn(index: number, entry: number, contextId: number): void;
  /** Powers the calling vcpu off. */
  cpuOff(caller: number): void;
  /** Puts the caller in a standby state until an interrupt (CPU_SUSPEND). */
  cpuSuspend(caller: number): void;
  systemOff(): void;
  systemReset(): void;
}

/** MPIDR of vcpu `index` as the guest sees it (Aff0 = index, multiprocessor bit set). */
export function mpidrOf(index: number): number {
  return (0x80000000 | index) >>> 0;
}

/** The vcpu index named by an MPIDR affinity value, or -1 if no such vcpu exists. */
function vcpuOfAffinity(mpidr: number, count: number): number {
  const aff = mpidr & 0x00ffffff; // Aff2.Aff1.Aff0; bits above are not affinity
  if (aff >= count) return -1;
  return aff;
}

const SUPPORTED = new Set([
  PSCI_VERSION,
  PSCI_CPU_SUSPEND,
  PSCI_CPU_OFF,
  PSCI_CPU_ON,
  PSCI_AFFINITY_INFO,
  PSCI_MIGRATE_INFO_TYPE,
  PSCI_SYSTEM_OFF,
  PSCI_SYSTEM_RESET,
  PSCI_FEATURES,
]);

/** Handles one call; returns the value for r0 (signed). */
export function handlePsci(
  platform: PsciPlatform,
  caller: number,
  fid: number,
  a1: number,
  a2: number,
  a3: number,
): number {
  switch (fid >>> 0) {
    case PSCI_VERSION:
      return VERSION_1_0;
    case PSCI_CPU_SUSPEND:
      // Every power state is treated as standby: the caller resumes after the call, like WFI.
      platform.cpuSuspend(caller);
      return PSCI_SUCCESS;
    case PSCI_CPU_OFF:
      platform.cpuOff(caller);
      return PSCI_SUCCESS; // not seen by the caller: it is off
    case PSCI_CPU_ON: {
      const target = vcpuOfAffinity(a1, platform.vcpuCount);
      if (target < 0) return PSCI_INVALID_PARAMETERS;
      const state = platform.affinityState(target);
      if (state === AFFINITY_ON) return PSCI_ALREADY_ON;
      if (state === AFFINITY_ON_PENDING) return PSCI_ON_PENDING;
      platform.cpuOn(target, a2 >>> 0, a3 | 0);
      return PSCI_SUCCESS;
    }
    case PSCI_AFFINITY_INFO: {
      // Only affinity level 0 (individual cores) is described.
      if (a2 !== 0) return PSCI_INVALID_PARAMETERS;
      const target = vcpuOfAffinity(a1, platform.vcpuCount);
      if (target < 0) return PSCI_INVALID_PARAMETERS;
      return platform.affinityState(target);
    }
    case PSCI_MIGRATE_INFO_TYPE:
      return MIGRATE_NOT_REQUIRED;
    case PSCI_SYSTEM_OFF:
      platform.systemOff();
      return PSCI_SUCCESS;
    case PSCI_SYSTEM_RESET:
      platform.systemReset();
      return PSCI_SUCCESS;
    case PSCI_FEATURES:
      // CPU_SUSPEND's feature flags: original power-state format, no OS-initiated mode.
      return SUPPORTED.has(a1 >>> 0) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
    default:
      void a3;
      return PSCI_NOT_SUPPORTED;
  }
}

// What the GDB stub (gdb-stub.ts) needs from the machine it debugs. Threads are numbered 1..N,
// one per vcpu, as gdb numbers them; registers by gdb's numbers for ARM (target-xml.ts).

/** Z/z packet types. */
export const POINT_SOFTWARE = 0;
export const POINT_HARDWARE = 1;
export const WATCH_WRITE = 2;
export const WATCH_READ = 3;
export const WATCH_ACCESS = 4;

/** Why the machine stopped, for the stop reply. */
export interface StopEvent {
  /** The thread (vcpu + 1) that stopped, or was running when the debugger interrupted. */
  thread: number;
  /** 5 (SIGTRAP) for breakpoints, steps and watchpoints; 2 (SIGINT) for an interrupt. */
  signal: number;
  /** What hit, when something did. */
  kind?: "swbreak" | "hwbreak" | "watch" | "rwatch" | "awatch";
  /** The watched address, for watchpoints. */
  address?: number;
}

export interface DebugTarget {
  readonly threadCount: number;
  /** Whether thread `t` exists (and, for a vcpu, whatever its power state). */
  threadAlive(t: number): boolean;
  /** A few words for `info threads`. */
  threadDescription(t: number): string;
  /** Register `regno` of thread `t` as target bytes (little-endian), or null if there is none. */
  readRegister(t: number, regno: number): Uint8Array | null;
  writeRegister(t: number, regno: number, bytes: Uint8Array): boolean;
  /** Reads through thread `t`'s current virtual address space; shorter (maybe empty) where the
   * translation fails or leaves RAM. Never faults the guest, never changes its TLB. */
  readMemory(t: number, addr: number, length: number): Uint8Array;
  /** Writes as readMemory reads; returns how many bytes were written. */
  writeMemory(t: number, addr: number, bytes: Uint8Array): number;
  /** Z/z packets: false if the type is not supported or the point cannot be set. */
  insertPoint(type: number, addr: number, kind: number): boolean;
  removePoint(type: number, addr: number, kind: number): boolean;
  /** Lets the machine run: every vcpu (`step` null), or one instruction of thread `step` while the
   * others stay stopped. A StopEvent reports the end. */
  resume(step: number | null): void;
  /** Stops every vcpu now (Ctrl-C); a StopEvent follows if the machine was running. */
  interrupt(): void;
  /** Takes hold of the machine: it stops (if it ran), and later stops are reported to `onStop`. */
  attach(onStop: (event: StopEvent) => void): StopEvent;
  /** Removes every breakpoint and watchpoint and lets the machine run on without a debugger. */
  detach(): void;
  /** Ends the machine. */
  kill(): void;
}

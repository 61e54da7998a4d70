// The two seams between devices and the rest of the machine: a device is a window of registers
// reached by offset (it never learns its base address), and it raises interrupts only by driving
// a line's level (it never learns which controller is behind the line).

export interface MmioDevice {
  /** Reads `size` bytes (1, 2 or 4) at `offset`; the value is zero-extended. `cpu` is the index of
   * the accessing CPU, for banked registers (the GIC distributor); ordinary devices ignore it. */
  read(offset: number, size: number, cpu: number): number;
  write(offset: number, size: number, value: number, cpu: number): void;
}

export interface IrqLine {
  set(level: boolean): void;
}

/** A line connected to nothing. */
export const NO_LINE: IrqLine = { set: () => {} };

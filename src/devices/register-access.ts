// Narrow accesses to 32-bit device registers. The PrimeCell peripherals sit on a 32-bit APB bus
// without byte strobes; a guest may still use LDRB/LDRH/STRH on them (Linux's amba-pl011 driver
// uses 16-bit accesses). A narrow read returns the addressed byte lanes of the register; a narrow
// write drives its bytes on their lanes with the others zero and writes the whole register.

/** Offset of the 32-bit register containing byte `offset`. */
export function registerOf(offset: number): number {
  return offset & ~3;
}

/** The value a `size`-byte read at `offset` sees of the 32-bit register value `reg`. */
export function readLanes(reg: number, offset: number, size: number): number {
  const shifted = reg >>> ((offset & 3) << 3);
  return size >= 4 ? shifted >>> 0 : shifted & ((1 << (size << 3)) - 1);
}

/** The 32-bit register value a `size`-byte write of `value` at `offset` drives. */
export function writeLanes(value: number, offset: number, size: number): number {
  const v = size >= 4 ? value >>> 0 : value & ((1 << (size << 3)) - 1);
  return (v << ((offset & 3) << 3)) >>> 0;
}

// PrimeCell identification registers (the same layout in every PrimeCell TRM): UARTPeriphID0..3
// and UARTPCellID0..3 style, eight byte-wide registers at 0xFE0..0xFFC.
export const PERIPH_ID0 = 0xfe0;
export const PCELL_ID3 = 0xffc;

/** PrimeCell component ID bytes 0xFF0..0xFFC: 0x0D, 0xF0, 0x05, 0xB1 for every PrimeCell. */
export const PRIMECELL_CELL_ID = [0x0d, 0xf0, 0x05, 0xb1] as const;

/** The ID register at `reg` (0xFE0..0xFFC) from four peripheral ID bytes and the cell ID. */
export function primeCellIdRegister(reg: number, periphId: readonly number[]): number {
  const index = (reg - PERIPH_ID0) >> 2;
  return index < 4 ? periphId[index] : PRIMECELL_CELL_ID[index - 4];
}

/**
 * A PrimeCell peripheral as a window of 32-bit registers: narrow accesses go through the byte
 * lanes, and the ID registers at 0xFE0..0xFFC come from the four peripheral ID bytes. Subclasses
 * implement the registers of their own map.
 */
export abstract class PrimeCellDevice {
  constructor(private readonly periphId: readonly number[]) {}

  read(offset: number, size: number, _cpu: number): number {
    return readLanes(this.readRegister(registerOf(offset)), offset, size);
  }

  write(offset: number, size: number, value: number, _cpu: number): void {
    this.writeRegister(registerOf(offset), writeLanes(value, offset, size));
  }

  /** What a register outside the device's own map reads as: an ID register, or zero (reserved
   * space, write-only and test registers). */
  protected otherRegister(reg: number): number {
    return reg >= PERIPH_ID0 && reg <= PCELL_ID3 ? primeCellIdRegister(reg, this.periphId) : 0;
  }

  protected abstract readRegister(reg: number): number;
  protected abstract writeRegister(reg: number, value: number): void;
}

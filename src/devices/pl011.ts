// ARM PrimeCell UART (PL011), ARM DDI 0183. The guest sees the full register set; the line side is
// a byte sink for transmitted data and `receive()` for input from the host.
//
// Emulation choices (the TRM describes a serial line with bit timing; the host has none):
// - Transmission is instantaneous: a byte written to UARTDR goes to the output sink at once, so the
//   TX FIFO is always empty (TXFE = 1, TXFF = 0, BUSY = 0). Bytes are sent whatever UARTEN/TXE say,
//   as QEMU does, because bare-metal programs for the virt machine print without enabling the UART.
// - The TX interrupt follows the TRM's "transition through a level" rule: TXRIS is not set at reset
//   nor by enabling the UART; it is set when written data has left the FIFO (immediately after
//   each UARTDR write) and stays set until UARTICR clears it or the next write sets it again.
// - The RX FIFO holds 16 entries (revision r1p1: PeriphID2 = 0x14, as Linux sizes it) or one
//   entry with FEN = 0. RXRIS is set when a received byte brings the fill level to the UARTIFLS
//   trigger (1 with FIFOs off) and clears when reads take it below the trigger.
// - Receive timeout: a real PL011 raises RTRIS when data has sat in the RX FIFO for 32 bit periods
//   with nothing more arriving. The host delivers input in bursts between vcpu slices, so the
//   timeout is modelled as zero bit periods: RTRIS is set by every received byte and cleared when
//   the FIFO empties or by UARTICR (which sets it again if data is left). A lone typed character
//   therefore interrupts at once even below the FIFO trigger level, which is what the timeout
//   exists for.
// - No modem: CTS, DSR and DCD read as asserted (a connected cable), RI never; modem interrupts
//   never occur. No framing/parity/break errors arise from the host; overrun can only happen in
//   loopback (the host is told to hold input back instead, see `receive`).
// - Loopback (UARTCR.LBE) feeds transmitted bytes into the RX FIFO instead of the output sink.
// - Input is accepted whatever UARTEN/RXE say (as QEMU does), for the same reason as output.
// - Changing UARTLCR_H.FEN keeps the RX FIFO contents; only the capacity used for RXFF and
//   `canReceive()` changes.

import type { IrqLine, MmioDevice } from "./device.js";
import { PrimeCellDevice } from "./register-access.js";
import type { StateReader, StateWriter } from "../snapshot/state-stream.js";

// Register byte offsets (DDI 0183 3.2, "Summary of registers").
export const UARTDR = 0x000;
export const UARTRSR = 0x004; // read
export const UARTECR = 0x004; // write
export const UARTFR = 0x018;
export const UARTILPR = 0x020;
export const UARTIBRD = 0x024;
export const UARTFBRD = 0x028;
export const UARTLCR_H = 0x02c;
export const UARTCR = 0x030;
export const UARTIFLS = 0x034;
export const UARTIMSC = 0x038;
export const UARTRIS = 0x03c;
export const UARTMIS = 0x040;
export const UARTICR = 0x044;
export const UARTDMACR = 0x048;

// UARTDR read: error flags above the data byte; UARTRSR holds the same four bits.
export const DR_FE = 1 << 8;
export const DR_PE = 1 << 9;
export const DR_BE = 1 << 10;
export const DR_OE = 1 << 11;
export const RSR_OE = 1 << 3;

// UARTFR bits.
export const FR_CTS = 1 << 0;
export const FR_DSR = 1 << 1;
export const FR_DCD = 1 << 2;
export const FR_BUSY = 1 << 3;
export const FR_RXFE = 1 << 4;
export const FR_TXFF = 1 << 5;
export const FR_RXFF = 1 << 6;
export const FR_TXFE = 1 << 7;
export const FR_RI = 1 << 8;

// UARTLCR_H and UARTCR bits used by the model.
export const LCR_H_FEN = 1 << 4;
export const CR_UARTEN = 1 << 0;
export const CR_LBE = 1 << 7;
export const CR_TXE = 1 << 8;
export const CR_RXE = 1 << 9;

// Interrupt bits, shared by UARTIMSC, UARTRIS, UARTMIS and UARTICR.
export const INT_RIM = 1 << 0;
export const INT_CTSM = 1 << 1;
export const INT_DCDM = 1 << 2;
export const INT_DSRM = 1 << 3;
export const INT_RX = 1 << 4;
export const INT_TX = 1 << 5;
export const INT_RT = 1 << 6;
export const INT_FE = 1 << 7;
export const INT_PE = 1 << 8;
export const INT_BE = 1 << 9;
export const INT_OE = 1 << 10;
const INT_ALL = 0x7ff;

// Register widths / writable bits.
const LCR_H_MASK = 0xff;
const CR_MASK = 0xff87; // bits 6:3 are reserved
const IFLS_MASK = 0x3f;
const DMACR_MASK = 0x7;

// Reset values (DDI 0183 3.2).
const CR_RESET = CR_TXE | CR_RXE;
const IFLS_RESET = 0x12; // both FIFOs at 1/2

/** Peripheral ID bytes 0xFE0..0xFEC: part 0x011, designer ARM (0x41), revision 1. */
export const PL011_PERIPH_ID = [0x11, 0x10, 0x14, 0x00] as const;

export const PL011_FIFO_DEPTH = 16;

/** RX trigger levels for UARTIFLS.RXIFLSEL 0..4 (1/8, 1/4, 1/2, 3/4, 7/8 of 16); reserved codes act as 7/8. */
const RX_TRIGGER = [2, 4, 8, 12, 14, 14, 14, 14] as const;

export class Pl011 extends PrimeCellDevice implements MmioDevice {
  /** Called when a read frees space in a full RX FIFO, so a host holding input back can resume. Keep
   * it cheap (it runs inside the guest's register read); deferring the `receive()` calls is best. */
  onRxSpace: (() => void) | null = null;

  // RX FIFO: a ring of 12-bit entries (data byte + DR_FE..DR_OE).
  private readonly rxFifo = new Uint16Array(PL011_FIFO_DEPTH);
  private rxHead = 0;
  private rxCount = 0;

  private rsr = 0;
  /** An overrun happened: the next byte into the FIFO carries DR_OE (DDI 0183 3.3.1). */
  private overrunPending = false;
  private ilpr = 0;
  private ibrd = 0;
  private fbrd = 0;
  private lcrH = 0;
  private cr = CR_RESET;
  private ifls = IFLS_RESET;
  private imsc = 0;
  private ris = 0;
  private dmacr = 0;
  private level = false;

  constructor(
    private readonly irq: IrqLine,
    private readonly output: (byte: number) => void,
  ) {
    super(PL011_PERIPH_ID);
  }

  /** Back to the reset state (a system reset); the line drops. */
  reset(): void {
    this.rxHead = 0;
    this.rxCount = 0;
    this.rsr = 0;
    this.overrunPending = false;
    this.ilpr = 0;
    this.ibrd = 0;
    this.fbrd = 0;
    this.lcrH = 0;
    this.cr = CR_RESET;
    this.ifls = IFLS_RESET;
    this.imsc = 0;
    this.ris = 0;
    this.dmacr = 0;
    this.update();
  }

  // ---- host side ----

  /** True when the RX FIFO (or holding register) has room for a byte. */
  canReceive(): boolean {
    return this.rxCount < this.rxCapacity();
  }

  /** Pushes one input byte. Returns false, dropping nothing, when the FIFO is full: the host keeps
   * the byte and tries again after `onRxSpace`. */
  receive(byte: number): boolean {
    if (this.rxCount >= this.rxCapacity()) return false;
    this.pushRx(byte & 0xff);
    this.update();
    return true;
  }

  // ---- guest side ----

  protected readRegister(reg: number): number {
    switch (reg) {
      case UARTDR:
        return this.popRx();
      case UARTRSR:
        return this.rsr;
      case UARTFR:
        return this.flags();
      case UARTILPR:
        return this.ilpr;
      case UARTIBRD:
        return this.ibrd;
      case UARTFBRD:
        return this.fbrd;
      case UARTLCR_H:
        return this.lcrH;
      case UARTCR:
        return this.cr;
      case UARTIFLS:
        return this.ifls;
      case UARTIMSC:
        return this.imsc;
      case UARTRIS:
        return this.ris;
      case UARTMIS:
        return this.ris & this.imsc;
      case UARTDMACR:
        return this.dmacr;
      default:
        // UARTICR is write-only; reserved and test registers read as zero.
        return this.otherRegister(reg);
    }
  }

  protected writeRegister(reg: number, v: number): void {
    switch (reg) {
      case UARTDR:
        this.transmit(v & 0xff);
        break;
      case UARTECR:
        this.rsr = 0; // any write clears the error status
        break;
      case UARTILPR:
        this.ilpr = v & 0xff;
        break;
      case UARTIBRD:
        this.ibrd = v & 0xffff;
        break;
      case UARTFBRD:
        this.fbrd = v & 0x3f;
        break;
      case UARTLCR_H: {
        const before = this.rxCapacity();
        this.lcrH = v & LCR_H_MASK;
        // Enabling the FIFO makes room: input the host held back may come in now.
        if (this.rxCapacity() > before && this.rxCount >= before) this.onRxSpace?.();
        break;
      }
      case UARTCR:
        this.cr = v & CR_MASK;
        break;
      case UARTIFLS:
        this.ifls = v & IFLS_MASK;
        break;
      case UARTIMSC:
        this.imsc = v & INT_ALL;
        this.update();
        break;
      case UARTICR:
        this.ris &= ~(v & INT_ALL);
        // Data still in the FIFO times out again (at once, in zero bit periods): a byte that
        // arrived between a driver's last UARTFR read and its UARTICR write is not stranded.
        if (this.rxCount > 0) this.ris |= INT_RT;
        this.update();
        break;
      case UARTDMACR:
        this.dmacr = v & DMACR_MASK;
        break;
      default:
        // UARTFR, UARTRIS, UARTMIS and the ID registers are read-only; reserved space ignores writes.
        break;
    }
  }

  /** Snapshots: every register, the RX FIFO and the interrupt level as last driven. */
  save(w: StateWriter): void {
    w.array(this.rxFifo);
    for (const v of [this.rxHead, this.rxCount, this.rsr, this.ilpr, this.ibrd, this.fbrd, this.lcrH, this.cr])
      w.f64(v);
    for (const v of [this.ifls, this.imsc, this.ris, this.dmacr]) w.f64(v);
    w.bool(this.overrunPending);
    w.bool(this.level);
  }

  restore(r: StateReader): void {
    r.array(this.rxFifo);
    this.rxHead = r.f64();
    this.rxCount = r.f64();
    this.rsr = r.f64();
    this.ilpr = r.f64();
    this.ibrd = r.f64();
    this.fbrd = r.f64();
    this.lcrH = r.f64();
    this.cr = r.f64();
    this.ifls = r.f64();
    this.imsc = r.f64();
    this.ris = r.f64();
    this.dmacr = r.f64();
    this.overrunPending = r.bool();
    this.level = r.bool();
  }

  private fifoEnabled(): boolean {
    return (this.lcrH & LCR_H_FEN) !== 0;
  }

  private rxCapacity(): number {
    return this.fifoEnabled() ? PL011_FIFO_DEPTH : 1;
  }

  private rxTrigger(): number {
    return this.fifoEnabled() ? RX_TRIGGER[(this.ifls >> 3) & 7] : 1;
  }

  private flags(): number {
    let fr = FR_TXFE | FR_CTS | FR_DSR | FR_DCD;
    if (this.rxCount === 0) fr |= FR_RXFE;
    if (this.rxCount >= this.rxCapacity()) fr |= FR_RXFF;
    return fr;
  }

  private pushRx(byte: number): void {
    const entry = this.overrunPending ? byte | DR_OE : byte;
    this.overrunPending = false;
    this.rxFifo[(this.rxHead + this.rxCount) % PL011_FIFO_DEPTH] = entry;
    this.rxCount++;
    this.ris |= INT_RT;
    if (this.rxCount >= this.rxTrigger()) this.ris |= INT_RX;
  }

  private popRx(): number {
    if (this.rxCount === 0) return 0;
    const wasFull = this.rxCount >= this.rxCapacity();
    const entry = this.rxFifo[this.rxHead];
    this.rxHead = (this.rxHead + 1) % PL011_FIFO_DEPTH;
    this.rxCount--;
    // UARTRSR reports the errors of the character just read (overrun is sticky until UARTECR).
    this.rsr = (this.rsr & RSR_OE) | ((entry >> 8) & 0x7);
    if (this.rxCount < this.rxTrigger()) this.ris &= ~INT_RX;
    if (this.rxCount === 0) this.ris &= ~INT_RT;
    this.update();
    if (wasFull && this.onRxSpace !== null) this.onRxSpace();
    return entry;
  }

  private transmit(byte: number): void {
    if ((this.cr & CR_LBE) !== 0) {
      if (this.rxCount < this.rxCapacity()) {
        this.pushRx(byte);
      } else {
        // Overrun: the byte is lost; flagged in UARTRSR and as an interrupt.
        this.rsr |= RSR_OE;
        this.overrunPending = true;
        this.ris |= INT_OE;
      }
    } else {
      this.output(byte);
    }
    this.ris |= INT_TX; // the byte has left the (one-deep in effect) TX FIFO
    this.update();
  }

  /** The interrupt output: UARTINTR, the OR of the masked interrupts. */
  private update(): void {
    const level = (this.ris & this.imsc) !== 0;
    if (level !== this.level) {
      this.level = level;
      this.irq.set(level);
    }
  }
}

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CR_LBE,
  CR_TXE,
  CR_RXE,
  CR_UARTEN,
  DR_OE,
  FR_CTS,
  FR_DCD,
  FR_DSR,
  FR_RXFE,
  FR_RXFF,
  FR_TXFE,
  FR_TXFF,
  FR_BUSY,
  INT_OE,
  INT_RT,
  INT_RX,
  INT_TX,
  LCR_H_FEN,
  Pl011,
  RSR_OE,
  UARTCR,
  UARTDMACR,
  UARTDR,
  UARTECR,
  UARTFBRD,
  UARTFR,
  UARTIBRD,
  UARTICR,
  UARTIFLS,
  UARTILPR,
  UARTIMSC,
  UARTLCR_H,
  UARTMIS,
  UARTRIS,
  UARTRSR,
} from "../../../src/devices/pl011.js";
import type { IrqLine } from "../../../src/devices/device.js";

/** A line that remembers its level and every change it was driven with. */
class FakeLine implements IrqLine {
  level = false;
  readonly changes: boolean[] = [];
  set(level: boolean): void {
    this.level = level;
    this.changes.push(level);
  }
}

function uart(): { u: Pl011; line: FakeLine; out: number[] } {
  const line = new FakeLine();
  const out: number[] = [];
  const u = new Pl011(line, (b) => out.push(b));
  return { u, line, out };
}

const r = (u: Pl011, off: number, size = 4): number => u.read(off, size, 0);
const w = (u: Pl011, off: number, value: number, size = 4): void => u.write(off, size, value, 0);

test("reset values (DDI 0183 3.2): CR = 0x300, IFLS = 0x12, FIFOs empty, no interrupts", () => {
  const { u, line } = uart();
  assert.equal(r(u, UARTCR), CR_TXE | CR_RXE);
  assert.equal(r(u, UARTIFLS), 0x12);
  assert.equal(r(u, UARTLCR_H), 0);
  assert.equal(r(u, UARTIMSC), 0);
  assert.equal(r(u, UARTRIS), 0, "TXRIS is not set before any data was written");
  assert.equal(r(u, UARTMIS), 0);
  assert.equal(r(u, UARTRSR), 0);
  // Empty FIFOs, nothing transmitting, modem lines of a connected cable.
  assert.equal(r(u, UARTFR), FR_TXFE | FR_RXFE | FR_CTS | FR_DSR | FR_DCD);
  assert.equal(line.level, false);
  assert.deepEqual(line.changes, []);
});

test("PrimeCell identification registers read PL011 r1p1 / PrimeCell IDs", () => {
  const { u } = uart();
  const ids = [];
  for (let off = 0xfe0; off <= 0xffc; off += 4) ids.push(r(u, off));
  assert.deepEqual(ids, [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  assert.equal(r(u, 0xfe0, 1), 0x11, "byte access");
});

test("a byte written to UARTDR goes to the output at once; the TX FIFO stays empty", () => {
  const { u, out } = uart();
  w(u, UARTCR, CR_UARTEN | CR_TXE | CR_RXE);
  w(u, UARTDR, 0x48);
  w(u, UARTDR, 0x169); // only the low 8 bits are data
  assert.deepEqual(out, [0x48, 0x69]);
  const fr = r(u, UARTFR);
  assert.equal(fr & (FR_TXFE | FR_TXFF | FR_BUSY), FR_TXFE);
});

test("output works without UARTEN, as bare-metal programs for virt expect", () => {
  const { u, out } = uart();
  w(u, UARTCR, 0);
  w(u, UARTDR, 0x41);
  assert.deepEqual(out, [0x41]);
});

test("TX interrupt: set once written data has left the FIFO, cleared by UARTICR, masked by TXIM", () => {
  const { u, line } = uart();
  w(u, UARTIMSC, INT_TX);
  assert.equal(line.level, false, "enabling TXIM before any write does not interrupt");
  w(u, UARTDR, 0x30);
  assert.equal(r(u, UARTRIS) & INT_TX, INT_TX);
  assert.equal(r(u, UARTMIS), INT_TX);
  assert.equal(line.level, true);
  w(u, UARTICR, INT_TX);
  assert.equal(r(u, UARTRIS) & INT_TX, 0);
  assert.equal(line.level, false);
  w(u, UARTDR, 0x31);
  assert.equal(line.level, true);
  w(u, UARTIMSC, 0);
  assert.equal(line.level, false, "masking drops the line");
  assert.equal(r(u, UARTRIS) & INT_TX, INT_TX, "but the raw status stays");
  assert.deepEqual(line.changes, [true, false, true, false], "the line is only driven on changes");
});

test("with FIFOs off the receive holding register is one deep", () => {
  const { u } = uart();
  assert.equal(u.canReceive(), true);
  assert.equal(u.receive(0x61), true);
  assert.equal(u.canReceive(), false);
  assert.equal(u.receive(0x62), false, "the host must hold the byte back");
  const fr = r(u, UARTFR);
  assert.equal(fr & (FR_RXFE | FR_RXFF), FR_RXFF);
  assert.equal(r(u, UARTRIS) & (INT_RX | INT_RT), INT_RX | INT_RT, "trigger level is 1 without FIFOs");
  assert.equal(r(u, UARTDR), 0x61);
  assert.equal(r(u, UARTFR) & (FR_RXFE | FR_RXFF), FR_RXFE);
  assert.equal(r(u, UARTRIS) & (INT_RX | INT_RT), 0, "reading the byte clears RX and RT");
  assert.equal(u.canReceive(), true);
});

test("with FEN the RX FIFO holds 16 bytes in order and reports full", () => {
  const { u } = uart();
  w(u, UARTLCR_H, LCR_H_FEN | 0x60);
  for (let i = 0; i < 16; i++) assert.equal(u.receive(0x40 + i), true, `byte ${i}`);
  assert.equal(u.receive(0x99), false);
  assert.equal(r(u, UARTFR) & FR_RXFF, FR_RXFF);
  for (let i = 0; i < 16; i++) assert.equal(r(u, UARTDR), 0x40 + i);
  assert.equal(r(u, UARTFR) & (FR_RXFE | FR_RXFF), FR_RXFE);
  assert.equal(r(u, UARTDR), 0, "reading an empty FIFO returns 0");
});

test("onRxSpace tells the host when a read frees a full FIFO", () => {
  const { u } = uart();
  let calls = 0;
  u.onRxSpace = () => calls++;
  u.receive(1); // holding register full (FIFOs off)
  r(u, UARTDR);
  assert.equal(calls, 1);
  r(u, UARTDR); // already empty: no call
  assert.equal(calls, 1);
});

test("turning the FIFO on while the holding register is full lets held-back input in", () => {
  const { u } = uart();
  let calls = 0;
  u.onRxSpace = () => calls++;
  assert.equal(u.receive(1), true);
  assert.equal(u.receive(2), false, "FIFOs off: one byte deep");
  w(u, UARTLCR_H, LCR_H_FEN);
  assert.equal(calls, 1, "the host is told it may send more");
  assert.equal(u.receive(2), true);
  w(u, UARTLCR_H, LCR_H_FEN); // no change in capacity: no call
  assert.equal(calls, 1);
});

test("RX interrupt follows the IFLS trigger level; the timeout interrupt covers data below it", () => {
  const { u, line } = uart();
  w(u, UARTLCR_H, LCR_H_FEN);
  w(u, UARTIFLS, 2 << 3); // RX 1/2 full = 8 of 16
  w(u, UARTIMSC, INT_RX);
  for (let i = 0; i < 7; i++) u.receive(i);
  assert.equal(r(u, UARTRIS) & (INT_RX | INT_RT), INT_RT, "7 < 8: no RX yet, but the timeout fires");
  assert.equal(line.level, false, "RT is masked");
  u.receive(7);
  assert.equal(r(u, UARTRIS) & INT_RX, INT_RX);
  assert.equal(line.level, true);
  r(u, UARTDR); // 7 left: below the trigger
  assert.equal(r(u, UARTRIS) & INT_RX, 0);
  assert.equal(line.level, false);
  w(u, UARTIMSC, INT_RT);
  assert.equal(line.level, true, "RT still set while data waits");
  for (let i = 0; i < 7; i++) r(u, UARTDR);
  assert.equal(r(u, UARTRIS) & INT_RT, 0, "an empty FIFO clears the timeout");
  assert.equal(line.level, false);
});

test("RX trigger levels 1/8 and 7/8 are 2 and 14 entries", () => {
  for (const [sel, level] of [
    [0, 2],
    [1, 4],
    [3, 12],
    [4, 14],
  ]) {
    const { u } = uart();
    w(u, UARTLCR_H, LCR_H_FEN);
    w(u, UARTIFLS, sel << 3);
    for (let i = 0; i < level - 1; i++) u.receive(i);
    assert.equal(r(u, UARTRIS) & INT_RX, 0, `sel ${sel}: ${level - 1} entries`);
    u.receive(0);
    assert.equal(r(u, UARTRIS) & INT_RX, INT_RX, `sel ${sel}: ${level} entries`);
  }
});

test("UARTICR clears only the bits written; the timeout comes back while data is left", () => {
  const { u } = uart();
  w(u, UARTLCR_H, LCR_H_FEN);
  w(u, UARTDR, 0); // TX
  u.receive(1); // RT (below the trigger)
  assert.equal(r(u, UARTRIS), INT_TX | INT_RT);
  w(u, UARTICR, INT_TX);
  assert.equal(r(u, UARTRIS), INT_RT, "only TX cleared");
  // A driver that read UARTFR, found the FIFO empty, and clears RT after a byte came in meanwhile:
  // the byte times out again (zero bit periods here) instead of waiting for the next one.
  w(u, UARTICR, INT_RT);
  assert.equal(r(u, UARTRIS), INT_RT, "data left in the FIFO: the timeout fires again");
  r(u, UARTDR);
  assert.equal(r(u, UARTRIS), 0, "FIFO empty: no timeout");
  u.receive(2);
  assert.equal(r(u, UARTRIS), INT_RT);
  r(u, UARTDR);
  w(u, UARTICR, 0x7ff);
  assert.equal(r(u, UARTRIS), 0);
  assert.equal(r(u, UARTICR), 0, "UARTICR is write-only");
});

test("the line is the OR of all masked interrupts", () => {
  const { u, line } = uart();
  w(u, UARTIMSC, INT_TX | INT_RT);
  w(u, UARTDR, 0);
  u.receive(0);
  assert.equal(r(u, UARTMIS), INT_TX | INT_RT);
  w(u, UARTICR, INT_TX);
  assert.equal(line.level, true, "RT still asserted");
  r(u, UARTDR);
  assert.equal(line.level, false);
});

test("loopback feeds transmitted bytes to the receiver; overrun is flagged", () => {
  const { u, out } = uart();
  w(u, UARTCR, CR_UARTEN | CR_TXE | CR_RXE | CR_LBE);
  w(u, UARTDR, 0x55);
  assert.deepEqual(out, [], "nothing leaves on the external line");
  w(u, UARTDR, 0x66); // holding register full: overrun, byte lost
  assert.equal(r(u, UARTRSR) & RSR_OE, RSR_OE);
  assert.equal(r(u, UARTRIS) & INT_OE, INT_OE);
  assert.equal(r(u, UARTDR), 0x55);
  w(u, UARTDR, 0x77);
  assert.equal(r(u, UARTDR), 0x77 | DR_OE, "the next byte in carries the overrun flag");
  w(u, UARTECR, 0);
  assert.equal(r(u, UARTRSR), 0, "any write to UARTECR clears the error status");
});

test("register widths: writable bits only", () => {
  const { u } = uart();
  w(u, UARTIBRD, 0xffff_ffff);
  w(u, UARTFBRD, 0xffff_ffff);
  w(u, UARTLCR_H, 0xffff_ffff);
  w(u, UARTIFLS, 0xffff_ffff);
  w(u, UARTIMSC, 0xffff_ffff);
  w(u, UARTDMACR, 0xffff_ffff);
  w(u, UARTILPR, 0xffff_ffff);
  w(u, UARTCR, 0xffff_ffff);
  assert.equal(r(u, UARTIBRD), 0xffff);
  assert.equal(r(u, UARTFBRD), 0x3f);
  assert.equal(r(u, UARTLCR_H), 0xff);
  assert.equal(r(u, UARTIFLS), 0x3f);
  assert.equal(r(u, UARTIMSC), 0x7ff);
  assert.equal(r(u, UARTDMACR), 0x7);
  assert.equal(r(u, UARTILPR), 0xff);
  assert.equal(r(u, UARTCR), 0xff87, "bits 6:3 are reserved");
});

test("read-only and reserved registers ignore writes and reserved space reads zero", () => {
  const { u } = uart();
  const fr = r(u, UARTFR);
  w(u, UARTFR, 0);
  w(u, UARTRIS, 0x7ff);
  w(u, UARTMIS, 0x7ff);
  w(u, 0xfe0, 0);
  assert.equal(r(u, UARTFR), fr);
  assert.equal(r(u, UARTRIS), 0);
  assert.equal(r(u, 0xfe0), 0x11);
  for (const off of [0x008, 0x00c, 0x01c, 0x04c, 0x080, 0xfdc])
    assert.equal(r(u, off), 0, `offset ${off.toString(16)}`);
});

test("narrow accesses (Linux uses 16-bit) see the register's byte lanes", () => {
  const { u, out } = uart();
  w(u, UARTIBRD, 0x1234, 2);
  assert.equal(r(u, UARTIBRD), 0x1234);
  assert.equal(r(u, UARTIBRD, 2), 0x1234);
  assert.equal(r(u, UARTIBRD + 1, 1), 0x12);
  assert.equal(r(u, UARTCR + 1, 1), 0x03, "CR bits 15:8 = TXE|RXE");
  w(u, UARTDR, 0x5a, 1);
  w(u, UARTDR, 0x0a, 2);
  assert.deepEqual(out, [0x5a, 0x0a]);
});

test("changing FEN keeps received data", () => {
  const { u } = uart();
  w(u, UARTLCR_H, LCR_H_FEN);
  u.receive(1);
  u.receive(2);
  w(u, UARTLCR_H, 0);
  assert.equal(u.canReceive(), false, "more than one byte held with FIFOs off: full");
  assert.equal(r(u, UARTDR), 1);
  assert.equal(r(u, UARTDR), 2);
  assert.equal(u.canReceive(), true);
});

test("reset() clears state and drops the line", () => {
  const { u, line } = uart();
  w(u, UARTIMSC, INT_TX);
  w(u, UARTDR, 0);
  u.receive(3);
  assert.equal(line.level, true);
  u.reset();
  assert.equal(line.level, false);
  assert.equal(r(u, UARTRIS), 0);
  assert.equal(r(u, UARTFR) & FR_RXFE, FR_RXFE);
  assert.equal(r(u, UARTCR), CR_TXE | CR_RXE);
});

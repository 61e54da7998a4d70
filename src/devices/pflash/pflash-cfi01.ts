// One bank of CFI parallel NOR flash with the Intel/Sharp command set, as QEMU's pflash_cfi01 on the
// virt board: `bankWidth / deviceWidth` chips side by side, answering ID and CFI queries with
// QEMU's address arithmetic (a query address is in units of the bank width) and replicating each
// chip's answer across the bus. Program and erase complete at once (no timings, as QEMU).
//
// The array is stage-2 memory that the CPU reads directly while the bank is in read-array mode
// (QEMU's "romd" mode): the device says when it leaves and re-enters that mode (`onArrayMode`), and
// the board unmaps the bank for reads meanwhile, so status, ID and query reads reach read().
// Writes always reach write(). Persistent changes go to `store` (the backing file).
//
// Where QEMU is flawed and a guest could tell, the Intel datasheets decide (and the code says so):
// a buffered write is held until its confirm (QEMU writes each word at once), an erase happens at
// its confirm (QEMU erases at the setup command), clear-status leaves the chip ready (QEMU's 0
// reads as busy), and a wrong confirm cycle sets SR.4 and SR.5 (QEMU silently returns to read
// array). Unknown first-cycle commands return to read array, as QEMU does, and are logged once.
// Programming overwrites the array, as QEMU's does (real cells can only clear bits).

import type { MmioDevice } from "../device.js";
import type { StateReader, StateWriter } from "../../snapshot/state-stream.js";
import {
  buildCfiTable,
  CFI_TABLE_SIZE,
  CFI_WRITE_BUFFER_LOG2,
  type FlashGeometry,
  writeBufferSize,
} from "./cfi-table.js";
import {
  CMD_AMD_RESET,
  CMD_BLOCK_ERASE,
  CMD_CFI_QUERY,
  CMD_CLEAR_STATUS,
  CMD_CONFIRM,
  CMD_LOCK_BLOCK,
  CMD_LOCK_DOWN,
  CMD_LOCK_SETUP,
  CMD_PROGRAM,
  CMD_PROGRAM_ALT,
  CMD_READ_ARRAY,
  CMD_READ_ARRAY_QEMU,
  CMD_READ_ID,
  CMD_READ_STATUS,
  CMD_WRITE_TO_BUFFER,
  SR_READY,
  SR_SEQUENCE_ERROR,
} from "./commands.js";

/** What reads return outside the write cycles of a command. */
const enum ReadMode {
  ARRAY,
  STATUS,
  ID,
  QUERY,
}

/** Which bus cycle of a multi-cycle command the next write is. */
const enum Phase {
  IDLE,
  PROGRAM_DATA,
  ERASE_CONFIRM,
  LOCK_CONFIRM,
  BUFFER_COUNT,
  BUFFER_DATA,
  BUFFER_CONFIRM,
}

export interface PflashConfig {
  geometry: FlashGeometry;
  /** The bank's array: guest memory the CPU reads directly in read-array mode. */
  storage: Uint8Array;
  /** Manufacturer and device codes of one chip (QEMU's id0, id1). */
  manufacturerId: number;
  deviceId: number;
  /** The bank left (false) or re-entered (true) read-array mode. */
  onArrayMode?: (readArray: boolean) => void;
  /** Bytes [offset, offset + length) of the array changed: write them to the backing store. */
  store?: (offset: number, length: number) => void;
  /** Guest mistakes (unknown commands), once per kind. */
  log?: (message: string) => void;
}

export class PflashCfi01 implements MmioDevice {
  readonly geometry: FlashGeometry;
  private readonly storage: Uint8Array;
  private readonly cfi: Uint8Array;
  private readonly ids: number[];
  private readonly onArrayMode: (readArray: boolean) => void;
  private readonly store: (offset: number, length: number) => void;
  private readonly log: (message: string) => void;
  private readonly logged = new Set<string>();
  /** log2 of the bank width: query and ID addresses count in bank-width units. */
  private readonly queryShift: number;
  private readonly bufferBytes: number;
  /** Most data cycles a buffered write may announce: a chip's buffer in chip-width words. */
  private readonly bufferWords: number;

  private mode = ReadMode.ARRAY;
  private phase = Phase.IDLE;
  private status = SR_READY;
  /** Offset of the block an erase or lock command named. */
  private target = 0;
  // The write buffer: data cycles held until the confirm.
  private remaining = 0;
  private held = 0;
  private bufferBase = 0;
  private bufferFault = false;
  private readonly heldOffset: Int32Array;
  private readonly heldSize: Uint8Array;
  private readonly heldValue: Int32Array;

  constructor(config: PflashConfig) {
    const g = config.geometry;
    this.geometry = g;
    this.storage = config.storage;
    if (this.storage.length !== g.size) throw new Error(`flash storage of ${this.storage.length} bytes, not ${g.size}`);
    this.cfi = buildCfiTable(g);
    this.ids = [config.manufacturerId, config.deviceId];
    this.onArrayMode = config.onArrayMode ?? (() => {});
    this.store = config.store ?? (() => {});
    this.log = config.log ?? (() => {});
    this.queryShift = Math.log2(g.bankWidth);
    this.bufferBytes = writeBufferSize(g);
    this.bufferWords = (1 << CFI_WRITE_BUFFER_LOG2) / g.deviceWidth;
    this.heldOffset = new Int32Array(this.bufferWords);
    this.heldSize = new Uint8Array(this.bufferWords);
    this.heldValue = new Int32Array(this.bufferWords);
  }

  /** Whether the CPU may read the array directly (read-array mode, no command under way). */
  get readArray(): boolean {
    return this.mode === ReadMode.ARRAY && this.phase === Phase.IDLE;
  }

  read(offset: number, size: number): number {
    if (this.phase !== Phase.IDLE) return this.statusRead(size);
    switch (this.mode) {
      case ReadMode.ARRAY:
        return this.arrayRead(offset, size);
      case ReadMode.STATUS:
        return this.statusRead(size);
      case ReadMode.ID:
        return this.perChip(this.idAt(offset), size);
      case ReadMode.QUERY:
        return this.perChip(this.queryAt(offset), size);
    }
  }

  write(offset: number, size: number, value: number): void {
    const wasArray = this.readArray;
    this.cycle(offset, size, value >>> 0);
    const isArray = this.readArray;
    if (isArray !== wasArray) this.onArrayMode(isArray);
  }

  /** Snapshots: the command state machine and the write buffer (the array is guest memory, saved
   * with it). */
  save(w: StateWriter): void {
    for (const v of [this.mode, this.phase, this.status, this.target, this.remaining, this.held, this.bufferBase]) {
      w.f64(v);
    }
    w.bool(this.bufferFault);
    w.array(this.heldOffset);
    w.array(this.heldSize);
    w.array(this.heldValue);
  }

  restore(r: StateReader): void {
    const wasArray = this.readArray;
    this.mode = r.f64() as ReadMode;
    this.phase = r.f64() as Phase;
    this.status = r.f64();
    this.target = r.f64();
    this.remaining = r.f64();
    this.held = r.f64();
    this.bufferBase = r.f64();
    this.bufferFault = r.bool();
    r.array(this.heldOffset);
    r.array(this.heldSize);
    r.array(this.heldValue);
    if (this.readArray !== wasArray) this.onArrayMode(this.readArray);
  }

  // ---- Reads ----

  private arrayRead(offset: number, size: number): number {
    const s = this.storage;
    let v = 0;
    for (let k = size - 1; k >= 0; k--) v = (v << 8) | s[offset + k];
    return v >>> 0;
  }

  /** The status register of every chip a read of `size` bytes spans (QEMU: one copy per chip). */
  private statusRead(size: number): number {
    const width = this.geometry.deviceWidth;
    let v = 0;
    for (let at = 0; at + width <= size || at === 0; at += width) v |= this.status << (8 * at);
    return v >>> 0;
  }

  /** One chip's answer to an ID read: manufacturer at 0, device at 1, 0 elsewhere (block lock
   * status at 2 reads unlocked, as QEMU). */
  private idAt(offset: number): number {
    const index = (offset >>> this.queryShift) & 0xff;
    return index < this.ids.length ? this.ids[index] : 0;
  }

  private queryAt(offset: number): number {
    const index = offset >>> this.queryShift;
    return index < CFI_TABLE_SIZE ? this.cfi[index] : 0;
  }

  /** A chip's answer repeated for each chip of the bank, cut to the access size. */
  private perChip(answer: number, size: number): number {
    const width = this.geometry.deviceWidth;
    const bits = 8 * width;
    const chip = answer & (bits >= 32 ? -1 : (1 << bits) - 1);
    let v = 0;
    for (let at = 0; at < this.geometry.bankWidth; at += width) v |= chip << (8 * at);
    return size >= 4 ? v >>> 0 : v & ((1 << (8 * size)) - 1);
  }

  // ---- Writes ----

  private cycle(offset: number, size: number, value: number): void {
    const cmd = value & 0xff;
    switch (this.phase) {
      case Phase.IDLE:
        this.command(offset, cmd);
        return;
      case Phase.PROGRAM_DATA:
        this.writeArray(offset, size, value);
        this.store(offset, size);
        this.finish();
        return;
      case Phase.ERASE_CONFIRM:
        if (cmd === CMD_CONFIRM) {
          const sector = this.geometry.sectorSize;
          const base = this.target - (this.target % sector);
          this.storage.fill(0xff, base, base + sector);
          this.store(base, sector);
          this.finish();
        } else this.badSequence(cmd);
        return;
      case Phase.LOCK_CONFIRM:
        // Lock bits are not kept (QEMU keeps none either): every block stays unlocked.
        if (cmd === CMD_LOCK_BLOCK || cmd === CMD_CONFIRM || cmd === CMD_LOCK_DOWN) this.finish();
        else this.badSequence(cmd);
        return;
      case Phase.BUFFER_COUNT: {
        const words = (value & ((1 << (8 * this.geometry.deviceWidth)) - 1)) + 1;
        if (words > this.bufferWords) {
          this.badSequence(cmd);
          return;
        }
        this.remaining = words;
        this.held = 0;
        this.bufferFault = false;
        this.phase = Phase.BUFFER_DATA;
        return;
      }
      case Phase.BUFFER_DATA:
        this.hold(offset, size, value);
        if (--this.remaining === 0) this.phase = Phase.BUFFER_CONFIRM;
        return;
      case Phase.BUFFER_CONFIRM:
        if (cmd === CMD_CONFIRM && !this.bufferFault) {
          this.commitBuffer();
          this.finish();
        } else this.badSequence(cmd);
        return;
    }
  }

  /** The first cycle of a command. */
  private command(offset: number, cmd: number): void {
    switch (cmd) {
      case CMD_READ_ARRAY:
      case CMD_READ_ARRAY_QEMU:
      case CMD_AMD_RESET:
        this.mode = ReadMode.ARRAY;
        return;
      case CMD_PROGRAM:
      case CMD_PROGRAM_ALT:
        this.mode = ReadMode.STATUS;
        this.phase = Phase.PROGRAM_DATA;
        return;
      case CMD_BLOCK_ERASE:
        this.mode = ReadMode.STATUS;
        this.phase = Phase.ERASE_CONFIRM;
        this.target = offset;
        return;
      case CMD_LOCK_SETUP:
        this.mode = ReadMode.STATUS;
        this.phase = Phase.LOCK_CONFIRM;
        this.target = offset;
        return;
      case CMD_CLEAR_STATUS:
        // Intel: the error bits clear and the state machine stays ready; then read array, as QEMU.
        this.status = SR_READY;
        this.mode = ReadMode.ARRAY;
        return;
      case CMD_READ_STATUS:
        this.mode = ReadMode.STATUS;
        return;
      case CMD_READ_ID:
        this.mode = ReadMode.ID;
        return;
      case CMD_CFI_QUERY:
        this.mode = ReadMode.QUERY;
        return;
      case CMD_WRITE_TO_BUFFER:
        // The buffer is free at once: reads now show SR.7 set.
        this.status |= SR_READY;
        this.mode = ReadMode.STATUS;
        this.phase = Phase.BUFFER_COUNT;
        return;
      default:
        this.logOnce(`command:${cmd}`, `unknown command 0x${cmd.toString(16)} ignored (back to read array)`);
        this.mode = ReadMode.ARRAY;
    }
  }

  /** The command completed: ready, reads show the status register. */
  private finish(): void {
    this.status |= SR_READY;
    this.phase = Phase.IDLE;
    this.mode = ReadMode.STATUS;
  }

  /** A later cycle that the command does not accept. Read array aborts it quietly (QEMU and the
   * datasheets agree); anything else is an improper command sequence: SR.4 and SR.5, until a
   * clear status. */
  private badSequence(cmd: number): void {
    this.phase = Phase.IDLE;
    if (cmd === CMD_READ_ARRAY) {
      this.mode = ReadMode.ARRAY;
      return;
    }
    this.status |= SR_READY | SR_SEQUENCE_ERROR;
    this.mode = ReadMode.STATUS;
  }

  private hold(offset: number, size: number, value: number): void {
    const mask = -this.bufferBytes;
    if (this.held === 0) this.bufferBase = offset & mask;
    if ((offset & mask) !== this.bufferBase || ((offset + size - 1) & mask) !== this.bufferBase) {
      // Intel: every address of a buffered write lies in the block of the first one.
      this.bufferFault = true;
      return;
    }
    this.heldOffset[this.held] = offset;
    this.heldSize[this.held] = size;
    this.heldValue[this.held] = value;
    this.held++;
  }

  private commitBuffer(): void {
    let lo = Infinity;
    let hi = 0;
    for (let k = 0; k < this.held; k++) {
      const offset = this.heldOffset[k];
      const size = this.heldSize[k];
      this.writeArray(offset, size, this.heldValue[k]);
      lo = Math.min(lo, offset);
      hi = Math.max(hi, offset + size);
    }
    if (this.held > 0) this.store(lo, hi - lo);
    this.held = 0;
  }

  private writeArray(offset: number, size: number, value: number): void {
    const s = this.storage;
    for (let k = 0; k < size; k++) s[offset + k] = value >>> (8 * k);
  }

  private logOnce(key: string, message: string): void {
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.log(message);
  }
}

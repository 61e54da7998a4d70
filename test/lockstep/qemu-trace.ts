// Runs qemu-system-arm with one guest instruction per translation block and CPU-state logging,
// and parses the log as it streams (nothing is stored): one TraceState per executed instruction,
// the state *before* that instruction. QEMU 7.2 spells it `-singlestep -d cpu,nochain`; `nochain`
// matters because chained TBs jump to each other without passing the logging point.
//
// The log goes through a FIFO (QEMU opens its -D path by name, and Node's stdio "pipes" are
// sockets, which cannot be opened that way), the serial console to QEMU's stdout. The FIFO gives
// back-pressure: while the comparison is busy, QEMU waits.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, constants, createReadStream, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The architectural state QEMU logs, as parsed from one `-d cpu[,fpu]` record. */
export class TraceState {
  readonly r = new Int32Array(16);
  cpsr = 0;
  /** D0..D31 as (low word, high word) pairs; only with `fpu`. */
  readonly d = new Int32Array(64);
  fpscr = 0;

  copyFrom(o: TraceState): void {
    this.r.set(o.r);
    this.cpsr = o.cpsr;
    this.d.set(o.d);
    this.fpscr = o.fpscr;
  }

  equals(o: TraceState, fpu: boolean): boolean {
    if (this.cpsr !== o.cpsr) return false;
    for (let k = 0; k < 16; k++) if (this.r[k] !== o.r[k]) return false;
    if (fpu) {
      if (this.fpscr !== o.fpscr) return false;
      for (let k = 0; k < 64; k++) if (this.d[k] !== o.d[k]) return false;
    }
    return true;
  }
}

export interface QemuOptions {
  kernel: string;
  /** Guest RAM in MiB (QEMU's -m). */
  memMiB: number;
  /** Log and compare the VFP registers (`-d fpu`): about five times more log per instruction. */
  fpu: boolean;
  initrd?: string;
  append?: string;
  qemu?: string;
  /** Extra QEMU arguments. */
  extra?: string[];
}

const QEMU = "qemu-system-arm";

/** The machine arguments shared by the DTB dump and the traced run, so both see the same board. */
export function machineArgs(o: QemuOptions): string[] {
  const args = [
    "-M",
    "virt,gic-version=2,dtb-randomness=off",
    "-cpu",
    "cortex-a15",
    "-m",
    String(o.memMiB),
    "-smp",
    "1",
    // No NIC: nothing to compare there, and no iPXE option ROM needed.
    "-nic",
    "none",
  ];
  args.push("-kernel", o.kernel);
  if (o.initrd) args.push("-initrd", o.initrd);
  if (o.append !== undefined) args.push("-append", o.append);
  return args;
}

/** Returns `qemu-system-arm --version`'s first line, or null when QEMU is not installed. */
export function qemuVersion(qemu = QEMU): string | null {
  const r = spawnSync(qemu, ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) return null;
  return r.stdout.split("\n")[0].trim();
}

/** QEMU 7.2 (Debian 12) spells it -singlestep; 8.1 and later `-accel tcg,one-insn-per-tb=on`. */
function oneInstructionPerTb(qemu: string): string[] {
  const m = /version (\d+)\.(\d+)/.exec(qemuVersion(qemu) ?? "");
  const major = m ? Number(m[1]) : 7;
  const minor = m ? Number(m[2]) : 2;
  return major > 8 || (major === 8 && minor >= 1) ? ["-accel", "tcg,one-insn-per-tb=on"] : ["-singlestep"];
}

/** The device tree QEMU passes to the guest for these options (QEMU's own `dumpdtb`). */
export function dumpDtb(o: QemuOptions, path: string): void {
  const args = machineArgs(o);
  args[1] += `,dumpdtb=${path}`;
  const r = spawnSync(o.qemu ?? QEMU, [...args, "-display", "none"], { encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(`qemu dumpdtb failed: ${r.error?.message ?? r.stderr}`);
}

const CH_NL = 10;

/**
 * Parses QEMU's `-d cpu[,fpu]` log for 32-bit ARM, as it arrives in arbitrary chunks:
 *   R00=00000000 R01=ffffffff R02=44000000 R03=00000000      (four lines of four registers)
 *   PSR=400001d3 -Z-- A svc32                                  (ends a record without fpu)
 *   s00=00000000 s01=00000000 d00=0000000000000000            (32 lines, with fpu)
 *   FPSCR: 00000000                                            (ends a record with fpu)
 * Other lines (in_asm, guest errors) are ignored. `onRecord` gets the same TraceState object every
 * time (copy what you keep) and returns false to stop.
 */
export class TraceParser {
  /** Records parsed. */
  count = 0;
  stopped = false;
  private readonly state = new TraceState();
  private partial: Buffer | null = null;

  constructor(
    private readonly fpu: boolean,
    private readonly onRecord: (s: TraceState) => boolean,
  ) {}

  feed(chunk: Buffer): void {
    if (this.stopped) return;
    let buf = chunk;
    if (this.partial) {
      buf = Buffer.concat([this.partial, chunk]);
      this.partial = null;
    }
    let start = 0;
    const n = buf.length;
    while (start < n) {
      const nl = buf.indexOf(CH_NL, start);
      if (nl < 0) {
        this.partial = Buffer.from(buf.subarray(start));
        return;
      }
      if (this.line(buf, start, nl) && !this.stopped) {
        this.count++;
        if (!this.onRecord(this.state)) {
          this.stopped = true;
          return;
        }
      }
      start = nl + 1;
    }
  }

  /** Parses one log line [s, e); returns true when it completes a record. */
  private line(b: Buffer, s: number, e: number): boolean {
    const c0 = b[s];
    if (c0 === 0x52 /* R */ && b[s + 3] === 0x3d /* = */) {
      // "R00=00000000 R01=00000000 R02=00000000 R03=00000000"
      for (let p = s; p + 12 <= e; p += 13) {
        const idx = (b[p + 1] - 48) * 10 + (b[p + 2] - 48);
        if (idx >= 0 && idx < 16) this.state.r[idx] = hex32(b, p + 4);
      }
      return false;
    }
    if (c0 === 0x50 /* P */ && b[s + 1] === 0x53 && b[s + 2] === 0x52 && b[s + 3] === 0x3d) {
      // "PSR=400001d3 -Z-- A svc32"
      this.state.cpsr = hex32(b, s + 4);
      return !this.fpu;
    }
    if (!this.fpu) return false;
    if (c0 === 0x73 /* s */ && e - s >= 46 && b[s + 26] === 0x64 /* d */) {
      // "s00=00000000 s01=00000000 d00=0000000000000000"
      const idx = (b[s + 27] - 48) * 10 + (b[s + 28] - 48);
      if (idx >= 0 && idx < 32) {
        this.state.d[2 * idx + 1] = hex32(b, s + 30);
        this.state.d[2 * idx] = hex32(b, s + 38);
      }
      return false;
    }
    if (c0 === 0x46 /* F */ && b[s + 1] === 0x50 && b[s + 5] === 0x3a /* "FPSCR:" */) {
      this.state.fpscr = hex32(b, s + 7);
      return true;
    }
    return false;
  }
}

/**
 * Spawns QEMU and calls `onState` for every logged instruction. The callback returns false to stop
 * (QEMU is then killed). `onEnd` runs once when the log ends (QEMU exited or was stopped).
 */
export class QemuTrace {
  readonly child: ChildProcess;
  /** Everything QEMU printed on the serial console. */
  console = "";
  stderr = "";
  private readonly parser: TraceParser;
  private stopped = false;
  private ended = false;
  private logOpened = false;
  private readonly dir: string;

  constructor(
    o: QemuOptions,
    onState: (s: TraceState) => boolean,
    private readonly onEnd: (exitCode: number | null) => void,
  ) {
    this.parser = new TraceParser(o.fpu, (st) => {
      if (onState(st)) return true;
      this.stop();
      return false;
    });
    this.dir = mkdtempSync(join(tmpdir(), "armvmm-qemu-log-"));
    const fifo = join(this.dir, "log");
    const mk = spawnSync("mkfifo", [fifo]);
    if (mk.error || mk.status !== 0) throw new Error(`mkfifo ${fifo} failed`);
    const args = [
      ...machineArgs(o),
      "-display",
      "none",
      "-monitor",
      "none",
      "-serial",
      "stdio",
      ...oneInstructionPerTb(o.qemu ?? QEMU),
      "-d",
      o.fpu ? "cpu,fpu,nochain" : "cpu,nochain",
      "-D",
      fifo,
      ...(o.extra ?? []),
    ];
    this.child = spawn(o.qemu ?? QEMU, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout!.setEncoding("latin1");
    this.child.stdout!.on("data", (s: string) => {
      this.console += s;
    });
    this.child.stderr!.setEncoding("utf8");
    this.child.stderr!.on("data", (s: string) => {
      this.stderr += s;
    });
    const log = createReadStream(fifo, { highWaterMark: 1 << 20 });
    log.on("data", (chunk: Buffer | string) => this.parser.feed(chunk as Buffer));
    log.on("error", () => {});
    // Finish when the process has exited with all its output read, and the log has ended.
    let pending = 2;
    let exitCode: number | null = null;
    const done = () => {
      if (--pending === 0) this.finish(exitCode);
    };
    log.on("close", done);
    this.child.on("close", (code) => {
      exitCode = code;
      // If QEMU died before opening the FIFO, our reader is still blocked opening it: open the
      // write end ourselves so the reader sees end-of-file.
      if (!this.logOpened) {
        try {
          closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
        } catch {
          log.destroy();
        }
      }
      done();
    });
    log.on("open", () => {
      this.logOpened = true;
    });
    this.child.on("error", (e) => {
      this.stderr += String(e);
      this.finish(null);
    });
  }

  private finish(code: number | null): void {
    if (this.ended) return;
    this.ended = true;
    rmSync(this.dir, { recursive: true, force: true });
    this.onEnd(code);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.child.kill("SIGKILL");
  }
}

function hexDigit(c: number): number {
  if (c <= 57) return c - 48;
  return (c | 0x20) - 87;
}

function hex32(b: Buffer, p: number): number {
  let v = 0;
  for (let k = 0; k < 8; k++) v = (v << 4) | hexDigit(b[p + k]);
  return v | 0;
}

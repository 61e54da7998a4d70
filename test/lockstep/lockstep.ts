// Lockstep comparison of armvmm's CPU against QEMU: the same raw image on both, architectural state
// (r0-r15, CPSR, optionally D0-D31 and FPSCR) compared after every instruction, stopping at the
// first divergence with a report: the instruction, its disassembly, both states and the
// instructions before it. QEMU's log is consumed as it streams; nothing is stored but a short
// history.
//
// Synchronisation: QEMU starts a raw image through its boot stub at RAM base; the comparison starts
// at the image entry (RAM base + 0x10000), where armvmm's core is given QEMU's exact state. What
// the CPU does not decide is taken from QEMU: the value of an MMIO load (copied into the loaded
// register), the result of a PSCI call (r0 after HVC) and timer register reads. Interrupts are not
// modelled either: when QEMU's next state is the entry to the IRQ (or FIQ) vector, armvmm's core
// gets its interrupt line raised for one step, which takes the exception and runs the vector's
// first instruction (QEMU's entry state itself is not compared; the state after it is).
// ID registers (CP15 c0, and the VFP's FPSID/MVFR0/MVFR1) describe the CPU armvmm chose to be,
// which differs from QEMU's A15 on purpose in places (no Advanced SIMD, no LPAE): when a read of one
// is the only difference, QEMU's value is used and the difference is listed in the result.
// A QEMU record that repeats the previous one is compared like any other: it matches when armvmm's
// instruction left the state unchanged too (a branch to itself), and is a divergence otherwise.
// (Skipping such records as "QEMU logged a TB it then left unexecuted" would hide an instruction
// that QEMU executes as a no-op and armvmm does not; with -singlestep on one vcpu QEMU has not been
// seen to log such TBs in any of the runs the tests make.)

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExitReason } from "../../src/cpu/exits.js";
import { GUEST_ABORT, LINE_VIRQ, LINE_VFIQ } from "../../src/cpu/core.js";
import { QemuTrace, TraceState, dumpDtb, type QemuOptions } from "./qemu-trace.js";
import { LockstepMachine, RAM_BASE, IMAGE_OFFSET, hex } from "./machine.js";
import { Symbols, disassemble } from "./disasm.js";

export interface LockstepOptions extends QemuOptions {
  /** ELF with the image's symbols, for reports. */
  elf?: string;
  /** Stop (successfully) after this many compared instructions; 0 = run until the guest ends. */
  maxInstructions?: number;
  /** Instructions shown before a divergence. */
  history?: number;
  /** Called every `progressEvery` instructions. */
  onProgress?: (instructions: number) => void;
  progressEvery?: number;
  /** Also require the console output of both to be identical at the end (default true). */
  compareConsole?: boolean;
  /** Called after each armvmm instruction (the harness's own tests use it to inject faults). */
  afterStep?: (machine: LockstepMachine, instructions: number) => void;
  /** Where QEMU's side comes from: by default qemu-system-arm run with these options. The harness's
   * own tests replay hand-made states. */
  source?: TraceSource;
}

/** QEMU's side of a comparison: its device tree for the machine, and its stream of states. */
export interface TraceSource {
  dtb(): Buffer;
  /** Calls `onState` for each state, before each instruction (false stops the stream), then `onEnd`
   * once, asynchronously. Returns what the console and stderr held, read at the end. */
  start(
    onState: (s: TraceState) => boolean,
    onEnd: (exitCode: number | null) => void,
  ): { readonly console: string; readonly stderr: string };
}

/** The default source: qemu-system-arm with one instruction per TB and its CPU state logged. */
export function qemuSource(o: QemuOptions): TraceSource {
  return {
    dtb(): Buffer {
      const dir = mkdtempSync(join(tmpdir(), "armvmm-lockstep-"));
      try {
        dumpDtb(o, join(dir, "virt.dtb"));
        return readFileSync(join(dir, "virt.dtb"));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    start: (onState, onEnd) => new QemuTrace(o, onState, onEnd),
  };
}

export type LockstepEnd = "guest-ended" | "max-instructions" | "divergence" | "error";

export interface LockstepResult {
  ok: boolean;
  end: LockstepEnd;
  /** Instructions executed in lockstep with matching state. */
  instructions: number;
  /** Human-readable: the divergence report, or a one-paragraph summary. */
  report: string;
  qemuConsole: string;
  armvmmConsole: string;
  /** Interrupts QEMU took that were injected into armvmm's core. */
  interrupts: number;
  /** ID registers that armvmm reports differently from QEMU's Cortex-A15 (QEMU's value was used). */
  idDifferences: string[];
}

interface HistoryEntry {
  pc: number;
  thumb: boolean;
  before: TraceState;
}

const PSCI_SYSTEM_OFF = 0x84000008;
const REG_NAMES = ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "sp", "lr", "pc"];

export async function runLockstep(o: LockstepOptions): Promise<LockstepResult> {
  const fpu = o.fpu;
  const entry = RAM_BASE + IMAGE_OFFSET;
  const image = readFileSync(o.kernel);
  const initrd = o.initrd ? readFileSync(o.initrd) : null;
  const source = o.source ?? qemuSource(o);
  const dtb = source.dtb();

  const m = new LockstepMachine(o.memMiB);
  m.load(entry, image);
  const cpu = m.cpu;
  const traps = m.traps;
  const symbols = new Symbols(o.elf);
  const historySize = o.history ?? 12;
  const history: HistoryEntry[] = [];
  for (let k = 0; k < historySize; k++) history.push({ pc: 0, thumb: false, before: new TraceState() });
  let historyNext = 0;
  let historyCount = 0;

  const mine = new TraceState();
  const prevQ = new TraceState();
  let started = false;
  let done = 0;
  let interrupts = 0;
  const idDifferences = new Map<string, string>();
  let pendingHvc = false;
  let timerRead = false;
  let end: LockstepEnd = "guest-ended";
  let report = "";
  const max = o.maxInstructions ?? 0;
  const progressEvery = o.progressEvery ?? 1_000_000;
  const notes: string[] = [];

  const describe = (pc: number, thumb: boolean): string => {
    const sym = symbols.describe(pc);
    return `${hex(pc)}${sym ? ` <${sym}>` : ""} ${thumb ? "T32" : "A32"}  ${disasmAt(m, pc, thumb)}`;
  };

  const divergence = (q: TraceState, what: string): void => {
    end = "divergence";
    const pc = prevQ.r[15] >>> 0;
    const thumb = ((prevQ.cpsr >>> 5) & 1) === 1;
    const lines: string[] = [];
    lines.push(`lockstep: ${what} after ${done} matching instructions`);
    lines.push(`  instruction: ${describe(pc, thumb)}`);
    if (traps.lastAccess) lines.push(`  last MMIO access by armvmm: ${traps.lastAccess}`);
    lines.push("  state after it:   QEMU      armvmm");
    for (let k = 0; k < 16; k++) lines.push(row(REG_NAMES[k], q.r[k], mine.r[k], prevQ.r[k]));
    lines.push(row("cpsr", q.cpsr, mine.cpsr, prevQ.cpsr) + `   (QEMU ${psr(q.cpsr)} / armvmm ${psr(mine.cpsr)})`);
    if (fpu) {
      lines.push(row("fpscr", q.fpscr, mine.fpscr, prevQ.fpscr));
      for (let k = 0; k < 32; k++) {
        const qd = `${hex(q.d[2 * k + 1])}${hex(q.d[2 * k])}`;
        const md = `${hex(mine.d[2 * k + 1])}${hex(mine.d[2 * k])}`;
        if (qd !== md) lines.push(`  d${k.toString().padEnd(6)} ${qd} ${md}  <-- differs`);
      }
    }
    lines.push("  state before it (both):");
    lines.push("    " + formatRegs(prevQ));
    lines.push(`  previous instructions (oldest first; registers each one changed, per QEMU):`);
    const n = Math.min(historyCount, historySize);
    for (let k = n; k >= 1; k--) {
      const h = history[(historyNext - k + historySize) % historySize];
      const after = k === 1 ? prevQ : history[(historyNext - k + 1 + historySize) % historySize].before;
      lines.push(`    ${describe(h.pc, h.thumb)}${changes(h.before, after)}`);
    }
    if (notes.length) lines.push(...notes.map((s) => `  note: ${s}`));
    report = lines.join("\n");
  };

  return new Promise((resolve) => {
    let trace: { readonly console: string; readonly stderr: string } | null = null;
    const onState = (q: TraceState): boolean => {
      if (!started) {
        if (q.r[15] >>> 0 !== entry) return true; // QEMU's boot stub
        started = true;
        const dtbAddr = q.r[2] >>> 0;
        if (dtbAddr >= RAM_BASE && dtbAddr - RAM_BASE < m.ramSize) m.load(dtbAddr, dtb);
        else notes.push(`r2 at entry is ${hex(dtbAddr)}, not a RAM address: DTB not loaded`);
        if (initrd)
          notes.push("initrd given: armvmm's RAM does not hold it (the harness does not know QEMU's address)");
        m.loadBootStub(entry, dtbAddr);
        if (q.r[0] !== 0 || q.r[1] !== -1) {
          notes.push(`QEMU entered with r0=${hex(q.r[0])} r1=${hex(q.r[1])} (boot protocol says 0 and ffffffff)`);
        }
        m.setState(q, fpu);
        prevQ.copyFrom(q);
        return step(q);
      }
      // What the CPU does not decide comes from QEMU.
      if (pendingHvc) cpu.r[0] = q.r[0];
      const rd = traps.pendingReadReg;
      if (rd >= 0 && rd < 15) cpu.r[rd] = q.r[rd];
      if (timerRead) {
        // MRC/MRRC of a timer register: Rt is bits 15:12, and Rt2 bits 19:16 for MRRC.
        const instr = m.instructionAt(prevQ.r[15], ((prevQ.cpsr >>> 5) & 1) === 1);
        const rt = (instr >>> 12) & 15;
        if (rt < 15) cpu.r[rt] = q.r[rt];
        if (((instr >>> 20) & 0xff) === 0xc5) {
          const rt2 = (instr >>> 16) & 15;
          if (rt2 < 15) cpu.r[rt2] = q.r[rt2];
        }
      }
      m.getState(mine, fpu);
      if (!mine.equals(q, fpu)) {
        const id = idRegisterRead(m.instructionAt(prevQ.r[15], ((prevQ.cpsr >>> 5) & 1) === 1));
        if (id && id.rt < 15 && cpu.r[id.rt] !== q.r[id.rt]) {
          const key = `${id.name}: QEMU ${hex(q.r[id.rt])}, armvmm ${hex(cpu.r[id.rt])}`;
          idDifferences.set(key, key);
          cpu.r[id.rt] = q.r[id.rt];
          m.getState(mine, fpu);
        }
      }
      if (!mine.equals(q, fpu)) {
        const line = interruptEntry(q);
        if (line !== 0) {
          // QEMU took an interrupt after the last instruction: take it here too, with the vector's
          // first instruction, and compare from the next record on.
          interrupts++;
          cpu.setLine(line, true);
          prevQ.copyFrom(q);
          const ok = step(q);
          cpu.setLine(line, false);
          return ok;
        }
        if (q.equals(prevQ, fpu)) {
          notes.push(
            "QEMU's state after the instruction repeats its state before it: QEMU ran it as a no-op (a branch to " +
              "itself), or logged it without running it (a TB it left at once), where armvmm's state changed",
          );
        }
        divergence(q, "divergence");
        if (rd === -2)
          notes.push("the instruction read MMIO without a syndrome (ISV = 0): its value could not be taken from QEMU");
        if (traps.pendingReadReg !== -1 || pendingHvc || timerRead) {
          report += `\n  note: ${pendingHvc ? "HVC result" : timerRead ? "timer register value" : "MMIO read value"} copied from QEMU`;
        }
        return false;
      }
      done++;
      if (done % progressEvery === 0 && o.onProgress) o.onProgress(done);
      if (max > 0 && done >= max) {
        end = "max-instructions";
        return false;
      }
      prevQ.copyFrom(q);
      return step(q);
    };

    /** LINE_VIRQ or LINE_VFIQ when `q` is the state just after taking that interrupt, else 0. */
    const interruptEntry = (q: TraceState): number => {
      const mode = q.cpsr & 0x1f;
      const sctlr = cpu.cp15.sctlr;
      const base = sctlr & (1 << 13) ? 0xffff0000 : cpu.cp15.vbar & ~0x1f;
      const pc = q.r[15] >>> 0;
      if (mode === 0x12 && pc === (base + 0x18) >>> 0 && cpu.i === 0) return LINE_VIRQ;
      if (mode === 0x11 && pc === (base + 0x1c) >>> 0 && cpu.f === 0) return LINE_VFIQ;
      return 0;
    };

    const step = (q: TraceState): boolean => {
      const h = history[historyNext];
      h.pc = q.r[15] >>> 0;
      h.thumb = ((q.cpsr >>> 5) & 1) === 1;
      h.before.copyFrom(q);
      historyNext = (historyNext + 1) % historySize;
      historyCount++;
      traps.pendingReadReg = -1;
      traps.lastAccess = "";
      pendingHvc = false;
      m.timer.readHappened = false;
      try {
        const reason = cpu.run(1);
        timerRead = m.timer.readHappened;
        if (o.afterStep) o.afterStep(m, done + 1);
        if (reason === ExitReason.HVC) {
          pendingHvc = true;
          if (q.r[0] >>> 0 === PSCI_SYSTEM_OFF) return true; // QEMU ends here too
        }
      } catch (e) {
        end = "error";
        const msg =
          e === GUEST_ABORT ? "GUEST_ABORT escaped Cpu.run" : e instanceof Error ? (e.stack ?? e.message) : String(e);
        report = `lockstep: armvmm threw on the instruction at ${describe(h.pc, h.thumb)} after ${done} matching instructions:\n${msg}`;
        return false;
      }
      return true;
    };

    const onEnd = (code: number | null): void => {
      const qemuConsole = trace?.console ?? "";
      const armvmmConsole = traps.console;
      if (!started && end === "guest-ended") {
        end = "error";
        report = `lockstep: QEMU never reached the entry point ${hex(entry)} (exit code ${code})\n${trace?.stderr ?? ""}`;
      }
      let ok = end === "guest-ended" || end === "max-instructions";
      if (ok && end === "guest-ended" && o.compareConsole !== false && qemuConsole !== armvmmConsole) {
        ok = false;
        report = `lockstep: states matched for ${done} instructions but the console output differs:\n--- QEMU\n${qemuConsole}\n--- armvmm\n${armvmmConsole}`;
      }
      if (ok) {
        report =
          end === "guest-ended"
            ? `lockstep: ${done} instructions matched QEMU until the guest ended`
            : `lockstep: ${done} instructions matched QEMU (stopped at the limit)`;
        if (interrupts) report += `; ${interrupts} interrupts injected as QEMU took them`;
        if (idDifferences.size)
          report += `; ID registers read with QEMU's value: ${[...idDifferences.keys()].join("; ")}`;
      }
      if (!ok && idDifferences.size)
        report += `\n  note: ID registers read with QEMU's value: ${[...idDifferences.keys()].join("; ")}`;
      resolve({
        ok,
        end,
        instructions: done,
        report,
        qemuConsole,
        armvmmConsole,
        interrupts,
        idDifferences: [...idDifferences.keys()],
      });
    };

    trace = source.start(onState, onEnd);
  });
}

/** For an MRC of a CP15 c0 (identification) register or a VMRS of FPSID/MVFR0/MVFR1: its name and Rt. */
function idRegisterRead(instr: number): { name: string; rt: number } | null {
  // MRC/VMRS: bits 27:24 = 1110, bit 20 (L) = 1, bit 4 = 1 (A32 layout; T32 as hw1:hw2 matches).
  if (((instr >>> 24) & 0xf) !== 0xe || ((instr >>> 20) & 1) !== 1 || ((instr >>> 4) & 1) !== 1) return null;
  const coproc = (instr >>> 8) & 0xf;
  const opc1 = (instr >>> 21) & 7;
  const crn = (instr >>> 16) & 0xf;
  const crm = instr & 0xf;
  const opc2 = (instr >>> 5) & 7;
  const rt = (instr >>> 12) & 0xf;
  if (coproc === 15 && crn === 0) return { name: `CP15 c0, ${opc1}, c${crm}, ${opc2}`, rt };
  if (coproc === 10 && opc1 === 7 && (crn === 0 || crn === 6 || crn === 7)) {
    return { name: crn === 0 ? "FPSID" : crn === 6 ? "MVFR1" : "MVFR0", rt };
  }
  return null;
}

function row(name: string, q: number, a: number, before: number): string {
  const mark = q !== a ? "  <-- differs" : q !== before ? "  (changed)" : "";
  return `  ${name.padEnd(7)} ${hex(q)}  ${hex(a)}${mark}`;
}

function psr(v: number): string {
  const f = (bit: number, c: string) => ((v >>> bit) & 1 ? c : "-");
  const it = ((v >>> 25) & 3) | (((v >>> 10) & 0x3f) << 2);
  const modes: Record<number, string> = {
    0x10: "usr",
    0x11: "fiq",
    0x12: "irq",
    0x13: "svc",
    0x17: "abt",
    0x1a: "hyp",
    0x1b: "und",
    0x1f: "sys",
  };
  return (
    f(31, "N") +
    f(30, "Z") +
    f(29, "C") +
    f(28, "V") +
    f(27, "Q") +
    ` GE=${(v >>> 16) & 0xf}` +
    (it ? ` IT=${hex(it, 2)}` : "") +
    ` ${f(8, "A")}${f(7, "I")}${f(6, "F")}${f(5, "T")} ${modes[v & 0x1f] ?? `mode ${hex(v & 0x1f, 2)}`}`
  );
}

function formatRegs(s: TraceState): string {
  const parts: string[] = [];
  for (let k = 0; k < 16; k++) parts.push(`${REG_NAMES[k]}=${hex(s.r[k])}`);
  parts.push(`cpsr=${hex(s.cpsr)}`);
  return parts.join(" ");
}

function changes(before: TraceState, after: TraceState): string {
  const out: string[] = [];
  for (let k = 0; k < 15; k++) if (before.r[k] !== after.r[k]) out.push(`${REG_NAMES[k]}=${hex(after.r[k])}`);
  if (before.cpsr !== after.cpsr) out.push(`cpsr=${hex(after.cpsr)}`);
  return out.length ? `   ; ${out.join(" ")}` : "";
}

/** Reads the instruction at `pc` through armvmm's MMU (as the core would fetch it) and disassembles it. */
function disasmAt(m: LockstepMachine, pc: number, thumb: boolean): string {
  try {
    if (thumb) {
      const hw1 = m.cpu.mmu.fetch16(pc);
      const wide = hw1 >>> 11 >= 0x1d;
      const hw2 = wide ? m.cpu.mmu.fetch16(pc + 2) : 0;
      const bytes = wide
        ? new Uint8Array([hw1 & 0xff, hw1 >>> 8, hw2 & 0xff, hw2 >>> 8])
        : new Uint8Array([hw1 & 0xff, hw1 >>> 8]);
      return disassemble(bytes, pc, true);
    }
    const w = m.cpu.mmu.fetch32(pc);
    return disassemble(new Uint8Array([w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24]), pc, false);
  } catch {
    return "(instruction not readable through armvmm's MMU)";
  }
}

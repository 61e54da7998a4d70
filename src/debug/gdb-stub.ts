// The GDB remote stub: one debugger's session over a byte stream (the transport is the host's:
// src/host/node/gdb-server.ts). It answers the packets of the GDB manual's "Remote Protocol"
// that a 32-bit ARM system needs: qSupported, the target description, registers (g/G/p/P),
// memory (m/M/X), breakpoints and watchpoints (Z0-Z4), vCont/c/s, threads (one per vcpu), ?,
// Ctrl-C, D and k. An unknown packet gets the empty reply; nothing a debugger sends can throw.

import {
  PacketReader,
  encodePacket,
  fromHex,
  latin1,
  parseHex32,
  toHex,
  toLatin1,
  MAX_PACKET,
  type PacketEvent,
} from "./gdb-packet.js";
import type { DebugTarget, StopEvent } from "./gdb-target.js";
import { G_REGISTERS } from "./arm-registers.js";
import { TARGET_XML } from "./target-xml.js";

const ERR_BAD = "E01"; // malformed request
const ERR_THREAD = "E02"; // no such thread
const ERR_MEMORY = "E14"; // EFAULT: the address does not translate to RAM
const ERR_POINT = "E03"; // cannot set or remove the point

export class GdbStub {
  private readonly target: DebugTarget;
  private readonly send: (bytes: Uint8Array) => void;
  private readonly reader = new PacketReader();
  private noAck = false;
  private lastPacket: Uint8Array | null = null;
  /** Thread of register and memory requests (Hg), and of c/s (Hc); 0 or -1: any / all. */
  private gThread = 1;
  private cThread = -1;
  /** True while the target runs and a stop reply is owed. */
  private running = false;
  private lastStop: StopEvent;
  /** The debugger said it understands swbreak/hwbreak stop reasons (qSupported). */
  private swbreak = false;
  private hwbreak = false;
  /** Told when the session ends (detach or kill): the transport closes the connection. */
  onEnd: (() => void) | null = null;

  constructor(target: DebugTarget, send: (bytes: Uint8Array) => void) {
    this.target = target;
    this.send = send;
    this.lastStop = target.attach((event) => this.stopped(event));
    this.gThread = this.lastStop.thread;
  }

  /** Bytes from the debugger. */
  receive(bytes: Uint8Array): void {
    for (const event of this.reader.feed(bytes)) this.handle(event);
  }

  /** The machine ended (guest power-off): W00, and the session is over. */
  exited(code: number): void {
    this.running = false;
    this.reply(`W${(code & 0xff).toString(16).padStart(2, "0")}`);
  }

  private handle(event: PacketEvent): void {
    switch (event.kind) {
      case "interrupt":
        if (this.running) this.target.interrupt();
        return;
      case "nack":
        if (this.lastPacket !== null && !this.noAck) this.send(this.lastPacket);
        return;
      case "ack":
        return;
      case "bad":
        if (!this.noAck) this.send(latin1("-"));
        return;
      case "packet":
        if (!this.noAck) this.send(latin1("+"));
        this.dispatch(event.payload);
        return;
    }
  }

  private reply(text: string | Uint8Array): void {
    const packet = encodePacket(text);
    this.lastPacket = packet;
    this.send(packet);
  }

  private stopped(event: StopEvent): void {
    this.lastStop = event;
    this.gThread = event.thread;
    if (!this.running) return;
    this.running = false;
    this.reply(this.stopReply(event));
  }

  private stopReply(event: StopEvent): string {
    let text = `T${event.signal.toString(16).padStart(2, "0")}thread:${event.thread.toString(16)};`;
    if (event.kind === "swbreak" && this.swbreak) text += "swbreak:;";
    else if (event.kind === "hwbreak" && this.hwbreak) text += "hwbreak:;";
    else if (event.kind === "watch" || event.kind === "rwatch" || event.kind === "awatch") {
      text += `${event.kind}:${(event.address ?? 0).toString(16)};`;
    }
    return text;
  }

  /** A thread id of H, T, vCont: hex, or -1 (all); 0 (any) is the first thread. */
  private parseThread(text: string): number | null {
    if (text === "-1") return -1;
    const t = parseHex32(text);
    if (t === null) return null;
    return t === 0 ? 1 : t;
  }

  /** The thread register and memory requests act on (a valid one whatever Hg said). */
  private current(): number {
    return this.target.threadAlive(this.gThread) ? this.gThread : this.lastStop.thread;
  }

  private dispatch(payload: Uint8Array): void {
    const text = toLatin1(payload);
    if (this.running) {
      // Only Ctrl-C makes sense while the target runs (all-stop mode).
      return;
    }
    const answer = this.answer(text, payload);
    if (answer !== null) this.reply(answer);
  }

  /** The reply to one packet; null when none is due now (resume, kill, detach's own reply). */
  private answer(text: string, payload: Uint8Array): string | Uint8Array | null {
    switch (text[0]) {
      case "?":
        return this.stopReply(this.lastStop);
      case "g":
        return G_REGISTERS.map((r) => toHex(this.target.readRegister(this.current(), r) ?? new Uint8Array(4))).join("");
      case "G":
        return this.writeAll(text.slice(1));
      case "p": {
        const regno = parseHex32(text.slice(1));
        if (regno === null) return ERR_BAD;
        const value = this.target.readRegister(this.current(), regno);
        return value === null ? ERR_BAD : toHex(value);
      }
      case "P": {
        const m = /^P([0-9a-fA-F]+)=([0-9a-fA-F]*)$/.exec(text);
        const regno = m === null ? null : parseHex32(m[1]);
        const bytes = m === null ? null : fromHex(m[2]);
        if (regno === null || bytes === null) return ERR_BAD;
        return this.target.writeRegister(this.current(), regno, bytes) ? "OK" : ERR_BAD;
      }
      case "m":
        return this.readMemory(text.slice(1));
      case "M":
        return this.writeMemoryHex(text.slice(1));
      case "X":
        return this.writeMemoryBinary(payload);
      case "Z":
      case "z":
        return this.point(text);
      case "c":
      case "C":
      case "s":
      case "S":
        return this.resumeSimple(text);
      case "H": {
        const t = this.parseThread(text.slice(2));
        if (t === null || (t !== -1 && !this.target.threadAlive(t))) return ERR_THREAD;
        if (text[1] === "g") this.gThread = t === -1 ? 1 : t;
        else if (text[1] === "c") this.cThread = t;
        else return ERR_BAD;
        return "OK";
      }
      case "T": {
        const t = this.parseThread(text.slice(1));
        return t !== null && this.target.threadAlive(t) ? "OK" : ERR_THREAD;
      }
      case "q":
        return this.query(text);
      case "Q":
        if (text === "QStartNoAckMode") {
          // The OK itself is still acknowledged by gdb; nothing after it is.
          this.reply("OK");
          this.noAck = true;
          return null;
        }
        return "";
      case "v":
        return this.vPacket(text);
      case "D":
        this.reply("OK");
        this.end(false);
        return null;
      case "k":
        this.end(true);
        return null;
      default:
        return "";
    }
  }

  private writeAll(hex: string): string {
    const bytes = fromHex(hex);
    if (bytes === null || bytes.length < G_REGISTERS.length * 4) return ERR_BAD;
    const t = this.current();
    G_REGISTERS.forEach((r, i) => this.target.writeRegister(t, r, bytes.subarray(i * 4, i * 4 + 4)));
    return "OK";
  }

  private static addrLength(text: string): [number, number] | null {
    const comma = text.indexOf(",");
    if (comma < 0) return null;
    const addr = parseHex32(text.slice(0, comma));
    const length = parseHex32(text.slice(comma + 1));
    if (addr === null || length === null) return null;
    return [addr, length];
  }

  private readMemory(args: string): string {
    const al = GdbStub.addrLength(args);
    if (al === null) return ERR_BAD;
    const [addr, length] = al;
    if (length === 0) return "";
    const bytes = this.target.readMemory(this.current(), addr, Math.min(length, MAX_PACKET / 2));
    // A partial read is answered with what could be read (the GDB manual allows it).
    return bytes.length === 0 ? ERR_MEMORY : toHex(bytes);
  }

  private writeMemoryHex(args: string): string {
    const colon = args.indexOf(":");
    const al = colon < 0 ? null : GdbStub.addrLength(args.slice(0, colon));
    const bytes = colon < 0 ? null : fromHex(args.slice(colon + 1));
    if (al === null || bytes === null || bytes.length !== al[1]) return ERR_BAD;
    return this.target.writeMemory(this.current(), al[0], bytes) === bytes.length ? "OK" : ERR_MEMORY;
  }

  private writeMemoryBinary(payload: Uint8Array): string {
    const colon = payload.indexOf(0x3a);
    const al = colon < 0 ? null : GdbStub.addrLength(toLatin1(payload.subarray(1, colon)));
    if (al === null) return ERR_BAD;
    const bytes = payload.subarray(colon + 1);
    if (bytes.length !== al[1]) return ERR_BAD;
    if (bytes.length === 0) return "OK"; // gdb's probe for X support
    return this.target.writeMemory(this.current(), al[0], bytes) === bytes.length ? "OK" : ERR_MEMORY;
  }

  private point(text: string): string {
    const m = /^[Zz]([0-4]),([0-9a-fA-F]{1,8}),([0-9a-fA-F]{1,8})(;.*)?$/.exec(text);
    if (m === null) return text.length > 1 && /^[Zz][0-4],/.test(text) ? ERR_BAD : "";
    const type = Number(m[1]);
    const addr = parseInt(m[2], 16) >>> 0;
    const kind = parseInt(m[3], 16) >>> 0;
    const ok = text[0] === "Z" ? this.target.insertPoint(type, addr, kind) : this.target.removePoint(type, addr, kind);
    return ok ? "OK" : ERR_POINT;
  }

  /** c, s [addr], and C/S with a signal (which a VM has no use for: ignored). */
  private resumeSimple(text: string): string | null {
    const step = text[0] === "s" || text[0] === "S";
    let rest = text.slice(1);
    if (text[0] === "C" || text[0] === "S") {
      const semi = rest.indexOf(";");
      rest = semi < 0 ? "" : rest.slice(semi + 1);
    }
    if (rest !== "") {
      const addr = parseHex32(rest);
      if (addr === null) return ERR_BAD;
      const pc = new Uint8Array(4);
      new DataView(pc.buffer).setUint32(0, addr, true);
      this.target.writeRegister(this.resumeThread(), 15, pc);
    }
    this.resume(step ? this.resumeThread() : null);
    return null;
  }

  private resumeThread(): number {
    return this.cThread > 0 && this.target.threadAlive(this.cThread) ? this.cThread : this.lastStop.thread;
  }

  private resume(step: number | null): void {
    this.running = true;
    this.target.resume(step);
  }

  private query(text: string): string {
    if (text.startsWith("qSupported")) {
      const features = text.slice("qSupported:".length).split(";");
      this.swbreak = features.includes("swbreak+");
      this.hwbreak = features.includes("hwbreak+");
      return [
        `PacketSize=${MAX_PACKET.toString(16)}`,
        "qXfer:features:read+",
        "vContSupported+",
        "QStartNoAckMode+",
        "swbreak+",
        "hwbreak+",
      ].join(";");
    }
    if (text.startsWith("qXfer:features:read:")) {
      const m = /^qXfer:features:read:([^:]*):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(text);
      if (m === null) return ERR_BAD;
      if (m[1] !== "target.xml") return "E00";
      const offset = parseInt(m[2], 16);
      const length = parseInt(m[3], 16);
      const chunk = TARGET_XML.slice(offset, offset + length);
      return (offset + length >= TARGET_XML.length ? "l" : "m") + chunk;
    }
    if (text === "qfThreadInfo") {
      return "m" + Array.from({ length: this.target.threadCount }, (_, i) => (i + 1).toString(16)).join(",");
    }
    if (text === "qsThreadInfo") return "l";
    if (text === "qC") return `QC${this.lastStop.thread.toString(16)}`;
    if (text === "qAttached" || text.startsWith("qAttached:")) return "1";
    if (text.startsWith("qThreadExtraInfo,")) {
      const t = this.parseThread(text.slice("qThreadExtraInfo,".length));
      if (t === null || !this.target.threadAlive(t)) return ERR_THREAD;
      return toHex(latin1(this.target.threadDescription(t)));
    }
    return "";
  }

  private vPacket(text: string): string | null {
    if (text === "vCont?") return "vCont;c;C;s;S";
    if (text.startsWith("vCont;")) return this.vCont(text.slice(6));
    if (text.startsWith("vKill")) {
      this.reply("OK");
      this.end(true);
      return null;
    }
    return "";
  }

  /** vCont: the first action naming a thread wins for it; a step anywhere makes this a step of
   * that thread alone (the others stay stopped), else every thread continues. */
  private vCont(actions: string): string | null {
    let step: number | null = null;
    let any = false;
    for (const action of actions.split(";")) {
      const m = /^([cCsStr])(?:[0-9a-fA-F]{2})?(?::(-1|[0-9a-fA-F]+))?$/.exec(action);
      if (m === null) return ERR_BAD;
      const kind = m[1];
      const t = m[2] === undefined ? -1 : this.parseThread(m[2]);
      if (t === null || (t !== -1 && !this.target.threadAlive(t))) return ERR_THREAD;
      if (kind === "s" || kind === "S") {
        if (step === null) step = t === -1 ? this.lastStop.thread : t;
        any = true;
      } else if (kind === "c" || kind === "C") any = true;
    }
    if (!any) return ERR_BAD;
    this.resume(step);
    return null;
  }

  /** Detach (the machine runs on) or kill (it ends). */
  private end(kill: boolean): void {
    this.running = false;
    if (kill) this.target.kill();
    else this.target.detach();
    this.onEnd?.();
  }

  /** The connection dropped: as a detach, so the machine runs on and another debugger may come. */
  disconnected(): void {
    this.running = false;
    this.target.detach();
  }
}

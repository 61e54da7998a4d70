// The GDB stub's command layer against a scripted target: replies, thread handling, resumes and
// stop replies, and what malformed or unknown requests get.

import { test } from "node:test";
import assert from "node:assert/strict";
import { GdbStub } from "../../../src/debug/gdb-stub.js";
import { PacketReader, encodePacket, latin1, toLatin1 } from "../../../src/debug/gdb-packet.js";
import type { DebugTarget, StopEvent } from "../../../src/debug/gdb-target.js";
import { TARGET_XML } from "../../../src/debug/target-xml.js";

class FakeTarget implements DebugTarget {
  threadCount = 2;
  calls: string[] = [];
  onStop: ((e: StopEvent) => void) | null = null;
  memory = new Map<number, number>([
    [0x1000, 0x11],
    [0x1001, 0x22],
  ]);
  regs = new Map<number, number>();
  threadAlive(t: number): boolean {
    return t === 1 || t === 2;
  }
  threadDescription(t: number): string {
    return `vcpu ${t - 1}`;
  }
  readRegister(t: number, regno: number): Uint8Array | null {
    if (regno > 58) return null;
    const v = (this.regs.get(regno) ?? regno + t * 0x100) >>> 0;
    return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  }
  writeRegister(t: number, regno: number, bytes: Uint8Array): boolean {
    this.calls.push(`P${t}:${regno}=${[...bytes].join(",")}`);
    return regno <= 58;
  }
  readMemory(t: number, addr: number, length: number): Uint8Array {
    const out: number[] = [];
    for (let i = 0; i < length && this.memory.has(addr + i); i++) out.push(this.memory.get(addr + i)!);
    return Uint8Array.from(out);
  }
  writeMemory(t: number, addr: number, bytes: Uint8Array): number {
    let n = 0;
    while (n < bytes.length && this.memory.has(addr + n)) this.memory.set(addr + n, bytes[n++]);
    return n;
  }
  insertPoint(type: number, addr: number, kind: number): boolean {
    this.calls.push(`Z${type},${addr.toString(16)},${kind}`);
    return kind !== 7;
  }
  removePoint(type: number, addr: number, kind: number): boolean {
    this.calls.push(`z${type},${addr.toString(16)},${kind}`);
    return true;
  }
  resume(step: number | null): void {
    this.calls.push(step === null ? "continue" : `step ${step}`);
  }
  interrupt(): void {
    this.calls.push("interrupt");
  }
  attach(onStop: (e: StopEvent) => void): StopEvent {
    this.onStop = onStop;
    return { thread: 1, signal: 5 };
  }
  detach(): void {
    this.calls.push("detach");
  }
  kill(): void {
    this.calls.push("kill");
  }
}

function session() {
  const target = new FakeTarget();
  const wire: string[] = [];
  const stub = new GdbStub(target, (b) => wire.push(toLatin1(b)));
  const reader = new PacketReader();
  /** Sends a packet; returns the replies' payloads (acks dropped). */
  const ask = (payload: string | Uint8Array): string[] => {
    wire.length = 0;
    stub.receive(encodePacket(payload));
    const out: string[] = [];
    for (const chunk of wire) {
      for (const e of reader.feed(latin1(chunk))) if (e.kind === "packet") out.push(toLatin1(e.payload));
    }
    return out;
  };
  return { target, stub, wire, ask };
}

test("qSupported offers the features gdb needs; unknown packets get the empty reply", () => {
  const { ask, wire } = session();
  const [features] = ask("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386");
  assert.match(features, /PacketSize=4000/);
  for (const f of ["qXfer:features:read+", "vContSupported+", "swbreak+", "hwbreak+"]) assert.ok(features.includes(f));
  assert.deepEqual(ask("qWhatever"), [""]);
  assert.deepEqual(ask("vMustReplyEmpty"), [""]);
  assert.deepEqual(ask("!"), [""]);
  assert.equal(wire[0], "+", "each good packet is acknowledged");
});

test("target.xml reads back whole in chunks, with the core and VFP features", () => {
  const { ask } = session();
  let xml = "";
  for (let offset = 0; ; offset += 100) {
    const [chunk] = ask(`qXfer:features:read:target.xml:${offset.toString(16)},64`);
    xml += chunk.slice(1);
    if (chunk[0] === "l") break;
    assert.equal(chunk[0], "m");
  }
  assert.equal(xml.length > 0, true);
  // Offsets step by 0x100 > 0x64 here: compare the pieces read.
  const again: string[] = [];
  for (let offset = 0; offset < TARGET_XML.length; offset += 0x40) {
    again.push(ask(`qXfer:features:read:target.xml:${offset.toString(16)},40`)[0].slice(1));
  }
  assert.equal(again.join(""), TARGET_XML);
  assert.match(TARGET_XML, /org\.gnu\.gdb\.arm\.core/);
  assert.match(TARGET_XML, /<reg name="cpsr" bitsize="32" type="int" regnum="25"\/>/);
  assert.match(TARGET_XML, /<reg name="d0" bitsize="64" type="ieee_double" regnum="26"\/>/);
  assert.match(TARGET_XML, /<reg name="fpscr" bitsize="32" type="int" regnum="58" group="float"\/>/);
  assert.deepEqual(ask("qXfer:features:read:other.xml:0,40"), ["E00"]);
  assert.deepEqual(ask("qXfer:features:read:target.xml:zz"), ["E01"]);
});

test("g sends r0-r15 and cpsr (68 bytes) of the Hg thread; p reads one; bad register numbers are errors", () => {
  const { ask } = session();
  const [g1] = ask("g");
  assert.equal(g1.length, 68 * 2);
  assert.equal(g1.slice(0, 8), "00010000"); // r0 of thread 1: 0x100
  assert.equal(g1.slice(64 * 2), "19010000"); // cpsr is register 25
  assert.deepEqual(ask("Hg2"), ["OK"]);
  assert.equal(ask("g")[0].slice(0, 8), "00020000");
  assert.deepEqual(ask("p3a"), ["3a020000"]);
  assert.deepEqual(ask("p3b"), ["E01"]);
  assert.deepEqual(ask("pzz"), ["E01"]);
  assert.deepEqual(ask("Hg3"), ["E02"]);
  assert.deepEqual(ask("T2"), ["OK"]);
  assert.deepEqual(ask("T3"), ["E02"]);
});

test("P and G write registers; malformed ones are refused", () => {
  const { ask, target } = session();
  assert.deepEqual(ask("P19=78563412"), ["OK"]);
  assert.deepEqual(target.calls, ["P1:25=120,86,52,18"]);
  assert.deepEqual(ask("P19=7856341"), ["E01"]);
  assert.deepEqual(ask("Pxx"), ["E01"]);
  assert.deepEqual(ask("G" + "00".repeat(68)), ["OK"]);
  assert.equal(target.calls.filter((c) => c.startsWith("P1:")).length, 1 + 17);
  assert.deepEqual(ask("G0011"), ["E01"]);
});

test("memory: partial reads, E14 where nothing translates, M and X writes", () => {
  const { ask, target } = session();
  assert.deepEqual(ask("m1000,2"), ["1122"]);
  assert.deepEqual(ask("m1000,8"), ["1122"], "a partial read returns what could be read");
  assert.deepEqual(ask("m2000,4"), ["E14"]);
  assert.deepEqual(ask("m2000"), ["E01"]);
  assert.deepEqual(ask("M1000,2:abcd"), ["OK"]);
  assert.equal(target.memory.get(0x1001), 0xcd);
  assert.deepEqual(ask("M1000,2:ab"), ["E01"], "length and data disagree");
  assert.deepEqual(ask("M1001,2:abcd"), ["E14"]);
  // X carries binary data: '#' and '}' arrive escaped and are stored as themselves.
  assert.deepEqual(ask(Uint8Array.from([...latin1("X1000,2:"), 0x23, 0x7d])), ["OK"]);
  assert.deepEqual([target.memory.get(0x1000), target.memory.get(0x1001)], [0x23, 0x7d]);
  assert.deepEqual(ask("X1000,0:"), ["OK"], "gdb's probe for X");
});

test("Z and z go to the target; what it cannot set is E03; malformed ones are errors", () => {
  const { ask, target } = session();
  assert.deepEqual(ask("Z0,40010000,4"), ["OK"]);
  assert.deepEqual(ask("Z1,40010002,2"), ["OK"]);
  assert.deepEqual(ask("Z2,40011000,4"), ["OK"]);
  assert.deepEqual(ask("z0,40010000,4"), ["OK"]);
  assert.deepEqual(ask("Z0,40010000,7"), ["E03"]);
  assert.deepEqual(ask("Z0,4001xyz,4"), ["E01"]);
  assert.deepEqual(ask("Z9,0,4"), [""], "unknown point types are unsupported");
  assert.deepEqual(target.calls, ["Z0,40010000,4", "Z1,40010002,2", "Z2,40011000,4", "z0,40010000,4", "Z0,40010000,7"]);
});

test("vCont steps one thread or continues all; stop replies name the thread and the reason", () => {
  const { ask, target } = session();
  ask("qSupported:swbreak+;hwbreak+");
  assert.deepEqual(ask("vCont?"), ["vCont;c;C;s;S"]);
  assert.deepEqual(ask("vCont;s:2;c"), [], "no reply until the target stops");
  assert.deepEqual(target.calls, ["step 2"]);
  const replies: string[] = [];
  const s2 = session();
  s2.ask("qSupported:swbreak+");
  s2.ask("vCont;c");
  assert.deepEqual(s2.target.calls, ["continue"]);
  // Packets other than Ctrl-C are ignored while running.
  assert.deepEqual(s2.ask("g"), []);
  s2.wire.length = 0;
  s2.stub.receive(Uint8Array.of(3));
  assert.deepEqual(s2.target.calls, ["continue", "interrupt"]);
  s2.target.onStop!({ thread: 2, signal: 5, kind: "swbreak" });
  replies.push(...s2.wire);
  assert.match(replies.join(""), /\$T05thread:2;swbreak:;#/);
  // hwbreak was not negotiated in this session: not reported.
  s2.ask("c");
  s2.wire.length = 0;
  s2.target.onStop!({ thread: 1, signal: 5, kind: "hwbreak" });
  assert.match(s2.wire.join(""), /\$T05thread:1;#/);
  s2.ask("c");
  s2.wire.length = 0;
  s2.target.onStop!({ thread: 1, signal: 5, kind: "watch", address: 0x40011000 });
  assert.match(s2.wire.join(""), /\$T05thread:1;watch:40011000;#/);
  assert.deepEqual(s2.ask("?"), ["T05thread:1;watch:40011000;"]);
  assert.deepEqual(s2.ask("qC"), ["QC1"]);
  assert.deepEqual(s2.ask("vCont;x"), ["E01"]);
  assert.deepEqual(s2.ask("vCont;c:5"), ["E02"]);
});

test("threads: the list, extra information, Hc then s steps that thread", () => {
  const { ask, target } = session();
  assert.deepEqual(ask("qfThreadInfo"), ["m1,2"]);
  assert.deepEqual(ask("qsThreadInfo"), ["l"]);
  assert.deepEqual(ask("qThreadExtraInfo,2"), [Buffer.from("vcpu 1").toString("hex")]);
  assert.deepEqual(ask("Hc2"), ["OK"]);
  ask("s");
  assert.deepEqual(target.calls, ["step 2"]);
});

test("a nack resends the last reply; after QStartNoAckMode nothing is acknowledged", () => {
  const { ask, stub, wire } = session();
  ask("qC");
  wire.length = 0;
  stub.receive(latin1("-"));
  assert.deepEqual(wire, ["$QC1#c5"]);
  wire.length = 0;
  stub.receive(latin1("$g#68")); // bad checksum
  assert.deepEqual(wire, ["-"]);
  assert.deepEqual(ask("QStartNoAckMode"), ["OK"]);
  wire.length = 0;
  stub.receive(encodePacket("qC"));
  assert.deepEqual(wire, ["$QC1#c5"]);
});

test("D detaches and k kills; the session then ends; W reports the exit", () => {
  const a = session();
  let ended = 0;
  a.stub.onEnd = () => ended++;
  assert.deepEqual(a.ask("D"), ["OK"]);
  assert.deepEqual(a.target.calls, ["detach"]);
  assert.equal(ended, 1);
  const b = session();
  b.ask("k");
  assert.deepEqual(b.target.calls, ["kill"]);
  const c = session();
  c.wire.length = 0;
  c.stub.exited(0);
  assert.deepEqual(c.wire, ["$W00#b7"]);
});

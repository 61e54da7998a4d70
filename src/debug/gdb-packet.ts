// The GDB remote serial protocol's framing (GDB manual, "Overview" of the remote protocol):
// `$payload#cc` with a two-digit hex checksum (the sum of the payload bytes modulo 256), `+`/`-`
// acknowledgements, 0x03 alone as an interrupt, and `}` escaping (the next byte XOR 0x20) for
// `$`, `#`, `}` and `*` inside binary data. Nothing here throws on bad input: a packet with a bad
// checksum or that grows past MAX_PACKET is dropped and answered with `-`.

/** The largest packet accepted from the debugger (and PacketSize advertised: what gdb may send). */
export const MAX_PACKET = 0x4000;

export type PacketEvent =
  | { kind: "packet"; payload: Uint8Array }
  | { kind: "interrupt" }
  | { kind: "ack" }
  | { kind: "nack" }
  /** A packet to refuse: bad checksum, malformed trailer, or too long. */
  | { kind: "bad"; reason: string };

const IDLE = 0;
const BODY = 1;
const SUM1 = 2;
const SUM2 = 3;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Splits the byte stream from the debugger into events. */
export class PacketReader {
  private state = IDLE;
  private body = new Uint8Array(MAX_PACKET);
  private length = 0;
  private overflow = false;
  private sum = 0;
  private given = 0;

  feed(bytes: Uint8Array): PacketEvent[] {
    const events: PacketEvent[] = [];
    for (const b of bytes) {
      switch (this.state) {
        case IDLE:
          if (b === 0x24) {
            this.state = BODY;
            this.length = 0;
            this.sum = 0;
            this.overflow = false;
          } else if (b === 0x03) events.push({ kind: "interrupt" });
          else if (b === 0x2b) events.push({ kind: "ack" });
          else if (b === 0x2d) events.push({ kind: "nack" });
          // Anything else between packets is noise: ignored, as gdbserver does.
          break;
        case BODY:
          if (b === 0x23) this.state = SUM1;
          else if (b === 0x24) {
            // A new start inside a packet: the previous one was cut off; start over.
            events.push({ kind: "bad", reason: "packet interrupted by '$'" });
            this.length = 0;
            this.sum = 0;
            this.overflow = false;
          } else {
            this.sum = (this.sum + b) & 0xff;
            if (this.length < MAX_PACKET) this.body[this.length++] = b;
            else this.overflow = true;
          }
          break;
        case SUM1: {
          const v = hexValue(b);
          this.given = v << 4;
          this.state = v < 0 ? IDLE : SUM2;
          if (v < 0) events.push({ kind: "bad", reason: "malformed checksum" });
          break;
        }
        case SUM2: {
          const v = hexValue(b);
          this.state = IDLE;
          if (v < 0) events.push({ kind: "bad", reason: "malformed checksum" });
          else if ((this.given | v) !== this.sum) events.push({ kind: "bad", reason: "bad checksum" });
          else if (this.overflow) events.push({ kind: "bad", reason: "packet too long" });
          else events.push({ kind: "packet", payload: unescape(this.body.subarray(0, this.length)) });
          break;
        }
      }
    }
    return events;
  }
}

/** Undoes `}` escaping (binary data of X packets; harmless elsewhere, where `}` cannot appear). */
export function unescape(raw: Uint8Array): Uint8Array {
  if (!raw.includes(0x7d)) return raw.slice();
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x7d && i + 1 < raw.length) out.push(raw[++i] ^ 0x20);
    else out.push(raw[i]);
  }
  return Uint8Array.from(out);
}

/** `$payload#cc`, with `$ # } *` escaped (no run-length encoding on output). */
export function encodePacket(payload: Uint8Array | string): Uint8Array {
  const bytes = typeof payload === "string" ? latin1(payload) : payload;
  const out: number[] = [0x24];
  let sum = 0;
  const put = (b: number) => {
    out.push(b);
    sum = (sum + b) & 0xff;
  };
  for (const b of bytes) {
    if (b === 0x24 || b === 0x23 || b === 0x7d || b === 0x2a) {
      put(0x7d);
      put(b ^ 0x20);
    } else put(b);
  }
  out.push(0x23, HEX.charCodeAt(sum >>> 4), HEX.charCodeAt(sum & 15));
  return Uint8Array.from(out);
}

const HEX = "0123456789abcdef";

/** Characters 0..255 as bytes (the protocol's text is ASCII; binary data keeps its values). */
export function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

export function toLatin1(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += HEX[b >>> 4] + HEX[b & 15];
  return s;
}

/** Hex text to bytes; null if it is not an even number of hex digits. */
export function fromHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(text.charCodeAt(2 * i));
    const lo = hexValue(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return null;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** A hex number of at most 8 digits (addresses, lengths, register numbers); null if malformed. */
export function parseHex32(text: string): number | null {
  if (!/^[0-9a-fA-F]{1,8}$/.test(text)) return null;
  return parseInt(text, 16) >>> 0;
}

// QEMU's stream format for Ethernet frames over a byte stream (`-netdev stream`, TCP
// `-netdev socket`, and passt's socket): each frame is preceded by its length as 4 bytes,
// big-endian. The reader reassembles frames from arbitrary chunks; a length of zero or one larger
// than any Ethernet frame can be means the peer is not speaking the format (or lost sync), and
// the connection must be dropped rather than guessed at.

/** Largest frame accepted: a jumbo frame with VLAN tags, far above the 1514 bytes a 1500-byte MTU
 * gives; QEMU's own limit (NET_BUFSIZE) is in the same range. */
export const MAX_FRAME = 65_536 + 18;

export class FramingError extends Error {
  /** The frames that came complete before the bad length (they are good). */
  constructor(
    message: string,
    readonly before: Uint8Array[],
  ) {
    super(message);
  }
}

/** The 4-byte length prefix and the frame, as one buffer ready to write. */
export function frameToStream(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + frame.length);
  new DataView(out.buffer).setUint32(0, frame.length, false);
  out.set(frame, 4);
  return out;
}

export class StreamDeframer {
  private buf = new Uint8Array(0);

  /** Adds bytes from the stream; returns the frames they complete. Throws FramingError on a bad
   * length (the caller closes the connection). */
  push(chunk: Uint8Array): Uint8Array[] {
    const data = this.buf.length === 0 ? chunk : concat(this.buf, chunk);
    const frames: Uint8Array[] = [];
    let at = 0;
    while (data.length - at >= 4) {
      const len = new DataView(data.buffer, data.byteOffset + at, 4).getUint32(0, false);
      if (len === 0 || len > MAX_FRAME) {
        this.buf = new Uint8Array(0);
        throw new FramingError(`frame length ${len} is not a frame (expected 1..${MAX_FRAME})`, frames);
      }
      if (data.length - at - 4 < len) break;
      frames.push(data.slice(at + 4, at + 4 + len));
      at += 4 + len;
    }
    this.buf = data.slice(at);
    return frames;
  }

  /** Bytes held for an incomplete frame. */
  get pending(): number {
    return this.buf.length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

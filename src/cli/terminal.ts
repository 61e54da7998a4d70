// The host terminal as the guest's serial console. On a TTY, input is raw (every key goes to the
// guest, Ctrl-C included) with an escape prefix Ctrl-A, and the terminal is restored on every way
// out. When standard input is a pipe or a file, it is read as plain bytes.

const CTRL_A = 0x01;

export interface ConsoleSink {
  /** Bytes typed by the user, for the guest. */
  input(bytes: Uint8Array): void;
  /** Ctrl-A x. */
  quit(): void;
  /** Ctrl-A i: print statistics now. */
  status(): void;
  /** Ctrl-A s: write a snapshot. */
  save(): void;
}

export class Terminal {
  private raw = false;
  private escape = false;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private pending: Uint8Array[] = [];
  private flushScheduled = false;
  private restored = false;
  private sink: ConsoleSink | null = null;

  /** Starts reading standard input. */
  attach(sink: ConsoleSink): void {
    this.sink = sink;
    const stdin = process.stdin;
    if (stdin.isTTY) {
      stdin.setRawMode(true);
      this.raw = true;
    }
    stdin.on("data", this.onData);
    stdin.on("error", () => {});
    stdin.resume();
    // A closed pipe is not an error: the guest keeps running without input, as under QEMU.
    stdin.on("end", () => stdin.pause());
  }

  /** Writes guest output; batched per event-loop turn to keep system calls few. */
  write(byte: number): void {
    this.pending.push(Uint8Array.of(byte));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const chunks = this.pending;
    this.pending = [];
    process.stdout.write(Buffer.concat(chunks));
  }

  /** Restores the terminal; safe to call more than once and from exit handlers. */
  restore(): void {
    this.flush();
    if (this.restored) return;
    this.restored = true;
    const stdin = process.stdin;
    stdin.off("data", this.onData);
    if (this.raw && stdin.isTTY) stdin.setRawMode(false);
    this.raw = false;
    stdin.pause();
    stdin.unref?.();
  }

  private receive(chunk: Buffer): void {
    const sink = this.sink;
    if (!sink) return;
    if (!this.raw) {
      sink.input(new Uint8Array(chunk));
      return;
    }
    const out: number[] = [];
    for (const byte of chunk) {
      if (this.escape) {
        this.escape = false;
        const key = String.fromCharCode(byte).toLowerCase();
        if (key === "x") {
          sink.quit();
          return;
        } else if (key === "s") {
          sink.save();
        } else if (key === "i") {
          sink.status();
        } else if (key === "h" || key === "?") {
          process.stderr.write(
            "\r\nC-a x  quit\r\nC-a s  save a snapshot\r\nC-a i  statistics\r\nC-a C-a  send C-a\r\n",
          );
        } else if (byte === CTRL_A) {
          out.push(CTRL_A);
        }
        continue;
      }
      if (byte === CTRL_A) this.escape = true;
      else out.push(byte);
    }
    if (out.length > 0) sink.input(Uint8Array.from(out));
  }
}

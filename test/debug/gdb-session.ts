// Runs armvmm with --gdb on a free port and gdb-multiarch (or a raw socket) against it.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import { CLI, ROOT } from "../guests/cli-runner.js";

export const GDB = "gdb-multiarch";

/** Why the gdb tests cannot run here, or false. */
export function gdbMissing(): string | false {
  const r = spawnSync(GDB, ["--version"], { stdio: "ignore" });
  return r.error === undefined && r.status === 0 ? false : `${GDB} not installed (apt-get install gdb-multiarch)`;
}

export interface Vm {
  child: ChildProcess;
  port: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code when armvmm ends. */
  exited: Promise<number | null>;
}

/** Starts `armvmm run <args> --gdb 0` and resolves once the stub listens. */
export function startVm(args: string[], timeoutMs = 60_000): Promise<Vm> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "run", ...args, "--gdb", "0"], {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const exited = new Promise<number | null>((done) =>
      child.on("close", (code) => {
        clearTimeout(timer);
        done(code);
      }),
    );
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
      const m = /gdb: listening on 127\.0\.0\.1:(\d+)/.exec(err);
      if (m !== null) resolve({ child, port: Number(m[1]), stdout: () => out, stderr: () => err, exited });
    });
    child.on("error", reject);
    void exited.then((code) => reject(new Error(`armvmm ended (${code}) before listening: ${err}`)));
  });
}

/** gdb-multiarch in batch mode on `elf` (from guests/, so it finds the sources), attached to `port`. */
export function runGdb(elf: string, port: number, commands: string[], timeoutMs = 90_000): Promise<string> {
  const args = ["-q", "-batch", "-nx", `bin/${elf}`, "-ex", `target remote 127.0.0.1:${port}`];
  for (const c of commands) args.push("-ex", c);
  return new Promise((resolve, reject) => {
    const child = spawn(GDB, args, { cwd: `${ROOT}guests`, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** A raw protocol client: sends packets and collects what the stub answers. */
export class RawClient {
  private readonly socket: Socket;
  private buffer = "";
  /** What came before the packets next() returned: acknowledgements. */
  private skipped = "";
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => {
      this.buffer += d;
      this.waiters.forEach((w) => w());
    });
    socket.on("close", () => {
      this.closed = true;
      this.waiters.forEach((w) => w());
    });
    socket.on("error", () => {});
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => resolve(new RawClient(socket)));
      socket.once("error", reject);
    });
  }

  write(text: string): void {
    this.socket.write(Buffer.from(text, "latin1"));
  }

  packet(payload: string): void {
    let sum = 0;
    for (const c of payload) sum = (sum + c.charCodeAt(0)) & 0xff;
    this.write(`$${payload}#${sum.toString(16).padStart(2, "0")}`);
  }

  /** The next packet's payload (acks before it are dropped); rejects after `ms`. */
  async next(ms = 20_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = /\$([^#]*)#[0-9a-f]{2}/.exec(this.buffer);
      if (m !== null) {
        this.skipped += this.buffer.slice(0, m.index);
        this.buffer = this.buffer.slice(m.index + m[0].length);
        return m[1];
      }
      if (this.closed) throw new Error("connection closed");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no packet within ${ms} ms (have '${this.buffer}')`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
      this.waiters = [];
    }
  }

  /** Everything received so far that is not a packet (acknowledgements), and forgets it. */
  takeRaw(): string {
    const raw = this.skipped + this.buffer;
    this.skipped = "";
    this.buffer = "";
    return raw;
  }

  /** Sends a packet and returns the reply. */
  async ask(payload: string): Promise<string> {
    this.packet(payload);
    return this.next();
  }

  close(): void {
    this.socket.destroy();
  }
}

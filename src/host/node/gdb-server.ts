// --gdb PORT: the GDB stub (src/debug/gdb-stub.ts) on a TCP port of 127.0.0.1, one debugger at
// a time. A second connection while one is open is closed at once. A dropped connection is a
// detach: the machine runs on, and a new debugger may attach.

import { createServer, type Server, type Socket } from "node:net";
import { GdbStub } from "../../debug/gdb-stub.js";
import type { DebugTarget } from "../../debug/gdb-target.js";

export class GdbServerError extends Error {}

export class GdbServer {
  private readonly server: Server;
  private readonly target: DebugTarget;
  private readonly log: (message: string) => void;
  private socket: Socket | null = null;
  private stub: GdbStub | null = null;

  private constructor(server: Server, target: DebugTarget, log: (message: string) => void) {
    this.server = server;
    this.target = target;
    this.log = log;
    server.on("connection", (socket) => this.accept(socket));
  }

  /** Listens on 127.0.0.1:`port` (0: any free port; see `port`). */
  static async listen(port: number, target: DebugTarget, log: (message: string) => void): Promise<GdbServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", (e: NodeJS.ErrnoException) =>
        reject(new GdbServerError(`--gdb ${port}: cannot listen on 127.0.0.1:${port}: ${e.code ?? e.message}`)),
      );
      server.listen(port, "127.0.0.1", () => resolve());
    });
    // Errors after listening (none expected) must not take the VM down.
    server.on("error", (e) => log(`gdb server: ${e.message}`));
    return new GdbServer(server, target, log);
  }

  get port(): number {
    const address = this.server.address();
    return address !== null && typeof address === "object" ? address.port : 0;
  }

  private accept(socket: Socket): void {
    if (this.socket !== null) {
      socket.destroy();
      return;
    }
    this.socket = socket;
    socket.setNoDelay(true);
    const send = (bytes: Uint8Array) => {
      if (!socket.destroyed) socket.write(bytes);
    };
    const stub = new GdbStub(this.target, send);
    this.stub = stub;
    stub.onEnd = () => socket.end();
    this.log(`gdb: debugger attached from ${socket.remoteAddress}:${socket.remotePort}; the machine is stopped`);
    socket.on("data", (data: Buffer) => {
      try {
        stub.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      } catch (e) {
        // A bug in the stub must not end the VM: drop the session as if the debugger had gone.
        this.log(`gdb: internal error (${e instanceof Error ? e.message : String(e)}); dropping the connection`);
        socket.destroy();
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      if (this.stub === stub) {
        this.stub = null;
        this.socket = null;
        stub.disconnected();
        this.log("gdb: debugger detached; the machine runs on");
      }
    });
  }

  /** The machine ended with `code`: tell the debugger (W), then close everything. */
  async close(code: number): Promise<void> {
    const socket = this.socket;
    const stub = this.stub;
    this.stub = null;
    this.socket = null;
    if (socket !== null && stub !== null && !socket.destroyed) {
      stub.exited(code);
      await new Promise<void>((resolve) => {
        socket.end(() => resolve());
        setTimeout(resolve, 500);
      });
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

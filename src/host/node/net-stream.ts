// Network backends over byte streams in QEMU's stream format (a 4-byte big-endian length, then the
// frame): `--net socket,listen=ADDR` and `--net socket,connect=ADDR`, ADDR being HOST:PORT or
// unix:PATH, so that armvmm VMs and `qemu-system-arm -netdev stream` VMs can be joined. The link is
// up while a peer is connected; a peer that goes away is link down (a listener waits for the next
// peer, a connector dials again every second); a peer that breaks the framing is dropped with one
// logged line.

import * as net from "node:net";
import type { Duplex } from "node:stream";
import type { NetBackend } from "../../devices/net/backend.js";
import { FramingError, StreamDeframer, frameToStream } from "../../devices/net/stream-framing.js";

export class NetBackendError extends Error {}

/** One framed stream at a time, and the link state that goes with it. */
export class StreamLink implements NetBackend {
  onFrame: ((frame: Uint8Array) => void) | null = null;
  onLink: ((up: boolean) => void) | null = null;
  private stream: Duplex | null = null;
  /** Called when the stream ends (after the link went down). */
  onDetach: (() => void) | null = null;

  constructor(
    private readonly describe: string,
    private readonly log: (message: string) => void,
  ) {}

  get linkUp(): boolean {
    return this.stream !== null;
  }

  /** Takes `stream` as the peer; false if one is already attached. */
  attach(stream: Duplex): boolean {
    if (this.stream !== null) return false;
    this.stream = stream;
    const deframer = new StreamDeframer();
    stream.on("data", (chunk: Buffer) => {
      if (this.stream !== stream) return;
      let frames: Uint8Array[];
      try {
        frames = deframer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      } catch (e) {
        if (!(e instanceof FramingError)) throw e;
        for (const f of e.before) this.onFrame?.(f);
        this.log(`${this.describe}: ${e.message}; closing the connection`);
        stream.destroy();
        this.detach(stream);
        return;
      }
      for (const f of frames) this.onFrame?.(f);
    });
    const gone = () => this.detach(stream);
    stream.on("close", gone);
    stream.on("end", gone);
    stream.on("error", gone);
    this.onLink?.(true);
    return true;
  }

  private detach(stream: Duplex): void {
    if (this.stream !== stream) return;
    this.stream = null;
    stream.destroy();
    this.onLink?.(false);
    this.onDetach?.();
  }

  send(frame: Uint8Array): void {
    // Without a peer the frame is lost, as on a cable that is not plugged in.
    this.stream?.write(frameToStream(frame));
  }

  close(): void {
    const s = this.stream;
    this.stream = null;
    s?.destroy();
  }
}

export type SocketAddress = { path: string } | { host: string; port: number };

/** HOST:PORT (IPv6 as [::1]:PORT) or unix:PATH. */
export function parseSocketAddress(text: string): SocketAddress | null {
  if (text.startsWith("unix:")) return text.length > 5 ? { path: text.slice(5) } : null;
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  if (m === null) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1] ?? (m[2] === "" ? "127.0.0.1" : m[2]), port };
}

function show(a: SocketAddress): string {
  return "path" in a ? `unix:${a.path}` : `${a.host}:${a.port}`;
}

/** `listen=ADDR`: waits for peers, one at a time. Resolves once listening. */
export function listenLink(addr: SocketAddress, log: (m: string) => void): Promise<StreamLink> {
  const link = new StreamLink(`socket listen=${show(addr)}`, log);
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    if (!link.attach(socket)) {
      log(`socket listen=${show(addr)}: a second peer connected; refused`);
      socket.destroy();
    }
  });
  const close = link.close.bind(link);
  link.close = () => {
    close();
    server.close();
  };
  return new Promise((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      const why = e.code === "EADDRINUSE" ? "address in use" : e.code === "EACCES" ? "permission denied" : e.message;
      reject(new NetBackendError(`cannot listen on ${show(addr)}: ${why}`));
    });
    const done = () => {
      server.removeAllListeners("error");
      server.on("error", (e) => log(`socket listen=${show(addr)}: ${e.message}`));
      server.unref();
      resolve(link);
    };
    if ("path" in addr) server.listen(addr.path, done);
    else server.listen(addr.port, addr.host, done);
  });
}

/** `connect=ADDR`: the first connection must succeed; after a loss it dials again every second. */
export function connectLink(addr: SocketAddress, log: (m: string) => void): Promise<StreamLink> {
  const link = new StreamLink(`socket connect=${show(addr)}`, log);
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | null = null;
  const dial = (first: boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const socket = "path" in addr ? net.connect(addr.path) : net.connect(addr.port, addr.host);
      socket.once("connect", () => {
        socket.removeAllListeners("error");
        socket.setNoDelay(true);
        link.attach(socket);
        resolve();
      });
      socket.once("error", (e: NodeJS.ErrnoException) => {
        socket.destroy();
        if (first) reject(new NetBackendError(`cannot connect to ${show(addr)}: ${e.code ?? e.message}`));
        else resolve();
        if (!first) schedule();
      });
    });
  const schedule = () => {
    if (closed || retry !== null) return;
    retry = setTimeout(() => {
      retry = null;
      if (!closed && !link.linkUp) void dial(false);
    }, 1000);
    retry.unref();
  };
  link.onDetach = schedule;
  const close = link.close.bind(link);
  link.close = () => {
    closed = true;
    if (retry !== null) clearTimeout(retry);
    close();
  };
  return dial(true).then(() => link);
}

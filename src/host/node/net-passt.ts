// `--net user`: user-mode networking through Debian's passt, which maps the guest's layer-2 traffic
// onto ordinary sockets of the host, with DHCP, DNS and the gateway address mapped to the host
// itself, and needs no privilege. Each VM starts its own passt on one end of a socketpair (its
// fd 3; `--fd`), so no other process or user can reach it, and in one-client mode (`-1`), so it
// exits as soon as that socket closes: when armvmm exits, however it exits (passt drops to user
// nobody, which would clear a parent-death signal; a closed socket cannot be missed).

import { spawn } from "node:child_process";
import type { Duplex } from "node:stream";
import { NetBackendError, StreamLink } from "./net-stream.js";

/** Starts passt for one NIC; rejects with a one-line NetBackendError if it cannot run. */
export function passtLink(log: (m: string) => void): Promise<StreamLink> {
  return new Promise((resolve, reject) => {
    const child = spawn("passt", ["--foreground", "--quiet", "--one-off", "--fd", "3"], {
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    });
    let settled = false;
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      reject(
        new NetBackendError(
          e.code === "ENOENT"
            ? "--net user needs passt, which is not installed (Debian: apt-get install passt)"
            : `cannot start passt: ${e.message}`,
        ),
      );
    });
    child.on("exit", (code, signal) => {
      const why = stderr.trim().split("\n").pop() ?? "";
      const message = `passt exited (${signal ?? `status ${code}`})${why ? `: ${why}` : ""}`;
      if (!settled) {
        settled = true;
        reject(new NetBackendError(message));
      } else if (!link.closing) log(`--net user: ${message}; the link is down`);
    });
    const socket = child.stdio[3] as Duplex;
    const link = new PasstLink(log, () => child.kill());
    // passt has no "ready" message in quiet mode: the link is usable once the process runs, and a
    // failure to start shows as an exit, above.
    child.once("spawn", () => {
      if (settled) return;
      settled = true;
      link.attach(socket);
      child.unref();
      (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
      (socket as unknown as { unref?: () => void }).unref?.();
      resolve(link);
    });
  });
}

class PasstLink extends StreamLink {
  closing = false;
  constructor(
    log: (m: string) => void,
    private readonly stop: () => void,
  ) {
    super("--net user (passt)", log);
  }

  override close(): void {
    this.closing = true;
    super.close();
    this.stop();
  }
}

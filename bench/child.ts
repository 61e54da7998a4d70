// A child process whose console output the benchmark watches: when did a given line appear, and
// how did the process end.

import { spawn, type ChildProcess } from "node:child_process";

export interface Watched {
  readonly child: ChildProcess;
  /** performance.now() just before the spawn. */
  readonly start: number;
  /** Everything written to stdout so far. */
  output(): string;
  /** Resolves with performance.now() when `text` first appears on stdout, or null if the process ends
   * or `timeoutMs` passes first. */
  waitFor(text: string, timeoutMs: number): Promise<number | null>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  kill(): void;
}

export function spawnWatched(command: string, args: readonly string[], stdin: "pipe" | "ignore" = "ignore"): Watched {
  const start = performance.now();
  const child = spawn(command, args, { stdio: [stdin, "pipe", "pipe"] });
  let out = "";
  let ended = false;
  const waiters: { text: string; resolve: (t: number | null) => void }[] = [];
  const settle = () => {
    for (let k = waiters.length - 1; k >= 0; k--) {
      const w = waiters[k];
      if (out.includes(w.text)) {
        waiters.splice(k, 1);
        w.resolve(performance.now());
      } else if (ended) {
        waiters.splice(k, 1);
        w.resolve(null);
      }
    }
  };
  child.stdout!.setEncoding("latin1").on("data", (d: string) => {
    out += d;
    settle();
  });
  child.stderr!.resume();
  const exited = new Promise<number | null>((resolve) => {
    child.on("close", (code) => {
      ended = true;
      settle();
      resolve(code);
    });
    child.on("error", () => {
      ended = true;
      settle();
      resolve(null);
    });
  });
  return {
    child,
    start,
    output: () => out,
    exited,
    waitFor(text, timeoutMs) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          const k = waiters.findIndex((w) => w.resolve === done);
          if (k >= 0) waiters.splice(k, 1);
          resolve(null);
        }, timeoutMs);
        const done = (t: number | null) => {
          clearTimeout(timer);
          resolve(t);
        };
        waiters.push({ text, resolve: done });
        settle();
      });
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}

/** Waits for `watched` to print a line starting with `marker` (or end, or `timeoutMs` to pass),
 * lets the line complete (the next output, or the exit), stops the process and returns everything
 * it printed. The result lines of the benchmark guests are read this way. */
export async function outputThrough(watched: Watched, marker: string, timeoutMs: number): Promise<string> {
  const at = await watched.waitFor(marker, timeoutMs);
  if (at !== null) await watched.waitFor("\n", 5000);
  await Promise.race([watched.exited, new Promise((r) => setTimeout(r, 2000))]);
  watched.kill();
  await watched.exited;
  return watched.output();
}

// Runs the armvmm CLI as a user would (a child process), for guest-level tests.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const CLI = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `armvmm <args>` with optional standard input (and extra environment); kills it after `timeoutMs`. */
export function runCli(
  args: string[],
  options: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = options.env === undefined ? process.env : { ...process.env, ...options.env };
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin.write(options.input);
    child.stdin.end();
  });
}

/** The guest summary line `<name>: N passed, M failed`, parsed. */
export function guestSummary(stdout: string, name: string): { passed: number; failed: number } | null {
  const m = new RegExp(`^${name}: (\\d+) passed, (\\d+) failed`, "m").exec(stdout);
  return m ? { passed: Number(m[1]), failed: Number(m[2]) } : null;
}

export function guestImage(name: string): string {
  return `guests/bin/${name}.bin`;
}

/** `armvmm <args>` on a pseudo-terminal (through `script`), as a user at a terminal runs it: the
 * console is in raw mode and Ctrl-A escapes are honoured. */
export interface PtyRun {
  /** Everything the terminal showed so far. */
  readonly output: () => string;
  /** Resolves once the output matches `pattern`; rejects with the output's tail after `ms`. */
  until(pattern: RegExp | string, ms?: number): Promise<void>;
  /** Types on the terminal. */
  type(text: string): void;
  /** The exit status of `script` (armvmm's). */
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

export function runCliOnPty(args: string[]): PtyRun {
  const command = [process.execPath, CLI, ...args].map((a) => JSON.stringify(a)).join(" ");
  const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: ROOT });
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  return {
    output: () => out,
    async until(pattern, ms = 60_000) {
      const limit = Date.now() + ms;
      const seen = () => (typeof pattern === "string" ? out.includes(pattern) : pattern.test(out));
      while (!seen()) {
        if (Date.now() > limit) throw new Error(`no ${String(pattern)} within ${ms} ms:\n${out.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    type: (text) => child.stdin.write(text),
    exited,
    kill: (signal) => child.kill(signal),
  };
}

// Starts `armvmm web` on a free port and Debian's Chromium (headless, through playwright-core) for
// the page's tests. Without Chromium the tests skip, and say so loudly.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { CLI, ROOT } from "../guests/cli-runner.js";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** Why the browser tests cannot run here, or null when they can. */
export function browserMissing(): string | null {
  if (!existsSync(CHROMIUM)) {
    return `SKIPPED: no Chromium at ${CHROMIUM} (install Debian's chromium package, as .ci/run does, or set CHROMIUM)`;
  }
  return null;
}

export interface WebServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function startWebServer(env: Record<string, string> = {}): Promise<WebServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "web", "--port", "0"], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const limit = setTimeout(() => reject(new Error(`armvmm web printed no URL:\n${out}\n${err}`)), 15_000);
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const m = /serving the page at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) {
        clearTimeout(limit);
        resolve({
          url: m[1],
          child,
          stop: () =>
            new Promise<void>((done) => {
              child.once("close", () => done());
              child.kill("SIGTERM");
            }),
        });
      }
    });
    child.on("error", reject);
  });
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page with its console errors and uncaught exceptions collected. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console error: ${m.text()}`);
  });
  await page.goto(url);
  return { page, errors };
}

/** The terminal's text, as the page's test hook reads it from xterm's buffer. */
export function terminalText(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as { armvmm: { text(): string } }).armvmm.text());
}

export async function waitForText(page: Page, pattern: RegExp, timeoutMs: number): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = await terminalText(page);
    if (pattern.test(text)) return text;
    if (Date.now() > until) throw new Error(`no ${pattern} in the terminal after ${timeoutMs} ms:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function waitForState(page: Page, state: string, timeoutMs: number): Promise<void> {
  await page.waitForSelector(`#status[data-state="${state}"]`, { timeout: timeoutMs });
}

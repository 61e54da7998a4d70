// `npm run bench:web`: the page against the Node CLI on the same machine, in the same run: the
// heartbeat's beat interval error (mean and worst, both vcpus) and Debian's boot to its shell
// (views open, as a user sees the page). Figures only. Needs Chromium; Debian needs
// `npm run guests`.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { guestCacheDir } from "../src/cli/guests.js";
import { CLI, ROOT } from "../test/guests/cli-runner.js";
import {
  browserMissing,
  launchBrowser,
  openPage,
  startWebServer,
  waitForState,
  waitForText,
} from "../test/web/browser.js";

const RUNS = Number(process.env.RUNS ?? 3);

interface Beat {
  mean: number;
  worst: number;
}

/** Mean and worst interval errors (µs) of both vcpus from the heartbeat's summary. */
function beats(text: string): Beat {
  const rows = [...text.matchAll(/beats every \d+ ms +interval error: mean (\d+) us, worst [+-](\d+) us/g)];
  if (rows.length !== 2) throw new Error(`no heartbeat summary in:\n${text}`);
  return {
    mean: rows.reduce((s, r) => s + Number(r[1]), 0) / rows.length,
    worst: Math.max(...rows.map((r) => Number(r[2]))),
  };
}

function node(args: string[], until: RegExp | null): Promise<{ out: string; seconds: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [CLI, "run", ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (until !== null && until.test(out)) {
        const seconds = (performance.now() - start) / 1000;
        child.kill("SIGTERM");
        resolve({ out, seconds });
      }
    });
    child.on("error", reject);
    child.on("close", () => resolve({ out, seconds: (performance.now() - start) / 1000 }));
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  const missing = browserMissing();
  if (missing !== null) {
    console.error(`bench:web: ${missing}`);
    process.exit(1);
  }
  const server = await startWebServer();
  const browser = await launchBrowser();
  try {
    const pageBeats: Beat[] = [];
    const nodeBeats: Beat[] = [];
    for (let k = 0; k < RUNS; k++) {
      const { page } = await openPage(browser, server.url);
      pageBeats.push(beats(await waitForText(page, /heartbeat: ok|heartbeat: FAIL/, 60_000)));
      await page.close();
      nodeBeats.push(beats((await node([], null)).out));
    }
    const row = (name: string, b: Beat[]) =>
      `${name.padEnd(8)} mean ${mean(b.map((x) => x.mean))
        .toFixed(0)
        .padStart(6)} us   worst ${Math.max(...b.map((x) => x.worst))
        .toFixed(0)
        .padStart(6)} us`;
    console.log(`heartbeat interval error, 2 vcpus, ${RUNS} runs each`);
    console.log(row("page", pageBeats));
    console.log(row("node", nodeBeats));
    const pageMean = mean(pageBeats.map((x) => x.mean));
    const nodeMean = mean(nodeBeats.map((x) => x.mean));
    console.log(`ratio    ${(pageMean / nodeMean).toFixed(2)}x (mean error, page / node)`);

    const cache = guestCacheDir();
    if (!existsSync(join(cache, "vmlinuz")) || !existsSync(join(cache, "initrd-shell.cpio.gz"))) {
      console.log("Debian boot: skipped (npm run guests)");
      return;
    }
    const { page } = await openPage(browser, server.url);
    await waitForState(page, "powered off", 60_000);
    const started = performance.now();
    await page.selectOption("#guest", "debian");
    await waitForText(page, /~ #|\/ #/, 600_000);
    const pageSeconds = (performance.now() - started) / 1000;
    await page.close();
    const nodeBoot = await node(["--guest", "debian", "--smp", "2", "--mem", "256M"], /~ #|\/ #/);
    console.log(`Debian to its shell, 2 vcpus, 256 MB`);
    console.log(`page     ${pageSeconds.toFixed(1)} s`);
    console.log(`node     ${nodeBoot.seconds.toFixed(1)} s`);
    console.log(`ratio    ${(pageSeconds / nodeBoot.seconds).toFixed(2)}x`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(`bench:web: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

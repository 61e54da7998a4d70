// `npm run screenshots`: the README's pictures of the page (docs/screenshots), taken in headless
// Chromium from `armvmm web`: the heartbeat with its vGIC and timer views, and the platform guest.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../test/guests/cli-runner.js";
import { browserMissing, launchBrowser, openPage, startWebServer, waitForText } from "../test/web/browser.js";

const OUT = join(ROOT, "docs", "screenshots");

async function main(): Promise<void> {
  const missing = browserMissing();
  if (missing !== null) throw new Error(missing);
  mkdirSync(OUT, { recursive: true });
  const server = await startWebServer();
  const browser = await launchBrowser();
  try {
    const { page } = await openPage(browser, server.url);
    // Mid-run: the timeline is full of beats and the vGIC has seen both vcpus' ticks.
    await waitForText(page, /<3 beat +8 /, 60_000);
    await page.screenshot({ path: join(OUT, "page.png"), fullPage: true });
    await page.locator("#timeline").screenshot({ path: join(OUT, "timeline.png") });
    await page.locator("#vgic").screenshot({ path: join(OUT, "vgic.png") });
    await page.close();
    console.log(`screenshots: ${OUT}`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(`screenshots: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

// The browser page in headless Chromium: the heartbeat runs at once in the terminal, the vGIC view
// sees INTID 27 enter the list registers, the timeline has a lane per vcpu, typing reaches a guest
// that echoes, pause stops guest time, power off ends cleanly, a bad kernel is one line, and
// Debian's kernel boots to a shell that answers.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { guestCacheDir } from "../../src/cli/guests.js";
import { failIfMissing, skipOption } from "../helpers/required.js";
import {
  browserMissing,
  launchBrowser,
  openPage,
  startWebServer,
  terminalText,
  waitForState,
  waitForText,
  type WebServer,
} from "./browser.js";

const missing = browserMissing();
/** Skipped loudly without Chromium; under CI (where .ci/run installs it) a failure instead. */
const SKIP = skipOption(missing ?? false);

let server: WebServer | null = null;
let browser: Browser | null = null;

before(async () => {
  if (missing !== null) return;
  server = await startWebServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test(
  "the heartbeat starts at once: beat lines in the terminal, its summary, the guest powers off",
  { skip: SKIP },
  async () => {
    failIfMissing(missing ?? false);
    const { page, errors } = await openPage(browser!, server!.url);
    assert.equal(await page.evaluate("crossOriginIsolated"), true, "the page is not cross-origin isolated");
    const text = await waitForText(page, /heartbeat: ok, powering off/, 60_000);
    assert.match(text, /<3 beat +1 /);
    assert.match(text, /vcpu 0 +10 beats every 200 ms/);
    assert.match(text, /vcpu 1 +10 beats every 300 ms/);
    await waitForState(page, "powered off", 10_000);
    // Screen-reader mode: the console's text is in the page, not only on the canvas.
    await page.waitForFunction(
      '/heartbeat: ok/.test(document.querySelector(".xterm-accessibility")?.textContent ?? "")',
      undefined,
      { timeout: 10_000 },
    );
    assert.deepEqual(errors, []);
    await page.close();
  },
);

test(
  "the vGIC view sees INTID 27 enter each vcpu's list registers; the distributor shows it enabled",
  { skip: SKIP },
  async () => {
    failIfMissing(missing ?? false);
    const { page, errors } = await openPage(browser!, server!.url);
    for (const v of [0, 1]) {
      // Run in the page (a string: these tests compile without the DOM's types).
      const fills = `document.querySelector('.fills[data-vcpu="${v}"]')?.textContent ?? ""`;
      await page.waitForFunction(`/INTID 27 \\(\\d+ ms ago\\)/.test(${fills})`, undefined, { timeout: 30_000 });
    }
    const lrRows = await page.locator('table.lrs[data-vcpu="0"] tbody tr').count();
    assert.equal(lrRows, 4, "GIC-400 has four list registers per CPU interface");
    const dist = await page.locator("table.distributor tbody").innerText();
    assert.match(dist, /^27\tvcpu0\tyes/m);
    assert.match(dist, /^27\tvcpu1\tyes/m);
    assert.match(await page.locator(".dist-state").innerText(), /GICD_CTLR 0x1/);
    assert.deepEqual(errors, []);
    await page.close();
  },
);

test(
  "the timeline has a lane per vcpu with timer injections, host timers and tick latencies",
  { skip: SKIP },
  async () => {
    failIfMissing(missing ?? false);
    const { page, errors } = await openPage(browser!, server!.url);
    await waitForState(page, "powered off", 60_000);
    const lines = await page.locator(".timeline-summary li").allInnerTexts();
    assert.equal(lines.length, 2);
    for (const [v, line] of lines.entries()) {
      const m =
        /^vcpu(\d): \w+; (\d+) timer injections, (\d+) host timers armed; tick latency last [\d.]+ (?:µs|ms), mean [\d.]+ (?:µs|ms) over (\d+)$/.exec(
          line,
        );
      assert.ok(m, `lane ${v}: ${line}`);
      assert.equal(Number(m[1]), v);
      assert.ok(Number(m[2]) >= 5, `lane ${v}: ${m[2]} injections`);
      assert.ok(Number(m[3]) >= 5, `lane ${v}: ${m[3]} host timers`);
      assert.ok(Number(m[4]) >= 5, `lane ${v}: ${m[4]} latencies`);
    }
    const label = await page.locator("canvas.timeline").getAttribute("aria-label");
    assert.match(label ?? "", /vcpu0: .*vcpu1: /);
    assert.deepEqual(errors, []);
    await page.close();
  },
);

test("typing reaches the platform guest on 4 vcpus, which echoes the line in upper case", { skip: SKIP }, async () => {
  failIfMissing(missing ?? false);
  const { page, errors } = await openPage(browser!, server!.url);
  await page.selectOption("#guest", "platform");
  await waitForText(page, /type a line and press Enter/, 60_000);
  assert.equal(await page.locator("#vcpus").inputValue(), "4");
  await page.locator("#terminal").click();
  await page.keyboard.type("hello armvmm");
  await page.keyboard.press("Enter");
  const text = await waitForText(page, /platform: \d+ passed, \d+ failed/, 60_000);
  assert.match(text, /^echo: HELLO ARMVMM$/m);
  assert.match(text, /platform: \d+ passed, 0 failed/);
  assert.deepEqual(errors, []);
  await page.close();
});

test(
  "pause holds guest time: nothing is printed while paused, and the beats stay on time after",
  { skip: SKIP },
  async () => {
    failIfMissing(missing ?? false);
    const { page, errors } = await openPage(browser!, server!.url);
    await waitForText(page, /<3 beat +2 /, 60_000);
    await page.click("#pause");
    await waitForState(page, "paused", 5000);
    await new Promise((r) => setTimeout(r, 300));
    const held = await terminalText(page);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await terminalText(page), held, "the guest printed while paused");
    await page.click("#pause");
    const text = await waitForText(page, /heartbeat: (ok|FAIL)/, 60_000);
    // A pause of 1.8 s would show as a late beat (interval error > 1 s) had guest time run on.
    const worst = /vcpu 0 +10 beats every 200 ms +interval error: mean (\d+) us, worst [+-](\d+) us/.exec(text);
    assert.ok(worst, text);
    assert.ok(Number(worst[2]) < 100_000, `worst interval error ${worst[2]} us: guest time ran during the pause`);
    assert.match(text, /heartbeat: ok/);
    assert.deepEqual(errors, []);
    await page.close();
  },
);

test("Power off ends a guest that spins with interrupts masked; the page stays usable", { skip: SKIP }, async () => {
  failIfMissing(missing ?? false);
  const { page, errors } = await openPage(browser!, server!.url);
  await page.selectOption("#guest", "hang");
  await waitForText(page, /now vcpu 0 spins too/, 60_000);
  await page.click("#poweroff");
  await waitForState(page, "stopped", 10_000);
  assert.equal(await page.locator("#status").innerText(), "powered off");
  await page.click("#reset");
  await waitForText(page, /now vcpu 0 spins too/, 60_000);
  // Spinning vcpus would slow the next tests down: power off again before the page goes.
  await page.click("#poweroff");
  await waitForState(page, "stopped", 10_000);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a kernel that is not for ARM is one readable line in the page", { skip: SKIP }, async () => {
  failIfMissing(missing ?? false);
  const { page, errors } = await openPage(browser!, server!.url);
  await page.selectOption("#guest", "linux-files");
  const elf64 = Buffer.alloc(64);
  elf64.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  await page.setInputFiles("#linux-files input[name=kernel]", {
    name: "vmlinux-x86",
    mimeType: "application/octet-stream",
    buffer: elf64,
  });
  await page.click("#linux-files button");
  await waitForState(page, "error", 10_000);
  assert.equal(await page.locator("#status").innerText(), "not a 32-bit ELF (ELFCLASS64 or unknown class)");
  await page.setInputFiles("#linux-files input[name=kernel]", {
    name: "empty",
    mimeType: "application/octet-stream",
    buffer: Buffer.alloc(0),
  });
  await page.click("#linux-files button");
  await page.waitForFunction('/empty/.test(document.getElementById("status")?.textContent ?? "")', undefined, {
    timeout: 10_000,
  });
  assert.equal(await page.locator("#status").innerText(), "kernel 'empty' is empty");
  assert.deepEqual(errors, []);
  await page.close();
});

const debian =
  existsSync(join(guestCacheDir(), "vmlinuz")) && existsSync(join(guestCacheDir(), "initrd-shell.cpio.gz"));
const NO_DEBIAN = missing ?? (debian ? false : "no Debian guest in the cache: run 'npm run guests'");

test(
  "Debian's armmp kernel and busybox boot to a shell in the page, which runs a command",
  { skip: skipOption(NO_DEBIAN), timeout: 600_000 },
  async () => {
    failIfMissing(NO_DEBIAN);
    const { page, errors } = await openPage(browser!, server!.url);
    await page.selectOption("#guest", "debian");
    const booted = Date.now();
    await waitForText(page, /~ #|\/ #/, 400_000);
    const seconds = (Date.now() - booted) / 1000;
    process.stderr.write(`page.test: Debian booted to its shell in the page in ${seconds.toFixed(1)} s\n`);
    await page.locator("#terminal").click();
    await page.keyboard.type("echo $((6 * 7)) answers; uname -m");
    await page.keyboard.press("Enter");
    const text = await waitForText(page, /^armv7l$/m, 60_000);
    assert.match(text, /^42 answers$/m);
    assert.deepEqual(errors, []);
    await page.close();
  },
);

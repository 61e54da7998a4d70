// A snapshot of Debian at its shell (issue 15): booted in icount mode with 256 MB, saved once the
// shell is up (--save-after), then restored in a new process, where `sleep 1; date` answers — the
// timer tick, the UART and the RTC all go on from the snapshot. The saved run's console ends at
// the prompt, and the restored run's console carries on from there.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { guestCacheDir } from "../../src/cli/guests.js";
import { runCli, runCliOnPty } from "../guests/cli-runner.js";
import { failIfMissing, skipOption } from "../helpers/required.js";

const CACHE = guestCacheDir();
const MISSING = ["vmlinuz", "initrd-shell.cpio.gz"].filter((f) => !existsSync(join(CACHE, f)));
const ABSENT =
  MISSING.length > 0
    ? `Debian guest missing (${MISSING.map((f) => join(CACHE, f)).join(", ")}): the snapshot test on Debian is ` +
      `skipped; fetch the guests with 'npm run guests'`
    : false;

test("Debian saved at the shell and restored: `sleep 1; date` answers", { skip: skipOption(ABSENT) }, async () => {
  failIfMissing(ABSENT);
  const dir = mkdtempSync(join(tmpdir(), "armvmm-snapshot-debian-"));
  try {
    const file = join(dir, "debian.snap");
    const saved = await runCli(
      ["run", "--guest", "debian", "--mem", "256M", "--clock", "icount", "--save-after", "20s", "--save", file],
      { timeoutMs: 600_000 },
    );
    assert.equal(saved.code, 0, saved.stderr);
    assert.match(saved.stdout, /built-in shell \(ash\)/, "the shell was not up when the snapshot was taken");
    assert.match(saved.stderr, /snapshot saved to/);
    // Sparse: far less than the 256 MB of RAM.
    assert.ok(statSync(file).size < 64 << 20, `snapshot of ${statSync(file).size} bytes`);

    const resumed = await runCli(["run", "--restore", file], {
      input: "sleep 1; date +%Y-%m-%dT%H:%M:%S; echo answer-$((6*7))\npoweroff -f\n",
      timeoutMs: 300_000,
    });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /^answer-42\r?$/m);
    // The RTC went on from the snapshot: icount's epoch (2026-01-01) plus some 21 s of guest time.
    assert.match(resumed.stdout, /^2026-01-01T00:00:(2\d)\r?$/m);
    assert.match(resumed.stdout, /reboot: Power down/);
    assert.doesNotMatch(resumed.stdout, /Booting Linux/, "the restored run booted again");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  "Debian on vcpu threads, saved at the shell with Ctrl-A s and restored on threads: the shell answers",
  // Once intermittent (one CI run in three, the restored guest's `sleep 1` never ended): vcpu
  // threads whose clocks disagreed by tens of milliseconds, the noise of a clock correction
  // measured on a busy host (clock-sync.ts). Skewing one vcpu's clock by 50 ms reproduces it.
  { skip: skipOption(ABSENT), timeout: 600_000 },
  async () => {
    failIfMissing(ABSENT);
    const dir = mkdtempSync(join(tmpdir(), "armvmm-snapshot-debian-threads-"));
    try {
      const file = join(dir, "debian-threads.snap");
      // On a terminal, so that Ctrl-A s is an escape and not guest input.
      const saving = runCliOnPty(["run", "--guest", "debian", "--mem", "256M", "--smp", "2", "--save", file]);
      // The prompt (busybox then asks the terminal where its cursor is: ESC [6n).
      await saving.until(/built-in shell \(ash\)[\s\S]*\/ # /, 400_000);
      saving.type("\x01s");
      await saving.until("snapshot saved to");
      saving.type("poweroff -f\r");
      assert.equal(await saving.exited, 0, saving.output().slice(-2000));

      const resumed = await runCli(["run", "--restore", file, "--stats"], {
        input: "sleep 1; echo answer-$((6*7)); cat /proc/interrupts | grep -c arch_timer\npoweroff -f\n",
        timeoutMs: 300_000,
      });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stderr, /\(vcpu threads\)/);
      assert.match(resumed.stdout, /^answer-42\r?$/m);
      assert.match(resumed.stdout, /reboot: Power down/);
      assert.doesNotMatch(resumed.stdout, /Booting Linux/, "the restored run booted again");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

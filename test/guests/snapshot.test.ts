// Snapshots through the CLI (issue 15). Exactness in icount mode: a run saved at guest time T
// (--save-after) and resumed (--restore) prints byte for byte what an uninterrupted run prints,
// instruction counts and timer figures included — on the heartbeat, the timer guest and the vgic
// guest at 1 to 4 vcpus (pending, active and listed interrupts, SGI sources, the overflow queue,
// CNTVOFF and the timers' deadlines all cross the snapshot). And the refusals: every damaged or
// mismatched snapshot, and options that clash with --restore, give one line and a non-zero exit.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, runCliOnPty, guestImage, type CliResult } from "./cli-runner.js";
import { readSnapshotFile, writeSnapshotFile } from "../../src/host/node/snapshot-file.js";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "armvmm-snapshot-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function oneLineError(r: CliResult, pattern: RegExp): void {
  assert.notEqual(r.code, 0);
  assert.equal(r.stdout, "");
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^armvmm: error: /);
  assert.match(lines[0], pattern);
}

/** Runs `guest` uninterrupted, and saved at `at` then restored: the outputs must be the same. */
async function assertExact(guest: string, smp: number, at: string, extra: string[] = []): Promise<void> {
  const args = ["run", "--kernel", guestImage(guest), "--clock", "icount", "--smp", String(smp), ...extra];
  const file = join(dir, `${guest}-${smp}.snap`);
  const [whole, saved] = await Promise.all([
    runCli(args, { timeoutMs: 180_000 }),
    runCli([...args, "--save-after", at, "--save", file], { timeoutMs: 180_000 }),
  ]);
  assert.equal(whole.code, 0, whole.stderr);
  assert.equal(saved.code, 0, saved.stderr);
  assert.match(saved.stderr, /snapshot saved to .*guest time/, "no snapshot was taken");
  // The cut falls inside the run: output before it and after it.
  assert.ok(saved.stdout.length > 0 && saved.stdout.length < whole.stdout.length, "the save point is not mid-run");
  const resumed = await runCli(["run", "--restore", file], { timeoutMs: 180_000 });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /^armvmm: restored /);
  assert.equal(saved.stdout + resumed.stdout, whole.stdout, `${guest} on ${smp} vcpu(s): output differs`);
}

test("heartbeat, 2 vcpus: saved at 1 s and restored, the output is the uninterrupted run's", async () => {
  await assertExact("heartbeat", 2, "1s");
});

test("heartbeat, 1 vcpu, interpreter only: exact across a snapshot", async () => {
  await assertExact("heartbeat", 1, "700ms", ["--jit", "off"]);
});

for (const smp of [1, 2, 3, 4]) {
  test(`timer guest, ${smp} vcpu(s): exact across a snapshot taken mid-run`, async () => {
    await assertExact("timer", smp, "1200ms");
  });
  test(`vgic guest, ${smp} vcpu(s): exact across a snapshot taken mid-run`, async () => {
    await assertExact("vgic", smp, "15ms");
  });
}

test("damaged snapshots are refused with one line", async () => {
  const file = join(dir, "good.snap");
  const saved = await runCli(["run", "--clock", "icount", "--save-after", "300ms", "--save", file]);
  assert.equal(saved.code, 0, saved.stderr);
  const good = readFileSync(file);

  const truncated = join(dir, "truncated.snap");
  writeFileSync(truncated, good.subarray(0, good.length - 10));
  oneLineError(await runCli(["run", "--restore", truncated]), /truncated/);

  const flipped = Buffer.from(good);
  flipped[flipped.length - 5] ^= 0x40;
  const corrupt = join(dir, "corrupt.snap");
  writeFileSync(corrupt, flipped);
  oneLineError(await runCli(["run", "--restore", corrupt]), /checksum/);

  const other = Buffer.from(good);
  other.writeUInt32LE(99, 8);
  const newer = join(dir, "version.snap");
  writeFileSync(newer, other);
  oneLineError(await runCli(["run", "--restore", newer]), /format version 99/);

  const text = join(dir, "text.snap");
  writeFileSync(text, "hello\n");
  oneLineError(await runCli(["run", "--restore", text]), /not an armvmm snapshot/);

  // A configuration edited by hand (the section is JSON): each fault named, before any machine.
  const sections = readSnapshotFile(file);
  const config = JSON.parse(new TextDecoder().decode(sections.get("config")!.data)) as Record<string, unknown>;
  for (const [patch, pattern] of [
    [{ vcpus: "two" }, /config\.vcpus is not an integer 1\.\.8/],
    [{ ramSize: 12345 }, /config\.ramSize is not a multiple of 4 KiB/],
    [{ disks: null }, /config\.disks is not a list/],
    [{ nets: [{ net: { kind: "socket" }, mac: "52:54:00:12:34:56" }] }, /NIC 0\.net\.mode is not listen or connect/],
    [{ nets: [{ net: { kind: "user" }, mac: "nope" }] }, /NIC 0: .*mac=nope is not a MAC address/],
    [{ console: "vga" }, /config\.console is not pl011 or virtio/],
  ] as const) {
    const edited = join(dir, "edited.snap");
    const data = new TextEncoder().encode(JSON.stringify({ ...config, ...patch }));
    sections.set("config", { version: sections.get("config")!.version, data });
    writeSnapshotFile(
      edited,
      [...sections].map(([name, v]) => ({ name, version: v.version, data: [v.data] })),
    );
    oneLineError(await runCli(["run", "--restore", edited]), pattern);
  }

  oneLineError(await runCli(["run", "--restore", join(dir, "missing.snap")]), /no such file/);
  oneLineError(await runCli(["run", "--restore", file, "--smp", "2"]), /--restore and --smp cannot be combined/);
  oneLineError(await runCli(["run", "--save-after", "soon"]), /500ms or 2s/);
});

test("a disk that changed since the snapshot is refused; an unchanged one resumes", async () => {
  const disk = join(dir, "disk.img");
  writeFileSync(disk, new Uint8Array(1 << 20));
  const file = join(dir, "disk.snap");
  const saved = await runCli([
    "run",
    "--clock",
    "icount",
    "--rng",
    "off",
    "--drive",
    disk,
    "--save-after",
    "300ms",
    "--save",
    file,
  ]);
  assert.equal(saved.code, 0, saved.stderr);
  const resumed = await runCli(["run", "--restore", file, "--save-after", "200ms", "--save", join(dir, "disk2.snap")]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const bytes = readFileSync(disk);
  bytes[100] = 1;
  writeFileSync(disk, bytes);
  oneLineError(await runCli(["run", "--restore", file]), /disk image '.*disk\.img' changed/);
});

test("what cannot be saved is refused up front with one line", async () => {
  oneLineError(
    await runCli(["run", "--clock", "icount", "--share", dir, "--save-after", "1s"]),
    /do not cover --share/,
  );
});

// Host clock, on one thread and on vcpu threads, and across: a snapshot holds the same sections
// either way (a vcpu thread sends its own), so one taken on threads restores on one thread too.
for (const [from, to] of [
  ["off", "off"],
  ["on", "on"],
  ["on", "off"],
  ["off", "on"],
]) {
  test(`host clock, vcpu threads ${from} -> ${to}: a guest restored seconds later sees neither a jump nor time going backwards`, async () => {
    const file = join(dir, `host-${from}-${to}.snap`);
    const args = ["run", "--kernel", guestImage("heartbeat"), "--smp", "2", "--vcpu-threads", from];
    const saved = await runCli([...args, "--save-after", "700ms", "--save", file]);
    assert.equal(saved.code, 0, saved.stderr);
    assert.match(saved.stderr, /snapshot saved to/);
    await new Promise((r) => setTimeout(r, 2000));
    const resumed = await runCli(["run", "--restore", file, "--vcpu-threads", to, "--stats"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(/\(vcpu threads\)/.test(resumed.stderr), to === "on", "restored on the threads asked for");
    // Every beat the restored guest measures (its virtual counter) is its period within 150 ms (a
    // loaded host delays wake-ups): two seconds of pause would show as a 2 s interval followed by
    // catch-up beats a few microseconds apart, time going backwards as a negative one.
    const beats = [...resumed.stdout.matchAll(/<3 beat\s+\d+\s+([\d.-]+) ms/g)].map((m) => Number(m[1]));
    assert.ok(beats.length >= 3, resumed.stdout);
    for (const ms of beats) assert.ok(Math.abs(ms - 200) < 150 || Math.abs(ms - 300) < 150, `a beat of ${ms} ms`);
    // Saved beats and restored ones make the guest's ten each, SGIs and all.
    assert.match(resumed.stdout, /SGIs from vcpu 1 to vcpu 0: 10 sent, 10 received/);
    assert.match(resumed.stdout, /heartbeat: ok/);
  });
}

test("Ctrl-A s on vcpu threads (the default run) saves while the guest runs on; the snapshot resumes", async () => {
  const file = join(dir, "ctrl-a-s.snap");
  const run = runCliOnPty(["run", "--save", file]);
  await run.until("<3 beat  2");
  run.type("\x01s");
  await run.until("snapshot saved to");
  assert.equal(await run.exited, 0, run.output());
  const out = run.output();
  assert.match(out, /heartbeat: ok/, "the guest ran on after the snapshot");
  const resumed = await runCli(["run", "--restore", file, "--stats"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /\(vcpu threads\)/);
  assert.match(resumed.stdout, /SGIs from vcpu 1 to vcpu 0: 10 sent, 10 received/);
  assert.match(resumed.stdout, /heartbeat: ok/);
});

test("the smp guest on 2 vcpu threads, saved and restored three times while its vcpus race on shared counters and locks: every check passes", async () => {
  // A vcpu's section must be taken where it stops, with memory saved after it: a vcpu that saved
  // its registers and then ran on would redo, once restored, increments that memory already
  // holds, and the guest's counters would be off (or a lock taken twice would hang it).
  let from: string[] = ["--kernel", guestImage("smp"), "--smp", "2"];
  for (let k = 1; k <= 3; k++) {
    const file = join(dir, `smp-${k}.snap`);
    const saved = await runCli(["run", ...from, "--save-after", "400ms", "--save", file], { timeoutMs: 120_000 });
    const why = `snapshot ${k}:\n${saved.stdout.slice(-1500)}\n${saved.stderr}`;
    assert.equal(saved.code, 0, why);
    assert.match(saved.stderr, /snapshot saved to/, why);
    assert.doesNotMatch(saved.stdout, /^smp: \d+ passed/m, `the guest finished before ${why}`);
    from = ["--restore", file];
  }
  const done = await runCli(["run", ...from, "--stats"], { timeoutMs: 120_000 });
  const why = `${done.stdout.slice(-1500)}\n${done.stderr}`;
  assert.equal(done.code, 0, why);
  assert.match(done.stderr, /\(vcpu threads\)/);
  assert.deepEqual(
    done.stdout.split("\n").filter((l) => l.startsWith("FAIL")),
    [],
    why,
  );
  assert.match(done.stdout, /^smp: 40 passed, 0 failed/m, why);
});

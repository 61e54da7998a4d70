// Boots the Debian disk (debian-12-armhf.img from `npm run guests -- --rootfs`) with vmlinuz and
// initrd-virtio.cpio.gz to its console login, then checks what issue 12 asks of it:
// `systemctl is-system-running --wait` says running with no failed units, `poweroff` stops the
// machine with status 0, and `e2fsck -fn` finds the image clean afterwards. It prints the times
// (boot to the root prompt, to poweroff) and exits 0 only if every check passes.
//
//   node scripts/boot-rootfs.mjs [--runner qemu|armvmm] [--smp N] [--mem MIB] [--image FILE]
//                                [--in-place] [--quiet] [--timeout SECONDS]
//
// By default it boots a sparse copy of the image in a temporary folder, so the cached image stays
// as built; --in-place boots the image itself. The guest's console goes to stdout unless --quiet.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { parseArgs } from "node:util";
import { setTimeout, clearTimeout } from "node:timers";

const say = (msg) => process.stderr.write(`boot-rootfs: ${msg}\n`);
function die(msg) {
  say(msg);
  process.exit(1);
}

let args;
try {
  args = parseArgs({
    options: {
      runner: { type: "string", default: "qemu" },
      smp: { type: "string", default: "1" },
      mem: { type: "string", default: "1024" },
      image: { type: "string" },
      "in-place": { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      timeout: { type: "string", default: "1800" },
    },
  }).values;
} catch (e) {
  die(`${e.message} (usage: node scripts/boot-rootfs.mjs [--runner qemu|armvmm] [--smp N] [--image FILE] ...)`);
}
if (args.runner !== "qemu" && args.runner !== "armvmm") die(`--runner must be qemu or armvmm, not '${args.runner}'`);
if (!/^[1-8]$/.test(args.smp)) die(`--smp must be 1 to 8, not '${args.smp}'`);
if (!/^[0-9]+$/.test(args.mem)) die(`--mem must be a number of MiB, not '${args.mem}'`);
if (!/^[0-9]+$/.test(args.timeout)) die(`--timeout must be a number of seconds, not '${args.timeout}'`);

const cache = process.env.ARMVMM_CACHE ?? join(homedir(), ".cache", "armvmm");
const kernel = join(cache, "vmlinuz");
const initrd = join(cache, "initrd-virtio.cpio.gz");
const source = args.image ?? join(cache, "debian-12-armhf.img");
for (const f of [kernel, initrd]) if (!existsSync(f)) die(`${f} is missing: run 'npm run guests' first`);
if (!existsSync(source)) die(`${source} is missing: run 'npm run guests -- --rootfs' first`);

let image = source;
let scratch;
if (!args["in-place"]) {
  scratch = mkdtempSync(join(tmpdir(), "armvmm-rootfs-"));
  image = join(scratch, "disk.img");
  const cp = spawnSync("cp", ["--sparse=always", source, image], { stdio: "inherit" });
  if (cp.status !== 0) die(`cannot copy ${source} to ${scratch}`);
}
const cleanup = () => {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
};

const append = "console=ttyAMA0 root=/dev/vda rw";
const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const [cmd, ...cmdArgs] =
  args.runner === "qemu"
    ? [
        "qemu-system-arm",
        ...["-M", "virt", "-cpu", "cortex-a15", "-smp", args.smp, "-m", args.mem, "-nographic", "-no-reboot"],
        ...["-global", "virtio-mmio.force-legacy=false", "-kernel", kernel, "-initrd", initrd],
        ...["-drive", `if=none,file=${image},format=raw,id=d0`, "-device", "virtio-blk-device,drive=d0"],
        ...["-device", "virtio-rng-device", "-append", append],
      ]
    : [
        process.execPath,
        join(repo, "dist", "src", "cli", "main.js"),
        "run",
        ...["--kernel", kernel, "--initrd", initrd, "--drive", image, "--append", append],
        ...["--mem", args.mem, "--smp", args.smp],
      ];

const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1);
const vm = spawn(cmd, cmdArgs, { stdio: ["pipe", "pipe", "pipe"] });
vm.on("error", (e) => {
  cleanup();
  die(`cannot start ${cmd}: ${e.message}`);
});
let console_ = "";
const onData = (d) => {
  console_ += d.toString("latin1");
  if (!args.quiet) process.stdout.write(d);
};
vm.stdout.on("data", onData);
vm.stderr.on("data", onData);
const exited = new Promise((resolve) => vm.on("exit", (code, signal) => resolve(code ?? signal)));

/** Resolves with the first match of re in the console after position from, or null at timeout. */
async function waitFor(re, from, seconds) {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const m = re.exec(console_.slice(from));
    if (m) return { match: m, end: from + m.index + m[0].length };
    if (vm.exitCode !== null || vm.signalCode !== null) return null;
    await new Promise((r) => setTimeout(r, 200));
  }
  return null;
}

const limit = Number(args.timeout);
const results = [];
let ok = true;
const check = (good, line) => {
  results.push(`${good ? "ok" : "FAIL"}: ${line}`);
  if (!good) ok = false;
};

const timer = setTimeout(() => {
  say(`no result within ${limit} s; stopping the machine`);
  vm.kill("SIGKILL");
}, limit * 1000);

const prompt = await waitFor(/root@armvmm:[^\n]*# $/, 0, limit);
if (prompt === null) {
  check(false, `no root prompt on the console (${secs()} s)`);
} else {
  const tLogin = secs();
  check(true, `root prompt (autologin) after ${tLogin} s`);
  // $((40+2)) keeps the end marker out of the echoed command line.
  vm.stdin.write(
    "systemctl is-system-running --wait; systemctl --failed --plain --no-legend --no-pager; echo armvmm-check-$((40+2))\n",
  );
  const done = await waitFor(/armvmm-check-42/, prompt.end, limit);
  if (done === null) {
    check(false, "systemctl gave no answer");
  } else {
    const out = console_
      .slice(prompt.end, done.end)
      .replace(new RegExp(String.fromCharCode(27) + "\\[[0-9;?]*[a-zA-Z]", "g"), "");
    const lines = out.split(/\r?\n/).map((l) => l.trim());
    const state = lines.find((l) => /^(running|degraded|starting|initializing|maintenance|stopping|offline)$/.test(l));
    check(state === "running", `systemctl is-system-running: ${state ?? "(no answer)"} at ${secs()} s`);
    const failed = lines.filter((l) =>
      /\.(service|mount|socket|target|device|path|timer|swap|scope)\b.*failed/.test(l),
    );
    check(failed.length === 0, `failed units: ${failed.length === 0 ? "none" : failed.join("; ")}`);
  }
  const tOff = Date.now();
  vm.stdin.write("poweroff\n");
  const code = await exited;
  check(code === 0, `poweroff: the machine exited with ${code} after ${((Date.now() - tOff) / 1000).toFixed(1)} s`);
}
clearTimeout(timer);
if (vm.exitCode === null && vm.signalCode === null) {
  vm.kill("SIGKILL");
  await exited;
}

const fsck = spawnSync("e2fsck", ["-fn", image], { encoding: "utf8" });
if (fsck.error) check(false, `e2fsck: ${fsck.error.message}`);
else check(fsck.status === 0, `e2fsck -fn: ${fsck.status === 0 ? "clean" : `status ${fsck.status}\n${fsck.stdout}`}`);
cleanup();

process.stderr.write("\n");
for (const r of results) say(r);
say(`${args.runner}, ${args.smp} vcpu(s), ${args.mem} MiB: ${ok ? "all checks passed" : "FAILED"} (${secs()} s)`);
process.exit(ok ? 0 : 1);

#!/usr/bin/env node
// armvmm's command line: `armvmm run [options]`. Reads the files, builds the virt machine, connects
// the console to the terminal, runs until the guest powers off, and turns every problem into a
// one-line message with a non-zero exit and a restored terminal.

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseRunOptions, RUN_USAGE, UsageError, type RunOptions } from "./options.js";
import { Terminal } from "./terminal.js";
import { BootError } from "../boot/boot-error.js";
import { buildVirtMachine, type VirtMachine } from "../board/virt-machine.js";
import { nodeLoop } from "../host/node/loop.js";
import { nodeThreads } from "../host/node/worker-threads.js";
import { VmFate } from "../vmm/vm.js";
import { resolveGuest, GuestMissing } from "./guests.js";
import { DriveError, driveSerial, openDrive } from "../host/node/file-disk.js";
import { CryptoEntropy, SeededEntropy } from "../devices/virtio/rng.js";
import type { VirtDisk, VirtShare } from "../board/virt-virtio.js";
import { ShareError, ShareFs } from "../host/node/share-fs.js";
import type { BlockBackend } from "../devices/virtio/block-backend.js";
import { formatMac, NetBackendError, openNics } from "./nics.js";
import { FlashFileError, openFlashFile, type FlashFile } from "../host/node/pflash-file.js";
import { VIRT_FLASH_GEOMETRY } from "../board/virt-flash.js";
import { resolve as resolvePath } from "node:path";
import { GdbServer, GdbServerError } from "../host/node/gdb-server.js";
import { VmDebugger } from "../debug/vm-debugger.js";
import { SnapshotError } from "../snapshot/snapshot-error.js";
import {
  cannotSave,
  defaultSnapshotPath,
  identifyDisks,
  loadSnapshot,
  saveSnapshotNow,
  saveSnapshotThreaded,
} from "./snapshot-cli.js";
import { COUNTER_HZ } from "../host/time.js";
import { parseWebOptions, WEB_USAGE, type WebOptions } from "./web-options.js";
import { serveWeb, WebServerError } from "./web-server.js";
import type { Server } from "node:http";
import { spawn } from "node:child_process";

const VERSION = "0.1.0";

/** Problems that end the run with a one-line message. */
class CliError extends Error {}

function readInput(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES"
          ? "permission denied"
          : code === "EISDIR"
            ? "is a directory"
            : (e as Error).message;
    throw new CliError(`cannot read ${what} '${path}': ${reason}`);
  }
}

/** The default guest, built from guests/heartbeat and committed with the package. */
function heartbeatImage(): string {
  return fileURLToPath(new URL("../../../guests/bin/heartbeat.bin", import.meta.url));
}

/** Snapshot problems are one line like every other. */
function snapshotStep<T>(step: () => T): T {
  try {
    return step();
  } catch (e) {
    if (e instanceof SnapshotError) throw new CliError(e.message);
    throw e;
  }
}

async function run(given: RunOptions): Promise<number> {
  let opts = given;
  const restoreStarted = performance.now();
  const restoreCpu = process.cpuUsage();
  // --restore: the machine comes from the snapshot's configuration, its state from its sections.
  const restoring = opts.restore === undefined ? null : snapshotStep(() => loadSnapshot(opts.restore!));
  if (restoring !== null) {
    const c = restoring.config;
    opts = {
      ...opts,
      memBytes: c.ramSize,
      smp: c.vcpus,
      clock: c.clock,
      append: c.bootargs,
      drives: c.disks.map((d) => ({ path: d.path, readonly: d.readonly, snapshot: false })),
      console: c.console,
      rng: c.rng,
      nets: (c.nets ?? []).map((n) => ({ ...n.net, mac: n.mac })),
      // A snapshot restores on vcpu threads or on one, whichever it was taken on.
      vcpuThreads: c.clock === "host" && opts.vcpuThreads,
    };
  }
  let smp = opts.smp;
  let kernelPath = opts.kernel;
  let initrdPath = opts.initrd;
  let biosPath = opts.bios;
  let append = opts.append;
  const drives = [...opts.drives];
  if (opts.guest !== undefined) {
    const guest = resolveGuest(opts.guest);
    kernelPath = guest.kernel;
    initrdPath = initrdPath ?? guest.initrd;
    biosPath = biosPath ?? guest.bios;
    append = append ?? guest.append;
    if (guest.drive !== undefined) drives.unshift({ path: guest.drive, readonly: false, snapshot: false });
  } else if (kernelPath === undefined && biosPath === undefined && restoring === null && opts.pflash[0] === null) {
    kernelPath = heartbeatImage();
    if (!process.argv.includes("--smp")) smp = 2;
  }
  const kernel = kernelPath !== undefined ? readInput(kernelPath, "kernel") : null;
  const initrd = initrdPath !== undefined ? readInput(initrdPath, "initrd") : null;
  const bios = biosPath !== undefined ? readInput(biosPath, "firmware") : null;
  const dtb = opts.dtb !== undefined ? readInput(opts.dtb, "device tree") : null;
  if (kernel !== null && kernel.length === 0) throw new CliError(`kernel '${kernelPath}' is empty`);

  if (biosPath !== undefined && opts.pflash[0] !== null) {
    throw new CliError(
      `firmware '${biosPath}' and --pflash '${opts.pflash[0]}' both fill flash bank 0: give one (or --pflash FILE,bank=1)`,
    );
  }
  const flashFiles: (FlashFile | null)[] = [];
  process.once("exit", () => flashFiles.forEach((f) => f?.close()));
  for (const path of opts.pflash) {
    try {
      flashFiles.push(path === null ? null : await openFlashFile(path, VIRT_FLASH_GEOMETRY.size));
    } catch (e) {
      if (e instanceof FlashFileError) throw new CliError(e.message);
      throw e;
    }
  }

  const disks: VirtDisk[] = [];
  const opened: BlockBackend[] = [];
  process.once("exit", () => opened.forEach((d) => d.close()));
  for (const drive of drives) {
    try {
      const backend = await openDrive(drive);
      opened.push(backend);
      disks.push({ backend, serial: driveSerial(drive.path) });
    } catch (e) {
      if (e instanceof DriveError) throw new CliError(e.message);
      throw e;
    }
  }
  const logLine = (message: string) => process.stderr.write(`armvmm: ${message}\n`);
  const identity = resolvePath(drives[0]?.path ?? kernelPath ?? biosPath ?? "armvmm");
  let nics;
  try {
    nics = await openNics(opts.nets, identity, (m) => logLine(m));
  } catch (e) {
    if (e instanceof NetBackendError) throw new CliError(e.message);
    throw e;
  }
  process.once("exit", () => nics.forEach((n) => n.backend.close()));
  const shares: VirtShare[] = [];
  for (const share of opts.shares) {
    try {
      const backend = ShareFs.open(share.path, share.readonly);
      process.once("exit", () => backend.dispose());
      shares.push({ backend, tag: share.tag });
    } catch (e) {
      if (e instanceof ShareError) throw new CliError(e.message);
      throw e;
    }
  }
  // icount runs must repeat exactly, so their entropy is a seeded stream.
  const entropy = !opts.rng ? null : opts.clock === "icount" ? new SeededEntropy(1) : new CryptoEntropy();

  const terminal = new Terminal();
  let machine: VirtMachine;
  try {
    machine = buildVirtMachine({
      ramSize: opts.memBytes,
      vcpus: smp,
      clock: opts.clock,
      kernel,
      initrd,
      bios,
      dtb,
      bootargs: append,
      trace: opts.trace,
      jitThreshold: opts.jit,
      // Under a debugger every vcpu shares one thread, so all of them stop at once, exactly.
      threads: opts.vcpuThreads && opts.gdbPort === undefined ? nodeThreads : undefined,
      flash: restoring?.config.flash,
      virtio: {
        disks,
        nics,
        entropy,
        consoleOutput: opts.console === "virtio" ? (bytes) => bytes.forEach((b) => terminal.write(b)) : undefined,
        shares,
      },
      pflash: flashFiles,
      loop: nodeLoop,
      output: (byte) => terminal.write(byte),
      log: (message) => {
        terminal.flush();
        process.stderr.write(`armvmm: ${message}\n`);
      },
      traceOut: (line) => {
        terminal.flush();
        process.stderr.write(line + "\n");
      },
    });
  } catch (e) {
    if (e instanceof BootError) {
      const file = { kernel: kernelPath, initrd: initrdPath, firmware: biosPath, machine: undefined }[e.subject];
      throw new CliError(file !== undefined ? `${e.subject} '${file}': ${e.message}` : e.message);
    }
    throw e;
  }

  if (opts.dumpDtb !== undefined) {
    try {
      writeFileSync(opts.dumpDtb, machine.dtb);
    } catch (e) {
      throw new CliError(`cannot write '${opts.dumpDtb}': ${(e as Error).message}`);
    }
    return 0;
  }

  let gdb: GdbServer | null = null;
  if (opts.gdbPort !== undefined) {
    const debug = new VmDebugger(machine, opts.gdbWait);
    try {
      gdb = await GdbServer.listen(opts.gdbPort, debug, logLine);
    } catch (e) {
      if (e instanceof GdbServerError) throw new CliError(e.message);
      throw e;
    }
    logLine(
      `gdb: listening on 127.0.0.1:${gdb.port}${opts.gdbWait ? "; the guest waits for a debugger to attach" : ""}`,
    );
  }
  if (restoring !== null) {
    snapshotStep(() => machine.snapshot!.restore(restoring.sections));
    const ms = (performance.now() - restoreStarted).toFixed(0);
    const cpu = process.cpuUsage(restoreCpu);
    const cpuMs = ((cpu.user + cpu.system) / 1000).toFixed(0);
    logLine(
      `restored ${opts.restore} (guest time ${(machine.clock.now() / COUNTER_HZ).toFixed(3)} s, ${ms} ms, CPU ${cpuMs} ms)`,
    );
  }
  // Snapshots are taken at the scheduler's checkpoint (every vcpu between slices): Ctrl-A s asks
  // for one, --save-after takes one once that much guest time has passed and ends the run.
  const saveRefused = cannotSave(machine, opts);
  if (saveRefused !== null && (opts.save !== undefined || opts.saveAfterMs !== undefined))
    throw new CliError(saveRefused);
  let saveRequested = false;
  let saveFailed = false;
  const saveAt =
    opts.saveAfterMs === undefined ? Infinity : machine.clock.now() + (opts.saveAfterMs * COUNTER_HZ) / 1000;
  let saving = false;
  machine.scheduler.checkpoint = () => {
    if (saving || (!saveRequested && machine.clock.now() < saveAt)) return;
    const andExit = !saveRequested;
    saveRequested = false;
    takeSnapshot(andExit);
  };
  // With vcpu threads this thread's scheduler runs only the devices: --save-after looks again
  // when that much guest time (host time, in host-clock mode) should have passed, and again
  // later if it has not (guest time stands still while the vcpu threads start or are held).
  if (machine.threaded && Number.isFinite(saveAt)) {
    const look = () => {
      const ms = (saveAt - machine.clock.now()) / (COUNTER_HZ / 1000);
      if (ms <= 0) machine.scheduler.wake();
      else setTimeout(look, Math.max(1, ms)).unref();
    };
    look();
  }
  const snapshotFailed = (e: unknown, andExit: boolean) => {
    if (!(e instanceof SnapshotError)) throw e;
    terminal.flush();
    logLine(`error: ${e.message}`);
    saveFailed = andExit;
  };
  // On one thread all of it happens here, before the next round (a --save-after run stops at
  // once, so its output ends exactly where the snapshot does); with vcpu threads the vcpus are
  // held while they send their state.
  const takeSnapshot = (andExit: boolean): void => {
    try {
      opened.forEach((d) => d.flush());
      const config = {
        ramSize: opts.memBytes,
        vcpus: smp,
        clock: opts.clock,
        bootargs: append,
        flash: machine.vm.regions.length > 1,
        rng: opts.rng,
        console: opts.console,
        disks: identifyDisks(drives.map((d) => ({ path: d.path, readonly: d.readonly, serial: driveSerial(d.path) }))),
        nets: opts.nets.map((net, i) => ({ net, mac: formatMac(nics[i].mac) })),
      };
      const path = opts.save ?? defaultSnapshotPath();
      const report = (line: string) => {
        terminal.flush();
        logLine(line);
      };
      if (machine.threaded) {
        saving = true;
        saveSnapshotThreaded(machine, config, path)
          .then(report, (e: unknown) => snapshotFailed(e, andExit))
          .finally(() => {
            saving = false;
            if (andExit) machine.stop();
          });
        return;
      }
      report(saveSnapshotNow(machine, config, path));
    } catch (e) {
      snapshotFailed(e, andExit);
    }
    if (andExit) machine.stop();
  };

  // `armvmm run | head`: when the reader goes away, stop the guest quietly.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") machine.stop();
  });
  const restore = () => terminal.restore();
  process.once("exit", restore);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      restore();
      process.stderr.write(`armvmm: stopped by ${signal}\n`);
      process.exit(130);
    });
  }
  let quitByUser = false;
  terminal.attach({
    input: (bytes) => machine.input(bytes),
    quit: () => {
      quitByUser = true;
      machine.stop();
    },
    save: () => {
      if (saveRefused !== null) {
        terminal.flush();
        process.stderr.write(`\r\narmvmm: ${saveRefused}\r\n`);
        return;
      }
      saveRequested = true;
      machine.scheduler.wake();
    },
    status: () => {
      const show = () => {
        terminal.flush();
        process.stderr.write("\r\n" + machine.formatStats().replace(/\n/g, "\r\n") + "\r\n");
      };
      // Vcpu threads report when asked, on their next loop turn: show what they say.
      if (machine.threaded) {
        machine.refreshStats();
        setTimeout(show, 100);
      } else show();
    },
  });
  await machine.run();
  await gdb?.close(0);
  terminal.restore();
  if (opts.stats) process.stderr.write(machine.formatStats() + "\n");
  if (saveFailed) return 1;
  if (opts.saveAfterMs !== undefined && machine.vm.fate === VmFate.RUNNING && !quitByUser) return 0;
  if (quitByUser) {
    process.stderr.write("armvmm: quit\n");
    return 0;
  }
  if (machine.vm.fate === VmFate.RESET) process.stderr.write("armvmm: the guest asked for a system reset; stopping\n");
  return 0;
}

/** `armvmm web`: serve the page until a signal. */
async function web(opts: WebOptions): Promise<number> {
  let server: Server;
  try {
    server = await serveWeb(opts.port);
  } catch (e) {
    if (e instanceof WebServerError) throw new CliError(e.message);
    throw e;
  }
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : opts.port;
  const url = `http://127.0.0.1:${port}/`;
  process.stdout.write(`armvmm: serving the page at ${url} (Ctrl-C to stop)\n`);
  if (opts.open) {
    const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
    const child = spawn(opener, [url], { stdio: "ignore", detached: true });
    child.on("error", () => process.stderr.write(`armvmm: could not run '${opener}': open ${url} yourself\n`));
    child.unref();
  }
  return new Promise<number>((resolve) => {
    const stop = () => {
      server.closeAllConnections();
      server.close(() => resolve(0));
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(RUN_USAGE + "\n\n" + WEB_USAGE + "\n");
    return 0;
  }
  if (command === "--version" || command === "-V") {
    process.stdout.write(`armvmm ${VERSION}\n`);
    return 0;
  }
  if (command === "web") {
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(WEB_USAGE + "\n");
      return 0;
    }
    return web(parseWebOptions(rest));
  }
  if (command !== "run")
    throw new UsageError(`unknown command '${command}' (try 'armvmm run --help' or 'armvmm web --help')`);
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(RUN_USAGE + "\n");
    return 0;
  }
  return run(parseRunOptions(rest));
}

// A bug in armvmm itself: one line (the stack with ARMVMM_DEBUG=1), terminal restored by the exit handler.
process.on("uncaughtException", (e: unknown) => {
  const detail = process.env.ARMVMM_DEBUG && e instanceof Error ? `\n${e.stack}` : "";
  process.stderr.write(`armvmm: internal error: ${e instanceof Error ? e.message : String(e)}${detail}\n`);
  process.exit(70);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Leave nothing (stdin, timers) holding the process open once the guest is done.
    setImmediate(() => process.exit(code));
  },
  (e: unknown) => {
    const message =
      e instanceof UsageError || e instanceof CliError || e instanceof BootError || e instanceof GuestMissing
        ? (e as Error).message
        : `internal error: ${e instanceof Error ? e.message : String(e)}`;
    process.stderr.write(`armvmm: error: ${message}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);

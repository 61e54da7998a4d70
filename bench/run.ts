// `npm run bench [-- PART... OPTIONS]`: armvmm's speed, next to QEMU's on the same machine in the
// same run when qemu-system-arm is installed. Figures only: nothing here asserts on speed.
//
// Parts (default: all of them; a full run takes several minutes):
//   loop        guest MIPS on an integer loop, run on armvmm's core and as a bare-metal QEMU guest
//   decompress  Debian's zImage decompressor: guest instructions and MIPS to "Booting Linux"
//   boot        Debian's kernel to the first line of init, default command line and cryptomgr.notests
//   idle        host CPU per second of idle guest time: the heartbeat guest, Linux at its shell
//   latency     timer deadline -> guest handler (timer guest) and heartbeat error, 2 vcpus
//   smp         SMP scaling: CPU-bound jobs in Debian, one alone and two in parallel, on 1 and 2 vcpus
//   disk        virtio-blk sequential write and read (dd with O_DIRECT in Debian), MiB/s
//   net         virtio-net: TCP guest -> host (passt), ping to the gateway, TCP VM -> VM (--net socket)
//   9p          virtio-9p shared folder: cat of a 10 MB file and ls -R of 2000 files in Debian

import { parseArgs } from "node:util";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { guestCacheDir } from "../src/cli/guests.js";
import { loopImage, loopInstructions, runIntegerLoop } from "./cpu-loop.js";
import { spawnWatched } from "./child.js";
import { RESULT_TAG, type BootResult, type BootSpec } from "./guest-boot.js";
import { idleHeartbeat, idleLinux, type IdleResult } from "./idle.js";
import { armvmmJobs, qemuJobs, type JobTimes } from "./smp.js";
import { armvmmDisk, diskImages, qemuDisk, type DiskFigures } from "./disk.js";
import { NET_MB, netFigures, type NetFigures } from "./net.js";
import { armvmmP9, p9Setup, qemuP9, P9_FILE_MB, P9_TREE_FILES, type P9Figures } from "./p9.js";
import { armvmmLatency, qemuLatency, type LatencyFigure } from "./latency.js";
import { processCpuSeconds } from "./proc-cpu.js";
import { QEMU, QEMU_MACHINE, qemuToExit, qemuToLine, qemuVersion } from "./qemu.js";
import { fixed, formatTable, millions, type Cell } from "./table.js";

const PARTS = ["loop", "decompress", "boot", "idle", "latency", "smp", "disk", "net", "9p"] as const;
type Part = (typeof PARTS)[number];

const USAGE = `usage: npm run bench -- [loop] [decompress] [boot] [idle] [latency] [smp] [disk] [net] [9p] [options]
  --no-qemu              do not run QEMU even if it is installed
  --iterations N         integer loop iterations on armvmm (default 20000000)
  --qemu-iterations N    integer loop iterations on QEMU (default 500000000)
  --clock host|icount    armvmm's clock for the boot part (default host, as QEMU runs)
  --smp N                vcpus for the boot part (default 1)
  --vcpu-threads on|off  a host thread per vcpu in host-clock runs (default on, as the CLI)
  --job-size N           shell-loop iterations of one smp job (default 20000)
  --idle-seconds S       length of the Linux idle window (default 10)
  --timeout MIN          give up on one boot after MIN minutes (default 20)`;

const INIT_LINE = "armvmm-init: up";
const KERNEL_LINE = "Booting Linux";
const CMDLINES = ["console=ttyAMA0", "console=ttyAMA0 cryptomgr.notests"];

interface Options {
  parts: Set<Part>;
  qemu: string | null;
  iterations: number;
  qemuIterations: number;
  clock: "host" | "icount";
  smp: number;
  threads: boolean;
  jobSize: number;
  idleSeconds: number;
  timeoutMs: number;
}

function parseOptions(argv: string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "no-qemu": { type: "boolean" },
      iterations: { type: "string" },
      "qemu-iterations": { type: "string" },
      clock: { type: "string" },
      smp: { type: "string" },
      "vcpu-threads": { type: "string" },
      "job-size": { type: "string" },
      "idle-seconds": { type: "string" },
      timeout: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    process.exit(0);
  }
  const parts = new Set<Part>();
  for (const p of positionals) {
    if (!(PARTS as readonly string[]).includes(p)) throw new Error(`unknown part '${p}'\n${USAGE}`);
    parts.add(p as Part);
  }
  if (parts.size === 0) for (const p of PARTS) parts.add(p);
  const num = (v: string | undefined, d: number, what: string) => {
    const n = v === undefined ? d : Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`bad ${what} '${v}'`);
    return n;
  };
  const clock = values.clock ?? "host";
  if (clock !== "host" && clock !== "icount") throw new Error(`bad --clock '${clock}'`);
  const threads = values["vcpu-threads"] ?? "on";
  if (threads !== "on" && threads !== "off") throw new Error(`bad --vcpu-threads '${threads}'`);
  return {
    parts,
    qemu: values["no-qemu"] ? null : qemuVersion(),
    iterations: Math.floor(num(values.iterations, 20_000_000, "--iterations")),
    qemuIterations: Math.floor(num(values["qemu-iterations"], 500_000_000, "--qemu-iterations")),
    clock,
    smp: Math.floor(num(values.smp, 1, "--smp")),
    threads: threads === "on",
    jobSize: Math.floor(num(values["job-size"], 20_000, "--job-size")),
    idleSeconds: num(values["idle-seconds"], 10, "--idle-seconds"),
    timeoutMs: num(values.timeout, 20, "--timeout") * 60_000,
  };
}

function say(text: string): void {
  process.stdout.write(text + "\n");
}

function note(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

const ratio = (a: number | null, b: number | null): string =>
  a === null || b === null || b <= 0 ? "-" : `${(a / b).toFixed(1)}x`;

// ---- Debian guest files ----

const CACHE = guestCacheDir();
const cached = (file: string) => join(CACHE, file);

function missingGuests(files: readonly string[]): string | null {
  const missing = files.filter((f) => !existsSync(cached(f)));
  if (missing.length === 0) return null;
  return `${missing.map(cached).join(", ")} missing: run 'npm run guests' first`;
}

// ---- armvmm boots, one fresh process each ----

const WORKER = fileURLToPath(new URL("./worker.js", import.meta.url));

interface ArmvmmTiming extends BootResult {
  /** Wall seconds from spawning the process to the line (like QEMU's figure). */
  processSeconds: number;
}

async function armvmmToLine(spec: BootSpec): Promise<ArmvmmTiming | null> {
  const w = spawnWatched(process.execPath, [WORKER, JSON.stringify(spec)]);
  const at = await w.waitFor(RESULT_TAG, spec.timeoutMs + 60_000);
  await w.exited;
  if (at === null) return null;
  const line = w
    .output()
    .split("\n")
    .find((l) => l.startsWith(RESULT_TAG));
  const result = JSON.parse(line!.slice(RESULT_TAG.length)) as BootResult;
  if (!result.found) return null;
  return { ...result, processSeconds: (at - w.start) / 1000 };
}

// ---- the parts ----

async function benchLoop(o: Options): Promise<void> {
  note(`integer loop: ${o.iterations} iterations on armvmm${o.qemu ? `, ${o.qemuIterations} on QEMU` : ""}`);
  // Warm-up runs let V8 optimize the interpreter's hot paths first.
  runIntegerLoop(200_000, false);
  runIntegerLoop(200_000, true);
  const interpreted = runIntegerLoop(o.iterations, false);
  const ours = runIntegerLoop(o.iterations, true);
  const rows: Cell[][] = [
    [
      "armvmm interpreter (--jit off)",
      millions(interpreted.instructions),
      fixed(interpreted.seconds, 2),
      fixed(interpreted.mips),
    ],
    ["armvmm translated block", millions(ours.instructions), fixed(ours.seconds, 2), fixed(ours.mips)],
  ];
  let qemuMips: number | null = null;
  if (o.qemu) {
    const dir = mkdtempSync(join(tmpdir(), "armvmm-bench-"));
    try {
      // QEMU's own start-up and shut-down, timed with an empty loop, comes off the long run's time.
      const run = async (iterations: number) => {
        const file = join(dir, `loop-${iterations}.bin`);
        writeFileSync(file, loopImage(iterations));
        let best: number | null = null;
        for (let k = 0; k < 3; k++) {
          const t = (await qemuToExit(["-kernel", file], o.timeoutMs)).seconds;
          if (t !== null && (best === null || t < best)) best = t;
        }
        return best;
      };
      const empty = await run(1);
      const full = await run(o.qemuIterations);
      if (empty !== null && full !== null) {
        const seconds = Math.max(full - empty, 1e-6);
        const instructions = loopInstructions(o.qemuIterations);
        qemuMips = instructions / seconds / 1e6;
        rows.push([
          `QEMU TCG (start-up ${fixed(empty, 2)} s taken off)`,
          millions(instructions),
          fixed(seconds, 2),
          fixed(qemuMips),
        ]);
      } else {
        rows.push(["QEMU TCG: did not power off", "-", "-", "-"]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  say(
    formatTable(
      "\n(a) integer loop: add, eor (shifted operand), str, ldr, subs, bne",
      ["", "instructions", "seconds", "MIPS"],
      rows,
    ),
  );
  if (qemuMips !== null) say(`QEMU is ${ratio(qemuMips, ours.mips)} faster on this loop`);
}

async function benchDecompress(o: Options): Promise<void> {
  const missing = missingGuests(["vmlinuz"]);
  if (missing) return say(`\n(b) zImage decompressor: SKIPPED, ${missing}`);
  // earlycon prints the kernel's first line as soon as it starts, before its console driver is up.
  const append = "console=ttyAMA0 earlycon";
  note(`decompressor: armvmm to "${KERNEL_LINE}"...`);
  const ours = await armvmmToLine({
    kernel: cached("vmlinuz"),
    append,
    smp: 1,
    clock: "icount",
    threads: false,
    line: KERNEL_LINE,
    timeoutMs: o.timeoutMs,
  });
  let qemuSeconds: number | null = null;
  if (o.qemu) {
    note("decompressor: QEMU...");
    qemuSeconds = (await qemuToLine(["-kernel", cached("vmlinuz"), "-append", append], KERNEL_LINE, o.timeoutMs))
      .seconds;
  }
  const rows: Cell[][] = [
    [
      "armvmm (icount)",
      ours ? fixed(ours.processSeconds, 2) : "did not get there",
      ours ? millions(ours.instructions) : "-",
      ours ? fixed(ours.instructions / ours.seconds / 1e6) : "-",
    ],
  ];
  if (o.qemu) rows.push(["QEMU TCG", fixed(qemuSeconds, 2), "", ""]);
  say(
    formatTable(
      `\n(b) zImage decompressor: to the kernel's first line "${KERNEL_LINE}" (append "${append}")`,
      ["", "wall s", "guest instructions", "MIPS"],
      rows,
    ),
  );
  if (ours && qemuSeconds !== null) say(`armvmm / QEMU: ${ratio(ours.processSeconds, qemuSeconds)}`);
}

async function benchBoot(o: Options): Promise<void> {
  const missing = missingGuests(["vmlinuz", "initrd-test.cpio.gz"]);
  if (missing) return say(`\n(c) boot to init: SKIPPED, ${missing}`);
  const rows: Cell[][] = [];
  for (const append of CMDLINES) {
    note(`boot to init, "${append}": armvmm (${o.clock} clock, ${o.smp} vcpu)...`);
    const ours = await armvmmToLine({
      kernel: cached("vmlinuz"),
      initrd: cached("initrd-test.cpio.gz"),
      append,
      smp: o.smp,
      clock: o.clock,
      threads: o.threads,
      line: INIT_LINE,
      timeoutMs: o.timeoutMs,
    });
    let qemuSeconds: number | null = null;
    if (o.qemu) {
      note(`boot to init, "${append}": QEMU...`);
      const args = ["-smp", String(o.smp), "-kernel", cached("vmlinuz"), "-initrd", cached("initrd-test.cpio.gz")];
      qemuSeconds = (await qemuToLine([...args, "-append", append], INIT_LINE, o.timeoutMs)).seconds;
    }
    rows.push([
      append,
      ours ? fixed(ours.processSeconds, 1) : "did not boot",
      fixed(qemuSeconds, 1),
      ratio(ours?.processSeconds ?? null, qemuSeconds),
      ours ? millions(ours.instructions) : "-",
      ours ? fixed(ours.instructions / ours.seconds / 1e6) : "-",
      ours ? fixed(ours.guestSeconds, 2) : "-",
    ]);
  }
  say(
    formatTable(
      `\n(c) boot to the first line of init ("${INIT_LINE}"), ${o.smp} vcpu, armvmm clock ${o.clock}; ` +
        `QEMU: ${QEMU} ${QEMU_MACHINE.join(" ")}`,
      ["append", "armvmm s", "QEMU s", "armvmm/QEMU", "guest instructions", "guest MIPS", "guest s"],
      rows,
    ),
  );
}

/** QEMU's own idle cost at the same shell, for comparison. */
async function qemuIdle(seconds: number, settle: number, timeoutMs: number): Promise<IdleResult | null> {
  const args = ["-kernel", cached("vmlinuz"), "-initrd", cached("initrd-shell.cpio.gz"), "-append", "console=ttyAMA0"];
  const w = spawnWatched(QEMU, [...QEMU_MACHINE, ...args], "pipe");
  try {
    if ((await w.waitFor(INIT_LINE, timeoutMs)) === null || w.child.pid === undefined) return null;
    await new Promise((r) => setTimeout(r, settle * 1000));
    const cpu0 = processCpuSeconds(w.child.pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpu1 = processCpuSeconds(w.child.pid);
    const window = (performance.now() - t0) / 1000;
    if (cpu0 === null || cpu1 === null) return null;
    return { window, cpu: cpu1 - cpu0, percent: ((cpu1 - cpu0) / window) * 100 };
  } finally {
    w.kill();
    await w.exited;
  }
}

async function benchIdle(o: Options): Promise<void> {
  const rows: Cell[][] = [];
  const row = (what: string, r: IdleResult | null) =>
    rows.push([what, fixed(r?.window, 1), fixed(r?.cpu, 3), r ? `${fixed(r.percent, 2)} %` : "failed"]);
  note("idle: heartbeat guest...");
  row("armvmm: heartbeat guest (2 vcpus in WFI between beats)", await idleHeartbeat(2));
  const missing = missingGuests(["vmlinuz", "initrd-shell.cpio.gz"]);
  if (missing) {
    rows.push(["Debian at the shell: SKIPPED", "-", "-", missing]);
  } else {
    for (const smp of [1, 4]) {
      note(`idle: Debian to the shell on ${smp} vcpu(s) (host clock; the boot takes a while)...`);
      row(`armvmm: Debian at the busybox shell, ${smp} vcpu(s)`, await idleLinux(smp, o.idleSeconds, 3, o.timeoutMs));
    }
    if (o.qemu) {
      note("idle: QEMU at the same shell...");
      row("QEMU TCG: Debian at the busybox shell, 1 vcpu", await qemuIdle(o.idleSeconds, 3, o.timeoutMs));
    }
  }
  say(
    formatTable(
      "\n(d) host CPU per second of idle guest time (host clock)",
      ["", "window s", "CPU s", "of one core"],
      rows,
    ),
  );
}

async function benchLatency(o: Options): Promise<void> {
  note("latency: timer guest and heartbeat on armvmm (2 vcpu threads)...");
  const threads = await armvmmLatency(2, true, o.timeoutMs);
  note("latency: the same on one thread (--vcpu-threads off)...");
  const single = await armvmmLatency(2, false, o.timeoutMs);
  let qemu: LatencyFigure[] = [];
  if (o.qemu) {
    note("latency: QEMU...");
    qemu = await qemuLatency(2, o.timeoutMs);
  }
  const rows: Cell[][] = [];
  for (const f of threads) {
    const one = single.find((x) => x.what === f.what);
    const q = qemu.find((x) => x.what === f.what);
    rows.push([
      f.what,
      `${fixed(f.mean, 0)} / ${fixed(f.max, 0)}`,
      one ? `${fixed(one.mean, 0)} / ${fixed(one.max, 0)}` : "-",
      q ? `${fixed(q.mean, 0)} / ${fixed(q.max, 0)}` : "-",
      q ? ratio(f.mean, q.mean) : "-",
    ]);
  }
  say(
    formatTable(
      "\n(f) timer deadline -> guest handler, 2 vcpus, host clock: mean / max in microseconds (measured in the guests)",
      ["", "armvmm threads", "armvmm one thread", "QEMU TCG", "threads/QEMU (mean)"],
      rows,
    ),
  );
}

async function benchDisk(o: Options): Promise<void> {
  const missing = missingGuests(["vmlinuz", "initrd-virtio.cpio.gz"]);
  if (missing) return say(`\n(g) disk throughput: SKIPPED, ${missing}`);
  const images = diskImages(64);
  if (typeof images === "string") return say(`\n(g) disk throughput: SKIPPED, ${images}`);
  const files = { kernel: cached("vmlinuz"), initrd: cached("initrd-virtio.cpio.gz") };
  try {
    note("disk: armvmm...");
    const a = await armvmmDisk(files, images, o.timeoutMs);
    let q: DiskFigures | null = null;
    if (o.qemu) {
      note("disk: QEMU...");
      q = await qemuDisk(files, images, o.timeoutMs);
    }
    const rows: Cell[][] = [
      [
        "sequential write, O_DIRECT + fsync",
        fixed(a?.write, 1),
        fixed(q?.write, 1),
        q && a ? ratio(q.write, a.write) : "-",
      ],
      ["sequential read, O_DIRECT", fixed(a?.read, 1), fixed(q?.read, 1), q && a ? ratio(q.read, a.read) : "-"],
    ];
    say(
      formatTable(
        `\n(g) virtio-blk throughput, MiB/s of guest time (dd bs=1M, ${a?.mib ?? q?.mib ?? 64} MiB, raw image, 1 vcpu)`,
        ["", "armvmm", "QEMU TCG", "QEMU/armvmm"],
        rows,
      ),
    );
  } finally {
    rmSync(images.dir, { recursive: true, force: true });
  }
}

async function benchNet(o: Options): Promise<void> {
  const missing = missingGuests(["vmlinuz", "initrd-virtio.cpio.gz"]);
  if (missing) return say(`\n(h) network: SKIPPED, ${missing}`);
  const files = { kernel: cached("vmlinuz"), initrd: cached("initrd-virtio.cpio.gz") };
  note("net: armvmm (user-mode networking, then two VMs joined by a socket)...");
  const a = await netFigures("armvmm", files, o.timeoutMs);
  let q: NetFigures | string | null = null;
  if (o.qemu) {
    note("net: QEMU (slirp user networking, then two VMs joined by -netdev stream)...");
    q = await netFigures("qemu", files, o.timeoutMs);
  }
  const get = (r: NetFigures | string | null, k: keyof NetFigures) =>
    r === null || typeof r === "string" ? null : r[k];
  const rows: Cell[][] = [
    [
      `TCP guest -> host, ${NET_MB} MB, MB/s`,
      fixed(get(a, "toHost"), 2),
      fixed(get(q, "toHost"), 2),
      ratio(get(q, "toHost"), get(a, "toHost")),
    ],
    [
      "ping to the gateway, mean ms",
      fixed(get(a, "pingMs"), 2),
      fixed(get(q, "pingMs"), 2),
      ratio(get(a, "pingMs"), get(q, "pingMs")),
    ],
    [
      `TCP VM -> VM, ${NET_MB} MB, MB/s`,
      fixed(get(a, "vmToVm"), 2),
      fixed(get(q, "vmToVm"), 2),
      ratio(get(q, "vmToVm"), get(a, "vmToVm")),
    ],
  ];
  say(
    formatTable(
      "\n(h) virtio-net, timed in the guests (armvmm: passt and --net socket; QEMU: its user networking and -netdev stream)",
      ["", "armvmm", "QEMU TCG", "QEMU/armvmm (time)"],
      rows,
    ),
  );
  for (const r of [a, q]) if (typeof r === "string") say(`net: ${r}`);
}

async function benchP9(o: Options): Promise<void> {
  const missing = missingGuests(["vmlinuz", "initrd-virtio.cpio.gz"]);
  if (missing) return say(`\n(i) 9p shared folder: SKIPPED, ${missing}`);
  const setup = p9Setup();
  if (typeof setup === "string") return say(`\n(i) 9p shared folder: SKIPPED, ${setup}`);
  const files = { kernel: cached("vmlinuz"), initrd: cached("initrd-virtio.cpio.gz") };
  try {
    note("9p: armvmm...");
    const a = await armvmmP9(files, setup, o.timeoutMs);
    let q: P9Figures | null = null;
    if (o.qemu) {
      note("9p: QEMU...");
      q = await qemuP9(files, setup, o.timeoutMs);
    }
    const mbps = (f: P9Figures | null) => (f ? P9_FILE_MB / f.cat : undefined);
    const rows: Cell[][] = [
      [`cat of a ${P9_FILE_MB} MB file, s`, fixed(a?.cat, 2), fixed(q?.cat, 2), q && a ? ratio(a.cat, q.cat) : "-"],
      [`  the same in MB/s`, fixed(mbps(a), 1), fixed(mbps(q), 1), "-"],
      [
        `ls -R of ${P9_TREE_FILES} files in 20 folders, s`,
        fixed(a?.ls, 2),
        fixed(q?.ls, 2),
        q && a ? ratio(a.ls, q.ls) : "-",
      ],
      ["files ls -R listed", a?.files ?? "-", q?.files ?? "-", "-"],
    ];
    say(
      formatTable(
        "\n(i) virtio-9p shared folder, seconds of guest time (9P2000.L, default msize and cache, 1 vcpu)",
        ["", "armvmm", "QEMU TCG", "armvmm/QEMU"],
        rows,
      ),
    );
  } finally {
    rmSync(setup.dir, { recursive: true, force: true });
  }
}

async function benchSmp(o: Options): Promise<void> {
  const missing = missingGuests(["vmlinuz", "initrd-bench.cpio.gz"]);
  if (missing) return say(`\n(e) SMP scaling: SKIPPED, ${missing}`);
  const files = { kernel: cached("vmlinuz"), initrd: cached("initrd-bench.cpio.gz") };
  const rows: Cell[][] = [];
  const row = (what: string, t: JobTimes | null) =>
    rows.push([what, fixed(t?.one, 2), fixed(t?.two, 2), t ? `${((2 * t.one) / t.two).toFixed(2)}x` : "failed"]);
  const runs: [string, number, boolean][] = [
    ["armvmm, 1 vcpu", 1, true],
    ["armvmm, 2 vcpus, a thread each", 2, true],
    ["armvmm, 2 vcpus on one thread (--vcpu-threads off)", 2, false],
  ];
  const results = new Map<string, JobTimes | null>();
  for (const [what, smp, threads] of runs) {
    note(`smp: ${what}...`);
    const t = await armvmmJobs(files, smp, threads, o.jobSize, o.timeoutMs);
    results.set(what, t);
    row(what, t);
  }
  if (o.qemu) {
    for (const smp of [1, 2]) {
      note(`smp: QEMU, ${smp} vcpu(s)...`);
      const t = await qemuJobs(files, smp, o.jobSize, o.timeoutMs);
      results.set(`qemu${smp}`, t);
      row(`QEMU TCG, ${smp} vcpu(s)`, t);
    }
  }
  say(
    formatTable(
      `\n(e) SMP scaling: one job alone and two in parallel, guest seconds (job: a ${o.jobSize}-iteration shell loop, ` +
        `then sha256sum of seq ${o.jobSize * 10}); throughput = 2 x one / two`,
      ["", "one job s", "two jobs s", "throughput"],
      rows,
    ),
  );
  const pair = (k: string) => results.get(k)?.two ?? null;
  const a1 = pair("armvmm, 1 vcpu");
  const a2 = pair("armvmm, 2 vcpus, a thread each");
  say(
    `two jobs, 1 vcpu -> 2 vcpus: armvmm ${ratio(a1, a2)}` +
      (o.qemu ? `, QEMU ${ratio(pair("qemu1"), pair("qemu2"))}` : ""),
  );
}

function describeHost(o: Options): string {
  let model = cpus()[0]?.model ?? "unknown CPU";
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) model = m[1];
  } catch {
    // not Linux: os.cpus() has it
  }
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  return [
    `armvmm benchmark: node ${process.version}, ${cpus().length} x ${model}, load average ${load}`,
    `QEMU: ${o.qemu ?? "not used (not installed, or --no-qemu)"}; guests: ${CACHE}`,
  ].join("\n");
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  say(describeHost(o));
  if (o.parts.has("loop")) await benchLoop(o);
  if (o.parts.has("decompress")) await benchDecompress(o);
  if (o.parts.has("boot")) await benchBoot(o);
  if (o.parts.has("idle")) await benchIdle(o);
  if (o.parts.has("latency")) await benchLatency(o);
  if (o.parts.has("smp")) await benchSmp(o);
  if (o.parts.has("disk")) await benchDisk(o);
  if (o.parts.has("net")) await benchNet(o);
  if (o.parts.has("9p")) await benchP9(o);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

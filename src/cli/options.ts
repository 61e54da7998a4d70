// Command-line options of `armvmm run`, parsed with Node's own parseArgs and validated into a
// plain configuration. Every problem becomes a UsageError with a one-line message.

import { parseArgs } from "node:util";

export class UsageError extends Error {}

export interface RunOptions {
  kernel?: string;
  initrd?: string;
  append?: string;
  dtb?: string;
  bios?: string;
  memBytes: number;
  smp: number;
  clock: "host" | "icount";
  dumpDtb?: string;
  stats: boolean;
  trace: Set<string>;
  guest?: string;
  /** Visits before an ARM block is translated; null: --jit off; undefined: the default. */
  jit?: number | null;
  /** A host thread per vcpu (host clock; the default), or every vcpu on one thread. */
  vcpuThreads: boolean;
  /** --drive images, in order (vda, vdb, ...). */
  drives: DriveOption[];
  /** Where the terminal is connected: the PL011 (ttyAMA0) or a virtio console (hvc0). */
  console: "pl011" | "virtio";
  /** Whether the guest gets a virtio-rng device. */
  rng: boolean;
  /** --net NICs, in order (eth0, eth1, ...). */
  nets: NetOption[];
  /** --share folders (virtio-9p), in order. */
  shares: ShareOption[];
  /** --gdb: the TCP port of the GDB stub on 127.0.0.1 (0: any free port, printed). */
  gdbPort?: number;
  /** --gdb-wait: hold the first instruction until a debugger attaches. */
  gdbWait: boolean;
  /** --save FILE: where Ctrl-A s and --save-after write a snapshot. */
  save?: string;
  /** --save-after: guest milliseconds after which a snapshot is written and armvmm exits. */
  saveAfterMs?: number;
  /** --restore FILE: resume a snapshot (its configuration replaces the machine options). */
  restore?: string;
  /** --pflash images by flash bank (0 at 0x00000000, 1 at 0x04000000). */
  pflash: (string | null)[];
}

/** Options a snapshot's own configuration replaces. */
const MACHINE_OPTIONS = [
  "kernel",
  "initrd",
  "append",
  "dtb",
  "bios",
  "mem",
  "smp",
  "clock",
  "guest",
  "drive",
  "console",
  "rng",
  "net",
  "mac",
  "share",
  "dump-dtb",
  "pflash",
] as const;

/** `500ms`, `2s`, `1.5s`: guest time in milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text.trim());
  if (m === null) throw new UsageError(`--save-after ${text}: use a guest time like 500ms or 2s`);
  return Number(m[1]) * (m[2] === "s" ? 1000 : 1);
}

/** Flash banks of the virt board. */
export const PFLASH_BANKS = 2;

/** `--pflash FILE[,bank=N]`, repeated: each image goes to the bank it names, or to the next bank
 * after the previous image's (bank 0 first), as QEMU's -pflash fills its units. */
export function parsePflash(texts: readonly string[]): (string | null)[] {
  const banks: (string | null)[] = new Array<string | null>(PFLASH_BANKS).fill(null);
  let next = 0;
  for (const text of texts) {
    const m = /^(.*?)(?:,bank=(\d+))?$/.exec(text)!;
    const path = m[1];
    if (path === "") throw new UsageError(`--pflash ${text}: no file name`);
    const bank = m[2] === undefined ? next : Number(m[2]);
    if (bank >= PFLASH_BANKS) {
      throw new UsageError(`--pflash ${text}: the virt board has ${PFLASH_BANKS} flash banks (bank=0 or bank=1)`);
    }
    if (banks[bank] !== null) throw new UsageError(`--pflash ${text}: flash bank ${bank} is given twice`);
    banks[bank] = path;
    next = bank + 1;
  }
  return banks;
}

export type NetOption =
  { kind: "user"; mac?: string } | { kind: "socket"; mode: "listen" | "connect"; address: string; mac?: string };

const MAC_RE = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i;

/** `user[,mac=M]`, `socket,listen=ADDR[,mac=M]` or `socket,connect=ADDR[,mac=M]`. */
export function parseNet(text: string): NetOption {
  const [kind, ...rest] = text.split(",");
  const opts = new Map<string, string>();
  for (const item of rest) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--net ${text}: '${item}' is not KEY=VALUE`);
    opts.set(item.slice(0, eq), item.slice(eq + 1));
  }
  const mac = opts.get("mac");
  if (mac !== undefined && !MAC_RE.test(mac)) throw new UsageError(`--net ${text}: mac=${mac} is not a MAC address`);
  const allow = (keys: string[]) => {
    for (const k of opts.keys()) {
      if (!keys.includes(k)) throw new UsageError(`--net ${text}: unknown option '${k}' (use ${keys.join(", ")})`);
    }
  };
  if (kind === "user") {
    allow(["mac"]);
    return { kind, mac };
  }
  if (kind === "socket") {
    allow(["listen", "connect", "mac"]);
    const listen = opts.get("listen");
    const connect = opts.get("connect");
    if ((listen === undefined) === (connect === undefined)) {
      throw new UsageError(`--net ${text}: give exactly one of listen=ADDR and connect=ADDR`);
    }
    return { kind, mode: listen !== undefined ? "listen" : "connect", address: (listen ?? connect)!, mac };
  }
  throw new UsageError(`--net ${text}: unknown kind '${kind}' (use user or socket)`);
}

export interface ShareOption {
  path: string;
  tag: string;
  readonly: boolean;
}

export interface DriveOption {
  path: string;
  readonly: boolean;
  snapshot: boolean;
}

const DRIVE_FLAGS = ["readonly", "snapshot"] as const;

/** `FILE[,readonly][,snapshot]`; a flag may also be written flag=on or flag=off (QEMU's spelling). */
export function parseDrive(text: string): DriveOption {
  const [path, ...flags] = text.split(",");
  if (path === "") throw new UsageError(`--drive ${text}: no file name`);
  const drive: DriveOption = { path, readonly: false, snapshot: false };
  for (const flag of flags) {
    const m = /^([a-z]+)(?:=(on|off))?$/.exec(flag);
    const name = m?.[1] as (typeof DRIVE_FLAGS)[number] | undefined;
    if (m === null || name === undefined || !DRIVE_FLAGS.includes(name)) {
      throw new UsageError(`--drive ${text}: unknown flag '${flag}' (use ${DRIVE_FLAGS.join(", ")})`);
    }
    drive[name] = m[2] !== "off";
  }
  return drive;
}

export const DEFAULT_SHARE_TAG = "share";

/** `DIR[,tag=TAG][,readonly]`. A tag is 1 to 31 printable ASCII characters without ',' (what
 * fits the device's configuration field and a mount command line). */
export function parseShare(text: string): ShareOption {
  const [path, ...flags] = text.split(",");
  if (path === "") throw new UsageError(`--share ${text}: no folder name`);
  const share: ShareOption = { path, tag: DEFAULT_SHARE_TAG, readonly: false };
  for (const flag of flags) {
    const ro = /^readonly(?:=(on|off))?$/.exec(flag);
    if (ro !== null) share.readonly = ro[1] !== "off";
    else if (flag.startsWith("tag=")) {
      const tag = flag.slice(4);
      if (!/^[\x21-\x7e]{1,31}$/.test(tag)) {
        throw new UsageError(`--share ${text}: tag '${tag}' must be 1 to 31 printable characters without spaces`);
      }
      share.tag = tag;
    } else throw new UsageError(`--share ${text}: unknown flag '${flag}' (use tag=TAG, readonly)`);
  }
  return share;
}

/** Largest RAM the virt board can hold below 4 GiB: 0x40000000..0xFFFFFFFF. */
export const MAX_RAM = 0xc0000000;
const MIN_RAM = 1 << 20;
const DEFAULT_RAM = 512 << 20;
export const MAX_VCPUS = 8;
const TRACE_KINDS = new Set(["vgic", "vtimer", "psci", "mmio"]);

/** QEMU's size syntax: a number with an optional K/M/G/T suffix; a bare number means MiB. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)(?:i?B)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`invalid size '${text}' (use e.g. 256M or 1G)`);
  const unit = m[2].toUpperCase();
  const scale = unit === "K" ? 1 << 10 : unit === "G" ? 1 << 30 : unit === "T" ? 2 ** 40 : 1 << 20;
  return Math.round(Number(m[1]) * scale);
}

export const RUN_USAGE = `usage: armvmm run [options]
  --kernel FILE     Linux zImage, ELF or raw image (default: the built-in heartbeat guest)
  --initrd FILE     initial ramdisk
  --append STR      kernel command line
  --dtb FILE        use this device tree instead of the generated one
  --bios FILE       firmware at address 0 (e.g. u-boot's qemu_arm u-boot.bin)
  --pflash FILE[,bank=N]
                    a 64 MiB image as CFI flash bank N (0 at 0x00000000, 1 at 0x04000000; repeatable:
                    bank 0, then bank 1); the guest's program and erase commands write it back. With a
                    bank 0 image and no --kernel or --bios, the machine boots from flash
  --mem SIZE        guest RAM, e.g. 256M or 1G; a bare number means MiB (default 512M)
  --smp N           number of vcpus, 1 to 8 (default 1; the heartbeat guest uses 2)
  --clock MODE      host (follow the host clock) or icount (deterministic) (default host)
  --dump-dtb FILE   write the generated device tree and exit
  --stats           print exit, vgic and vtimer statistics at exit
  --trace KIND      print events as they happen: vgic, vtimer, psci, mmio (repeatable, or comma-separated)
  --guest NAME      run a guest fetched by 'npm run guests': debian, debian-test, debian-disk, u-boot
  --jit N|off       translate ARM code to JavaScript once a block has been entered N times (default 16000),
                    or never (off: the interpreter alone)
  --vcpu-threads on|off
                    run each vcpu on a host thread of its own (default on; icount always uses one thread)
  --drive FILE[,readonly][,snapshot]
                    a raw disk image as a virtio-blk disk (repeatable: /dev/vda, /dev/vdb, ...); snapshot
                    keeps the guest's writes in a temporary overlay that is dropped at exit
  --console pl011|virtio
                    connect the terminal to the PL011 (ttyAMA0, default) or to a virtio console (hvc0)
  --rng on|off      a virtio-rng entropy device fed by the host's CSPRNG (default on)
  --net user|socket,listen=ADDR|socket,connect=ADDR[,mac=MAC]
                    a virtio-net NIC (repeatable: eth0, eth1, ...): user-mode networking through passt
                    (DHCP, DNS, the host's services at the gateway), or QEMU's stream format over a socket,
                    ADDR being HOST:PORT or unix:PATH
  --mac MAC         the first NIC's MAC address (default: a stable, locally administered one per VM)
  --share DIR[,tag=TAG][,readonly]
                    share a host folder with the guest over virtio-9p (repeatable; default tag 'share'):
                    mount -t 9p -o trans=virtio,version=9p2000.L TAG /mnt
  --gdb PORT        a GDB remote stub on 127.0.0.1:PORT (the vcpus then share one thread)
  --gdb-wait        with --gdb: hold the first instruction until a debugger attaches (QEMU's -S)
  --save FILE       where Ctrl-A s writes a snapshot (default: armvmm-DATE-TIME.snap in this folder)
  --save-after TIME write a snapshot after this much guest time (500ms, 2s) and exit
  --restore FILE    resume a snapshot; it holds the machine's configuration, so no machine options
Console: Ctrl-A x quits, Ctrl-A s saves a snapshot, Ctrl-A i prints statistics, Ctrl-A h lists the escapes.`;

export function parseRunOptions(argv: string[]): RunOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        kernel: { type: "string" },
        initrd: { type: "string" },
        append: { type: "string" },
        dtb: { type: "string" },
        bios: { type: "string" },
        mem: { type: "string", short: "m" },
        smp: { type: "string" },
        clock: { type: "string" },
        "dump-dtb": { type: "string" },
        stats: { type: "boolean" },
        trace: { type: "string", multiple: true },
        guest: { type: "string" },
        jit: { type: "string" },
        "vcpu-threads": { type: "string" },
        drive: { type: "string", multiple: true },
        console: { type: "string" },
        rng: { type: "string" },
        net: { type: "string", multiple: true },
        mac: { type: "string" },
        share: { type: "string", multiple: true },
        gdb: { type: "string" },
        "gdb-wait": { type: "boolean" },
        save: { type: "string" },
        "save-after": { type: "string" },
        restore: { type: "string" },
        pflash: { type: "string", multiple: true },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0]);
  }
  const v = parsed.values;
  if (v.restore !== undefined) {
    const clash = MACHINE_OPTIONS.find((o) => v[o] !== undefined);
    if (clash !== undefined)
      throw new UsageError(`--restore and --${clash} cannot be combined: the snapshot holds the machine`);
  }
  const memBytes = v.mem === undefined ? DEFAULT_RAM : parseSize(v.mem);
  if (memBytes < MIN_RAM) throw new UsageError(`--mem ${v.mem}: at least 1M of RAM is needed`);
  if (memBytes > MAX_RAM) throw new UsageError(`--mem ${v.mem}: the virt board holds at most 3G of RAM below 4 GiB`);
  let smp = 1;
  if (v.smp !== undefined) {
    if (!/^\d+$/.test(v.smp)) throw new UsageError(`--smp ${v.smp}: not a number`);
    smp = Number(v.smp);
    if (smp < 1 || smp > MAX_VCPUS) throw new UsageError(`--smp ${v.smp}: between 1 and ${MAX_VCPUS} vcpus`);
  }
  const clock = v.clock ?? "host";
  if (clock !== "host" && clock !== "icount") throw new UsageError(`--clock ${clock}: use host or icount`);
  let jit: number | null | undefined;
  if (v.jit === "off") jit = null;
  else if (v.jit !== undefined) {
    if (!/^\d+$/.test(v.jit) || Number(v.jit) < 1)
      throw new UsageError(`--jit ${v.jit}: a number of visits (1 or more) or off`);
    jit = Number(v.jit);
  }
  const trace = new Set<string>();
  for (const item of v.trace ?? []) {
    for (const kind of item.split(",")) {
      if (!TRACE_KINDS.has(kind)) throw new UsageError(`--trace ${kind}: use one of ${[...TRACE_KINDS].join(", ")}`);
      trace.add(kind);
    }
  }
  const threads = v["vcpu-threads"] ?? "on";
  if (threads !== "on" && threads !== "off") throw new UsageError(`--vcpu-threads ${threads}: use on or off`);
  if (v.guest !== undefined && v.kernel !== undefined) throw new UsageError("--guest and --kernel cannot be combined");
  const console = v.console ?? "pl011";
  if (console !== "pl011" && console !== "virtio") throw new UsageError(`--console ${console}: use pl011 or virtio`);
  const rng = v.rng ?? "on";
  if (rng !== "on" && rng !== "off") throw new UsageError(`--rng ${rng}: use on or off`);
  const drives = (v.drive ?? []).map(parseDrive);
  if (drives.length > 26) throw new UsageError("at most 26 --drive images");
  const nets = (v.net ?? []).map(parseNet);
  if (v.mac !== undefined) {
    if (!MAC_RE.test(v.mac)) throw new UsageError(`--mac ${v.mac}: not a MAC address (like 52:54:00:12:34:56)`);
    if (nets.length === 0) throw new UsageError("--mac needs a --net");
    if ((parseInt(v.mac.slice(0, 2), 16) & 1) !== 0) throw new UsageError(`--mac ${v.mac}: a multicast address`);
    nets[0].mac = v.mac;
  }
  const shares = (v.share ?? []).map(parseShare);
  const tags = new Set<string>();
  for (const share of shares) {
    if (tags.has(share.tag)) throw new UsageError(`--share ${share.path}: tag '${share.tag}' is used twice`);
    tags.add(share.tag);
  }
  let gdbPort: number | undefined;
  if (v.gdb !== undefined) {
    const port = /^(?:tcp::|:)?(\d+)$/.exec(v.gdb);
    if (port === null || Number(port[1]) > 65535) throw new UsageError(`--gdb ${v.gdb}: a TCP port, 0 to 65535`);
    gdbPort = Number(port[1]);
  }
  if (v["gdb-wait"] === true && gdbPort === undefined) throw new UsageError("--gdb-wait needs --gdb PORT");
  const pflash = parsePflash(v.pflash ?? []);
  // QEMU refuses -bios with a pflash0 image on virt: both would fill bank 0.
  if (pflash[0] !== null && v.bios !== undefined) {
    throw new UsageError("--bios and a bank 0 --pflash both fill flash bank 0: give one (or --pflash FILE,bank=1)");
  }
  return {
    kernel: v.kernel,
    initrd: v.initrd,
    append: v.append,
    dtb: v.dtb,
    bios: v.bios,
    memBytes: Math.ceil(memBytes / 4096) * 4096,
    smp,
    clock,
    dumpDtb: v["dump-dtb"],
    stats: v.stats ?? false,
    trace,
    guest: v.guest,
    jit,
    vcpuThreads: threads === "on",
    drives,
    console,
    rng: rng === "on",
    nets,
    shares,
    gdbPort,
    gdbWait: v["gdb-wait"] ?? false,
    save: v.save,
    saveAfterMs: v["save-after"] === undefined ? undefined : parseDuration(v["save-after"]),
    restore: v.restore,
    pflash,
  };
}

// Network throughput and latency through virtio-net, timed inside Debian guests (from
// /proc/uptime, so boot time does not count), with QEMU in the same run:
//   - guest -> host TCP over user-mode networking (passt): the guest pipes dd into busybox nc
//     towards a counting server this process runs on 127.0.0.1, reached at the gateway;
//   - ping round-trip time to the gateway;
//   - VM -> VM TCP over `--net socket` (armvmm to armvmm; QEMU to QEMU with -netdev stream).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { outputThrough, spawnWatched, type Watched } from "./child.js";
import { ext4Image } from "./ext4-image.js";
import { QEMU, QEMU_MACHINE } from "./qemu.js";

const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const BASE = "console=ttyAMA0 quiet cryptomgr.notests root=/dev/vda armvmm.script=bench.sh";
/** Megabytes each throughput run sends. */
export const NET_MB = 16;

export interface NetFigures {
  /** MB/s guest -> host, ping mean ms, MB/s VM -> VM. */
  toHost: number | null;
  pingMs: number | null;
  vmToVm: number | null;
}

function image(dir: string, name: string, script: string[]): string | null {
  const src = join(dir, name);
  mkdirSync(src);
  writeFileSync(join(src, "bench.sh"), script.join("\n") + "\n");
  const img = join(dir, `${name}.img`);
  return ext4Image(src, img, 8) === null ? img : null;
}

const NOW = "now() { cut -d' ' -f1 /proc/uptime; }";
const GW = "gw=$(ip route | sed -n 's/^default via \\([0-9.]*\\).*/\\1/p')";

function userScript(port: number): string[] {
  return [
    NOW,
    GW,
    `t0=$(now); dd if=/dev/zero bs=64k count=${NET_MB * 16} 2>/dev/null | nc $gw ${port}; t1=$(now)`,
    `echo "armvmm-bench: tohost ${NET_MB} $t0 $t1"`,
    // passt answers no ICMP here (it needs ping sockets the host may not allow): an empty mean.
    'echo "armvmm-bench: ping $(ping -c 10 -i 0.2 $gw | sed -n "s/.*= [0-9.]*\\/\\([0-9.]*\\)\\/.*/\\1/p")"',
  ];
}

const SINK = [
  "ip addr add 10.0.3.1/24 dev eth0",
  "ip link set eth0 up",
  'echo "armvmm-bench: sink up"',
  "nc -l -p 5001 >/dev/null",
  "sleep 600",
];
const SOURCE = [
  NOW,
  "ip addr add 10.0.3.2/24 dev eth0",
  "ip link set eth0 up",
  "i=0; until ping -c 1 -W 1 10.0.3.1 >/dev/null 2>&1 || [ $i -ge 60 ]; do i=$((i + 1)); done",
  "sleep 1",
  `t0=$(now); dd if=/dev/zero bs=64k count=${NET_MB * 16} 2>/dev/null | nc 10.0.3.1 5001; t1=$(now)`,
  `echo "armvmm-bench: vmtovm ${NET_MB} $t0 $t1"`,
];

function figure(out: string, key: string): number | null {
  const m = new RegExp(`armvmm-bench: ${key} (\\d+) ([\\d.]+) ([\\d.]+)`).exec(out);
  return m ? Number(m[1]) / (Number(m[3]) - Number(m[2])) : null;
}

/** A TCP server on 127.0.0.1 that swallows whatever comes. */
async function sink(): Promise<{ port: number; close(): void }> {
  // Ends its side when the sender ends its own, so the guest's nc sees the close and exits.
  const server = net.createServer((s) => {
    s.on("end", () => s.end());
    s.resume();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

type Runner = (img: string, netArgs: string[], append: string) => Watched;

const armvmm: Runner = (img, netArgs, append) =>
  spawnWatched(process.execPath, [
    CLI,
    "run",
    "--kernel",
    kernelOf(),
    "--initrd",
    initrdOf(),
    "--drive",
    img,
    ...netArgs,
    "--append",
    append,
  ]);

const qemu: Runner = (img, netArgs, append) =>
  spawnWatched(QEMU, [
    ...QEMU_MACHINE,
    "-global",
    "virtio-mmio.force-legacy=false",
    "-kernel",
    kernelOf(),
    "-initrd",
    initrdOf(),
    "-drive",
    `if=none,file=${img},format=raw,id=d0`,
    "-device",
    "virtio-blk-device,drive=d0",
    ...netArgs,
    "-append",
    append,
  ]);

let files = { kernel: "", initrd: "" };
const kernelOf = () => files.kernel;
const initrdOf = () => files.initrd;

/** Runs the three measurements on one VMM. */
export async function netFigures(
  which: "armvmm" | "qemu",
  f: { kernel: string; initrd: string },
  timeoutMs: number,
): Promise<NetFigures | string> {
  files = f;
  const dir = mkdtempSync(join(tmpdir(), `armvmm-bench-net-${which}-`));
  const server = await sink();
  try {
    const run = which === "armvmm" ? armvmm : qemu;
    const user = image(dir, "user", userScript(server.port));
    const sinkImg = image(dir, "sink", SINK);
    const sourceImg = image(dir, "source", SOURCE);
    if (user === null || sinkImg === null || sourceImg === null) return "mke2fs failed (apt-get install e2fsprogs)";
    const userNet =
      which === "armvmm" ? ["--net", "user"] : ["-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0"];
    const out = await outputThrough(run(user, userNet, `${BASE} ip=dhcp`), "armvmm-bench: ping", timeoutMs);
    const ping = /armvmm-bench: ping ([\d.]+)/.exec(out);
    const sock = join(dir, "link.sock");
    const listen =
      which === "armvmm"
        ? ["--net", `socket,listen=unix:${sock}`]
        : [
            "-netdev",
            `stream,id=n0,server=on,wait=off,addr.type=unix,addr.path=${sock}`,
            "-device",
            "virtio-net-device,netdev=n0",
          ];
    const connect =
      which === "armvmm"
        ? ["--net", `socket,connect=unix:${sock}`]
        : [
            "-netdev",
            `stream,id=n0,server=off,addr.type=unix,addr.path=${sock}`,
            "-device",
            "virtio-net-device,netdev=n0",
          ];
    const a = run(sinkImg, listen, BASE);
    await new Promise((r) => setTimeout(r, 2000));
    const b = await outputThrough(run(sourceImg, connect, BASE), "armvmm-bench: vmtovm", timeoutMs);
    a.kill();
    await a.exited;
    return { toHost: figure(out, "tohost"), pingMs: ping ? Number(ping[1]) : null, vmToVm: figure(b, "vmtovm") };
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

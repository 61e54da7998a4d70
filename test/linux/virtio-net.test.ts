// virtio-net with real guests (Debian's kernel, the virtio initramfs): user-mode networking through
// passt (DHCP, then wget from a server this test starts on the host's 127.0.0.1, reached at the
// gateway address), two armvmm VMs joined by `--net socket` (ping with no loss and a 1 MiB HTTP
// transfer with identical hashes), and the same against a qemu-system-arm peer speaking
// `-netdev stream`.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as http from "node:http";
import { join } from "node:path";
import { failIfMissing, skipOption } from "../helpers/required.js";
import { runCli, runCliOnPty } from "../guests/cli-runner.js";
import { ABSENT, INITRD, KERNEL, LIMIT_MS, SKIP, Scratch, bootVirtio, marker, startVirtio } from "./virtio-guest.js";

const scratch = new Scratch();
after(() => scratch.remove());

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const NO_PASST = has("passt") ? false : "passt not found: the --net user test needs it (apt-get install passt)";
const NO_QEMU = has("qemu-system-arm") ? false : "qemu-system-arm not found: the QEMU peer test needs it";

const BIG = Uint8Array.from({ length: 1 << 20 }, (_v, i) => (i * 2246822519) >>> 27);
const BIG_SHA = createHash("sha256").update(BIG).digest("hex");

test(
  "--net user: DHCP from passt, then wget from the host's 127.0.0.1 at the gateway",
  { skip: SKIP || skipOption(NO_PASST), timeout: LIMIT_MS + 60_000 },
  async () => {
    failIfMissing(ABSENT);
    failIfMissing(NO_PASST);
    const server = http.createServer((_req, res) => res.end(BIG));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const img = scratch.image("user", {
        "test.sh": [
          "gw=$(ip route | sed -n 's/^default via \\([0-9.]*\\).*/\\1/p')",
          'echo "armvmm-test: gateway $gw"',
          `echo "armvmm-test: fetched $(wget -q -O - http://$gw:${port}/big | sha256sum | cut -d' ' -f1)"`,
          "",
        ].join("\n"),
      });
      const r = await bootVirtio({
        options: ["--drive", img, "--net", "user", "--smp", "1"],
        append: "root=/dev/vda armvmm.script=test.sh ip=dhcp",
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /armvmm-virtio: eth0 [\d.]+\/\d+ via [\d.]+/, "a DHCP lease");
      assert.match(marker(r.stdout, "gateway") ?? "", /^\d+\.\d+\.\d+\.\d+$/);
      assert.equal(marker(r.stdout, "fetched"), BIG_SHA, "1 MiB from the host, intact");
    } finally {
      server.close();
    }
  },
);

/** The serving side: a static address, busybox httpd with the 1 MiB file, up until killed. */
function serverImage(name: string): string {
  return scratch.image(name, {
    "big.bin": BIG,
    "test.sh": [
      "ip addr add 10.0.2.1/24 dev eth0",
      "ip link set eth0 up",
      "mkdir -p /www && cp big.bin /www/big.bin",
      "httpd -p 80 -h /www",
      'echo "armvmm-test: serving"',
      "sleep 600",
      "",
    ].join("\n"),
  });
}

/** The client side: ping the server, then fetch the file and hash it. */
function clientImage(name: string): string {
  return scratch.image(name, {
    "test.sh": [
      "ip addr add 10.0.2.2/24 dev eth0",
      "ip link set eth0 up",
      "i=0; until ping -c 1 -W 1 10.0.2.1 >/dev/null 2>&1 || [ $i -ge 60 ]; do i=$((i + 1)); done",
      'echo "armvmm-test: ping $(ping -c 5 -i 0.2 10.0.2.1 | grep -o "[0-9]*% packet loss")"',
      "i=0; until wget -q -O /tmp/big http://10.0.2.1/big.bin || [ $i -ge 30 ]; do sleep 1; i=$((i + 1)); done",
      'echo "armvmm-test: fetched $(sha256sum /tmp/big | cut -d" " -f1)"',
      "",
    ].join("\n"),
  });
}

test(
  "two armvmm VMs joined by --net socket: ping with no loss, 1 MiB over HTTP intact",
  { skip: SKIP, timeout: LIMIT_MS + 60_000 },
  async () => {
    failIfMissing(ABSENT);
    const sock = join(scratch.dir, "link.sock");
    const serving = startVirtio({
      options: ["--drive", serverImage("server"), "--net", `socket,listen=unix:${sock}`, "--smp", "1"],
      append: "root=/dev/vda armvmm.script=test.sh",
    });
    await new Promise((r) => setTimeout(r, 1500)); // the listener is up before the guest boots
    const client = await bootVirtio({
      options: ["--drive", clientImage("client"), "--net", `socket,connect=unix:${sock}`, "--smp", "1"],
      append: "root=/dev/vda armvmm.script=test.sh",
    });
    const server = await serving.stop();
    assert.equal(client.code, 0, client.stderr);
    assert.match(server.stdout, /armvmm-test: serving/);
    assert.equal(marker(client.stdout, "ping"), "0% packet loss");
    assert.equal(marker(client.stdout, "fetched"), BIG_SHA);
  },
);

test(
  "an armvmm VM and a qemu-system-arm VM (-netdev stream) joined: ping and 1 MiB over HTTP",
  { skip: SKIP || skipOption(NO_QEMU), timeout: LIMIT_MS + 60_000 },
  async () => {
    failIfMissing(ABSENT);
    failIfMissing(NO_QEMU);
    const sock = join(scratch.dir, "qemu.sock");
    const serving = startVirtio({
      options: ["--drive", serverImage("server-q"), "--net", `socket,listen=unix:${sock}`, "--smp", "1"],
      append: "root=/dev/vda armvmm.script=test.sh",
    });
    await new Promise((r) => setTimeout(r, 1500));
    const img = clientImage("client-q");
    const qemu = spawn(
      "qemu-system-arm",
      [
        ...["-M", "virt,gic-version=2", "-cpu", "cortex-a15", "-m", "512", "-nographic", "-no-reboot"],
        ...["-global", "virtio-mmio.force-legacy=false", "-kernel", KERNEL, "-initrd", INITRD],
        ...["-drive", `if=none,file=${img},format=raw,id=d0`, "-device", "virtio-blk-device,drive=d0"],
        ...[
          "-netdev",
          `stream,id=n0,server=off,addr.type=unix,addr.path=${sock}`,
          "-device",
          "virtio-net-device,netdev=n0",
        ],
        ...["-append", "console=ttyAMA0 cryptomgr.notests root=/dev/vda armvmm.script=test.sh"],
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    qemu.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    qemu.stderr.resume();
    const timer = setTimeout(() => qemu.kill("SIGKILL"), LIMIT_MS);
    await new Promise((r) => qemu.on("close", r));
    clearTimeout(timer);
    const server = await serving.stop();
    assert.match(server.stdout, /armvmm-test: serving/);
    assert.equal(marker(out, "ping"), "0% packet loss", out.slice(-1500));
    assert.equal(marker(out, "fetched"), BIG_SHA);
  },
);

test(
  "a snapshot with --net user: saved at the shell with a DHCP lease, restored with a new passt, wget works",
  { skip: SKIP || skipOption(NO_PASST), timeout: LIMIT_MS + 60_000 },
  async () => {
    failIfMissing(ABSENT);
    failIfMissing(NO_PASST);
    const file = join(scratch.dir, "net.snap");
    // On a terminal, so that Ctrl-A s is an escape and not guest input.
    const saving = runCliOnPty([
      ...["run", "--kernel", KERNEL, "--initrd", INITRD, "--smp", "2", "--net", "user"],
      ...["--append", "console=ttyAMA0 cryptomgr.notests ip=dhcp", "--save", file],
    ]);
    await saving.until(/armvmm-virtio: eth0 [\d.]+\/\d+ via [\d.]+[\s\S]*armvmm-virtio: up[\s\S]*# /, LIMIT_MS);
    saving.type("\x01s");
    await saving.until("snapshot saved to");
    saving.type("poweroff -f\r");
    assert.equal(await saving.exited, 0, saving.output().slice(-2000));

    const server = http.createServer((_req, res) => res.end(BIG));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const fetch = [
        "gw=$(ip route | sed -n 's/^default via \\([0-9.]*\\).*/\\1/p')",
        `echo "armvmm-test: fetched $(wget -O - http://$gw:${port}/big | sha256sum | cut -d' ' -f1)"`,
        "poweroff -f",
        "",
      ].join("\n");
      const resumed = await runCli(["run", "--restore", file], { input: fetch, timeoutMs: LIMIT_MS });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.doesNotMatch(
        resumed.stdout,
        /Booting Linux|armvmm-virtio: modules loaded/,
        "the restored run booted again",
      );
      assert.equal(
        marker(resumed.stdout, "fetched"),
        BIG_SHA,
        `1 MiB from the host through the new passt:\n${resumed.stdout.slice(-2000)}\n${resumed.stderr}`,
      );
    } finally {
      server.close();
    }
  },
);

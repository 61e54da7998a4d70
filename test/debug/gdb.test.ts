// The GDB stub against Debian's gdb-multiarch in batch mode, on guests/debuggee (ARM calling
// Thumb, VFP, a watched global, two vcpus), and against a raw client for what gdb does not do in
// batch mode (Ctrl-C, garbage, a dropped connection).

import { test } from "node:test";
import assert from "node:assert/strict";
import { failIfMissing, skipOption } from "../helpers/required.js";
import { RawClient, gdbMissing, runGdb, startVm } from "./gdb-session.js";
import { createServer } from "node:net";
import { runCli } from "../guests/cli-runner.js";

const missing = gdbMissing();
const skip = skipOption(missing);

/** The value gdb printed for `$N = ...` history entry `n`. */
function printed(out: string, n: number): string {
  const m = new RegExp(`^\\$${n} = (.*)$`, "m").exec(out);
  assert.ok(m !== null, `no $${n} in gdb's output:\n${out}`);
  return m[1];
}

test("break, continue, stepi and step across ARM/Thumb interworking, and back", { skip }, async () => {
  failIfMissing(missing);
  // --jit 1: arm_caller and thumb_mix would be translated at once if anything ran them as blocks.
  const vm = await startVm(["--kernel", "guests/bin/debuggee.elf", "--gdb-wait", "--jit", "1"]);
  const out = await runGdb("debuggee.elf", vm.port, [
    "p/x $pc",
    "break arm_caller",
    "continue",
    "stepi",
    "stepi",
    "stepi",
    "p/x $cpsr & 0x20",
    "step",
    "p $pc == thumb_mix",
    "p/x $cpsr & 0x20",
    "bt",
    "stepi",
    "stepi",
    "stepi",
    "p/x $cpsr & 0x20",
    "p $pc > arm_caller && $pc < vfp_scale",
    "continue",
  ]);
  assert.equal(printed(out, 1), "0x40010000", out); // held at the entry point
  assert.match(out, /^Breakpoint 1, arm_caller \(x=x@entry=5\)/m);
  assert.equal(printed(out, 2), "0x0", "still ARM before the call");
  assert.match(out, /^thumb_mix \(a=a@entry=5, b=b@entry=7\) at debuggee\/debuggee\.c:17/m);
  assert.equal(printed(out, 3), "1");
  assert.equal(printed(out, 4), "0x20", "Thumb state inside thumb_mix");
  assert.match(out, /#1 {2}0x[0-9a-f]+ in arm_caller/);
  assert.equal(printed(out, 5), "0x0", "back in ARM state after the return");
  assert.equal(printed(out, 6), "1");
  assert.match(out, /exited normally/);
  assert.equal(await vm.exited, 0);
  assert.match(vm.stdout(), /mixed=23 scaled\*100=1050/);
});

test("registers and memory, VFP included, read and written", { skip }, async () => {
  failIfMissing(missing);
  const vm = await startVm(["--kernel", "guests/bin/debuggee.elf", "--gdb-wait"]);
  const out = await runGdb("debuggee.elf", vm.port, [
    "break vfp_scale",
    "break report",
    "continue",
    "p $d0",
    "p $d1",
    "finish",
    "p $d0",
    "set $d5 = 1.25",
    "p/x $d5",
    "p $s11",
    "p/x $fpscr",
    "continue",
    "p value",
    "set var poked = 0xcafef00d",
    "set $r0 = 0x77",
    "x/1wx &poked",
    "p/x $r0",
    "continue",
  ]);
  assert.equal(printed(out, 1), "4");
  assert.equal(printed(out, 2), "2.5");
  assert.match(out, /Value returned is \$3 = 10.5/);
  assert.equal(printed(out, 4), "10.5");
  assert.equal(printed(out, 5), "0x3ff4000000000000");
  assert.equal(printed(out, 6), "1.90625", "s11 is the high half of d5");
  assert.equal(printed(out, 7), "0x0");
  assert.equal(printed(out, 8), "23");
  assert.match(out, /<poked>:\s+0xcafef00d/);
  assert.equal(printed(out, 9), "0x77");
  assert.equal(await vm.exited, 0);
  // The guest saw both writes.
  assert.match(vm.stdout(), /report: value=00000077 poked=cafef00d/);
});

test("a watchpoint stops at the store, with the old and new values", { skip }, async () => {
  failIfMissing(missing);
  const vm = await startVm(["--kernel", "guests/bin/debuggee.elf", "--gdb-wait"]);
  const out = await runGdb("debuggee.elf", vm.port, ["watch watched", "continue", "bt 1", "p/x watched", "continue"]);
  assert.match(out, /Hardware watchpoint 1: watched/);
  assert.match(out, /Old value = 0\s+New value = 4660/);
  assert.match(out, /#0 {2}0x[0-9a-f]+ in store_watched/);
  assert.equal(printed(out, 1), "0x1234");
  assert.equal(await vm.exited, 0);
});

test("two vcpus are two threads; a breakpoint in translated code takes effect", { skip }, async () => {
  failIfMissing(missing);
  // vcpu 1 spins in secondary_spin from the start; with --jit 1 its loop is translated long before
  // the breakpoint is set.
  const vm = await startVm(["--kernel", "guests/bin/debuggee.elf", "--smp", "2", "--gdb-wait", "--jit", "1"]);
  const out = await runGdb("debuggee.elf", vm.port, [
    "break report",
    "continue",
    "info threads",
    "thread 2",
    "bt",
    "p $pc >= secondary_spin && $pc < main",
    "delete",
    "break *$pc",
    "thread 1",
    "continue",
    "p $_thread",
    "delete",
    "thread 1",
    "continue",
  ]);
  assert.match(out, /Thread 1 hit Breakpoint 1, report/);
  assert.match(out, /\* 1 {4}Thread 1 \(vcpu 0\) report/);
  assert.match(out, / 2 {4}Thread 2 \(vcpu 1\) .*secondary_spin/);
  assert.match(out, /#0 {2}.*secondary_spin \(arg=0\)/);
  assert.match(out, /#1 {2}0x[0-9a-f]+ in secondary_main/);
  assert.equal(printed(out, 1), "1");
  assert.match(out, /Thread 2 hit Breakpoint 2, 0x[0-9a-f]+ in secondary_spin/);
  assert.equal(printed(out, 2), "2");
  assert.equal(await vm.exited, 0);
  assert.match(vm.stdout(), /cpus=2/);
});

test("Ctrl-C, garbage, a dropped connection and a second debugger: the VM survives", { skip }, async () => {
  failIfMissing(missing);
  // hang: vcpus spin with interrupts masked, forever.
  const vm = await startVm(["--kernel", "guests/bin/hang.elf", "--smp", "2"]);
  try {
    const a = await RawClient.open(vm.port);
    assert.match(await a.ask("?"), /^T05thread:[12];$/);
    a.write("$g#00"); // bad checksum: refused with '-'
    a.write("$g#zz"); // malformed checksum
    a.write("junk between packets");
    assert.equal(await a.ask("qNoSuchThing"), "", "unknown packets get the empty reply");
    const acks = a.takeRaw();
    assert.equal(acks.replace(/\+/g, ""), "--", "one '-' for each bad packet");
    assert.equal(await a.ask("m0,4"), "E14", "address 0 is not RAM");
    assert.equal(await a.ask("Z0,40010000,7"), "E03", "no breakpoint of kind 7");
    assert.match(await a.ask("qfThreadInfo"), /^m1,2$/);
    a.packet("vCont;c");
    await new Promise((r) => setTimeout(r, 300));
    a.write("\x03");
    assert.match(await a.next(), /^T02thread:[12];$/);
    const pc1 = await a.ask("pf");
    a.close(); // dropped: the VM runs on
    await new Promise((r) => setTimeout(r, 300));
    const b = await RawClient.open(vm.port);
    assert.match(await b.ask("?"), /^T05thread:[12];$/);
    const pc2 = await b.ask("pf");
    assert.match(pc2, /^[0-9a-f]{8}$/);
    assert.match(pc1, /^[0-9a-f]{8}$/);
    assert.equal(await b.ask("D"), "OK");
    await new Promise((r) => setTimeout(r, 200));
    const c = await RawClient.open(vm.port);
    assert.match(await c.ask("?"), /^T05/);
    c.packet("k");
    assert.equal(await vm.exited, 0, "k ends the VM");
  } finally {
    vm.child.kill("SIGKILL");
  }
});

test("a --gdb port that is taken is a one-line error", async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const r = await runCli(["run", "--kernel", "guests/bin/debuggee.elf", "--gdb", String(port)]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `armvmm: error: --gdb ${port}: cannot listen on 127.0.0.1:${port}: EADDRINUSE\n`);
  } finally {
    server.close();
  }
});

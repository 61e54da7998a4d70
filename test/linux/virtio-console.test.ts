// --console virtio: the guest's /dev/hvc0 (virtio_console) is the terminal. The guest writes a line
// to hvc0 and reads one typed on the terminal from it; the PL011 keeps carrying the kernel log.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { failIfMissing } from "../helpers/required.js";
import { ABSENT, LIMIT_MS, SKIP, Scratch, bootVirtio, marker } from "./virtio-guest.js";

const scratch = new Scratch();
after(() => scratch.remove());

test(
  "hvc0 carries output to the terminal and typed input to the guest",
  { skip: SKIP, timeout: LIMIT_MS + 60_000 },
  async () => {
    failIfMissing(ABSENT);
    const img = scratch.image("console", {
      "test.sh": [
        'echo "armvmm-test: hvc $(cat /sys/class/tty/hvc0/dev)"',
        // Held open from here on: input that arrives while no one has the tty open could be lost.
        "exec 3<>/dev/hvc0",
        "stty -echo <&3",
        "echo written-to-hvc0 >&3",
        'echo "armvmm-test: ready"',
        "read -r line <&3",
        'echo "armvmm-test: got $line"',
        "",
      ].join("\n"),
    });
    const r = await bootVirtio({
      options: ["--drive", img, "--console", "virtio"],
      append: "root=/dev/vda armvmm.script=test.sh",
      type: { when: "armvmm-test: ready", text: "typed-on-the-terminal\r" },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(marker(r.stdout, "hvc") ?? "", /^\d+:\d+$/, "/dev/hvc0 exists");
    assert.match(r.stdout, /written-to-hvc0/, "guest output on hvc0 reaches the terminal");
    assert.equal(marker(r.stdout, "got"), "typed-on-the-terminal", "terminal input reaches the guest on hvc0");
  },
);

// Level 3 on a real guest: the first instructions of Debian's armmp zImage (its decompressor, cache
// set-up and MMU enable come early) in lockstep with QEMU. The kernel comes from `npm run guests`
// (scripts/fetch-debian-guests.sh); without it, or without QEMU, the test skips loudly.
// Longer runs: node dist/scripts/lockstep.js --kernel ~/.cache/armvmm/vmlinuz --max 100M

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { runLockstep } from "./lockstep.js";
import { skipWithoutQemu } from "./qemu-skip.js";
import { missing } from "../helpers/required.js";

const CACHE = process.env.ARMVMM_CACHE ?? join(homedir(), ".cache", "armvmm");
const ZIMAGE = join(CACHE, "vmlinuz");
/** About 15 s on the 2-core reference machine (QEMU's per-instruction log is the bottleneck). */
const INSTRUCTIONS = 2_000_000;

test(`Debian zImage: first ${INSTRUCTIONS} instructions in lockstep with QEMU`, { timeout: 300_000 }, async (t) => {
  if (skipWithoutQemu(t)) return;
  if (!existsSync(ZIMAGE)) {
    const reason = `${ZIMAGE} not found: run \`npm run guests\` to fetch Debian's kernel (zImage lockstep skipped)`;
    missing(t, reason);
    return;
  }
  const r = await runLockstep({ kernel: ZIMAGE, memMiB: 256, fpu: false, maxInstructions: INSTRUCTIONS });
  assert.ok(r.ok, r.report);
  assert.equal(r.instructions, INSTRUCTIONS);
  t.diagnostic(r.report);
});

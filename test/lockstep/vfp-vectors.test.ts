// The VFP reference vectors (test/unit/cpu/vfp-qemu-vectors.ts) are reproducible: the program that
// makes them (test/lockstep/vfp-oracle.ts: seeded operands, the guest guests/vfp-oracle on QEMU,
// the pick) must give the committed file byte for byte. Needs qemu-system-arm (skipped loudly
// without it, a failure under CI). To regenerate: npx tsc -p . && node dist/scripts/vfp-vectors.js

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { QEMU_VERSION } from "./qemu-skip.js";
import { missing } from "../helpers/required.js";
import { VECTORS_FILE, generateVectorsFile, inputImage, makeInputs, runOnQemu } from "./vfp-oracle.js";

const vectorLines = (text: string): string[] => text.split("\n").filter((l) => /^[0-9a-f]{8} /.test(l));

test("the committed VFP vectors are what the generator and QEMU give", { timeout: 600_000 }, async (t) => {
  if (!QEMU_VERSION) {
    missing(t, "qemu-system-arm not found: the VFP vectors were not regenerated from QEMU and compared");
    return;
  }
  const fresh = await generateVectorsFile(QEMU_VERSION);
  const committed = readFileSync(VECTORS_FILE, "utf8");
  if (fresh === committed) return;
  const want = vectorLines(fresh);
  const have = new Set(vectorLines(committed));
  const missingLines = want.filter((l) => !have.has(l));
  assert.fail(
    `test/unit/cpu/vfp-qemu-vectors.ts is not what the generator gives with ${QEMU_VERSION} ` +
      `(${want.length} vectors made, ${have.size} committed; the committed ones come from QEMU 7.2). ` +
      `Regenerate with: npx tsc -p . && node dist/scripts/vfp-vectors.js\n` +
      `first vectors made that the file lacks:\n${missingLines.slice(0, 5).join("\n") || "(none: the header differs)"}`,
  );
});

test("the generator is deterministic and covers every family in every FPSCR mode", () => {
  const a = makeInputs(1, 40);
  const b = makeInputs(1, 40);
  assert.ok(inputImage(a.map((x) => x.vector)).equals(inputImage(b.map((x) => x.vector))));
  const all = makeInputs();
  const modes = new Map<number, Set<number>>();
  for (const { family, vector } of all) {
    if (!modes.has(family)) modes.set(family, new Set());
    modes.get(family)!.add(vector.fpscr);
  }
  assert.equal(modes.size, 62);
  for (const [family, set] of modes) assert.equal(set.size, 16, `family ${family}: ${set.size} FPSCR modes`);
});

test("the oracle guest reports a vector QEMU did not run", { timeout: 60_000 }, async (t) => {
  if (!QEMU_VERSION) {
    missing(t, "qemu-system-arm not found: the VFP oracle guest was not run");
    return;
  }
  // An instruction the guest cannot run (UDF) ends it early: the run must fail, not come back short.
  const zero = "0".repeat(16);
  await assert.rejects(runOnQemu([{ instr: 0xe7f000f0, fpscr: 0, d: [zero, zero, zero] }]), /did not run every vector/);
});

// Regenerates the VFP reference vectors test/unit/cpu/vfp-qemu-vectors.ts from QEMU:
//
//   npx tsc -p . && node dist/scripts/vfp-vectors.js           # rewrite the file
//   npx tsc -p . && node dist/scripts/vfp-vectors.js --check   # only compare (exit 1 if it differs)
//
// Needs qemu-system-arm (Debian's qemu-system-arm; the committed vectors come from QEMU 7.2) and the
// committed guest image guests/bin/vfp-oracle.bin (guests/build.sh vfp-oracle rebuilds it). The
// generator itself, and what it does, is test/lockstep/vfp-oracle.ts; the same run is the test
// test/lockstep/vfp-vectors.test.ts. Exits 0 when the file is (now) up to date, 1 when --check found
// a difference, 2 on a usage or set-up error.

import { readFileSync, writeFileSync } from "node:fs";
import { VECTORS_FILE, generateVectorsFile } from "../test/lockstep/vfp-oracle.js";
import { qemuVersion } from "../test/lockstep/qemu-trace.js";

const args = process.argv.slice(2);
const check = args.includes("--check");
if (args.some((a) => a !== "--check")) {
  process.stderr.write("usage: node dist/scripts/vfp-vectors.js [--check]\n");
  process.exit(2);
}
const version = qemuVersion();
if (!version) {
  process.stderr.write("vfp-vectors: qemu-system-arm not found (install Debian's qemu-system-arm)\n");
  process.exit(2);
}
let fresh: string;
try {
  fresh = await generateVectorsFile(version);
} catch (e) {
  process.stderr.write(`vfp-vectors: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}
const committed = readFileSync(VECTORS_FILE, "utf8");
const count = (text: string) => text.split("\n").filter((l) => /^[0-9a-f]{8} /.test(l)).length;
if (fresh === committed) {
  process.stdout.write(`vfp-vectors: ${VECTORS_FILE} is up to date (${count(fresh)} vectors, ${version})\n`);
} else if (check) {
  process.stdout.write(`vfp-vectors: ${VECTORS_FILE} differs from what ${version} gives: run without --check\n`);
  process.exit(1);
} else {
  writeFileSync(VECTORS_FILE, fresh);
  process.stdout.write(`vfp-vectors: wrote ${count(fresh)} vectors to ${VECTORS_FILE} (${version})\n`);
}

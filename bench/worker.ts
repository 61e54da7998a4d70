// One armvmm measurement in a fresh Node process (no JIT warmth carried from another run):
// `node dist/bench/worker.js '<BootSpec as JSON>'` prints one RESULT_TAG line with the BootResult.

import { armvmmToLine, RESULT_TAG, type BootSpec } from "./guest-boot.js";

const spec = JSON.parse(process.argv[2] ?? "{}") as BootSpec;
const result = await armvmmToLine(spec);
process.stdout.write(RESULT_TAG + JSON.stringify(result) + "\n");
process.exit(0);

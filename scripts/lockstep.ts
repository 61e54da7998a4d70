// Command line for the lockstep comparison against QEMU (test/lockstep/lockstep.ts):
//
//   node dist/scripts/lockstep.js --kernel FILE [--elf FILE] [--max N] [--fpu] [--mem MiB]
//                                 [--append STR] [--initrd FILE] [--history N]
//
// --kernel  a raw image or a Linux zImage (loaded at 0x40010000, QEMU's boot stub protocol)
// --elf     the image's ELF, for symbol names in the report (guests/bin/<name>.elf)
// --max     stop after N matching instructions (default: run until the guest powers off)
// --fpu     also compare D0-D31 and FPSCR (QEMU's log is much larger: slower)
// Prints progress every million instructions and, at the end, the report; exits 0 when no
// divergence was found, 1 on a divergence, 2 on a usage or set-up error.

import { runLockstep, type LockstepOptions } from "../test/lockstep/lockstep.js";
import { qemuVersion } from "../test/lockstep/qemu-trace.js";

function usage(msg: string): never {
  process.stderr.write(
    `lockstep: ${msg}\nusage: node dist/scripts/lockstep.js --kernel FILE [--elf FILE] [--max N] [--fpu] [--mem MiB] [--append STR] [--initrd FILE] [--history N]\n`,
  );
  process.exit(2);
}

function parse(argv: string[]): LockstepOptions {
  const o: LockstepOptions = { kernel: "", memMiB: 128, fpu: false };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const value = (): string => {
      const v = argv[++k];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    const count = (): number => {
      const v = value();
      const n = Number(v.replace(/_/g, "").replace(/[kK]$/, "000").replace(/[mM]$/, "000000"));
      if (!Number.isInteger(n) || n < 0) usage(`${a}: not a count: ${v}`);
      return n;
    };
    switch (a) {
      case "--kernel":
        o.kernel = value();
        break;
      case "--elf":
        o.elf = value();
        break;
      case "--max":
        o.maxInstructions = count();
        break;
      case "--mem":
        o.memMiB = count();
        break;
      case "--fpu":
        o.fpu = true;
        break;
      case "--append":
        o.append = value();
        break;
      case "--initrd":
        o.initrd = value();
        break;
      case "--history":
        o.history = count();
        break;
      case "-h":
      case "--help":
        usage("compares armvmm's CPU with QEMU instruction by instruction");
        break;
      default:
        usage(`unknown argument ${a}`);
    }
  }
  if (!o.kernel) usage("--kernel is required");
  return o;
}

const options = parse(process.argv.slice(2));
const version = qemuVersion();
if (!version) {
  process.stderr.write("lockstep: qemu-system-arm not found (Debian package qemu-system-arm)\n");
  process.exit(2);
}
process.stderr.write(
  `lockstep: ${version}; ${options.kernel}${options.maxInstructions ? `, up to ${options.maxInstructions} instructions` : ""}\n`,
);
const started = Date.now();
options.onProgress = (n) => {
  const s = (Date.now() - started) / 1000;
  process.stderr.write(
    `lockstep: ${(n / 1e6).toFixed(0)}M instructions match (${s.toFixed(0)} s, ${(n / s / 1e3).toFixed(0)}k/s)\n`,
  );
};
runLockstep(options).then(
  (r) => {
    process.stdout.write(r.report + "\n");
    process.exit(r.ok ? 0 : 1);
  },
  (e: unknown) => {
    process.stderr.write(`lockstep: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);

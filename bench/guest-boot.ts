// Boots a guest on armvmm inside this process and stops it when a given console line appears,
// reporting the guest instructions executed by then (which only an in-process run can see).

import { readFileSync } from "node:fs";
import { buildVirtMachine } from "../src/board/virt-machine.js";
import { nodeLoop } from "../src/host/node/loop.js";
import { nodeThreads } from "../src/host/node/worker-threads.js";

export interface BootSpec {
  kernel: string;
  initrd?: string;
  append: string;
  smp: number;
  clock: "host" | "icount";
  /** A host thread per vcpu (host clock only), as the CLI runs by default. */
  threads: boolean;
  /** Stop when the console shows this text. */
  line: string;
  timeoutMs: number;
}

export interface BootResult {
  /** Whether the line appeared (else the guest stopped or the time ran out). */
  found: boolean;
  /** Wall seconds from building the machine to the line. */
  seconds: number;
  /** Guest instructions, all vcpus, at the line. */
  instructions: number;
  /** Guest time at the line (the counter at 62.5 MHz). */
  guestSeconds: number;
}

const COUNTER_HZ = 62_500_000;

/** Prefix of the line a worker process (worker.ts) prints its BootResult on. */
export const RESULT_TAG = "armvmm-bench-result ";

export async function armvmmToLine(spec: BootSpec): Promise<BootResult> {
  const start = performance.now();
  const want = spec.line;
  let tail = "";
  let result: BootResult | null = null;
  const machine = buildVirtMachine({
    ramSize: 512 << 20,
    vcpus: spec.smp,
    clock: spec.clock,
    kernel: new Uint8Array(readFileSync(spec.kernel)),
    initrd: spec.initrd === undefined ? null : new Uint8Array(readFileSync(spec.initrd)),
    bootargs: spec.append,
    loop: nodeLoop,
    threads: spec.threads ? nodeThreads : undefined,
    output: (byte) => {
      if (result !== null) return;
      tail = (tail + String.fromCharCode(byte)).slice(-want.length);
      if (tail === want) {
        result = {
          found: true,
          seconds: (performance.now() - start) / 1000,
          instructions: machine.instructions(),
          guestSeconds: machine.clock.now() / COUNTER_HZ,
        };
        machine.stop();
      }
    },
    log: () => {},
  });
  const timer = setTimeout(() => machine.stop(), spec.timeoutMs);
  await machine.run();
  clearTimeout(timer);
  return (
    result ?? {
      found: false,
      seconds: (performance.now() - start) / 1000,
      instructions: machine.instructions(),
      guestSeconds: machine.clock.now() / COUNTER_HZ,
    }
  );
}

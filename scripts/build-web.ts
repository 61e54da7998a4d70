// `npm run build:web`: the browser page into dist/web, a folder any static host can serve (with
// the two headers of web/HEADERS.md). esbuild bundles the page and its two workers from src/web;
// the page's static files, xterm's stylesheet and the project's bare-metal guests are copied in.

import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const OUT = join(ROOT, "dist", "web");

/** The guests the page offers, the vcpus each is meant for, and what it shows. */
const GUESTS: { name: string; vcpus: number; about: string }[] = [
  { name: "heartbeat", vcpus: 2, about: "each vcpu beats on its own virtual timer; SGIs between them" },
  { name: "timer", vcpus: 2, about: "the generic timer's registers and interrupts, checked from inside" },
  { name: "vgic", vcpus: 2, about: "the GICv2 distributor and CPU interface, checked from inside" },
  { name: "platform", vcpus: 4, about: "PSCI, the PL011 (type a line: it echoes it) and the PL031" },
  { name: "libcheck", vcpus: 4, about: "the guest library: exceptions, PSCI bring-up, SGIs" },
  { name: "smp", vcpus: 4, about: "code written by one CPU and run by the others" },
  { name: "fpswitch", vcpus: 2, about: "two vcpus using the VFP at once (lazy FP switching)" },
  { name: "pmu", vcpus: 1, about: "the performance monitors, checked from inside" },
  { name: "align", vcpus: 1, about: "alignment faults" },
  { name: "hello", vcpus: 1, about: "prints a greeting and powers off" },
  { name: "hang", vcpus: 2, about: "spins with interrupts masked (Power off still works)" },
];

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(OUT, "guests"), { recursive: true });
  await build({
    entryPoints: ["app", "io-worker", "vcpu-worker"].map((n) => join(ROOT, "src", "web", `${n}.ts`)),
    outdir: OUT,
    bundle: true,
    format: "esm",
    target: "es2022",
    sourcemap: true,
    minify: false,
    logLevel: "warning",
  });
  for (const f of ["index.html", "style.css", "HEADERS.md", "_headers"])
    copyFileSync(join(ROOT, "web", f), join(OUT, f));
  const require = createRequire(import.meta.url);
  copyFileSync(require.resolve("@xterm/xterm/css/xterm.css"), join(OUT, "xterm.css"));
  const bins = new Set(readdirSync(join(ROOT, "guests", "bin")));
  const catalogue = GUESTS.filter((g) => bins.has(`${g.name}.bin`)).map((g) => ({ ...g, file: `${g.name}.bin` }));
  for (const g of catalogue) copyFileSync(join(ROOT, "guests", "bin", g.file), join(OUT, "guests", g.file));
  writeFileSync(join(OUT, "guests", "index.json"), JSON.stringify(catalogue, null, 1));
  if (!existsSync(join(OUT, "app.js"))) throw new Error("esbuild wrote no app.js");
  console.log(`build:web: ${OUT} (${catalogue.length} guests)`);
}

main().catch((e: unknown) => {
  console.error(`build:web: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

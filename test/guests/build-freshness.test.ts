// The committed guest images (guests/bin) must match their sources. Without a cross compiler the
// check is by manifest: guests/bin/<name>.sha256 lists the hash of every input the build used and
// of both outputs, so editing a source (or adding one) without rebuilding fails here. With Debian's
// gcc-arm-none-eabi of the version in guests/bin/TOOLCHAIN, the guests are rebuilt into a temporary
// directory and compared byte for byte (the build is reproducible).

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { missing } from "../helpers/required.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const GUESTS = join(ROOT, "guests");
const BIN = join(GUESTS, "bin");
const NOT_GUESTS = new Set(["lib", "bin", "gen", "build", "include"]);

function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** Guest directories: those holding a .c or .S file. */
function guestNames(): string[] {
  return readdirSync(GUESTS)
    .filter((d) => !NOT_GUESTS.has(d) && statSync(join(GUESTS, d)).isDirectory())
    .filter((d) => readdirSync(join(GUESTS, d)).some((f) => f.endsWith(".c") || f.endsWith(".S")))
    .sort();
}

/** The files a guest's build reads, as paths relative to guests/ (what build.sh hashes): the build
 * script, the library, the shared includes and the guest's own files. */
function inputsOf(name: string): string[] {
  const files = (dir: string) =>
    readdirSync(join(GUESTS, dir))
      .filter((f) => statSync(join(GUESTS, dir, f)).isFile())
      .map((f) => `${dir}/${f}`);
  return ["build.sh", ...[...files("lib"), ...files("include"), ...files(name)].sort()];
}

function readManifest(name: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of readFileSync(join(BIN, `${name}.sha256`), "utf8").split("\n")) {
    const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (match) m.set(match[2], match[1]);
  }
  return m;
}

function loudSkip(t: { skip(message: string): void }, reason: string): void {
  process.stderr.write(`\n*** SKIPPED: guest sources check: ${reason} ***\n\n`);
  t.skip(reason);
}

test("every guest has committed images and a manifest", () => {
  const names = guestNames();
  assert.ok(names.length > 0, "no guests found under guests/");
  for (const name of names) {
    for (const ext of [".bin", ".elf", ".sha256"]) {
      assert.ok(existsSync(join(BIN, name + ext)), `guests/bin/${name}${ext} is missing: run guests/build.sh ${name}`);
    }
  }
});

for (const name of guestNames()) {
  test(`guests/bin/${name} is up to date with its sources (manifest)`, () => {
    const manifest = readManifest(name);
    const listed = [...manifest.keys()].filter((p) => !p.startsWith("bin/")).sort();
    assert.deepEqual(listed, [...inputsOf(name)].sort(), `the inputs of ${name} changed: run guests/build.sh ${name}`);
    for (const path of listed) {
      assert.equal(
        sha256(join(GUESTS, path)),
        manifest.get(path),
        `guests/${path} changed since guests/bin/${name} was built: run guests/build.sh ${name}`,
      );
    }
    for (const out of [`bin/${name}.bin`, `bin/${name}.elf`]) {
      assert.equal(sha256(join(GUESTS, out)), manifest.get(out), `guests/${out} does not match its manifest`);
    }
  });
}

test("the generated CPU test programs match their generator (guests/gen/gen_cpu.py)", (t) => {
  const probe = spawnSync("python3", ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    loudSkip(t, "python3 not found: the generated guests/gen-* sources were not regenerated and compared");
    return;
  }
  const out = mkdtempSync(join(tmpdir(), "armvmm-gen-"));
  try {
    execFileSync("python3", [join(GUESTS, "gen", "gen_cpu.py"), out], { stdio: ["ignore", "ignore", "pipe"] });
    const generated = readdirSync(out).sort();
    assert.ok(generated.length > 0, "the generator wrote nothing");
    for (const dir of generated) {
      for (const file of readdirSync(join(out, dir))) {
        const fresh = readFileSync(join(out, dir, file));
        const committed = readFileSync(join(GUESTS, dir, file));
        assert.ok(
          fresh.equals(committed),
          `guests/${dir}/${file} differs from the generator's output: rerun guests/gen/gen_cpu.py`,
        );
      }
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("rebuilding the guests gives the committed bytes", (t) => {
  const probe = spawnSync("arm-none-eabi-gcc", ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    missing(t, "arm-none-eabi-gcc not found (install Debian's gcc-arm-none-eabi to check the images byte for byte)");
    return;
  }
  const have = probe.stdout.split("\n")[0].trim();
  const built = readFileSync(join(BIN, "TOOLCHAIN"), "utf8").trim();
  if (have !== built) {
    loudSkip(t, `compiler differs from the one that built guests/bin ("${have}" vs "${built}"): bytes would differ`);
    return;
  }
  const out = mkdtempSync(join(tmpdir(), "armvmm-guests-"));
  try {
    execFileSync("bash", [join(GUESTS, "build.sh"), "--out", out], { stdio: ["ignore", "ignore", "pipe"] });
    for (const name of guestNames()) {
      for (const ext of [".bin", ".elf", ".sha256"]) {
        const fresh = readFileSync(join(out, name + ext));
        const committed = readFileSync(join(BIN, name + ext));
        assert.ok(
          fresh.equals(committed),
          `guests/bin/${name}${ext} differs from a fresh build: run guests/build.sh ${name}`,
        );
      }
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

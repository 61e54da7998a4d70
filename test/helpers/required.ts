// What to do when a test needs a tool or guest that npm cannot install. Outside CI the test skips
// loudly (a banner with the reason). Under CI (CI=true), `.ci/run` is meant to have provided it, so
// its absence is a failure: a suite that skips its most important tests must not go green.

import assert from "node:assert/strict";

export const IN_CI = process.env.CI === "true";

const warned = new Set<string>();

/** Skips `t` loudly with `reason`, or fails it under CI. Call it and return. */
export function missing(t: { skip(message: string): void }, reason: string): void {
  if (IN_CI) assert.fail(`${reason} [CI=true: .ci/run should have provided it]`);
  if (!warned.has(reason)) {
    process.stderr.write(`\n*** SKIPPED: ${reason} ***\n\n`);
    warned.add(reason);
  }
  t.skip(reason);
}

/** For tests whose need is known when they are defined: the `skip` option (a reason, or false).
 * Under CI it is always false; the test then calls `failIfMissing` first. */
export function skipOption(reason: string | false): string | false {
  if (reason === false || IN_CI) return false;
  if (!warned.has(reason)) {
    process.stderr.write(`\n*** SKIPPED: ${reason} ***\n\n`);
    warned.add(reason);
  }
  return reason;
}

/** Fails (under CI) a test whose need, known at definition time, is missing. */
export function failIfMissing(reason: string | false): void {
  if (reason !== false) assert.fail(`${reason} [CI=true: .ci/run should have provided it]`);
}

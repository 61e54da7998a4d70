// Mutation testing (stryker.config.json) runs each test file in a Node process of its own. Starting
// one process per unit-test file cost more than the tests themselves, so the runner is given one
// file per folder of unit tests: this module loads every test file of the folders it is given.

import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";

/** `folders` are paths under dist/test/unit; a `.test.js` path names one file. */
export async function importUnitTests(...folders: string[]): Promise<void> {
  const unit = fileURLToPath(new URL("../../test/unit/", import.meta.url));
  for (const folder of folders) {
    const files = folder.endsWith(".test.js")
      ? [join(unit, folder)]
      : readdirSync(join(unit, folder))
          .filter((name) => name.endsWith(".test.js"))
          .sort()
          .map((name) => join(unit, folder, name));
    for (const file of files) await import(pathToFileURL(file).href);
  }
}

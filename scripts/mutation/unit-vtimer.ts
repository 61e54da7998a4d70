// Every unit test of test/unit/vtimer, in one process (see unit-folder.ts).
import { importUnitTests } from "./unit-folder.js";

await importUnitTests("vtimer");

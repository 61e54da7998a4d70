// Every unit test of test/unit/timer, in one process (see unit-folder.ts).
import { importUnitTests } from "./unit-folder.js";

await importUnitTests("timer");

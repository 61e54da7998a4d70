// Every unit test of test/unit/vgic, in one process (see unit-folder.ts).
import { importUnitTests } from "./unit-folder.js";

await importUnitTests("vgic");

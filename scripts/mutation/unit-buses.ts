// The unit tests of the MMIO buses, in one process (see unit-folder.ts).
import { importUnitTests } from "./unit-folder.js";

await importUnitTests("devices/mmio-bus.test.js", "board/virt-bus.test.js");

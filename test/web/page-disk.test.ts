// Disks in the page: Debian's kernel with the virtio initramfs boots from an ext4 image the user
// picks (read with FileReaderSync), mounts a second one read over HTTP range requests from
// `armvmm web`, writes to the first, and powers off. Both images lie under a copy-on-write layer
// in memory: the guest sees its write, the files do not change.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { guestCacheDir } from "../../src/cli/guests.js";
import { failIfMissing, skipOption } from "../helpers/required.js";
import { ABSENT, INITRD, KERNEL, Scratch, debugfsCat, marker, sha256 } from "../linux/virtio-guest.js";
import { browserMissing, launchBrowser, openPage, startWebServer, waitForText, type WebServer } from "./browser.js";

const REASON = browserMissing() ?? ABSENT;
const SKIP = skipOption(REASON);
const DATA = Uint8Array.from({ length: 300_000 }, (_, k) => (k * 7919) & 0xff);

let scratch: Scratch | null = null;
let server: WebServer | null = null;
let browser: Browser | null = null;
let rootImage = "";
let urlImage = "";

before(async () => {
  if (REASON !== false) return;
  scratch = new Scratch();
  rootImage = scratch.image("root", {
    "data.bin": DATA,
    "test.sh": [
      'echo "armvmm-test: hash $(sha256sum data.bin | cut -d" " -f1)"',
      "mkdir -p /mnt2 && mount -t ext4 /dev/vdb /mnt2",
      'echo "armvmm-test: url $(cat /mnt2/hello.txt)"',
      "echo guest-was-here > /mnt2/touched.txt",
      "echo written-by-the-guest > written.txt",
      "sync",
      'echo "armvmm-test: written $(cat written.txt) $(cat /mnt2/touched.txt)"',
      "umount /mnt2",
      "",
    ].join("\n"),
  });
  urlImage = scratch.image("url", { "hello.txt": "read over range requests" });
  // A cache folder of our own: the Debian kernel and initramfs, and our image as the disk.
  const cache = mkdtempSync(join(tmpdir(), "armvmm-page-disk-"));
  const real = guestCacheDir();
  for (const f of ["vmlinuz", "initrd-shell.cpio.gz", "initrd-virtio.cpio.gz"])
    symlinkSync(join(real, f), join(cache, f));
  symlinkSync(urlImage, join(cache, "debian-12-armhf.img"));
  server = await startWebServer({ ARMVMM_CACHE: cache });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  scratch?.remove();
});

test(
  "a picked disk and one over HTTP range requests: the guest reads both and writes, the files stay as they were",
  { skip: SKIP, timeout: 600_000 },
  async () => {
    failIfMissing(REASON);
    const rootBefore = sha256(rootImage);
    const urlBefore = sha256(urlImage);
    const { page, errors } = await openPage(browser!, server!.url);
    await page.selectOption("#guest", "linux-files");
    await page.setInputFiles("#linux-files input[name=kernel]", KERNEL);
    await page.setInputFiles("#linux-files input[name=initrd]", INITRD);
    await page.setInputFiles("#linux-files input[name=disk]", rootImage);
    await page.fill("#linux-files input[name=disk-url]", "cache/debian-12-armhf.img");
    await page.fill(
      "#linux-files input[name=bootargs]",
      "console=ttyAMA0 cryptomgr.notests root=/dev/vda rw armvmm.script=test.sh",
    );
    await page.click("#linux-files button");
    const text = await waitForText(page, /armvmm-virtio: script exit \d+/, 500_000);
    assert.match(text, /armvmm-virtio: script exit 0/);
    assert.equal(marker(text, "hash"), sha256Bytes(DATA), "the guest read the picked file's data");
    assert.equal(marker(text, "url"), "read over range requests");
    assert.equal(marker(text, "written"), "written-by-the-guest guest-was-here");
    await page.waitForSelector('#status[data-state="powered off"]', { timeout: 60_000 });
    assert.equal(sha256(rootImage), rootBefore, "the picked file was written");
    assert.equal(sha256(urlImage), urlBefore, "the served image was written");
    assert.equal(debugfsCat(rootImage, "written.txt"), "");
    assert.deepEqual(errors, []);
    await page.close();
  },
);

function sha256Bytes(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

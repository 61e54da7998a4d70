// Which guest to run: the project's bare-metal guests (guests/index.json, built with the page),
// Debian's kernel and busybox initramfs when `armvmm web` serves the fetched guests (cache/), or
// a kernel and an initramfs the user picks.

import type { DiskSource, GuestFiles } from "./protocol.js";

export interface GuestChoice {
  label: string;
  /** vcpus the guest is meant for. */
  vcpus: number;
  ramMb: number;
  load(): Promise<GuestFiles>;
}

interface CatalogueEntry {
  name: string;
  file: string;
  vcpus: number;
  about: string;
}

interface CacheIndex {
  kernel: string;
  initrd: string;
  bootargs: string;
  /** Debian on a disk, when its image has been built (npm run guests -- --rootfs). */
  disk: { initrd: string; image: string; bootargs: string } | null;
}

async function fetchBytes(url: string, what: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch {
    throw new Error(`cannot fetch ${what} (${url}): the server did not answer`);
  }
  if (!res.ok) throw new Error(`cannot fetch ${what} (${url}): ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

export class GuestPicker {
  readonly ready: Promise<void>;
  private readonly choices = new Map<string, GuestChoice>();

  constructor(
    private readonly select: HTMLSelectElement,
    private readonly linuxFiles: HTMLElement,
    onPick: (choice: GuestChoice) => void,
  ) {
    this.ready = this.load();
    select.addEventListener("change", () => {
      this.showLinuxFiles();
      if (select.value !== "linux-files") onPick(this.current());
    });
    const boot = linuxFiles.querySelector("button");
    boot?.addEventListener("click", () => onPick(this.current()));
  }

  current(): GuestChoice {
    return this.choices.get(this.select.value) ?? this.choices.values().next().value!;
  }

  private showLinuxFiles(): void {
    this.linuxFiles.hidden = this.select.value !== "linux-files";
  }

  private add(key: string, group: HTMLOptGroupElement, choice: GuestChoice, about: string): void {
    this.choices.set(key, choice);
    const o = document.createElement("option");
    o.value = key;
    o.textContent = choice.label;
    o.title = about;
    group.append(o);
  }

  private async load(): Promise<void> {
    const bare = document.createElement("optgroup");
    bare.label = "Bare-metal guests";
    const linux = document.createElement("optgroup");
    linux.label = "Linux";
    let catalogue: CatalogueEntry[] = [];
    try {
      const res = await fetch("guests/index.json");
      if (res.ok) catalogue = (await res.json()) as CatalogueEntry[];
    } catch {
      // Reported below: an empty list.
    }
    for (const g of catalogue) {
      this.add(
        g.name,
        bare,
        {
          label: g.name,
          vcpus: g.vcpus,
          ramMb: 128,
          load: async () => ({
            name: g.name,
            kernel: await fetchBytes(`guests/${g.file}`, g.name),
            initrd: null,
            bios: null,
          }),
        },
        g.about,
      );
    }
    try {
      const res = await fetch("cache/index.json");
      if (res.ok) {
        const c = (await res.json()) as CacheIndex;
        /** Debian's kernel with one of the cached initramfs images. */
        const debian = async (name: string, initrd: string, bootargs: string, disks: DiskSource[] = []) => ({
          name,
          kernel: await fetchBytes(`cache/${c.kernel}`, "the Debian kernel"),
          initrd: await fetchBytes(`cache/${initrd}`, "the Debian initramfs"),
          bios: null,
          bootargs,
          disks,
        });
        this.add(
          "debian",
          linux,
          {
            label: "Debian armmp kernel, busybox shell",
            vcpus: 2,
            ramMb: 256,
            load: () => debian("Debian", c.initrd, c.bootargs),
          },
          "the Debian guest fetched by npm run guests",
        );
        const disk = c.disk;
        if (disk !== null) {
          this.add(
            "debian-disk",
            linux,
            {
              label: "Debian 12 on a disk (systemd; the image read by range requests)",
              vcpus: 2,
              ramMb: 512,
              load: () =>
                debian("Debian on a disk", disk.initrd, disk.bootargs, [
                  { name: disk.image, url: new URL(`cache/${disk.image}`, location.href).href },
                ]),
            },
            "Debian's root file system image built by npm run guests -- --rootfs; writes stay in the page",
          );
        }
      }
    } catch {
      // No cache: no such choice.
    }
    this.add(
      "linux-files",
      linux,
      {
        label: "Linux: a kernel and initramfs you pick…",
        vcpus: 2,
        ramMb: 256,
        load: () => this.pickedFiles(),
      },
      "a zImage and an initramfs from your disk",
    );
    this.select.replaceChildren(bare, linux);
    if (catalogue.some((g) => g.name === "heartbeat")) this.select.value = "heartbeat";
    this.showLinuxFiles();
  }

  private async pickedFiles(): Promise<GuestFiles> {
    const kernel = this.linuxFiles.querySelector<HTMLInputElement>("input[name=kernel]")?.files?.[0];
    const initrd = this.linuxFiles.querySelector<HTMLInputElement>("input[name=initrd]")?.files?.[0];
    const bootargs = this.linuxFiles.querySelector<HTMLInputElement>("input[name=bootargs]")?.value ?? "";
    const diskFiles = [...(this.linuxFiles.querySelector<HTMLInputElement>("input[name=disk]")?.files ?? [])];
    const diskUrl = this.linuxFiles.querySelector<HTMLInputElement>("input[name=disk-url]")?.value.trim() ?? "";
    const disks: DiskSource[] = diskFiles.map((f) => ({ name: f.name, file: f }));
    if (diskUrl !== "")
      disks.push({ name: diskUrl.split("/").pop() ?? "disk", url: new URL(diskUrl, location.href).href });
    if (kernel === undefined) throw new Error("pick a kernel file first");
    if (kernel.size === 0) throw new Error(`kernel '${kernel.name}' is empty`);
    return {
      name: kernel.name,
      kernel: new Uint8Array(await kernel.arrayBuffer()),
      initrd: initrd === undefined ? null : new Uint8Array(await initrd.arrayBuffer()),
      bios: null,
      bootargs: bootargs === "" ? "console=ttyAMA0" : bootargs,
      disks,
    };
  }
}

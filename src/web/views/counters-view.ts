// Counters: exits by reason per vcpu and the vtimer's counts (reported by the machine about once a
// second), the vgic's injections and maintenance interrupts (read live), and the instruction rate.

import type { MachineView } from "../../board/machine-view.js";
import type { VcpuExits } from "../protocol.js";
import { el, fillBody } from "./dom.js";

export class CountersView {
  readonly root: HTMLElement;
  private readonly exits = { body: el("tbody"), key: { last: "" } };
  private readonly exitsHead = el("tr");
  private readonly vgic = { body: el("tbody"), key: { last: "" } };
  private readonly rate = el("p", { class: "rate", "aria-live": "off" });
  private lastInstructions = -1;
  private lastAt = 0;

  constructor(private readonly view: MachineView) {
    this.root = el(
      "div",
      { class: "counters-view" },
      this.rate,
      el(
        "table",
        { class: "exits" },
        el("caption", {}, "Exits and timer counts by vcpu"),
        el("thead", {}, this.exitsHead),
        this.exits.body,
      ),
      el("table", { class: "vgic-counters" }, el("caption", {}, "vGIC"), this.vgic.body),
    );
    this.exitsHead.append(el("th", { scope: "col" }, "reason"));
    for (let v = 0; v < view.vcpus; v++) this.exitsHead.append(el("th", { scope: "col" }, `vcpu${v}`));
  }

  /** The machine's periodic report. */
  report(exits: VcpuExits[], vtimer: VcpuExits[], instructions: number): void {
    const rows: string[][] = [];
    const add = (prefix: string, per: VcpuExits[]) => {
      const names = per[0]?.exits.map(([n]) => n) ?? [];
      for (const name of names) {
        const cells = per.map((p) => p.exits.find(([n]) => n === name)?.[1] ?? 0);
        if (cells.every((c) => c === 0)) continue;
        rows.push([prefix + name, ...cells.map(String)]);
      }
    };
    add("", exits);
    add("vtimer: ", vtimer);
    fillBody(this.exits.body, rows, this.exits.key);
    const now = performance.now();
    if (this.lastInstructions >= 0 && now > this.lastAt) {
      const mips = (instructions - this.lastInstructions) / ((now - this.lastAt) * 1000);
      this.rate.textContent = `${mips.toFixed(1)} million instructions per second, ${(instructions / 1e6).toFixed(1)} M in all`;
    }
    this.lastInstructions = instructions;
    this.lastAt = now;
  }

  update(): void {
    const c = this.view.counters();
    const rows: string[][] = [
      ["LR fills", String(c.lrFills)],
      ["acknowledges (seen at sync)", String(c.acknowledges)],
      ["EOIs", String(c.eois)],
      ["maintenance interrupts", String(c.maintenance)],
      ...c.maintenanceByKind.filter(([, n]) => n !== 0).map(([k, n]) => [`  maintenance: ${k}`, String(n)]),
      ["overflowing flushes", String(c.overflows)],
      ["deepest queue", String(c.deepestQueue)],
      ...c.injections.map(([id, n]) => [`injections of INTID ${id}`, String(n)]),
    ];
    fillBody(this.vgic.body, rows, this.vgic.key);
  }
}

// The vGIC view: each vcpu's list registers (INTID, state, priority, HW), its interface's control
// registers, its overflow queue, and the distributor's interrupts that are enabled, pending or
// active, read live from the machine's shared state at the animation frame rate.

import type { MachineView } from "../../board/machine-view.js";
import { EV_LR_FILL } from "../../vmm/vcpu-events.js";
import { el, fillBody, hex } from "./dom.js";

/** Fills a vcpu's line shows: an LR holds an interrupt for microseconds, far less than a frame, so
 * the view also lists what entered the LRs lately, as the vcpus recorded it. */
const RECENT = 8;
const TICKS_PER_MS = 62_500;

const LR_STATES = ["invalid", "pending", "active", "pending+active"];

function table(caption: string, headers: string[]): { table: HTMLTableElement; body: HTMLTableSectionElement } {
  const body = el("tbody");
  const t = el(
    "table",
    {},
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col" }, h)))),
    body,
  );
  return { table: t, body };
}

export class VgicView {
  readonly root: HTMLElement;
  private readonly lrBodies: { body: HTMLTableSectionElement; key: { last: string } }[] = [];
  private readonly regs: HTMLElement[] = [];
  private readonly queues: HTMLElement[] = [];
  private readonly fills: HTMLElement[] = [];
  private readonly recent: { t: number; intid: number }[][] = [];
  private readonly cursors: number[] = [];
  private latest = 0;
  private readonly dist: { body: HTMLTableSectionElement; key: { last: string } };
  private readonly distState: HTMLElement;

  constructor(
    private readonly view: MachineView,
    private readonly now: (() => number) | null,
  ) {
    const cpus = el("div", { class: "cpus" });
    for (let v = 0; v < view.vcpus; v++) {
      const t = table(`vcpu${v} list registers`, ["LR", "INTID", "state", "priority", "HW"]);
      t.table.setAttribute("data-vcpu", String(v));
      t.table.classList.add("lrs");
      const regs = el("p", { class: "regs", "aria-label": `vcpu${v} GICH registers` });
      const queue = el("p", { class: "queue", "aria-label": `vcpu${v} overflow queue` });
      const fills = el("p", {
        class: "fills",
        "data-vcpu": String(v),
        "aria-label": `vcpu${v} recent list register fills`,
      });
      cpus.append(el("section", { class: "cpu" }, t.table, fills, regs, queue));
      this.fills.push(fills);
      this.recent.push([]);
      this.cursors.push(0);
      this.lrBodies.push({ body: t.body, key: { last: "" } });
      this.regs.push(regs);
      this.queues.push(queue);
    }
    const d = table("Distributor: enabled, pending or active interrupts", [
      "INTID",
      "copy",
      "enabled",
      "pending",
      "active",
      "priority",
      "trigger",
      "targets",
    ]);
    d.table.classList.add("distributor");
    this.dist = { body: d.body, key: { last: "" } };
    this.distState = el("p", { class: "dist-state" });
    this.root = el("div", { class: "vgic-view" }, cpus, this.distState, d.table);
  }

  update(): void {
    const view = this.view;
    for (let v = 0; v < view.vcpus; v++) {
      const recent = this.recent[v];
      this.cursors[v] = view.events.read(v, this.cursors[v], (t, kind, arg) => {
        if (t > this.latest) this.latest = t;
        if (kind !== EV_LR_FILL) return;
        recent.unshift({ t, intid: arg });
        if (recent.length > RECENT) recent.pop();
      });
      const now = this.now !== null ? this.now() : this.latest;
      const fills =
        "entered the LRs lately: " +
        (recent.length === 0
          ? "nothing yet"
          : recent
              .map((f) => `INTID ${f.intid} (${Math.max(0, (now - f.t) / TICKS_PER_MS).toFixed(0)} ms ago)`)
              .join(", "));
      if (this.fills[v].textContent !== fills) this.fills[v].textContent = fills;
      const c = view.cpuInterface(v);
      fillBody(
        this.lrBodies[v].body,
        c.lrs.map((lr, n) =>
          lr.state === 0
            ? [`LR${n}`, "", "invalid", "", ""]
            : [
                `LR${n}`,
                String(lr.intid),
                LR_STATES[lr.state],
                String(lr.priority),
                lr.hw ? `HW (${lr.physical})` : "",
              ],
        ),
        this.lrBodies[v].key,
      );
      const regs = `HCR ${hex(c.hcr)}  VMCR ${hex(c.vmcr)}  APR ${hex(c.apr)}  MISR ${hex(c.misr)}  ELRSR ${hex(c.elrsr)}`;
      if (this.regs[v].textContent !== regs) this.regs[v].textContent = regs;
      const queue = `overflow queue: ${c.queued.length === 0 ? "empty" : c.queued.join(", ")}`;
      if (this.queues[v].textContent !== queue) this.queues[v].textContent = queue;
    }
    const state = `GICD_CTLR ${hex(view.distributorEnabled, 1)}`;
    if (this.distState.textContent !== state) this.distState.textContent = state;
    fillBody(
      this.dist.body,
      view
        .interrupts()
        .map((i) => [
          String(i.intid),
          i.vcpu < 0 ? "SPI" : `vcpu${i.vcpu}`,
          i.enabled ? "yes" : "no",
          i.pending ? "yes" : "no",
          i.active ? "yes" : "no",
          String(i.priority),
          i.edge ? "edge" : "level",
          i.targets.toString(2).padStart(view.vcpus, "0"),
        ]),
      this.dist.key,
    );
  }
}

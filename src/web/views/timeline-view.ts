// The timers' timeline: one lane per vcpu, scrolling with guest time. A lane shows what the vcpu
// did (running, waiting in WFI while it polls, blocked on the host, off, paused), the deadlines of
// its virtual timer, each host timer the vtimer armed while the vcpu was away, each injection of
// PPI 27 and each acknowledge by the guest, and the latency from a deadline to the guest's
// acknowledge of the tick. It reads the vcpus' event rings once per animation frame.

import type { MachineView } from "../../board/machine-view.js";
import {
  EV_ACK,
  EV_BLOCK,
  EV_DEADLINE,
  EV_HOLD,
  EV_HOST_FIRED,
  EV_HOST_TIMER,
  EV_INJECT,
  EV_OFF,
  EV_RUN,
  EV_WFI,
} from "../../vmm/vcpu-events.js";
import { el } from "./dom.js";

const TICKS_PER_MS = 62_500;
/** The window the timeline shows (ms of guest time). */
const WINDOW_MS = 2000;
const LANE_H = 46;
const PPI_VIRT_TIMER = 27;

const STATE_COLOURS: Record<number, string> = {
  [EV_RUN]: "#2e9e4f",
  [EV_WFI]: "#e0b422",
  [EV_BLOCK]: "#9aa3ad",
  [EV_OFF]: "#00000000",
  [EV_HOLD]: "#6b5ca5",
};
export const STATE_NAMES: Record<number, string> = {
  [EV_RUN]: "running",
  [EV_WFI]: "waiting in WFI",
  [EV_BLOCK]: "blocked",
  [EV_OFF]: "off",
  [EV_HOLD]: "paused",
};

interface Mark {
  t: number;
  kind: number;
  arg: number;
}

class Lane {
  cursor = 0;
  /** State changes in the window: [t, kind]. */
  states: Mark[] = [];
  marks: Mark[] = [];
  lastDeadline = -1;
  latencies: number[] = [];
  injections = 0;
  hostTimers = 0;
}

export class TimelineView {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly summary: HTMLElement;
  private readonly lanes: Lane[] = [];
  private latest = 0;
  /** Where the window stops once the machine has ended (-1 while it runs). */
  private endedAt = -1;

  constructor(
    private readonly view: MachineView,
    /** The guest's count now, or null when only the events tell (icount). */
    private readonly now: (() => number) | null,
  ) {
    for (let v = 0; v < view.vcpus; v++) this.lanes.push(new Lane());
    this.canvas = el("canvas", {
      class: "timeline",
      role: "img",
      height: String(view.vcpus * LANE_H + 20),
      width: "900",
    });
    this.summary = el("ul", { class: "timeline-summary", "aria-live": "off" });
    const legend = el(
      "p",
      { class: "legend" },
      ...[EV_RUN, EV_WFI, EV_BLOCK, EV_HOLD].map((k) =>
        el("span", { class: "key", style: `--c:${STATE_COLOURS[k]}` }, STATE_NAMES[k]),
      ),
      el("span", { class: "key mark deadline" }, "timer deadline"),
      el("span", { class: "key mark host" }, "host timer armed"),
      el("span", { class: "key mark inject" }, "PPI 27 injected"),
      el("span", { class: "key mark ack" }, "guest acknowledge"),
    );
    this.root = el("div", { class: "timeline-view" }, legend, this.canvas, this.summary);
  }

  /** Reads what the vcpus recorded since the last frame and draws the window ending now. */
  update(): void {
    const events = this.view.events;
    for (let v = 0; v < this.lanes.length; v++) {
      const lane = this.lanes[v];
      lane.cursor = events.read(v, lane.cursor, (t, kind, arg) => {
        if (t > this.latest) this.latest = t;
        switch (kind) {
          case EV_RUN:
          case EV_WFI:
          case EV_BLOCK:
          case EV_OFF:
          case EV_HOLD:
            lane.states.push({ t, kind, arg });
            return;
          case EV_DEADLINE:
            if (arg !== lane.lastDeadline) lane.marks.push({ t: arg, kind, arg });
            lane.lastDeadline = arg;
            return;
          case EV_HOST_TIMER:
            lane.hostTimers++;
            lane.lastDeadline = arg;
            lane.marks.push({ t, kind, arg });
            return;
          case EV_INJECT:
            lane.injections++;
            lane.marks.push({ t, kind, arg });
            return;
          case EV_ACK:
            if (arg === PPI_VIRT_TIMER) {
              lane.marks.push({ t, kind, arg });
              if (lane.lastDeadline >= 0 && lane.lastDeadline <= t) {
                lane.latencies.push((t - lane.lastDeadline) / TICKS_PER_MS);
                if (lane.latencies.length > 200) lane.latencies.shift();
                lane.lastDeadline = -1;
              }
            }
            return;
          case EV_HOST_FIRED:
            lane.marks.push({ t, kind, arg });
            return;
        }
      });
    }
    const end = this.endedAt >= 0 ? this.endedAt : this.now !== null ? this.now() : this.latest;
    this.draw(end);
  }

  /** The machine has ended: the window stays where it is, and every lane shows it off. */
  ended(): void {
    this.update();
    this.endedAt = this.now !== null ? this.now() : this.latest;
    for (const lane of this.lanes) lane.states.push({ t: this.endedAt, kind: EV_OFF, arg: 0 });
    this.update();
  }

  private draw(end: number): void {
    const cv = this.canvas;
    const width = cv.clientWidth > 0 ? cv.clientWidth : 900;
    if (cv.width !== width) cv.width = width;
    const ctx = cv.getContext("2d");
    if (ctx === null) return;
    const left = 60;
    const span = WINDOW_MS * TICKS_PER_MS;
    const start = end - span;
    const x = (t: number) => left + ((t - start) / span) * (width - left - 4);
    ctx.clearRect(0, 0, cv.width, cv.height);
    ctx.font = "12px system-ui, sans-serif";
    const lines: string[] = [];
    this.lanes.forEach((lane, v) => {
      const top = v * LANE_H + 4;
      // Forget what scrolled out, keeping the state in force at the window's start.
      while (lane.states.length > 1 && lane.states[1].t < start) lane.states.shift();
      while (lane.marks.length > 0 && lane.marks[0].t < start) lane.marks.shift();
      ctx.fillStyle = "#444";
      ctx.fillText(`vcpu${v}`, 4, top + 20);
      for (let k = 0; k < lane.states.length; k++) {
        const s = lane.states[k];
        const until = k + 1 < lane.states.length ? lane.states[k + 1].t : end;
        ctx.fillStyle = STATE_COLOURS[s.kind] ?? "#000";
        const x0 = Math.max(left, x(s.t));
        ctx.fillRect(x0, top + 8, Math.max(1, x(until) - x0), 18);
      }
      for (const m of lane.marks) {
        const mx = x(m.t);
        switch (m.kind) {
          case EV_DEADLINE:
            ctx.fillStyle = "#d43d2f";
            ctx.fillRect(mx - 1, top + 2, 2, 30);
            break;
          case EV_HOST_TIMER:
            ctx.fillStyle = "#2f6fd4";
            ctx.beginPath();
            ctx.moveTo(mx, top + 34);
            ctx.lineTo(mx - 5, top + 42);
            ctx.lineTo(mx + 5, top + 42);
            ctx.fill();
            // And where it will fire.
            ctx.fillRect(x(m.arg) - 1, top + 34, 2, 8);
            break;
          case EV_INJECT:
            dot(ctx, mx, top + 4, "#f08a24");
            break;
          case EV_ACK:
            dot(ctx, mx, top + 30, "#8e3fc0");
            break;
        }
      }
      const current = lane.states.length > 0 ? STATE_NAMES[lane.states[lane.states.length - 1].kind] : "running";
      const lat = lane.latencies;
      const last = lat.length > 0 ? lat[lat.length - 1] : NaN;
      const mean = lat.length > 0 ? lat.reduce((a, b) => a + b, 0) / lat.length : NaN;
      const latency =
        lat.length > 0 ? `tick latency last ${fmt(last)}, mean ${fmt(mean)} over ${lat.length}` : "no ticks yet";
      lines.push(
        `vcpu${v}: ${current}; ${lane.injections} timer injections, ${lane.hostTimers} host timers armed; ${latency}`,
      );
    });
    const text = lines.join("\n");
    if (this.summary.dataset.text !== text) {
      this.summary.dataset.text = text;
      this.summary.replaceChildren(...lines.map((l) => el("li", {}, l)));
      cv.setAttribute("aria-label", `Timer timeline of the last ${WINDOW_MS / 1000} s. ${lines.join(". ")}`);
    }
  }
}

function dot(ctx: CanvasRenderingContext2D, x: number, y: number, colour: string): void {
  ctx.fillStyle = colour;
  ctx.beginPath();
  ctx.arc(x, y, 3.5, 0, 2 * Math.PI);
  ctx.fill();
}

function fmt(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`;
}

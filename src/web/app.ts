// The page: a guest's console in xterm.js, the controls, and the live views of the vGIC, the
// timers and the counters. The machine runs in workers (io-worker.ts, and a vcpu-worker.ts per
// vcpu); the views read its shared state directly, once per animation frame while visible.

import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import { HostClock } from "../host/clock.js";
import { MachineView } from "../board/machine-view.js";
import type { FromIo, GuestFiles, StartRequest, ToIo } from "./protocol.js";
import { VgicView } from "./views/vgic-view.js";
import { TimelineView } from "./views/timeline-view.js";
import { CountersView } from "./views/counters-view.js";
import { GuestPicker, type GuestChoice } from "./guest-picker.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const term = new Terminal({
  // Bare-metal guests end lines with \n alone; Linux's \r\n is unaffected.
  convertEol: true,
  screenReaderMode: true,
  fontSize: 14,
  scrollback: 5000,
  theme: { background: "#101418" },
});
const fit = new FitAddon();
term.loadAddon(fit);
term.open($("terminal"));
fit.fit();
addEventListener("resize", () => fit.fit());

const status = $<HTMLParagraphElement>("status");
const pauseButton = $<HTMLButtonElement>("pause");
const vcpusSelect = $<HTMLSelectElement>("vcpus");
const clockSelect = $<HTMLSelectElement>("clock");

/** What the page is doing, for people and for tests. */
let state: "starting" | "running" | "paused" | "powered off" | "reset" | "stopped" | "error" = "starting";
function setStatus(s: typeof state, text: string): void {
  state = s;
  status.textContent = text;
  status.dataset.state = s;
}

interface Running {
  worker: Worker;
  view: MachineView | null;
  vgic: VgicView | null;
  timeline: TimelineView | null;
  counters: CountersView | null;
  statsTimer: ReturnType<typeof setInterval> | null;
  guest: GuestChoice;
}
let running: Running | null = null;

function send(r: Running, m: ToIo, transfer: Transferable[] = []): void {
  r.worker.postMessage(m, transfer);
}

function stopMachine(): void {
  if (running === null) return;
  if (running.statsTimer !== null) clearInterval(running.statsTimer);
  running.view?.watch(false);
  running.worker.terminate();
  running = null;
}

/** Which start is the latest: a start that finds a later one begun while it loaded its files
 * gives way (the user picked another guest while the first was still being fetched). */
let starts = 0;

async function start(choice: GuestChoice): Promise<void> {
  const mine = ++starts;
  stopMachine();
  term.reset();
  setStatus("starting", `starting ${choice.label}…`);
  let files: GuestFiles;
  try {
    files = await choice.load();
  } catch (e) {
    if (mine === starts) setStatus("error", e instanceof Error ? e.message : String(e));
    return;
  }
  if (mine !== starts) return;
  stopMachine();
  const worker = new Worker(new URL("./io-worker.js", import.meta.url), { type: "module", name: "armvmm I/O" });
  const r: Running = {
    worker,
    view: null,
    vgic: null,
    timeline: null,
    counters: null,
    statsTimer: null,
    guest: choice,
  };
  running = r;
  worker.onerror = (e) => {
    e.preventDefault();
    if (running === r) setStatus("error", `the machine's worker failed: ${e.message}`);
  };
  worker.onmessage = (e: MessageEvent<FromIo>) => {
    if (running !== r) return;
    onMachineMessage(r, e.data);
  };
  const req: StartRequest = {
    k: "start",
    guest: files,
    vcpus: Number(vcpusSelect.value),
    clock: clockSelect.value === "icount" ? "icount" : "host",
    ramMb: choice.ramMb,
  };
  send(r, req);
}

function onMachineMessage(r: Running, m: FromIo): void {
  switch (m.k) {
    case "started": {
      const view = new MachineView(m.buffers);
      r.view = view;
      const clock = m.threaded ? new HostClock(view.control.clockBase) : null;
      r.vgic = new VgicView(view, clock === null ? null : () => clock.now());
      r.timeline = new TimelineView(view, clock === null ? null : () => clock.now());
      r.counters = new CountersView(view);
      $("vgic-body").replaceChildren(r.vgic.root);
      $("timeline-body").replaceChildren(r.timeline.root);
      $("counters-body").replaceChildren(r.counters.root);
      r.statsTimer = setInterval(() => send(r, { k: "stats" }), 1000);
      setStatus(
        "running",
        `${r.guest.label} on ${view.vcpus} vcpu${view.vcpus > 1 ? "s" : ""} (${m.threaded ? "a thread each, host clock" : "one thread, icount"})`,
      );
      pauseButton.textContent = "Pause";
      return;
    }
    case "output":
      term.write(m.bytes);
      return;
    case "log":
      term.write(`\r\n\x1b[33marmvmm: ${m.message}\x1b[0m\r\n`);
      return;
    case "stats":
      r.counters?.report(m.exits, m.vtimer, m.instructions);
      return;
    case "ended": {
      if (r.statsTimer !== null) clearInterval(r.statsTimer);
      r.statsTimer = null;
      // One last look at the views, then nothing more to sample.
      frame(true);
      r.timeline?.ended();
      r.view?.watch(false);
      if (m.error !== undefined) setStatus("error", m.error);
      else if (m.how === "reset") {
        setStatus("reset", "the guest reset the machine: starting again");
        void start(r.guest);
      } else if (m.how === "power-off") setStatus("powered off", "the guest powered off");
      else setStatus("stopped", "powered off");
      return;
    }
  }
}

term.onData((data) => {
  if (running === null || state !== "running") return;
  const bytes = new TextEncoder().encode(data);
  send(running, { k: "input", bytes }, [bytes.buffer]);
});

// The views sample at the animation frame rate, and only those open on a visible page; the
// vcpus record timeline events only while the timeline is shown.
function frame(force = false): void {
  const r = running;
  if (r === null || r.view === null) return;
  const visible = document.visibilityState === "visible";
  const timelineOpen = visible && $<HTMLDetailsElement>("timeline").open;
  const vgicOpen = visible && $<HTMLDetailsElement>("vgic").open;
  r.view.watch((timelineOpen || vgicOpen) && state !== "stopped" && state !== "powered off");
  if (!visible && !force) return;
  if (vgicOpen || force) r.vgic?.update();
  if (timelineOpen || force) r.timeline?.update();
  if ($<HTMLDetailsElement>("counters").open || force) r.counters?.update();
}
// Leaving the page ends the machine (its workers would otherwise spin on until the tab's process goes).
addEventListener("pagehide", stopMachine);

const animate = () => {
  frame();
  requestAnimationFrame(animate);
};
requestAnimationFrame(animate);

// A new guest starts on the vcpus it is meant for; Reset and the selects keep what is chosen.
const picker = new GuestPicker($("guest"), $("linux-files"), (choice) => {
  vcpusSelect.value = String(choice.vcpus);
  void start(choice);
});

$("reset").addEventListener("click", () => void start(picker.current()));
pauseButton.addEventListener("click", () => {
  if (running === null) return;
  if (state === "running") {
    send(running, { k: "pause", on: true });
    setStatus("paused", "paused (guest time stands still)");
    pauseButton.textContent = "Resume";
  } else if (state === "paused") {
    send(running, { k: "pause", on: false });
    setStatus("running", "running");
    pauseButton.textContent = "Pause";
  }
});
$("poweroff").addEventListener("click", () => {
  if (running !== null && (state === "running" || state === "paused")) {
    if (state === "paused") send(running, { k: "pause", on: false });
    send(running, { k: "power-off" });
  }
});
vcpusSelect.addEventListener("change", () => void start(picker.current()));
clockSelect.addEventListener("change", () => void start(picker.current()));

// For tests and the curious: the console's text and the page's state.
(globalThis as unknown as { armvmm: object }).armvmm = {
  text(): string {
    const b = term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? "");
    return lines.join("\n");
  },
  state: () => state,
};

void picker.ready.then(() => {
  vcpusSelect.value = String(picker.current().vcpus);
  void start(picker.current());
});

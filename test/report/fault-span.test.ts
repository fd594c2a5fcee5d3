/**
 * The charts shade each fault for the span it was in force (start to its recorded end), and the
 * chaos window (first fault to the method's end) separately; journals written before either was
 * recorded render as they did.
 */
import { describe, expect, it } from "vitest";
import { parseJournal } from "../../src/report/journal-file.js";
import { runReport } from "../../src/report/run-report.js";
import { renderRuns } from "../../src/report/index.js";

const START = "2020-11-25T13:16:32.000Z";
const at = (s: number) => new Date(Date.parse(START) + s * 1000).toISOString();

interface Fault {
  step: string;
  fault: string;
  startedAt: string;
  endedAt?: string;
  experimentId?: string;
  status?: string;
}

function journal(o: { faults: Fault[]; chaosWindow?: { start: string; end?: string }; rollbacksAt?: number }) {
  const points = [0, 60, 120, 180, 240, 300].map((s) => ({ at: at(s), ok: true, values: { running: 6 } }));
  return JSON.stringify({
    start: START,
    end: at(328),
    duration: 328,
    status: "completed",
    deviated: false,
    experiment: { title: "A spot interruption drains the web tier" },
    steady_states: { before: null, after: null, during: [] },
    run: [],
    rollbacks: [],
    gameday: {
      runId: "spot-interrupt-00000007",
      seed: 7,
      target: { kind: "sandbox", region: "us-east-1" },
      clock: "virtual",
      complete: true,
      verdict: "held",
      probes: [{ step: "web-keeps-capacity", probe: "service-recovery", mode: "continuous", verdict: "passed", readings: 6, failed: 0, series: { units: { running: "count" }, points } }],
      faults: o.faults.map((f) => ({ targets: [], ...f })),
      ...(o.chaosWindow ? { chaosWindow: o.chaosWindow } : {}),
      rollbackResults: o.rollbacksAt === undefined ? [] : [{ description: "put the service back", ok: true, at: at(o.rollbacksAt) }],
      during: { readings: 0, failed: 0 },
      warnings: [],
      ledger: "x",
    },
  });
}

type Attrs = Record<string, string>;

/** The attributes of every `<rect class="...">` of that class in the first chart. */
function rects(html: string, cls: string): Attrs[] {
  const svg = html.slice(html.indexOf("<svg class=\"chart\""), html.indexOf("</svg>"));
  return [...svg.matchAll(new RegExp(`<rect class="${cls}"([^>]*)>`, "g"))].map((m) => Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])));
}

const right = (r: Attrs) => Number(r.x) + Number(r.width);

describe("fault shading in the charts", () => {
  it("shades a fault that ended before the chaos window's end only to its end, and the window to the method's end", () => {
    // spot-interrupt: the notice at +0:58, FIS completes the action at +2:58 (PT2M), the method ends at +3:59.
    const doc = journal({
      faults: [{ step: "interrupt-one-spot-instance", fault: "spot-interrupt", experimentId: "EXP1", status: "completed", startedAt: at(58), endedAt: at(178) }],
      chaosWindow: { start: at(58), end: at(239) },
      rollbacksAt: 298,
    });
    const run = runReport(parseJournal(doc, "journal.json"));
    expect(run.faults[0]!.inForce).toEqual({ start: 58_000, end: 178_000 });
    expect(run.chaosWindow).toEqual({ start: 58_000, end: 239_000 });
    const html = renderRuns([run], "html");
    const [fault] = rects(html, "fault");
    const [window] = rects(html, "chaos-window");
    expect(fault).toMatchObject({ "data-step": "interrupt-one-spot-instance", "data-start": "58000", "data-end": "178000" });
    // Same left edge; the fault's shading stops two thirds of the way along the window (120 of 181 s).
    expect(Number(fault!.x)).toBeCloseTo(Number(window!.x), 0);
    expect(right(fault!)).toBeLessThan(right(window!) - 50);
    expect(Number(fault!.width) / Number(window!.width)).toBeCloseTo(120 / 181, 2);
  });

  it("shades a fault without FIS (it stays until the rollbacks undo it) until the rollbacks began", () => {
    const doc = journal({ faults: [{ step: "bad-deploy", fault: "deploy", status: "completed", startedAt: at(30) }], chaosWindow: { start: at(30), end: at(200) }, rollbacksAt: 298 });
    const run = runReport(parseJournal(doc, "journal.json"));
    expect(run.faults[0]!.inForce).toEqual({ start: 30_000, end: 298_000 });
    expect(rects(renderRuns([run], "html"), "fault")[0]).toMatchObject({ "data-start": "30000", "data-end": "298000" });
  });

  it("renders an older journal (no chaos window recorded, the fault's end taken at the method's end) as before", () => {
    const doc = journal({ faults: [{ step: "interrupt-one-spot-instance", fault: "spot-interrupt", experimentId: "EXP1", status: "completed", startedAt: at(58), endedAt: at(239) }] });
    const run = runReport(parseJournal(doc, "journal.json"));
    expect(run.chaosWindow).toEqual({ start: 58_000, end: 239_000 });
    const html = renderRuns([run], "html");
    const [fault] = rects(html, "fault");
    const [window] = rects(html, "chaos-window");
    expect(fault).toMatchObject({ "data-start": "58000", "data-end": "239000" });
    expect([fault!.x, fault!.width]).toEqual([window!.x, window!.width]);
  });
});

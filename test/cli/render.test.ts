import { describe, expect, it } from "vitest";
import { TimelineRenderer, elapsed, isNotable } from "../../src/cli/render.js";
import type { RunEvent } from "../../src/engine/events.js";

const at = (s: number) => 1_000_000 + s * 1000;
const events: RunEvent[] = [
  { type: "run-started", at: at(0), runId: "spot-interrupt-0000002a", title: "A spot interruption", seed: 42, target: "sandbox", clock: "virtual" },
  { type: "phase", at: at(0), phase: "method" },
  { type: "step-started", at: at(30), step: "interrupt", kind: "fault" },
  { type: "reading", at: at(31), probe: "draining", mode: "on-chaos", ok: false, summary: "lateDrains was 1, expected 0" },
  { type: "verdict", at: at(290), verdict: "deviated", exitCode: 1, summary: "deviated: draining" },
];

function render(tty: boolean): string {
  let out = "";
  const r = new TimelineRenderer({ write: (t) => void (out += t) }, { tty, verbose: false });
  for (const e of events) r.event(e);
  r.trace({ at: at(60), source: "fis", kind: "template-created", message: "experiment template EXT1 created" });
  r.trace({ at: at(61), source: "ec2", kind: "instance-state", message: "i-1 running -> shutting-down" });
  return out;
}

describe("the timeline", () => {
  it("prints plain lines with elapsed time and no escape codes when not on a terminal", () => {
    const out = render(false);
    expect(out).not.toMatch(/\x1b\[/);
    expect(out).toMatch(/^A spot interruption\nrun spot-interrupt-0000002a {2}seed 42 {2}target sandbox {2}clock virtual\n/);
    expect(out).toMatch(/\+00:00:31\.0 {2}✗ draining \(on-chaos\) lateDrains was 1, expected 0\n/);
    expect(out).toMatch(/verdict: deviated \(exit 1\) {2}deviated: draining\n/);
  });

  it("on a terminal, colours the lines and keeps a live status line that is cleared before the verdict", () => {
    const out = render(true);
    expect(out).toMatch(/\x1b\[31m/);
    expect(out).toMatch(/… fault interrupt/);
    expect(out.lastIndexOf("\r\x1b[2K")).toBeLessThan(out.indexOf("verdict:"));
  });

  it("shows the sandbox events that tell the story and hides bookkeeping", () => {
    const out = render(false);
    expect(out).toMatch(/ec2: i-1 running -> shutting-down/);
    expect(out).not.toMatch(/template EXT1 created/);
    expect(isNotable({ at: 0, source: "fis", kind: "experiment-state", message: "x", detail: { status: "initiating" } })).toBe(false);
    expect(isNotable({ at: 0, source: "fis", kind: "experiment-state", message: "x", detail: { status: "completed" } })).toBe(true);
  });

  it("formats elapsed time as +hh:mm:ss.s", () => {
    expect(elapsed(0)).toBe("+00:00:00.0");
    expect(elapsed(61_250)).toBe("+00:01:01.2");
    expect(elapsed(59_960)).toBe("+00:00:59.9");
    expect(elapsed(17 * 3_600_000 + 5_000)).toBe("+17:00:05.0");
  });
});

describe("a probe that keeps failing the same way", () => {
  const failing = (s: number, summary = "tasksKilledByTermination was 1, expected 0"): RunEvent => ({ type: "reading", at: at(s), probe: "drained-in-time", mode: "on-chaos", ok: false, summary });
  const run: RunEvent[] = [
    { type: "run-started", at: at(0), runId: "r", title: "t", seed: 1, target: "sandbox", clock: "virtual" },
    { type: "phase", at: at(0), phase: "method" },
    failing(10),
    failing(11),
    failing(12),
    { type: "reading", at: at(12), probe: "web-slo", mode: "on-chaos", ok: false, summary: "availability was 0.9" },
    failing(13),
    failing(14, "tasksKilledByTermination was 2, expected 0"),
    failing(15, "tasksKilledByTermination was 2, expected 0"),
    failing(16, "tasksKilledByTermination was 2, expected 0"),
    { type: "phase", at: at(20), phase: "steady-state-after" },
    { type: "verdict", at: at(30), verdict: "deviated", exitCode: 1, summary: "deviated: drained-in-time" },
  ];

  function timeline(options: { tty: boolean; colour?: boolean }): string {
    let out = "";
    const r = new TimelineRenderer({ write: (t) => void (out += t) }, { ...options, verbose: false });
    for (const e of run) r.event(e);
    r.close();
    return out;
  }
  const plain = (s: string) => s.replace(/\x1b\[[0-9;]*[mK]/g, "").replace(/\r/g, "");

  it("is shown once, then counted until it fails differently or the phase ends", () => {
    const out = timeline({ tty: false });
    expect(out.match(/✗ drained-in-time \(on-chaos\) tasksKilledByTermination was 1/g)).toHaveLength(1);
    // Another probe in between does not break the run of identical readings.
    expect(out).toMatch(/\+00:00:14\.0 {2}✗ drained-in-time \(on-chaos\) … failing again \(×3, last at \+00:00:13\.0\)\n\+00:00:14\.0 {2}✗ drained-in-time \(on-chaos\) tasksKilledByTermination was 2/);
    expect(out.match(/tasksKilledByTermination was 2/g)).toHaveLength(1);
    expect(out).toMatch(/\+00:00:20\.0 {2}✗ drained-in-time \(on-chaos\) … failing again \(×2, last at \+00:00:16\.0\)\n\+00:00:20\.0 {2}steady state after\n/);
    expect(out.match(/web-slo/g)).toHaveLength(1);
  });

  it("collapses the same way on a terminal", () => {
    const out = plain(timeline({ tty: true }));
    expect(out.match(/tasksKilledByTermination was 1/g)).toHaveLength(1);
    expect(out).toMatch(/… failing again \(×3, last at \+00:00:13\.0\)/);
    expect(out).toMatch(/… failing again \(×2, last at \+00:00:16\.0\)/);
  });

  it("counts the repeats still pending when the verdict comes", () => {
    let out = "";
    const r = new TimelineRenderer({ write: (t) => void (out += t) }, { tty: false, verbose: false });
    for (const e of [run[0]!, run[1]!, failing(10), failing(11), { type: "verdict", at: at(12), verdict: "deviated", exitCode: 1, summary: "x" } as RunEvent]) r.event(e);
    expect(out).toMatch(/… failing again \(×1, last at \+00:00:11\.0\)\nverdict: deviated/);
  });
});

describe("NO_COLOR on a terminal", () => {
  it("takes the colours away and keeps the live status line", () => {
    let out = "";
    const r = new TimelineRenderer({ write: (t) => void (out += t) }, { tty: true, colour: false, verbose: false });
    for (const e of events) r.event(e);
    expect(out).toMatch(/\r\x1b\[2K/);
    expect(out).toMatch(/… fault interrupt/);
    // No SGR (colour or weight) codes at all; the live line's erase codes are not colour.
    expect(out).not.toMatch(/\x1b\[[0-9;]*m/);
  });
});

/** JUnit's classname names the experiment, whichever of its runs (seed, rerun) the suite is. */
import { describe, expect, it } from "vitest";
import { renderJunit } from "../../src/report/junit.js";
import { runReport, type RunReport } from "../../src/report/run-report.js";
import { parseJournal } from "../../src/report/journal-file.js";

const run = (runId: string): RunReport => ({
  file: "journal.json",
  title: "Spot interruption",
  runId,
  seed: 42,
  target: "sandbox",
  clock: "virtual",
  start: "2024-01-01T00:00:00.000Z",
  verdict: "held",
  summary: "held",
  complete: true,
  probes: [],
  steadyStates: [],
  faults: [],
  rollbacks: [],
  events: [],
  charts: [],
  warnings: [],
});

describe("JUnit classname", () => {
  it("is gameday.<experiment> for a run and for a later run with the same seed (<run-id>.<n>)", () => {
    for (const id of ["spot-interrupt-0000002a", "spot-interrupt-0000002a.1", "spot-interrupt-0000002a.12"]) {
      expect(renderJunit([run(id)])).toContain('classname="gameday.spot-interrupt"');
    }
  });
});

describe("JUnit times", () => {
  const suite = (xml: string) => /<testsuite [^>]*>/.exec(xml)![0];
  const attr = (tag: string, name: string) => new RegExp(` ${name}="([^"]*)"`).exec(tag)![1];

  it("are the run's wall-clock times when the journal has them, with the run's own clock in the properties", () => {
    // Virtual time on the embedded sandbox: a run of 7558 s in 2020 that took 8 real seconds today.
    const xml = renderJunit([{ ...run("kinesis-outage-00000007"), start: "2020-11-25T13:16:32.000Z", durationSeconds: 7558, wallClock: { start: "2025-03-04T10:11:12.345Z", durationSeconds: 8.25 } }]);
    const tag = suite(xml);
    expect(attr(tag, "timestamp")).toBe("2025-03-04T10:11:12");
    expect(attr(tag, "time")).toBe("8.250");
    expect(xml).toMatch(/<testcase name="experiment: Spot interruption" classname="gameday.kinesis-outage" time="8.250"\/>/);
    expect(xml).toContain('<property name="runStart" value="2020-11-25T13:16:32.000Z"/>');
    expect(xml).toContain('<property name="runDuration" value="7558.000"/>');
    expect(xml).toContain('<property name="runClock" value="virtual"/>');
  });

  it("fall back to the journal's own start and duration for a journal without wall-clock times", () => {
    const xml = renderJunit([{ ...run("kinesis-outage-00000007"), start: "2020-11-25T13:16:32.000Z", durationSeconds: 7558 }]);
    const tag = suite(xml);
    expect(attr(tag, "timestamp")).toBe("2020-11-25T13:16:32");
    expect(attr(tag, "time")).toBe("7558.000");
    expect(xml).not.toContain('name="runStart"');
  });

  it("are read from the journal's gameday.wallClock; a run that did not finish took until the journal's last write", () => {
    const doc = (wallClock: unknown, complete: boolean) =>
      JSON.stringify({
        start: "2020-11-25T13:16:32.000Z",
        ...(complete ? { end: "2020-11-25T15:22:30.000Z", duration: 7558 } : {}),
        status: complete ? "completed" : "running",
        deviated: false,
        experiment: { title: "outage" },
        steady_states: { before: null, after: null, during: [] },
        gameday: { runId: "kinesis-outage-00000007", seed: 7, target: { kind: "sandbox" }, clock: "virtual", complete, probes: [], faults: [], rollbackResults: [], warnings: [], wallClock },
      });
    const done = runReport(parseJournal(doc({ start: "2025-03-04T10:11:12.345Z", writtenAt: "2025-03-04T10:11:20.595Z", end: "2025-03-04T10:11:20.595Z", duration: 8.25 }, true), "j.json"));
    expect(done.wallClock).toEqual({ start: "2025-03-04T10:11:12.345Z", durationSeconds: 8.25 });
    expect(attr(suite(renderJunit([done])), "time")).toBe("8.250");
    const partial = runReport(parseJournal(doc({ start: "2025-03-04T10:11:12.345Z", writtenAt: "2025-03-04T10:11:15.345Z" }, false), "j.json"));
    expect(partial.wallClock).toEqual({ start: "2025-03-04T10:11:12.345Z", durationSeconds: 3 });
  });
});

describe("the HTML and Markdown reports' header", () => {
  it("says when the run happened and how long it took by the wall clock beside the run's own (virtual) clock, and nothing for an older journal", async () => {
    const { renderHtml } = await import("../../src/report/html.js");
    const { renderMarkdown } = await import("../../src/report/markdown.js");
    const virtual = { ...run("kinesis-outage-00000007"), start: "2020-11-25T13:16:32.000Z", durationSeconds: 7558, wallClock: { start: "2025-03-04T10:11:12.345Z", durationSeconds: 8.25 } };
    expect(renderMarkdown([virtual])).toContain("virtual clock, 7558.0 s; wall clock 2025-03-04T10:11:12.345Z, took 8.3 s.");
    expect(renderHtml([virtual])).toMatch(/<th>wall clock<\/th>[\s\S]*<td>2025-03-04T10:11:12\.345Z, took 8\.3 s<\/td>/);
    const older = run("spot-interrupt-0000002a");
    expect(renderMarkdown([older])).not.toContain("wall clock");
  });
});

/** The report of a journal a killed run left: it says the run did not finish and shows what was read. */
import { describe, expect, it } from "vitest";
import { parseJournal } from "../../src/report/journal-file.js";
import { runReport } from "../../src/report/run-report.js";
import { renderRuns } from "../../src/report/index.js";

const START = "2024-01-01T00:00:00.000Z";
const at = (s: number) => new Date(Date.parse(START) + s * 1000).toISOString();

function journal(probes: unknown[], writtenAt?: string) {
  return JSON.stringify({
    start: START,
    status: "running",
    deviated: false,
    experiment: { title: "A 17-hour Kinesis outage loses no log record" },
    steady_states: {
      before: { steady_state_met: true, probes: [{ activity: { name: "logs-delivered" }, start: at(0), end: at(1), status: "succeeded", tolerance_met: true, output: { unaccounted: 0 } }] },
      after: null,
      during: [],
    },
    run: [],
    rollbacks: [],
    gameday: {
      runId: "kinesis-outage-00000063",
      seed: 99,
      target: { kind: "sandbox", region: "us-east-1" },
      clock: "virtual",
      complete: false,
      ...(writtenAt ? { writtenAt } : {}),
      probes,
      faults: [{ step: "outage-first-12-hours", fault: "kinesis-outage", startedAt: at(2), targets: [] }],
      rollbackResults: [],
      during: { readings: 0, failed: 0 },
      warnings: [],
      ledger: "x",
    },
  });
}

describe("a partial journal (the run was killed)", () => {
  it("without probe tallies: no 'No probe was read' above met steady-state checks, no blame on an older gameday", () => {
    const run = runReport(parseJournal(journal([]), "journal.json"));
    expect(run.verdict).toBe("incomplete");
    expect(run.summary).toMatch(/the run did not finish \(it was killed, or is still going\)/);
    const md = renderRuns([run], "md");
    expect(md).not.toContain("No probe was read.");
    expect(md).toContain("The run did not finish, and no probe tally had been written to its journal when it stopped; the steady-state checks below are what it had read.");
    const html = renderRuns([run], "html");
    expect(html).not.toContain("older gameday");
    expect(html).not.toContain("No probe was read.");
    expect(html).toContain("The run did not finish: no probe had numeric readings in its journal when it was last written.");
  });

  it("with the readings so far: they are in the tables and charts, and the summary says when the journal was last written", () => {
    const points = [0, 600, 1200].map((s) => ({ at: at(2 + s), ok: true, values: { memoryRecords: 10 + s } }));
    const probe = { step: "logs-through-the-outage", probe: "log-delivery", mode: "on-chaos", verdict: "passed", readings: 3, failed: 0, last: { at: at(1202), reason: "falling back to the spool" }, series: { units: { memoryRecords: "count" }, points } };
    const run = runReport(parseJournal(journal([probe], at(1210)), "journal.json"));
    expect(run.summary).toMatch(/this journal is partial, last written 1210\.0 s into the run, and shows what was read until then/);
    expect(run.durationSeconds).toBe(1210);
    const md = renderRuns([run], "md");
    expect(md).toMatch(/\| logs-through-the-outage \(log-delivery\) \| on-chaos \| ✅ passed \| 3 \| 0 \|/);
    expect(run.charts.length).toBeGreaterThan(0);
    expect(renderRuns([run], "html")).not.toContain("The run did not finish: no probe had numeric readings");
  });
});

/** JUnit's classname names the experiment, whichever of its runs (seed, rerun) the suite is. */
import { describe, expect, it } from "vitest";
import { renderJunit } from "../../src/report/junit.js";
import type { RunReport } from "../../src/report/run-report.js";

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

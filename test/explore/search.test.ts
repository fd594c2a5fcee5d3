import { describe, expect, it } from "vitest";
import { loadExperiment } from "../../src/experiment/index.js";
import { authoredFaults, buildSpace, type AuthoredFault } from "../../src/explore/space.js";
import { search, type CandidateVerdict, type SearchOptions } from "../../src/explore/search.js";
import type { Schedule } from "../../src/explore/schedule.js";
import { parseDuration } from "../../src/experiment/duration.js";

const catalog = (name: string) => new URL(`../../experiments/${name}.yaml`, import.meta.url).pathname;

/**
 * A stand-in for running the experiment: a cluster with spare room for one interrupted instance at
 * a time, so a schedule fails when two interruptions' notice windows overlap. Only the schedule
 * decides, as with a seeded sandbox.
 */
function overlapModel(s: Schedule): CandidateVerdict {
  const windows = s.faults.map((f) => [f.atMs, f.atMs + parseDuration(String(f.with.durationBeforeInterruption))!] as const);
  const overlap = windows.some(([a0, a1], i) => windows.some(([b0], j) => j > i && b0 < a1 && b0 >= a0));
  return overlap ? { exitCode: 1, summary: "deviated: tasks not replaced before the termination" } : { exitCode: 0, summary: "held" };
}

async function options(over: Partial<SearchOptions> = {}): Promise<SearchOptions> {
  const loaded = await loadExperiment(catalog("spot-interrupt"), { vars: {}, varFiles: [] });
  const space = await buildSpace(authoredFaults(loaded.raw) as AuthoredFault[], { maxFaults: 3, windowMs: 180_000, maxDurationMs: 300_000 });
  return { space, seed: 42, runs: 200, shrinkRuns: 500, batchSize: 2, outOfTime: () => false, evaluate: async (batch) => batch.map(overlapModel), ...over };
}

describe("search", () => {
  it("finds a failing schedule and shrinks it to the fewest faults, the earliest starts and the shortest notices", async () => {
    const result = await search(await options());
    expect(result.stoppedBy).toBe("found");
    const f = result.finding!;
    expect(overlapModel(f.original).exitCode).toBe(1);
    expect(f.minimal.faults.map((x) => [x.atMs, x.count, x.with.durationBeforeInterruption])).toEqual([
      [0, 1, "PT2M"],
      [0, 1, "PT2M"],
    ]);
    expect(f.minimalVerdict.exitCode).toBe(1);
    expect(f.shrinkCutShort).toBe(false);
  });

  it("gives the same result for the same seed whatever the number of workers, and another for another seed", async () => {
    const one = await search(await options({ batchSize: 1 }));
    const four = await search(await options({ batchSize: 4 }));
    // How many were run differs (a batch runs whole); what is found and how it shrinks does not.
    expect(four.finding).toEqual(one.finding);
    expect(await search(await options({ batchSize: 4 }))).toEqual(four);
    const other = await search(await options({ seed: 7 }));
    expect(other.finding!.original).not.toEqual(one.finding!.original);
  });

  it("runs each distinct schedule once, stops after --runs when nothing fails, and when the budget is spent", async () => {
    const seen = new Map<string, number>();
    const held = await search(
      await options({
        runs: 30,
        evaluate: async (batch) =>
          batch.map((s) => {
            const key = JSON.stringify(s);
            seen.set(key, (seen.get(key) ?? 0) + 1);
            return { exitCode: 0, summary: "held" };
          }),
      }),
    );
    expect(held).toMatchObject({ stoppedBy: "runs", byExitCode: { 0: held.tried } });
    expect(held.finding).toBeUndefined();
    expect(held.tried).toBeLessThanOrEqual(30);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);

    let batches = 0;
    const budget = await search(await options({ outOfTime: () => batches >= 3, evaluate: async (b) => (batches++, b.map(() => ({ exitCode: 0, summary: "held" }))) }));
    expect(budget.stoppedBy).toBe("budget");
    expect(batches).toBe(3);
  });

  it("does not count an errored run as a finding, and keeps the first error for the summary", async () => {
    const result = await search(await options({ runs: 10, evaluate: async (b) => b.map(() => ({ exitCode: 4, summary: "fault did not land" })) }));
    expect(result.finding).toBeUndefined();
    expect(result.firstError?.verdict.summary).toBe("fault did not land");
  });

  it("does not count a run whose steady state did not hold before the method: no fault of the schedule ran", async () => {
    const before = { exitCode: 1, verdict: "not-steady-before", summary: "the steady state did not hold before the method; the method was not run" };
    const result = await search(await options({ runs: 10, evaluate: async (b) => b.map(() => before) }));
    expect(result.finding).toBeUndefined();
    expect(result.firstError?.verdict).toEqual(before);
  });
});

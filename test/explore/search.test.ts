import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { loadExperiment } from "../../src/experiment/index.js";
import { authoredFaults, buildSpace, crashStep, type AuthoredFault } from "../../src/explore/space.js";
import { search, type CandidateVerdict, type SearchOptions } from "../../src/explore/search.js";
import { decode, genomeArbitrary, type Schedule } from "../../src/explore/schedule.js";
import { parseDuration } from "../../src/experiment/duration.js";
import { notJudgedBesideFinding, notJudgedSummary } from "../../src/cli/explore-command.js";

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

  it("counts the candidates that could not be judged apart from those that held, and the first one is kept", async () => {
    let n = 0;
    const before = { exitCode: 1, verdict: "not-steady-before", summary: "not steady before" };
    const errored = { exitCode: 4, summary: "fault did not land" };
    // Every third errors, every fifth was not steady before; the rest held.
    const result = await search(await options({ runs: 15, evaluate: async (b) => b.map(() => (++n % 3 === 0 ? errored : n % 5 === 0 ? before : { exitCode: 0, summary: "held" })) }));
    expect(result.tried).toBe(15);
    expect(result.notJudged).toBe(7);
    expect(result.byExitCode[0]).toBe(8);
    expect(result.firstError?.verdict).toEqual(errored);
  });

  it("counts shrink candidates that could not be judged, which the finding's note then names: the minimal schedule may not be the smallest", async () => {
    // Two interruptions at the very same instant cannot both land (a stand-in for a candidate FIS
    // fails): the shrinker's favourite, both at 0, errors, and it settles for something larger.
    const sameInstant = (s: Schedule) => s.faults.length > 1 && s.faults.every((f) => f.atMs === s.faults[0]!.atMs);
    const errored = { exitCode: 4, summary: "fault did not land" };
    const result = await search(await options({ evaluate: async (b) => b.map((s) => (sameInstant(s) ? errored : overlapModel(s))) }));
    const f = result.finding!;
    expect(f.minimalVerdict.exitCode).toBe(1);
    expect(sameInstant(f.minimal)).toBe(false);
    expect(result.notJudged).toBeGreaterThan(0);
    expect(result.firstError?.verdict).toEqual(errored);
    expect(sameInstant(result.firstError!.schedule)).toBe(true);
    const note = notJudgedBesideFinding(result)!;
    expect(note).toMatch(new RegExp(`^${result.notJudged} candidates? could not be judged \\(taken as not failing: a failure, or a smaller one, may hide among them\\); the first: fault did not land \\(schedule: .+\\)$`));
    expect(notJudgedSummary(result)).toEqual({ count: result.notJudged, first: { schedule: result.firstError!.schedule, exitCode: 4, summary: "fault did not land" } });
    // Every candidate judged: nothing to note.
    const clean = await search(await options());
    expect(clean.notJudged).toBe(0);
    expect(notJudgedBesideFinding(clean)).toBeUndefined();
    expect(notJudgedSummary(clean)).toBeUndefined();
  });

  it("reports progress of the search and of the shrink apart: which schedule failed, and shrink candidates not counted as failures", async () => {
    const seen: { phase: string; tried: number; shrinkTried: number; foundAt?: number }[] = [];
    const result = await search(await options({ onProgress: (p) => seen.push({ phase: p.phase, tried: p.tried, shrinkTried: p.shrinkTried, ...(p.foundAt !== undefined ? { foundAt: p.foundAt } : {}) }) }));
    const index = result.finding!.index;
    expect(seen.filter((p) => p.phase === "search").every((p, i, all) => (i < all.length - 1 ? p.foundAt === undefined : p.foundAt === index))).toBe(true);
    const shrinking = seen.filter((p) => p.phase === "shrink");
    expect(shrinking.length).toBeGreaterThan(0);
    expect(shrinking.every((p) => p.foundAt === index && p.tried === result.tried)).toBe(true);
    expect(shrinking.at(-1)!.shrinkTried).toBe(result.shrinkTried);
  });
});

/**
 * A stand-in for a shipper that loses what it holds in memory when it crashes: a schedule fails when
 * a crash lands while a throttle of at least 50% is on (its shipper has records in retry then).
 */
function crashModel(s: Schedule): CandidateVerdict {
  const throttles = s.faults.filter((f) => f.fault === "kinesis-throttle" && Number(f.with.percentage) >= 50);
  const crashes = s.faults.filter((f) => f.fault === "process-kill");
  const lost = crashes.some((c) => throttles.some((t) => c.atMs >= t.atMs && c.atMs < t.atMs + parseDuration(String(t.with.duration))!));
  return lost ? { exitCode: 1, summary: "deviated: unaccounted was 10, expected 0" } : { exitCode: 0, summary: "held" };
}

describe("search with crashes of the log producers", () => {
  async function crashOptions(over: Partial<SearchOptions> = {}): Promise<SearchOptions> {
    const loaded = await loadExperiment(catalog("kinesis-throttle"), { vars: {}, varFiles: [] });
    const crash = { step: crashStep({ cluster: "prod", service: "web", process: "log-shipper" }), max: 3 };
    const space = await buildSpace(authoredFaults(loaded.raw) as AuthoredFault[], { maxFaults: 2, windowMs: 180_000, maxDurationMs: 300_000 }, crash);
    return { space, seed: 42, runs: 300, shrinkRuns: 1000, batchSize: 3, outOfTime: () => false, evaluate: async (batch) => batch.map(crashModel), ...over };
  }

  it("finds a crash during a hard throttle and shrinks it to one throttle and one crash, both at the start, the throttle as light and short as still fails", async () => {
    const result = await search(await crashOptions());
    expect(result.stoppedBy).toBe("found");
    const f = result.finding!;
    expect(f.minimal.faults.map((x) => [x.fault, x.atMs, x.count ?? null, x.with])).toEqual([
      ["kinesis-throttle", 0, null, { percentage: 50, duration: "PT1M" }],
      ["process-kill", 0, 1, {}],
    ]);
    expect(f.shrinkCutShort).toBe(false);
    expect(result.faultsTried["crash-web-log-shipper"]).toBeGreaterThan(0);
  });

  it("shrinks the number of crashes and their timing: of several crashes, only the one that matters stays, as early as it still fails", async () => {
    // The throttle is pinned in place by the model: only a crash at or after +60s inside it counts.
    const late = (s: Schedule): CandidateVerdict => {
      const crashes = s.faults.filter((f) => f.fault === "process-kill");
      return crashes.some((c) => c.atMs >= 60_000) && s.faults.some((f) => f.fault === "kinesis-throttle") ? { exitCode: 1, summary: "deviated" } : { exitCode: 0, summary: "held" };
    };
    const result = await search(await crashOptions({ evaluate: async (batch) => batch.map(late) }));
    const crashes = result.finding!.minimal.faults.filter((f) => f.fault === "process-kill");
    expect(crashes.map((c) => c.atMs)).toEqual([60_000]);
    expect(result.finding!.original.faults.length).toBeGreaterThanOrEqual(result.finding!.minimal.faults.length);
  });

  it("never places more crashes than the space allows, nor more faults than maxFaults, and never an empty schedule", async () => {
    const { space } = await crashOptions();
    let sawCrashes = 0;
    for (const g of fc.sample(genomeArbitrary(space), { seed: 5, numRuns: 300 })) {
      const s = decode(space, g);
      const crashes = s.faults.filter((f) => f.fault === "process-kill").length;
      expect(crashes).toBeLessThanOrEqual(3);
      expect(s.faults.length - crashes).toBeLessThanOrEqual(2);
      expect(s.faults.length).toBeGreaterThan(0);
      sawCrashes = Math.max(sawCrashes, crashes);
    }
    expect(sawCrashes).toBe(3);
  });
});

/**
 * spot-headroom's weakness as the sandbox shows it: room for one interrupted instance's tasks, so
 * two notices that overlap on two different instances break it. One spot instance per zone; two
 * interruptions in the same zone hit the same instance and change nothing.
 */
function twoInstancesModel(s: Schedule): CandidateVerdict {
  const w = s.faults.map((f) => ({ az: f.az, from: f.atMs, to: f.atMs + parseDuration(String(f.with.durationBeforeInterruption))! }));
  const broken = w.some((a, i) => w.some((b, j) => j > i && a.az !== b.az && b.from < a.to && a.from < b.to));
  return broken ? { exitCode: 3, summary: "aborted: stop condition web-not-on-fire breached" } : { exitCode: 0, summary: "held" };
}

describe("search over the zones a fault lands in", () => {
  it("finds two overlapping interruptions on different instances for every seed within a few dozen schedules, and shrinks them to the first two zones at the start with the shortest notice", async () => {
    const loaded = await loadExperiment(catalog("spot-interrupt"), { vars: {}, varFiles: [] });
    const space = await buildSpace(authoredFaults(loaded.raw) as AuthoredFault[], { maxFaults: 3, windowMs: 180_000, maxDurationMs: 300_000 }, undefined, ["us-east-1a", "us-east-1b", "us-east-1c"]);
    for (const seed of [1, 7, 42, 1000, ...Array.from({ length: 20 }, (_, i) => 2000 + i)]) {
      const result = await search({ space, seed, runs: 40, shrinkRuns: 500, batchSize: 2, outOfTime: () => false, evaluate: async (batch) => batch.map(twoInstancesModel) });
      expect(result.stoppedBy, `seed ${seed}`).toBe("found");
      // Two faults at the same start keep the genome's order: compare them as a set.
      const minimal = result.finding!.minimal.faults.map((f) => [f.az, f.atMs, f.with.durationBeforeInterruption].join(" ")).sort();
      expect(minimal, `seed ${seed}`).toEqual(["us-east-1a 0 PT2M", "us-east-1b 0 PT2M"]);
    }
  });
});

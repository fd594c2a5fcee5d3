/**
 * The search: fast-check generates schedules from the seed, a batch at a time so that workers can
 * run a batch in parallel; the first failing schedule in generation order is then shrunk with
 * fast-check's own shrinker, again a batch of shrink candidates at a time, always taking the first
 * failing one in the shrinker's order. So the result depends only on the seed and the number of
 * runs, never on how many workers there are or which finished first.
 */
import fc from "fast-check";
import { decode, genomeArbitrary, scheduleKey, type Genome, type Schedule } from "./schedule.js";
import type { Space } from "./space.js";

/** What one candidate run said. */
export interface CandidateVerdict {
  exitCode: number;
  /** The run's one-line verdict. */
  summary: string;
  /** The engine's verdict: held, deviated, not-steady-before, aborted, error. */
  verdict?: string;
}

/**
 * Deviated (1) or aborted by a stop condition (3): the hypothesis did not hold under the schedule.
 * A steady state that did not hold before the method is exit 1 too, but no fault ran: it says
 * nothing about the schedule, so it is not a finding.
 */
export function isFailure(v: CandidateVerdict): boolean {
  return (v.exitCode === 1 || v.exitCode === 3) && v.verdict !== "not-steady-before";
}

export interface SearchOptions {
  space: Space;
  seed: number;
  /** At most this many generated schedules are tried (shrinking comes on top). */
  runs: number;
  /** At most this many shrink candidates are tried. */
  shrinkRuns: number;
  /** Runs a batch of schedules (in parallel if it can), answering in the same order. */
  evaluate(schedules: Schedule[]): Promise<CandidateVerdict[]>;
  /** Schedules handed to evaluate at once: the number of workers. */
  batchSize: number;
  /** True once the time budget is spent: checked between batches. */
  outOfTime(): boolean;
  onProgress?(p: Progress): void;
}

export interface Progress {
  phase: "search" | "shrink";
  tried: number;
  shrinkTried: number;
  /** Candidates that neither held nor failed (see SearchResult.notJudged). */
  notJudged: number;
  /** Which generated schedule failed first (1-based), once one has. */
  foundAt?: number;
  /** The smallest failing schedule so far. */
  smallest?: Schedule;
}

export interface Finding {
  /** Which generated schedule failed first (1-based). */
  index: number;
  original: Schedule;
  originalVerdict: CandidateVerdict;
  minimal: Schedule;
  minimalVerdict: CandidateVerdict;
  /** Shrink steps that kept failing. */
  shrinkSteps: number;
  /** Shrinking ended before the shrinker ran out of candidates (time or shrinkRuns). */
  shrinkCutShort: boolean;
}

export interface SearchResult {
  tried: number;
  shrinkTried: number;
  /** Candidates by exit code, search and shrink together (cached repeats not counted). */
  byExitCode: Record<number, number>;
  /** Faults placed in the generated schedules, by template. */
  faultsTried: Record<string, number>;
  stoppedBy: "found" | "runs" | "budget";
  finding?: Finding;
  /**
   * Candidates, search and shrink together, that neither held nor failed: errored, invalid, or not
   * steady before the method. None of them says anything about the hypothesis.
   */
  notJudged: number;
  /** The first of them, for the summary (an error is not a finding). */
  firstError?: { schedule: Schedule; verdict: CandidateVerdict };
}

export async function search(o: SearchOptions): Promise<SearchResult> {
  const arb = genomeArbitrary(o.space);
  const cache = new Map<string, CandidateVerdict>();
  const result: SearchResult = { tried: 0, shrinkTried: 0, byExitCode: {}, faultsTried: {}, stoppedBy: "runs", notJudged: 0 };
  let found: { genome: Genome; index: number; verdict: CandidateVerdict } | undefined;
  const progress = (phase: Progress["phase"], smallest?: Schedule) =>
    o.onProgress?.({ phase, tried: result.tried, shrinkTried: result.shrinkTried, notJudged: result.notJudged, ...(found ? { foundAt: found.index } : {}), ...(smallest ? { smallest } : {}) });

  /** Verdicts for a batch, running only schedules not seen before. */
  const judge = async (schedules: Schedule[], phase: Progress["phase"]): Promise<CandidateVerdict[]> => {
    const fresh = new Map<string, Schedule>();
    for (const s of schedules) if (!cache.has(scheduleKey(s))) fresh.set(scheduleKey(s), s);
    const verdicts = await o.evaluate([...fresh.values()]);
    [...fresh.keys()].forEach((key, i) => {
      const v = verdicts[i]!;
      cache.set(key, v);
      result.byExitCode[v.exitCode] = (result.byExitCode[v.exitCode] ?? 0) + 1;
      if (phase === "search") result.tried++;
      else result.shrinkTried++;
      if (!isFailure(v) && v.exitCode !== 0) {
        result.notJudged++;
        result.firstError ??= { schedule: fresh.get(key)!, verdict: v };
      }
    });
    return schedules.map((s) => cache.get(scheduleKey(s))!);
  };

  // fc.sample yields exactly the values fc.check would generate for this seed, in the same order.
  const genomes = fc.sample(arb, { seed: o.seed, numRuns: o.runs });
  for (let start = 0; start < genomes.length && !found; start += o.batchSize) {
    if (o.outOfTime()) {
      result.stoppedBy = "budget";
      break;
    }
    const batch = genomes.slice(start, start + o.batchSize);
    const schedules = batch.map((g) => decode(o.space, g));
    for (const s of schedules) for (const f of s.faults) result.faultsTried[f.template] = (result.faultsTried[f.template] ?? 0) + 1;
    const verdicts = await judge(schedules, "search");
    const first = verdicts.findIndex(isFailure);
    if (first >= 0) found = { genome: batch[first]!, index: start + first + 1, verdict: verdicts[first]! };
    progress("search");
  }
  if (!found) return result;
  result.stoppedBy = "found";

  // Shrink: fast-check's shrinker proposes smaller genomes in its preferred order; the first one
  // that still fails becomes the current one, and its own shrinks are tried next.
  let current: fc.Value<Genome> = new fc.Value(found.genome, undefined);
  let currentVerdict = found.verdict;
  let steps = 0;
  let cutShort = false;
  outer: for (;;) {
    const stream = arb.shrink(current.value, current.context);
    const it = stream[Symbol.iterator]();
    for (;;) {
      if (o.outOfTime() || result.shrinkTried >= o.shrinkRuns) {
        cutShort = true;
        break outer;
      }
      const batch: fc.Value<Genome>[] = [];
      for (let n = 0; n < o.batchSize; n++) {
        const next = it.next();
        if (next.done) break;
        batch.push(next.value);
      }
      if (batch.length === 0) break outer;
      const verdicts = await judge(batch.map((v) => decode(o.space, v.value)), "shrink");
      const first = verdicts.findIndex(isFailure);
      if (first >= 0) {
        current = batch[first]!;
        currentVerdict = verdicts[first]!;
        steps++;
        progress("shrink", decode(o.space, current.value));
        continue outer;
      }
      progress("shrink", decode(o.space, current.value));
    }
  }
  result.finding = {
    index: found.index,
    original: decode(o.space, found.genome),
    originalVerdict: found.verdict,
    minimal: decode(o.space, current.value),
    minimalVerdict: currentVerdict,
    shrinkSteps: steps,
    shrinkCutShort: cutShort,
  };
  return result;
}

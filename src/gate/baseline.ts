/**
 * Regressions against a baseline (the journals of an earlier gate): a p95 latency or a time to
 * drain that grew by more than the margin. Both are read from the probes' readings over time in
 * the journals: the worst p95 any probe recorded (http-slo's field), and the slowest time to DRAINING
 * (draining's maxSecondsToDraining).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { JournalDoc } from "../engine/journal.js";
import { readJournal } from "../report/index.js";
import { fsProblem } from "../report/fs-problem.js";

export interface Measures {
  p95Ms?: number;
  secondsToDrain?: number;
}

const FIELDS: Record<keyof Measures, string> = { p95Ms: "p95", secondsToDrain: "maxSecondsToDraining" };
const LABELS: Record<keyof Measures, string> = { p95Ms: "p95 (ms)", secondsToDrain: "time to drain (s)" };

/** The worst value of each measure over every probe's recorded readings. */
export function measures(doc: JournalDoc): Measures {
  const out: Measures = {};
  for (const [key, field] of Object.entries(FIELDS) as [keyof Measures, string][]) {
    const values = doc.gameday.probes.flatMap((p) => p.series?.points.map((pt) => pt.values[field]).filter((v): v is number => v !== undefined) ?? []);
    if (values.length > 0) out[key] = Math.max(...values);
  }
  return out;
}

export interface Regression {
  measure: string;
  baseline: number;
  current: number;
}

export function regressions(current: Measures, baseline: Measures, margin: number): Regression[] {
  const out: Regression[] = [];
  for (const key of Object.keys(FIELDS) as (keyof Measures)[]) {
    const now = current[key];
    const before = baseline[key];
    if (now === undefined || before === undefined) continue;
    if (now > before * (1 + margin) && now > before) out.push({ measure: LABELS[key], baseline: before, current: now });
  }
  return out;
}

/** The journals of an earlier gate, read before any run: those of the runs to be made that it has. */
export interface Baseline {
  dir: string;
  journals: ReadonlyMap<string, JournalDoc>;
}

/** Why `dir` cannot be a baseline (it must be a directory that can be read), or undefined. */
export function baselineDirProblem(dir: string): string | undefined {
  try {
    if (!statSync(dir).isDirectory()) return "a file, not a directory";
    readdirSync(dir);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such directory" : `it cannot be read: ${fsProblem(err, dir) ?? String(err)}`;
  }
  return undefined;
}

/**
 * The baseline journals of these runs: `<dir>/<id>.json`, or `<dir>/journals/<id>.json` (a gate's
 * output directory). A run without one is left out (the gate says it was not compared); a journal
 * that is there but cannot be read is an input error naming it, before any run starts.
 */
export function readBaseline(dir: string, ids: readonly string[]): Baseline {
  const journals = new Map<string, JournalDoc>();
  for (const id of ids) {
    const path = [join(dir, `${id}.json`), join(dir, "journals", `${id}.json`)].find((p) => existsSync(p));
    if (path !== undefined) journals.set(id, readJournal(path).doc);
  }
  return { dir, journals };
}

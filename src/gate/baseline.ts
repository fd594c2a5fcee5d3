/**
 * Regressions against a baseline (the journals of an earlier gate): a p95 latency or a time to
 * drain that grew by more than the margin. Both are read from the probes' readings over time in
 * the journals: the worst p95 any probe recorded (http-slo's field), and the slowest time to DRAINING
 * (draining's maxSecondsToDraining).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { JournalDoc } from "../engine/journal.js";
import { readJournal } from "../report/index.js";

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

/** The baseline journal of a run: `<dir>/<id>.json`, or `<dir>/journals/<id>.json` (a gate's output directory). */
export function baselineJournal(dir: string, id: string): JournalDoc | undefined {
  for (const path of [join(dir, `${id}.json`), join(dir, "journals", `${id}.json`)]) {
    if (existsSync(path)) return readJournal(path).doc;
  }
  return undefined;
}

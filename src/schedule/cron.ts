/**
 * Cron expressions with a time zone, on croner (pinned): parsing with errors that name the field,
 * and the fire times in a window of the injected clock's time. Five fields (minute hour
 * day-of-month month day-of-week), as crontab, GitHub Actions and most schedulers take them;
 * croner's seconds and years are left out so that every schedule can be exported.
 */
import { Cron, CronPattern } from "croner";

export const CRON_FIELDS = ["minute", "hour", "day-of-month", "month", "day-of-week"] as const;
export type CronField = (typeof CRON_FIELDS)[number];

const FIELD_FORMS: Readonly<Record<CronField, string>> = {
  minute: "0-59, a list, a range or a step (*/15)",
  hour: "0-23, a list, a range or a step (*/2)",
  "day-of-month": "1-31 or L, a list, a range or a step",
  month: "1-12 or JAN-DEC, a list, a range or a step",
  "day-of-week": "0-7 or SUN-SAT (0 and 7 are Sunday), a list, a range or a step",
};

export class CronError extends Error {
  constructor(
    message: string,
    /** The field at fault, when one is: 1-based position and name. */
    readonly field?: { position: number; name: CronField; expected: string; found: string },
  ) {
    super(field ? `field ${field.position} (${field.name}): ${message}` : message);
    this.name = "CronError";
  }
}

export interface CronSpec {
  expression: string;
  timezone: string;
  /** croner's parsed fields (bitmaps), for exporting to other schedulers. */
  pattern: CronPattern;
  job: Cron;
}

/** Whether Intl (and so croner) knows the IANA zone. */
export function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function parseCron(expression: string, timezone = "UTC"): CronSpec {
  const trimmed = expression.trim();
  if (!trimmed.startsWith("@")) {
    const parts = trimmed.split(/\s+/).filter(Boolean);
    if (parts.length !== 5) {
      throw new CronError(`expected 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}${parts.length === 6 ? " (seconds are not supported: schedules run at most once a minute)" : ""}`);
    }
  }
  if (!knownTimeZone(timezone)) throw new CronError(`unknown time zone ${JSON.stringify(timezone)}: expected an IANA name such as UTC, Europe/Berlin or America/New_York`);
  // Each field on its own first, so the error names the one at fault in the user's own words.
  if (!trimmed.startsWith("@")) {
    trimmed.split(/\s+/).forEach((part, i) => {
      const alone = CRON_FIELDS.map((_, j) => (j === i ? part : "*")).join(" ");
      try {
        new CronPattern(alone, timezone, { mode: "5-part" });
      } catch {
        throw new CronError(`expected ${FIELD_FORMS[CRON_FIELDS[i]!]}, found ${JSON.stringify(part)}`, { position: i + 1, name: CRON_FIELDS[i]!, expected: FIELD_FORMS[CRON_FIELDS[i]!], found: part });
      }
    });
  }
  let pattern: CronPattern;
  try {
    pattern = new CronPattern(trimmed, timezone, { mode: "5-part" });
  } catch (err) {
    throw new CronError((err instanceof Error ? err.message : String(err)).replace(/^CronPattern:\s*/, ""));
  }
  const job = new Cron(trimmed, { paused: true, timezone, mode: "5-part" });
  return { expression: trimmed, timezone, pattern, job };
}

/** Up to `n` fire times strictly after `fromMs`. */
export function nextFireTimes(spec: CronSpec, fromMs: number, n: number): number[] {
  return spec.job.nextRuns(n, new Date(fromMs)).map((d) => d.getTime());
}

/**
 * The fire times in (afterMs, untilMs], oldest first, at most `limit` of them; `more` says the
 * window held more than that (a schedule not checked for a long time).
 */
export function fireTimesBetween(spec: CronSpec, afterMs: number, untilMs: number, limit = 1000): { times: number[]; more: boolean } {
  const times: number[] = [];
  let from = afterMs;
  for (;;) {
    const next = spec.job.nextRun(new Date(from));
    if (next === null || next.getTime() > untilMs) return { times, more: false };
    if (times.length === limit) return { times, more: true };
    times.push(next.getTime());
    from = next.getTime();
  }
}

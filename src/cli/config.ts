/**
 * gameday.yaml's `guardrails` section (the `aws` allow-list is aws-guard.ts's; the file is read by
 * gameday-file.ts): caps per fault, what is allowed by name, and the allowed windows. Optional on
 * every target: without it the default guardrails apply. A bad value is reported as
 * file:line:col: field: expected ..., found ... (exit 2).
 */
import { z } from "zod";
import { DEFAULT_GUARDRAILS, type CapSetting, type GuardrailSettings } from "../engine/guardrails.js";
import { WEEKDAYS, type Windows } from "../engine/windows.js";
import { expecting, oneOf } from "../experiment/schema-kit.js";
import { listOf, quote, suggestion } from "../experiment/describe.js";
import { faultNames } from "../faults/index.js";
import { gamedaySection, readGamedayFile, type GamedayFile } from "./gameday-file.js";

// One text for every way a cap can be wrong: which branch failed says less than what a cap is.
const CAP = 'a count of at least 1 (3) or a percentage ("50%") from 1% to 100%';
const cap = oneOf([z.number(expecting(CAP)).int(expecting(CAP)).min(1, expecting(CAP)), z.string().regex(/^(100|[1-9]\d?)%$/, expecting(CAP))], CAP);

const validZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const windowsSchema = z
  .object({
    timezone: z.string().refine(validZone, "an IANA time zone such as Europe/Berlin"),
    days: z.array(z.enum(WEEKDAYS)).min(1).optional(),
    hours: z
      .string()
      // abort: a value that is not HH:MM-HH:MM is not also told its start must come first.
      .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, { message: "HH:MM-HH:MM", abort: true })
      .refine((h) => minutes(h.slice(0, 5)) < minutes(h.slice(6)), "a start before the end, on the same day")
      .optional(),
    freeze: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD")).optional(),
  })
  .strict();

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

const guardrailsSchema = z
  .object({
    maxTargets: z
      .record(z.string(), cap)
      // A cap under a name no fault has would be silently ignored, and the run refused anyway.
      .check((c) => {
        for (const key of Object.keys(c.value)) {
          if (faultNames().includes(key)) continue;
          const expected = `a fault of the catalog: ${listOf(faultNames())}${suggestion(key, faultNames())}`;
          c.issues.push({ code: "custom", input: c.value, path: [key], message: expected, params: { expected, found: quote(key) } });
        }
      })
      .optional(),
    allow: z
      .object({
        scopeAll: z.array(z.string().min(1)).optional(),
        wholeClusterDrain: z.array(z.string().min(1)).optional(),
      })
      .strict()
      .optional(),
    windows: windowsSchema.optional(),
  })
  .strict();

/** The guardrail settings of gameday.yaml in `cwd`, or the defaults when it has none. */
export function loadGuardrails(cwd: string): GuardrailSettings {
  return guardrailsIn(readGamedayFile(cwd));
}

/** The guardrail settings of an already read gameday.yaml, or the defaults when it has none. */
export function guardrailsIn(file: GamedayFile | undefined): GuardrailSettings {
  const data = gamedaySection(file, "guardrails", guardrailsSchema);
  if (data === undefined) return DEFAULT_GUARDRAILS;
  const maxTargets: Record<string, CapSetting> = {};
  for (const [fault, value] of Object.entries(data.maxTargets ?? {})) {
    maxTargets[fault] = typeof value === "number" ? { count: value } : { percent: Number(value.slice(0, -1)) };
  }
  const w = data.windows;
  const windows: Windows | undefined = w && {
    timezone: w.timezone,
    ...(w.days ? { days: w.days } : {}),
    ...(w.hours ? { hours: { startMin: minutes(w.hours.slice(0, 5)), endMin: minutes(w.hours.slice(6)) } } : {}),
    ...(w.freeze ? { freeze: w.freeze } : {}),
  };
  return { maxTargets, scopeAll: data.allow?.scopeAll ?? [], wholeClusterDrain: data.allow?.wholeClusterDrain ?? [], ...(windows ? { windows } : {}) };
}

/**
 * gameday.yaml's `guardrails` section (the `aws` allow-list is aws-guard.ts's): caps per fault and
 * what is allowed by name. Optional on every target: without it the default guardrails apply.
 * A bad value is reported as file:line: field: expected ..., found ... (exit 2).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isNode, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { DEFAULT_GUARDRAILS, type CapSetting, type GuardrailSettings } from "../engine/guardrails.js";
import { WEEKDAYS, type Windows } from "../engine/windows.js";
import { usage } from "./errors.js";

export const CONFIG_FILE = "gameday.yaml";

const cap = z.union([
  z.number().int().min(1),
  z.string().regex(/^(100|[1-9]\d?)%$/, "a percentage from 1% to 100%"),
]);

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
      .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, "HH:MM-HH:MM")
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
    maxTargets: z.record(z.string(), cap).optional(),
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

const EXPECTED: Record<string, string> = {
  maxTargets: "a count of at least 1 (3) or a percentage (\"50%\") per fault name",
  allow: "scopeAll: [fault names] and wholeClusterDrain: [cluster names]",
  windows: "timezone (IANA), days [mon..sun], hours HH:MM-HH:MM, freeze [YYYY-MM-DD]",
};

/** The guardrail settings of gameday.yaml in `cwd`, or the defaults when it has none. */
export function loadGuardrails(cwd: string): GuardrailSettings {
  const file = join(cwd, CONFIG_FILE);
  if (!existsSync(file)) return DEFAULT_GUARDRAILS;
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, "utf8"), { lineCounter: lines });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw usage(`${file}:${e.linePos?.[0]?.line ?? 1}: not valid YAML: ${e.message.split("\n")[0]}`);
  }
  const raw = (doc.toJS() as Record<string, unknown> | null)?.guardrails;
  if (raw === undefined) return DEFAULT_GUARDRAILS;
  const parsed = guardrailsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = ["guardrails", ...issue.path.map(String)];
    const node = doc.getIn(path, true) ?? doc.getIn(path.slice(0, -1), true);
    const offset = isNode(node) ? node.range?.[0] : undefined;
    const line = offset === undefined ? 1 : lines.linePos(offset).line;
    const expected = EXPECTED[String(issue.path[0])] ?? issue.message;
    throw usage(`${file}:${line}: ${path.join(".")}: expected ${expected} (${issue.message}), found ${JSON.stringify(path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], doc.toJS()))}`);
  }
  const maxTargets: Record<string, CapSetting> = {};
  for (const [fault, value] of Object.entries(parsed.data.maxTargets ?? {})) {
    maxTargets[fault] = typeof value === "number" ? { count: value } : { percent: Number(value.slice(0, -1)) };
  }
  const w = parsed.data.windows;
  const windows: Windows | undefined = w && {
    timezone: w.timezone,
    ...(w.days ? { days: w.days } : {}),
    ...(w.hours ? { hours: { startMin: minutes(w.hours.slice(0, 5)), endMin: minutes(w.hours.slice(6)) } } : {}),
    ...(w.freeze ? { freeze: w.freeze } : {}),
  };
  return { maxTargets, scopeAll: parsed.data.allow?.scopeAll ?? [], wholeClusterDrain: parsed.data.allow?.wholeClusterDrain ?? [], ...(windows ? { windows } : {}) };
}

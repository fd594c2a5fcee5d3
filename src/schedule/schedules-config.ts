/**
 * The `schedules:` key of gameday.yaml: when to run what, where. Other keys of the file (aws,
 * guardrails, ...) belong to other readers and are left alone here. Each problem is reported with
 * file:line, the path (schedules.<name>.cron) and, for a cron expression, the field at fault.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { expecting, oneOf, strict } from "../experiment/schema-kit.js";
import { CronError, parseCron, type CronSpec } from "./cron.js";
import { checkLocated, readLocated } from "./located.js";

export const CONFIG_FILE = "gameday.yaml";

const text = z.string(expecting("a non-empty string")).min(1);
const scalar = oneOf([z.string(), z.number(), z.boolean()], "a string, number or true/false").transform(String);

const WHAT = ["experiment", "runbook", "suite"] as const;

const schedule = strict({
  /** Five-field cron: minute hour day-of-month month day-of-week. */
  cron: text,
  /** IANA time zone the cron is read in; UTC when absent. */
  timezone: text.optional(),
  experiment: text.optional(),
  runbook: text.optional(),
  suite: text.optional(),
  /** sandbox, aws or an endpoint URL, as --target takes it. */
  target: text.optional(),
  vars: z.record(z.string(), scalar, expecting("a map of variable names to values")).optional(),
  description: z.string().optional(),
}).superRefine((s, ctx) => {
  const what = WHAT.filter((k) => s[k] !== undefined);
  if (what.length !== 1) {
    ctx.addIssue({ code: "custom", path: [], params: { expected: "exactly one of experiment, runbook or suite", found: what.length === 0 ? "none of them" : what.join(" and ") } });
  }
  if (s.vars !== undefined && s.runbook !== undefined) {
    ctx.addIssue({ code: "custom", path: ["vars"], params: { expected: "vars only with an experiment or a suite (a runbook sets its steps' vars itself)", found: "vars with a runbook" } });
  }
  try {
    parseCron(s.cron, s.timezone);
  } catch (err) {
    if (!(err instanceof CronError)) throw err;
    const onZone = err.field === undefined && /time zone/.test(err.message);
    ctx.addIssue({
      code: "custom",
      path: [onZone ? "timezone" : "cron"],
      params: onZone ? { expected: "an IANA time zone such as UTC, Europe/Berlin or America/New_York", found: JSON.stringify(s.timezone) } : err.field
          ? { expected: `a cron expression whose field ${err.field.position} (${err.field.name}) is ${err.field.expected}`, found: `${JSON.stringify(err.field.found)} in ${JSON.stringify(s.cron)}` }
          : { expected: "a five-field cron expression (minute hour day-of-month month day-of-week)", found: `${JSON.stringify(s.cron)}: ${err.message}` },
    });
  }
});

/** Only `schedules` is this module's; the file's other keys pass through untouched. */
const configSchema = z.looseObject({
  schedules: z.record(z.string().regex(/^[\w.-]+$/, "a name of letters, digits, '.', '_' and '-'"), schedule, expecting("a map of schedule names to schedules")).optional(),
});

export interface Schedule {
  name: string;
  cron: CronSpec;
  kind: (typeof WHAT)[number];
  /** The experiment, runbook or suite, as written. */
  what: string;
  target: string;
  vars: Record<string, string>;
  description?: string;
  /** file:line of the schedule in gameday.yaml, for messages. */
  where: string;
}

/** The schedules in `cwd`/gameday.yaml; none when the file or the key is absent. */
export function loadSchedules(cwd: string): { file: string; schedules: Schedule[]; exists: boolean } {
  const file = join(cwd, CONFIG_FILE);
  if (!existsSync(file)) return { file, schedules: [], exists: false };
  const source = readLocated(file, CONFIG_FILE);
  const config = checkLocated(source, configSchema, source.value ?? {});
  const schedules = Object.entries(config.schedules ?? {}).map(([name, s]): Schedule => {
    const kind = WHAT.find((k) => s[k] !== undefined)!;
    const line = source.keyPositionOf(["schedules", name])?.line;
    return {
      name,
      cron: parseCron(s.cron, s.timezone),
      kind,
      what: s[kind]!,
      target: s.target ?? "sandbox",
      vars: s.vars ?? {},
      ...(s.description !== undefined ? { description: s.description } : {}),
      where: line === undefined ? CONFIG_FILE : `${CONFIG_FILE}:${line}`,
    };
  });
  return { file, schedules, exists: true };
}

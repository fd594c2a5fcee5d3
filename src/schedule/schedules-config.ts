/**
 * The `schedules:` key of gameday.yaml: when to run what, where. The file is read by its one
 * reader (src/cli/gameday-file.ts), which checks this section with `schedulesSchema`; each problem
 * is reported with file:line, the path (schedules.<name>.cron) and, for a cron expression, the
 * field at fault.
 */
import { z } from "zod";
import { expecting, oneOf, strict } from "../experiment/schema-kit.js";
import type { SourceDocument } from "../experiment/source.js";
import { CronError, knownTimeZone, parseCron, type CronSpec } from "./cron.js";
import { isTargetForm, TARGET_FORMS } from "../aws/target-form.js";

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
  // chaos gameday and chaos gate take no --var: a runbook and a suite set their runs' vars themselves.
  if (s.vars !== undefined && s.experiment === undefined) {
    const what = s.runbook !== undefined ? "runbook" : "suite";
    ctx.addIssue({ code: "custom", path: ["vars"], params: { expected: `vars only with an experiment (a ${what} sets its runs' vars itself)`, found: `vars with a ${what}` } });
  }
  // A target run-due could only fail on, hours later, is refused when the file is read.
  if (s.target !== undefined && !isTargetForm(s.target)) ctx.addIssue({ code: "custom", path: ["target"], params: { expected: TARGET_FORMS, found: JSON.stringify(s.target) } });
  // The zone and the expression are checked apart, so that a mistake in each is reported in the same round.
  const zoneKnown = s.timezone === undefined || knownTimeZone(s.timezone);
  if (!zoneKnown) ctx.addIssue({ code: "custom", path: ["timezone"], params: { expected: "an IANA time zone such as UTC, Europe/Berlin or America/New_York", found: JSON.stringify(s.timezone) } });
  try {
    parseCron(s.cron, zoneKnown ? s.timezone : undefined);
  } catch (err) {
    if (!(err instanceof CronError)) throw err;
    ctx.addIssue({
      code: "custom",
      path: ["cron"],
      params: err.field
        ? { expected: `a cron expression whose field ${err.field.position} (${err.field.name}) is ${err.field.expected}`, found: `${JSON.stringify(err.field.found)} in ${JSON.stringify(s.cron)}` }
        : { expected: "a five-field cron expression (minute hour day-of-month month day-of-week)", found: `${JSON.stringify(s.cron)}: ${err.message}` },
    });
  }
});

/** The value of `schedules:`. */
export const schedulesSchema = z.record(z.string().regex(/^[\w.-]+$/, "a name of letters, digits, '.', '_' and '-'"), schedule, expecting("a map of schedule names to schedules"));

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

/** The checked `schedules:` section as schedules; `source` gives each its line for messages. */
export function toSchedules(checked: z.output<typeof schedulesSchema> | undefined, source: SourceDocument): Schedule[] {
  const file = source.file;
  return Object.entries(checked ?? {}).map(([name, s]): Schedule => {
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
      where: line === undefined ? file : `${file}:${line}`,
    };
  });
}

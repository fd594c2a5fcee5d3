/**
 * The experiment format as authored, in zod: the single source of truth for validation, for the
 * normalised values the loader builds on (milliseconds, canonical modes and strategies, parsed
 * tolerances) and for the JSON Schema that editors and `chaos schema` use.
 *
 * Chaos Toolkit's shape (title, description, configuration, secrets, steady-state-hypothesis,
 * method, rollbacks, runtime) with its `http`/`process` activities, plus gameday's own steps:
 * `fault:`, `probe:`, `pause:`, and `stop-conditions`.
 */
import { z } from "zod";
import { describeValue, kindOf, quote, suggestion } from "./describe.js";
import { readDuration } from "./duration.js";
import type { DocPath, HypothesisStrategy, Runtime, Tolerance } from "./model.js";
import { expecting, oneOf, strict, type Problem } from "./schema-kit.js";
import {
  HYPOTHESIS_SPELLINGS,
  normaliseHypothesisStrategy,
  normaliseProbeMode,
  normaliseRollbackStrategy,
  PROBE_MODE_SPELLINGS,
  ROLLBACK_SPELLINGS,
} from "./strategies.js";
import { readTolerance, TOLERANCE_FORMS } from "./tolerance-parse.js";

type Ctx = z.core.$RefinementCtx;

function report(ctx: Ctx, expected: string, found?: string, path: DocPath = []): void {
  ctx.addIssue({ code: "custom", path: [...path], params: { expected, ...(found !== undefined ? { found } : {}) } });
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------- leaves

const DURATION_EXAMPLES = "PT2M, PT0.5S, 300ms, 5s or 1m30s";

/** gameday duration fields: ISO 8601 or the short forms; never a bare number (seconds or ms?). */
const duration = z
  .string(expecting(`a duration such as ${DURATION_EXAMPLES} (a bare number has no unit)`))
  .transform((text, ctx) => {
    const reading = readDuration(text);
    if ("ms" in reading) return reading.ms;
    report(ctx, `a duration such as ${DURATION_EXAMPLES}`, `${describeValue(text)}: ${reading.problem}`);
    return z.NEVER;
  })
  .meta({ id: "Duration", description: `A duration: ISO 8601 (PT2M, PT0.5S, P1DT2H; no years or months) or 300ms, 5s, 2m, 1h.` });

/**
 * The shortest time between readings. Zero made a loop of readings that never let time move (the
 * run hung), and a few milliseconds crawl. What probes read moves no faster than a second (AWS
 * metrics, ECS and Kinesis state, the request log's buckets), so 100 ms is already ten readings of
 * the same second; it still admits Chaos Toolkit's fractional `frequency` (0.5 s, 0.1 s).
 */
export const MIN_INTERVAL_MS = 100;

const TOO_SHORT = `an interval of at least ${MIN_INTERVAL_MS}ms (shorter ones re-read the same second, and 0 would never let time move)`;

/** A time between readings: a duration of at least MIN_INTERVAL_MS. */
const interval = duration.transform((ms, ctx) => {
  if (ms >= MIN_INTERVAL_MS) return ms;
  report(ctx, TOO_SHORT, `${ms} ms`);
  return z.NEVER;
});

/** Chaos Toolkit's numeric fields are seconds; a duration string is accepted too. */
const seconds = oneOf([z.number(), z.string()], `seconds (a number) or a duration such as ${DURATION_EXAMPLES}`)
  .transform((value, ctx) => {
    if (typeof value === "number") {
      if (Number.isFinite(value) && value >= 0) return Math.round(value * 1_000_000) / 1000;
      report(ctx, "a number of seconds, 0 or more", describeValue(value));
      return z.NEVER;
    }
    // Values substituted from the environment arrive as text: "30" still means 30 seconds.
    if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1_000_000) / 1000;
    const reading = readDuration(value);
    if ("ms" in reading) return reading.ms;
    report(ctx, `seconds (a number) or a duration such as ${DURATION_EXAMPLES}`, `${describeValue(value)}: ${reading.problem}`);
    return z.NEVER;
  })
  .meta({ id: "Seconds", description: "Seconds (Chaos Toolkit), or a duration such as 30s or PT30S." });

const IDENTIFIER = /^[a-z][a-z0-9-]*$/;
const identifier = (what: string) =>
  z
    .string()
    .regex(IDENTIFIER, expecting(`the name of a ${what}: lowercase letters, digits and -, starting with a letter (such as \`spot-interrupt\`)`))
    .meta({ description: `Which ${what} module to use.` });

const params = z.record(z.string(), z.unknown());

const stringish = oneOf([z.string(), z.number(), z.boolean()], "a string").transform(String);

const positiveInt = (what: string) => z.int(expecting(what)).min(1, expecting(what));

// ---------------------------------------------------------------- tolerance

/** Documents the forms for editors; the real reading is `readTolerance`, with precise errors. */
const toleranceShape: z.ZodType = z.lazy(() =>
  oneOf(
    [
      z.boolean(),
      z.number(),
      z.string(),
      z.array(z.unknown()).min(1),
      strict({ type: z.literal("regex"), pattern: z.string(), target: z.string().optional() }).meta({ title: "Regex tolerance" }),
      strict({
        type: z.literal("jsonpath"),
        path: z.string(),
        expect: z.unknown().optional(),
        count: z.int().min(0).optional(),
        target: z.string().optional(),
      }).meta({ title: "JSONPath tolerance" }),
      strict({ type: z.literal("range"), range: z.tuple([z.number(), z.number()]), target: z.string().optional() }).meta({
        title: "Range tolerance",
      }),
      z.record(z.string(), toleranceShape).meta({ title: "Field tolerances", description: "Each named field of the value must pass its own tolerance." }),
    ],
    TOLERANCE_FORMS,
    (input) => toleranceProblems(input),
  ),
).meta({
  id: "Tolerance",
  description:
    "When a reading passes: a value to equal, a comparison (\">= 0.999\", \"<= 300ms\", \">= 99.9%\", \"between 1 and 5\"), a list, " +
    "{type: regex|jsonpath|range}, or a map of field names to tolerances.",
});

function toleranceProblems(input: unknown): Problem[] {
  const problems: Problem[] = [];
  readTolerance(input, [], (path, expected, found) => problems.push({ path, expected, found }));
  return problems.length > 0 ? problems : [{ expected: TOLERANCE_FORMS, found: describeValue(input) }];
}

const tolerance = toleranceShape.transform((raw, ctx): Tolerance => {
  const parsed = readTolerance(raw, [], (path, expected, found) => report(ctx, expected, found, path));
  return parsed ?? (z.NEVER as never);
});

// ---------------------------------------------------------------- step parts

const pauses = strict({ before: seconds.optional(), after: seconds.optional() }).meta({
  description: "Pauses before and after the step (seconds, or a duration).",
});

const common = {
  name: z.string().min(1).optional().meta({ description: "Unique step name; generated (fault:NAME, probe:NAME) when omitted." }),
  pauses: pauses.optional(),
  background: z.boolean().optional().meta({ description: "Run concurrently with the next steps; the method waits for it at its end." }),
};

const mode = z
  .enum(PROBE_MODE_SPELLINGS, expecting("one of `sot`, `eot`, `edge`, `continuous`, `on-chaos` (or Litmus's SOT, EOT, Edge, Continuous, OnChaos)"))
  .transform((m) => normaliseProbeMode(m) ?? (z.NEVER as never))
  .meta({ description: "When the probe runs (Litmus modes): start of test, end of test, both edges, throughout, or while faults are active." });

const faultStep = strict({
  fault: identifier("fault"),
  ...common,
  target: params.optional().meta({ description: "Which resources: cluster, service, tags, az, select (ALL | COUNT(n) | PERCENT(n))..." }),
  with: params.optional().meta({ description: "The fault's parameters." }),
  timeout: duration.optional(),
}).meta({ id: "FaultStep", title: "Fault step", description: "Injects a fault, compiled to AWS FIS actions." });

const fisTemplateStep = strict({
  "fis-template": strict({
    path: z.string().min(1).meta({ description: "The template file (JSON or YAML), relative to this experiment file." }),
    vars: z.record(z.string(), stringish).optional().meta({ description: "Values for ${name} in the template's strings." }),
  }).meta({ description: "A team's own FIS experiment template: the CreateExperimentTemplate input, or what `aws fis get-experiment-template` prints." }),
  ...common,
  timeout: duration.optional(),
}).meta({
  id: "FisTemplateStep",
  title: "FIS template step",
  description: "Runs a team's own FIS experiment template unchanged; it is validated as FIS validates it before any call.",
});

const probeStep = strict({
  probe: identifier("probe"),
  ...common,
  with: params.optional().meta({ description: "The probe's parameters." }),
  tolerance: tolerance.optional(),
  mode: mode.optional(),
  interval: interval.optional().meta({ description: `Time between readings (continuous, on-chaos) and between attempts; at least ${MIN_INTERVAL_MS}ms.` }),
  timeout: duration.optional().meta({ description: "One attempt longer than this fails." }),
  attempts: positiveInt("a number of attempts, 1 or more").optional(),
  initialDelay: duration.optional(),
  stopOnFailure: z.boolean().optional().meta({ description: "A failed reading aborts the method (rollbacks still run)." }),
}).meta({ id: "ProbeStep", title: "Probe step", description: "Reads a value with a probe module and judges it by its tolerance." });

const pauseStep = strict({ pause: duration, name: common.name }).meta({ id: "PauseStep", title: "Pause step", description: "Waits." });

const refStep = strict({ ref: z.string().min(1).meta({ description: "The name of an earlier method or hypothesis step." }) }).meta({
  id: "RefStep",
  title: "Reference",
  description: "Runs a copy of an earlier step.",
});

// ---------------------------------------------------------------- Chaos Toolkit activities

const httpMethod = z
  .string()
  .regex(/^[A-Za-z]+$/, expecting("an HTTP method such as GET or POST"))
  .transform((m) => m.toUpperCase());

const httpProvider = strict({
  type: z.literal("http"),
  url: z.url({ protocol: /^https?$/, ...expecting("an http or https URL, such as https://api.example.com/health") }),
  method: httpMethod.optional(),
  headers: z.record(z.string(), stringish).optional(),
  arguments: z.unknown().optional().meta({ description: "Query string for GET, body otherwise." }),
  timeout: oneOf([seconds, z.tuple([seconds, seconds])], "seconds, or [connect, read] seconds").optional(),
  verify_tls: z.boolean().optional(),
  max_retries: z.int().min(0).optional(),
}).meta({ id: "HttpProvider", title: "HTTP provider", description: "Calls a URL; the output is {status, headers, body}." });

const processProvider = strict({
  type: z.literal("process"),
  path: z.string().min(1),
  arguments: oneOf(
    [z.array(stringish), z.string()],
    "a list of arguments (run without a shell) or one string (run through /bin/sh -c); Chaos Toolkit's deprecated map of arguments is not supported",
  ).optional(),
  timeout: seconds.optional(),
  env: z.record(z.string(), stringish).optional(),
}).meta({ id: "ProcessProvider", title: "Process provider", description: "Runs a program; the output is {status, stdout, stderr}." });

const PYTHON_ADVICE = "gameday does not run Python; use a gameday `fault:`/`probe:` step or a `process` provider";

function chooseProvider(input: unknown): number | Problem {
  if (!isMap(input)) return { expected: "an http or process provider (a map with `type`)", found: describeValue(input) };
  if (input.type === "http") return 0;
  if (input.type === "process") return 1;
  if (input.type === "python") {
    const module = typeof input.module === "string" ? ` (module ${input.module})` : "";
    return { expected: "an http or process provider", found: `python${module}: ${PYTHON_ADVICE}` };
  }
  return { path: ["type"], expected: "`http` or `process`", found: describeValue(input.type) };
}

const provider = oneOf([httpProvider, processProvider], "an http or process provider", chooseProvider);

const UNSUPPORTED_CONTROLS = "no `controls`: Chaos Toolkit controls are Python, which gameday does not run; use `stop-conditions` for safeguards";
const UNSUPPORTED_ACTIVITY = {
  controls: UNSUPPORTED_CONTROLS,
  dry: "no `dry` in the file: rehearse with the sandbox target instead",
};

const activityFields = {
  name: z.string().min(1).meta({ description: "The activity's name; `ref:` uses it." }),
  provider,
  pauses: pauses.optional(),
  background: common.background,
  timeout: seconds.optional().meta({ description: "Seconds; enforced (the activity fails when it runs longer)." }),
};

const activity = strict(
  {
    type: z.enum(["action", "probe"]),
    ...activityFields,
    tolerance: tolerance.optional(),
  },
  UNSUPPORTED_ACTIVITY,
).meta({ id: "Activity", title: "Chaos Toolkit activity", description: "An action or probe with an http or process provider." });

const checkActivity = strict(
  {
    type: z.literal("probe", expecting("`probe`: the steady-state hypothesis and stop conditions only run probes")),
    ...activityFields,
    tolerance,
  },
  UNSUPPORTED_ACTIVITY,
).meta({ id: "ActivityProbe", title: "Chaos Toolkit probe", description: "A probe activity with the tolerance that judges it." });

// ---------------------------------------------------------------- step unions

const STEP_KEYS = ["fault", "probe", "pause", "ref", "type", "fis-template"];
const STEP_FORMS = "a step: `fault:`, `probe:`, `pause:`, `ref:`, `fis-template:`, or a Chaos Toolkit activity with `type: action` or `type: probe`";
const CHECK_FORMS = "a probe: `probe:`, `ref:`, or a Chaos Toolkit activity with `type: probe`";

function noStepKey(input: Record<string, unknown>, forms: string, known: string[]): Problem {
  const keys = Object.keys(input);
  const hint = keys.map((k) => suggestion(k, known)).find((s) => s !== "") ?? "";
  return { expected: `${forms}${hint}`, found: keys.length ? `a map with ${keys.map(quote).join(", ")}` : "an empty map" };
}

/** Order of `oneOf([fault, probe, pause, ref, activity, fis-template])`. */
function chooseStep(input: unknown): number | Problem {
  if (!isMap(input)) return { expected: STEP_FORMS, found: `${kindOf(input)}: ${describeValue(input)}` };
  if ("ref" in input) return 3;
  if ("fault" in input) return 0;
  if ("pause" in input) return 2;
  if ("probe" in input) return 1;
  if ("type" in input) return 4;
  if ("fis-template" in input) return 5;
  return noStepKey(input, STEP_FORMS, STEP_KEYS);
}

/** Order of `oneOf([probe, ref, activity])`. */
function chooseCheck(input: unknown): number | Problem {
  if (!isMap(input)) return { expected: CHECK_FORMS, found: `${kindOf(input)}: ${describeValue(input)}` };
  if ("ref" in input) return 1;
  if ("probe" in input) return 0;
  if ("type" in input) return 2;
  if ("fault" in input) return { expected: `${CHECK_FORMS}; faults belong in \`method\``, found: "a `fault:` step" };
  if ("fis-template" in input) return { expected: `${CHECK_FORMS}; FIS templates belong in \`method\``, found: "a `fis-template:` step" };
  if ("pause" in input) return { expected: `${CHECK_FORMS}; pauses belong in \`method\` or \`rollbacks\``, found: "a `pause:` step" };
  return noStepKey(input, CHECK_FORMS, ["probe", "ref", "type"]);
}

// Declared rollbacks are run by engine/undo.ts, which runs activities and pauses and nothing else:
// faults are reverted from the ledger by gameday itself, and probe modules need a planned run.
const ROLLBACK_FORMS = "a rollback: a Chaos Toolkit activity (`type: action` with an http or process provider), `pause:` or `ref:` to an action";
const ROLLBACK_REFUSED: Readonly<Record<string, string>> = {
  fault: "gameday reverts every fault itself, from the rollback ledger; a fault cannot undo another",
  probe: "a `probe:` step cannot run as a rollback; the steady-state hypothesis is checked again after the rollbacks",
  "fis-template": "gameday reverts every FIS template it runs itself, from the rollback ledger",
};

/** Order of `oneOf([pause, ref, activity])`. */
function chooseRollback(input: unknown): number | Problem {
  if (!isMap(input)) return { expected: ROLLBACK_FORMS, found: `${kindOf(input)}: ${describeValue(input)}` };
  if ("ref" in input) return 1;
  for (const kind of ["fault", "probe", "fis-template"]) {
    if (kind in input) {
      return { path: [kind], expected: `${ROLLBACK_FORMS} (${ROLLBACK_REFUSED[kind]})`, found: `a \`${kind}:\` step (${describeValue(input[kind])})` };
    }
  }
  if ("pause" in input) return 0;
  if ("type" in input) return 2;
  return noStepKey(input, ROLLBACK_FORMS, ["pause", "ref", "type"]);
}

const methodStep = oneOf([faultStep, probeStep, pauseStep, refStep, activity, fisTemplateStep], STEP_FORMS, chooseStep);
const checkStep = oneOf([probeStep, refStep, checkActivity], CHECK_FORMS, chooseCheck);
const rollbackStep = oneOf([pauseStep, refStep, activity], ROLLBACK_FORMS, chooseRollback);

// ---------------------------------------------------------------- runtime

const hypothesisStrategy = z
  .enum(HYPOTHESIS_SPELLINGS)
  .transform((s) => normaliseHypothesisStrategy(s) ?? (z.NEVER as never))
  .meta({ description: "When the steady-state hypothesis runs. `continously` is Chaos Toolkit's deprecated spelling." });

const rollbackStrategy = z
  .enum(ROLLBACK_SPELLINGS)
  .transform((s) => normaliseRollbackStrategy(s) ?? (z.NEVER as never))
  .meta({ description: "When rollbacks run. `default` means `always` in gameday: every fault is reverted." });

const DEFAULT_INTERVAL = 5000;

const runtime = strict({
  hypothesis: oneOf(
    [hypothesisStrategy, strict({ strategy: hypothesisStrategy, frequency: z.number().positive().optional() })],
    "a hypothesis strategy, or Chaos Toolkit's {strategy, frequency}",
  ).optional(),
  rollbacks: oneOf([rollbackStrategy, strict({ strategy: rollbackStrategy })], "a rollback strategy, or Chaos Toolkit's {strategy}").optional(),
  interval: interval.optional().meta({ description: `Poll interval for hypothesis probes during the method and for stop conditions. Default 5s; at least ${MIN_INTERVAL_MS}ms.` }),
  failFast: z.boolean().optional().meta({ description: "Abort the method on the first failed reading during it." }),
})
  .transform((r, ctx): Runtime => {
    const hypothesis: { strategy?: HypothesisStrategy; frequency?: number | undefined } =
      typeof r.hypothesis === "object" ? r.hypothesis : r.hypothesis !== undefined ? { strategy: r.hypothesis } : {};
    const frequency = hypothesis.frequency;
    if (frequency !== undefined && r.interval !== undefined) {
      report(ctx, "either `interval` or `hypothesis.frequency`, not both", `${r.interval} ms and ${frequency} s`, ["interval"]);
    }
    // Chaos Toolkit's frequency is the same interval, in seconds.
    if (frequency !== undefined && frequency * 1000 < MIN_INTERVAL_MS) report(ctx, TOO_SHORT, `${frequency} s`, ["hypothesis", "frequency"]);
    return {
      hypothesis: hypothesis.strategy ?? "default",
      interval: r.interval ?? (frequency !== undefined ? Math.round(frequency * 1000) : DEFAULT_INTERVAL),
      rollbacks: (typeof r.rollbacks === "object" ? r.rollbacks.strategy : r.rollbacks) ?? "always",
      failFast: r.failFast ?? false,
    };
  })
  .meta({ description: "Gameday's flat {hypothesis, interval, rollbacks, failFast} or Chaos Toolkit's {hypothesis: {strategy, frequency}, rollbacks: {strategy}}." });

// ---------------------------------------------------------------- the experiment

export const TOP_LEVEL_UNSUPPORTED = {
  controls: UNSUPPORTED_CONTROLS,
  dry: "no `dry` in the file: rehearse with the sandbox target instead",
};

export const experimentSchema = strict(
  {
    version: oneOf([z.string(), z.number().transform(String)], "a version string").optional(),
    title: z.string().min(1).meta({ description: "What the experiment shows, as a sentence." }),
    description: z.string().optional(),
    tags: z.array(z.string().min(1)).optional(),
    contributions: z.record(z.string(), z.enum(["high", "medium", "low", "none"])).optional(),
    configuration: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: "Values for ${name}; Chaos Toolkit's {type: env, key, default, env_var_type} reads the environment." }),
    secrets: z
      .record(z.string(), z.record(z.string(), z.unknown()))
      .optional()
      .meta({ description: "Scopes of secret values (inline or {type: env, key}); redacted from journals and logs." }),
    "steady-state-hypothesis": strict({ title: z.string().min(1), probes: z.array(checkStep).optional() }, { controls: UNSUPPORTED_CONTROLS })
      .optional()
      .meta({ description: "What 'working' means: probes that must pass before and after (or during) the method." }),
    method: z.array(methodStep).meta({ description: "The steps of the experiment, in order." }),
    rollbacks: z
      .array(rollbackStep)
      .optional()
      .meta({ description: "Actions (and pauses) that undo the method, run per runtime.rollbacks; faults are reverted by gameday itself." }),
    "stop-conditions": z
      .array(checkStep)
      .optional()
      .meta({ description: "Probes polled during the run; the first one that fails aborts the experiment (rollbacks still run)." }),
    runtime: runtime.optional(),
    extensions: z.array(z.looseObject({ name: z.string().min(1) })).optional(),
  },
  TOP_LEVEL_UNSUPPORTED,
).meta({
  title: "gameday experiment",
  description: "A chaos experiment: Chaos Toolkit's format plus gameday's fault:, probe:, pause: steps and stop-conditions.",
});

export type AuthoredExperiment = z.output<typeof experimentSchema>;
export type AuthoredStep = z.output<typeof methodStep>;
export type AuthoredCheck = z.output<typeof checkStep>;

/**
 * The schema of one step in each section, so that the steps of a document that fails as a whole
 * can still be checked one by one (and the valid ones planned).
 */
export const STEP_SCHEMAS = {
  hypothesis: checkStep,
  method: methodStep,
  rollbacks: rollbackStep,
  "stop-conditions": checkStep,
} as const;

export const DEFAULT_RUNTIME: Runtime = { hypothesis: "default", interval: DEFAULT_INTERVAL, rollbacks: "always", failFast: false };

/** JSON Schema (draft 2020-12) of the authored format, for editors and `chaos schema`. */
export function experimentJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(experimentSchema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
}

/**
 * Loads an experiment file: parse (YAML or JSON, with positions), gather variables, substitute,
 * validate against the schema, check names and refs, and build the model. Every problem found
 * on the way is reported together in one InvalidInputError; nothing else escapes.
 */
import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { buildExperiment, buildValidSteps, type ValidStep } from "./build.js";
import { substituteDocument, type Substituted } from "./configuration.js";
import { describeValue } from "./describe.js";
import { formatPath, InvalidInputError, type Check, type Experiment, type InputError, type LoadedExperiment } from "./model.js";
import { isUnder, Problems } from "./problems.js";
import { IssueReporter } from "./schema-errors.js";
import { PARSED_ONCE } from "./schema-kit.js";
import { DEFAULT_RUNTIME, experimentSchema, STEP_SCHEMAS } from "./schema.js";
import { unreadableFile } from "../report/fs-problem.js";
import { readSource, type Located } from "./source.js";
import { nameSteps, slotsOf, type Naming, type Section } from "./step-names.js";
import { readTolerance } from "./tolerance-parse.js";
import { readVarFile, readVarOptions, type VarFile, type VarsAt } from "./var-files.js";

export interface LoadOptions {
  /** `--var` values: `name` or `name:type` (str, int, float, bool, json, bytes) to text. */
  vars?: Record<string, string>;
  /** Where `vars` are written when a file gives them (a runbook step, a suite entry) instead of `--var`. */
  varsAt?: VarsAt;
  /** `--var-file` paths: YAML/JSON configuration and secrets, or .env files. */
  varFiles?: string[];
  /** The environment for `${env:NAME}` and `{type: env}` entries; `loadExperiment` defaults it to process.env. */
  env?: Record<string, string | undefined>;
}

/** Text of each var file, or why it could not be read. */
type VarFileTexts = ReadonlyMap<string, { text: string } | { error: unknown }>;

function unreadable(file: string, what: string, error: unknown): InputError {
  return { file, path: "(document)", expected: `a readable ${what}`, found: unreadableFile(error, file) };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** CreateExperimentTemplate's input, or GetExperimentTemplate's output (the template under experimentTemplate). */
export function looksLikeFisTemplate(doc: Record<string, unknown>): boolean {
  const body = isMap(doc.experimentTemplate) ? doc.experimentTemplate : doc;
  return "actions" in body && "targets" in body;
}

/** A sandbox stack file's top-level keys (src/sandbox/stack/schema.ts), the ones every stack or variant of one has. */
function looksLikeStack(doc: Record<string, unknown>): boolean {
  return ["availabilityZones", "extends", "clusters", "services"].some((k) => k in doc);
}

/**
 * What another of gameday's files given as an experiment is, with what to do instead; undefined
 * for a document with a `method` (an experiment, checked key by key however wrong). Checked as an
 * experiment, each would get an error per top-level key, none saying what the file is.
 */
function otherFileKind(doc: Record<string, unknown>): string | undefined {
  if ("method" in doc) return undefined;
  const untitled = !("title" in doc);
  if (untitled && looksLikeFisTemplate(doc)) return "an AWS FIS experiment template (`targets` and `actions`): run it with chaos run --fis-template FILE";
  if (untitled && looksLikeStack(doc)) return "a sandbox stack file (`availabilityZones`, `clusters`, ...): give it with --stack, and the experiment to run on it";
  if ("gameday" in doc && "experiment" in doc && "status" in doc) return "a run journal (written by chaos run): read it with chaos report FILE";
  if ("experiments" in doc) return "a suite (`experiments:`): run it with chaos gate FILE";
  if ("steps" in doc) return "a game-day runbook (`steps:`): run it with chaos gameday FILE";
  if ("explore" in doc) return "a space file (`explore:`): search it with chaos explore FILE";
  return undefined;
}

function load(text: string, file: string, options: LoadOptions, varTexts: VarFileTexts): LoadedExperiment {
  // Annotated so that TypeScript sees `problems.raise()` never returns.
  const problems: Problems = new Problems();
  const source = readSource(text, file);
  if (source.errors.length > 0) {
    // Past a syntax error the document is a guess; report only what the parser saw.
    problems.addAll(source.errors);
    problems.raise();
  }
  const raw = source.value;
  if (!isMap(raw)) {
    problems.add(
      source,
      [],
      "a map with at least `title` and `method`",
      raw === null || raw === undefined ? "an empty document" : describeValue(raw),
    );
    problems.raise();
  }
  const other = otherFileKind(raw);
  if (other !== undefined) {
    problems.add(source, [], "an experiment (`title` and `method`)", other);
    problems.raise();
  }

  const varFiles: VarFile[] = [];
  for (const path of options.varFiles ?? []) {
    const read = varTexts.get(path);
    if (!read || "error" in read) {
      problems.addAll([unreadable(path, "var file", read && "error" in read ? read.error : "not read")]);
      continue;
    }
    varFiles.push(readVarFile(path, read.text, problems));
  }
  const overrides = readVarOptions(options.vars ?? {}, problems, options.varsAt);

  const substituted = substituteDocument(raw, source, { varFiles, overrides, env: options.env ?? {} }, problems);
  problems.redact(substituted.secretValues);
  // Problems with substituted values also say where the value was set.
  const located: Located = { file, positionOf: source.positionOf, keyPositionOf: source.keyPositionOf, originOf: substituted.originOf };
  const naming = nameSteps(slotsOf(substituted.document), (path, expected, found) => {
    // A name or ref whose ${...} failed is already reported.
    if (!isUnder(path, substituted.failedPaths)) problems.add(located, path, expected, found);
  });

  const parsed = experimentSchema.safeParse(substituted.document, PARSED_ONCE);
  if (!parsed.success) {
    new IssueReporter(located, problems, substituted.failedPaths).report(parsed.error.issues, substituted.document);
  }
  // Every quiet schema issue sits under a reported substitution failure, so this raises when parsing failed.
  if (!parsed.success || problems.any) problems.raise(partialExperiment(file, raw, source, substituted, naming));

  const experiment = buildExperiment(parsed.data, naming, { configuration: substituted.configuration, secrets: substituted.secrets });
  return {
    file,
    experiment,
    raw,
    positionOf: (path) => source.positionOf(path),
    keyPositionOf: (path) => source.keyPositionOf(path),
    originOf: substituted.originOf,
    secretValues: substituted.secretValues,
  };
}

/**
 * The steps of an invalid experiment that are valid on their own, so that planning them (probe
 * and fault parameters) can report its problems together with the loader's in one round.
 */
function partialExperiment(file: string, raw: Record<string, unknown>, source: Located, substituted: Substituted, naming: Naming): LoadedExperiment | undefined {
  try {
    const valid: ValidStep[] = [];
    for (const slot of slotsOf(substituted.document)) {
      // A failed ${...} leaves the placeholder text in place of a value; planning would only complain about it again.
      if (substituted.failedPaths.some((failed) => isUnder(failed, [slot.at]))) continue;
      // A second step of the same name is reported already; the plan keys steps by name.
      if (typeof slot.raw.name === "string" && naming.names.get(formatPath(slot.at)) !== slot.raw.name) continue;
      const schema = STEP_SCHEMAS[slot.section];
      let parsed = schema.safeParse(slot.raw, PARSED_ONCE);
      if (!parsed.success) {
        // Fields of a tolerance map that failed are reported already; the others still go to the
        // plan, which checks them against what the probe returns.
        const salvaged = withoutFailedToleranceFields(slot.raw);
        if (salvaged) parsed = schema.safeParse(salvaged, PARSED_ONCE);
        if (!parsed.success) {
          // A step's other fields that failed (an interval of 1000, a misspelt mode) are reported
          // already too: without them, its with: and target: still get checked in the same round.
          const rest = withoutFailedFields(salvaged ?? slot.raw, parsed.error.issues);
          if (rest) parsed = schema.safeParse(rest, PARSED_ONCE);
        }
      }
      if (parsed.success) valid.push({ section: slot.section, at: slot.at, step: parsed.data });
    }
    const built = buildValidSteps(valid, naming);
    const section = (name: Section) => built.filter((b) => b.section === name).map((b) => b.step);
    const experiment: Experiment = {
      title: typeof raw.title === "string" ? raw.title : "",
      description: "",
      tags: [],
      configuration: substituted.configuration,
      secrets: substituted.secrets,
      steadyStateHypothesis: { title: "", probes: section("hypothesis") as Check[] },
      method: section("method"),
      rollbacks: section("rollbacks"),
      stopConditions: section("stop-conditions") as Check[],
      runtime: DEFAULT_RUNTIME,
    };
    return { file, experiment, raw, positionOf: (path) => source.positionOf(path), keyPositionOf: (path) => source.keyPositionOf(path), originOf: substituted.originOf, secretValues: substituted.secretValues };
  } catch {
    // Only an extra; a failure here must not hide the problems already found.
    return undefined;
  }
}

/**
 * The step without the fields of its tolerance map that cannot be read (each is reported
 * already), or undefined when there are none to leave out.
 */
function withoutFailedToleranceFields(raw: Record<string, unknown>): Record<string, unknown> | undefined {
  const tolerance = raw.tolerance;
  if (!isMap(tolerance) || "type" in tolerance) return undefined;
  const readable = ([, field]: [string, unknown]) => {
    let ok = true;
    readTolerance(field, [], () => (ok = false));
    return ok;
  };
  const kept = Object.entries(tolerance).filter(readable);
  if (kept.length === Object.keys(tolerance).length) return undefined;
  const { tolerance: _dropped, ...rest } = raw;
  return kept.length > 0 ? { ...rest, tolerance: Object.fromEntries(kept) } : rest;
}

/** What a step is and what the plan checks: never left out of one, or the plan would check something else. */
const STEP_ESSENTIALS = new Set(["probe", "fault", "fis-template", "with", "target", "name", "ref", "pause", "type", "provider", "tolerance"]);

type StepIssue = { path: readonly PropertyKey[]; code?: string; errors?: readonly (readonly StepIssue[])[] };

/**
 * The step without the top-level fields its schema issues are about, or undefined when that would
 * leave out what it is. A step's schema is a union of its kinds: the kind it fits best (no
 * complaint about the step as a whole, then the fewest) is the one meant, as the reporter chooses.
 */
function withoutFailedFields(raw: Record<string, unknown>, all: readonly StepIssue[]): Record<string, unknown> | undefined {
  let issues = all;
  const union = all.length === 1 && all[0]!.code === "invalid_union" && all[0]!.path.length === 0 ? all[0]!.errors : undefined;
  if (union) {
    const score = (errs: readonly StepIssue[]) => errs.filter((e) => e.path.length === 0).length * 1000 + errs.length;
    issues = union.reduce((a, b) => (score(b) < score(a) ? b : a));
  }
  const failed = new Set<string>();
  for (const issue of issues) {
    const key = issue.path[0];
    if (typeof key !== "string" || STEP_ESSENTIALS.has(key)) return undefined;
    failed.add(key);
  }
  if (failed.size === 0) return undefined;
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !failed.has(k)));
}

/** Never lets anything but InvalidInputError out: an unexpected failure is reported, not thrown raw. */
function guarded(file: string, run: () => LoadedExperiment): LoadedExperiment {
  try {
    return run();
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    throw new InvalidInputError([
      {
        file,
        path: "(document)",
        expected: "an experiment gameday can load (this is a gameday bug; please report it with the file)",
        found: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      },
    ]);
  }
}

/** Parses experiment text. Var files named in `options` are read synchronously. */
export function parseExperiment(text: string, file: string, options: LoadOptions = {}): LoadedExperiment {
  return guarded(file, () => {
    const texts = new Map<string, { text: string } | { error: unknown }>();
    for (const path of options.varFiles ?? []) {
      try {
        texts.set(path, { text: readFileSync(path, "utf8") });
      } catch (error) {
        texts.set(path, { error });
      }
    }
    return load(text, file, options, texts);
  });
}

/** Reads and parses an experiment file; `env` defaults to process.env. */
export async function loadExperiment(file: string, options: LoadOptions = {}): Promise<LoadedExperiment> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new InvalidInputError([unreadable(file, "experiment file", error)]);
  }
  const texts = new Map<string, { text: string } | { error: unknown }>();
  await Promise.all(
    (options.varFiles ?? []).map(async (path) => {
      try {
        texts.set(path, { text: await readFile(path, "utf8") });
      } catch (error) {
        texts.set(path, { error });
      }
    }),
  );
  const withEnv = { ...options, env: options.env ?? process.env };
  return guarded(file, () => load(text, file, withEnv, texts));
}

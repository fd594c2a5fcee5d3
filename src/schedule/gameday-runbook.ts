/**
 * A game day's runbook as code (experiments/gamedays/*.yaml): who takes part, what is announced,
 * what must hold before anything starts, and the experiments in order with their timeboxes and
 * the checkpoints between them. Every problem is reported with file:line, path, expected, found.
 */
import { existsSync, statSync } from "node:fs";
import { basename, dirname, extname, resolve } from "node:path";
import { z } from "zod";
import { describeValue } from "../experiment/describe.js";
import { readDuration } from "../experiment/duration.js";
import { expecting, oneOf, strict } from "../experiment/schema-kit.js";
import { Problems } from "../experiment/problems.js";
import { checkLocated, collectLocated, readLocated } from "./located.js";
import { checkReferences, referencesIn, type ExperimentCatalog } from "./experiment-references.js";
import { checkChaosPreCheck, type PreCheckContext } from "./chaos-precheck-args.js";
import type { DocPath, SourcePosition } from "../experiment/model.js";

type Ctx = z.core.$RefinementCtx;

function report(ctx: Ctx, expected: string, found: string): void {
  ctx.addIssue({ code: "custom", path: [], params: { expected, found } });
}

const text = z.string(expecting("a non-empty string")).min(1);

const duration = z.string(expecting("a duration such as PT10M, 90s or 1h (a bare number has no unit)")).transform((value, ctx) => {
  const reading = readDuration(value);
  if ("ms" in reading && reading.ms > 0) return reading.ms;
  report(ctx, "a positive duration such as PT10M, 90s or 1h", `${describeValue(value)}${"problem" in reading ? `: ${reading.problem}` : ""}`);
  return z.NEVER;
});

const scalar = oneOf([z.string(), z.number(), z.boolean()], "a string, number or true/false").transform(String);

const roles = strict({
  facilitator: text,
  observers: z.array(text, expecting("a list of names")).optional(),
});

const announcement = oneOf(
  [
    text.transform((message) => ({ message })),
    strict({
      message: text,
      /** Also written here (relative to the runbook's directory, as the steps' paths are), for pasting into Slack or email. */
      file: text.optional(),
    }),
  ],
  "the announcement's text, or { message, file }",
);

/** A pre-check passes when the command exits 0, the URL answers the status, or `chaos <args>` exits 0. */
const preCheck = oneOf(
  [
    strict({ name: text.optional(), command: z.array(text, expecting("the command and its arguments, as a list")).min(1) }),
    strict({ name: text.optional(), http: strict({ url: z.url(expecting("an http(s) URL")), status: z.number(expecting("an HTTP status code")).int().min(100).max(599).optional() }) }),
    strict({ name: text.optional(), chaos: z.array(text, expecting("chaos's arguments, as a list (e.g. [run, spot-interrupt, --dry])")).min(1) }),
  ],
  "a pre-check: { command: [...] }, { http: { url, status } } or { chaos: [...] }",
  (input) => {
    if (typeof input !== "object" || input === null) return { expected: "a map with command, http or chaos" };
    if ("command" in input) return 0;
    if ("http" in input) return 1;
    if ("chaos" in input) return 2;
    return { expected: "a map with command, http or chaos", found: `the keys ${Object.keys(input).join(", ") || "(none)"}` };
  },
);

const step = strict({
  /** An experiment's name (./experiments, then the catalog) or path, as `chaos run` takes it. */
  experiment: text,
  name: text.optional(),
  vars: z.record(z.string(), scalar, expecting("a map of variable names to values")).optional(),
  stack: text.optional(),
  /** How long the step may take; an overrun is stopped (its rollbacks run) and reported. */
  timebox: duration.optional(),
  /** The question asked at the checkpoint after this step; the last step has none unless given. */
  checkpoint: oneOf([text, z.literal(false)], "the checkpoint's question, or false for none").optional(),
});

export const runbookSchema = strict({
  title: text,
  description: z.string().optional(),
  roles,
  announcement: announcement.optional(),
  "pre-checks": z.array(preCheck, expecting("a list of pre-checks")).optional(),
  steps: z.array(step, expecting("a list of experiments to run in order")).min(1, expecting("at least one step (an experiment to run)")),
});

export type Runbook = z.output<typeof runbookSchema>;
export type RunbookStep = z.output<typeof step>;
export type PreCheck = z.output<typeof preCheck>;

export interface LoadedRunbook {
  file: string;
  /** The runbook's name: its file name without the extension. */
  name: string;
  runbook: Runbook;
  /** Where a path of the runbook is written, for later checks' messages. */
  positionOf(path: DocPath): SourcePosition | undefined;
}

export function loadRunbook(file: string, shown = file): LoadedRunbook {
  const source = readLocated(file, shown);
  const runbook = checkLocated(source, runbookSchema, source.value ?? {});
  return { file, name: basename(file, extname(file)), runbook, positionOf: source.positionOf };
}

/**
 * The runbook, with what every step refers to checked before the game day starts: finding out at
 * step three, after two faults on the target and with the team assembled, is too late. Each
 * step's experiment exists, loads with the step's vars (a var it does not declare is refused as
 * `chaos run --var` refuses it), and its stack (the step's, or the experiment's own where the run
 * uses it: `ownStacks`) is a stack file. Each `chaos:` pre-check names a command chaos has and,
 * for a command that takes an experiment, one that resolves where the pre-checks run
 * (`preChecks`: chaos-precheck-args.ts). Every problem of the file, the schema's and these, is
 * thrown at once.
 */
export async function loadRunbookForRun(
  file: string,
  shown: string,
  catalog: ExperimentCatalog,
  options: { ownStacks?: boolean; announcementFile?: boolean; preChecks?: PreCheckContext } = {},
): Promise<LoadedRunbook> {
  const source = readLocated(file, shown);
  const problems = new Problems();
  const parsed = collectLocated(source, runbookSchema, source.value ?? {}, problems);
  const { announcementFile = true, preChecks, ...refOptions } = options;
  if (announcementFile) checkAnnouncementFile(source, dirname(file), problems);
  if (preChecks !== undefined) checkChaosPreChecks(source, preChecks, problems);
  await checkReferences(referencesIn(source.value, "steps"), { source, dir: dirname(file), relativeTo: "the runbook", catalog, ...refOptions }, problems);
  problems.throwIfAny();
  if (!parsed.ok) return problems.raise();
  return { file, name: basename(file, extname(file)), runbook: parsed.value, positionOf: source.positionOf };
}

/** The path where `announcement.file` is written: relative to the runbook's directory (an absolute path as it is). */
export function announcementPath(runbookFile: string, announcementFile: string): string {
  return resolve(dirname(runbookFile), announcementFile);
}

export const ANNOUNCEMENT_FILE_EXPECTED = "a file to write the announcement to, relative to the runbook, in a directory that exists";

/**
 * `announcement.file` is written when the game day starts: a directory that does not exist (or a
 * path that is a directory) is found now, at its line, rather than after the team has assembled.
 */
function checkAnnouncementFile(source: ReturnType<typeof readLocated>, runbookDir: string, problems: Problems): void {
  const doc = source.value;
  const announcement = doc !== null && typeof doc === "object" ? (doc as Record<string, unknown>).announcement : undefined;
  const file = announcement !== null && typeof announcement === "object" ? (announcement as Record<string, unknown>).file : undefined;
  if (typeof file !== "string" || file === "") return;
  const path = resolve(runbookDir, file);
  const dir = dirname(path);
  const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
  const found = !isDir(dir) ? `${describeValue(file)}: no directory ${dir}` : isDir(path) ? `${describeValue(file)}: ${path} is a directory` : undefined;
  if (found !== undefined) problems.add(source, ["announcement", "file"], ANNOUNCEMENT_FILE_EXPECTED, found);
}

/**
 * The `chaos:` pre-checks of the raw document, checked even when another field of the file is
 * wrong; a list the schema refuses (not all non-empty strings) is left to the schema's message.
 */
function checkChaosPreChecks(source: ReturnType<typeof readLocated>, ctx: PreCheckContext, problems: Problems): void {
  const doc = source.value;
  const list = doc !== null && typeof doc === "object" ? (doc as Record<string, unknown>)["pre-checks"] : undefined;
  if (!Array.isArray(list)) return;
  list.forEach((check: unknown, i) => {
    const args = check !== null && typeof check === "object" ? (check as Record<string, unknown>).chaos : undefined;
    if (!Array.isArray(args) || !args.every((a) => typeof a === "string" && a !== "")) return;
    checkChaosPreCheck(args as string[], ["pre-checks", i, "chaos"], source, ctx, problems);
  });
}

/** The game day's header line of who takes part: "facilitator: Ana; observers: Bo, Cy" ("facilitator: Ana" without observers). */
export function rolesLine(roles: Runbook["roles"]): string {
  return `facilitator: ${roles.facilitator}${roles.observers?.length ? `; observers: ${roles.observers.join(", ")}` : ""}`;
}

/** A pre-check's name in records: its own, or what it does. */
export function preCheckName(check: PreCheck, index: number): string {
  if (check.name !== undefined) return check.name;
  if ("command" in check) return check.command.join(" ");
  if ("http" in check) return `GET ${check.http.url}`;
  if ("chaos" in check) return `chaos ${check.chaos.join(" ")}`;
  return `pre-check ${index + 1}`;
}

/** The question asked at the checkpoint after step `i`: its own, else "continue with <next>?" (none after the last, or with `checkpoint: false`). */
export function checkpointQuestion(rb: Runbook, i: number): string | undefined {
  const step = rb.steps[i]!;
  if (step.checkpoint === false) return undefined;
  return step.checkpoint ?? (i < rb.steps.length - 1 ? `continue with ${stepName(rb.steps[i + 1]!, i + 1)}?` : undefined);
}

/** A step's name in records: its own, or the experiment's. */
export function stepName(s: RunbookStep, _index: number): string {
  return s.name ?? basename(s.experiment, extname(s.experiment));
}

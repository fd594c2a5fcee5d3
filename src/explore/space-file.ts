/**
 * A space file: what `chaos explore` searches when the experiment's own method is not the whole
 * story. It names the experiment whose hypothesis and probes judge every schedule, the sandbox
 * stack, which faults to place (the experiment's fault steps by name, or catalog faults declared
 * here) and the bounds. Paths are relative to the file. Every mistake is reported at its line.
 *
 *   explore: spot-interrupt
 *   stack: ../../fixtures/stacks/spot-headroom.yaml
 *   faults: [interrupt-one-spot-instance, { fault: task-kill, target: { cluster: prod, service: web } }]
 *   maxFaults: 3
 *   window: PT3M
 *   crashes: { max: 2 }            # SIGKILL of a task's log shipper, up to twice
 *   vars: { duration: PT2M }       # the experiment's configuration, as --var sets it
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { readSource, nearestPosition, type Located } from "../experiment/source.js";
import { formatPath, InvalidInputError, type InputError } from "../experiment/model.js";
import { parseDuration } from "../experiment/duration.js";
import { faultNames } from "../faults/index.js";

const isoDuration = z.string().refine((t) => t.startsWith("P") && parseDuration(t) !== undefined && parseDuration(t)! > 0, { message: "a positive ISO 8601 duration such as PT3M" });

const declaredFault = z
  .object({
    fault: z.string().refine((f) => faultNames().includes(f), { message: `a catalog fault: ${faultNames().join(", ")}` }),
    name: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, "a step name of letters, digits, '-', '_' or '.'").optional(),
    target: z.record(z.string(), z.unknown()).optional(),
    with: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Crashes of the log producers: how many at most, and (when the stack cannot say) whose shipper. */
const crashesSchema = z
  .object({
    max: z.number().int().min(0).max(10),
    target: z.object({ cluster: z.string().min(1), service: z.string().min(1) }).strict().optional(),
    process: z.string().regex(/^[\w.-]+$/, "a process name as killall matches it").optional(),
  })
  .strict();

const spaceSchema = z
  .object({
    explore: z.string().min(1, "the experiment to judge schedules by: a catalog name or a path"),
    stack: z.string().min(1).optional(),
    faults: z.array(z.union([z.string().min(1), declaredFault])).min(1).optional(),
    maxFaults: z.number().int().min(1).max(10).optional(),
    window: isoDuration.optional(),
    offsetStep: isoDuration.optional(),
    maxTargets: z.number().int().min(1).optional(),
    maxDuration: isoDuration.optional(),
    crashes: crashesSchema.optional(),
    /** Configuration values for the experiment, as --var gives them (a --var overrides one here). */
    vars: z.record(z.string().regex(/^[A-Za-z_][\w.-]*(:\w+)?$/, "a variable name (name or name:type)"), z.union([z.string(), z.number(), z.boolean()])).optional(),
  })
  .strict();

export type SpaceFileFault = string | z.infer<typeof declaredFault>;

export interface SpaceFile {
  file: string;
  /** As written: a catalog name, or a path resolved against the space file's directory. */
  experiment: string;
  stack?: string;
  faults?: SpaceFileFault[];
  bounds: { maxFaults?: number; windowMs?: number; offsetStepMs?: number; maxTargets?: number; maxDurationMs?: number };
  crashes?: z.infer<typeof crashesSchema>;
  /** As --var takes them: text values by name (or name:type). */
  vars: Record<string, string>;
  /** Positions in the file, for errors found later (a fault step the experiment does not have). */
  source: Located;
}

/** Whether a parsed document is a space file rather than an experiment. */
export function isSpaceDocument(doc: unknown): boolean {
  return typeof doc === "object" && doc !== null && "explore" in doc;
}

function expectedFor(issue: z.core.$ZodIssue): { expected: string; found: string } {
  if (issue.code === "unrecognized_keys") return { expected: "explore, stack, faults, maxFaults, window, offsetStep, maxTargets, maxDuration, crashes or vars", found: `the key ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}` };
  if (issue.code === "too_small" && issue.origin === "number") return { expected: `a whole number of at least ${String(issue.minimum)}`, found: JSON.stringify(issue.input) };
  if (issue.code === "too_big" && issue.origin === "number") return { expected: `a whole number of at most ${String(issue.maximum)}`, found: JSON.stringify(issue.input) };
  // A record's key that fails its pattern: the variable names under vars.
  if (issue.code === "invalid_key") return { expected: "a variable name (name or name:type, starting with a letter or '_')", found: JSON.stringify(issue.input) };
  if (issue.code === "invalid_type") return { expected: issue.expected, found: issue.input === undefined ? "nothing" : JSON.stringify(issue.input) };
  return { expected: issue.message, found: issue.input === undefined ? "nothing" : JSON.stringify(issue.input) };
}

export function readSpaceFile(file: string, text = readFileSync(file, "utf8")): SpaceFile {
  const source = readSource(text, file);
  if (source.errors.length > 0) throw new InvalidInputError(source.errors);
  const parsed = spaceSchema.safeParse(source.value, { reportInput: true });
  if (!parsed.success) {
    const errors: InputError[] = parsed.error.issues.map((issue) => {
      const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
      const position = nearestPosition(source, issue.code === "unrecognized_keys" ? [...path, issue.keys[0]!] : path, issue.code === "unrecognized_keys");
      return { file, ...(position ? { position } : {}), path: formatPath(path), ...expectedFor(issue) };
    });
    // In the order they appear in the file.
    errors.sort((a, b) => (a.position?.line ?? 0) - (b.position?.line ?? 0) || (a.position?.column ?? 0) - (b.position?.column ?? 0));
    throw new InvalidInputError(errors);
  }
  const s = parsed.data;
  const dir = dirname(file);
  const ms = (t: string | undefined) => (t === undefined ? undefined : parseDuration(t));
  const bounds: SpaceFile["bounds"] = {};
  if (s.maxFaults !== undefined) bounds.maxFaults = s.maxFaults;
  if (s.window !== undefined) bounds.windowMs = ms(s.window)!;
  if (s.offsetStep !== undefined) bounds.offsetStepMs = ms(s.offsetStep)!;
  if (s.maxTargets !== undefined) bounds.maxTargets = s.maxTargets;
  if (s.maxDuration !== undefined) bounds.maxDurationMs = ms(s.maxDuration)!;
  const looksLikePath = s.explore.includes("/") || /\.(ya?ml|json)$/.test(s.explore);
  return {
    file,
    experiment: looksLikePath ? resolve(dir, s.explore) : s.explore,
    ...(s.stack ? { stack: resolve(dir, s.stack) } : {}),
    ...(s.faults ? { faults: s.faults } : {}),
    ...(s.crashes ? { crashes: s.crashes } : {}),
    vars: Object.fromEntries(Object.entries(s.vars ?? {}).map(([k, v]) => [k, String(v)])),
    bounds,
    source,
  };
}

/** An error at a place in the space file. */
export function spaceError(space: SpaceFile, path: (string | number)[], expected: string, found: string): InvalidInputError {
  const position = nearestPosition(space.source, path);
  return new InvalidInputError([{ file: space.file, ...(position ? { position } : {}), path: formatPath(path), expected, found }]);
}

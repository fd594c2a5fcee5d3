/**
 * A suite (experiments/suites/*.yaml): the experiments a release gate runs, with their vars,
 * stacks, seeds and Litmus weights, and the thresholds that decide the gate. Read with source
 * positions: every mistake is reported at once as file:line:col, path, expected, found.
 *
 *   title: Release gate
 *   experiments:
 *     - experiment: kinesis-outage        # a catalog name, or a path relative to the suite file
 *       vars: { firstOutage: PT2M }
 *       stack: ../../fixtures/stacks/default.yaml   # relative to the suite file
 *       seeds: [7]
 *       weight: 8                         # 0 to 10, as Litmus weighs its faults (default 5)
 *   gate:
 *     allHeld: true                       # every hypothesis held (default true)
 *     minScore: 100                       # resilience score, 0 to 100 (default none)
 *     margin: 20%                         # how much a p95 or a time to drain may grow against --baseline (default 20%)
 */
import { readFileSync } from "node:fs";
import { unreadableFile } from "../report/fs-problem.js";
import { basename, dirname, extname, resolve } from "node:path";
import { z } from "zod";
import { IssueReporter } from "../experiment/schema-errors.js";
import { expecting, strict } from "../experiment/schema-kit.js";
import { Problems } from "../experiment/problems.js";
import { readSource, type SourceDocument } from "../experiment/source.js";
import { checkReferences, isExperimentPath, referencesIn, type ExperimentCatalog } from "../schedule/experiment-references.js";
import { InvalidInputError, type SourcePosition } from "../experiment/model.js";

export const DEFAULT_WEIGHT = 5;
export const DEFAULT_MARGIN = 0.2;
export const DEFAULT_SEED = 1;

const scalar = z.union([z.string(), z.number(), z.boolean()], expecting("a string, number or boolean"));
/**
 * A margin is written as a percentage ("20%") or as a share of 1 (0.2). A bare number above 1 is
 * refused, not read as a share: `margin: 20` almost always means 20%, and read as 2000% it would
 * let every regression through.
 */
export const MARGIN_EXPECTED = 'a share such as "20%" or 0.2 (a bare number is a share of 1: 0.2 is 20%)';
const margin = z.union([z.number().min(0, expecting(MARGIN_EXPECTED)).max(1, expecting(MARGIN_EXPECTED)), z.string().regex(/^\d+(\.\d+)?%$/, expecting(MARGIN_EXPECTED))], expecting(MARGIN_EXPECTED));

/** A margin given on the command line, by the suite's rule: "20%" or a share of 1 from 0 to 1; undefined when it is neither. */
export function parseMargin(text: string): number | undefined {
  // ".2" too: the command line gets it as typed (cli/argv.ts), where it once arrived as 0.2.
  const m = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(text.trim());
  if (!m) return undefined;
  if (m[2]) return Number(m[1]) / 100;
  const share = Number(m[1]);
  return share <= 1 ? share : undefined;
}

const entrySchema = strict({
  experiment: z.string(expecting("an experiment: a catalog name or a path")).min(1, expecting("an experiment: a catalog name or a path")),
  name: z.string().regex(/^[\w.-]+$/, expecting("a name of letters, digits, '.', '_' or '-'")).optional(),
  vars: z.record(z.string(), scalar, expecting("a map of configuration values")).optional(),
  stack: z.string(expecting("the path of a stack file")).optional(),
  seeds: z.array(z.number().int().min(0).max(0xffffffff), expecting("a list of seeds (integers from 0 to 4294967295)")).min(1, expecting("at least one seed")).optional(),
  weight: z.number(expecting("a weight from 0 to 10")).min(0, expecting("a weight from 0 to 10")).max(10, expecting("a weight from 0 to 10")).optional(),
});

const suiteSchema = strict({
  title: z.string(expecting("a title")),
  description: z.string().optional(),
  experiments: z.array(entrySchema, expecting("a list of experiments")).min(1, expecting("at least one experiment")),
  gate: strict({
    allHeld: z.boolean(expecting("true or false")).optional(),
    minScore: z.number(expecting("a score from 0 to 100")).min(0, expecting("a score from 0 to 100")).max(100, expecting("a score from 0 to 100")).optional(),
    margin: margin.optional(),
  }).optional(),
});

/** One run the gate makes: an entry of the suite with one of its seeds. */
export interface SuiteRun {
  /** Unique in the suite: the entry's name, and the seed when the entry has several. */
  id: string;
  /** The experiment as written, and resolved to a file when it is a path (catalog names resolve where the run starts). */
  experiment: string;
  seed: number;
  stack?: string;
  vars: Record<string, string>;
  weight: number;
  /** Where the entry is written in the suite, for annotations. */
  position?: SourcePosition;
}

export interface Suite {
  file: string;
  title: string;
  runs: SuiteRun[];
  gate: { allHeld: boolean; minScore?: number; margin: number };
}

function ratio(m: number | string | undefined): number {
  if (m === undefined) return DEFAULT_MARGIN;
  return typeof m === "number" ? m : Number(m.slice(0, -1)) / 100;
}

/** Parses a suite; `file` is how the user named it (for messages), `path` where it is. */
export function parseSuite(text: string, file: string, path = file): Suite {
  const problems = new Problems();
  const { suite } = collectSuite(text, file, path, problems);
  problems.throwIfAny();
  return suite!;
}

/** The suite and its source; every problem found goes to `problems` (the suite is undefined when the schema failed). */
function collectSuite(text: string, file: string, path: string, problems: Problems): { suite?: Suite; source: SourceDocument } {
  const source = readSource(text, file);
  if (source.errors.length > 0) throw new InvalidInputError(source.errors);
  const parsed = suiteSchema.safeParse(source.value);
  if (!parsed.success) {
    new IssueReporter(source, problems, [], suiteSchema).report(parsed.error.issues, source.value);
    return { source };
  }
  const doc = parsed.data;
  const dir = dirname(path);
  const runs: SuiteRun[] = [];
  const names = new Map<string, number>();
  doc.experiments.forEach((entry, index) => {
    const name = entry.name ?? basename(entry.experiment, extname(entry.experiment));
    const earlier = names.get(name);
    if (earlier !== undefined) problems.add(source, ["experiments", index, entry.name ? "name" : "experiment"], `a name no other entry has (experiments[${earlier}] is ${JSON.stringify(name)} too; give one a name:)`, JSON.stringify(name));
    names.set(name, index);
    const seeds = entry.seeds ?? [DEFAULT_SEED];
    const position = source.positionOf(["experiments", index]);
    for (const seed of seeds) {
      runs.push({
        id: seeds.length > 1 ? `${name}-s${seed}` : name,
        experiment: isExperimentPath(entry.experiment) ? resolve(dir, entry.experiment) : entry.experiment,
        seed,
        ...(entry.stack !== undefined ? { stack: resolve(dir, entry.stack) } : {}),
        vars: Object.fromEntries(Object.entries(entry.vars ?? {}).map(([k, v]) => [k, String(v)])),
        weight: entry.weight ?? DEFAULT_WEIGHT,
        ...(position ? { position } : {}),
      });
    }
  });
  return { source, suite: { file, title: doc.title, runs, gate: { allHeld: doc.gate?.allHeld ?? true, ...(doc.gate?.minScore !== undefined ? { minScore: doc.gate.minScore } : {}), margin: ratio(doc.gate?.margin) } } };
}

/**
 * Reads a suite for a gate: besides the suite's own mistakes, every entry's experiment must exist
 * and load with the entry's vars (a var it does not declare is refused as `chaos run --var`
 * refuses it), and its stack (the entry's, or the experiment's own where the run uses it:
 * `ownStacks`) must be a stack file, before any run starts; all are thrown at once.
 */
export async function readSuite(file: string, path: string, catalog: ExperimentCatalog, options: { ownStacks?: boolean } = {}): Promise<Suite> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new InvalidInputError([{ file, path: "(file)", expected: "a suite file that can be read", found: unreadableFile(err, path) }]);
  }
  const problems = new Problems();
  const { suite, source } = collectSuite(text, file, path, problems);
  await checkReferences(referencesIn(source.value, "experiments"), { source, dir: dirname(path), relativeTo: "the suite file", catalog, ...options }, problems);
  problems.throwIfAny();
  return suite!;
}

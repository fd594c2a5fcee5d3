/**
 * A runbook's `chaos:` pre-checks, checked with the runbook (chaos validate, chaos gameday and its
 * --dry) rather than found on the morning of the game day: the command is one chaos has, and the
 * experiments a command takes (run, plan, validate, explore, iam-policy, export) resolve as that
 * command resolves them in the directory the pre-check runs in (chaos gameday's working directory,
 * gameday-prechecks.ts). Flags are not checked beyond what is needed to find the experiment: the
 * pre-check's own run reports the rest.
 */
import { existsSync } from "node:fs";
import { extname, resolve } from "node:path";
import { describeValue, suggestion } from "../experiment/describe.js";
import type { DocPath } from "../experiment/model.js";
import type { Problems } from "../experiment/problems.js";
import type { Located } from "../experiment/source.js";
import { isExperimentPath, type ExperimentCatalog } from "./experiment-references.js";

/** chaos's commands, as src/cli/main.ts declares them. */
export const CHAOS_COMMANDS = ["run", "plan", "lint", "validate", "list", "describe", "schema", "recover", "explore", "report", "gate", "sandbox", "gameday", "schedule", "iam-policy", "setup", "export", "stop"] as const;

/**
 * The commands that take experiments, with the flags of each that take no value (src/cli/main.ts):
 * every other flag is taken to have one, so a flag not listed here can only hide an experiment
 * from this check, never make a good one look wrong.
 */
const TAKES_EXPERIMENT: Readonly<Record<string, { all: boolean; booleans: readonly string[] }>> = {
  run: { all: false, booleans: ["dry", "fail-fast", "verbose"] },
  plan: { all: false, booleans: ["json"] },
  validate: { all: true, booleans: [] },
  explore: { all: false, booleans: [] },
  "iam-policy": { all: false, booleans: [] },
  export: { all: false, booleans: [] },
};

const ALWAYS_BOOLEAN = ["help", "h", "version", "v"];

/** What chaos reads where, for a pre-check: the directory it runs in, and the catalog seen from a directory. */
export interface PreCheckContext {
  /** The working directory of the pre-checks (chaos gameday's). */
  cwd: string;
  /** The experiments `chaos run` finds by name from `dir` (its ./experiments, then the built-in ones). */
  catalogAt(dir: string): ExperimentCatalog;
  /** A space file `chaos explore <name>` finds from `dir` (experiments/spaces/<name>.yaml, local then built-in). */
  spaceAt?(dir: string, name: string): string | undefined;
}

interface Positional {
  index: number;
  value: string;
}

/** The arguments that are not flags or flag values; the values of `--name value` flags, by name. */
function readArgs(args: readonly string[], booleans: readonly string[]): { positionals: Positional[]; flags: Map<string, string | true> } {
  const positionals: Positional[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      for (let j = i + 1; j < args.length; j++) positionals.push({ index: j, value: args[j]! });
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      positionals.push({ index: i, value: a });
      continue;
    }
    const name = a.replace(/^--?/, "");
    const eq = name.indexOf("=");
    if (eq >= 0) {
      flags.set(name.slice(0, eq), name.slice(eq + 1));
      continue;
    }
    if (booleans.includes(name) || ALWAYS_BOOLEAN.includes(name) || name.startsWith("no-") || i + 1 >= args.length) {
      flags.set(name, true);
      continue;
    }
    flags.set(name, args[i + 1]!);
    i++;
  }
  return { positionals, flags };
}

/** Adds to `problems` what makes the `chaos:` pre-check at `at` (its list of arguments) unable to work. */
export function checkChaosPreCheck(args: readonly string[], at: DocPath, source: Located, ctx: PreCheckContext, problems: Problems): void {
  const command = args[0];
  // A pre-check that starts with a flag (`[--version]`) is left to its run: which word is the command is cac's reading.
  if (command === undefined || command.startsWith("-")) return;
  if (!(CHAOS_COMMANDS as readonly string[]).includes(command)) {
    problems.add(source, [...at, 0], `one of chaos's commands (${CHAOS_COMMANDS.join(", ")})${suggestion(command, CHAOS_COMMANDS)}`, `${describeValue(command)}: no such command`);
    return;
  }
  const takes = TAKES_EXPERIMENT[command];
  if (takes === undefined) return;
  const { positionals, flags } = readArgs(args, takes.booleans);
  // --help prints help and exits 0; run --fis-template runs a template, not an experiment.
  if (flags.has("help") || flags.has("h")) return;
  if (command === "run" && flags.has("fis-template")) return;
  const project = command === "run" && typeof flags.get("project") === "string" ? resolve(ctx.cwd, flags.get("project") as string) : ctx.cwd;
  for (const { index, value } of takes.all ? positionals : positionals.slice(0, 1)) {
    const runsIn = project !== ctx.cwd ? "its --project directory" : "the working directory, where chaos gameday runs its pre-checks";
    if (command === "explore" ? value.includes("/") || extname(value) !== "" : isExperimentPath(value)) {
      if (!existsSync(resolve(ctx.cwd, value))) {
        problems.add(source, [...at, index], "a path relative to the working directory, where chaos gameday runs its pre-checks (a step's path is relative to the runbook; a pre-check's is not)", `${describeValue(value)}: no such file`);
      }
      continue;
    }
    const catalog = ctx.catalogAt(project);
    if (catalog.find(value) !== undefined) continue;
    if (command === "explore" && ctx.spaceAt?.(project, value) !== undefined) continue;
    const what = command === "explore" ? "a space's or an experiment's name" : "an experiment's name";
    problems.add(source, [...at, index], `${what} (./experiments, then the built-in catalog) or a path, as chaos ${command} finds it in ${runsIn}${suggestion(value, catalog.names())}`, `${describeValue(value)}: no experiment of that name`);
  }
}

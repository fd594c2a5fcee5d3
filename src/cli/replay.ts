/**
 * The command line that replays a run: the same experiment, seed and every flag that changes what
 * runs or how it is judged (target, region, profile, stack, speed, handlers, load URLs, inputs,
 * strategies and the project directory). Flags that only shape the output (--journal-path, --report, --log-format,
 * --verbose) are left out: they do not change the verdict. Paths are as the user typed them, as
 * `chaos run` resolves them: against the directory the run was started in. A --var that carried a
 * secret is left out (its name stays in run.json); the replay then needs it again, as
 * `chaos recover` does.
 */
export interface ReplayInputs {
  /** The experiment as named, or `fisTemplate` in its place. */
  experiment: string;
  /** --fis-template as given: the replay runs the template again, not the experiment generated from it. */
  fisTemplate?: string;
  seed: number;
  target: string;
  region?: string;
  profile?: string;
  stack?: string;
  /** --speed as given: scaled real time instead of virtual time. */
  speed?: string;
  /** --handler modules, as given. */
  handlers?: string[];
  /** --lifecycle-handler modules, as given. */
  lifecycleHandlers?: string[];
  /** --url service=url pairs, as given. */
  urls?: string[];
  vars: Record<string, string>;
  varFiles: string[];
  hypothesisStrategy?: string;
  rollbackStrategy?: string;
  failFast?: boolean;
  /** --project as given: where gameday.yaml, ./probes and ./experiments were read (a gate's runs name theirs). */
  project?: string;
}

/** POSIX shell quoting: bare when the word is safe, single quotes otherwise. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The replay as the argument list of `chaos` (the first word is "chaos"). */
export function replayArgs(r: ReplayInputs): string[] {
  const args = r.fisTemplate !== undefined ? ["chaos", "run", "--fis-template", r.fisTemplate] : ["chaos", "run", r.experiment];
  args.push("--seed", String(r.seed));
  if (r.target !== "sandbox") args.push("--target", r.target);
  if (r.region !== undefined) args.push("--region", r.region);
  if (r.profile !== undefined) args.push("--profile", r.profile);
  if (r.stack !== undefined) args.push("--stack", r.stack);
  if (r.speed !== undefined) args.push("--speed", r.speed);
  for (const h of r.handlers ?? []) args.push("--handler", h);
  for (const h of r.lifecycleHandlers ?? []) args.push("--lifecycle-handler", h);
  for (const u of r.urls ?? []) args.push("--url", u);
  for (const [k, v] of Object.entries(r.vars)) args.push("--var", `${k}=${v}`);
  for (const f of r.varFiles) args.push("--var-file", f);
  if (r.hypothesisStrategy !== undefined) args.push("--hypothesis-strategy", r.hypothesisStrategy);
  if (r.rollbackStrategy !== undefined) args.push("--rollback-strategy", r.rollbackStrategy);
  if (r.failFast) args.push("--fail-fast");
  if (r.project !== undefined) args.push("--project", r.project);
  return args;
}

export function replayCommand(r: ReplayInputs): string {
  return replayArgs(r).map(shellWord).join(" ");
}

/**
 * The command line that replays a run: the same experiment, seed, target, stack and inputs. A
 * --var that carried a secret is left out (its name stays in run.json); the replay then needs it
 * again, as `chaos recover` does.
 */
export interface ReplayInputs {
  experiment: string;
  seed: number;
  target: string;
  stack?: string;
  vars: Record<string, string>;
  varFiles: string[];
  hypothesisStrategy?: string;
  rollbackStrategy?: string;
  failFast?: boolean;
}

/** POSIX shell quoting: bare when the word is safe, single quotes otherwise. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function replayCommand(r: ReplayInputs): string {
  const args = ["chaos", "run", r.experiment, "--seed", String(r.seed)];
  if (r.target !== "sandbox") args.push("--target", r.target);
  if (r.stack !== undefined) args.push("--stack", r.stack);
  for (const [k, v] of Object.entries(r.vars)) args.push("--var", `${k}=${v}`);
  for (const f of r.varFiles) args.push("--var-file", f);
  if (r.hypothesisStrategy !== undefined) args.push("--hypothesis-strategy", r.hypothesisStrategy);
  if (r.rollbackStrategy !== undefined) args.push("--rollback-strategy", r.rollbackStrategy);
  if (r.failFast) args.push("--fail-fast");
  return args.map(shellWord).join(" ");
}

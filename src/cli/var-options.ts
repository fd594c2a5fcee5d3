/** `--var key=value` options (run, validate, recover), as the loader takes them. */
import { splitVarOption } from "../experiment/var-files.js";
import { usage } from "./errors.js";

export function parseVars(pairs: string[] = []): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const pair of pairs) {
    const split = splitVarOption(pair);
    if (!split) throw usage(`--var: expected key=value (or key:type=value), found ${JSON.stringify(pair)}`);
    vars[split[0]] = split[1];
  }
  return vars;
}

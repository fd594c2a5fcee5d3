/**
 * A team's own FIS experiment template, read from a JSON or YAML file and judged as FIS would
 * judge it, before any call. Two shapes are accepted: the CreateExperimentTemplate input (what
 * `aws fis create-experiment-template --cli-input-json` takes) and the GetExperimentTemplate
 * output (`aws fis get-experiment-template --id ... > my-template.json`: the template under
 * `experimentTemplate`, with its id, arn and times, which are dropped). `${name}` in its strings
 * takes a value from `vars`. A refusal names the file, line and column, the JSON path and FIS's
 * reason.
 */
import { readFileSync } from "node:fs";
import { FisRejection } from "../fis/errors.js";
import type { FisCatalogView } from "../fis/descriptions.js";
import { validateCreateRequest } from "../fis/validate-template.js";
import type { TemplateSpec } from "../fis/template-model.js";
import { describeValue, listOf, quote } from "./describe.js";
import { InvalidInputError, type DocPath, type InputError } from "./model.js";
import { Problems } from "./problems.js";
import { formatOf, readSource, type Located } from "./source.js";
import { NAME_RULE, parseTemplate } from "./template.js";
import { unreadableFile } from "../report/fs-problem.js";

/** Members of GetExperimentTemplate's output that CreateExperimentTemplate does not take. */
const OUTPUT_ONLY = ["id", "arn", "creationTime", "lastUpdateTime", "targetAccountConfigurationsCount"];

export interface LoadedFisTemplate {
  /** The CreateExperimentTemplate input (without clientToken: every run sends its own). */
  spec: TemplateSpec;
  /** Which shape the file had. */
  shape: "create-input" | "get-output";
  /**
   * A problem found later (what the target's FIS offers), at a FIS member ("actions.kill.actionId")
   * of this file: located as the validator's own problems are.
   */
  problemAt(fisPath: string, expected: string, found: string): InputError;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The path of a FIS member ("targets.spot.filters[0].path") inside the file. Template and action
 * names may hold dots, so each segment is matched against the document's keys, longest first.
 */
export function docPathOf(fisPath: string, document: unknown): DocPath {
  const out: (string | number)[] = [];
  let node: unknown = document;
  let rest = fisPath;
  while (rest !== "") {
    const index = /^\[(\d+)\]\.?/.exec(rest);
    if (index) {
      out.push(Number(index[1]));
      node = Array.isArray(node) ? node[Number(index[1])] : undefined;
      rest = rest.slice(index[0].length);
      continue;
    }
    const keys = isMap(node) ? Object.keys(node).sort((a, b) => b.length - a.length) : [];
    const key = keys.find((k) => rest === k || rest.startsWith(`${k}.`) || rest.startsWith(`${k}[`)) ?? /^[^.[]+/.exec(rest)?.[0] ?? rest;
    out.push(key);
    node = isMap(node) ? node[key] : undefined;
    rest = rest.slice(key.length).replace(/^\./, "");
  }
  return out;
}

/** Replaces `${name}` in every string of `value` from `vars`; unknown names are reported. */
function substitute(value: unknown, vars: Readonly<Record<string, string>>, path: DocPath, report: (path: DocPath, expected: string, found: string) => void): unknown {
  if (typeof value === "string") {
    const pieces = parseTemplate(value);
    if (!pieces) return value;
    let out = "";
    for (const p of pieces) {
      if (p.kind === "text") out += p.text;
      else if (p.kind === "name" && Object.hasOwn(vars, p.name)) out += vars[p.name];
      else if (p.kind === "name") {
        const known = Object.keys(vars);
        report(path, `a value for it: --var ${p.name}=VALUE with --fis-template, or in the fis-template step's vars${known.length ? ` (given: ${listOf(known)})` : " (none given)"}`, quote(p.raw));
        out += p.raw;
      } else {
        // A template's strings take only ${name}, from vars: FIS reads no environment.
        report(path, `\${name} with ${NAME_RULE}, filled from vars or --var (a template reads no environment; write $\${ for a literal \${)`, quote(p.raw));
        out += p.raw;
      }
    }
    return out;
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, vars, [...path, i], report));
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars, [...path, k], report)]));
  return value;
}

/** Reads and validates `file` (an absolute path); `shown` is how messages name it. */
export function loadFisTemplateFile(file: string, shown: string, catalog: FisCatalogView, vars: Readonly<Record<string, string>> = {}): LoadedFisTemplate {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new InvalidInputError([{ file: shown, path: "(document)", expected: "a readable FIS experiment template file (JSON or YAML)", found: unreadableFile(err, file) }]);
  }
  // The format is the file's own: `shown` may be a name without its extension.
  const source = readSource(text, shown, formatOf(file, text));
  if (source.errors.length > 0) throw new InvalidInputError(source.errors);
  const problems = new Problems();
  const where: Located = source;
  const document = source.value;
  if (!isMap(document)) {
    problems.add(where, [], "a FIS experiment template: a map with description, targets, actions, stopConditions and roleArn", describeValue(document));
    return problems.raise();
  }
  const shape = isMap(document.experimentTemplate) ? "get-output" : "create-input";
  const base: DocPath = shape === "get-output" ? ["experimentTemplate"] : [];
  const raw = (shape === "get-output" ? document.experimentTemplate : document) as Record<string, unknown>;
  const body = substitute(raw, vars, base, (path, expected, found) => problems.add(where, path, expected, found)) as Record<string, unknown>;
  problems.throwIfAny();
  for (const key of [...OUTPUT_ONLY, "clientToken"]) delete body[key];
  try {
    const { spec } = validateCreateRequest(body, catalog);
    const problemAt = (fisPath: string, expected: string, found: string): InputError => {
      const later = new Problems();
      later.add(where, [...base, ...docPathOf(fisPath, raw)], expected, found);
      return later.errors[0]!;
    };
    return { spec, shape, problemAt };
  } catch (err) {
    if (!(err instanceof FisRejection)) throw err;
    const path = [...base, ...(err.path ? docPathOf(err.path, raw) : [])];
    problems.add(where, path, "a template FIS accepts", `${err.code}: ${err.message}`);
    return problems.raise();
  }
}


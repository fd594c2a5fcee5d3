/**
 * gameday.yaml's `guardrails` section (the `aws` allow-list is aws-guard.ts's): caps per fault and
 * what is allowed by name. Optional on every target: without it the default guardrails apply.
 * A bad value is reported as file:line: field: expected ..., found ... (exit 2).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isNode, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { DEFAULT_GUARDRAILS, type CapSetting, type GuardrailSettings } from "../engine/guardrails.js";
import { usage } from "./errors.js";

export const CONFIG_FILE = "gameday.yaml";

const cap = z.union([
  z.number().int().min(1),
  z.string().regex(/^(100|[1-9]\d?)%$/, "a percentage from 1% to 100%"),
]);

const guardrailsSchema = z
  .object({
    maxTargets: z.record(z.string(), cap).optional(),
    allow: z
      .object({
        scopeAll: z.array(z.string().min(1)).optional(),
        wholeClusterDrain: z.array(z.string().min(1)).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const EXPECTED: Record<string, string> = {
  maxTargets: "a count of at least 1 (3) or a percentage (\"50%\") per fault name",
  allow: "scopeAll: [fault names] and wholeClusterDrain: [cluster names]",
};

/** The guardrail settings of gameday.yaml in `cwd`, or the defaults when it has none. */
export function loadGuardrails(cwd: string): GuardrailSettings {
  const file = join(cwd, CONFIG_FILE);
  if (!existsSync(file)) return DEFAULT_GUARDRAILS;
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, "utf8"), { lineCounter: lines });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw usage(`${file}:${e.linePos?.[0]?.line ?? 1}: not valid YAML: ${e.message.split("\n")[0]}`);
  }
  const raw = (doc.toJS() as Record<string, unknown> | null)?.guardrails;
  if (raw === undefined) return DEFAULT_GUARDRAILS;
  const parsed = guardrailsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = ["guardrails", ...issue.path.map(String)];
    const node = doc.getIn(path, true) ?? doc.getIn(path.slice(0, -1), true);
    const offset = isNode(node) ? node.range?.[0] : undefined;
    const line = offset === undefined ? 1 : lines.linePos(offset).line;
    const expected = EXPECTED[String(issue.path[0])] ?? issue.message;
    throw usage(`${file}:${line}: ${path.join(".")}: expected ${expected} (${issue.message}), found ${JSON.stringify(path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], doc.toJS()))}`);
  }
  const maxTargets: Record<string, CapSetting> = {};
  for (const [fault, value] of Object.entries(parsed.data.maxTargets ?? {})) {
    maxTargets[fault] = typeof value === "number" ? { count: value } : { percent: Number(value.slice(0, -1)) };
  }
  return { maxTargets, scopeAll: parsed.data.allow?.scopeAll ?? [], wholeClusterDrain: parsed.data.allow?.wholeClusterDrain ?? [] };
}

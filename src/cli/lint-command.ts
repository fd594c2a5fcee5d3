/**
 * `chaos lint`: builds the target (the embedded sandbox with --stack, an endpoint, or AWS behind
 * the allow-list), runs every lint check read-only through it and prints what they found.
 * Exit 0 when no finding is an error, 1 when one is, 2 for usage, 4 when the target cannot be read.
 */
import { SeededRandom } from "../random/random.js";
import { buildTarget } from "./target.js";
import { targetError } from "./errors.js";
import { count } from "./plural.js";

export interface LintFlags {
  target: string;
  region?: string;
  profile?: string;
  stack?: string;
  json?: boolean;
}

export async function lintCommand(flags: LintFlags): Promise<number> {
  const { lint, LintReadError } = await import("../lint/index.js");
  // Lint makes no random choice; the factory's retry jitter still needs a seeded source.
  const target = await buildTarget({ target: flags.target, ...(flags.region ? { region: flags.region } : {}), ...(flags.profile ? { profile: flags.profile } : {}), ...(flags.stack ? { stack: flags.stack } : {}), random: new SeededRandom(0), cwd: process.cwd() });
  let report;
  try {
    report = await lint(target.clients);
  } catch (err) {
    if (err instanceof LintReadError) throw targetError(`lint ${target.description}: ${err.message}`);
    throw err;
  } finally {
    await target.close();
  }
  const errors = report.findings.filter((f) => f.severity === "error").length;
  const exitCode = errors > 0 ? 1 : 0;
  if (flags.json) {
    const checks = report.checks.map((c) => ({ id: c.id, title: c.title, doc: c.doc, severity: c.severity, calls: c.calls, findings: report.findings.filter((f) => f.check === c.id) }));
    process.stdout.write(`${JSON.stringify({ target: target.description, checks, findings: report.findings, exitCode }, null, 2)}\n`);
    return exitCode;
  }
  const lines = [`lint ${target.description}: ${count(report.checks.length, "check")}`];
  for (const c of report.checks) {
    const found = report.findings.filter((f) => f.check === c.id);
    lines.push(`  ${found.length === 0 ? "✓" : "✗"} ${c.id}: ${c.title}`);
    for (const f of found) lines.push(`      ${f.severity}  ${f.message}`);
    if (found.length > 0) lines.push(`      see ${c.doc}`);
  }
  const n = report.findings.length;
  lines.push(`${count(n, "finding")} (${count(errors, "error")}, ${count(n - errors, "warning")})`);
  process.stdout.write(`${lines.join("\n")}\n`);
  return exitCode;
}

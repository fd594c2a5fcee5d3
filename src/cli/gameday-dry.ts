/**
 * `chaos gameday <runbook> --dry`: the day on paper, the afternoon before. It prints the order of
 * the day (announcement, pre-checks, steps with their timeboxes and checkpoints) and runs each
 * step's `chaos run --dry` against the day's target, so that a step the guardrails would refuse,
 * an experiment the target cannot resolve, or a FIS template FIS would reject shows up then and
 * not at step three with the whole team watching. Nothing is changed: no pre-check runs (they
 * look at the live system, which is the morning's business), no announcement is written, no
 * record is kept.
 */
import { formatDuration } from "../experiment/duration.js";
import type { ChaosChild } from "../schedule/chaos-child.js";
import { checkpointQuestion, preCheckName, rolesLine, stepName, type LoadedRunbook, type RunbookStep } from "../schedule/gameday-runbook.js";
import { count } from "./plural.js";

export interface DryDayPorts {
  /** `chaos run --dry` of step `i` on the day's target, its output relayed. */
  dryRunStep(step: RunbookStep, i: number): ChaosChild;
  print(line: string): void;
}

/** Exit code of the dry day: 0 when every step's plan passed; else the worst of the steps' `chaos run --dry` (2 refused, 4 error). */
export async function dryRunDay(loaded: LoadedRunbook, target: string, ports: DryDayPorts): Promise<number> {
  const rb = loaded.runbook;
  const out = ports.print;
  out(`== Game day (dry run): ${rb.title} ==`);
  out(rolesLine(rb.roles));
  out(`target: ${target}`);
  if (rb.announcement) out(`announcement: ${firstLine(rb.announcement.message)}${"file" in rb.announcement && rb.announcement.file ? ` (also to ${rb.announcement.file})` : ""}`);
  const checks = rb["pre-checks"] ?? [];
  if (checks.length > 0) {
    out("pre-checks (not run in a dry run):");
    checks.forEach((c, i) => out(`  ${i + 1}. ${preCheckName(c, i)}`));
  }
  const refused: string[] = [];
  let worst = 0;
  for (const [i, step] of rb.steps.entries()) {
    const name = stepName(step, i);
    out("");
    out(`== step ${i + 1} of ${rb.steps.length}: ${name} (${step.experiment})${step.timebox !== undefined ? `, timebox ${formatDuration(step.timebox)}` : ""} ==`);
    const exit = await ports.dryRunStep(step, i).done;
    const code = exit.code ?? 4;
    if (code !== 0) {
      refused.push(`${i + 1}. ${name} (${code === 2 ? "refused" : `exit ${code}`})`);
      worst = Math.max(worst, code);
    }
    const question = checkpointQuestion(rb, i);
    if (question !== undefined) out(`checkpoint after ${name}: ${question}`);
  }
  out("");
  out(
    refused.length === 0
      ? `dry run of the day: ${rb.steps.length === 1 ? "the 1 step" : `all ${count(rb.steps.length, "step")}`} can run on ${target} as planned; nothing was changed`
      : `dry run of the day: ${refused.length} of ${count(rb.steps.length, "step")} cannot run as planned: ${refused.join(", ")}; nothing was changed`,
  );
  return worst;
}

/** A message's first line; a message that goes on past it is cut with "…", not mid-sentence without a sign. */
export function firstLine(message: string): string {
  const [first = "", ...rest] = message.trim().split("\n");
  return rest.length > 0 ? `${first.trimEnd()}…` : first;
}

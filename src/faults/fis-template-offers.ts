/**
 * A team's template may name actions the target's FIS cannot carry out: gameday's own sandbox-only
 * actions (gameday:*) on AWS, or an AWS action the region lacks. Each distinct actionId is asked of
 * the target's FIS (GetAction, read-only; fis-offers.ts) before anything runs, so the user learns
 * it at the template's line, with what to use instead, rather than from FIS mid-run. The question
 * is the same on every target: the sandbox's FIS (embedded or served) offers gameday:*, AWS's not.
 */
import { dirname } from "node:path";
import { awsCounterpart, describedAction, isSandboxOnly } from "../fis/catalog.js";
import type { LoadedFisTemplate } from "../experiment/fis-template-file.js";
import { InvalidInputError, type InputError } from "../experiment/model.js";
import { fisOffers } from "./fis-offers.js";
import { readTeamTemplate, type FisTemplateParams } from "./fis-template.js";
import { FIS_TEMPLATE_FAULT } from "./fis-template-name.js";
import type { RunServicesAws } from "./types.js";

/** The template's actions whose actionId the target's FIS does not offer, each located at its `actionId`. */
export async function unofferedActions(template: LoadedFisTemplate, aws: RunServicesAws, signal?: AbortSignal): Promise<InputError[]> {
  const offered = new Map<string, boolean>();
  const asked = async (id: string) => {
    // One question per distinct id, in the template's order, so the calls are the same every run.
    if (!offered.has(id)) offered.set(id, await fisOffers(aws, id, signal));
    return offered.get(id)!;
  };
  const problems: InputError[] = [];
  for (const [name, action] of Object.entries(template.spec.actions)) {
    if (await asked(action.actionId)) continue;
    problems.push(template.problemAt(`actions.${name}.actionId`, await instead(action.actionId, asked), notOffered(action.actionId)));
  }
  return problems;
}

function notOffered(id: string): string {
  const why = `${JSON.stringify(id)}, which this target's FIS does not offer (GetAction: ResourceNotFoundException)`;
  return isSandboxOnly(id) ? `${why}: it is gameday's own action, carried out only by gameday's sandbox (embedded, or \`chaos sandbox serve\`), never by AWS FIS` : why;
}

/** What to write instead: the real action the catalog pairs with a sandbox-only one, when this FIS offers it. */
async function instead(id: string, offers: (id: string) => Promise<boolean>): Promise<string> {
  const counterpart = awsCounterpart(id);
  if (!counterpart) return "an action this target's FIS offers";
  const key = describedAction(id).target?.key;
  const how = counterpart.sameTarget && key ? ` with the same ${key} target` : "";
  if (!(await offers(counterpart.actionId))) return `an action this target's FIS offers (the nearest to ${id}, ${counterpart.actionId}, is not offered here either)`;
  return `an action this target's FIS offers: instead of ${id}, use ${counterpart.actionId}${how}, the nearest AWS FIS action (${counterpart.differs})`;
}

/** The part of a plan this reads (structural: faults sit below the engine). */
interface PlanView {
  loaded: { file: string };
  faults: ReadonlyMap<string, { step: { fault: string }; params: unknown }>;
}

/** Refuses (InvalidInputError, exit 2) a plan whose `fis-template:` steps name actions the target's FIS does not offer. */
export async function refuseUnofferedTemplateActions(plan: PlanView, aws: RunServicesAws, signal?: AbortSignal): Promise<void> {
  const problems: InputError[] = [];
  for (const planned of plan.faults.values()) {
    if (planned.step.fault !== FIS_TEMPLATE_FAULT) continue;
    // Read again: compile keeps only the FIS members, not where each sits in the file.
    const template = readTeamTemplate(planned.params as FisTemplateParams, dirname(plan.loaded.file));
    problems.push(...(await unofferedActions(template, aws, signal)));
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
}

/**
 * The read-only preflight `chaos plan` shows and `chaos run` passes before anything starts: each
 * fault step's target is resolved to exact resources (the fault module's resolve, through AWS
 * APIs), checked against the guardrails, and the resources to hit are picked with the run's
 * seeded Random; the step's FIS fragment is then compiled with exactly those ARNs.
 */
import type { AwsClients } from "../aws/clients.js";
import type { Random } from "../random/random.js";
import type { Resolution, ResolvedResource } from "../faults/types.js";
import type { Plan, PlannedFault } from "./plan.js";
import { capFor, refusals, type Cap, type GuardrailSettings, type Refusal } from "./guardrails.js";

export interface ResolvedStep {
  step: string;
  fault: string;
  /** file:line of the step. */
  at: string;
  resolution: Resolution;
  cap: Cap;
  /** What gameday picked (when the fault picks; otherwise FIS acts on the set as a whole). */
  chosen?: ResolvedResource[];
  refusals: Refusal[];
  /** Why the target's FIS cannot carry the step out (Resolution.unavailable). */
  unavailable?: string;
}

export interface Preflight {
  /** The plan with every resolved step's fragment naming exactly the chosen resources. */
  plan: Plan;
  steps: ResolvedStep[];
}

/** An error the AWS SDK raised for the service's answer (it carries the response's $metadata). */
function isServiceError(err: unknown): err is Error {
  return err instanceof Error && typeof (err as { $metadata?: unknown }).$metadata === "object";
}

/** Nothing started: exit 2 for a guardrail refusal, 4 when a target resolved to nothing. */
export class PreflightError extends Error {
  constructor(
    message: string,
    readonly exitCode: 2 | 4,
  ) {
    super(message);
    this.name = "PreflightError";
  }
}

export interface PreflightOptions {
  aws: AwsClients;
  random: Random;
  region: string;
  accountId: string;
  settings: GuardrailSettings;
  signal?: AbortSignal;
}

/** Resolves and checks every fault step; refusals are collected, not thrown (the plan shows them). */
export async function preflight(plan: Plan, o: PreflightOptions): Promise<Preflight> {
  const steps: ResolvedStep[] = [];
  const faults = new Map(plan.faults);
  /** ARNs earlier steps picked and will end (Resolution.consumes). */
  const taken = new Set<string>();
  for (const [name, planned] of plan.faults) {
    if (!planned.module.resolve) continue;
    const at = stepLocation(plan, planned);
    let resolution: Resolution;
    try {
      resolution = await planned.module.resolve({ params: planned.params, target: planned.target, aws: o.aws, region: o.region, accountId: o.accountId, ...(o.signal ? { signal: o.signal } : {}) });
    } catch (err) {
      // The target answered the lookup with an error (a cluster, service, file system or function it
      // does not have: ClusterNotFoundException and the like; a permission it lacks): nothing started.
      if (!isServiceError(err)) throw err;
      throw new PreflightError(`${at}: step ${name} (${planned.step.fault}) could not look up its targets: ${err.name}: ${err.message.replace(/\.$/, "")}; nothing was started`, 4);
    }
    // A step the target cannot carry out at all is reported as such (plan: NOT ON THIS TARGET; run: exit 4), not as finding nothing.
    if (!resolution.unavailable && resolution.candidates.length === 0) throw new PreflightError(`${at}: step ${name} (${planned.step.fault}) found no ${resolution.lookedFor}; nothing was started`, 4);
    if (!resolution.unavailable && resolution.hits === 0) throw new PreflightError(`${at}: step ${name} (${planned.step.fault}) selects none of the ${resolution.candidates.length} ${resolution.lookedFor}; nothing was started`, 4);
    const cap = capFor(planned.step.fault, resolution.candidates.length, o.settings);
    const refused = refusals({ fault: planned.step.fault, resolution, settings: o.settings });
    const resolved: ResolvedStep = { step: name, fault: planned.step.fault, at, resolution, cap, refusals: refused, ...(resolution.unavailable ? { unavailable: resolution.unavailable } : {}) };
    if (resolution.picks && refused.length === 0 && resolution.candidates.length > 0) {
      // Picked in gameday, by the run's seed, so the same seed hits the same resources.
      const random = o.random.fork(`guardrails:${name}`);
      let picked = random.sample(resolution.candidates, resolution.hits);
      if (resolution.consumes) {
        // Picked again only on a collision, from what earlier steps left: a seed whose picks never
        // collided keeps them. Too few left, the collision stands (that step's FIS experiment fails).
        const free = resolution.candidates.filter((c) => !taken.has(c.arn));
        if (picked.some((c) => taken.has(c.arn)) && free.length >= resolution.hits) picked = random.sample(free, resolution.hits);
        for (const c of picked) taken.add(c.arn);
      }
      const chosen = new Set(picked);
      resolved.chosen = resolution.candidates.filter((c) => chosen.has(c));
    }
    if (resolved.chosen || resolution.compileWith) {
      const fragment = planned.module.compile({
        params: planned.params,
        target: planned.target,
        configuration: plan.experiment.configuration,
        region: o.region,
        accountId: o.accountId,
        ...(resolved.chosen ? { chosen: resolved.chosen } : {}),
        ...(resolution.compileWith ? { resolved: resolution.compileWith } : {}),
      });
      faults.set(name, { ...planned, fragment });
    }
    steps.push(resolved);
  }
  return { plan: { ...plan, faults }, steps };
}

/** The refusals of a preflight as one message (one line per refusal), or undefined when there are none. */
export function refusalMessage(p: Preflight): string | undefined {
  const lines = p.steps.flatMap((s) => s.refusals.map((r) => `${s.at}: step ${s.step} (${s.fault}) refused: ${r.reason}; to allow it, set ${r.key} in gameday.yaml`));
  return lines.length > 0 ? `guardrails refused the run; nothing was started:\n${lines.map((l) => `  ${l}`).join("\n")}` : undefined;
}

/** Steps the target's FIS cannot carry out, as one message (exit 4), or undefined when there are none. */
export function unavailableMessage(p: Preflight): string | undefined {
  const lines = p.steps.flatMap((s) => (s.unavailable ? [`${s.at}: step ${s.step} (${s.fault}): ${s.unavailable}`] : []));
  return lines.length > 0 ? `the target cannot carry out every fault; nothing was started:\n${lines.map((l) => `  ${l}`).join("\n")}` : undefined;
}

function stepLocation(plan: Plan, planned: PlannedFault): string {
  const pos = plan.loaded.positionOf(planned.step.at);
  return pos ? `${plan.loaded.file}:${pos.line}` : plan.loaded.file;
}

/**
 * Which instances have a spot interruption coming, as far as AWS FIS can tell: FIS experiments whose
 * `aws:ec2:send-spot-instance-interruptions` action has sent its notice. A notice cannot be taken
 * back (stopping the experiment leaves it in place), so such an instance will be interrupted at
 * the action's start plus durationBeforeInterruption whatever the experiment's state.
 *
 * Interruptions EC2 itself issues (capacity reclaimed) do not show here: seeing them needs EC2
 * (DescribeInstances state, the spot request's `marked-for-termination` status) or the instance's
 * IMDS, which gameday has no client for.
 */
import { GetExperimentCommand, ListExperimentResolvedTargetsCommand, ListExperimentsCommand, type ExperimentSummary } from "../aws/sdk/fis.js";
import type { AwsClients } from "../aws/clients.js";
import { parseDuration } from "../experiment/duration.js";

const SPOT_ACTION = "aws:ec2:send-spot-instance-interruptions";
/** FIS runs an experiment for at most 12 hours; the notice leads by at most 15 minutes. */
const HORIZON_MS = 12 * 3_600_000 + 15 * 60_000;
/** An instance is still shutting down for a while after its interruption time. */
const AFTER_INTERRUPTION_MS = 10 * 60_000;
const ACTIVE = new Set(["pending", "initiating", "running", "stopping"]);

/**
 * EC2 instance ids with a FIS spot interruption notice out whose interruption is ahead of `now`
 * (or recent). Without `now`, every notice within the horizon of the newest experiment counts,
 * which errs on the side of "leave it alone".
 */
export async function spotInterruptionsIssued(aws: AwsClients, now?: number): Promise<Map<string, { experimentId: string; interruptAt: number }>> {
  const fis = await aws.fis();
  const summaries: ExperimentSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fis.send(new ListExperimentsCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
    summaries.push(...(page.experiments ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const reference = now ?? Math.max(0, ...summaries.map((e) => e.creationTime?.getTime() ?? 0));
  const candidates = summaries.filter((e) => e.id && (ACTIVE.has(e.state?.status ?? "") || (e.creationTime?.getTime() ?? 0) >= reference - HORIZON_MS));

  const out = new Map<string, { experimentId: string; interruptAt: number }>();
  for (const summary of candidates) {
    const experiment = (await fis.send(new GetExperimentCommand({ id: summary.id! }))).experiment;
    for (const action of Object.values(experiment?.actions ?? {})) {
      if (action.actionId !== SPOT_ACTION || !action.startTime) continue;
      // Never started, or refused: no notice went out.
      if (["pending", "initiating", "cancelled", "skipped"].includes(action.state?.status ?? "")) continue;
      const lead = parseDuration(action.parameters?.durationBeforeInterruption ?? "") ?? 120_000;
      const interruptAt = action.startTime.getTime() + lead;
      if (now !== undefined && interruptAt + AFTER_INTERRUPTION_MS < now) continue;
      const targetName = action.targets?.SpotInstances;
      if (!targetName) continue;
      for (const id of await instanceIds(aws, summary.id!, targetName)) out.set(id, { experimentId: summary.id!, interruptAt });
    }
  }
  return out;
}

/**
 * The same, for callers that must go on without it (FIS may refuse ListExperiments to a narrow
 * role): no notices, and the reason.
 */
export async function spotInterruptionsIssuedIfKnown(aws: AwsClients, now?: number): Promise<{ notices: Map<string, { experimentId: string; interruptAt: number }>; error?: string }> {
  try {
    return { notices: await spotInterruptionsIssued(aws, now) };
  } catch (err) {
    return { notices: new Map(), error: err instanceof Error ? err.message : String(err) };
  }
}

async function instanceIds(aws: AwsClients, experimentId: string, targetName: string): Promise<string[]> {
  const fis = await aws.fis();
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fis.send(new ListExperimentResolvedTargetsCommand({ experimentId, targetName, ...(nextToken ? { nextToken } : {}) }));
    for (const t of page.resolvedTargets ?? []) {
      const info = t.targetInformation ?? {};
      const arn = info.arn ?? Object.values(info).find((v) => v.startsWith("arn:")) ?? "";
      const id = info.instanceId ?? arn.slice(arn.lastIndexOf("/") + 1);
      if (id.startsWith("i-")) ids.push(id);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return ids;
}

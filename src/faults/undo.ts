/**
 * Carries out the undo operations of the rollback ledger. Each is idempotent and tolerant of the
 * change already being gone (an experiment that already stopped, a template already deleted, an
 * instance that terminated), because recovery may run it twice or long after the fact.
 */
import { DeleteExperimentTemplateCommand, GetExperimentCommand, ListExperimentTemplatesCommand, ListExperimentsCommand, StopExperimentCommand } from "../aws/sdk/fis.js";
import { DescribeContainerInstancesCommand, UpdateContainerInstancesStateCommand } from "../aws/sdk/ecs.js";
import { DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from "../aws/sdk/autoscaling.js";
import type { AwsClients } from "../aws/clients.js";
import type { UndoOp } from "../engine/ledger.js";
import type { Clock } from "../time/clock.js";
import { isTerminal } from "./fis-runner.js";
import { deleteStopAlarms } from "../aws/stop-alarms.js";
import { spotInterruptionsIssuedIfKnown } from "./spot-notices.js";
import { restoreTaskDefinition } from "./deploy-undo.js";
import { restoreFunctionConcurrency } from "./lambda-concurrency-undo.js";
import { restoreThroughput } from "./efs-throughput-undo.js";

export interface UndoResult {
  ok: boolean;
  detail: string;
}

function notFound(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === "ResourceNotFoundException" || name === "ClusterNotFoundException";
}

/** `clock`, when given, bounds which spot interruption notices are still ahead (see spot-notices.ts). */
export async function undoFault(op: Exclude<UndoOp, { type: "declared-rollbacks" }>, aws: AwsClients, clock?: Clock): Promise<UndoResult> {
  switch (op.type) {
    case "fis-stop-experiments":
      return stopExperiments(aws, op.templateId, op.experimentId);
    case "fis-delete-template": {
      const fis = await aws.fis();
      try {
        await fis.send(new DeleteExperimentTemplateCommand({ id: op.templateId }));
        return { ok: true, detail: `deleted experiment template ${op.templateId}` };
      } catch (err) {
        if (notFound(err)) return { ok: true, detail: `experiment template ${op.templateId} was already gone` };
        throw err;
      }
    }
    case "fis-delete-tagged-templates":
      return deleteTaggedTemplates(aws, op.runId, op.step);
    case "cloudwatch-delete-alarms": {
      const deleted = await deleteStopAlarms(await aws.cloudwatch(), op.alarmNames);
      const gone = op.alarmNames.filter((n) => !deleted.includes(n));
      return { ok: true, detail: [deleted.length > 0 ? `deleted alarm ${deleted.join(", ")}` : "", gone.length > 0 ? `alarm ${gone.join(", ")} already gone` : ""].filter(Boolean).join("; ") };
    }
    case "ecs-activate-instances":
      return activate(aws, op.cluster, op.containerInstances, clock?.now());
    case "ecs-restore-task-definition":
      return restoreTaskDefinition(aws, op.cluster, op.service, op.taskDefinition);
    case "autoscaling-set-desired-capacity":
      return restoreDesiredCapacity(aws, op.group, op.desiredCapacity);
    case "lambda-restore-concurrency":
      return restoreFunctionConcurrency(aws, op.function, op.reservedConcurrency);
    case "efs-restore-throughput":
      return restoreThroughput(aws, op.fileSystemId, op.throughputMode, op.provisionedMiBps);
  }
}

/** The templates a run created for a step, by the tags templateFor puts on them; deleted if any. */
async function deleteTaggedTemplates(aws: AwsClients, runId: string, step: string): Promise<UndoResult> {
  const fis = await aws.fis();
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fis.send(new ListExperimentTemplatesCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
    for (const t of page.experimentTemplates ?? []) if (t.id && t.tags?.["gameday:run"] === runId && t.tags?.["gameday:step"] === step) ids.push(t.id);
    nextToken = page.nextToken;
  } while (nextToken);
  if (ids.length === 0) return { ok: true, detail: `no experiment template of run ${runId} step ${step}: FIS never created it` };
  const deleted: string[] = [];
  for (const id of ids) {
    try {
      await fis.send(new DeleteExperimentTemplateCommand({ id }));
      deleted.push(id);
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }
  return { ok: true, detail: deleted.length > 0 ? `deleted experiment template ${deleted.join(", ")} (found by its tags)` : `experiment template ${ids.join(", ")} was already gone` };
}

async function stopExperiments(aws: AwsClients, templateId: string, experimentId?: string): Promise<UndoResult> {
  const fis = await aws.fis();
  const ids: string[] = [];
  if (experimentId) {
    ids.push(experimentId);
  } else {
    // The run died between StartExperiment and writing the id down: find them by template.
    let nextToken: string | undefined;
    do {
      const page = await fis.send(new ListExperimentsCommand(nextToken ? { nextToken } : {}));
      for (const e of page.experiments ?? []) if (e.experimentTemplateId === templateId && e.id) ids.push(e.id);
      nextToken = page.nextToken;
    } while (nextToken);
  }
  const stopped: string[] = [];
  const ended: string[] = [];
  const stateOf = async (id: string) => (await fis.send(new GetExperimentCommand({ id }))).experiment?.state;
  const endedAs = (id: string, state: { status?: string; reason?: string } | undefined) => `${id} ${state?.status}${state?.reason ? `: ${state.reason}` : ""}`;
  for (const id of ids) {
    try {
      const state = await stateOf(id);
      if (isTerminal(state?.status)) {
        ended.push(endedAs(id, state));
        continue;
      }
      try {
        await fis.send(new StopExperimentCommand({ id }));
        stopped.push(id);
      } catch (err) {
        if (notFound(err)) throw err;
        // It may have ended between the look and the stop (`chaos stop` got there first, or a
        // timed-out attempt did): FIS then refuses to stop it. Only an experiment still going is a failure.
        const now = await stateOf(id);
        if (isTerminal(now?.status)) ended.push(endedAs(id, now));
        else if (now?.status === "stopping") stopped.push(id);
        else throw err;
      }
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }
  // How an experiment that had already ended ended (a FIS stop condition halts it), for the journal.
  const endedNote = ended.length > 0 ? ` (${ended.join("; ")})` : "";
  if (stopped.length > 0) return { ok: true, detail: `stopped FIS experiment ${stopped.join(", ")}${endedNote}` };
  return { ok: true, detail: (experimentId ? `FIS experiment ${experimentId} had already ended` : `no FIS experiment of template ${templateId} was still running`) + endedNote };
}

/**
 * Returns the listed container instances that are still DRAINING to ACTIVE, except those with a
 * spot interruption notice out: reactivated, they would get tasks placed on a host about to die
 * (and the agent drains only once per notice). A terminated host's container instance is INACTIVE,
 * not DRAINING; one whose agent is disconnected gets no placements, so reactivating it is harmless.
 */
async function activate(aws: AwsClients, cluster: string, containerInstances: string[], now: number | undefined): Promise<UndoResult> {
  if (containerInstances.length === 0) return { ok: true, detail: "no container instances to reactivate" };
  const ecs = await aws.ecs();
  const draining: { arn: string; id: string }[] = [];
  for (let i = 0; i < containerInstances.length; i += 100) {
    const described = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: containerInstances.slice(i, i + 100) }));
    for (const ci of described.containerInstances ?? []) {
      if (ci.status === "DRAINING" && ci.containerInstanceArn) draining.push({ arn: ci.containerInstanceArn, id: ci.ec2InstanceId ?? ci.containerInstanceArn });
    }
  }
  const left: string[] = [];
  let unchecked = "";
  if (draining.length > 0) {
    const { notices, error } = await spotInterruptionsIssuedIfKnown(aws, now);
    if (error) unchecked = `; spot interruption notices could not be checked (${error})`;
    for (const d of [...draining]) {
      const notice = notices.get(d.id);
      if (!notice) continue;
      left.push(`${d.id} (spot interruption notice from FIS experiment ${notice.experimentId})`);
      draining.splice(draining.indexOf(d), 1);
    }
  }
  const leftNote = (left.length > 0 ? `; left DRAINING: ${left.join(", ")}` : "") + unchecked;
  if (draining.length === 0) return { ok: true, detail: `no container instance in ${cluster} needed reactivating${leftNote}` };
  const failures: string[] = [];
  for (let i = 0; i < draining.length; i += 10) {
    const out = await ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: draining.slice(i, i + 10).map((d) => d.arn), status: "ACTIVE" }));
    for (const f of out.failures ?? []) failures.push(`${f.arn ?? "?"}: ${f.reason ?? "failed"}`);
  }
  if (failures.length > 0) return { ok: false, detail: `could not reactivate ${failures.join("; ")}` };
  return { ok: true, detail: `returned ${draining.length} container instance(s) in ${cluster} to ACTIVE (${draining.map((d) => d.id).join(", ")})${leftNote}` };
}

/** Sets a group's desired capacity back; the group launches what is missing. A group gone since is nothing to undo. */
async function restoreDesiredCapacity(aws: AwsClients, group: string, desired: number): Promise<UndoResult> {
  const asg = await aws.autoScaling();
  const found = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }))).AutoScalingGroups?.[0];
  if (!found) return { ok: true, detail: `Auto Scaling group ${group} is gone: no desired capacity to restore` };
  if (found.DesiredCapacity === desired) return { ok: true, detail: `Auto Scaling group ${group} already has desired capacity ${desired}` };
  await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: group, DesiredCapacity: desired, HonorCooldown: false }));
  return { ok: true, detail: `restored Auto Scaling group ${group}'s desired capacity ${found.DesiredCapacity ?? "?"} -> ${desired}` };
}

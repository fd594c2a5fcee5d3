/**
 * Runs a compiled fault through FIS: create the template, write the undo to the ledger, start the
 * experiment, wait until it is running, and read back what it resolved to. The same calls go to
 * real AWS FIS and to the sandbox's FIS emulation.
 */
import {
  CreateExperimentTemplateCommand,
  GetExperimentCommand,
  ListExperimentResolvedTargetsCommand,
  StartExperimentCommand,
  StopExperimentCommand,
  type ResolvedTarget as FisResolvedTarget,
} from "../aws/sdk/fis.js";
import type { InjectedFault, ResolvedTarget, RunServices, RunView } from "../engine/ports.js";
import type { Ledger } from "../engine/ledger.js";
import { startDirect } from "./direct-runner.js";
import { DEFAULT_FIS_ROLE, RUN_TAG, type Permission } from "../iam/permission.js";
import { recordStartEffect, type FaultModule, type FisFragment, type PreparedUndo, type StartEffect } from "./types.js";

export class FaultStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FaultStartError";
  }
}

const TERMINAL = new Set(["completed", "stopped", "failed", "cancelled"]);
const POLL_MS = 1_000;

export function isTerminal(status: string | undefined): boolean {
  return status !== undefined && TERMINAL.has(status);
}

export interface FaultStart {
  runId: string;
  stepName: string;
  module: FaultModule;
  params: Record<string, unknown>;
  target: Record<string, unknown>;
  fragment: FisFragment;
  services: RunServices;
  run: RunView;
  ledger: Ledger;
  signal: AbortSignal;
  accountId: string;
  configuration: Readonly<Record<string, unknown>>;
  /** The experiment's title, for the `gameday:experiment` tag (as on its stop alarms). */
  experiment?: string;
  /** The stop conditions' CloudWatch alarms gameday created, after any configured ones. */
  stopAlarmArns?: readonly string[];
  /** Told as soon as FIS has started the experiment, before it is watched to running (which an abort may cut short). */
  onStarted?: (ids: { experimentId: string; templateId: string }) => void;
}

/**
 * The FIS experiment role a template names: configuration.fisRoleArn, else the role named
 * gameday-fis in the target's account (`chaos setup --print cloudformation|terraform` creates it).
 */
export function fisRoleArn(configuration: Readonly<Record<string, unknown>>, accountId: string): string {
  return typeof configuration.fisRoleArn === "string" ? configuration.fisRoleArn : `arn:aws:iam::${accountId}:role/${DEFAULT_FIS_ROLE}`;
}

/**
 * What the runner needs for every fault's FIS lifecycle here and in its undo (faults/undo.ts):
 * create and start tagged templates and experiments, read them, stop and delete only gameday's
 * own (tagged gameday:run), and pass the FIS role to FIS.
 */
export function fisLifecyclePermissions(o: { region: string; accountId: string; roleArn: string }): Permission[] {
  const fis = (what: string) => `arn:aws:fis:${o.region}:${o.accountId}:${what}`;
  const tagged = { Null: { [`aws:RequestTag/${RUN_TAG}`]: "false" } };
  return [
    { why: "create tagged FIS experiment templates", actions: ["fis:CreateExperimentTemplate", "fis:TagResource"], resources: [fis("action/*"), fis("experiment-template/*")], conditions: tagged },
    { why: "start tagged FIS experiments", actions: ["fis:StartExperiment", "fis:TagResource"], resources: [fis("experiment-template/*"), fis("experiment/*")], conditions: tagged },
    { why: "read FIS experiments", actions: ["fis:GetExperiment", "fis:ListExperimentResolvedTargets"], resources: [fis("experiment/*")] },
    { why: "list FIS experiments and templates", actions: ["fis:ListExperiments", "fis:ListExperimentTemplates"], resources: ["*"] },
    { why: "stop gameday's FIS experiments", actions: ["fis:StopExperiment"], resources: [fis("experiment/*")], conditions: { Null: { [`aws:ResourceTag/${RUN_TAG}`]: "false" } } },
    { why: "delete gameday's FIS templates", actions: ["fis:DeleteExperimentTemplate"], resources: [fis("experiment-template/*")], conditions: { Null: { [`aws:ResourceTag/${RUN_TAG}`]: "false" } } },
    { why: "pass the FIS role to FIS", actions: ["iam:PassRole"], resources: [o.roleArn], conditions: { StringEquals: { "iam:PassedToService": "fis.amazonaws.com" } } },
  ];
}

/** The experiment template gameday sends for one fault step: exactly what FIS accepts. */
export function templateFor(fragment: FisFragment, input: { runId: string; stepName: string; accountId: string; configuration: Readonly<Record<string, unknown>>; clientToken: string; stopAlarmArns?: readonly string[]; experiment?: string }) {
  // Keys the experiment format knows are gameday's own (TOOLKIT_CONFIGURATION_KEYS in experiment/configuration.ts).
  const own = fragment.own;
  // A team's own template keeps its role; gameday's faults name gameday's.
  const roleArn = own?.roleArn ?? fisRoleArn(input.configuration, input.accountId);
  // The engine keeps the total within FIS's five (engine/stop-conditions.ts); gameday's own alarms come after the configured ones.
  const configured = Array.isArray(input.configuration.fisStopAlarms) ? (input.configuration.fisStopAlarms as string[]) : [];
  const templateAlarms = (own?.stopConditions ?? []).filter((c) => c.source !== "none");
  const alarms = [...templateAlarms, ...[...configured, ...(input.stopAlarmArns ?? [])].map((value) => ({ source: "aws:cloudwatch:alarm", value }))];
  return {
    clientToken: input.clientToken,
    description: `gameday ${input.runId} ${input.stepName}: ${fragment.description}`.slice(0, 512),
    targets: fragment.targets,
    actions: fragment.actions,
    stopConditions: alarms.length > 0 ? alarms : [{ source: "none" }],
    roleArn,
    tags: { ...own?.tags, ...gamedayTags(input) },
    experimentOptions: own?.experimentOptions ?? { accountTargeting: "single-account", emptyTargetResolutionMode: "fail" },
    ...(own?.logConfiguration ? { logConfiguration: own.logConfiguration } : {}),
    ...(own?.experimentReportConfiguration ? { experimentReportConfiguration: own.experimentReportConfiguration } : {}),
  };
}

/** The tags on everything gameday creates for a run, so an operator can find (and clean up) it by run. */
export function gamedayTags(input: { runId: string; stepName?: string; experiment?: string }): Record<string, string> {
  return {
    "gameday:run": input.runId,
    ...(input.experiment ? { "gameday:experiment": input.experiment.slice(0, 256) } : {}),
    ...(input.stepName ? { "gameday:step": input.stepName } : {}),
  };
}

/**
 * FIS refuses a template whose role does not exist, cannot be assumed, or may not be passed: say
 * which role gameday named, why that one, and how to create or choose another.
 */
export function roleProblem(err: unknown, roleArn: string): FaultStartError | undefined {
  const message = err instanceof Error ? err.message : String(err);
  if (!/role/i.test(message)) return undefined;
  const isDefault = roleArn.endsWith(`:role/${DEFAULT_FIS_ROLE}`);
  const why = isDefault
    ? `gameday names the FIS experiment role ${DEFAULT_FIS_ROLE} in the target account unless configuration.fisRoleArn (or --var fisRoleArn=ARN) names another`
    : "configuration.fisRoleArn names it";
  return new FaultStartError(
    `FIS refused the experiment template's role ${roleArn} (${message}); ${why}. Create it with \`chaos setup --print cloudformation\` (or terraform), or see \`chaos iam-policy <experiment>\` for the permissions it needs`,
  );
}

/**
 * A FIS client token for one request. The seeded random source repeats its uuids when a run is
 * repeated with the same seed, and FIS refuses a token already used by a different request, so the
 * request's time is part of it: a rerun against the same account gets new tokens, a virtual-time
 * run stays reproducible, and the SDK's retries of one request still send the same token.
 */
function clientToken(services: RunServices): string {
  return `${services.random.uuid()}-${Math.floor(services.clock.now()).toString(36)}`;
}

export async function startFault(s: FaultStart): Promise<InjectedFault> {
  // A fault FIS has no action for makes its change itself; there is no template to send.
  if (s.module.inject) return startDirect(s);
  const { clock } = s.services;
  const fis = await s.services.aws.fis();
  const template = templateFor(s.fragment, { runId: s.runId, stepName: s.stepName, accountId: s.accountId, configuration: s.configuration, clientToken: clientToken(s.services), stopAlarmArns: s.stopAlarmArns ?? [], ...(s.experiment ? { experiment: s.experiment } : {}) });
  // Before the call: FIS may create the template and the process die before the id comes back.
  const byToken = s.ledger.intend(clock.now(), `delete the FIS experiment template of ${s.stepName} (client token ${template.clientToken}), found by its tags`, {
    type: "fis-delete-tagged-templates",
    runId: s.runId,
    step: s.stepName,
    clientToken: template.clientToken,
  });
  const created = await fis.send(new CreateExperimentTemplateCommand(template as never), { abortSignal: s.signal as never }).catch((err: unknown) => {
    throw roleProblem(err, template.roleArn) ?? err;
  });
  const templateId = created.experimentTemplate?.id;
  if (!templateId) throw new FaultStartError("FIS created no experiment template id");
  s.ledger.intend(clock.now(), `delete FIS experiment template ${templateId}`, { type: "fis-delete-template", templateId });
  s.ledger.markSkipped(byToken, clock.now(), `superseded: the template id ${templateId} is known`);

  const prepared: { id: string; undo: PreparedUndo }[] = [];
  if (s.module.prepareUndo) {
    const undos = await s.module.prepareUndo({ ...s.services, params: s.params, target: s.target, run: s.run, signal: s.signal });
    for (const u of undos) prepared.push({ id: s.ledger.intend(clock.now(), u.description, u.undo), undo: u });
  }
  // Before the start the experiment id is unknown: recovery would find the experiment by template.
  const byTemplate = s.ledger.intend(clock.now(), `stop FIS experiments of template ${templateId}`, { type: "fis-stop-experiments", templateId });

  const startedAt = clock.now();
  const started = await fis.send(
    new StartExperimentCommand({ clientToken: clientToken(s.services), experimentTemplateId: templateId, tags: gamedayTags({ runId: s.runId, stepName: s.stepName, ...(s.experiment ? { experiment: s.experiment } : {}) }) }),
    { abortSignal: s.signal as never },
  );
  const experimentId = started.experiment?.id;
  if (!experimentId) throw new FaultStartError(`FIS started no experiment for template ${templateId}`);
  s.onStarted?.({ experimentId, templateId });

  // FIS resolves targets and starts actions asynchronously: wait until it is past initiating.
  let status: string | undefined = started.experiment?.state?.status;
  let reason = started.experiment?.state?.reason;
  for (let first = true; status === "pending" || status === "initiating" || status === undefined; first = false) {
    if (!first) await clock.sleep(POLL_MS, s.signal);
    const got = await fis.send(new GetExperimentCommand({ id: experimentId }), { abortSignal: s.signal as never });
    status = got.experiment?.state?.status;
    reason = got.experiment?.state?.reason;
  }
  if (status === "failed" || status === "cancelled") {
    s.ledger.intend(clock.now(), `stop FIS experiment ${experimentId}`, { type: "fis-stop-experiments", templateId, experimentId });
    s.ledger.markSkipped(byTemplate, clock.now(), `superseded: the experiment id ${experimentId} is known`);
    throw new FaultStartError(`FIS experiment ${experimentId} ${status}: ${reason ?? "no reason given"}`);
  }
  const injected: InjectedFault = {
    step: s.stepName,
    fault: s.module.name,
    params: s.params,
    target: s.target,
    experimentId,
    templateId,
    startedAt,
    status: status ?? "running",
    targets: await resolvedTargets(s.services, experimentId, s.accountId, s.signal),
  };
  if (s.module.afterStart) await narrowUndo(s, injected, prepared);
  // Written after any narrower undo, so that rollback (newest first) stops the experiment before
  // undoing what it did. Until then the by-template intent covers a crash.
  s.ledger.intend(clock.now(), `stop FIS experiment ${experimentId}`, { type: "fis-stop-experiments", templateId, experimentId });
  s.ledger.markSkipped(byTemplate, clock.now(), `superseded: the experiment id ${experimentId} is known`);
  return injected;
}

/**
 * prepareUndo had to guess before the start (a drain: every instance that was ACTIVE); once the
 * experiment runs, the fault says what it really changed, and only that is undone. If it cannot
 * tell, the guess stays in the ledger.
 */
async function narrowUndo(s: FaultStart, injected: InjectedFault, prepared: { id: string; undo: PreparedUndo }[]): Promise<void> {
  const { clock } = s.services;
  let found: StartEffect | undefined;
  try {
    found = await s.module.afterStart!({ ...s.services, params: s.params, target: s.target, run: s.run, fault: injected, signal: s.signal }, prepared.map((p) => p.undo));
  } catch (err) {
    if (s.signal.aborted) throw err;
    const error = err instanceof Error ? err.message : String(err);
    s.services.log.warn(`${s.stepName}: could not tell what the fault changed; keeping the undo prepared before the start`, { error });
    recordStartEffect(injected, { error });
    return;
  }
  if (!found) return;
  recordStartEffect(injected, found.effect);
  if (!found.undos) return;
  for (const u of found.undos) s.ledger.intend(clock.now(), u.description, u.undo);
  for (const p of prepared) s.ledger.markSkipped(p.id, clock.now(), `superseded: ${found.note ?? "the fault said what it changed"}`);
}

export async function resolvedTargets(services: RunServices, experimentId: string, accountId: string, signal?: AbortSignal): Promise<ResolvedTarget[]> {
  const fis = await services.aws.fis();
  const out: ResolvedTarget[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fis.send(new ListExperimentResolvedTargetsCommand({ experimentId, ...(nextToken ? { nextToken } : {}) }), { abortSignal: signal as never });
    for (const t of page.resolvedTargets ?? []) out.push(toResolved(t, services.region, accountId));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

function toResolved(t: FisResolvedTarget, region: string, accountId: string): ResolvedTarget {
  const info = t.targetInformation ?? {};
  // FIS does not document targetInformation's keys: take an ARN-shaped value when there is one,
  // otherwise rebuild the ARN from the id FIS gave.
  let arn = info.arn ?? info.ARN ?? info.resourceArn ?? Object.values(info).find((v) => v.startsWith("arn:")) ?? "";
  if (!arn && info.instanceId) arn = `arn:aws:ec2:${region}:${accountId}:instance/${info.instanceId}`;
  return { targetName: t.targetName ?? "", resourceType: t.resourceType ?? "", arn, info };
}

/** Polls until the fault's experiment ends or `deadline` (clock time) passes; returns the last status (and when it ended, if it has). */
export async function waitForExperiment(services: RunServices, experimentId: string, deadline: number, signal?: AbortSignal): Promise<{ status: string; reason?: string; endedAt?: number }> {
  for (;;) {
    const state = await experimentState(services, experimentId, signal);
    if (isTerminal(state.status) || services.clock.now() >= deadline) return state;
    await services.clock.sleep(Math.min(POLL_MS, Math.max(1, deadline - services.clock.now())), signal);
  }
}

/** A fault's experiment as FIS sees it now: its status, FIS's reason, and when it ended (clock ms), if it has. */
export async function experimentState(services: RunServices, experimentId: string, signal?: AbortSignal): Promise<{ status: string; reason?: string; endedAt?: number }> {
  const fis = await services.aws.fis();
  const got = await fis.send(new GetExperimentCommand({ id: experimentId }), { abortSignal: signal as never });
  const state = got.experiment?.state;
  const end = got.experiment?.endTime;
  return { status: state?.status ?? "unknown", ...(state?.reason !== undefined ? { reason: state.reason } : {}), ...(end ? { endedAt: end.getTime() } : {}) };
}

/** Stops a fault's experiment that outlived its expected duration (the engine never calls FIS itself). */
export async function stopExperiment(services: RunServices, experimentId: string): Promise<void> {
  const fis = await services.aws.fis();
  await fis.send(new StopExperimentCommand({ id: experimentId }));
}

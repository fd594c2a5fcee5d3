/**
 * A catalog experiment run by the engine against `--target aws` clients (the same AwsClients the
 * CLI builds for AWS), with msw answering from fixtures/aws. Time is a virtual clock paced at a
 * high speed, so a 3-minute experiment takes seconds while requests still take real time; the
 * load generator is a stand-in that offers the service (http-slo reads what it measured from
 * CloudWatch, which the scenario answers).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, withBody, type AwsScenario, type RecordedCall } from "./aws-handlers.js";
import { AwsClients } from "../../src/aws/clients.js";
import { VirtualClock } from "../../src/time/clock.js";
import { SeededRandom } from "../../src/random/random.js";
import { Journal, journalExperiment } from "../../src/engine/journal.js";
import { Ledger } from "../../src/engine/ledger.js";
import type { RunEvent } from "../../src/engine/events.js";
import { silentLogger, type TrafficPort } from "../../src/engine/ports.js";
import { resolveExperiment } from "../../src/cli/catalog.js";
import { checkPlan, loadExperimentFile, planFor, type Checked } from "../../src/cli/plan-command.js";
import type { RunResult } from "../../src/engine/run.js";

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
/** Virtual seconds per wall second: FIS polls every virtual second, so each poll is 10 ms of real time. */
const SPEED = 100;

/** GetMetricData as a healthy web tier: every load query gets one period of values (counts by Id, latencies in seconds). */
export function healthyMetrics(call: RecordedCall): ReturnType<typeof withBody> {
  const body = call.body as { MetricDataQueries: { Id: string; Label?: string }[]; StartTime: number };
  const value = (id: string) => ({ c0: 3000, c1: 3000 } as Record<string, number>)[id] ?? (id.startsWith("l") ? 0.05 : 0);
  return withBody(fixture("cloudwatch", "GetMetricData", "complete"), (b) => {
    b.MetricDataResults = body.MetricDataQueries.map((q) => ({ Id: q.Id, Label: q.Label ?? q.Id, Timestamps: [body.StartTime], Values: [value(q.Id)], StatusCode: "Complete" }));
  });
}

/** DescribeAlarms answering for the alarms asked about, as CloudWatch would after PutMetricAlarm. */
export function describeAskedAlarms(call: RecordedCall): ReturnType<typeof withBody> {
  const names = (call.body as { AlarmNames: string[] }).AlarmNames;
  return withBody(fixture("cloudwatch", "DescribeAlarms", "insufficient-data"), (b) => {
    const [template] = b.MetricAlarms;
    b.MetricAlarms = names.map((AlarmName) => ({ ...template, AlarmName, AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${AlarmName}` }));
  });
}

/** ListExperimentResolvedTargets as FIS answers for the template created: the exact ARNs gameday handed it. */
export function resolvedAsCreated(aws: AwsScenario): (call: RecordedCall) => ReturnType<typeof withBody> {
  return () => {
    const [create] = aws.callsTo("fis", "CreateExperimentTemplate");
    const targets = (create?.body as { targets: Record<string, { resourceType: string; resourceArns?: string[] }> }).targets;
    return withBody(fixture("fis", "ListExperimentResolvedTargets", "tasks-arn"), (b) => {
      b.resolvedTargets = Object.entries(targets).flatMap(([targetName, t]) => (t.resourceArns ?? []).map((arn) => ({ resourceType: t.resourceType, targetName, targetInformation: { arn } })));
    });
  };
}

/** The AWS a healthy task-kill run sees: two running tasks to pick from, the one stopped stops, the service stays up, FIS completes. */
export function healthyTaskKill(aws: AwsScenario): AwsScenario {
  return aws
    .reply("ecs", "ListTasks", "two")
    .reply("cloudwatch", "GetMetricData", healthyMetrics)
    .reply("cloudwatch", "PutMetricAlarm", "ok")
    .reply("cloudwatch", "DescribeAlarms", describeAskedAlarms)
    .reply("cloudwatch", "DescribeAlarmHistory", "none")
    .reply("cloudwatch", "DeleteAlarms", "ok")
    .reply("ecs", "DescribeServices", "steady")
    // The first answers the resolution (both RUNNING), the rest the landing check.
    .reply("ecs", "DescribeTasks", ["running", "stopping", "stopped"])
    .reply("fis", "CreateExperimentTemplate", "ok")
    .reply("fis", "StartExperiment", "initiating")
    .reply("fis", "GetExperiment", ["initiating", "running", "running", "completed"])
    .reply("fis", "ListExperimentResolvedTargets", resolvedAsCreated(aws))
    .reply("fis", "ListExperiments", "empty")
    .reply("fis", "StopExperiment", "stopping")
    .reply("fis", "DeleteExperimentTemplate", "ok");
}

const traffic: TrafficPort = { services: () => ["web"], drive() {} };

export interface AwsRun extends RunResult {
  /** The read-only preflight the run passed (targets resolved, guardrails checked), as `chaos run` does it. */
  checked: Checked;
  events: RunEvent[];
  ledger: Ledger;
  dir: string;
  runId: string;
}

/** Runs a catalog experiment to its verdict against AWS as the scenario answers it. */
export async function runOnAws(name: string, o: { interrupt?: AbortSignal; vars?: Record<string, string>; clock?: VirtualClock } = {}): Promise<AwsRun> {
  const dir = mkdtempSync(join(tmpdir(), "gameday-msw-run-"));
  writeFileSync(join(dir, "gameday.yaml"), `aws:\n  allow:\n    - account: "${ACCOUNT}"\n      regions: [${REGION}]\n`);
  const file = resolveExperiment(name, dir);
  const loaded = await loadExperimentFile(file, { vars: o.vars ?? {}, varFiles: [], cwd: dir, region: REGION });
  const planned = await planFor(loaded, { region: REGION, accountId: ACCOUNT, cwd: dir });
  // Given by a test whose recorded answers depend on the run's time (a task's stoppedAt).
  const clock = o.clock ?? new VirtualClock();
  clock.pace(SPEED);
  const random = new SeededRandom(42);
  const clients = new AwsClients({ kind: "aws", region: REGION }, { clock, random: random.fork("clients") });
  let checked: Checked;
  try {
    // As `chaos run` does before anything starts: each fault's target resolved read-only, FIS then gets exact ARNs.
    checked = await checkPlan(planned, { target: { kind: "aws", region: REGION, accountId: ACCOUNT, clients, clock }, random, cwd: dir });
  } catch (err) {
    await clients.destroy();
    clock.stop();
    throw err;
  }
  const plan = checked.plan;
  const runId = `${name}-msw`;
  const journalPath = join(dir, "journal.json");
  const ledger = Ledger.create(dir, { runId, experiment: file, title: plan.experiment.title, seed: 42, target: { kind: "aws", region: REGION }, pid: process.pid, startedAt: clock.now(), journalPath });
  const journal = new Journal(journalPath, { experiment: journalExperiment(loaded.raw), start: new Date(clock.now()).toISOString(), runId, seed: 42, target: { kind: "aws", region: REGION }, clock: clock.kind, ledger: ledger.dir, secrets: [] });
  const events: RunEvent[] = [];
  const { runExperiment } = await import("../../src/engine/run.js");
  try {
    const result = await runExperiment({
      plan,
      services: { clock, random: random.fork("run"), aws: clients, traffic, log: silentLogger, targetKind: "aws", region: REGION },
      runId,
      seed: 42,
      journal,
      ledger,
      interrupt: o.interrupt ?? new AbortController().signal,
      listener: (e) => events.push(e),
      cwd: dir,
      accountId: ACCOUNT,
    });
    return { ...result, checked, events, ledger, dir, runId };
  } finally {
    ledger.release();
    await clients.destroy();
    clock.stop();
  }
}

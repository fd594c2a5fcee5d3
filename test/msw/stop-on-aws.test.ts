/**
 * `chaos stop --all` and `chaos recover --orphans` against `--target aws` on recorded responses:
 * only experiments and templates gameday tagged are touched (never another team's), experiments
 * are stopped before their templates go, and the ledger undo follows, finding a template by its
 * tags when the run died before writing its id down.
 */
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AwsScenario, awsServer, fixture, withBody } from "./aws-handlers.js";
import { awsEnv } from "./env.js";
import { REGION, describeAskedAlarms } from "./aws-run.js";
import { captured, project } from "./cli-on-aws.js";
import { Ledger } from "../../src/engine/ledger.js";
import { stopCommand } from "../../src/cli/stop-command.js";
import { recoverCommand } from "../../src/cli/recover-command.js";

const server = awsServer({ beforeAll, afterEach, afterAll });
const home = process.cwd();
const held: Ledger[] = [];
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  process.chdir(home);
  for (const l of held.splice(0)) l.release();
});

const RUN = "task-kill-0000002a";
const STEP = "kill-one-web-task";
const OURS = "EXT4a5b6c7d8e9f0a1b"; // ListExperimentTemplates.tagged: tagged gameday:run=RUN, gameday:step=STEP
const THEIRS = "EXT9f8e7d6c5b4a3f2e1"; // the platform team's own template, no gameday tag
const ALARM = `gameday-${RUN}-web-not-on-fire`;

/** The account's experiments: gameday's running one, gameday's finished one, and another team's running one. */
const experiments = withBody(fixture("fis", "ListExperiments", "one-running"), (b) => {
  const [ours] = b.experiments;
  b.experiments = [
    ours,
    { ...ours, id: "EXPdone0000000000001", experimentTemplateId: "EXTdone0000000000001", state: { status: "completed", reason: "Experiment completed." }, tags: { "gameday:run": "spot-interrupt-00000007", "gameday:step": "interrupt-one-spot-instance" } },
    { ...ours, id: "EXPteam0000000000001", experimentTemplateId: THEIRS, tags: { team: "platform" } },
  ];
});

/** A run of this machine killed after CreateExperimentTemplate was sent but before its answer was written down. */
function killedBeforeTheTemplateId(dir: string): Ledger {
  const ledger = Ledger.create(dir, { runId: RUN, experiment: join(dir, "task-kill.yaml"), title: "task-kill", seed: 42, target: { kind: "aws", region: REGION }, pid: 999_999_999, startedAt: 0, journalPath: join(dir, "journal.json") });
  ledger.intend(1, `delete CloudWatch alarm ${ALARM}`, { type: "cloudwatch-delete-alarms", alarmNames: [ALARM] });
  ledger.intend(2, `delete the experiment templates of step ${STEP}`, { type: "fis-delete-tagged-templates", runId: RUN, step: STEP, clientToken: "t" });
  ledger.release();
  return ledger;
}

describe("chaos stop --all on AWS", () => {
  it("stops only gameday's running experiments, then undoes the ledger here, finding the template by its tags", async () => {
    awsEnv();
    const dir = project();
    killedBeforeTheTemplateId(dir);
    const out = captured();
    const aws = new AwsScenario(server)
      .reply("sts", "GetCallerIdentity", "allowed")
      .reply("fis", "ListExperiments", experiments)
      .reply("fis", "StopExperiment", "stopping")
      .reply("fis", "ListExperimentTemplates", "tagged")
      .reply("fis", "DeleteExperimentTemplate", "ok")
      .reply("cloudwatch", "DescribeAlarms", describeAskedAlarms)
      .reply("cloudwatch", "DeleteAlarms", "ok");
    const code = await stopCommand(undefined, { all: true, target: "aws", region: REGION });
    expect(aws.unhandled).toEqual([]);
    expect(code, out.join("")).toBe(0);
    // Only the tagged experiment that was still going; not the finished one, not the other team's.
    expect(aws.callsTo("fis", "StopExperiment").map((c) => c.params.id)).toEqual(["EXPa1b2c3d4e5f6a7b8c"]);
    expect(out.join("")).toContain(`stopped FIS experiment EXPa1b2c3d4e5f6a7b8c (run ${RUN}, step ${STEP}, was running)`);
    // Then the ledger: the template found by gameday:run and gameday:step, the other team's left alone.
    expect(aws.callsTo("fis", "DeleteExperimentTemplate").map((c) => c.params.id)).toEqual([OURS]);
    expect(aws.callsTo("cloudwatch", "DeleteAlarms").map((c) => c.body)).toEqual([{ AlarmNames: [ALARM] }]);
    const ops = aws.operations();
    expect(ops.indexOf("fis:StopExperiment")).toBeLessThan(ops.indexOf("fis:DeleteExperimentTemplate"));
    expect(Ledger.open(join(dir, ".gameday/runs", RUN)).isClosed()).toBe(true);
  });
});

describe("chaos recover --orphans on AWS", () => {
  it("stops and deletes, by tag, what runs without a ledger here left; keeps the runs that have one and other teams' templates", async () => {
    awsEnv();
    const dir = project();
    // A run going on from this directory (its lock held by this live process): its template stays.
    const going = Ledger.create(dir, { runId: "spot-interrupt-00000007", experiment: join(dir, "spot.yaml"), title: "spot", seed: 7, target: { kind: "aws", region: REGION }, pid: process.pid, startedAt: 0, journalPath: join(dir, "j.json") });
    held.push(going);
    const templates = withBody(fixture("fis", "ListExperimentTemplates", "tagged"), (b) => {
      b.experimentTemplates.push({ ...b.experimentTemplates[0], id: "EXTgoing000000000001", tags: { "gameday:run": "spot-interrupt-00000007", "gameday:step": "interrupt-one-spot-instance" } });
    });
    const out = captured();
    const aws = new AwsScenario(server)
      .reply("fis", "ListExperiments", experiments)
      .reply("fis", "StopExperiment", "stopping")
      .reply("fis", "ListExperimentTemplates", templates)
      .reply("fis", "DeleteExperimentTemplate", "ok");
    const code = await recoverCommand(undefined, { orphans: true, target: "aws", region: REGION });
    expect(aws.unhandled).toEqual([]);
    expect(code, out.join("")).toBe(0);
    expect(aws.callsTo("fis", "StopExperiment").map((c) => c.params.id)).toEqual(["EXPa1b2c3d4e5f6a7b8c"]);
    expect(aws.callsTo("fis", "DeleteExperimentTemplate").map((c) => c.params.id)).toEqual([OURS]);
    const text = out.join("");
    expect(text).toContain(`↺ stopped FIS experiment EXPa1b2c3d4e5f6a7b8c of run ${RUN} (no ledger here)`);
    expect(text).toContain(`↺ deleted FIS experiment template ${OURS} of run ${RUN} (no ledger here)`);
    const ops = aws.operations();
    expect(ops.indexOf("fis:StopExperiment")).toBeLessThan(ops.indexOf("fis:DeleteExperimentTemplate"));
  });
});

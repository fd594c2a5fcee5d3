/**
 * `chaos run --fis-template` against `--target aws` on recorded responses. A template naming one of
 * gameday's sandbox-only actions (gameday:*) is refused before anything changes: FIS answers
 * GetAction for it with ResourceNotFoundException, and the run stops with a located input error
 * (exit 2: the CLI prints InvalidInputError's lines) at the action's actionId that names the AWS
 * action to use instead. Only read-only questions leave; no template is created.
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AwsScenario, awsServer, type RecordedCall } from "./aws-handlers.js";
import { awsEnv } from "./env.js";
import { REGION } from "./aws-run.js";
import { captured, project } from "./cli-on-aws.js";
import { runCommand } from "../../src/cli/run-command.js";
import { InvalidInputError, formatInputError } from "../../src/experiment/model.js";

const server = awsServer({ beforeAll, afterEach, afterAll });
const home = process.cwd();
const VALID = new URL("../../fixtures/fis/valid/spot-interrupt.json", import.meta.url).pathname;
/** Read-only questions only, FIS's GetAction among them. */
const READ_ONLY = /^(sts|ecs|ec2|iam|fis):(Describe|List|Get|Simulate)/;

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  process.chdir(home);
});

/** Real FIS: every AWS action, none of gameday's own. */
const fisGetAction = (call: RecordedCall) => (decodeURIComponent(call.path).startsWith("/actions/gameday:") ? "not-found" : "stop-task");

function account(): AwsScenario {
  return new AwsScenario(server).reply("sts", "GetCallerIdentity", "allowed").reply("fis", "GetAction", fisGetAction).reply("iam", "SimulatePrincipalPolicy", "allowed");
}

/** The valid spot template with its stop-task action as `actionId` (pretty-printed: one member a line). */
function teamTemplate(dir: string, actionId: string): string {
  const t = JSON.parse(readFileSync(VALID, "utf8"));
  t.actions.killTask.actionId = actionId;
  writeFileSync(join(dir, "team.json"), JSON.stringify(t, null, 2));
  return "team.json";
}

const run = (template: string, o: { dry?: boolean } = {}) =>
  runCommand(undefined, { fisTemplate: template, dry: o.dry ?? false, target: "aws", region: REGION, seed: "42", logFormat: "plain" }).then(
    (code) => ({ code, err: undefined }),
    (err: unknown) => ({ code: undefined, err }),
  );

describe("chaos run --fis-template on AWS", () => {
  it("refuses gameday:ecs:fargate-spot-interrupt at its line (exit 2), naming aws:ecs:stop-task instead, after read-only questions only", async () => {
    awsEnv();
    const dir = project();
    captured();
    const aws = account();
    const { err } = await run(teamTemplate(dir, "gameday:ecs:fargate-spot-interrupt"));
    expect(aws.unhandled).toEqual([]);
    expect(err).toBeInstanceOf(InvalidInputError);
    const [problem, ...rest] = (err as InvalidInputError).errors;
    expect(rest).toEqual([]);
    const line = readFileSync(join(dir, "team.json"), "utf8").split("\n").findIndex((l) => l.includes("gameday:ecs:fargate-spot-interrupt")) + 1;
    expect(formatInputError(problem!)).toMatch(
      new RegExp(`^team\\.json:${line}:\\d+: actions\\.killTask\\.actionId: expected an action this target's FIS offers: instead of gameday:ecs:fargate-spot-interrupt, use aws:ecs:stop-task with the same Tasks target`),
    );
    expect(problem!.found).toMatch(/^"gameday:ecs:fargate-spot-interrupt", which this target's FIS does not offer \(GetAction: ResourceNotFoundException\): it is gameday's own action/);
    expect(aws.callsTo("fis", "CreateExperimentTemplate")).toEqual([]);
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
    // Nothing was started: no run directory, no ledger.
    expect(readdirNames(dir)).not.toContain("runs");
  });

  it("chaos plan (run --dry) refuses it the same way", async () => {
    awsEnv();
    const dir = project();
    captured();
    const aws = account();
    const { err } = await run(teamTemplate(dir, "gameday:ecs:fargate-spot-interrupt"), { dry: true });
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).errors.map((e) => e.path)).toEqual(["actions.killTask.actionId"]);
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
  });

  it("with the AWS action the refusal names, the plan goes through", async () => {
    awsEnv();
    const dir = project();
    const out = captured();
    const aws = account();
    const { code, err } = await run(teamTemplate(dir, "aws:ecs:stop-task"), { dry: true });
    expect(err, out.join("")).toBeUndefined();
    expect(code, out.join("")).toBe(0);
    expect(aws.unhandled).toEqual([]);
    expect(
      aws
        .callsTo("fis", "GetAction")
        .map((c) => decodeURIComponent(c.path))
        .sort(),
    ).toEqual(["/actions/aws:ec2:send-spot-instance-interruptions", "/actions/aws:ecs:stop-task", "/actions/aws:fis:wait"]);
  });
});

function readdirNames(dir: string): string[] {
  try {
    return readdirSync(join(dir, ".gameday"));
  } catch {
    return [];
  }
}

/**
 * fargate-spot-interrupt planned and run against `--target aws` on recorded responses. AWS FIS has
 * no Fargate Spot interruption (fis-actions-reference.html lists none; aws-semantics.md 2.1): FIS
 * answers GetAction for gameday's action with ResourceNotFoundException, so the run stops with
 * exit 4 before anything changes and says how to approximate it; with `approximate: stop-task` the
 * plan is FIS aws:ecs:stop-task on the service's FARGATE_SPOT tasks only, and says what it is not.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AwsScenario, awsServer } from "./aws-handlers.js";
import { awsEnv } from "./env.js";
import { REGION } from "./aws-run.js";
import { captured, project } from "./cli-on-aws.js";
import { runCommand } from "../../src/cli/run-command.js";
import { CliError } from "../../src/cli/errors.js";

const server = awsServer({ beforeAll, afterEach, afterAll });
const home = process.cwd();
const EXPERIMENT = new URL("../../experiments/fargate-spot-interrupt.yaml", import.meta.url).pathname;
const SPOT_TASK = "arn:aws:ecs:us-east-1:111122223333:task/prod/1b2c3d4e5f60718293a4b5c6d7e8f90a";
/** Read-only questions only, FIS's GetAction among them. */
const READ_ONLY = /^(sts|ecs|ec2|iam|fis):(Describe|List|Get|Simulate)/;

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  process.chdir(home);
});

/** The account: the api service's two running tasks (one FARGATE, one FARGATE_SPOT), FIS without the action. */
function account(): AwsScenario {
  return new AwsScenario(server)
    .reply("sts", "GetCallerIdentity", "allowed")
    .reply("fis", "GetAction", "not-found")
    .reply("ecs", "ListTasks", "two")
    .reply("ecs", "DescribeTasks", "fargate-spot")
    .reply("iam", "SimulatePrincipalPolicy", "allowed");
}

/** The catalog experiment with `approximate: stop-task` on its fault step, in the project directory. */
function approximated(dir: string): string {
  const file = join(dir, "fargate-approx.yaml");
  const text = readFileSync(EXPERIMENT, "utf8").replace(
    'target: { cluster: "${cluster}", service: "${service}", select: COUNT(1) }',
    'target: { cluster: "${cluster}", service: "${service}", select: COUNT(1) }\n    with: { approximate: stop-task }',
  );
  writeFileSync(file, text);
  return file;
}

const run = (experiment: string, o: { dry?: boolean } = {}) => runCommand(experiment, { dry: o.dry ?? false, target: "aws", region: REGION, seed: "42", logFormat: o.dry ? "json" : "plain" });

describe("fargate-spot-interrupt on AWS", () => {
  it("plan: FIS has no Fargate Spot interruption, so the plan says so (NOT ON THIS TARGET), names the approximation, exits 4, and asks AWS only read-only questions", async () => {
    awsEnv();
    project();
    const out = captured();
    const aws = account();
    const code = await runCommand(EXPERIMENT, { dry: true, target: "aws", region: REGION, seed: "42", logFormat: "plain" });
    expect(aws.unhandled).toEqual([]);
    expect(code, out.join("")).toBe(4);
    const text = out.join("");
    expect(text).toMatch(/fargate-spot-interrupt\.yaml:\d+: step interrupt-one-spot-task \(fargate-spot-interrupt\)/);
    expect(text).toContain("NOT ON THIS TARGET");
    // Says why, not "0 found, cap 0": no task was looked for, as the action is missing.
    expect(text).toMatch(/interrupt-one-spot-task \(fargate-spot-interrupt, \S+\): running Fargate Spot tasks of service api in cluster prod: not resolved, the target cannot carry the step out\n {4}NOT ON THIS TARGET/);
    expect(text).not.toMatch(/cap {6}0/);
    expect(text).toMatch(/AWS FIS cannot interrupt Fargate Spot tasks/);
    expect(text).toMatch(/set `approximate: stop-task`/);
    expect(aws.callsTo("fis", "GetAction").map((c) => c.path)).toEqual(["/actions/gameday%3Aecs%3Afargate-spot-interrupt"]);
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
  });

  it("run: exits 4 before any call that changes something (no template, no alarm)", async () => {
    awsEnv();
    project();
    captured();
    const aws = account();
    const err = await run(EXPERIMENT).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(aws.unhandled).toEqual([]);
    expect((err as CliError).exitCode).toBe(4);
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
  });

  it("plan with approximate: stop-task: aws:ecs:stop-task on the FARGATE_SPOT task only, described as the approximation it is", async () => {
    awsEnv();
    const dir = project();
    const out = captured();
    const aws = account();
    const code = await run(approximated(dir), { dry: true });
    expect(aws.unhandled).toEqual([]);
    expect(code, out.join("")).toBe(0);
    const doc = JSON.parse(out.join(""));
    // The Spot task only: the FARGATE one is no candidate.
    expect(doc.targets[0].found.map((c: { arn: string }) => c.arn)).toEqual([SPOT_TASK]);
    const template = doc.faults[0].template;
    expect(template.actions.interruptSpotTasks.actionId).toBe("aws:ecs:stop-task");
    expect(template.targets.spotTasks).toEqual({ resourceType: "aws:ecs:task", resourceArns: [SPOT_TASK], selectionMode: "ALL" });
    expect(template.description).toMatch(/AWS FIS has no Fargate Spot interruption; aws:ecs:stop-task approximates it/);
    // The user opted in: FIS is not asked for the action it does not have.
    expect(aws.callsTo("fis", "GetAction")).toEqual([]);
    expect(doc.iam.permissions).toContain("ecs:StopTask");
    expect(aws.operations().every((op) => READ_ONLY.test(op)), aws.operations().join(", ")).toBe(true);
  });
});

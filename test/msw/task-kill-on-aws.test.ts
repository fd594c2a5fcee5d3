/**
 * The catalog's task-kill experiment against `--target aws` clients, with AWS answering from
 * recorded responses: to its verdict, interrupted mid-fault, and under AWS's own throttling.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AwsScenario, awsServer, fixture, withBody } from "./aws-handlers.js";
import { awsEnv } from "./env.js";
import { ACCOUNT, healthyTaskKill, runOnAws } from "./aws-run.js";

const TASKS = [`arn:aws:ecs:us-east-1:${ACCOUNT}:task/prod/0a1b2c3d4e5f60718293a4b5c6d7e8f9`, `arn:aws:ecs:us-east-1:${ACCOUNT}:task/prod/1b2c3d4e5f60718293a4b5c6d7e8f90a`];

const server = awsServer({ beforeAll, afterEach, afterAll });
afterEach(() => vi.unstubAllEnvs());

describe("task-kill on AWS", () => {
  it("runs to a held verdict through FIS, ECS and CloudWatch, and cleans up after itself", async () => {
    awsEnv();
    const aws = healthyTaskKill(new AwsScenario(server));
    const run = await runOnAws("task-kill");
    expect(aws.unhandled).toEqual([]);
    expect(run.verdict).toBe("held");
    expect(run.exitCode).toBe(0);

    // The service's running tasks were resolved read-only before FIS was asked anything.
    const ops = aws.operations();
    expect(ops.indexOf("ecs:ListTasks")).toBeLessThan(ops.indexOf("fis:CreateExperimentTemplate"));
    expect(aws.callsTo("ecs", "ListTasks")[0]!.body).toMatchObject({ cluster: "prod", serviceName: "web", desiredStatus: "RUNNING" });
    const [step] = run.checked.steps;
    expect(step!.resolution.candidates.map((c) => c.arn)).toEqual(TASKS);
    expect(step!.chosen).toHaveLength(1);
    const chosen = step!.chosen![0]!.arn;

    // The stop condition became an alarm, and FIS was told to stop on it.
    const [putAlarm] = aws.callsTo("cloudwatch", "PutMetricAlarm");
    const alarmName = (putAlarm!.body as { AlarmName: string }).AlarmName;
    expect(alarmName).toMatch(/^gameday-task-kill-msw-web-not-on-fire/);
    const [create] = aws.callsTo("fis", "CreateExperimentTemplate");
    const template = create!.body as any;
    expect(template.actions.stopTasks.actionId).toBe("aws:ecs:stop-task");
    // COUNT(1) of the two: FIS gets exactly the one gameday picked, not a selection of its own.
    expect(template.targets.tasks).toEqual({ resourceType: "aws:ecs:task", resourceArns: [chosen], selectionMode: "ALL" });
    expect(template.stopConditions).toEqual([{ source: "aws:cloudwatch:alarm", value: `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${alarmName}` }]);
    expect(template.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/gameday-fis`);
    expect((aws.callsTo("fis", "StartExperiment")[0]!.body as any).experimentTemplateId).toBe("EXT4a5b6c7d8e9f0a1b");

    // Resolution described both listed tasks; the fault was verified on the one FIS resolved, by ARN.
    const described = aws.callsTo("ecs", "DescribeTasks").map((c) => (c.body as { tasks: string[] }).tasks);
    expect(described[0]).toEqual(TASKS);
    expect(described.slice(1).every((tasks) => tasks.length === 1 && tasks[0] === chosen)).toBe(true);
    const landed = run.events.find((e) => e.type === "fault-verified") as { landed?: boolean } | undefined;
    expect(landed?.landed).toBe(true);

    // Rollback: the template and the alarm are deleted; the experiment had completed, so nothing to stop.
    expect(aws.callsTo("fis", "DeleteExperimentTemplate").map((c) => c.params.id)).toEqual(["EXT4a5b6c7d8e9f0a1b"]);
    expect(aws.callsTo("cloudwatch", "DeleteAlarms").map((c) => c.body)).toEqual([{ AlarmNames: [alarmName] }]);
    expect(aws.callsTo("fis", "StopExperiment")).toEqual([]);
    expect(run.ledger.pending()).toEqual([]);
  });

  it("an interrupt during the fault stops the FIS experiment, deletes its template and exits 130", async () => {
    awsEnv();
    const interrupt = new AbortController();
    const aws = healthyTaskKill(new AwsScenario(server))
      .reply("fis", "GetExperiment", "running")
      // SIGTERM arrives while gameday watches the tasks stop.
      .reply("ecs", "DescribeTasks", (_, n) => {
        if (n === 0) return "running"; // the resolution, before anything starts
        if (n === 2) interrupt.abort("SIGTERM");
        return "stopping";
      });
    const run = await runOnAws("task-kill", { interrupt: interrupt.signal });
    expect(aws.unhandled).toEqual([]);
    expect(run.exitCode).toBe(130);
    expect(aws.callsTo("fis", "StopExperiment").map((c) => c.params.id)).toEqual(["EXPa1b2c3d4e5f6a7b8c"]);
    expect(aws.callsTo("fis", "DeleteExperimentTemplate")).toHaveLength(1);
    expect(aws.callsTo("cloudwatch", "DeleteAlarms")).toHaveLength(1);
    // Stopped before its template was deleted.
    const ops = aws.operations();
    expect(ops.indexOf("fis:StopExperiment")).toBeLessThan(ops.indexOf("fis:DeleteExperimentTemplate"));
    expect(run.ledger.pending()).toEqual([]);
  });

  it("AWS throttling and 5xx on ECS are retried by gameday's retry, and the run goes on", async () => {
    awsEnv();
    const aws = healthyTaskKill(new AwsScenario(server)).reply("ecs", "DescribeServices", ["throttled", "server-error", "steady"]);
    const run = await runOnAws("task-kill");
    expect(aws.unhandled).toEqual([]);
    expect(run.verdict).toBe("held");
    expect(aws.callsTo("ecs", "DescribeServices").length).toBeGreaterThan(3);
  });

  it("FIS throttling that outlasts the retries is a clear target error (exit 4), and the template is still deleted", async () => {
    awsEnv();
    const aws = healthyTaskKill(new AwsScenario(server)).reply("fis", "StartExperiment", "throttled");
    const run = await runOnAws("task-kill");
    expect(aws.unhandled).toEqual([]);
    expect(run.exitCode).toBe(4);
    expect(aws.callsTo("fis", "StartExperiment")).toHaveLength(3);
    // Which call, what AWS said, and that it was retried: not a bare "Rate exceeded".
    expect(run.summary).toContain("kill-one-web-task: FIS StartExperiment: ThrottlingException: Rate exceeded (3 attempts)");
    expect(run.summary).not.toMatch(/\n\s+at /);
    expect(aws.callsTo("fis", "DeleteExperimentTemplate")).toHaveLength(1);
    expect(aws.callsTo("cloudwatch", "DeleteAlarms")).toHaveLength(1);
  });

  it("a template whose CreateExperimentTemplate answer was lost (5xx) is found by its tags and deleted; another team's is left alone", async () => {
    awsEnv();
    // FIS made the template, but every answer gameday got was a 500: only the tags say it exists.
    const templates = withBody(fixture("fis", "ListExperimentTemplates", "tagged"), (b) => {
      b.experimentTemplates[0].tags = { "gameday:run": "task-kill-msw", "gameday:step": "kill-one-web-task" };
    });
    const aws = healthyTaskKill(new AwsScenario(server)).reply("fis", "CreateExperimentTemplate", "internal-error").reply("fis", "ListExperimentTemplates", templates);
    const run = await runOnAws("task-kill");
    expect(aws.unhandled).toEqual([]);
    expect(run.exitCode).toBe(4);
    expect(aws.callsTo("fis", "CreateExperimentTemplate")).toHaveLength(3);
    expect(aws.callsTo("fis", "StartExperiment")).toEqual([]);
    expect(aws.callsTo("fis", "DeleteExperimentTemplate").map((c) => c.params.id)).toEqual(["EXT4a5b6c7d8e9f0a1b"]);
    expect(aws.callsTo("cloudwatch", "DeleteAlarms")).toHaveLength(1);
    expect(run.ledger.pending()).toEqual([]);
  });
});

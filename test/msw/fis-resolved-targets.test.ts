/**
 * FIS does not document the keys of ListExperimentResolvedTargets' targetInformation. gameday
 * accepts each plausible shape (an `arn`, a `resourceArn`, an EC2 `instanceId`) and finds the
 * same resources from any of them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AwsScenario, awsServer, fixture, withBody } from "./aws-handlers.js";
import { awsClients, awsEnv } from "./env.js";
import { resolvedTargets } from "../../src/faults/fis-runner.js";
import { spotInterruptionsIssued } from "../../src/faults/spot-notices.js";
import type { RunServices } from "../../src/engine/ports.js";

const server = awsServer({ beforeAll, afterEach, afterAll });
afterEach(() => vi.unstubAllEnvs());

const TASKS = ["arn:aws:ecs:us-east-1:111122223333:task/prod/0a1b2c3d4e5f60718293a4b5c6d7e8f9", "arn:aws:ecs:us-east-1:111122223333:task/prod/1b2c3d4e5f60718293a4b5c6d7e8f90a"];

describe("FIS resolved targets", () => {
  it.each(["tasks-arn", "tasks-resource-arn"])("%s: the tasks' ARNs", async (kase) => {
    awsEnv();
    const aws = new AwsScenario(server).reply("fis", "ListExperimentResolvedTargets", kase);
    const clients = awsClients();
    const targets = await resolvedTargets({ aws: clients, region: "us-east-1" } as RunServices, "EXPa1b2c3d4e5f6a7b8c", "111122223333");
    await clients.destroy();
    expect(targets.map((t) => [t.targetName, t.resourceType, t.arn])).toEqual(TASKS.map((arn) => ["tasks", "aws:ecs:task", arn]));
    expect(aws.callsTo("fis", "ListExperimentResolvedTargets")[0]!.params.id).toBe("EXPa1b2c3d4e5f6a7b8c");
  });

  it("instance-id: the instance's ARN, rebuilt from its id", async () => {
    awsEnv();
    new AwsScenario(server).reply("fis", "ListExperimentResolvedTargets", "instance-id");
    const clients = awsClients();
    const targets = await resolvedTargets({ aws: clients, region: "us-east-1" } as RunServices, "EXPa1b2c3d4e5f6a7b8c", "111122223333");
    await clients.destroy();
    expect(targets.map((t) => t.arn)).toEqual(["arn:aws:ec2:us-east-1:111122223333:instance/i-0b2b8d8e36c33a76b"]);
  });

  const spotInstance = (info: Record<string, string>) =>
    withBody(fixture("fis", "ListExperimentResolvedTargets", "instance-id"), (b) => (b.resolvedTargets[0].targetInformation = info));
  it.each([
    ["instanceId", { instanceId: "i-0b2b8d8e36c33a76b" }],
    ["arn", { arn: "arn:aws:ec2:us-east-1:111122223333:instance/i-0b2b8d8e36c33a76b" }],
    ["resourceArn", { resourceArn: "arn:aws:ec2:us-east-1:111122223333:instance/i-0b2b8d8e36c33a76b" }],
  ])("spot notices find the instance from targetInformation.%s", async (_, info) => {
    awsEnv();
    const started = 1_764_979_200;
    new AwsScenario(server)
      .reply("fis", "ListExperiments", "one-running")
      .reply("fis", "GetExperiment", withBody(fixture("fis", "GetExperiment", "running"), (b) => {
        b.experiment.actions = { interrupt: { actionId: "aws:ec2:send-spot-instance-interruptions", parameters: { durationBeforeInterruption: "PT2M" }, targets: { SpotInstances: "spotInstances" }, state: { status: "completed" }, startTime: started } };
      }))
      .reply("fis", "ListExperimentResolvedTargets", spotInstance(info));
    const clients = awsClients();
    const notices = await spotInterruptionsIssued(clients, started * 1000);
    await clients.destroy();
    expect([...notices]).toEqual([["i-0b2b8d8e36c33a76b", { experimentId: "EXPa1b2c3d4e5f6a7b8c", interruptAt: (started + 120) * 1000 }]]);
  });
});

/**
 * The reference spot drain handler as deployed on Lambda (`handler`, CLUSTERS in the environment,
 * its own `new ECSClient({})`), receiving EC2's spot interruption warning, against recorded ECS
 * responses.
 */
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AwsScenario, awsServer } from "./aws-handlers.js";
import { awsEnv } from "./env.js";

const server = awsServer({ beforeAll, afterEach, afterAll });
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const warning = JSON.parse(readFileSync(new URL("../../fixtures/events/ec2-spot-interruption-warning.terminate.json", import.meta.url), "utf8"));
const INSTANCE_ARN = "arn:aws:ecs:us-east-1:111122223333:container-instance/prod/0a1b2c3d4e5f";

/** A fresh module each time: the handler keeps its client and clusters for the Lambda environment's lifetime. */
async function lambda(): Promise<(event: unknown) => Promise<{ drained: unknown[]; alreadyDraining: unknown[] }>> {
  awsEnv();
  vi.stubEnv("AWS_REGION", "us-east-2");
  vi.stubEnv("CLUSTERS", "prod");
  vi.spyOn(console, "log").mockImplementation(() => {});
  vi.resetModules();
  return (await import("../../src/handlers/spot-drain.js")).handler;
}

describe("the spot drain handler on AWS", () => {
  it("sets the warned instance's container instance DRAINING", async () => {
    const handler = await lambda();
    const aws = new AwsScenario(server).reply("ecs", "ListContainerInstances", "one").reply("ecs", "DescribeContainerInstances", "active").reply("ecs", "UpdateContainerInstancesState", "draining");
    const outcome = await handler(warning);
    expect(aws.unhandled).toEqual([]);
    expect(outcome.drained).toEqual([{ cluster: "prod", containerInstanceArn: INSTANCE_ARN }]);
    expect(aws.callsTo("ecs", "ListContainerInstances")[0]!.body).toEqual({ cluster: "prod", filter: "ec2InstanceId == i-1234567890abcdef0" });
    expect(aws.callsTo("ecs", "UpdateContainerInstancesState").map((c) => [c.region, c.body])).toEqual([["us-east-2", { cluster: "prod", containerInstances: [INSTANCE_ARN], status: "DRAINING" }]]);
  });

  it("leaves an instance already DRAINING alone", async () => {
    const handler = await lambda();
    const aws = new AwsScenario(server).reply("ecs", "ListContainerInstances", "one").reply("ecs", "DescribeContainerInstances", "draining");
    const outcome = await handler(warning);
    expect(aws.unhandled).toEqual([]);
    expect(outcome.alreadyDraining).toHaveLength(1);
    expect(aws.callsTo("ecs", "UpdateContainerInstancesState")).toEqual([]);
  });

  it("is not in the cluster: nothing to drain, no error", async () => {
    const handler = await lambda();
    const aws = new AwsScenario(server).reply("ecs", "ListContainerInstances", "none");
    const outcome = await handler(warning);
    expect(aws.unhandled).toEqual([]);
    expect(outcome.drained).toEqual([]);
    expect(aws.operations()).toEqual(["ecs:ListContainerInstances"]);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import {
  CreateExperimentTemplateCommand,
  GetExperimentCommand,
  ListExperimentResolvedTargetsCommand,
  StartExperimentCommand,
  StopExperimentCommand,
  ValidationException,
  type CreateExperimentTemplateCommandInput,
} from "@aws-sdk/client-fis";
import type { FisClient } from "@aws-sdk/client-fis";
import { harness, stackYaml, type Harness } from "../harness.js";

let h: Harness;
let fis: FisClient;
afterEach(() => h?.close());

const ROLE = "arn:aws:iam::123456789012:role/fis";

async function setup(yaml = stackYaml()) {
  h = await harness(yaml);
  fis = await h.clients.fis();
}

async function start(template: Omit<CreateExperimentTemplateCommandInput, "roleArn" | "stopConditions" | "description" | "clientToken">): Promise<string> {
  const t = await fis.send(new CreateExperimentTemplateCommand({ clientToken: `t-${h.clock.now()}`, description: "sandbox test", roleArn: ROLE, stopConditions: [{ source: "none" }], ...template }));
  const e = await fis.send(new StartExperimentCommand({ clientToken: `e-${h.clock.now()}`, experimentTemplateId: t.experimentTemplate!.id! }));
  return e.experiment!.id!;
}

const spotTemplate = (duration: string) => ({
  targets: {
    spot: { resourceType: "aws:ec2:spot-instance", resourceTags: { chaos: "ok" }, filters: [{ path: "State.Name", values: ["running"] }, { path: "Placement.AvailabilityZone", values: ["us-east-1b"] }], selectionMode: "COUNT(1)" },
  },
  actions: { interrupt: { actionId: "aws:ec2:send-spot-instance-interruptions", parameters: { durationBeforeInterruption: duration }, targets: { SpotInstances: "spot" } } },
});

describe("FIS actions on the sandbox's EC2 and ECS, through the real FisClient", () => {
  it("interrupts a tagged spot instance picked by filters, and completes at the interruption", async () => {
    await setup(
      stackYaml({
        events: `events:
  rules:
    - { name: drain, pattern: { source: [aws.ec2], detail-type: [EC2 Spot Instance Interruption Warning] }, target: { handler: "builtin:spot-drain", environment: { CLUSTERS: prod } } }`,
      }),
    );
    const id = await start(spotTemplate("PT4M"));
    await h.advance(5_000);
    const resolved = (await fis.send(new ListExperimentResolvedTargetsCommand({ experimentId: id }))).resolvedTargets!;
    expect(resolved).toHaveLength(1);
    const instanceId = resolved[0]!.targetInformation!.instanceId!;
    const instance = h.sandbox.ec2.get(instanceId)!;
    expect(instance).toMatchObject({ lifecycle: "spot", az: "us-east-1b" });
    expect(instance.rebalanceNoticeAt).toBeDefined();
    expect(instance.interruption).toBeUndefined();
    expect((await fis.send(new GetExperimentCommand({ id }))).experiment!.state!.status).toBe("running");
    await h.advance(120_000);
    // Warning at T-2min; the drain handler has drained the instance.
    expect(instance.interruption?.action).toBe("terminate");
    expect(h.sandbox.ecs.containerInstanceOf(instanceId)!.status).toBe("DRAINING");
    await h.advance(120_000);
    expect(instance.state).not.toBe("running");
    expect((await fis.send(new GetExperimentCommand({ id }))).experiment!.state!.status).toBe("completed");
  });

  it("checks durationBeforeInterruption against PT2M..PT15M as FIS does", async () => {
    await setup();
    await expect(start(spotTemplate("PT1M"))).rejects.toBeInstanceOf(ValidationException);
    await expect(start(spotTemplate("PT16M"))).rejects.toThrow(/PT2M to PT15M/);
  });

  it("stops tasks of a service with aws:ecs:stop-task", async () => {
    await setup();
    const id = await start({
      targets: { web: { resourceType: "aws:ecs:task", parameters: { cluster: "prod", service: "web" }, selectionMode: "COUNT(2)" } },
      actions: { kill: { actionId: "aws:ecs:stop-task", targets: { Tasks: "web" } } },
    });
    await h.advance(1_000);
    const stopped = h.sandbox.ecs.clusters.get("prod")!.tasks.filter((t) => t.desiredStatus === "STOPPED");
    expect(stopped).toHaveLength(2);
    expect(stopped.every((t) => t.stopCode === "UserInitiated" && t.service?.name === "web")).toBe(true);
    expect((await fis.send(new GetExperimentCommand({ id }))).experiment!.state!.status).toBe("completed");
  });

  it("drains a percentage of container instances for a duration and returns them to ACTIVE, also when stopped early", async () => {
    await setup();
    const template = (duration: string, pct: string) => ({
      targets: { cluster: { resourceType: "aws:ecs:cluster", resourceArns: ["arn:aws:ecs:us-east-1:123456789012:cluster/prod"], selectionMode: "ALL" } },
      actions: { drain: { actionId: "aws:ecs:drain-container-instances", parameters: { drainagePercentage: pct, duration }, targets: { Clusters: "cluster" } } },
    });
    await expect(start(template("PT5M", "0"))).rejects.toThrow(/drainagePercentage.*1 to 100/);
    const draining = () => h.sandbox.ecs.clusters.get("prod")!.containerInstances.filter((c) => c.status === "DRAINING").length;
    const id = await start(template("PT5M", "50"));
    await h.advance(1_000);
    expect(draining()).toBe(3);
    await h.advance(300_000);
    expect(draining()).toBe(0);
    expect((await fis.send(new GetExperimentCommand({ id }))).experiment!.state!.status).toBe("completed");

    const early = await start(template("PT10M", "34"));
    await h.advance(1_000);
    expect(draining()).toBe(3);
    await fis.send(new StopExperimentCommand({ id: early }));
    await h.advance(1_000);
    expect(draining()).toBe(0);
  });
});

/**
 * Fargate in the sandbox's ECS, pinned to AWS's documentation:
 * - task lifecycle and ENI attachment (ECS Developer Guide, "Task lifecycle": PROVISIONING,
 *   PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED; the awsvpc
 *   ENI is provisioned in PROVISIONING and deleted in DEPROVISIONING), as DescribeTasks shows it;
 * - capacity provider strategies (fargate-capacity-providers.html: base first, the rest by weight);
 * - Fargate Spot interruption (knowledge-center/fargate-spot-termination-notice: a two-minute warning
 *   "sent as a task state change event to Amazon EventBridge and as a SIGTERM signal to the running
 *   task"; stopTimeout at most 120 s; the scheduler replaces the task on Fargate Spot).
 */
import { afterEach, describe, expect, it } from "vitest";
import { DescribeServicesCommand, DescribeTasksCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { TestEventPatternCommand } from "@aws-sdk/client-eventbridge";
import { CreateExperimentTemplateCommand, GetActionCommand, GetExperimentCommand, StartExperimentCommand, type FisClient } from "@aws-sdk/client-fis";
import { harness, stackYaml, type Harness } from "../harness.js";
import type { Task } from "../../../src/sandbox/services/ecs/model.js";
import { parseStack } from "../../../src/sandbox/stack/load.js";

let h: Harness;
afterEach(() => h?.close());

const TASK_DEFINITIONS = `  - family: api
    cpu: 512
    memory: 1024
    startup: PT12S
    imagePull: PT9S
    shutdown: PT2S
    stopTimeout: PT30S
    app: { threads: 10, serviceTime: { p50: 20ms, p99: 100ms } }
  - { family: web, cpu: 512, memory: 1024, app: { threads: 10, serviceTime: { p50: 20ms, p99: 100ms } } }`;

function fargateStack(service: string, taskDefinitions = TASK_DEFINITIONS): string {
  return stackYaml({
    taskDefinitions,
    targetGroups: "  - { name: api, deregistrationDelay: PT5S, healthCheck: { interval: PT10S, healthyThreshold: 2, unhealthyThreshold: 2 } }",
    services: service,
  });
}

const apiTasks = (h: Harness, live = true): Task[] => h.sandbox.ecs.clusters.get("prod")!.tasks.filter((t) => t.service?.name === "api" && (!live || t.desiredStatus === "RUNNING"));

function taskEvents(h: Harness, arn: () => string | undefined) {
  const seen: Record<string, any>[] = [];
  h.sandbox.kernel.bus.subscribe((e) => {
    if (e["detail-type"] === "ECS Task State Change" && e.detail.taskArn === arn()) seen.push({ ...e.detail, at: h.clock.now() });
  });
  return seen;
}

async function describe1(h: Harness, arn: string) {
  return (await h.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [arn] }))).tasks![0]!;
}

describe("an awsvpc Fargate task", () => {
  it("goes PROVISIONING -> PENDING -> ACTIVATING -> RUNNING with its ENI PRECREATED, then ATTACHED, and pulls its image for the task definition's imagePull", async () => {
    h = await harness(fargateStack("  - { name: api, cluster: prod, taskDefinition: api, launchType: FARGATE, desiredCount: 1, targetGroup: api }"), { ready: false });
    let arn: string | undefined;
    const seen = taskEvents(h, () => arn);
    await h.advance(1);
    const [task] = apiTasks(h);
    arn = task!.arn;
    const provisioning = await describe1(h, arn);
    expect(provisioning.lastStatus).toBe("PROVISIONING");
    expect(provisioning.attachments).toHaveLength(1);
    expect(provisioning.attachments![0]).toMatchObject({ type: "ElasticNetworkInterface", status: "PRECREATED" });
    const details = Object.fromEntries(provisioning.attachments![0]!.details!.map((d) => [d.name, d.value]));
    expect(details.networkInterfaceId).toMatch(/^eni-[0-9a-f]{17}$/);
    expect(details.subnetId).toMatch(/^subnet-/);
    expect(details.privateIPv4Address).toMatch(/^10\.0\.\d+\.\d+$/);

    await h.advance(60_000);
    const running = await describe1(h, arn);
    expect(running.lastStatus).toBe("RUNNING");
    expect(running.attachments![0]!.status).toBe("ATTACHED");
    expect(running.pullStoppedAt!.getTime() - running.pullStartedAt!.getTime()).toBe(9_000);
    expect(running.startedAt!.getTime() - running.pullStartedAt!.getTime()).toBe(12_000);
    expect(seen.map((d) => d.lastStatus)).toEqual(["PENDING", "ACTIVATING", "RUNNING"]);
    // The events carry the ENI as the docs' Fargate example does: type "eni", ATTACHED.
    expect(seen.at(-1)!.attachments[0]).toMatchObject({ type: "eni", status: "ATTACHED" });
  });

  it("stops DEACTIVATING -> STOPPING -> DEPROVISIONING -> STOPPED, and its ENI ends DELETED", async () => {
    h = await harness(fargateStack("  - { name: api, cluster: prod, taskDefinition: api, launchType: FARGATE, desiredCount: 1, targetGroup: api }"));
    const [task] = apiTasks(h);
    const seen = taskEvents(h, () => task!.arn);
    await h.ecs.send(new StopTaskCommand({ cluster: "prod", task: task!.arn }));
    await h.advance(60_000);
    expect(seen.map((d) => d.lastStatus)).toEqual(["DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"]);
    const stopped = await describe1(h, task!.arn);
    expect(stopped.attachments![0]!.status).toBe("DELETED");
    expect(seen.at(-1)!.attachments[0].status).toBe("DELETED");
  });
});

describe("a service's Fargate capacity provider strategy", () => {
  it("puts `base` tasks on FARGATE and the rest on FARGATE_SPOT by weight, and DescribeServices shows the strategy instead of a launch type", async () => {
    h = await harness(
      fargateStack(
        "  - { name: api, cluster: prod, taskDefinition: api, desiredCount: 6, targetGroup: api, capacityProviderStrategy: [{ capacityProvider: FARGATE, base: 2, weight: 1 }, { capacityProvider: FARGATE_SPOT, weight: 3 }] }",
      ),
    );
    const by = (p: string) => apiTasks(h).filter((t) => t.capacityProviderName === p).length;
    // Base 2 on FARGATE, then the other 4 split 1:3.
    expect([by("FARGATE"), by("FARGATE_SPOT")]).toEqual([3, 3]);
    const described = await describe1(h, apiTasks(h).find((t) => t.capacityProviderName === "FARGATE_SPOT")!.arn);
    expect(described).toMatchObject({ launchType: "FARGATE", capacityProviderName: "FARGATE_SPOT" });
    const service = (await h.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["api"] }))).services![0]!;
    expect(service.launchType).toBeUndefined();
    expect(service.capacityProviderStrategy).toEqual([
      { capacityProvider: "FARGATE", base: 2, weight: 1 },
      { capacityProvider: "FARGATE_SPOT", base: 0, weight: 3 },
    ]);
  });

  it("refuses a strategy the API refuses: a base on two providers, or no weight above 0", () => {
    const strategy = (s: string) => () => parseStack(fargateStack(`  - { name: api, cluster: prod, taskDefinition: api, desiredCount: 2, capacityProviderStrategy: ${s} }`), "s.yaml");
    expect(strategy("[{ capacityProvider: FARGATE, base: 1, weight: 1 }, { capacityProvider: FARGATE_SPOT, base: 1, weight: 1 }]")).toThrow(/capacityProviderStrategy\[1\]\.base: expected a base on one capacity provider only/);
    expect(strategy("[{ capacityProvider: FARGATE, base: 1 }]")).toThrow(/capacityProviderStrategy\[0\]\.weight: expected at least one capacity provider with a weight above 0/);
  });
});

describe("a Fargate Spot interruption (gameday:ecs:fargate-spot-interrupt on the sandbox's FIS)", () => {
  const SPOT_ONLY = "  - { name: api, cluster: prod, taskDefinition: api, desiredCount: 2, targetGroup: api, capacityProviderStrategy: [{ capacityProvider: FARGATE_SPOT, weight: 1 }] }";

  async function interrupt(fis: FisClient, arn: string): Promise<string> {
    const t = await fis.send(
      new CreateExperimentTemplateCommand({
        clientToken: "t",
        description: "spot",
        roleArn: "arn:aws:iam::123456789012:role/fis",
        stopConditions: [{ source: "none" }],
        targets: { tasks: { resourceType: "aws:ecs:task", resourceArns: [arn], selectionMode: "ALL" } },
        actions: { interrupt: { actionId: "gameday:ecs:fargate-spot-interrupt", targets: { Tasks: "tasks" } } },
      }),
    );
    return (await fis.send(new StartExperimentCommand({ clientToken: "e", experimentTemplateId: t.experimentTemplate!.id! }))).experiment!.id!;
  }

  it("is offered by the sandbox's FIS (GetAction), under gameday's namespace", async () => {
    h = await harness(fargateStack(SPOT_ONLY));
    const fis = await h.clients.fis();
    const action = (await fis.send(new GetActionCommand({ id: "gameday:ecs:fargate-spot-interrupt" }))).action!;
    expect(action.targets).toEqual({ Tasks: { resourceType: "aws:ecs:task" } });
  });

  it("warns with the documented task state change, SIGTERMs at once, stops the task and replaces it on FARGATE_SPOT", async () => {
    h = await harness(fargateStack(SPOT_ONLY));
    const fis = await h.clients.fis();
    const victim = apiTasks(h)[0]!;
    const seen = taskEvents(h, () => victim.arn);
    const t0 = h.clock.now();
    const id = await interrupt(fis, victim.arn);
    await h.advance(1_000);
    expect((await fis.send(new GetExperimentCommand({ id }))).experiment!.state!.status).toBe("completed");
    // The warning: still RUNNING, desired STOPPED, with the stop code and reason.
    expect(seen[0]).toMatchObject({ lastStatus: "RUNNING", desiredStatus: "STOPPED", stopCode: "SpotInterruption", stoppedReason: "Your Spot Task was interrupted." });
    const sigterm = h.sandbox.kernel.trace.entries.find((e) => e.message === `${victim.id}: SIGTERM`);
    expect(sigterm!.at - t0).toBeLessThan(1_000);
    await h.advance(120_000);
    expect(seen.map((d) => d.lastStatus)).toEqual(["RUNNING", "STOPPING", "DEPROVISIONING", "STOPPED"]);
    // The app exits 2 s after SIGTERM: no SIGKILL.
    expect(victim.exitCode).toBe(0);
    const live = apiTasks(h);
    expect(live).toHaveLength(2);
    expect(live.every((t) => t.capacityProviderName === "FARGATE_SPOT" && t.lastStatus === "RUNNING")).toBe(true);
    expect(live).not.toContain(victim);
  });

  it("puts the warning on the sandbox's EventBridge, where the knowledge center's rule for Fargate Spot interruptions matches it", async () => {
    h = await harness(fargateStack(SPOT_ONLY));
    const victim = apiTasks(h)[0]!;
    const events: Record<string, unknown>[] = [];
    h.sandbox.kernel.bus.subscribe((e) => {
      if (e["detail-type"] === "ECS Task State Change" && e.detail.taskArn === victim.arn) events.push(e as never);
    });
    await interrupt(await h.clients.fis(), victim.arn);
    await h.advance(1_000);
    // knowledge-center/fargate-spot-termination-notice: a rule on the interruption's stoppedReason.
    const pattern = { source: ["aws.ecs"], "detail-type": ["ECS Task State Change"], detail: { clusterArn: [victim.cluster.arn], stoppedReason: ["Your Spot Task was interrupted."] } };
    const eventbridge = await h.clients.events();
    const matches = await eventbridge.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(events[0]) }));
    expect(matches.Result).toBe(true);
  });

  it("SIGKILLs an app that outlives its stopTimeout (120 s at most), within the two-minute warning", async () => {
    const slow = TASK_DEFINITIONS.replace("shutdown: PT2S", "shutdown: PT5M").replace("stopTimeout: PT30S", "stopTimeout: PT120S");
    h = await harness(fargateStack(SPOT_ONLY, slow));
    const fis = await h.clients.fis();
    const victim = apiTasks(h)[0]!;
    const t0 = h.clock.now();
    await interrupt(fis, victim.arn);
    await h.advance(200_000);
    const kill = h.sandbox.kernel.trace.entries.find((e) => e.message === `${victim.id}: SIGKILL after stopTimeout 120 s`);
    expect(kill!.at - t0).toBeLessThanOrEqual(121_000);
    expect(victim.exitCode).toBe(137);
  });

  it("fails the action on a task that does not run on FARGATE_SPOT", async () => {
    h = await harness(fargateStack("  - { name: api, cluster: prod, taskDefinition: api, desiredCount: 1, targetGroup: api, capacityProviderStrategy: [{ capacityProvider: FARGATE, weight: 1 }] }"));
    const fis = await h.clients.fis();
    const victim = apiTasks(h)[0]!;
    const id = await interrupt(fis, victim.arn);
    await h.advance(1_000);
    const state = (await fis.send(new GetExperimentCommand({ id }))).experiment!.state!;
    expect(state.status).toBe("failed");
    expect(victim.desiredStatus).toBe("RUNNING");
  });
});

describe("an EFS volume on a Fargate task (efsVolumeConfiguration)", () => {
  const EFS = `efs:
  fileSystems:
    - name: shared
      id: fs-0123456789abcdef0
      sizeGiB: 2
      accessPoints:
        - { name: app, path: /app }
`;
  const withVolume = (config: string) =>
    TASK_DEFINITIONS.replace("    stopTimeout: PT30S\n", `    stopTimeout: PT30S\n    volumes:\n      - { name: data, efsVolumeConfiguration: ${config} }\n`);
  const stackWith = (config: string) => fargateStack("  - { name: api, cluster: prod, taskDefinition: api, launchType: FARGATE, desiredCount: 1, targetGroup: api }", withVolume(config)) + EFS;

  it("mounts through the mount target in the task's AZ while the task runs, and lets go when it stops", async () => {
    h = await harness(stackWith("{ fileSystem: shared, accessPoint: app, transitEncryption: ENABLED }"));
    const fs = h.sandbox.efs!.byName("shared")!;
    const [task] = apiTasks(h);
    expect(task!.lastStatus).toBe("RUNNING");
    expect(fs.connectionCount).toBe(1);
    await h.ecs.send(new StopTaskCommand({ cluster: "prod", task: task!.arn }));
    await h.advance(60_000);
    expect(task!.lastStatus).toBe("STOPPED");
    // The service's replacement holds the only connection now.
    expect(fs.connectionCount).toBe(1);
    expect(apiTasks(h)[0]).not.toBe(task);
  });

  it("stops the task with ResourceInitializationError (TaskFailedToStart) when the mount target does not answer", async () => {
    h = await harness(stackWith("{ fileSystem: shared, transitEncryption: DISABLED }"), { ready: false });
    // Port 2049 unreachable in every AZ (a security group without NFS, for one).
    for (const t of h.sandbox.efs!.byName("shared")!.mountTargets) t.lost = true;
    let arn: string | undefined;
    const seen = taskEvents(h, () => arn);
    await h.advance(1);
    const [task] = apiTasks(h);
    arn = task!.arn;
    await h.advance(30_000);
    const described = await describe1(h, arn);
    expect(described).toMatchObject({ lastStatus: "STOPPED", stopCode: "TaskFailedToStart" });
    expect(described.stoppedReason).toMatch(/^ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes/);
    // It never pulled its image nor ran.
    expect(described.startedAt).toBeUndefined();
    expect(seen.map((d) => [d.lastStatus, d.desiredStatus])).toEqual([
      ["PENDING", "RUNNING"],
      ["PENDING", "STOPPED"],
      ["DEPROVISIONING", "STOPPED"],
      ["STOPPED", "STOPPED"],
    ]);
  });

  it("refuses an access point without transit encryption, and a file system the stack lacks", () => {
    expect(() => parseStack(stackWith("{ fileSystem: shared, accessPoint: app }"), "s.yaml")).toThrow(/efsVolumeConfiguration\.transitEncryption: expected ENABLED with an access point/);
    expect(() => parseStack(stackWith("{ fileSystem: other }"), "s.yaml")).toThrow(/efsVolumeConfiguration\.fileSystem: expected one of the file systems under efs\.fileSystems "shared", found "other"/);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import {
  ClusterNotFoundException,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
  RunTaskCommand,
  ServiceNotFoundException,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
  ClientException,
} from "@aws-sdk/client-ecs";
import { harness, stackYaml, type Harness } from "../harness.js";

let h: Harness;
afterEach(() => h?.close());

describe("ECS API through the real SDK client", () => {
  it("lists and describes clusters, reporting unknown ones in failures[]", async () => {
    h = await harness(stackYaml());
    const list = await h.ecs.send(new ListClustersCommand({}));
    expect(list.clusterArns).toEqual(["arn:aws:ecs:us-east-1:123456789012:cluster/prod"]);
    const out = await h.ecs.send(new DescribeClustersCommand({ clusters: ["prod", "nope"] }));
    expect(out.clusters?.[0]).toMatchObject({ clusterName: "prod", status: "ACTIVE", registeredContainerInstancesCount: 6, runningTasksCount: 3, activeServicesCount: 1 });
    expect(out.failures).toEqual([{ arn: "arn:aws:ecs:us-east-1:123456789012:cluster/nope", reason: "MISSING" }]);
  });

  it("raises the SDK's typed exceptions", async () => {
    h = await harness(stackYaml());
    await expect(h.ecs.send(new ListContainerInstancesCommand({ cluster: "nope" }))).rejects.toBeInstanceOf(ClusterNotFoundException);
    await expect(h.ecs.send(new ListTasksCommand({ cluster: "prod", serviceName: "nope" }))).rejects.toBeInstanceOf(ServiceNotFoundException);
    await expect(h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod", maxResults: 101 }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod", filter: "colour == blue" }))).rejects.toThrow(/cluster query language understands/);
    await expect(h.ecs.send(new StopTaskCommand({ cluster: "prod", task: "0123" }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(h.ecs.send(new RunTaskCommand({ cluster: "prod", taskDefinition: "ghost" }))).rejects.toBeInstanceOf(ClientException);
  });

  it("filters container instances by EC2 instance id and status, and pages with nextToken", async () => {
    h = await harness(stackYaml());
    const instance = h.sandbox.ec2.all()[4]!;
    const one = await h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod", filter: `ec2InstanceId == ${instance.id}` }));
    expect(one.containerInstanceArns).toHaveLength(1);
    const described = await h.ecs.send(new DescribeContainerInstancesCommand({ cluster: "prod", containerInstances: one.containerInstanceArns! }));
    const ci = described.containerInstances![0]!;
    expect(ci.ec2InstanceId).toBe(instance.id);
    expect(ci.status).toBe("ACTIVE");
    expect(ci.agentConnected).toBe(true);
    expect(ci.registeredAt).toBeInstanceOf(Date);
    expect(ci.registeredResources?.find((r) => r.name === "MEMORY")?.integerValue).toBe(7680);

    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod", maxResults: 4, ...(nextToken ? { nextToken } : {}) }));
      seen.push(...page.containerInstanceArns!);
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(pages).toBe(2);
    expect(new Set(seen).size).toBe(6);

    const inAz = await h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod", filter: "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]" }));
    expect(inAz.containerInstanceArns).toHaveLength(4);
    const draining = await h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod", status: "DRAINING" }));
    expect(draining.containerInstanceArns).toEqual([]);
  });

  it("reports unknown container instances in failures[] without throwing, and drains known ones", async () => {
    h = await harness(stackYaml());
    const arns = (await h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod" }))).containerInstanceArns!;
    const ghost = "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/00000000000000000000000000000000";
    const out = await h.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: "prod", containerInstances: [arns[0]!, ghost], status: "DRAINING" }));
    expect(out.containerInstances?.map((c) => [c.containerInstanceArn, c.status])).toEqual([[arns[0], "DRAINING"]]);
    expect(out.failures).toEqual([{ arn: ghost, reason: "MISSING" }]);
    await expect(h.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: "prod", containerInstances: [arns[0]!], status: "INACTIVE" as "ACTIVE" }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    const listed = await h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod", status: "DRAINING" }));
    expect(listed.containerInstanceArns).toEqual([arns[0]]);
  });

  it("describes services with counts, deployments and events", async () => {
    h = await harness(stackYaml());
    const arns = (await h.ecs.send(new ListServicesCommand({ cluster: "prod" }))).serviceArns!;
    expect(arns).toEqual(["arn:aws:ecs:us-east-1:123456789012:service/prod/web"]);
    const out = await h.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web", "ghost"] }));
    const svc = out.services![0]!;
    expect(svc).toMatchObject({ serviceName: "web", desiredCount: 3, runningCount: 3, pendingCount: 0, launchType: "EC2" });
    expect(svc.deploymentConfiguration).toMatchObject({ minimumHealthyPercent: 100, maximumPercent: 200 });
    expect(svc.deployments?.[0]).toMatchObject({ status: "PRIMARY", runningCount: 3, desiredCount: 3 });
    expect(svc.events?.[0]?.message).toBe("(service web) has reached a steady state.");
    expect(svc.events?.[0]?.createdAt).toBeInstanceOf(Date);
    expect(out.failures?.[0]?.reason).toBe("MISSING");
  });

  it("lists tasks by container instance, service and desired status, and describes them with epoch timestamps", async () => {
    h = await harness(stackYaml());
    const running = (await h.ecs.send(new ListTasksCommand({ cluster: "prod", serviceName: "web" }))).taskArns!;
    expect(running).toHaveLength(3);
    const tasks = (await h.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: running }))).tasks!;
    for (const t of tasks) {
      expect(t.lastStatus).toBe("RUNNING");
      expect(t.group).toBe("service:web");
      expect(t.startedAt).toBeInstanceOf(Date);
      expect(t.startedAt!.getTime()).toBeGreaterThan(t.createdAt!.getTime());
    }
    const ci = tasks[0]!.containerInstanceArn!;
    const onInstance = (await h.ecs.send(new ListTasksCommand({ cluster: "prod", containerInstance: ci }))).taskArns!;
    expect(onInstance).toContain(tasks[0]!.taskArn);

    await h.ecs.send(new StopTaskCommand({ cluster: "prod", task: running[0]!, reason: "testing" }));
    await h.advance(60_000);
    const stopped = (await h.ecs.send(new ListTasksCommand({ cluster: "prod", desiredStatus: "STOPPED" }))).taskArns!;
    expect(stopped).toEqual([running[0]]);
    const [task] = (await h.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: stopped }))).tasks!;
    expect(task).toMatchObject({ lastStatus: "STOPPED", desiredStatus: "STOPPED", stopCode: "UserInitiated", stoppedReason: "testing" });
    // The service replaced it.
    expect((await h.ecs.send(new ListTasksCommand({ cluster: "prod", serviceName: "web" }))).taskArns).toHaveLength(3);
  });

  it("runs standalone tasks, and answers failures[] when no capacity fits", async () => {
    h = await harness(stackYaml({ taskDefinitions: `  - { family: web, cpu: 512, memory: 1024, app: { threads: 2, serviceTime: { p50: 10ms, p99: 20ms } } }\n  - { family: huge, cpu: 1024, memory: 7000 }` }));
    const ok = await h.ecs.send(new RunTaskCommand({ cluster: "prod", taskDefinition: "huge", count: 3, startedBy: "me" }));
    expect(ok.tasks).toHaveLength(3);
    expect(ok.tasks![0]!.group).toBe("family:huge");
    expect(ok.tasks![0]!.lastStatus).toBe("PROVISIONING");
    // Six instances, three of them carry a web task (1024 MiB): three more huge tasks cannot fit.
    const full = await h.ecs.send(new RunTaskCommand({ cluster: "prod", taskDefinition: "huge", count: 3 }));
    expect(full.tasks).toHaveLength(0);
    expect(full.failures!.length).toBeGreaterThan(0);
    expect(full.failures!.every((f) => f.reason === "RESOURCE:MEMORY")).toBe(true);
  });
});

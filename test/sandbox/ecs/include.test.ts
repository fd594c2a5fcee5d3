/**
 * ECS's Describe* calls return tags, settings, statistics and health only when `include` asks for
 * them (ECS API reference: "If this field is omitted, this information isn't included"). Code
 * written against the sandbox must not come to rely on fields AWS leaves out.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  ListContainerInstancesCommand,
  ListTasksCommand,
  type ClusterField,
} from "@aws-sdk/client-ecs";
import { harness, stackYaml, type Harness } from "../harness.js";

let h: Harness;
afterEach(() => h?.close());

const tagged = () =>
  harness(
    stackYaml({
      cluster: "  - { name: prod, tags: { team: web } }",
      services: "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 3, targetGroup: web, tags: { tier: front } }",
    }),
  );

describe("ECS include", () => {
  it("DescribeClusters leaves out tags, settings, statistics, attachments and configuration unless asked", async () => {
    h = await tagged();
    const [plain] = (await h.ecs.send(new DescribeClustersCommand({ clusters: ["prod"] }))).clusters!;
    expect(plain).toMatchObject({ clusterName: "prod", runningTasksCount: 3, activeServicesCount: 1 });
    for (const field of ["tags", "settings", "statistics", "attachments", "configuration"] as const) expect(plain![field], field).toBeUndefined();
  });

  it("DescribeClusters returns each field it is asked for, and only those", async () => {
    h = await tagged();
    const ask = async (include: ClusterField[]) => (await h.ecs.send(new DescribeClustersCommand({ clusters: ["prod"], include }))).clusters![0]!;
    const tags = await ask(["TAGS"]);
    expect(tags.tags).toEqual([{ key: "team", value: "web" }]);
    expect(tags.settings).toBeUndefined();
    const settings = await ask(["SETTINGS"]);
    expect(settings.settings).toEqual([{ name: "containerInsights", value: "disabled" }]);
    expect(settings.tags).toBeUndefined();
    const stats = await ask(["STATISTICS"]);
    // Counts by launch type: the three web tasks and the one service run on EC2.
    expect(Object.fromEntries(stats.statistics!.map((s) => [s.name, s.value]))).toMatchObject({
      runningEC2TasksCount: "3",
      runningFargateTasksCount: "0",
      pendingEC2TasksCount: "0",
      activeEC2ServiceCount: "1",
      activeFargateServiceCount: "0",
    });
    const attachments = await ask(["ATTACHMENTS"]);
    expect(attachments.attachments).toEqual([]);
    const all = await ask(["TAGS", "SETTINGS", "STATISTICS", "ATTACHMENTS", "CONFIGURATIONS"]);
    expect(all.tags).toHaveLength(1);
    expect(all.settings).toHaveLength(1);
    expect(all.statistics!.length).toBeGreaterThan(0);
  });

  it("DescribeClusters refuses an include value ECS does not know", async () => {
    h = await tagged();
    await expect(h.ecs.send(new DescribeClustersCommand({ clusters: ["prod"], include: ["TAGZ" as ClusterField] }))).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("DescribeServices returns tags only with include TAGS", async () => {
    h = await tagged();
    const [plain] = (await h.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }))).services!;
    expect(plain!.tags).toBeUndefined();
    const [withTags] = (await h.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"], include: ["TAGS"] }))).services!;
    expect(withTags!.tags).toEqual([{ key: "tier", value: "front" }]);
  });

  it("DescribeContainerInstances returns tags and health only when asked", async () => {
    h = await tagged();
    const arns = (await h.ecs.send(new ListContainerInstancesCommand({ cluster: "prod" }))).containerInstanceArns!;
    const [plain] = (await h.ecs.send(new DescribeContainerInstancesCommand({ cluster: "prod", containerInstances: arns.slice(0, 1) }))).containerInstances!;
    expect(plain!.tags).toBeUndefined();
    expect(plain!.healthStatus).toBeUndefined();
    const [asked] = (await h.ecs.send(new DescribeContainerInstancesCommand({ cluster: "prod", containerInstances: arns.slice(0, 1), include: ["TAGS", "CONTAINER_INSTANCE_HEALTH"] }))).containerInstances!;
    expect(asked!.tags).toEqual([]);
    expect(asked!.healthStatus?.overallStatus).toBe("OK");
  });

  it("DescribeTasks returns tags only with include TAGS", async () => {
    h = await tagged();
    const arns = (await h.ecs.send(new ListTasksCommand({ cluster: "prod" }))).taskArns!;
    const [plain] = (await h.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: arns.slice(0, 1) }))).tasks!;
    expect(plain!.tags).toBeUndefined();
    const [asked] = (await h.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: arns.slice(0, 1), include: ["TAGS"] }))).tasks!;
    expect(asked!.tags).toEqual([]);
  });
});

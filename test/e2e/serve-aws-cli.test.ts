/**
 * A second client, not ours: the AWS CLI (botocore) against a served sandbox. It shows what a
 * user's scripts see, and that optional ECS fields come only when `--include` asks for them.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { awsCli, hasAwsCli } from "./aws-cli.js";
import { servesForThisFile } from "./cli.js";

vi.setConfig({ testTimeout: 60_000 });

const serve = servesForThisFile();
let endpoint = "";
beforeAll(async () => {
  if (!hasAwsCli) return;
  endpoint = (await serve(["--speed", "60", "--seed", "7"])).endpoint;
}, 60_000);

/** `aws ecs <args>` against the served sandbox. */
const awsEcs = (...args: string[]) => awsCli(endpoint, ["ecs", ...args]);

type Described = { clusters: Record<string, unknown>[]; services: Record<string, unknown>[] };

describe.skipIf(!hasAwsCli)("the AWS CLI against chaos sandbox serve", () => {
  it("describe-clusters leaves out tags, settings and statistics unless --include asks", async () => {
    const plain = (await awsEcs("describe-clusters", "--clusters", "prod")) as Described;
    expect(plain.clusters[0]).toMatchObject({ clusterName: "prod", status: "ACTIVE" });
    for (const field of ["tags", "settings", "statistics"]) expect(plain.clusters[0]).not.toHaveProperty(field);

    const asked = (await awsEcs("describe-clusters", "--clusters", "prod", "--include", "TAGS", "SETTINGS", "STATISTICS")) as Described;
    expect(asked.clusters[0]).toHaveProperty("tags");
    expect(asked.clusters[0]!.settings).toEqual([{ name: "containerInsights", value: "disabled" }]);
    // Split by launch type, the running tasks add up to the cluster's count.
    const stats = Object.fromEntries((asked.clusters[0]!.statistics as { name: string; value: string }[]).map((s) => [s.name, Number(s.value)]));
    expect(stats.runningEC2TasksCount! + stats.runningFargateTasksCount!).toBe(asked.clusters[0]!.runningTasksCount);
  });

  it("describe-services returns tags only with --include TAGS, with the running tasks the boot placed", async () => {
    const plain = (await awsEcs("describe-services", "--cluster", "prod", "--services", "web")) as Described;
    expect(plain.services[0]).not.toHaveProperty("tags");
    expect(plain.services[0]!.runningCount).toBe(plain.services[0]!.desiredCount);
    const asked = (await awsEcs("describe-services", "--cluster", "prod", "--services", "web", "--include", "TAGS")) as Described;
    expect(asked.services[0]).toHaveProperty("tags");
  });

  it("describe-clusters with an --include value ECS does not know is an InvalidParameterException", async () => {
    await expect(awsEcs("describe-clusters", "--clusters", "prod", "--include", "TAGZ")).rejects.toThrow(/InvalidParameterException/);
  });
});

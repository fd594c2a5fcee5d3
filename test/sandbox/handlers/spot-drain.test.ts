import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UpdateContainerInstancesStateCommand } from "@aws-sdk/client-ecs";
import { drainOnSpotWarning, DrainFailedError } from "../../../src/handlers/spot-drain.js";
import { harness, stackYaml, type Harness } from "../harness.js";

let h: Harness;
afterEach(() => h?.close());

const fixture = (name: string, instanceId: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, "../../../fixtures/events", name), "utf8").replaceAll("i-1234567890abcdef0", instanceId));

/** Counts calls to an ECS operation as they reach the sandbox. */
function countCalls(h: Harness, operation: string): () => number {
  let n = 0;
  h.sandbox.dispatcher.intercept((call) => {
    if (call.operation === operation) n++;
    return undefined;
  });
  return () => n;
}

const spotInstance = (h: Harness, cluster = "prod") => h.sandbox.ecs.clusters.get(cluster)!.containerInstances.find((c) => c.instance.lifecycle === "spot")!;

const withRule = (extra = "") =>
  stackYaml({
    events: `events:
  delivery: { duplicates: ${extra ? 1 : 0} }
  rules:
    - name: drain
      pattern: { source: [aws.ec2], detail-type: [EC2 Spot Instance Interruption Warning] }
      target: { handler: "builtin:spot-drain", environment: { CLUSTERS: prod } }`,
  });

describe("the reference spot drain handler", () => {
  it("drains on the warning that EventBridge delivers, once even when the event comes twice", async () => {
    h = await harness(withRule("duplicates"));
    const updates = countCalls(h, "UpdateContainerInstancesState");
    const ci = spotInstance(h);
    h.sandbox.interruptSpot(ci.instance.id, 120_000);
    await h.advance(5_000);
    expect(ci.status).toBe("DRAINING");
    expect(h.sandbox.invocations).toHaveLength(2);
    expect(h.sandbox.invocations.every((i) => i.outcome === "ok")).toBe(true);
    expect(new Set(h.sandbox.invocations.map((i) => i.eventId)).size).toBe(1);
    expect(updates()).toBe(1);
    const [first, second] = h.sandbox.invocations.map((i) => i.result as { drained: unknown[]; alreadyDraining: unknown[] });
    expect(first!.drained).toHaveLength(1);
    expect(second!.alreadyDraining).toHaveLength(1);
  });

  it("leaves an instance that is already DRAINING alone", async () => {
    h = await harness(stackYaml());
    const ci = spotInstance(h);
    await h.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: "prod", containerInstances: [ci.arn], status: "DRAINING" }));
    const updates = countCalls(h, "UpdateContainerInstancesState");
    const out = await drainOnSpotWarning(fixture("ec2-spot-interruption-warning.terminate.json", ci.instance.id), { ecs: h.ecs, clusters: ["prod"], log: () => {} });
    expect(out.alreadyDraining).toEqual([{ cluster: "prod", containerInstanceArn: ci.arn }]);
    expect(out.drained).toEqual([]);
    expect(updates()).toBe(0);
  });

  it("ignores an instance of another cluster", async () => {
    h = await harness(
      stackYaml({
        cluster: "  - name: prod\n  - name: batch",
        asg: "  - { name: a, cluster: prod, instanceType: m5.large, onDemand: { count: 3 } }\n  - { name: b, cluster: batch, instanceType: m5.large, spot: { count: 1 } }",
      }),
    );
    const other = spotInstance(h, "batch");
    const out = await drainOnSpotWarning(fixture("ec2-spot-interruption-warning.terminate.json", other.instance.id), { ecs: h.ecs, clusters: ["prod"], log: () => {} });
    expect(out.notIn).toEqual(["prod"]);
    expect(out.drained).toEqual([]);
    expect(other.status).toBe("ACTIVE");
  });

  it("drains on stop (which the seed's handler skipped) and on hibernate, saying hibernate has no lead", async () => {
    h = await harness(stackYaml());
    const [a, b] = h.sandbox.ecs.clusters.get("prod")!.containerInstances.filter((c) => c.instance.lifecycle === "spot");
    const stop = await drainOnSpotWarning(fixture("ec2-spot-interruption-warning.stop.json", a!.instance.id), { ecs: h.ecs, clusters: ["prod"], log: () => {} });
    expect(stop).toMatchObject({ action: "stop", drained: [{ cluster: "prod", containerInstanceArn: a!.arn }], notes: [] });
    const hibernate = await drainOnSpotWarning(fixture("ec2-spot-interruption-warning.hibernate.json", b!.instance.id), { ecs: h.ecs, clusters: ["prod"], log: () => {} });
    expect(hibernate.drained).toEqual([{ cluster: "prod", containerInstanceArn: b!.arn }]);
    expect(hibernate.notes.join()).toMatch(/hibernat.*no two-minute lead/);
    expect(a!.status).toBe("DRAINING");
    expect(b!.status).toBe("DRAINING");
  });

  it("reads the instance from detail, never from resources (the AZ-in-region-slot variant)", async () => {
    h = await harness(stackYaml());
    const ci = spotInstance(h);
    const out = await drainOnSpotWarning(fixture("ec2-spot-interruption-warning.getsocial.json", ci.instance.id), { ecs: h.ecs, clusters: ["prod"], log: () => {} });
    expect(out.drained).toHaveLength(1);
  });

  it("reports failures[] from UpdateContainerInstancesState instead of swallowing them", async () => {
    h = await harness(stackYaml());
    const ci = spotInstance(h);
    h.sandbox.dispatcher.intercept((call) =>
      call.operation === "UpdateContainerInstancesState"
        ? { statusCode: 200, headers: { "content-type": "application/x-amz-json-1.1" }, body: JSON.stringify({ containerInstances: [], failures: [{ arn: ci.arn, reason: "INACTIVE", detail: "deregistered" }] }) }
        : undefined,
    );
    const err = await drainOnSpotWarning(fixture("ec2-spot-interruption-warning.terminate.json", ci.instance.id), { ecs: h.ecs, clusters: ["prod"], log: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DrainFailedError);
    expect((err as DrainFailedError).failures).toEqual([{ cluster: "prod", arn: ci.arn, reason: "INACTIVE (deregistered)" }]);
    expect((err as Error).message).toMatch(/INACTIVE/);
  });

  it("reports a cluster it cannot read, after draining where it can", async () => {
    h = await harness(stackYaml());
    const ci = spotInstance(h);
    const err = await drainOnSpotWarning(fixture("ec2-spot-interruption-warning.terminate.json", ci.instance.id), { ecs: h.ecs, clusters: ["gone", "prod"], log: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DrainFailedError);
    expect((err as DrainFailedError).failures[0]!.reason).toMatch(/ClusterNotFoundException/);
    expect((err as DrainFailedError).outcome.drained).toHaveLength(1);
    expect(ci.status).toBe("DRAINING");
  });

  it("finds an instance among more than 100 container instances", async () => {
    h = await harness(
      stackYaml({
        instanceTypes: "instanceTypes: { tiny: { cpu: 1024, memory: 1024 } }",
        asg: "  - { name: asg, cluster: prod, instanceType: tiny, onDemand: { count: 20 }, spot: { count: 130 } }",
        services: "  - { name: web, cluster: prod, taskDefinition: web, desiredCount: 1, targetGroup: web }",
      }),
    );
    const all = h.sandbox.ecs.clusters.get("prod")!.containerInstances;
    expect(all.length).toBe(150);
    const last = all[all.length - 1]!;
    const out = await drainOnSpotWarning(fixture("ec2-spot-interruption-warning.terminate.json", last.instance.id), { ecs: h.ecs, clusters: ["prod"], log: () => {} });
    expect(out.drained).toEqual([{ cluster: "prod", containerInstanceArn: last.arn }]);
  });

  it("ignores events that are not spot warnings, and rejects a warning without an instance id", async () => {
    h = await harness(stackYaml());
    const ci = spotInstance(h);
    const out = await drainOnSpotWarning(fixture("ec2-instance-rebalance-recommendation.json", ci.instance.id), { ecs: h.ecs, clusters: ["prod"], log: () => {} });
    expect(out.ignored).toMatch(/not a spot interruption warning/);
    const broken = fixture("ec2-spot-interruption-warning.terminate.json", ci.instance.id) as { detail: Record<string, unknown> };
    delete broken.detail["instance-id"];
    await expect(drainOnSpotWarning(broken, { ecs: h.ecs, clusters: ["prod"], log: () => {} })).rejects.toThrow(/expected detail\.instance-id/);
  });
});

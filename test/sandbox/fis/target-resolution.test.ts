import { describe, expect, it } from "vitest";
import { ListExperimentResolvedTargetsCommand, ValidationException, type CreateExperimentTemplateTargetInput } from "@aws-sdk/client-fis";
import {
  createTemplate,
  fakeResourceType,
  fisHarness,
  recordingAction,
  rejection,
  spotInstance,
  spotTemplate,
  startExperiment,
  untilEnded,
  type FakeResource,
  type Harness,
} from "./harness.js";

const fleet: FakeResource[] = [
  spotInstance("i-1", { chaos: "ok", team: "web" }, "running", "us-east-1a"),
  spotInstance("i-2", { chaos: "ok" }, "running", "us-east-1b"),
  spotInstance("i-3", { team: "web" }, "running", "us-east-1a"),
  spotInstance("i-4", { chaos: "ok", team: "web" }, "stopped", "us-east-1a"),
  spotInstance("i-5", { chaos: "" }, "running", "us-east-1c"),
];

const arnOf = (id: string) => `arn:aws:ec2:us-east-1:123456789012:instance/${id}`;
const idOf = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

/** Runs the spot template with the given target and returns the instance ids it resolved to. */
async function resolve(h: Harness, target: Partial<CreateExperimentTemplateTargetInput>): Promise<string[]> {
  const templateId = await createTemplate(
    h,
    spotTemplate({ targets: { spot: { resourceType: "aws:ec2:spot-instance", selectionMode: "ALL", ...target } as CreateExperimentTemplateTargetInput } }),
  );
  const experiment = await startExperiment(h, { experimentTemplateId: templateId });
  await untilEnded(h, experiment.id!);
  const out = await h.fis.send(new ListExperimentResolvedTargetsCommand({ experimentId: experiment.id!, targetName: "spot" }));
  return out.resolvedTargets!.map((t) => idOf(t.targetInformation!.arn!)).sort();
}

describe("target resolution", () => {
  it("several resourceTags must all match (AND)", async () => {
    const h = await fisHarness({ instances: fleet });
    expect(await resolve(h, { resourceTags: { chaos: "ok", team: "web" } })).toEqual(["i-1", "i-4"]);
  });

  it("an empty tag value matches only an empty value, not any value", async () => {
    const h = await fisHarness({ instances: fleet });
    expect(await resolve(h, { resourceTags: { chaos: "" } })).toEqual(["i-5"]);
  });

  it("filters AND together and each filter's values OR together", async () => {
    const h = await fisHarness({ instances: fleet });
    const resolved = await resolve(h, {
      resourceTags: { chaos: "ok" },
      filters: [
        { path: "State.Name", values: ["running"] },
        { path: "Placement.AvailabilityZone", values: ["us-east-1a", "us-east-1b"] },
      ],
    });
    expect(resolved).toEqual(["i-1", "i-2"]);
  });

  it("a filter path looks into every element of a list on its way", async () => {
    const h = await fisHarness({ instances: fleet });
    expect(await resolve(h, { resourceTags: { team: "web" }, filters: [{ path: "NetworkInterfaces.SubnetId", values: ["subnet-us-east-1a"] }] })).toEqual([
      "i-1",
      "i-3",
      "i-4",
    ]);
  });

  it("resourceArns picks exactly those resources; ARNs that match nothing are ignored", async () => {
    const h = await fisHarness({ instances: fleet });
    expect(await resolve(h, { resourceArns: [arnOf("i-2"), arnOf("i-3"), arnOf("i-99")] })).toEqual(["i-2", "i-3"]);
  });

  it("target parameters narrow the candidates (aws:ecs:task cluster and service)", async () => {
    const h = await fisHarness();
    const task = (id: string, cluster: string, service: string): FakeResource => ({
      arn: `arn:aws:ecs:us-east-1:123456789012:task/${cluster}/${id}`,
      params: { cluster, service },
    });
    const tasks = fakeResourceType("aws:ecs:task", [task("t1", "prod", "web"), task("t2", "prod", "worker"), task("t3", "staging", "web"), task("t4", "prod", "web")], {
      parameters: [
        { name: "cluster", required: false },
        { name: "service", required: false },
      ],
    });
    h.registry.addResourceType(tasks);
    h.registry.addAction(recordingAction("aws:ecs:stop-task", h.log, { target: { key: "Tasks", resourceType: "aws:ecs:task" }, runMs: 0 }));
    const templateId = await createTemplate(
      h,
      spotTemplate({
        targets: { webTasks: { resourceType: "aws:ecs:task", parameters: { cluster: "prod", service: "web" }, selectionMode: "ALL" } },
        actions: { kill: { actionId: "aws:ecs:stop-task", targets: { Tasks: "webTasks" } } },
      }),
    );
    const experiment = await startExperiment(h, { experimentTemplateId: templateId });
    const ended = await untilEnded(h, experiment.id!);
    expect(ended.state!.status).toBe("completed");
    expect(tasks.candidateCalls).toEqual([{ cluster: "prod", service: "web" }]);
    expect(h.log.starts[0]!.targets.Tasks!.map((a) => a.split("/").pop()).sort()).toEqual(["t1", "t4"]);
  });

  describe("selectionMode", () => {
    const ten = Array.from({ length: 10 }, (_, i) => spotInstance(`i-${String(i).padStart(2, "0")}`, { chaos: "ok" }));

    it.each([
      ["ALL", 10],
      ["COUNT(3)", 3],
      ["COUNT(20)", 10],
      ["PERCENT(50)", 5],
      ["PERCENT(25)", 2],
      ["PERCENT(100)", 10],
    ])("%s of 10 identified resources selects %i distinct ones among them", async (selectionMode, count) => {
      const h = await fisHarness({ instances: ten });
      const picked = await resolve(h, { resourceTags: { chaos: "ok" }, selectionMode });
      expect(picked).toHaveLength(count);
      expect(new Set(picked).size).toBe(count);
      for (const id of picked) expect(ten.map((r) => idOf(r.arn))).toContain(id);
    });

    it("the same seed picks the same resources", async () => {
      const first = await resolve(await fisHarness({ seed: 2024, instances: ten }), { resourceTags: { chaos: "ok" }, selectionMode: "COUNT(3)" });
      const second = await resolve(await fisHarness({ seed: 2024, instances: ten }), { resourceTags: { chaos: "ok" }, selectionMode: "COUNT(3)" });
      expect(second).toEqual(first);
    });

    it("the pick is random: different seeds pick different resources", async () => {
      const picks = new Set<string>();
      for (const seed of [1, 2, 3, 4, 5, 6]) {
        picks.add((await resolve(await fisHarness({ seed, instances: ten }), { resourceTags: { chaos: "ok" }, selectionMode: "COUNT(3)" })).join(","));
      }
      expect(picks.size).toBeGreaterThan(1);
    });

    it("the pick does not depend on the order the registry lists candidates in", async () => {
      const forward = await resolve(await fisHarness({ seed: 9, instances: ten }), { resourceTags: { chaos: "ok" }, selectionMode: "COUNT(4)" });
      const reversed = await resolve(await fisHarness({ seed: 9, instances: [...ten].reverse() }), { resourceTags: { chaos: "ok" }, selectionMode: "COUNT(4)" });
      expect(reversed).toEqual(forward);
    });
  });
});

describe("ListExperimentResolvedTargets", () => {
  async function twoTargets() {
    const h = await fisHarness({ instances: fleet });
    const templateId = await createTemplate(
      h,
      spotTemplate({
        targets: {
          spot: { resourceType: "aws:ec2:spot-instance", resourceTags: { chaos: "ok" }, selectionMode: "ALL" },
          web: { resourceType: "aws:ec2:spot-instance", resourceTags: { team: "web" }, selectionMode: "ALL" },
        },
        actions: {
          interrupt: { actionId: "aws:ec2:send-spot-instance-interruptions", parameters: { durationBeforeInterruption: "PT2M" }, targets: { SpotInstances: "spot" } },
          again: { actionId: "aws:ec2:send-spot-instance-interruptions", parameters: { durationBeforeInterruption: "PT2M" }, targets: { SpotInstances: "web" } },
        },
      }),
    );
    const experiment = await startExperiment(h, { experimentTemplateId: templateId });
    await untilEnded(h, experiment.id!);
    return { h, experimentId: experiment.id! };
  }

  it("lists every resolved resource with its target name and resource type, filtered by targetName", async () => {
    const { h, experimentId } = await twoTargets();
    const all = (await h.fis.send(new ListExperimentResolvedTargetsCommand({ experimentId }))).resolvedTargets!;
    expect(all.map((t) => `${t.targetName}:${idOf(t.targetInformation!.arn!)}`)).toEqual([
      "spot:i-1",
      "spot:i-2",
      "spot:i-4",
      "web:i-1",
      "web:i-3",
      "web:i-4",
    ]);
    expect(new Set(all.map((t) => t.resourceType))).toEqual(new Set(["aws:ec2:spot-instance"]));
    const web = (await h.fis.send(new ListExperimentResolvedTargetsCommand({ experimentId, targetName: "web" }))).resolvedTargets!;
    expect(web.map((t) => t.targetName)).toEqual(["web", "web", "web"]);
  });

  it("pages with maxResults and nextToken", async () => {
    const { h, experimentId } = await twoTargets();
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await h.fis.send(new ListExperimentResolvedTargetsCommand({ experimentId, maxResults: 4, ...(nextToken ? { nextToken } : {}) }));
      seen.push(...out.resolvedTargets!.map((t) => `${t.targetName}:${idOf(t.targetInformation!.arn!)}`));
      nextToken = out.nextToken;
      pages++;
    } while (nextToken);
    expect(pages).toBe(2);
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
  });

  it("rejects a targetName the experiment does not have", async () => {
    const { h, experimentId } = await twoTargets();
    const err = await rejection(h.fis.send(new ListExperimentResolvedTargetsCommand({ experimentId, targetName: "spotHosts" })));
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.message).toBe(`Experiment ${experimentId} has no target named "spotHosts"; its targets are: spot, web.`);
  });
});

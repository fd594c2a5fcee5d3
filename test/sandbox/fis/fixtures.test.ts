/**
 * The FIS templates in fixtures/fis: the ones under valid/ must be accepted (and run), the ones
 * under invalid/ rejected with AWS's reason. Resource types and actions they need that belong to
 * other sandbox services are registered here as test-only fakes.
 */
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CreateExperimentTemplateCommand, ValidationException, type CreateExperimentTemplateCommandInput } from "@aws-sdk/client-fis";
import { durationParameter } from "../../../src/fis/duration.js";
import { createTemplate, fakeResourceType, fisHarness, recordingAction, rejection, spotInstance, startExperiment, untilEnded, type Harness } from "./harness.js";

const dir = new URL("../../../fixtures/fis/", import.meta.url);
const load = (name: string): CreateExperimentTemplateCommandInput => JSON.parse(readFileSync(new URL(name, dir), "utf8"));

async function stackHarness(): Promise<Harness> {
  const h = await fisHarness({
    instances: [
      spotInstance("i-a1", { chaos: "ok" }, "running", "us-east-1a"),
      spotInstance("i-a2", { chaos: "ok" }, "running", "us-east-1a"),
      spotInstance("i-b1", { chaos: "ok" }, "running", "us-east-1b"),
      spotInstance("i-a3", { chaos: "ok" }, "stopped", "us-east-1a"),
    ],
  });
  const task = (id: string, service: string) => ({ arn: `arn:aws:ecs:us-east-1:123456789012:task/prod/${id}`, params: { cluster: "prod", service } });
  h.registry.addResourceType(
    fakeResourceType("aws:ecs:task", [task("w1", "web"), task("w2", "web"), task("w3", "web"), task("w4", "web"), task("k1", "worker")], {
      parameters: [
        { name: "cluster", required: false },
        { name: "service", required: false },
      ],
    }),
  );
  h.registry.addAction(recordingAction("aws:ecs:stop-task", h.log, { target: { key: "Tasks", resourceType: "aws:ecs:task", maxResources: 5 }, runMs: 0 }));
  const stream = (name: string, tags: Record<string, string>) => ({ arn: `arn:aws:kinesis:us-east-1:123456789012:stream/${name}`, tags });
  h.registry.addResourceType(fakeResourceType("aws:kinesis:stream", [stream("logs", { "tag-key": "tag-value" }), stream("audit", { "tag-key": "tag-value" }), stream("other", {})]));
  h.registry.addAction(
    recordingAction("aws:kinesis:stream-provisioned-throughput-exception", h.log, {
      target: { key: "KinesisStreams", resourceType: "aws:kinesis:stream" },
      parameters: {
        duration: durationParameter({ min: "PT1M", max: "PT12H", required: true, description: "how long" }),
        percentage: {
          required: true,
          description: "share of calls that fail",
          check: (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 100 ? undefined : `expected a whole number from 1 to 100, found "${v}"`),
        },
      },
      durationParameter: "duration",
    }),
  );
  return h;
}

describe("fixtures/fis/valid", () => {
  it("holds the templates these tests expect", () => {
    expect(readdirSync(new URL("valid/", dir)).sort()).toEqual(["kinesis-throttle.json", "spot-interrupt.json"]);
  });

  it("spot-interrupt.json is accepted and runs: one us-east-1a spot instance, a 3-minute settle, then a quarter of the web tasks", async () => {
    const h = await stackHarness();
    const templateId = await createTemplate(h, load("valid/spot-interrupt.json"));
    const started = await startExperiment(h, { experimentTemplateId: templateId });
    const ended = await untilEnded(h, started.id!);
    expect(ended.state!.status).toBe("completed");
    const t0 = ended.startTime!.getTime();
    expect(h.log.starts.map((s) => [s.action, (s.at - t0) / 1000])).toEqual([
      ["interrupt", 0],
      ["killTask", 300],
    ]);
    const [interrupt, kill] = h.log.starts;
    expect(interrupt!.targets.SpotInstances).toHaveLength(1);
    expect(interrupt!.targets.SpotInstances![0]).toMatch(/instance\/i-a[12]$/);
    expect(kill!.targets.Tasks).toHaveLength(1);
    expect(kill!.targets.Tasks![0]).toMatch(/task\/prod\/w[1-4]$/);
  });

  it("kinesis-throttle.json is accepted and throttles both tagged streams for five minutes", async () => {
    const h = await stackHarness();
    const templateId = await createTemplate(h, load("valid/kinesis-throttle.json"));
    const ended = await untilEnded(h, (await startExperiment(h, { experimentTemplateId: templateId })).id!);
    expect(ended.state!.status).toBe("completed");
    expect(h.log.starts[0]!.targets.KinesisStreams!.map((a) => a.split("/").pop()).sort()).toEqual(["audit", "logs"]);
    expect((ended.endTime!.getTime() - ended.startTime!.getTime()) / 1000).toBe(300);
  });
});

describe("fixtures/fis/invalid", () => {
  const expected: Record<string, string> = {
    "arns-and-tags.json": "You cannot specify both resource ARNs and resource tags for target instanceTargets.",
    "kinesis-docs-excerpt-no-description.json": "1 validation error detected: Value null at 'description' failed to satisfy constraint: Member must not be null",
    "kinesis-percentage-as-number.json":
      "Expected a string at 'actions.kinesis.parameters.percentage', found number 100; FIS takes it as a string: write \"100\".",
    "spot-interrupt-instances-key.json":
      'Unexpected target "Instances" found in action "Send-Spot-Instance-Interruptions". Expected "SpotInstances" (aws:ec2:spot-instance).',
  };

  it("has an expected rejection for every file", () => {
    expect(readdirSync(new URL("invalid/", dir)).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))("%s is rejected: %s", async (file, message) => {
    const h = await stackHarness();
    const err = await rejection(h.fis.send(new CreateExperimentTemplateCommand(load(`invalid/${file}`))));
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.message).toBe(message);
  });
});

/**
 * The reference lifecycle drain handler's edges, called as Lambda would call it with the SNS
 * payloads of fixtures/events, against the sandbox's APIs: the test notification a hook sends
 * when it is created is ignored (the seed's handler crashed on it), an instance in none of the
 * clusters is completed at once, and the message the sandbox publishes has the fields of AWS's.
 */
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DescribeAutoScalingInstancesCommand, SetDesiredCapacityCommand } from "@aws-sdk/client-auto-scaling";
import { drainOnLifecycleAction } from "../../../src/handlers/lifecycle-drain.js";
import { harness, stackYaml, type Harness } from "../harness.js";

const FIXTURES = join(import.meta.dirname, "../../../fixtures/events");
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as Record<string, unknown>;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function setup() {
  h = await harness(stackYaml({ cluster: "  - name: prod\n  - name: batch", asg: "  - { name: asg, cluster: prod, instanceType: m5.large, onDemand: { count: 3 }, lifecycleHooks: [{ name: drain, notificationTarget: hooks }] }", events: "events:\n  topics: [{ name: hooks }]" }));
  const published: string[] = [];
  h.sandbox.sns.subscribe("hooks", (event) => published.push(((event.Records as { Sns: { Message: string } }[])[0]!.Sns.Message)));
  const options = { ecs: h.ecs, autoScaling: await h.clients.autoScaling(), sns: await h.clients.sns(), sleep: (ms: number) => h!.advance(ms), log: () => {} };
  return { h, published, options };
}

describe("builtin:lifecycle-drain edges", () => {
  it("ignores the hook's test notification instead of failing on its missing instance id", async () => {
    const { options } = await setup();
    const event = { Records: [{ Sns: { TopicArn: "arn:aws:sns:us-east-1:123456789012:hooks", Message: JSON.stringify(fixture("asg-test-notification.message.json")) } }] };
    const out = await drainOnLifecycleAction(event, { ...options, clusters: ["prod"] });
    expect(out).toMatchObject({ action: "ignored" });
    expect(out.note).toMatch(/autoscaling:TEST_NOTIFICATION/);
  });

  it("publishes AWS's lifecycle message fields; an instance in none of the clusters is completed at once", async () => {
    const { h, published, options } = await setup();
    const asg = options.autoScaling;
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "asg", DesiredCapacity: 2 }));
    await h.advance(1_000);
    const message = JSON.parse(published[0]!) as Record<string, unknown>;
    const aws = JSON.parse((fixture("asg-terminate-lifecycle.sns-lambda.json").Records as { Sns: { Message: string } }[])[0]!.Sns.Message) as Record<string, unknown>;
    expect(Object.keys(message).sort()).toEqual(Object.keys(aws).sort());

    const event = { Records: [{ Sns: { TopicArn: h.sandbox.sns.arnOf("hooks"), Message: published[0]! } }] };
    const out = await drainOnLifecycleAction(event, { ...options, clusters: ["batch"] });
    expect(out).toMatchObject({ action: "completed", tasksLeft: 0 });
    expect(out.note).toBe("not in batch: nothing to drain");
    const state = (await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [String(message.EC2InstanceId)] }))).AutoScalingInstances?.[0]?.LifecycleState;
    expect(state).toBe("Terminating:Proceed");
  });
});

import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { harness, stackYaml, type Harness } from "../harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "gameday-handler-"));
  // The module imports the AWS SDK as a user's deployed function would.
  symlinkSync(join(import.meta.dirname, "../../../node_modules"), join(dir, "node_modules"));
  writeFileSync(
    join(dir, "drain.mjs"),
    `import { ECSClient, ListContainerInstancesCommand, UpdateContainerInstancesStateCommand } from "@aws-sdk/client-ecs";
const ecs = new ECSClient({});
export async function handler(event, context) {
  const id = event.detail["instance-id"];
  const cluster = process.env.CLUSTER ?? "prod";
  const list = await ecs.send(new ListContainerInstancesCommand({ cluster, filter: "ec2InstanceId == " + id }));
  await ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: list.containerInstanceArns, status: "DRAINING" }));
  return { drained: list.containerInstanceArns, endpoint: process.env.AWS_ENDPOINT_URL, hadTime: context.getRemainingTimeInMillis() > 0 };
}
`,
  );
  writeFileSync(join(dir, "hang.mjs"), `export const handler = () => new Promise(() => {});\n`);
  writeFileSync(join(dir, "nothing.mjs"), `export const notAHandler = 1;\n`);
});

describe("a user's handler module", () => {
  it("is invoked with the real event, and its own new ECSClient({}) reaches the sandbox", async () => {
    const before = process.env.AWS_ENDPOINT_URL;
    h = await harness(stackYaml(), { handlers: [join(dir, "drain.mjs")] });
    const ci = h.sandbox.ecs.clusters.get("prod")!.containerInstances.find((c) => c.instance.lifecycle === "spot")!;
    const t0 = h.clock.now();
    h.sandbox.interruptSpot(ci.instance.id, 120_000);
    await h.advance(2_000);
    expect(ci.status).toBe("DRAINING");
    const [inv] = h.sandbox.invocations;
    expect(inv).toMatchObject({ rule: "cli-handler-1", outcome: "ok", detailType: "EC2 Spot Instance Interruption Warning" });
    expect(inv!.result).toMatchObject({ drained: [ci.arn], hadTime: true });
    expect((inv!.result as { endpoint: string }).endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The clock stood still while the handler's real sockets were busy: it ran within the delivery delay.
    expect(inv!.startedAt - t0).toBeLessThan(1_000);
    await h.close();
    h = undefined;
    expect(process.env.AWS_ENDPOINT_URL).toBe(before);
  });

  it("named in the stack, resolves against the stack file, and is recorded as timed out after its timeout", async () => {
    h = await harness(
      stackYaml({
        events: `events:
  rules:
    - name: slow
      pattern: { source: [aws.ec2], detail-type: [EC2 Instance Rebalance Recommendation] }
      target: { handler: ./hang.mjs, timeout: 300ms }`,
      }),
      { source: join(dir, "stack.yaml") },
    );
    const spot = h.sandbox.ec2.all().find((i) => i.lifecycle === "spot")!;
    h.sandbox.interruptSpot(spot.id, 300_000);
    await h.advance(10_000);
    const [inv] = h.sandbox.invocations;
    expect(inv).toMatchObject({ rule: "slow", outcome: "timeout" });
    expect(inv!.durationMs).toBeGreaterThanOrEqual(300);
    expect(inv!.error).toMatch(/timed out/);
  });

  it("without a handler export is refused when the sandbox is created", async () => {
    await expect(harness(stackYaml(), { handlers: [join(dir, "nothing.mjs")] })).rejects.toThrow(/expected the module to export a function "handler\(event, context\)", found no such export/);
    await expect(harness(stackYaml(), { handlers: [join(dir, "missing.mjs")] })).rejects.toThrow(/cannot load/);
  });
});

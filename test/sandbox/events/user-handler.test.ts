import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
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
  console.log("draining " + id);
  const cluster = process.env.CLUSTER ?? "prod";
  const list = await ecs.send(new ListContainerInstancesCommand({ cluster, filter: "ec2InstanceId == " + id }));
  await ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: list.containerInstanceArns, status: "DRAINING" }));
  return { drained: list.containerInstanceArns, endpoint: process.env.AWS_ENDPOINT_URL, hadTime: context.getRemainingTimeInMillis() > 0 };
}
`,
  );
  writeFileSync(join(dir, "hang.mjs"), `export const handler = () => new Promise(() => {});\n`);
  writeFileSync(join(dir, "nothing.mjs"), `export const notAHandler = 1;\n`);
  writeFileSync(join(dir, "busy.mjs"), `export const handler = () => { for (;;) {} };\n`);
  // Counts its calls in module state (which lives as long as its environment) and hangs while the marker exists.
  writeFileSync(
    join(dir, "counting.mjs"),
    `import { existsSync } from "node:fs";\nlet calls = 0;\nexport const handler = () => {\n  calls++;\n  if (existsSync(${JSON.stringify(join(dir, "hang-now"))})) return new Promise(() => {});\n  return { calls, profile: process.env.AWS_PROFILE ?? "none" };\n};\n`,
  );
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
    // What it logs goes to the sandbox's trace, as a Lambda's goes to CloudWatch Logs, not to our stdout.
    expect(h.sandbox.kernel.trace.entries).toContainEqual(expect.objectContaining({ source: `handler:${join(dir, "drain.mjs")}`, kind: "log", message: `draining ${ci.instance.id}` }));
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
  });

  it("that does not exist is refused by the path the user gave, as input, naming no file of gameday's", async () => {
    const err = await harness(stackYaml(), { handlers: ["handlers/missing.mjs"] }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.name).toBe("HandlerLoadError");
    expect(err?.message).toBe("--handler handlers/missing.mjs: expected a JavaScript module file, found no such file");
  });

  // The timeout is real time on the handler's worker thread. 300 ms is plenty for a handler that
  // hangs or spins (it is timed out either way), but not for one that must finish: on a loaded CI
  // machine a fresh worker's start and module load can take longer than that.
  const slowRule = (file: string, timeout = "300ms") =>
    stackYaml({
      events: `events:
  rules:
    - name: slow
      pattern: { source: [aws.ec2], detail-type: [EC2 Spot Instance Interruption Warning] }
      target: { handler: ./${file}, timeout: ${timeout} }`,
    });

  it("in a busy loop is timed out and ended, and the sandbox goes on", async () => {
    h = await harness(slowRule("busy.mjs"), { source: join(dir, "stack.yaml") });
    const [first, second] = h.sandbox.ec2.all().filter((i) => i.lifecycle === "spot");
    h.sandbox.interruptSpot(first!.id, 120_000);
    await h.advance(2_000);
    h.sandbox.interruptSpot(second!.id, 120_000);
    await h.advance(2_000);
    expect(h.sandbox.invocations.map((i) => i.outcome)).toEqual(["timeout", "timeout"]);
    expect(h.sandbox.invocations[0]!.durationMs).toBeGreaterThanOrEqual(300);
    expect(h.sandbox.invocations[0]!.error).toMatch(/^Task timed out after \d+\.\d\d seconds$/);
  });

  it("that timed out gets a fresh environment; one that finished is reused, without the host's AWS settings", async () => {
    const profile = process.env.AWS_PROFILE;
    process.env.AWS_PROFILE = "someones-real-account";
    try {
      h = await harness(slowRule("counting.mjs", "3s"), { source: join(dir, "stack.yaml") });
      const spots = h.sandbox.ec2.all().filter((i) => i.lifecycle === "spot");
      writeFileSync(join(dir, "hang-now"), "");
      for (const [n, spot] of spots.slice(0, 3).entries()) {
        h.sandbox.interruptSpot(spot.id, 120_000);
        await h.advance(2_000);
        if (n === 0) rmSync(join(dir, "hang-now"));
      }
      // 1st hangs and its environment ends; the 2nd runs in a new one (its first call); the 3rd reuses that.
      expect(h.sandbox.invocations.map((i) => [i.outcome, i.result])).toEqual([
        ["timeout", undefined],
        ["ok", { calls: 1, profile: "none" }],
        ["ok", { calls: 2, profile: "none" }],
      ]);
    } finally {
      rmSync(join(dir, "hang-now"), { force: true });
      if (profile === undefined) delete process.env.AWS_PROFILE;
      else process.env.AWS_PROFILE = profile;
    }
  });
});

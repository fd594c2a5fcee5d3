/**
 * lambda-delay and lambda-error compile to FIS's Lambda actions with their documented parameters,
 * and the sandbox's FIS carries them out on invocations made through @aws-sdk/client-lambda.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { loadFault } from "../../src/faults/index.js";
import { rig, type Rig } from "./rig.js";
import { httpApiEvent } from "../../src/sandbox/services/lambda/wordpress-http.js";

// Every warm request costs the same here (no database draws, no timestamp checks), so a delay
// shows exactly; without the stack's viewer load, as these tests count every invocation themselves.
const WORDPRESS = readFileSync(join(import.meta.dirname, "../../fixtures/stacks/wordpress.yaml"), "utf8")
  .replace("        wordpress:\n", "        wordpress:\n          database: { queries: 0 }\n")
  .replace("opcache.validate_timestamps: true", "opcache.validate_timestamps: false")
  .replace(/^load:\n  wordpress: .*$/m, "");

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

async function timed(r: Rig, lambda: LambdaClient) {
  const t0 = r.h.clock.now();
  const out = await lambda.send(new InvokeCommand({ FunctionName: "wordpress", Payload: Buffer.from(JSON.stringify(httpApiEvent("GET", "/", t0))) }));
  return { ms: r.h.clock.now() - t0, error: out.FunctionError, payload: JSON.parse(Buffer.from(out.Payload!).toString()) as Record<string, unknown> };
}

describe("lambda faults compile to FIS", () => {
  it("lambda-delay: aws:lambda:invocation-add-delay on the function's ARN with string parameters", async () => {
    const m = (await loadFault("lambda-delay"))!;
    const input = { params: m.params.parse({ startupDelayMilliseconds: 2500, invocationPercentage: 50 }), target: m.target.parse({ function: "wordpress" }), configuration: {}, region: "us-east-1", accountId: "111122223333" };
    expect(m.compile(input)).toMatchObject({
      targets: { functions: { resourceType: "aws:lambda:function", resourceArns: ["arn:aws:lambda:us-east-1:111122223333:function:wordpress"], selectionMode: "ALL" } },
      actions: { delay: { actionId: "aws:lambda:invocation-add-delay", parameters: { duration: "PT5M", invocationPercentage: "50", startupDelayMilliseconds: "2500" }, targets: { Functions: "functions" } } },
    });
    expect(() => m.params.parse({ startupDelayMilliseconds: 900_001 })).toThrow();
  });

  it("lambda-error: aws:lambda:invocation-error with preventExecution", async () => {
    const m = (await loadFault("lambda-error"))!;
    const input = { params: m.params.parse({ preventExecution: true }), target: m.target.parse({ function: "wordpress" }), configuration: {}, region: "us-east-1", accountId: "111122223333" };
    expect(m.compile(input).actions).toEqual({ error: { actionId: "aws:lambda:invocation-error", parameters: { duration: "PT5M", invocationPercentage: "100", preventExecution: "true" }, targets: { Functions: "functions" } } });
  });
});

describe("lambda faults in the sandbox", () => {
  it("lambda-delay adds the startup delay to every invocation while it runs, and no more after", async () => {
    r = await rig(WORDPRESS);
    const lambda = await r.h.clients.lambda();
    await timed(r, lambda);
    const warm = await timed(r, lambda);
    const started = await r.start("lambda-delay", { function: "wordpress" }, { startupDelayMilliseconds: 3000, duration: "PT1M" });
    expect((await started.verify()).landed).toBe(true);
    const delayed = await timed(r, lambda);
    expect(delayed.ms - warm.ms).toBeCloseTo(3000, 0);
    expect(delayed.error).toBeUndefined();
    await r.h.advance(70_000);
    expect((await timed(r, lambda)).ms).toBeCloseTo(warm.ms, 0);
  });

  it("lambda-error fails invocations; with preventExecution the handler never touches EFS", async () => {
    r = await rig(WORDPRESS);
    const lambda = await r.h.clients.lambda();
    await timed(r, lambda);
    const fs = r.h.sandbox.efs!.fileSystems[0]!;
    await r.start("lambda-error", { function: "wordpress" }, { preventExecution: true, duration: "PT1M" });
    const before = fs.burstCreditBalance();
    const failed = await timed(r, lambda);
    expect(failed.error).toBe("Unhandled");
    expect(failed.payload.errorMessage).toMatch(/injected by AWS FIS/);
    // No EFS operation spent credits (the baseline only adds them).
    expect(fs.burstCreditBalance()).toBeGreaterThanOrEqual(before);
  });
});

/**
 * producer-retries reads a producer's retry settings where the live target states them: FireLens
 * options in a task definition. The sandbox's tasks ship through gameday's shipper (no FireLens),
 * so here the web service's DescribeTaskDefinition is answered with a recorded AWS response
 * (fixtures/aws/ecs), through the sandbox dispatcher's interceptor; everything else is the sandbox.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { harness, type Harness } from "../sandbox/harness.js";
import { lint } from "../../src/lint/index.js";
import { giveUpBoundSeconds, retryLimit } from "../../src/lint/checks/producer-retries.js";

vi.setConfig({ testTimeout: 60_000 });

const repoFile = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The default stack, whose web task definition is answered from the fixture `case`. */
async function lintWithWebTaskDefinition(fixtureCase: string) {
  const stack = repoFile("fixtures/stacks/default.yaml");
  h = await harness(readFileSync(stack, "utf8"), { source: stack });
  const recorded = JSON.parse(readFileSync(repoFile(`fixtures/aws/ecs/DescribeTaskDefinition.${fixtureCase}.json`), "utf8")) as { response: { status: number; headers: Record<string, string>; body: unknown } };
  h.sandbox.dispatcher.intercept((call) =>
    call.service === "ecs" && call.operation === "DescribeTaskDefinition" && String(call.input.taskDefinition).includes("task-definition/web")
      ? { statusCode: recorded.response.status, headers: recorded.response.headers, body: JSON.stringify(recorded.response.body) }
      : undefined,
  );
  return (await lint(h.clients)).findings;
}

describe("producer-retries", () => {
  it("flags FireLens Fluent Bit to Kinesis with the default Retry_Limit: dropped after at most 10 s", async () => {
    const findings = await lintWithWebTaskDefinition("firelens-default-retry");
    expect(findings).toEqual([
      {
        check: "producer-retries",
        severity: "error",
        resource: "stream app-logs",
        message:
          "stream app-logs: service prod/web's container web ships through FireLens Fluent Bit (kinesis_streams) with Retry_Limit 1 (Fluent Bit's default): it drops a chunk after at most 10 s of retries (scheduler base 5 s, cap 2000 s assumed) < 300 s",
      },
    ]);
  });

  it("stays quiet when Retry_Limit is no_limits", async () => {
    expect(await lintWithWebTaskDefinition("firelens-no-limits")).toEqual([]);
  });

  it("reads Retry_Limit as Fluent Bit does and bounds the retry time by its backoff", () => {
    expect(retryLimit(undefined)).toBe(1);
    expect(retryLimit("no_limits")).toBe(Number.POSITIVE_INFINITY);
    expect(retryLimit("False")).toBe(Number.POSITIVE_INFINITY);
    expect(retryLimit("no_retries")).toBe(0);
    expect(retryLimit("5")).toBe(5);
    // 10 + 20 + 40 + 80 + 160: five retries still give up within about 5 minutes.
    expect(giveUpBoundSeconds(5)).toBe(310);
    expect(giveUpBoundSeconds(0)).toBe(0);
    // Capped at 2000 s a wait from the 9th retry on.
    expect(giveUpBoundSeconds(11)).toBe(10 + 20 + 40 + 80 + 160 + 320 + 640 + 1280 + 2000 + 2000 + 2000);
  });
});

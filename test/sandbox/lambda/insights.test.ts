/**
 * Lambda Insights in the sandbox: a function with `insights: true` publishes LambdaInsights
 * init_duration (ms) by function_name for each invocation that began with a cold start, and none
 * for warm ones; a function without it publishes nothing there.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { harness, type Harness } from "../harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const STACK = `
region: us-east-1
availabilityZones: [us-east-1a]
lambdas:
  functions:
    - { name: seen, init: 400ms, insights: true, workload: { cpu: 50ms } }
    - { name: unseen, init: 400ms, workload: { cpu: 50ms } }
`;

describe("LambdaInsights init_duration", () => {
  it("counts cold starts only, with their init time, for functions that enable Insights", async () => {
    h = await harness(STACK, { ready: false });
    const lambda = await h.clients.lambda();
    const invoke = (name: string) => lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}") }));
    // Two at once: two environments, two cold starts; then one warm.
    await Promise.all([invoke("seen"), invoke("seen"), invoke("unseen")]);
    await invoke("seen");
    await h.advance(120_000);
    const cw = await h.clients.cloudwatch();
    const read = async (fn: string, Stat: string) => {
      const end = Math.floor(h!.clock.now() / 60_000) * 60_000;
      const out = await cw.send(new GetMetricDataCommand({ StartTime: new Date(end - 600_000), EndTime: new Date(end), MetricDataQueries: [{ Id: "m", MetricStat: { Metric: { Namespace: "LambdaInsights", MetricName: "init_duration", Dimensions: [{ Name: "function_name", Value: fn }] }, Period: 600, Stat } }] }));
      return out.MetricDataResults![0]!.Values![0];
    };
    expect(await read("seen", "SampleCount")).toBe(2);
    expect(await read("seen", "Minimum")).toBe(400);
    expect(await read("unseen", "SampleCount")).toBeUndefined();
  });
});

/**
 * An edge stack for the edge tests: a function `wp` behind HTTP API `wp` behind distribution `site`,
 * with a workload the test scripts (status, headers, how long it takes, or an exception), and a
 * reader for the edge's metrics through CloudWatch.
 */
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { harness, type Harness } from "../harness.js";
import type { LambdaContext } from "../../../src/sandbox/services/lambda/index.js";

export interface Script {
  status?: number;
  headers?: Record<string, string>;
  /** Time the handler takes, ms. */
  takes?: number;
  fail?: boolean;
}

export interface EdgeHarness {
  h: Harness;
  /** Events the function received, in order. */
  events: unknown[];
  /** What the function does next (by path; "*" for any). */
  script: Map<string, Script>;
  metric(namespace: string, name: string, dimensions: Record<string, string>, stat: string, minutes?: number): Promise<number | undefined>;
}

export function edgeStack(parts: { function?: string; api?: string; behaviors?: string; distribution?: string; load?: string } = {}): string {
  return `
region: us-east-1
availabilityZones: [us-east-1a, us-east-1b]
lambdas:
  functions:
    - name: wp
      memoryMB: 1024
      timeout: ${parts.function ?? "PT30S"}
httpApis:
  - name: wp
    id: a1b2c3d4e5
    integration: { function: wp }
${parts.api ?? ""}
distributions:
  - name: site
    id: E2QWRUHAPOMQZL
    origin: { httpApi: wp }
    defaultBehavior: { minTTL: 0, defaultTTL: 0, maxTTL: 31536000 }
    behaviors:
      - { pathPattern: "/wp-content/*", minTTL: 0, defaultTTL: 86400, maxTTL: 31536000 }
${parts.behaviors ?? ""}
    errorCaching: { "502": 1 }
${parts.distribution ?? "    additionalMetrics: true"}
${parts.load ?? ""}
`;
}

export async function edgeHarness(yaml = edgeStack()): Promise<EdgeHarness> {
  const h = await harness(yaml, { ready: false });
  const events: unknown[] = [];
  const script = new Map<string, Script>();
  h.sandbox.lambda!.setWorkload("wp", async (ctx: LambdaContext) => {
    events.push(ctx.event);
    const path = (ctx.event as { rawPath?: string }).rawPath ?? "";
    const s = script.get(path) ?? script.get("*") ?? {};
    await ctx.sleep(s.takes ?? 100);
    if (s.fail) throw new Error("PHP Fatal error");
    return { statusCode: s.status ?? 200, headers: { "content-type": "text/html", ...(s.headers ?? {}) }, body: `${path} at ${ctx.requestId}` };
  });
  const metric = async (namespace: string, name: string, dimensions: Record<string, string>, stat: string, minutes = 10) => {
    const cw = await h.clients.cloudwatch();
    const end = Math.floor(h.clock.now() / 60_000) * 60_000;
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(end - minutes * 60_000),
        EndTime: new Date(end),
        MetricDataQueries: [{ Id: "m", MetricStat: { Metric: { Namespace: namespace, MetricName: name, Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })) }, Period: minutes * 60, Stat: stat } }],
      }),
    );
    return out.MetricDataResults![0]!.Values![0];
  };
  return { h, events, script, metric };
}

/**
 * The wordpress probe against an in-process sandbox with a function behind an HTTP API behind a
 * distribution, under viewer load: every figure comes from CloudWatch (Gameday/LoadGenerator,
 * AWS/CloudFront, AWS/ApiGateway, AWS/Lambda, LambdaInsights), and 5xx are told apart by source as
 * the docs say each arises: a function error is API Gateway's 502, a timeout a Duration at the
 * timeout, a throttle API Gateway's 500, and CloudFront's own are cached errors.
 */
import { afterEach, describe, expect, it } from "vitest";
import wordpress from "../../probes/wordpress.js";
import { rig, type Rig } from "../faults/rig.js";
import { expectDeclared } from "./declared.js";
import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { LOAD_NAMESPACE } from "../../src/aws/load-window.js";
import type { LambdaContext } from "../../src/sandbox/services/lambda/index.js";

const STACK = (fn = "") => `
region: us-east-1
availabilityZones: [us-east-1a, us-east-1b]
lambdas:
  functions:
    - { name: wp, memoryMB: 1024, timeout: PT3S, init: 400ms, insights: true ${fn} }
httpApis:
  - { name: wp, id: a1b2c3d4e5, integration: { function: wp } }
distributions:
  - name: site
    id: E2QWRUHAPOMQZL
    origin: { httpApi: wp }
    defaultBehavior: { minTTL: 0, defaultTTL: 0, maxTTL: 31536000 }
    behaviors: [{ pathPattern: "/wp-content/*", defaultTTL: 86400 }]
    errorCaching: { "500": 1, "502": 1 }
    viewerPaths:
      - { path: /, weight: 2 }
      - { path: /boom, weight: 1 }
      - { path: /slow, weight: 1 }
      - { path: /wp-content/style.css, weight: 4 }
load:
  site: [{ constantUsersPerSec: { rate: 20 } }]
`;

const WITH = { site: "site", distributionId: "E2QWRUHAPOMQZL", apiId: "a1b2c3d4e5", function: "wp", functionTimeout: "PT3S", window: "PT2M" };

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

/** The function: /boom throws, /slow outlasts the 3 s timeout, the rest take 150 ms. */
function script(rig: Rig, broken: boolean): void {
  rig.h.sandbox.lambda!.setWorkload("wp", async (ctx: LambdaContext) => {
    const path = (ctx.event as { rawPath: string }).rawPath;
    if (broken && path === "/boom") throw new Error("PHP Fatal error");
    await ctx.sleep(broken && path === "/slow" ? 10_000 : 150);
    return { statusCode: 200, body: path };
  });
}

type Errors = { lambdaError: number; lambdaTimeout: number; throttle: number; apiGateway: number; cloudFront: number };
type Value = { requests: number; availability: number; p50: number; p99: number; errors5xx: Errors; cacheShare: number; coldStartShare: number | null; concurrency: number };

describe("wordpress probe", () => {
  it("a healthy site: available, static assets from the cache, a few cold starts, no 5xx", async () => {
    r = await rig(STACK());
    script(r, false);
    const v = (await r.reader(wordpress, WITH)()).value as Value;
    expectDeclared(wordpress, v);
    expect(v.availability).toBe(1);
    // 20 a second for the two minutes read.
    expect(v.requests).toBeGreaterThan(2_100);
    expect(v.requests).toBeLessThan(2_700);
    expect(v.p50).toBeGreaterThanOrEqual(5);
    expect(v.p99).toBeGreaterThanOrEqual(155);
    expect(Object.values(v.errors5xx)).toEqual([0, 0, 0, 0, 0]);
    // Half the mix is one cached stylesheet.
    expect(v.cacheShare).toBeGreaterThan(0.45);
    expect(v.cacheShare).toBeLessThan(0.55);
    expect(v.coldStartShare).toBeGreaterThan(0);
    expect(v.coldStartShare).toBeLessThan(0.05);
    expect(v.concurrency).toBeGreaterThanOrEqual(1);
  });

  it("tells Lambda errors, Lambda timeouts and CloudFront's cached errors apart; together they are the viewers' 5xx", async () => {
    r = await rig(STACK());
    script(r, true);
    const v = (await r.reader(wordpress, WITH)()).value as Value;
    const e = v.errors5xx;
    expect(e.lambdaError).toBeGreaterThan(20);
    expect(e.lambdaTimeout).toBeGreaterThan(20);
    // Errors cached 1 s: most viewers of /boom and /slow got CloudFront's copy.
    expect(e.cloudFront).toBeGreaterThan(e.lambdaError);
    expect(e.throttle).toBe(0);
    expect(e.apiGateway).toBe(0);
    const viewer5xx = Math.round(v.requests * (1 - v.availability));
    // The load generator's window and CloudFront's minutes cover the same two minutes, give or take requests in flight at the edges.
    expect(Math.abs(e.lambdaError + e.lambdaTimeout + e.cloudFront - viewer5xx)).toBeLessThanOrEqual(8);
  });

  it("throttles: Lambda refuses every invocation (reserved concurrency 0), API Gateway answers 500", async () => {
    r = await rig(STACK(", reservedConcurrency: 0"));
    script(r, false);
    const v = (await r.reader(wordpress, WITH)()).value as Value;
    expect(v.errors5xx.throttle).toBeGreaterThan(100);
    expect(v.errors5xx.lambdaError).toBe(0);
    expect(v.errors5xx.apiGateway).toBe(0);
    expect(v.concurrency).toBe(0);
    // Nothing was answered 2XX: even the stylesheet got 500s, each cached for 1 s.
    expect(v.availability).toBe(0);
  });

  it("cannot judge a window the load generator fell behind in (1% or more of its load unsent or late); below that it notes it and judges", async () => {
    const read = async (unsent: number) => {
      r = await rig(STACK());
      script(r, false);
      // The window the first reading reads: the two whole minutes after the one it starts in.
      const now = r.h.clock.now();
      const from = Math.ceil((now + 120_000) / 60_000) * 60_000 - 120_000;
      const cloudwatch = await r.h.clients.cloudwatch();
      await cloudwatch.send(
        new PutMetricDataCommand({ Namespace: LOAD_NAMESPACE, MetricData: [{ MetricName: "GeneratorErrorCount", Dimensions: [{ Name: "Service", Value: "site" }], Timestamp: new Date(from + 30_000), Value: unsent, Unit: "Count" }] }),
      );
      const reading = await r.reader(wordpress, WITH)();
      await r.close();
      r = undefined;
      return reading;
    };
    // About 2,400 viewer requests in the window: 300 unsent is far more than 1%.
    await expect(read(300)).rejects.toThrow(/^in the last 120 s the load generator could not send \(or lost the answer of\) 300, beside \d+ whose outcome it measured, 1% or more of its load: it could not keep its schedule; cannot judge site$/);
    const under = await read(5);
    expect((under.value as Value).availability).toBe(1);
    expect(under.observations?.map((o) => o.message)).toEqual([expect.stringMatching(/^site: in the last 120 s the load generator could not send \(or lost the answer of\) 5, .* under 1% of its load/)]);
  });

  it("refuses a window that is not whole minutes, naming what it expected", () => {
    expect(() => wordpress.params.parse({ ...WITH, window: "PT30S" })).toThrow(/a whole number of minutes/);
  });
});

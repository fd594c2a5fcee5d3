/**
 * The sandbox's API Gateway HTTP API in front of Lambda: a payload 2.0 event reaches the function;
 * its answer comes back as 2.0 reads it; the 30 s integration timeout is a 504; Lambda refusing the
 * invocation (a throttle) is a 500 and a function error a 502 (lambda/latest/dg/
 * services-apigateway-errors.html); stage throttling is a 429; AWS/ApiGateway counts it all by
 * ApiId and Stage (http-api-metrics.html).
 */
import { afterEach, describe, expect, it } from "vitest";
import { edgeHarness, edgeStack, type EdgeHarness } from "./harness.js";

let e: EdgeHarness | undefined;
afterEach(async () => {
  await e?.h.close();
  e = undefined;
});

const API = { ApiId: "a1b2c3d4e5", Stage: "$default" };

async function setUp(parts: Parameters<typeof edgeStack>[0] = {}) {
  e = await edgeHarness(edgeStack(parts));
  return { ...e, api: e.h.sandbox.edge.httpApis.get("wp")! };
}

describe("HTTP API with a Lambda proxy integration", () => {
  it("sends a payload 2.0 event and answers with the function's status, headers and body", async () => {
    const { api, events, script } = await setUp();
    script.set("/hello", { status: 201, headers: { "Cache-Control": "max-age=5" } });
    const r = await api.handle({ method: "GET", path: "/hello", rawQueryString: "a=1" });
    expect(r.status).toBe(201);
    expect(r.headers["cache-control"]).toBe("max-age=5");
    expect(r.body).toMatch(/^\/hello at /);
    expect(events[0]).toMatchObject({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/hello",
      rawQueryString: "a=1",
      requestContext: { apiId: "a1b2c3d4e5", stage: "$default", http: { method: "GET", path: "/hello" } },
      isBase64Encoded: false,
    });
  });

  it("a function answer without statusCode is a 200 with the JSON as body (format 2.0)", async () => {
    const { h, api } = await setUp();
    h.sandbox.lambda!.setWorkload("wp", async () => ({ ok: true }));
    const r = await api.handle({ method: "GET", path: "/" });
    expect(r).toMatchObject({ status: 200, body: '{"ok":true}' });
  });

  it("the integration timeout (30 s at most) answers 504 at 30 s while the function runs on", async () => {
    const { h, api, script } = await setUp({ function: "PT60S" });
    script.set("*", { takes: 45_000 });
    const t0 = h.clock.now();
    const r = await api.handle({ method: "GET", path: "/slow" });
    expect(r.status).toBe(504);
    // 5 ms of API Gateway's own time, then 30 s waiting on the integration.
    expect(h.clock.now() - t0).toBe(30_005);
  });

  it("a function error (an exception, or the function's own timeout) is a 502 Internal Server Error", async () => {
    const { api, script } = await setUp({ function: "PT3S" });
    script.set("/boom", { fail: true });
    script.set("/slow", { takes: 10_000 });
    expect((await api.handle({ method: "GET", path: "/boom" })).status).toBe(502);
    const slow = await api.handle({ method: "GET", path: "/slow" });
    expect(slow.status).toBe(502);
    expect(JSON.parse(slow.body)).toEqual({ message: "Internal Server Error" });
  });

  it("Lambda refusing the invocation (reserved concurrency reached) is a 500 Internal Server Error", async () => {
    e = await edgeHarness(edgeStack().replace("timeout: PT30S", "timeout: PT30S\n      reservedConcurrency: 1"));
    const api = e.h.sandbox.edge.httpApis.get("wp")!;
    e.script.set("*", { takes: 1_000 });
    const [a, b] = await Promise.all([api.handle({ method: "GET", path: "/a" }), api.handle({ method: "GET", path: "/b" })]);
    expect([a.status, b.status]).toEqual([200, 500]);
    expect(JSON.parse(b.body)).toEqual({ message: "Internal Server Error" });
  });

  it("over the stage's rate and burst, requests get 429 without reaching the function", async () => {
    const { api, events } = await setUp({ api: "    throttle: { rateLimit: 1, burstLimit: 2 }" });
    const out = await Promise.all([1, 2, 3].map((i) => api.handle({ method: "GET", path: `/${i}` })));
    expect(out.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(events).toHaveLength(2);
    // The bucket refills at the rate: a second later, one more gets through.
    await e!.h.advance(1_000);
    const later = await Promise.all([1, 2].map((i) => api.handle({ method: "GET", path: `/later${i}` })));
    expect(later.map((r) => r.status)).toEqual([200, 429]);
  });

  it("response parameter mapping overwrites a header on the status it names", async () => {
    const { api } = await setUp({ api: '    responseHeaders: { "200": { Cache-Control: "max-age=60, stale-if-error=600" } }' });
    const r = await api.handle({ method: "GET", path: "/" });
    expect(r.headers["cache-control"]).toBe("max-age=60, stale-if-error=600");
  });

  it("publishes Count, 4xx, 5xx, Latency and IntegrationLatency per minute by ApiId and Stage", async () => {
    const { h, api, script, metric } = await setUp({ api: "    throttle: { rateLimit: 100, burstLimit: 1 }" });
    script.set("/boom", { fail: true, takes: 200 });
    script.set("*", { takes: 200 });
    await api.handle({ method: "GET", path: "/ok" });
    await api.handle({ method: "GET", path: "/boom" });
    await Promise.all([api.handle({ method: "GET", path: "/ok" }), api.handle({ method: "GET", path: "/ok" })]);
    await h.advance(120_000);
    expect(await metric("AWS/ApiGateway", "Count", API, "Sum")).toBe(4);
    expect(await metric("AWS/ApiGateway", "5xx", API, "Sum")).toBe(1);
    expect(await metric("AWS/ApiGateway", "5xx", API, "Average")).toBe(0.25);
    expect(await metric("AWS/ApiGateway", "4xx", API, "Sum")).toBe(1);
    // The 429 never reached the integration: three integration latencies of 200 ms and more.
    expect(await metric("AWS/ApiGateway", "IntegrationLatency", API, "SampleCount")).toBe(3);
    expect(await metric("AWS/ApiGateway", "IntegrationLatency", API, "Minimum")).toBeGreaterThanOrEqual(200);
    expect(await metric("AWS/ApiGateway", "Latency", API, "Maximum")).toBeGreaterThanOrEqual(205);
  });
});

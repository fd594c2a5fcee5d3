/**
 * The sandbox's CloudFront distribution in front of the HTTP API: cache behaviours by path pattern
 * with their TTLs, the origin's Cache-Control within [minTTL, maxTTL] (Expiration.html), errors
 * cached for their Error Caching Minimum TTL, 10 s by default (custom-error-pages-expiration.html),
 * the origin read timeout's 504, stale-if-error, one origin request for simultaneous misses, and
 * AWS/CloudFront by DistributionId and Region=Global (programming-cloudwatch-metrics.html).
 */
import { afterEach, describe, expect, it } from "vitest";
import { DeleteFunctionConcurrencyCommand, PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { edgeHarness, edgeStack, type EdgeHarness } from "./harness.js";
import { cacheControl, globToRegExp } from "../../../src/sandbox/services/cloudfront/distribution.js";

let e: EdgeHarness | undefined;
afterEach(async () => {
  await e?.h.close();
  e = undefined;
});

const DIST = { DistributionId: "E2QWRUHAPOMQZL", Region: "Global" };

async function setUp(parts: Parameters<typeof edgeStack>[0] = {}) {
  e = await edgeHarness(edgeStack(parts));
  return { ...e, site: e.h.sandbox.edge.distributions.get("site")! };
}

describe("CloudFront path patterns and Cache-Control", () => {
  it("matches * and ? as CloudFront does, case-sensitively", () => {
    expect(globToRegExp("/wp-content/*").test("/wp-content/themes/a.css")).toBe(true);
    expect(globToRegExp("/wp-content/*").test("/WP-content/a.css")).toBe(false);
    expect(globToRegExp("*.php").test("/wp-login.php")).toBe(true);
    expect(globToRegExp("/a?.js").test("/ab.js")).toBe(true);
    expect(globToRegExp("/a?.js").test("/abc.js")).toBe(false);
  });

  it("reads s-maxage over max-age, and stale-if-error", () => {
    expect(cacheControl("public, max-age=60, s-maxage=300, stale-if-error=86400")).toEqual({ maxAge: 300, staleIfError: 86_400 });
    expect(cacheControl("no-store")).toEqual({ maxAge: 0 });
    expect(cacheControl(undefined)).toEqual({});
  });
});

describe("CloudFront distribution in the sandbox", () => {
  it("caches /wp-content/* for the behaviour's default TTL (a day); pages (TTL 0) go to the origin every time", async () => {
    const { h, site, events } = await setUp();
    expect((await site.get("/wp-content/style.css")).cache).toBe("Miss");
    expect((await site.get("/wp-content/style.css")).cache).toBe("Hit");
    await h.advance(86_399_000);
    expect((await site.get("/wp-content/style.css")).cache).toBe("Hit");
    await h.advance(1_000);
    expect((await site.get("/wp-content/style.css")).cache).toBe("Miss");
    expect((await site.get("/")).cache).toBe("Miss");
    expect((await site.get("/")).cache).toBe("Miss");
    expect(events).toHaveLength(4);
  });

  it("honours the origin's max-age on a TTL-0 behaviour (maxTTL allows it) and holds it under maxTTL", async () => {
    const { h, site, script } = await setUp({ behaviors: '      - { pathPattern: "/short/*", minTTL: 0, defaultTTL: 0, maxTTL: 5 }' });
    script.set("/", { headers: { "Cache-Control": "max-age=60" } });
    script.set("/short/x", { headers: { "Cache-Control": "max-age=60" } });
    await site.get("/");
    await site.get("/short/x");
    await h.advance(30_000);
    expect((await site.get("/")).cache).toBe("Hit");
    expect((await site.get("/short/x")).cache).toBe("Miss");
  });

  it("caches a 502 for its Error Caching Minimum TTL (1 s) and a 500 for the default 10 s", async () => {
    const { h, site, events } = await setUp({ function: "PT30S\n      reservedConcurrency: 0" });
    // Reserved concurrency 0: every invocation is refused (API Gateway 500).
    const first = await site.get("/");
    expect(first.status).toBe(500);
    await h.advance(9_000);
    expect((await site.get("/")).cache).toBe("Error");
    await h.advance(1_000);
    expect((await site.get("/")).cache).toBe("Error");
    // 10 s after the first answer, the cached 500 has expired: to the origin again.
    await h.advance(100);
    const again = await site.get("/");
    expect(again).toMatchObject({ status: 500 });
    expect(again.headers["x-cache"]).toBe("Error from cloudfront");
    expect(events).toHaveLength(0);

    e!.script.set("*", { fail: true });
    await (await h.clients.lambda()).send(new DeleteFunctionConcurrencyCommand({ FunctionName: "wp" }));
    await h.advance(10_000);
    expect((await site.get("/p")).status).toBe(502);
    const origin = events.length;
    expect((await site.get("/p")).status).toBe(502);
    expect(events).toHaveLength(origin);
    await h.advance(1_000);
    await site.get("/p");
    expect(events).toHaveLength(origin + 1);
  });

  it("answers 504 when the origin does not answer within the origin read timeout", async () => {
    // API Gateway's own 30 s integration timeout would end it first at the default 30 s read
    // timeout; at 10 s CloudFront gives up first.
    e = await edgeHarness(edgeStack({ function: "PT60S" }).replace("origin: { httpApi: wp }", "origin: { httpApi: wp, readTimeout: PT10S }"));
    const { h, script } = e;
    const site = h.sandbox.edge.distributions.get("site")!;
    script.set("*", { takes: 45_000 });
    const t0 = h.clock.now();
    const r = await site.get("/slow");
    expect(r.status).toBe(504);
    expect(h.clock.now() - t0).toBe(10_005);
  });

  it("serves the stale copy while the origin fails within the origin's stale-if-error window", async () => {
    const { h, site, script } = await setUp();
    script.set("/", { headers: { "Cache-Control": "max-age=10, stale-if-error=60" } });
    const fresh = await site.get("/");
    await h.advance(20_000);
    script.set("/", { fail: true });
    const stale = await site.get("/");
    expect(stale).toMatchObject({ status: 200, body: fresh.body, cache: "RefreshHit" });
    await h.advance(60_000);
    expect((await site.get("/")).status).toBe(502);
  });

  it("with Cache-Control added by the HTTP API's response mapping, pages stay available while Lambda refuses every invocation", async () => {
    const { h, site } = await setUp({ api: '    responseHeaders: { "200": { Cache-Control: "max-age=60, stale-if-error=86400" } }' });
    expect((await site.get("/")).cache).toBe("Miss");
    // Lambda refuses everything from now on (reserved concurrency 0): API Gateway answers 500.
    await (await h.clients.lambda()).send(new PutFunctionConcurrencyCommand({ FunctionName: "wp", ReservedConcurrentExecutions: 0 }));
    await h.advance(30_000);
    expect((await site.get("/")).cache).toBe("Hit");
    await h.advance(3_600_000);
    const stale = await site.get("/");
    expect(stale).toMatchObject({ status: 200, cache: "RefreshHit" });
    // A page never seen before has no copy to fall back on.
    expect((await site.get("/new/")).status).toBe(500);
  });

  it("viewers waiting on another's origin request get what it got: the stale copy when the origin fails", async () => {
    const { h, site, script } = await setUp();
    script.set("/wp-content/a.css", { headers: { "Cache-Control": "max-age=10, stale-if-error=600" } });
    await site.get("/wp-content/a.css");
    await h.advance(20_000);
    script.set("/wp-content/a.css", { fail: true });
    const out = await Promise.all([1, 2, 3].map(() => site.get("/wp-content/a.css")));
    expect(out.map((r) => [r.status, r.cache])).toEqual([
      [200, "RefreshHit"],
      [200, "RefreshHit"],
      [200, "RefreshHit"],
    ]);
  });

  it("makes one origin request for simultaneous misses on a cacheable object", async () => {
    const { site, events } = await setUp();
    const out = await Promise.all([1, 2, 3, 4, 5].map(() => site.get("/wp-content/app.js")));
    expect(out.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(events).toHaveLength(1);
  });

  it("publishes Requests, error rates, CacheHitRate and OriginLatency by DistributionId and Region=Global", async () => {
    const { h, site, script, metric } = await setUp();
    script.set("/boom", { fail: true, takes: 300 });
    script.set("*", { takes: 300 });
    await site.get("/wp-content/a.css");
    await site.get("/wp-content/a.css");
    await site.get("/wp-content/a.css");
    await site.get("/");
    await site.get("/boom");
    await h.advance(120_000);
    expect(await metric("AWS/CloudFront", "Requests", DIST, "Sum")).toBe(5);
    expect(await metric("AWS/CloudFront", "5xxErrorRate", DIST, "Average")).toBe(20);
    expect(await metric("AWS/CloudFront", "502ErrorRate", DIST, "Average")).toBe(20);
    expect(await metric("AWS/CloudFront", "TotalErrorRate", DIST, "Average")).toBe(20);
    expect(await metric("AWS/CloudFront", "4xxErrorRate", DIST, "Average")).toBe(0);
    // Two of the four cacheable (non-error) requests were served from the cache.
    expect(await metric("AWS/CloudFront", "CacheHitRate", DIST, "Average")).toBe(50);
    expect(await metric("AWS/CloudFront", "OriginLatency", DIST, "SampleCount")).toBe(3);
    expect(await metric("AWS/CloudFront", "OriginLatency", DIST, "p50")).toBeGreaterThanOrEqual(305);
  });

  it("without additional metrics, publishes only Requests and the 4xx/5xx/total error rates", async () => {
    const { h, site, metric } = await setUp({ distribution: "    additionalMetrics: false" });
    await site.get("/");
    await h.advance(120_000);
    expect(await metric("AWS/CloudFront", "Requests", DIST, "Sum")).toBe(1);
    expect(await metric("AWS/CloudFront", "CacheHitRate", DIST, "Average")).toBeUndefined();
  });
});

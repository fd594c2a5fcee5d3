/**
 * Viewer load on a distribution: the stack's `load:` under the distribution's name sends open-model
 * traffic over the viewerPaths mix, published as Gameday/LoadGenerator by { Service } (what the ALB
 * stacks' load publishes), and the traffic port names and drives the distribution.
 */
import { afterEach, describe, expect, it } from "vitest";
import { edgeHarness, edgeStack, type EdgeHarness } from "./harness.js";
import { parseStack } from "../../../src/sandbox/stack/load.js";

let e: EdgeHarness | undefined;
afterEach(async () => {
  await e?.h.close();
  e = undefined;
});

const MIX = `    viewerPaths:
      - { path: /, weight: 1 }
      - { path: /wp-content/style.css, weight: 3 }
    additionalMetrics: true`;

describe("viewers of a distribution", () => {
  it("send the stack's load over the path mix; what they measured is Gameday/LoadGenerator by Service", async () => {
    e = await edgeHarness(edgeStack({ distribution: MIX, load: "load:\n  site: [{ constantUsersPerSec: { rate: 20 } }]" }));
    const { h, events, metric } = e;
    // Past the second minute's end, by when CloudFront has published it.
    await h.advance(121_000);
    const viewers = await metric("Gameday/LoadGenerator", "RequestCount", { Service: "site" }, "Sum", 2);
    // 20 a second for two minutes, Poisson: within 10% of 2,400.
    expect(viewers).toBeGreaterThan(2_160);
    expect(viewers).toBeLessThan(2_640);
    expect(await metric("AWS/CloudFront", "Requests", { DistributionId: "E2QWRUHAPOMQZL", Region: "Global" }, "Sum", 2)).toBe(viewers);
    // Only pages reach the function (the stylesheet is cached after its first miss): about a quarter.
    const pages = events.filter((ev) => (ev as { rawPath: string }).rawPath === "/").length;
    expect(pages / viewers!).toBeGreaterThan(0.2);
    expect(pages / viewers!).toBeLessThan(0.3);
    expect(events.filter((ev) => (ev as { rawPath: string }).rawPath !== "/")).toHaveLength(1);
    expect(await metric("Gameday/LoadGenerator", "TargetResponseTime", { Service: "site" }, "p50", 2)).toBeGreaterThan(0);
  });

  it("the traffic port names the distribution and drive() raises its viewers' rate", async () => {
    e = await edgeHarness(edgeStack());
    const { h, metric } = e;
    expect(h.sandbox.traffic.services()).toContain("site");
    h.sandbox.traffic.drive("site", 10);
    await h.advance(60_000);
    const n = await metric("Gameday/LoadGenerator", "RequestCount", { Service: "site" }, "Sum", 1);
    expect(n).toBeGreaterThan(500);
    expect(n).toBeLessThan(700);
  });
});

describe("edge sections of the stack file", () => {
  const parse = (yaml: string) => () => parseStack(yaml, "wp.yaml");
  it("names the file, line and field of a distribution whose origin is no HTTP API of the stack", () => {
    expect(parse(edgeStack().replace("origin: { httpApi: wp }", "origin: { httpApi: nope }"))).toThrow(/wp\.yaml:\d+:\d+: distributions\[0\]\.origin\.httpApi: expected one of the HTTP APIs under httpApis "wp", found "nope"/);
  });
  it("refuses an integration timeout over HTTP API's 30 s and an HTTP API naming no function of the stack", () => {
    expect(parse(edgeStack().replace("integration: { function: wp }", "integration: { function: wp, timeout: PT31S }"))).toThrow(/integration\.timeout: expected an integration timeout from 50 ms to 30 s/);
    expect(parse(edgeStack().replace("integration: { function: wp }", "integration: { function: php }"))).toThrow(/httpApis\[0\]\.integration\.function: expected one of the functions under lambdas\.functions "wp", found "php"/);
  });
  it("refuses a default TTL outside [minTTL, maxTTL], an uncached error code, and load for an unknown name", () => {
    expect(parse(edgeStack().replace("defaultBehavior: { minTTL: 0, defaultTTL: 0, maxTTL: 31536000 }", "defaultBehavior: { minTTL: 60, defaultTTL: 0, maxTTL: 31536000 }"))).toThrow(/defaultBehavior\.defaultTTL: expected a default TTL from minTTL \(60\) to maxTTL \(31536000\), found 0/);
    expect(parse(edgeStack().replace('errorCaching: { "502": 1 }', 'errorCaching: { "418": 1 }'))).toThrow(/errorCaching.*expected one of the status codes CloudFront caches/);
    expect(parse(edgeStack({ load: "load:\n  blog: [{ constantUsersPerSec: { rate: 1 } }]" }))).toThrow(/load\.blog: expected a service behind a target group or a distribution \("site"\), found "blog"/);
  });
});

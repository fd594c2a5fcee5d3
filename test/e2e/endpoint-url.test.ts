/**
 * `--url service=url`: where the load generator sends a service's traffic on endpoint and aws
 * targets. A bad one is a usage error (exit 2) naming the flag and what was expected; one given
 * against a served sandbox wins over the ALB port the sandbox publishes.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, idleEndpoint, scratch, serveSandbox, type Served } from "./cli.js";

vi.setConfig({ testTimeout: 120_000 });

function sloExperiment(dir: string): string {
  const file = join(dir, "slo.yaml");
  writeFileSync(
    file,
    [
      "title: web answers under load",
      "description: the load generator drives the URL given",
      "steady-state-hypothesis:",
      "  title: web answers",
      "  probes:",
      "    - probe: http-slo",
      "      with: { service: web, rps: 20, window: PT5S }",
      '      tolerance: { availability: ">= 0.5" }',
      "method:",
      "  - pause: PT10S",
      "",
    ].join("\n"),
  );
  return file;
}

describe("--url on the command line", () => {
  it.each([
    ["web=ftp://example.com/", /--url: expected SERVICE=URL with an http:\/\/ or https:\/\/ URL.*found "web=ftp:\/\/example.com\/"/],
    ["https://example.com/", /--url: expected SERVICE=URL/],
    ["web=", /--url: expected SERVICE=URL/],
  ])("refuses %s with exit 2 and says what it expected", async (value, message) => {
    const endpoint = await idleEndpoint();
    try {
      const dir = scratch();
      const r = await chaos(["run", sloExperiment(dir), "--target", endpoint.url, "--url", value], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await endpoint.close();
    }
  });

  it("refuses a service given twice, and --url on the embedded sandbox (which drives its own simulated load)", async () => {
    const endpoint = await idleEndpoint();
    try {
      const dir = scratch();
      const twice = await chaos(["run", sloExperiment(dir), "--target", endpoint.url, "--url", "web=http://a.example/", "--url", "web=http://b.example/"], { cwd: dir });
      expect([twice.code, twice.stderr]).toEqual([2, expect.stringContaining("--url: web is given twice")]);
      const sandbox = await chaos(["run", sloExperiment(dir), "--url", "web=http://a.example/"], { cwd: dir });
      expect([sandbox.code, sandbox.stderr]).toEqual([2, expect.stringContaining("--url applies only to endpoint and aws targets")]);
    } finally {
      await endpoint.close();
    }
  });
});

describe("--url against a served sandbox", () => {
  let served: Served | undefined;
  let server: Server | undefined;
  let seen = 0;
  beforeAll(async () => {
    // --speed 5: a busy machine's stalls stay under the generator's 1 s lateness bound (200 ms here).
    served = await serveSandbox(["--speed", "5", "--seed", "9"]);
    server = createServer((req, res) => {
      seen++;
      req.resume();
      res.writeHead(200).end("ok");
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  }, 60_000);
  afterAll(async () => {
    served?.child.kill("SIGTERM");
    await served?.done;
    await new Promise((r) => server?.close(r));
  });

  it("sends the service's load to the URL given instead of the sandbox's ALB port", async () => {
    const dir = scratch();
    const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/health`;
    const r = await chaos(["run", sloExperiment(dir), "--target", served!.endpoint, "--url", `web=${url}`, "--seed", "1", "--log-format", "plain"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // 20 rps for the run's 20-odd sandbox seconds.
    expect(seen).toBeGreaterThan(200);
  });
});

describe("metrics the target's CloudWatch refuses", () => {
  it("are counted and reported when the run ends, not thrown into the load generator", async () => {
    const endpoint = await idleEndpoint();
    let seen = 0;
    const server = createServer((req, res) => {
      seen++;
      req.resume();
      res.writeHead(200).end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const dir = scratch();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const r = await chaos(["run", sloExperiment(dir), "--target", endpoint.url, "--url", `web=${url}`, "--seed", "1", "--log-format", "plain"], { cwd: dir });
      expect(seen).toBeGreaterThan(0);
      expect(r.stderr).toMatch(/^chaos: \d+ load generator metric (datum|data) could not be published to CloudWatch \(PutMetricData, \d+ calls?; last error .+\)$/m);
    } finally {
      await endpoint.close();
      await new Promise((r) => server.close(r));
    }
  });
});

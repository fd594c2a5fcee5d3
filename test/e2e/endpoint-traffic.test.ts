/**
 * Traffic on a served sandbox through --target: the run's load generator drives the ALB port the
 * sandbox publishes, over real HTTP, and what it measured reaches the sandbox's CloudWatch as
 * Gameday/LoadGenerator metrics { Service: web } that the AWS CLI reads back with get-metric-data.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { awsCli, hasAwsCli } from "./aws-cli.js";
import { chaos, REPO, scratch, servesForThisFile, type Served } from "./cli.js";

vi.setConfig({ testTimeout: 120_000 });

const serve = servesForThisFile();
let served: Served | undefined;
beforeAll(async () => {
  if (!hasAwsCli) return;
  // The default stack without its simulated load: every request the served ALB sees is the run's.
  const dir = scratch();
  const stack = readFileSync(join(REPO, "fixtures/stacks/default.yaml"), "utf8").replace(/^load:\n(?:  .*\n)+/m, "load: {}\n");
  expect(stack).toMatch(/^load: \{\}$/m);
  writeFileSync(join(dir, "quiet.yaml"), stack);
  // At --speed 5 a second of the generator's schedule is 200 ms of this process's time: a busy CI
  // machine's stalls stay under it. At 20 (50 ms) they made the generator late and the run refuse
  // to judge, as it should (src/load/shortfall.ts), which is not what this file tests.
  served = await serve(["--speed", "5", "--seed", "5", "--stack", "quiet.yaml"], { cwd: dir });
}, 60_000);

const awsCw = (...args: string[]) => awsCli(served!.endpoint, ["cloudwatch", ...args]);

describe.skipIf(!hasAwsCli)("a run through --target against a served sandbox drives its ALB over HTTP", () => {
  it("publishes the requests it sent as Gameday/LoadGenerator metrics by Service, which get-metric-data reads back", async () => {
    const dir = scratch();
    const file = join(dir, "slo.yaml");
    writeFileSync(
      file,
      [
        "title: web answers under load",
        "description: the load generator drives the served ALB",
        "steady-state-hypothesis:",
        "  title: web answers",
        "  probes:",
        "    - probe: http-slo",
        "      with: { service: web, rps: 20, window: PT10S }",
        '      tolerance: { availability: ">= 0.5" }',
        "method:",
        "  - pause: PT30S",
        "",
      ].join("\n"),
    );
    const r = await chaos(["run", file, "--target", served!.endpoint, "--seed", "1", "--log-format", "plain"], { cwd: dir });
    expect(r.stderr, r.stdout).not.toMatch(/could not be published/);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const clock = (await (await fetch(`${served!.endpoint}/_gameday/clock`)).json()) as { now: number; albs: Record<string, string> };
    expect(Object.keys(clock.albs)).toContain("web");
    const iso = (ms: number) => new Date(ms).toISOString();
    const metric = (name: string) => ({ Namespace: "Gameday/LoadGenerator", MetricName: name, Dimensions: [{ Name: "Service", Value: "web" }] });
    const out = (await awsCw(
      "get-metric-data",
      "--start-time",
      iso(Math.floor(clock.now / 60_000) * 60_000 - 2 * 3_600_000),
      "--end-time",
      iso(clock.now + 60_000),
      "--metric-data-queries",
      JSON.stringify([
        { Id: "requests", MetricStat: { Metric: metric("RequestCount"), Period: 60, Stat: "Sum" } },
        { Id: "ok", MetricStat: { Metric: metric("HTTPCode_2XX_Count"), Period: 60, Stat: "Sum" } },
        { Id: "latency", MetricStat: { Metric: metric("TargetResponseTime"), Period: 60, Stat: "SampleCount" } },
      ]),
    )) as { MetricDataResults: { Id: string; Values: number[] }[] };
    const total = (id: string) => out.MetricDataResults.find((m) => m.Id === id)!.Values.reduce((a, b) => a + b, 0);
    // 20 rps from the first reading to the end of the run (and the few sandbox seconds close() takes):
    // each request counted once, by the generator that sent it.
    const seconds = JSON.parse(readFileSync(join(dir, "journal.json"), "utf8")).duration as number;
    expect(seconds).toBeGreaterThan(40);
    expect(total("requests"), r.stdout.slice(-2000)).toBeGreaterThan(20 * 40);
    expect(total("requests")).toBeLessThan(20 * (seconds + 30));
    expect(total("ok")).toBeGreaterThan(0.5 * total("requests"));
    // Every answered request's latency is in the distribution.
    expect(total("latency")).toBeGreaterThanOrEqual(total("ok"));
  });
});

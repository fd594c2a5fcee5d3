/**
 * The same ramp against a URL: capacity-ramp through --target on a served sandbox, with --url
 * pointing the run's real HTTP load generator at the sandbox's ALB port. The probe raises the
 * HTTP generator's rate step by step and reads back what it measured from the served CloudWatch.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, REPO, scratch, serveSandbox, type Served } from "./cli.js";

vi.setConfig({ testTimeout: 180_000 });

let served: Served | undefined;
let dir = "";
beforeAll(async () => {
  // One Puma task of 10 threads: a ramp to 60 req/s crosses its 33 req/s maximum at rates a real
  // HTTP generator on a shared machine sends without trouble (twice that in real time at --speed 2).
  dir = scratch();
  writeFileSync(
    join(dir, "small-puma.yaml"),
    [
      `extends: ${JSON.stringify(join(REPO, "fixtures/stacks/capacity-puma.yaml"))}`,
      "taskDefinitions:",
      "  - family: puma",
      "    cpu: 1024",
      "    memory: 2048",
      "    startup: PT10S",
      "    app: { threads: 10, serviceTime: { p50: 302ms, p99: 320ms } }",
      "services:",
      "  - { name: web, cluster: loadtest, taskDefinition: puma, launchType: FARGATE, desiredCount: 1, targetGroup: web }",
      "",
    ].join("\n"),
  );
  served = await serveSandbox(["--speed", "2", "--seed", "3", "--stack", "small-puma.yaml"], { cwd: dir });
}, 60_000);
afterAll(async () => {
  served?.child.kill("SIGTERM");
  await served?.done;
});

describe("capacity-ramp against a URL (a served sandbox's ALB port)", () => {
  it("finds a knee below the theoretical maximum of one 10-thread Puma task from the HTTP generator's own measurements", async () => {
    const clock = (await (await fetch(`${served!.endpoint}/_gameday/clock`)).json()) as { albs: Record<string, string> };
    const alb = clock.albs.web;
    expect(alb).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    const journal = join(dir, "journal.json");
    const vars = ["tasks:int=1", "threads:int=10", "rampFrom:int=1", "rampTo:int=60", "rampOver=PT1M", "minKnee:int=1"].flatMap((v) => ["--var", v]);
    const r = await chaos(["run", join(REPO, "experiments/capacity-ramp.yaml"), "--target", served!.endpoint, "--url", `web=${alb}`, "--seed", "1", "--log-format", "plain", "--journal-path", journal, ...vars], { cwd: dir });
    const doc = JSON.parse(readFileSync(journal, "utf8")) as { run: { output?: Record<string, unknown> }[] };
    const value = doc.run.find((e) => e.output && "knee" in e.output)?.output as
      | { knee: number; kneeReached: boolean; theoreticalMax: number; requests: number; errorsBySource: Record<string, number>; albErrors: Record<string, number> }
      | undefined;
    expect(value, r.stdout + r.stderr).toBeDefined();
    expect(value!.theoreticalMax).toBe(33.3);
    // About 1,800 requests offered over the ramp; the generator measured (nearly) all of them.
    expect(value!.requests).toBeGreaterThan(1500);
    expect(value!.kneeReached).toBe(true);
    // Erlang B for 10 threads: 1% of arrivals refused at about 4.5 busy threads' worth (~15 req/s).
    expect(value!.knee).toBeGreaterThan(5);
    expect(value!.knee).toBeLessThan(33.3);
    expect(value!.errorsBySource["5XX"]).toBeGreaterThan(0);
    expect(value!.albErrors.ELB_502).toBeGreaterThan(0);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});

/**
 * The WordPress experiments as a user runs them: `chaos run` on the embedded sandbox with the
 * stack each verdict needs, and the same verdicts through `--target` on `chaos sandbox serve`, where
 * the wordpress probe has only CloudWatch (AWS/CloudFront, AWS/ApiGateway, AWS/Lambda,
 * LambdaInsights, the viewers' Gameday/LoadGenerator) and the viewers run inside the served sandbox.
 */
import { describe, expect, it, vi } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { limit, REPO, scratch, servesForThisFile, start } from "./cli.js";

// The cases start together and take the CPU slot one after another (about twelve minutes in all on
// a 2-core machine): the last one's time includes the wait. The file runs after the rest of the
// suite, by itself (vitest.config.ts), so that its served sandboxes have the machine's other core.
vi.setConfig({ testTimeout: 900_000 });

const WATCHDOG_MS = 300_000;
// Virtual runs are all CPU: one at a time on a shared machine.
const slot = limit(1);
const serve = servesForThisFile();

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  verdict: string;
}

/**
 * `chaos run`; a virtual one waits for the CPU slot. A served one runs inside the slot its test
 * took for the sandbox and the run together (throughServed): a sandbox served in scaled real time keeps
 * pace with the wall only with a core to itself, and a virtual run beside it (all CPU) took it; in
 * CI the untuned stack's site then missed its steady state before the method (a p95 of 30 s).
 */
async function run(experiment: string, args: string[], served = false): Promise<Outcome> {
  const go = async () => {
    const dir = scratch();
    const child = start(["run", experiment, ...args, "--seed", "7", "--log-format", "plain"], { cwd: dir });
    const watchdog = setTimeout(() => child.child.kill("SIGKILL"), WATCHDOG_MS);
    const r = await child.done.finally(() => clearTimeout(watchdog));
    expect(r.signal, r.stdout.slice(-3000)).toBeNull();
    return { ...r, verdict: JSON.parse(readFileSync(join(dir, "journal.json"), "utf8")).gameday.verdict };
  };
  return served ? go() : slot(go);
}

const stack = (name: string) => ["--stack", join(REPO, "fixtures", "stacks", name)];

function expectVerdict(r: Outcome, verdict: string, code: number): void {
  expect(r.stderr).toBe("");
  expect([r.verdict, r.code], r.stdout.slice(-4000)).toEqual([verdict, code]);
}

/**
 * `experiment` through --target on a sandbox served with `file`: the sandbox and the run hold the
 * CPU slot from the sandbox's start to its end.
 * --speed 5: at 10 the untuned stacks (every page stats every script on NFS) needed more than a
 * core of this machine to keep pace, and fell behind in CI.
 */
async function throughServed(experiment: string, file: string, verdict: string, code: number): Promise<void> {
  await slot(async () => {
    const sandbox = await serve(["--speed", "5", "--seed", "7", ...stack(file)]);
    try {
      const r = await run(experiment, ["--target", sandbox.endpoint], true);
      expect(r.stdout).toMatch(/target endpoint\s+clock scaled/);
      expectVerdict(r, verdict, code);
    } finally {
      sandbox.child.kill("SIGTERM");
      await sandbox.done;
    }
  });
}

describe.concurrent("WordPress experiments", () => {
  it("efs-latency holds on wordpress.yaml: pages a little slower, all served", async () => {
    const r = await run("efs-latency", []); // its own stack: wordpress.yaml
    expectVerdict(r, "held", 0);
    expect(r.stdout).toMatch(/✓ site-while-nfs-slow \(on-chaos\) requests=\d+ availability=1 /);
  });

  it("efs-latency deviates on wordpress-untuned-opcache.yaml: every page stats every script on slow NFS", async () => {
    const r = await run("efs-latency", stack("wordpress-untuned-opcache.yaml"));
    expectVerdict(r, "deviated", 1);
    expect(r.stdout).toMatch(/✗ site-while-nfs-slow \(on-chaos\) p95 was [\d.]+ s, expected <= 1 s/);
  });

  it("efs-burst-exhaustion holds on wordpress-provisioned.yaml: at an 8 MiB/s baseline warm pages barely touch EFS", async () => {
    const r = await run("efs-burst-exhaustion", []); // its own stack: wordpress-provisioned.yaml
    expectVerdict(r, "held", 0);
    expect(r.stdout).toMatch(/baseline-throughput landed: fs-0123456789abcdef0: provisioned 64 -> 8 MiB\/s/);
  });

  it("efs-burst-exhaustion deviates on wordpress-untuned-provisioned.yaml: pages queue for the baseline and time out at 30 s", async () => {
    const r = await run("efs-burst-exhaustion", stack("wordpress-untuned-provisioned.yaml"));
    expectVerdict(r, "deviated", 1);
    expect(r.stdout).toMatch(/✗ site-at-baseline \(continuous\) availability was [\d.]+, expected >= 0\.99; p95 was 30\.\d+ s/);
    expect(r.stdout).toMatch(/5xx by source \{"lambdaError":0,"lambdaTimeout":[1-9]\d*,/);
  });

  it("lambda-throttle holds on wordpress-edge-cached.yaml: CloudFront serves cached and stale pages", async () => {
    const r = await run("lambda-throttle", []); // its own stack: wordpress-edge-cached.yaml
    expectVerdict(r, "held", 0);
  });

  it("lambda-throttle deviates on wordpress.yaml: uncached pages become 500s, cached 1 s for every reader", async () => {
    const r = await run("lambda-throttle", stack("wordpress.yaml"));
    expectVerdict(r, "deviated", 1);
    expect(r.stdout).toMatch(/5xx by source \{"lambdaError":0,"lambdaTimeout":0,"throttle":[1-9]\d*,"apiGateway":0,"cloudFront":[1-9]\d*\}/);
  });

  it.each([
    ["wordpress-edge-cached.yaml", "held", 0],
    ["wordpress.yaml", "deviated", 1],
  ] as const)("lambda-throttle reaches the same verdict through --target on a sandbox served with %s", (file, verdict, code) =>
    throughServed("lambda-throttle", file, verdict, code),
  );

  it.each([
    ["efs-latency", "wordpress.yaml", "held", 0],
    ["efs-latency", "wordpress-untuned-opcache.yaml", "deviated", 1],
    ["efs-burst-exhaustion", "wordpress-provisioned.yaml", "held", 0],
    ["efs-burst-exhaustion", "wordpress-untuned-provisioned.yaml", "deviated", 1],
  ] as const)("%s through --target on a sandbox served with %s: %s, as on the embedded one", throughServed);
});

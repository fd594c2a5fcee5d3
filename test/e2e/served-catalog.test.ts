/**
 * Issue 8: every catalog experiment reaches the same verdict on the embedded sandbox and through
 * `--target` on `chaos sandbox serve --speed 30`, where probes can only read AWS APIs (CloudWatch,
 * ECS, FIS...) and the load is real HTTP on the served ALB port. Each served case gets its own
 * sandbox (booted with the stack the variant needs), at most two at once; a virtual run is all CPU,
 * so those go one at a time. Every child runs under a watchdog.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { limit, REPO, scratch, serveSandbox, start, type CliResult, type Served } from "./cli.js";

vi.setConfig({ testTimeout: 300_000 });

// A served run of the longest case takes about 12 real seconds at 30x; a stuck one is killed.
const WATCHDOG_MS = 150_000;
const SPEED = "30";

const virtualSlot = limit(1);
const servedSlot = limit(2);

// Each case stops its sandbox when its run ends; this catches one a timed-out case left behind.
const serves: Served[] = [];
afterAll(async () => {
  for (const s of serves) {
    s.child.kill("SIGTERM");
    await s.done;
  }
});

interface Outcome extends CliResult {
  verdict: string;
}

/** `chaos run` in a scratch directory, SIGKILLed if it outlives the watchdog. */
async function runChaos(args: string[]): Promise<Outcome> {
  const dir = scratch();
  const run = start(["run", ...args, "--seed", "7", "--log-format", "plain"], { cwd: dir });
  const watchdog = setTimeout(() => run.child.kill("SIGKILL"), WATCHDOG_MS);
  const r = await run.done.finally(() => clearTimeout(watchdog));
  expect(r.signal, `watchdog killed: chaos run ${args.join(" ")}\n${r.stdout.slice(-3000)}`).toBeNull();
  const journal = JSON.parse(readFileSync(join(dir, "journal.json"), "utf8"));
  return { ...r, verdict: journal.gameday.verdict };
}

/** The experiment on the embedded sandbox, then through --target on a sandbox served with the same stack. */
async function bothWays(experiment: string, options: { stack?: string; vars?: string[] } = {}): Promise<{ embedded: Outcome; served: Outcome }> {
  const stack = options.stack ? join(REPO, "fixtures", "stacks", options.stack) : undefined;
  const vars = (options.vars ?? []).flatMap((v) => ["--var", v]);
  const embedded = await virtualSlot(() => runChaos([experiment, ...vars, ...(stack ? ["--stack", stack] : [])]));
  const served = await servedSlot(async () => {
    const sandbox = await serveSandbox(["--speed", SPEED, "--seed", "7", ...(stack ? ["--stack", stack] : [])]);
    serves.push(sandbox);
    try {
      return await runChaos([experiment, ...vars, "--target", sandbox.endpoint]);
    } finally {
      sandbox.child.kill("SIGTERM");
      await sandbox.done;
    }
  });
  return { embedded, served };
}

function expectVerdict({ embedded, served }: { embedded: Outcome; served: Outcome }, verdict: string, code: number): void {
  expect(embedded.stderr).toBe("");
  expect(served.stderr).toBe("");
  // The served run really went through the endpoint, on the sandbox's (scaled) clock.
  expect(served.stdout).toMatch(/target endpoint\s+clock scaled/);
  expect([embedded.verdict, embedded.code], embedded.stdout.slice(-3000)).toEqual([verdict, code]);
  expect([served.verdict, served.code], served.stdout.slice(-3000)).toEqual([verdict, code]);
}

describe.concurrent(`catalog experiments reach the same verdict embedded and through --target on sandbox serve --speed ${SPEED}`, () => {
  it("spot-interrupt holds", async () => {
    expectVerdict(await bothWays("spot-interrupt"), "held", 0);
  });

  it("task-kill holds", async () => {
    expectVerdict(await bothWays("task-kill"), "held", 0);
  });

  it("spot-interrupt deviates on the dereg-300 stack (a web task is still registered when the instance is terminated)", async () => {
    const outcome = await bothWays("spot-interrupt", { stack: "dereg-300.yaml" });
    expectVerdict(outcome, "deviated", 1);
    expect(outcome.served.stdout).toMatch(/drained-in-time .*tasksKilledByTermination was 1, expected 0/);
  });

  it("task-kill run twice with the same seed on one served sandbox holds both times (a rerun's FIS client tokens are not the first run's)", async () => {
    const runs = await servedSlot(async () => {
      const sandbox = await serveSandbox(["--speed", SPEED, "--seed", "7"]);
      serves.push(sandbox);
      try {
        const first = await runChaos(["task-kill", "--target", sandbox.endpoint]);
        const again = await runChaos(["task-kill", "--target", sandbox.endpoint]);
        return [first, again];
      } finally {
        sandbox.child.kill("SIGTERM");
        await sandbox.done;
      }
    });
    for (const r of runs) {
      expect(r.stderr).toBe("");
      expect([r.verdict, r.code], r.stdout.slice(-3000)).toEqual(["held", 0]);
    }
  });

  // The Kinesis experiments need log-delivery to read through AWS APIs. A version that did (4b8b756,
  // reverted in d08f24a) held kinesis-outage at 30x (2M/1M, 273 s) and its no-spool deviation
  // (30M/30M, 399 s) once, but in scaled time its first reading found no shipper gauge in CloudWatch
  // yet (kinesis-throttle here, kinesis-outage at --speed 50), so it did not land.
  // Cases to add then: kinesis-throttle holds; kinesis-outage holds (--var firstOutage=PT2M,
  // lastOutage=PT1M); kinesis-outage deviates on the no-spool stack (outages PT30M).
});

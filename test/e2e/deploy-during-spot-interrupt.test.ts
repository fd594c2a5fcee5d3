/**
 * Issue 11 (ECS deployments): deploy-during-spot-interrupt reaches the same verdict on the
 * embedded sandbox and through --target on `chaos sandbox serve --speed 10`, where the deploy
 * fault and the ecs-deployment probe can only use the ECS API. Each served case gets its own
 * sandbox booted with the case's stack; every child runs under a watchdog.
 */
import { describe, expect, it, vi } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, limit, REPO, scratch, servesForThisFile, start, type CliResult } from "./cli.js";

vi.setConfig({ testTimeout: 900_000 });

// About 7 virtual minutes: 45 real seconds at 10x. A slower speed than the catalog's 30x, because a
// deployment doubles the tasks, and on a busy machine 30x fell behind its scaled clock by seconds.
const WATCHDOG_MS = 300_000;
const SPEED = "10";
const virtualSlot = limit(1);
const servedSlot = limit(1);

// Each case stops its sandbox when its run ends; this stops one a timed-out case left behind.
const serve = servesForThisFile();

interface Outcome extends CliResult {
  journal: { gameday: { verdict: string; faults: { fault: string; template: { actions: object }; verification?: { landed: boolean } }[] }; rollbacks: unknown[] };
}

async function runChaos(args: string[]): Promise<Outcome> {
  const dir = scratch();
  const run = start(["run", "deploy-during-spot-interrupt", ...args, "--seed", "7", "--log-format", "plain"], { cwd: dir });
  const watchdog = setTimeout(() => run.child.kill("SIGKILL"), WATCHDOG_MS);
  const r = await run.done.finally(() => clearTimeout(watchdog));
  expect(r.signal, `watchdog killed: chaos run ${args.join(" ")}\n${r.stdout.slice(-3000)}`).toBeNull();
  return { ...r, journal: JSON.parse(readFileSync(join(dir, "journal.json"), "utf8")) };
}

async function bothWays(stackFile?: string): Promise<Outcome[]> {
  const stack = stackFile ? join(REPO, "fixtures", "stacks", stackFile) : undefined;
  const embedded = virtualSlot(() => runChaos(stack ? ["--stack", stack] : []));
  const served = servedSlot(async () => {
    const sandbox = await serve(["--speed", SPEED, "--seed", "7", ...(stack ? ["--stack", stack] : [])]);
    try {
      const r = await runChaos(["--target", sandbox.endpoint]);
      expect(r.stdout).toMatch(/target endpoint\s+clock scaled/);
      return r;
    } finally {
      sandbox.child.kill("SIGTERM");
      await sandbox.done;
    }
  });
  return Promise.all([embedded, served]);
}

function expectVerdict(outcomes: Outcome[], verdict: string, code: number): void {
  for (const o of outcomes) {
    expect(o.stderr).toBe("");
    expect([o.journal.gameday.verdict, o.code], o.stdout.slice(-3000)).toEqual([verdict, code]);
    // The deployment went to ECS directly: no FIS action, and it landed.
    const deploy = o.journal.gameday.faults.find((f) => f.fault === "deploy")!;
    expect(deploy.template.actions).toEqual({});
    expect(deploy.verification?.landed).toBe(true);
  }
}

describe.concurrent(`deploy-during-spot-interrupt, embedded and served (--speed ${SPEED})`, () => {
  it("holds on the default stack: web:2 COMPLETES while the spot instance drains, and the rollback puts web:1 back", async () => {
    const outcomes = await bothWays();
    expectVerdict(outcomes, "held", 0);
    for (const o of outcomes) {
      expect(o.stdout).toMatch(/deployment-settles \(on-chaos\) rolloutState="COMPLETED" taskDefinition="web:2"/);
      expect(o.stdout).toMatch(/↺ service web deploys web:1 again \(it ran web:2\)/);
    }
  });

  it("holds on deploy-broken-rollback: the circuit breaker fails web:2 and rolls back to web:1", async () => {
    const outcomes = await bothWays("deploy-broken-rollback.yaml");
    expectVerdict(outcomes, "held", 0);
    for (const o of outcomes) {
      expect(o.stdout).toMatch(/\(service web\) rolling back to deployment ecs-svc\/\d{19}\./);
      expect(o.stdout).toMatch(/deployment-settles \(on-chaos\) rolloutState="COMPLETED" taskDefinition="web:1" .*rolledBack=1/);
      expect(o.stdout).toMatch(/↺ service web already runs web:1/);
    }
  });

  it("is aborted on deploy-broken (no circuit breaker): the drained tasks' replacements run the broken revision, so the terminated instance takes capacity with it", async () => {
    const outcomes = await bothWays("deploy-broken.yaml");
    expectVerdict(outcomes, "aborted", 3);
    for (const o of outcomes) expect(o.stdout).toMatch(/stop condition web-not-on-fire breached/);
  });
});

describe("deploy in the plan", () => {
  it("--dry says the deploy step has no FIS template and why, and describe says FIS has no deployment action", async () => {
    const dir = scratch();
    const dry = await chaos(["run", "deploy-during-spot-interrupt", "--dry"], { cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/deploy-new-revision \(deploy\): no FIS template; deploy web:2 to service web in cluster prod \(FIS has no ECS deployment action/);
    expect(dry.stdout).not.toMatch(/FIS template for deploy-new-revision/);
    expect(dry.stdout).toMatch(/FIS template for interrupt-one-spot-instance/);
    const described = await chaos(["describe", "deploy"], { cwd: dir });
    expect(described.stdout).toMatch(/FIS has no ECS deployment action: this fault compiles to no FIS action; gameday calls ECS UpdateService itself/);
  });
});

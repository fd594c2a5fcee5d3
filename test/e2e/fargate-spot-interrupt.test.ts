/**
 * fargate-spot-interrupt through the compiled CLI: it holds on fargate-spot.yaml (a base of api
 * tasks on FARGATE, the rest on FARGATE_SPOT) and deviates on fargate-spot-only.yaml (two tasks,
 * both on Spot), embedded; it holds through --target on `chaos sandbox serve`, where the fault
 * learns from the served FIS (GetAction) that it offers the interruption; and opting into the
 * stop-task approximation runs aws:ecs:stop-task on the same Spot tasks.
 */
import { describe, expect, it, vi } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, REPO, scratch, servesForThisFile, start } from "./cli.js";

vi.setConfig({ testTimeout: 240_000 });

const stack = (name: string) => join(REPO, "fixtures", "stacks", `${name}.yaml`);
const journal = (dir: string) => JSON.parse(readFileSync(join(dir, "journal.json"), "utf8"));
const probe = (j: any, step: string) => j.gameday.probes.find((p: { step: string }) => p.step === step);
const serve = servesForThisFile();

describe("fargate-spot-interrupt on the embedded sandbox", () => {
  it("holds on the stack the experiment names (fargate-spot.yaml, a base on FARGATE): the warned Spot task stops with SpotInterruption, a Spot replacement takes its place, the api keeps its SLO", async () => {
    const dir = scratch();
    // No --stack: the experiment's `extensions: [{ name: gameday, stack }]` chooses it.
    const r = await chaos(["run", "fargate-spot-interrupt", "--seed", "11"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    expect(r.stdout).toMatch(/Fargate Spot interruption warning/);
    expect(r.stdout).toMatch(/STOPPED \(desired STOPPED\): Your Spot Task was interrupted\./);
    const j = journal(dir);
    expect(j.gameday.verdict).toBe("held");
    expect(j.gameday.target.stack).toBe("../fixtures/stacks/fargate-spot.yaml");
    expect(j.gameday.target.stackPath).toBe(stack("fargate-spot"));
    const [fault] = j.gameday.faults;
    expect(fault.verification.landed).toBe(true);
    expect(fault.verification.detail).toMatch(/\(SpotInterruption\)/);
    expect(fault.targets).toHaveLength(1);
    expect(fault.targets[0].resourceType).toBe("aws:ecs:task");
    expect(probe(j, "api-slo-during").verdict).toBe("passed");
    expect(probe(j, "api-recovers").verdict).toBe("passed");
  });

  it("deviates with every api task on FARGATE_SPOT and only two of them: the one left refuses requests until the replacement is up", async () => {
    const dir = scratch();
    const r = await chaos(["run", "fargate-spot-interrupt", "--seed", "11", "--stack", stack("fargate-spot-only")], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code, r.stdout.slice(-3000)).toBe(1);
    const j = journal(dir);
    expect(j.gameday.verdict).toBe("deviated");
    const during = probe(j, "api-slo-during");
    expect(during.verdict).toBe("failed");
    expect(j.gameday.faults[0].verification.landed).toBe(true);
    // Not on fire: the stop condition held, and the service came back.
    expect(probe(j, "api-not-on-fire").verdict).toBe("passed");
    expect(probe(j, "api-recovers").verdict).toBe("passed");
  });

  it("with approximate: stop-task, stops the same Spot task through aws:ecs:stop-task (UserInitiated, no warning)", async () => {
    const dir = scratch();
    const file = join(dir, "approx.yaml");
    const text = readFileSync(join(REPO, "experiments", "fargate-spot-interrupt.yaml"), "utf8").replace(
      'target: { cluster: "${cluster}", service: "${service}", select: COUNT(1) }',
      'target: { cluster: "${cluster}", service: "${service}", select: COUNT(1) }\n    with: { approximate: stop-task }',
    );
    writeFileSync(file, text);
    const r = await chaos(["run", "approx.yaml", "--seed", "11", "--stack", stack("fargate-spot")], { cwd: dir });
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    expect(r.stdout).not.toMatch(/Fargate Spot interruption warning/);
    const [fault] = journal(dir).gameday.faults;
    expect(fault.verification.detail).toMatch(/\(UserInitiated\)/);
    expect(fault.targets).toHaveLength(1);
  });
});

describe("fargate-spot-interrupt through --target on chaos sandbox serve", () => {
  it("holds: the served FIS offers gameday:ecs:fargate-spot-interrupt and interrupts a Spot task", async () => {
    const sandbox = await serve(["--speed", "30", "--seed", "7", "--stack", stack("fargate-spot")]);
    const dir = scratch();
    try {
      const run = start(["run", "fargate-spot-interrupt", "--seed", "7", "--log-format", "plain", "--target", sandbox.endpoint], { cwd: dir });
      const watchdog = setTimeout(() => run.child.kill("SIGKILL"), 180_000);
      const r = await run.done.finally(() => clearTimeout(watchdog));
      expect(r.signal).toBeNull();
      expect(r.stderr).toBe("");
      expect(r.stdout).toMatch(/target endpoint\s+clock scaled/);
      expect(r.code, r.stdout.slice(-3000)).toBe(0);
      const j = journal(dir);
      expect(j.gameday.verdict).toBe("held");
      expect(j.gameday.faults[0].verification.detail).toMatch(/\(SpotInterruption\)/);
    } finally {
      sandbox.child.kill("SIGTERM");
      await sandbox.done;
    }
  });
});

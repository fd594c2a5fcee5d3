/**
 * Faults as a user runs them: task-kill behind AWS's default deregistration delay, and the drain's
 * landing check and undo in whole runs.
 */
import { vi, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, REPO, scratch, ledgerOf } from "./cli.js";

vi.setConfig({ testTimeout: 120_000 });

const journal = (dir: string) => JSON.parse(readFileSync(join(dir, "journal.json"), "utf8"));

describe("task-kill", () => {
  it("lands on a stack with AWS's default 300 s deregistration delay (no 'did not land', no exit 4)", async () => {
    const dir = scratch();
    const r = await chaos(["run", "task-kill", "--stack", join(REPO, "fixtures/stacks/dereg-300.yaml"), "--seed", "7", "--log-format", "plain"], { cwd: dir });
    expect(r.stdout).not.toMatch(/did not land/);
    expect([0, 1], r.stdout + r.stderr).toContain(r.code);
    expect(r.stdout).toMatch(/✓ kill-one-web-task landed: 1 task\(s\) stopping \(UserInitiated\)/);
    const fault = journal(dir).gameday.faults[0];
    expect(fault.verification.landed).toBe(true);
    expect(fault.verification.detail).toMatch(/DEACTIVATING is the target group's deregistration delay/);
  });
});

describe("drain", () => {
  it("lands on the instances it moved and, in a normal run, leaves every instance ACTIVE at the end", async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, "drain.yaml"),
      `title: drain a third for a minute
method:
  - fault: drain
    name: drain-some
    target: { cluster: prod }
    with: { percentage: 34, duration: PT1M }
  - pause: PT90S
`,
    );
    // Half the cluster is over the default cap of one resource: the account's gameday.yaml raises it.
    writeFileSync(join(dir, "gameday.yaml"), "guardrails:\n  maxTargets: { drain: 50% }\n");
    const r = await chaos(["run", "drain.yaml", "--seed", "3", "--log-format", "plain"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const j = journal(dir);
    const v = j.gameday.faults[0].verification;
    expect(v.landed).toBe(true);
    expect(v.detail).toMatch(/^3 of 6 container instance\(s\) ACTIVE -> DRAINING/);
    const moved: string[] = v.evidence.instanceIds;
    expect(moved).toHaveLength(3);
    // FIS returns them to ACTIVE when its duration ends; gameday's own undo then has nothing left.
    for (const id of moved) expect(r.stdout).toMatch(new RegExp(`${id} DRAINING -> ACTIVE`));
    expect(r.stdout).toMatch(/↺ no container instance in prod needed reactivating/);
    // The ledger: the guess written before the start, superseded by the instances really moved.
    const ledger = ledgerOf(dir);
    const activations = ledger.filter((e) => e.op === "intent" && e.undo?.type === "ecs-activate-instances");
    expect(activations.map((e) => e.undo!.containerInstances!.length)).toEqual([6, 3]);
    expect(ledger.find((e) => e.op === "undone" && e.id === activations[0]!.id)?.note).toMatch(/^superseded: the drain moved 3 container instance\(s\)/);
    expect(ledger.at(-1)?.op).toBe("closed");
  });

  it("never reactivates, in its own rollback, a spot instance drained because of its interruption notice", async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, "drain-spot.yaml"),
      `title: a drain, then a spot interruption, then a stop condition
method:
  - fault: drain
    name: drain-some
    target: { cluster: prod }
    with: { percentage: 20, duration: PT5M }
  - fault: spot-interrupt
    name: spot-one
    target: { cluster: prod, tags: { chaos: ok }, select: COUNT(1) }
  - pause: PT3M
stop-conditions:
  - probe: http-slo
    name: impossible
    with: { service: web, window: PT10S }
    tolerance: { p99: "<= 1ms" }
`,
    );
    writeFileSync(join(dir, "gameday.yaml"), "guardrails:\n  maxTargets: { drain: 2 }\n");
    // Seeds whose spot pick (made by gameday's preflight) is not among the instances the drain took.
    for (const seed of ["1", "4"]) {
      const r = await chaos(["run", "drain-spot.yaml", "--seed", seed, "--log-format", "plain"], { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(3);
      const j = journal(dir);
      const spot = j.gameday.faults[1].targets[0].arn.split("/").pop();
      const drained: string[] = j.gameday.faults[0].verification.evidence.instanceIds;
      expect(drained).not.toContain(spot);
      expect(r.stdout).toMatch(new RegExp(`${spot} ACTIVE -> DRAINING \\(UpdateContainerInstancesState\\)`));
      expect(r.stdout).not.toMatch(new RegExp(`${spot} DRAINING -> ACTIVE`));
    }
  });
});

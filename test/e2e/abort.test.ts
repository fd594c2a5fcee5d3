/**
 * A stop condition ends the chaos at once, and the rollback strategy never leaves a fault behind:
 * it decides about the experiment's declared rollbacks only.
 */
import { vi, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, REPO, scratch, ledgerOf } from "./cli.js";

vi.setConfig({ testTimeout: 120_000 });

// A p99 no web path meets: the stop condition breaches at its first reading, 10 s in.
const impossibleGuard = `
stop-conditions:
  - probe: http-slo
    name: impossible-p99
    with: { service: web, window: PT10S }
    tolerance: { p99: "<= 1ms" }
`;

/** The fault's experiment is over by the breach: the rollbacks stopped it, or FIS had halted it on the stop condition's alarm. */
const STOPPED_AT_10S = /\+00:00:10\.0 +↺ (stopped FIS experiment|FIS experiment \S+ had already ended \(\S+ stopped: Experiment halted by stop condition\.\))/;

describe("a stop condition", () => {
  it("stops a spot interruption's FIS experiment at the breach, long before the instance would be terminated", async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, "spot.yaml"),
      `title: a long notice cut short
method:
  - fault: spot-interrupt
    name: long-notice
    target: { cluster: prod, tags: { chaos: ok }, select: COUNT(1) }
    with: { durationBeforeInterruption: PT15M }
  - pause: PT20M
${impossibleGuard}`,
    );
    const r = await chaos(["run", "spot.yaml", "--log-format", "plain", "--verbose", "--stack", join(REPO, "fixtures/stacks/no-drain.yaml")], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(/\+00:00:10\.0 +■ stop condition impossible-p99 breached/);
    // Stopped by the rollbacks, or already halted by FIS on the stop condition's alarm.
    expect(r.stdout).toMatch(STOPPED_AT_10S);
    // The notice was 15 minutes: stopped at 10 s, the instance is never interrupted.
    expect(r.stdout).not.toMatch(/interrupted \(terminate\)/);
    const journal = JSON.parse(readFileSync(join(dir, "journal.json"), "utf8"));
    expect(journal.gameday.faults[0].verification.detail).toMatch(/^not verified: stop condition impossible-p99 breached/);
  });
});

describe("rollbacks: never", () => {
  it("skips the declared rollbacks but still stops the FIS experiment and returns drained instances to ACTIVE", async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, "drain.yaml"),
      `title: never means the declared ones
method:
  - fault: drain
    name: drain-half
    target: { cluster: prod }
    with: { percentage: 50, duration: PT30M }
  - pause: PT40M
rollbacks:
  - type: action
    name: declared-undo
    provider: { type: process, path: node, arguments: ["-e", "0"] }
${impossibleGuard}`,
    );
    // Half the cluster is over the default blast-radius cap: this account allows it.
    writeFileSync(join(dir, "gameday.yaml"), "guardrails:\n  maxTargets: { drain: 50% }\n");
    const r = await chaos(["run", "drain.yaml", "--log-format", "plain", "--verbose", "--rollback-strategy", "never"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(/declared rollbacks skipped \(strategy never\)/);
    expect(r.stdout).toMatch(STOPPED_AT_10S);
    expect(r.stdout).toMatch(/DRAINING -> ACTIVE/);
    const ledger = ledgerOf(dir);
    expect(ledger.at(-1)?.op).toBe("closed");
    const journal = JSON.parse(readFileSync(join(dir, "journal.json"), "utf8"));
    expect(journal.rollbacks).toEqual([]);
    expect(journal.gameday.rollbackResults.every((x: { ok: boolean }) => x.ok)).toBe(true);
    expect(journal.gameday.rollbackResults.map((x: { description: string }) => x.description).join("\n")).toMatch(/stop FIS experiment/);
  });
});

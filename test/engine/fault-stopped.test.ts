import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { GetExperimentCommand, StopExperimentCommand } from "@aws-sdk/client-fis";
import { parseExperiment } from "../../src/experiment/index.js";
import { planExperiment } from "../../src/engine/plan.js";
import { probeDirs } from "../../src/engine/probe-loader.js";
import { Journal } from "../../src/engine/journal.js";
import { Ledger } from "../../src/engine/ledger.js";
import { runExperiment } from "../../src/engine/run.js";
import type { RunEvent } from "../../src/engine/events.js";
import { rig, stackYaml, type Rig } from "../faults/rig.js";

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

/** A ten-minute drain with an on-chaos probe over it, and five minutes after. */
const EXPERIMENT = (configuration = "") =>
  [
    "title: drain half of prod",
    "description: someone stops the fault's FIS experiment mid-way",
    ...(configuration ? [`configuration: ${configuration}`] : []),
    "method:",
    "  - fault: drain",
    "    name: drain-prod",
    "    target: { cluster: prod }",
    "    with: { percentage: 50, duration: PT10M }",
    "  - probe: http-slo",
    "    name: slo-while-drained",
    "    mode: on-chaos",
    "    interval: PT30S",
    "    with: { service: web, window: PT30S }",
    '    tolerance: { p95: "<= 5s" }',
    "  - pause: PT15M",
    "runtime: { interval: PT5S }",
    "",
  ].join("\n");

async function prepare(rg: Rig, yaml: string, runId: string) {
  const { h } = rg;
  const release = h.clock.hold();
  const plan = await planExperiment(parseExperiment(yaml, "exp.yaml", { env: {} }), { probeDirs: probeDirs("/nonexistent"), region: "us-east-1", accountId: "123456789012" }).finally(release);
  const dir = mkdtempSync(join(tmpdir(), "gameday-fault-stopped-"));
  const ledger = Ledger.create(dir, { runId, experiment: "exp.yaml", title: plan.experiment.title, seed: 7, target: { kind: "sandbox", region: "us-east-1" }, pid: process.pid, startedAt: h.clock.now(), journalPath: join(dir, "journal.json") });
  const journal = new Journal(join(dir, "journal.json"), { experiment: plan.loaded.raw, start: new Date(h.clock.now()).toISOString(), runId, seed: 7, target: { kind: "sandbox", region: "us-east-1" }, clock: "virtual", ledger: ledger.dir, secrets: [] });
  const events: RunEvent[] = [];
  const startedAt = h.clock.now();
  const run = () => runExperiment({ plan, services: rg.services, runId, seed: 7, journal, ledger, interrupt: new AbortController().signal, listener: (e) => events.push(e), cwd: dir, accountId: "123456789012" });
  return { journal, ledger, run, events, startedAt };
}

describe("a fault whose FIS experiment is stopped before its planned end", () => {
  it("StopExperiment mid-fault (as `chaos stop` does): the run notices, stops the method, is aborted (exit 3), says which fault, when and why, and rolls back", async () => {
    r = await rig(stackYaml({ load: "load: { web: [{ constantUsersPerSec: { rate: 20 } }] }" }));
    const { h } = r;
    const { journal, ledger, run, events, startedAt } = await prepare(r, EXPERIMENT(), "stoprun");
    const fis = await h.clients.fis();
    let stoppedAt = 0;
    const operator = h.clock.sleep(92_500).then(async () => {
      const id = journal.doc.gameday.faults[0]!.experimentId!;
      expect((await fis.send(new GetExperimentCommand({ id }))).experiment?.state?.status).toBe("running");
      stoppedAt = h.clock.now();
      await fis.send(new StopExperimentCommand({ id }));
    });
    const result = await run();
    await operator;

    expect(result.verdict).toBe("aborted");
    expect(result.exitCode).toBe(3);
    const fault = journal.doc.gameday.faults[0]!;
    expect(result.summary).toMatch(new RegExp(`aborted: drain-prod's FIS experiment ${fault.experimentId} was stopped at \\S+ \\(Experiment stopped\\.\\)`));
    expect(fault.status).toBe("stopped");
    expect(journal.doc.gameday.faultStopped).toMatchObject({ step: "drain-prod", experimentId: fault.experimentId, reason: "Experiment stopped." });
    const warning = journal.doc.gameday.warnings.find((w) => w.startsWith("fault drain-prod:"));
    expect(warning).toMatch(/was stopped at .* before its planned end .*FIS: "Experiment stopped\."/);
    expect(events).toContainEqual(expect.objectContaining({ type: "warning", message: warning }));
    expect(journal.doc.status).toBe("aborted");
    // Noticed within one interval (5 s) of the stop, not at the planned end 10 minutes in.
    const noticed = events.find((e) => e.type === "warning" && e.message === warning)!.at;
    expect(noticed - stoppedAt).toBeLessThanOrEqual(5_000 + 1_000);
    expect(noticed - startedAt).toBeLessThan(120_000);
    // No on-chaos reading after the stop claims the probe passed through the planned window.
    const onChaos = journal.doc.gameday.probes.find((p) => p.step === "slo-while-drained");
    expect(onChaos?.last === undefined || Date.parse(onChaos.last.at) <= noticed).toBe(true);
    // The rollbacks still ran: the drain was undone and nothing is left in the ledger.
    expect(journal.doc.gameday.rollbackResults.length).toBeGreaterThan(0);
    expect(journal.doc.gameday.rollbackResults.every((x) => x.ok)).toBe(true);
    expect(ledger.pending()).toEqual([]);
  });

  it("a FIS stop condition gameday does not watch (configuration.fisStopAlarms) halts the experiment: aborted, with FIS's reason", async () => {
    r = await rig(stackYaml({ load: "load: { web: [{ constantUsersPerSec: { rate: 20 } }] }" }));
    const { h } = r;
    const cloudwatch = await h.clients.cloudwatch();
    await cloudwatch.send(
      new PutMetricAlarmCommand({ AlarmName: "team-brake", Namespace: "Team/Brake", MetricName: "Pulled", Statistic: "Maximum", Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold" }),
    );
    const arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:team-brake";
    const { journal, ledger, run } = await prepare(r, EXPERIMENT(`{ fisStopAlarms: ["${arn}"] }`), "brakerun");
    const brake = h.clock.sleep(62_500).then(() => cloudwatch.send(new SetAlarmStateCommand({ AlarmName: "team-brake", StateValue: "ALARM", StateReason: "the team pulled the brake" })));
    const result = await run();
    await brake;
    expect(result.exitCode).toBe(3);
    expect(result.summary).toMatch(/aborted: drain-prod's FIS experiment \S+ was stopped at \S+ \(Experiment halted by stop condition\.\)/);
    expect(journal.doc.gameday.stopCondition).toBeUndefined();
    expect(ledger.pending()).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeAlarmsCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { GetExperimentCommand, GetExperimentTemplateCommand } from "@aws-sdk/client-fis";
import { parseExperiment } from "../../src/experiment/index.js";
import { planExperiment } from "../../src/engine/plan.js";
import { probeDirs } from "../../src/engine/probe-loader.js";
import { Journal } from "../../src/engine/journal.js";
import { Ledger } from "../../src/engine/ledger.js";
import { runExperiment } from "../../src/engine/run.js";
import { rig, stackYaml, type Rig } from "../faults/rig.js";

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

const EXPERIMENT = [
  "title: drain half of prod under an SLO",
  "description: the stop condition's alarm halts the drain",
  "method:",
  "  - fault: drain",
  "    target: { cluster: prod }",
  "    with: { percentage: 50, duration: PT2H }",
  "  - pause: PT10M",
  "stop-conditions:",
  "  - probe: http-slo",
  "    name: slo",
  "    with: { service: web, window: PT10S }",
  '    tolerance: { p95: "<= 5s" }',
  "",
].join("\n");

/** A run of `yaml` on the rig's sandbox, as `chaos run` would do it, with its journal and ledger. */
async function prepare(rg: Rig, yaml: string, runId: string, interrupt = new AbortController().signal) {
  const { h } = rg;
  const release = h.clock.hold();
  const plan = await planExperiment(parseExperiment(yaml, "exp.yaml", { env: {} }), { probeDirs: probeDirs("/nonexistent"), region: "us-east-1", accountId: "123456789012" }).finally(release);
  const dir = mkdtempSync(join(tmpdir(), "gameday-stop-alarm-"));
  const ledger = Ledger.create(dir, { runId, experiment: "exp.yaml", title: plan.experiment.title, seed: 7, target: { kind: "sandbox", region: "us-east-1" }, pid: process.pid, startedAt: h.clock.now(), journalPath: join(dir, "journal.json") });
  const journal = new Journal(join(dir, "journal.json"), { experiment: plan.loaded.raw, start: new Date(h.clock.now()).toISOString(), runId, seed: 7, target: { kind: "sandbox", region: "us-east-1" }, clock: "virtual", ledger: ledger.dir, secrets: [] });
  const run = () => runExperiment({ plan, services: rg.services, runId, seed: 7, journal, ledger, interrupt, cwd: dir, accountId: "123456789012" });
  return { journal, ledger, run };
}

describe("a stop condition that became a CloudWatch alarm, on the embedded sandbox", () => {
  it("FIS halts the fault's experiment when the alarm fires; the run stops on it (exit 3), says so, and deletes the alarm", async () => {
    r = await rig(stackYaml({ load: "load: { web: [{ constantUsersPerSec: { rate: 20 } }] }" }));
    const { h } = r;
    const release = h.clock.hold();
    const plan = await planExperiment(parseExperiment(EXPERIMENT, "exp.yaml", { env: {} }), { probeDirs: probeDirs("/nonexistent"), region: "us-east-1", accountId: "123456789012" }).finally(release);
    const dir = mkdtempSync(join(tmpdir(), "gameday-stop-alarm-"));
    const runId = "alarmrun";
    const ledger = Ledger.create(dir, { runId, experiment: "exp.yaml", title: plan.experiment.title, seed: 7, target: { kind: "sandbox", region: "us-east-1" }, pid: process.pid, startedAt: h.clock.now(), journalPath: join(dir, "journal.json") });
    const journal = new Journal(join(dir, "journal.json"), { experiment: plan.loaded.raw, start: new Date(h.clock.now()).toISOString(), runId, seed: 7, target: { kind: "sandbox", region: "us-east-1" }, clock: "virtual", ledger: ledger.dir, secrets: [] });
    const cloudwatch = await h.clients.cloudwatch();
    const fis = await h.clients.fis();
    const alarm = "gameday-alarmrun-slo";
    // An operator's hand on the alarm mid-fault, between two of gameday's readings of it (every 5 s).
    let seenByFis: { stopConditions?: unknown } | undefined;
    const operator = h.clock.sleep(62_500).then(async () => {
      const experimentId = journal.doc.gameday.faults?.[0]?.experimentId;
      const got = await fis.send(new GetExperimentCommand({ id: experimentId! }));
      seenByFis = (await fis.send(new GetExperimentTemplateCommand({ id: got.experiment!.experimentTemplateId! }))).experimentTemplate;
      expect(got.experiment?.state?.status).toBe("running");
      await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: "ALARM", StateReason: "operator says so" }));
    });
    const result = await runExperiment({
      plan,
      services: r.services,
      runId,
      seed: 7,
      journal,
      ledger,
      interrupt: new AbortController().signal,
      cwd: dir,
      accountId: "123456789012",
    });
    await operator;

    const arn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarm}`;
    expect(seenByFis?.stopConditions).toEqual([{ source: "aws:cloudwatch:alarm", value: arn }]);
    expect(result.exitCode).toBe(3);
    expect(journal.doc.gameday.stopCondition).toMatchObject({ probe: "slo", reason: expect.stringMatching(/alarm gameday-alarmrun-slo went to ALARM \(operator says so\)/) });
    const fault = journal.doc.gameday.faults![0]!;
    const got = await fis.send(new GetExperimentCommand({ id: fault.experimentId! }));
    expect(got.experiment?.state).toMatchObject({ status: "stopped", reason: "Experiment halted by stop condition." });
    // The journal says so: the rollback found the experiment already halted by FIS.
    expect(journal.doc.gameday.rollbackResults.map((x) => x.detail)).toContainEqual(expect.stringMatching(new RegExp(`${fault.experimentId} stopped: Experiment halted by stop condition\\.`)));
    expect(journal.doc.gameday.rollbackResults).toContainEqual(expect.objectContaining({ ok: true, detail: `deleted alarm ${alarm}` }));
    expect((await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarm] }))).MetricAlarms).toEqual([]);
    expect(ledger.pending()).toEqual([]);
  });

  it("on a run that holds, the availability (metric math) and latency alarms evaluate the load to OK, stop nothing, and are deleted at the end", async () => {
    r = await rig(stackYaml({ load: "load: { web: [{ constantUsersPerSec: { rate: 20 } }] }" }));
    const yaml = EXPERIMENT.replace("PT2H", "PT1M").replace("PT10M", "PT2M").replace('{ p95: "<= 5s" }', '{ availability: ">= 0.5", p95: "<= 5s" }');
    const { journal, ledger, run } = await prepare(r, yaml, "holdsrun");
    const cloudwatch = await r.h.clients.cloudwatch();
    const names = ["gameday-holdsrun-slo-availability", "gameday-holdsrun-slo-p95"];
    let midway: (string | undefined)[] = [];
    let reasons: (string | undefined)[] = [];
    const look = r.h.clock.sleep(90_000).then(async () => {
      const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }));
      midway = names.map((n) => out.MetricAlarms?.find((a) => a.AlarmName === n)?.StateValue);
      reasons = names.map((n) => out.MetricAlarms?.find((a) => a.AlarmName === n)?.StateReason);
    });
    const result = await run();
    await look;
    expect(midway).toEqual(["OK", "OK"]);
    // Judged on the load's datapoints, not on missing data (which notBreaching would also call OK).
    expect(reasons).toEqual([expect.stringMatching(/1 out of the last 1 datapoints \[0\.\d+ .*was not less than the threshold \(0\.5\)/), expect.stringMatching(/1 out of the last 1 datapoints \[0\.\d+ .*was not greater than the threshold \(5\.0\)/)]);
    expect(result.exitCode).toBe(0);
    expect(journal.doc.gameday.stopCondition).toBeUndefined();
    expect((await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }))).MetricAlarms).toEqual([]);
    expect(ledger.pending()).toEqual([]);
  });

  it("a SIGTERM mid-fault: the rollbacks delete the alarm too", async () => {
    r = await rig(stackYaml({ load: "load: { web: [{ constantUsersPerSec: { rate: 20 } }] }" }));
    const interrupt = new AbortController();
    const { ledger, run } = await prepare(r, EXPERIMENT, "termrun", interrupt.signal);
    const cloudwatch = await r.h.clients.cloudwatch();
    let during: string[] = [];
    const signal = r.h.clock.sleep(30_000).then(async () => {
      during = ((await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "gameday-termrun-" }))).MetricAlarms ?? []).map((a) => a.AlarmName!);
      interrupt.abort("SIGTERM");
    });
    const result = await run();
    await signal;
    expect(during).toEqual(["gameday-termrun-slo"]);
    expect(result.exitCode).toBe(130);
    expect((await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "gameday-termrun-" }))).MetricAlarms).toEqual([]);
    expect(ledger.pending()).toEqual([]);
  });
});

import { vi, describe, expect, it, onTestFinished } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CloudWatchClient, DescribeAlarmsCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { FisClient, GetExperimentCommand } from "@aws-sdk/client-fis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { chaos, ledgerOf, scratch, servesForThisFile, start } from "./cli.js";

// Child processes on a busy 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

const serve = servesForThisFile();

const client = { region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, requestHandler: new NodeHttpHandler() };

/** A long drain guarded by a latency stop condition that an alarm expresses. */
function guardedDrain(dir: string): string {
  const file = join(dir, "guarded-drain.yaml");
  writeFileSync(
    file,
    [
      "title: drain one instance of prod while web holds its latency",
      "description: the stop condition becomes a FIS stop condition",
      "method:",
      "  - fault: drain",
      "    target: { cluster: prod }",
      "    with: { percentage: 16, duration: PT2H }",
      "  - pause: PT30M",
      "stop-conditions:",
      "  - probe: http-slo",
      "    name: web-latency",
      "    with: { service: web, rps: 5, window: PT10S }",
      '    tolerance: { p95: "<= 5s" }',
      "",
    ].join("\n"),
  );
  return file;
}

describe("a stop condition that became a FIS stop condition", () => {
  it("--dry says which stop conditions become alarms FIS stops on and which gameday alone watches", async () => {
    const dir = scratch();
    const file = join(dir, "slo.yaml");
    writeFileSync(
      file,
      [
        "title: t",
        "description: d",
        "method:",
        "  - fault: drain",
        "    target: { cluster: prod }",
        "    with: { percentage: 16, duration: PT2H }",
        "stop-conditions:",
        "  - probe: http-slo",
        "    name: slo",
        "    with: { service: web, window: PT30S }",
        '    tolerance: { availability: ">= 0.95", p95: "<= 300ms", requests: "== 5" }',
        "",
      ].join("\n"),
    );
    const r = await chaos(["run", file, "--dry", "--seed", "1"], { cwd: dir });
    expect(r.code).toBe(0);
    const arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:gameday-slo-00000001-slo";
    expect(r.stdout).toContain(`${arn}-p95: Gameday/LoadGenerator TargetResponseTime p95 {Service=web} GreaterThanThreshold 0.3 over 30 s (stop condition slo: p95 <= 300ms)`);
    expect(r.stdout).toContain(`${arn}-availability: Gameday/LoadGenerator (m2 + m3) / m1 where m1 = RequestCount Sum, m2 = HTTPCode_2XX_Count Sum, m3 = HTTPCode_3XX_Count Sum {Service=web} LessThanThreshold 0.95 over 30 s`);
    expect(r.stdout).toMatch(/watched by gameday alone[^\n]*\n  slo requests: no CloudWatch alarm expresses it/);
    expect(r.stdout).toContain(`"value": "${arn}-p95"`);
  });

  it("halts the experiment after gameday was SIGKILLed; chaos recover deletes the alarm", async () => {
    const s = await serve(["--speed", "30", "--seed", "3"]);
    const dir = scratch();
    const run = start(["run", guardedDrain(dir), "--target", s.endpoint, "--log-format", "plain"], { cwd: dir });
    onTestFinished(() => void run.child.kill("SIGKILL"));
    await run.waitFor(/drain landed/);
    run.child.kill("SIGKILL");
    const killed = await run.done;
    expect(killed.signal).toBe("SIGKILL");

    const entries = ledgerOf(dir) as { op: string; undo?: { type: string; alarmNames?: string[]; experimentId?: string } }[];
    const alarmNames = entries.find((e) => e.undo?.type === "cloudwatch-delete-alarms")?.undo?.alarmNames ?? [];
    expect(alarmNames).toHaveLength(1);
    expect(alarmNames[0]).toMatch(/^gameday-.+-web-latency$/);
    const experimentId = entries.find((e) => e.undo?.type === "fis-stop-experiments" && e.undo.experimentId)?.undo?.experimentId;
    expect(experimentId).toMatch(/^EXP/);

    const cloudwatch = new CloudWatchClient({ ...client, endpoint: s.endpoint });
    const fis = new FisClient({ ...client, endpoint: s.endpoint });
    try {
      expect((await fis.send(new GetExperimentCommand({ id: experimentId }))).experiment?.state?.status).toBe("running");
      // No gameday process is left to stop anything: the alarm alone must halt the drain.
      await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarmNames[0], StateValue: "ALARM", StateReason: "latency through the roof" }));
      let state: { status?: string; reason?: string } | undefined;
      for (let i = 0; i < 200 && state?.status !== "stopped"; i++) {
        state = (await fis.send(new GetExperimentCommand({ id: experimentId }))).experiment?.state;
        if (state?.status !== "stopped") await new Promise((r) => setTimeout(r, 50));
      }
      expect(state).toMatchObject({ status: "stopped", reason: "Experiment halted by stop condition." });

      const r = await chaos(["recover"], { cwd: dir });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`deleted alarm ${alarmNames[0]}`);
      expect((await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: alarmNames }))).MetricAlarms).toEqual([]);
    } finally {
      cloudwatch.destroy();
      fis.destroy();
    }
  });
});

import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { parse } from "yaml";
import { nextFireTimes, parseCron } from "../../src/schedule/cron.js";
import { awsCron, ExportRefused, exportSchedules, githubCron, systemdCalendars } from "../../src/schedule/cron-export.js";
import type { Schedule } from "../../src/schedule/schedules-config.js";

// Export decisions that depend on the year (a zone's offsets) are taken at this instant.
const NOW = Date.parse("2026-06-01T00:00:00Z");

function schedule(name: string, cron: string, timezone = "UTC", extra: Partial<Schedule> = {}): Schedule {
  return { name, cron: parseCron(cron, timezone), kind: "experiment", what: "spot-interrupt", target: "sandbox", vars: {}, where: "gameday.yaml:3", ...extra };
}

describe("EventBridge Scheduler", () => {
  it.each([
    ["0 3 * * 1-5", "cron(0 3 ? * MON-FRI *)"],
    ["*/15 * * * *", "cron(0,15,30,45 * * * ? *)"],
    ["30 9 1,15 * *", "cron(30 9 1,15 * ? *)"],
    ["0 12 L * *", "cron(0 12 L * ? *)"],
    ["0 0 * JAN-MAR SUN", "cron(0 0 ? 1-3 SUN *)"],
    ["0 0 * * 7", "cron(0 0 ? * SUN *)"],
  ])("%s becomes %s", (cron, expected) => {
    expect(awsCron(parseCron(cron)).expression).toBe(expected);
  });

  it("refuses a day of the month together with a day of the week, saying why", () => {
    expect(awsCron(parseCron("0 3 1 * MON")).problem).toMatch(/^AWS cron cannot restrict both the day of the month and the day of the week/);
  });

  it("writes a CloudFormation AWS::Scheduler::Schedule with the time zone and the chaos command line", () => {
    const [file] = exportSchedules([schedule("nightly-spot", "0 3 * * 1-5", "Europe/Berlin", { vars: { cluster: "prod" } })], "eventbridge", NOW);
    expect(file!.text).toContain('Mode: "OFF"');
    const doc = parse(file!.text);
    expect(doc.Resources.ChaosNightlySpotSchedule).toEqual({
      Type: "AWS::Scheduler::Schedule",
      Properties: {
        Name: "chaos-nightly-spot",
        Description: "chaos run spot-interrupt --target sandbox --var cluster=prod",
        ScheduleExpression: "cron(0 3 ? * MON-FRI *)",
        ScheduleExpressionTimezone: "Europe/Berlin",
        FlexibleTimeWindow: { Mode: "OFF" },
        State: "ENABLED",
        Target: { Arn: { Ref: "RunnerArn" }, RoleArn: { Ref: "SchedulerRoleArn" }, Input: JSON.stringify({ command: ["chaos", "run", "spot-interrupt", "--target", "sandbox", "--var", "cluster=prod"] }) },
      },
    });
  });
});

describe("GitHub Actions", () => {
  it("keeps a UTC cron as it is", () => {
    expect(githubCron(parseCron("0 3 * * 1-5"), NOW)).toEqual({ expression: "0 3 * * 1-5" });
  });

  it("shifts the hours of a zone with one whole-hour offset all year, and says so", () => {
    expect(githubCron(parseCron("0 10,22 * * *", "Asia/Tokyo"), NOW)).toEqual({ expression: "0 1,13 * * *", note: "converted from Asia/Tokyo (+09:00 all year) to UTC" });
  });

  it("refuses a zone with daylight saving time, naming both offsets", () => {
    expect(githubCron(parseCron("0 3 * * *", "Europe/Berlin"), NOW).problem).toMatch(/^GitHub Actions schedules run in UTC only, and Europe\/Berlin changes its UTC offset during the year \(\+01:00 in January, \+02:00 in July\)/);
  });

  it("refuses a shift that moves restricted days, and a half-hour zone", () => {
    expect(githubCron(parseCron("0 5 * * MON", "Asia/Tokyo"), NOW).problem).toMatch(/some runs fall on another day/);
    expect(githubCron(parseCron("0 5 * * *", "Asia/Kolkata"), NOW).problem).toMatch(/\+05:30 from UTC, not a whole number of hours/);
  });

  it("export refuses the whole file, listing each schedule with its line and reason", () => {
    let error: unknown;
    try {
      exportSchedules([schedule("ok", "0 3 * * *"), schedule("berlin", "0 3 * * *", "Europe/Berlin"), schedule("month-end", "0 12 L * *")], "github", NOW);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ExportRefused);
    expect((error as ExportRefused).reasons.map((r) => [r.schedule, r.where])).toEqual([
      ["berlin", "gameday.yaml:3"],
      ["month-end", "gameday.yaml:3"],
    ]);
  });

  it("a workflow whose jobs run on their own cron", () => {
    const [file] = exportSchedules([schedule("a", "0 3 * * *"), schedule("b", "30 4 * * 1", "UTC", { kind: "runbook", what: "kinesis-and-spot" })], "github", NOW);
    const wf = parse(file!.text);
    expect(wf.on.schedule).toEqual([{ cron: "0 3 * * *" }, { cron: "30 4 * * 1" }]);
    expect(wf.jobs.b.if).toBe("github.event_name == 'workflow_dispatch' || github.event.schedule == '30 4 * * 1'");
    expect(wf.jobs.b.steps.at(-1).run).toBe("npx chaos gameday kinesis-and-spot --auto --target sandbox");
  });
});

/** What systemd itself computes for OnCalendar= lines: the next `n` elapses of their union. */
function systemdElapses(lines: string[], n: number): number[] {
  const out = execFileSync("systemd-analyze", ["calendar", `--iterations=${n}`, ...lines], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } });
  const times = [...out.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g)].map((m) => Date.parse(`${m[1]!.replace(" ", "T")}Z`));
  return [...new Set(times)].sort((a, b) => a - b).slice(0, n);
}

describe("systemd timers", () => {
  it.each([
    ["0 3 * * 1-5", "Europe/Berlin"],
    ["*/20 8-17 * * *", "America/New_York"],
    ["15 6 1,15 * *", "UTC"],
    ["0 12 L * *", "UTC"],
    ["0 3 13 * FRI", "Asia/Tokyo"],
    ["45 23 * 2,8 SUN", "Australia/Sydney"],
  ])("%s (%s): systemd fires at the same times as the cron", (cron, zone) => {
    const spec = parseCron(cron, zone);
    const lines = systemdCalendars(spec).lines!;
    const fromSystemd = systemdElapses(lines, 8);
    // Compared from systemd's own first elapse, so that neither side reads the wall clock.
    expect(nextFireTimes(spec, fromSystemd[0]! - 1, 8)).toEqual(fromSystemd);
  });

  it("writes a timer and a oneshot service per schedule", () => {
    const files = exportSchedules([schedule("nightly", "0 3 * * 1-5", "Europe/Berlin")], "systemd", NOW);
    expect(files.map((f) => f.name)).toEqual(["chaos-nightly.timer", "chaos-nightly.service"]);
    expect(files[0]!.text).toContain("OnCalendar=Mon..Fri *-*-* 03:00:00 Europe/Berlin\nPersistent=true\n");
    expect(files[1]!.text).toContain("ExecStart=/usr/bin/env chaos run spot-interrupt --target sandbox\n");
  });
});

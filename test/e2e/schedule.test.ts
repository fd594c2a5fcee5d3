/**
 * `chaos schedule`: the schedules: key of gameday.yaml, beside keys other commands read; run-due
 * runs what is due once and reports what it missed; export refuses what a format cannot express.
 */
import { vi, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, scratch } from "./cli.js";
import { checkedLongAgo, quickExperiment } from "./schedule-helpers.js";

vi.setConfig({ testTimeout: 120_000 });

const runs = (dir: string) => (existsSync(join(dir, ".gameday", "runs")) ? readdirSync(join(dir, ".gameday", "runs")) : []);

describe("chaos schedule", () => {
  it("lists the schedules of gameday.yaml beside its other keys, with the next time in their zone; a date that never comes says never", async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, "gameday.yaml"),
      `aws:
  allow: [{ account: "111122223333", regions: [eu-west-1] }]
guardrails: { maxBlastRadius: 50 }
schedules:
  nightly:
    cron: "0 3 * * 1-5"
    timezone: Europe/Berlin
    experiment: spot-interrupt
  never:
    cron: "0 0 31 2 *"
    runbook: kinesis-and-spot
`,
    );
    const r = await chaos(["schedule", "list"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^nightly {2}0 3 \* \* 1-5 \(Europe\/Berlin\) {2}experiment spot-interrupt on sandbox {2}next \d{4}-\d\d-\d\d 03:00 Europe\/Berlin \(\S+T0[12]:00:00\.000Z\)$/m);
    expect(r.stdout).toMatch(/^never {2}0 0 31 2 \* \(UTC\) {2}runbook kinesis-and-spot on sandbox {2}next never$/m);
    const n = await chaos(["schedule", "next", "nightly", "--count", "3"], { cwd: dir });
    expect(n.code).toBe(0);
    expect(n.stdout.split("\n").filter((l) => / 03:00 Europe\/Berlin /.test(l))).toHaveLength(3);
  });

  it("an invalid cron is reported at its line in gameday.yaml, with the field of the expression", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "gameday.yaml"), `schedules:\n  nightly:\n    cron: "0 25 * * *"\n    experiment: spot-interrupt\n`);
    const r = await chaos(["schedule", "list"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('gameday.yaml:3:11: schedules.nightly.cron: expected a cron expression whose field 2 (hour) is 0-23, a list, a range or a step (*/2), found "25" in "0 25 * * *"\n1 error\n');
  });

  it("a bad cron and a bad time zone in the same schedule are reported together", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "gameday.yaml"), `schedules:\n  nightly:\n    cron: "0 25 * * *"\n    timezone: Mars/Base\n    experiment: spot-interrupt\n`);
    const r = await chaos(["schedule", "list"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        'gameday.yaml:3:11: schedules.nightly.cron: expected a cron expression whose field 2 (hour) is 0-23, a list, a range or a step (*/2), found "25" in "0 25 * * *"',
        'gameday.yaml:4:15: schedules.nightly.timezone: expected an IANA time zone such as UTC, Europe/Berlin or America/New_York, found "Mars/Base"',
        "2 errors",
        "",
      ].join("\n"),
    );
  });

  it("a target that is not sandbox, aws or an endpoint URL is reported at its line, by list and export alike, before anything is due", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "gameday.yaml"), `schedules:\n  nightly:\n    cron: "0 3 * * *"\n    experiment: task-kill\n    target: awz\n`);
    for (const args of [["schedule", "list"], ["schedule", "export", "--format", "systemd"]]) {
      const r = await chaos(args, { cwd: dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toBe('gameday.yaml:5:13: schedules.nightly.target: expected sandbox, aws, or an endpoint URL http(s)://host:port such as http://127.0.0.1:4566, found "awz"\n1 error\n');
    }
  });

  it("what a schedule names is checked when gameday.yaml is read, all at once at their lines: an unknown experiment, a var it does not take, a missing suite or runbook", async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, "gameday.yaml"),
      [
        "schedules:",
        "  typo:",
        '    cron: "0 3 * * *"',
        "    experiment: spot-interupt",
        "  badvar:",
        '    cron: "0 3 * * *"',
        "    experiment: task-kill",
        "    vars: { servce: web }",
        "  suite:",
        '    cron: "0 3 * * *"',
        "    suite: experiments/suites/nosuch.yaml",
        "  book:",
        '    cron: "0 3 * * *"',
        "    runbook: nosuch-runbook",
        "  fine:",
        '    cron: "0 3 * * *"',
        "    experiment: task-kill",
        "",
      ].join("\n"),
    );
    for (const args of [["schedule", "list"], ["schedule", "export", "--format", "systemd"], ["schedule", "run-due", "fine"]]) {
      const r = await chaos(args, { cwd: dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^gameday\.yaml:4:17: schedules\.typo\.experiment: expected .*\(did you mean `spot-interrupt`\?\).*no experiment of that name$/m);
      expect(r.stderr).toMatch(/^gameday\.yaml:8:\d+: schedules\.badvar\.vars\.servce: .*service/m);
      expect(r.stderr).toMatch(/^gameday\.yaml:11:12: schedules\.suite\.suite: expected a suite file, relative to the working directory, found "experiments\/suites\/nosuch\.yaml": no such file$/m);
      expect(r.stderr).toMatch(/^gameday\.yaml:14:14: schedules\.book\.runbook: expected .*, found "nosuch-runbook": no such runbook$/m);
      expect(r.stderr).toMatch(/^4 errors$/m);
    }
    expect(existsSync(join(dir, ".gameday"))).toBe(false);
  });

  it("run-due runs a due schedule once, reports the runs it missed, and a second run-due runs nothing", async () => {
    const dir = scratch();
    quickExperiment(dir, "quick");
    writeFileSync(join(dir, "gameday.yaml"), `schedules:\n  daily:\n    cron: "0 3 * * *"\n    experiment: quick\n  never:\n    cron: "0 0 31 2 *"\n    experiment: quick\n`);
    checkedLongAgo(dir, ["daily"]);
    const first = await chaos(["schedule", "run-due"], { cwd: dir });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^daily: missed 100\+ earlier runs \(not replayed\): 2020-01-01T03:00:00\.000Z, 2020-01-02T03:00:00\.000Z, /m);
    expect(first.stdout).toMatch(/^daily: due at \S+ 03:00 UTC \(\S+\): chaos run quick --target sandbox$/m);
    expect(first.stdout).toMatch(/^daily: held$/m);
    expect(first.stdout).not.toMatch(/^never:/m);
    expect(runs(dir)).toHaveLength(1);
    const state = JSON.parse(readFileSync(join(dir, ".gameday", "schedules", "state.json"), "utf8"));
    expect(state.schedules.daily.lastRun.exitCode).toBe(0);
    expect(Date.parse(state.schedules.daily.lastRun.scheduledFor)).toBeGreaterThan(Date.parse("2020-01-01T00:00:00Z"));

    const second = await chaos(["schedule", "run-due"], { cwd: dir });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^nothing due at /m);
    expect(runs(dir)).toHaveLength(1);
  });

  it("a schedule can run a game day's runbook unattended", async () => {
    const dir = scratch();
    quickExperiment(dir, "quick");
    mkdirSync(join(dir, "experiments", "gamedays"));
    writeFileSync(join(dir, "experiments", "gamedays", "drill.yaml"), `title: Drill\nroles: { facilitator: Ana }\nsteps:\n  - experiment: quick\n`);
    writeFileSync(join(dir, "gameday.yaml"), `schedules:\n  weekly-drill:\n    cron: "30 9 * * WED"\n    runbook: drill\n`);
    checkedLongAgo(dir, ["weekly-drill"]);
    const r = await chaos(["schedule", "run-due"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^weekly-drill: due at .*: chaos gameday drill --auto --target sandbox$/m);
    expect(r.stdout).toMatch(/^game day completed$/m);
    expect(readdirSync(join(dir, ".gameday", "gamedays"))).toHaveLength(1);
  });

  it("without gameday.yaml, says where the schedules go; a damaged state file is named and nothing runs", async () => {
    const dir = scratch();
    const none = await chaos(["schedule", "list"], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr.startsWith(`chaos: no ${join(dir, "gameday.yaml")}: add a schedules: map there, e.g.\n  schedules:\n`), none.stderr).toBe(true);

    quickExperiment(dir, "quick");
    writeFileSync(join(dir, "gameday.yaml"), `schedules:\n  daily:\n    cron: "0 3 * * *"\n    experiment: quick\n`);
    mkdirSync(join(dir, ".gameday", "schedules"), { recursive: true });
    writeFileSync(join(dir, ".gameday", "schedules", "state.json"), "{ not json");
    const damaged = await chaos(["schedule", "run-due"], { cwd: dir });
    expect(damaged.code).toBe(4);
    expect(damaged.stderr).toMatch(/^chaos: \S+state\.json is damaged \(.*\); move it aside to start afresh/);
    expect(runs(dir)).toEqual([]);
  });

  it("export refuses what the format cannot express, naming the schedule's line and the reason; eventbridge keeps the zone", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "gameday.yaml"), `schedules:\n  nightly:\n    cron: "0 3 * * 1-5"\n    timezone: Europe/Berlin\n    experiment: spot-interrupt\n`);
    const gh = await chaos(["schedule", "export", "--format", "github"], { cwd: dir });
    expect(gh.code).toBe(2);
    expect(gh.stderr).toMatch(/^chaos: schedule export --format github: cannot export\ngameday\.yaml:2: schedule nightly: GitHub Actions schedules run in UTC only, and Europe\/Berlin changes its UTC offset/);
    const eb = await chaos(["schedule", "export", "--format", "eventbridge", "--out", "infra"], { cwd: dir });
    expect(eb.code, eb.stderr).toBe(0);
    const cfn = readFileSync(join(dir, "infra", "chaos-schedules.cfn.yaml"), "utf8");
    expect(cfn).toContain("ScheduleExpression: cron(0 3 ? * MON-FRI *)");
    expect(cfn).toContain("ScheduleExpressionTimezone: Europe/Berlin");
    const bad = await chaos(["schedule", "export", "--format", "cron"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('chaos: schedule export: --format: expected eventbridge, github, systemd, found "cron"\n');
  });
});

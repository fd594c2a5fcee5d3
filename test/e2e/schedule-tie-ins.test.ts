/**
 * `chaos schedule run-due` tied to the rest: the guardrail windows of gameday.yaml hold back a due
 * run (reported and recorded with the next allowed time), and a schedule of a suite runs the gate.
 */
import { vi, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, scratch } from "./cli.js";
import { checkedLongAgo, quickExperiment } from "./schedule-helpers.js";

vi.setConfig({ testTimeout: 180_000 });

const two = (n: number) => String(n).padStart(2, "0");

describe("chaos schedule run-due and the guardrail windows", () => {
  it("skips a due run outside the allowed hours, says when the next allowed start is, and records the skip", async () => {
    const dir = scratch();
    quickExperiment(dir, "quick");
    // An allowed half hour two hours from now (UTC): run-due, whenever in this hour it runs, is outside it.
    const hour = (new Date().getUTCHours() + 2) % 24;
    writeFileSync(
      join(dir, "gameday.yaml"),
      // Windows bind runs on AWS: the AWS schedule is skipped (before anything reaches AWS), the
      // sandbox rehearsal beside it runs whatever the hour.
      `guardrails:\n  windows: { timezone: UTC, hours: "${two(hour)}:00-${two(hour)}:30" }\nschedules:\n  hourly:\n    cron: "0 * * * *"\n    experiment: quick\n    target: aws\n  rehearsal:\n    cron: "0 * * * *"\n    experiment: quick\n`,
    );
    checkedLongAgo(dir, ["hourly", "rehearsal"]);
    const r = await chaos(["schedule", "run-due"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^hourly: due at \\S+ \\d\\d:00 UTC \\(\\S+\\): skipped, outside the allowed windows of gameday\\.yaml \\(guardrails\\.windows\\): \\d\\d:\\d\\d is outside ${two(hour)}:00-${two(hour)}:30; next allowed \\S+ ${two(hour)}:00 UTC \\(\\S+T${two(hour)}:00:00\\.000Z\\)$`, "m"),
    );
    expect(r.stdout).not.toMatch(/chaos run quick --target aws/);
    expect(r.stdout).toMatch(/^rehearsal: held$/m);
    expect(readdirSync(join(dir, ".gameday", "runs"))).toHaveLength(1);
    const state = JSON.parse(readFileSync(join(dir, ".gameday", "schedules", "state.json"), "utf8"));
    expect(state.schedules.hourly.lastRun).toBeUndefined();
    expect(state.schedules.hourly.lastSkip.why).toMatch(new RegExp(`is outside ${two(hour)}:00-${two(hour)}:30$`));
    expect(state.schedules.hourly.lastSkip.nextAllowed).toMatch(new RegExp(`T${two(hour)}:00:00\\.000Z$`));
    expect(Date.parse(state.schedules.hourly.lastSkip.nextAllowed)).toBeGreaterThan(Date.parse(state.schedules.hourly.lastSkip.at));
  });

  it("runs a due run inside the allowed window", async () => {
    const dir = scratch();
    quickExperiment(dir, "quick");
    writeFileSync(join(dir, "gameday.yaml"), `guardrails:\n  windows: { timezone: UTC, hours: "00:00-24:00" }\nschedules:\n  hourly:\n    cron: "0 * * * *"\n    experiment: quick\n`);
    checkedLongAgo(dir, ["hourly"]);
    const r = await chaos(["schedule", "run-due"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^hourly: held$/m);
    expect(readdirSync(join(dir, ".gameday", "runs"))).toHaveLength(1);
  });

  it("a bad window is reported at its line in gameday.yaml (exit 2) and nothing is recorded", async () => {
    const dir = scratch();
    quickExperiment(dir, "quick");
    writeFileSync(join(dir, "gameday.yaml"), `guardrails:\n  windows: { timezone: Mars/Olympus }\nschedules:\n  hourly:\n    cron: "0 * * * *"\n    experiment: quick\n`);
    const r = await chaos(["schedule", "run-due"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^gameday\.yaml:2:\d+: guardrails\.windows\.timezone: expected an IANA time zone such as Europe\/Berlin, found "Mars\/Olympus"$/m);
    expect(existsSync(join(dir, ".gameday", "schedules", "state.json"))).toBe(false);
  });
});

describe("one reader of gameday.yaml", () => {
  it("a file that is not YAML is the same located error for schedule, plan and run", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "gameday.yaml"), "schedules:\n  nightly: [\n");
    const results = await Promise.all([chaos(["schedule", "list"], { cwd: dir }), chaos(["plan", "spot-interrupt"], { cwd: dir }), chaos(["run", "spot-interrupt"], { cwd: dir })]);
    for (const r of results) {
      expect(r.code).toBe(2);
      // At the bracket left open, not at the end of the file where the parser noticed it.
      expect(r.stderr).toMatch(/^gameday\.yaml:2:12: \(document\): expected valid YAML, found a `\[` that is never closed with `\]` \(noticed at line 3: /m);
    }
    expect(existsSync(join(dir, ".gameday", "runs"))).toBe(false);
  });
});

describe("a schedule of a suite", () => {
  it("runs chaos gate on the suite, which writes its JUnit and Markdown", async () => {
    const dir = scratch();
    mkdirSync(join(dir, "experiments", "suites"), { recursive: true });
    writeFileSync(join(dir, "experiments", "suites", "tiny.yaml"), `title: Tiny gate\nexperiments:\n  - experiment: spot-interrupt\n    seeds: [7]\ngate:\n  allHeld: true\n`);
    writeFileSync(join(dir, "gameday.yaml"), `schedules:\n  nightly-gate:\n    cron: "0 2 * * *"\n    suite: experiments/suites/tiny.yaml\n`);
    checkedLongAgo(dir, ["nightly-gate"]);
    const r = await chaos(["schedule", "run-due"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^nightly-gate: due at .*: chaos gate experiments\/suites\/tiny\.yaml$/m);
    expect(r.stdout).toMatch(/^gate: passed \(exit 0\)/m);
    expect(r.stdout).toMatch(/^nightly-gate: held$/m);
    expect(readFileSync(join(dir, ".gameday", "gate", "junit.xml"), "utf8")).toMatch(/<testsuites/);
    expect(readFileSync(join(dir, ".gameday", "gate", "report.md"), "utf8")).toContain("Tiny gate");
    const state = JSON.parse(readFileSync(join(dir, ".gameday", "schedules", "state.json"), "utf8"));
    expect(state.schedules["nightly-gate"].lastRun.exitCode).toBe(0);
  });

  it("refuses vars on a suite at their line (chaos gate takes none)", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "gameday.yaml"), `schedules:\n  nightly-gate:\n    cron: "0 2 * * *"\n    suite: tiny.yaml\n    vars: { a: 1 }\n`);
    const r = await chaos(["schedule", "list"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^gameday\.yaml:5:\d+: schedules\.nightly-gate\.vars: expected vars only with an experiment \(a suite sets its runs' vars itself\), found vars with a suite$/m);
  });
});

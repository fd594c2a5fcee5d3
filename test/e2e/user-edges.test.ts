/**
 * What a new user hit with reports and output: where `chaos report` writes by default, fs errors in
 * words, the journal and report paths under --log-format json, counts and cut lines in words.
 */
import { describe, expect, it, vi } from "vitest";
import { existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, scratch } from "./cli.js";

vi.setConfig({ testTimeout: 120_000 });

function quickExperiment(dir: string): string {
  const file = join(dir, "quick.yaml");
  writeFileSync(file, ["title: quick", "description: d", "method:", "  - pause: PT0.1S", ""].join("\n"));
  return file;
}

/** A finished run in a scratch directory: ./journal.json links to .gameday/runs/<run-id>/journal.json. */
async function ranOnce(): Promise<{ dir: string; runDir: string }> {
  const dir = scratch();
  const r = await chaos(["run", quickExperiment(dir), "--seed", "1", "--log-format", "plain"], { cwd: dir });
  expect([r.code, r.stderr]).toEqual([0, ""]);
  return { dir, runDir: join(dir, ".gameday", "runs", "quick-00000001") };
}

describe("chaos report writes next to the journal by default", () => {
  it("./journal.json, the link a run leaves: in the run's directory it points into, not the working directory", async () => {
    const { dir, runDir } = await ranOnce();
    const r = await chaos(["report", "journal.json"], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toBe("report: .gameday/runs/quick-00000001/report.html\n");
    expect(existsSync(join(runDir, "report.html"))).toBe(true);
    expect(existsSync(join(dir, "report.html"))).toBe(false);
  });

  it("a run's directory: inside it, not in .gameday/runs/ that every run shares", async () => {
    const { dir, runDir } = await ranOnce();
    const r = await chaos(["report", ".gameday/runs/quick-00000001", "--format", "md,json"], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toBe("report: .gameday/runs/quick-00000001/report.md\nreport: .gameday/runs/quick-00000001/report.json\n");
    expect(readdirSync(join(dir, ".gameday", "runs"))).toEqual(["quick-00000001"]);
    expect(existsSync(join(runDir, "report.md"))).toBe(true);
  });

  it("several journals: one report in the working directory, as --help says", async () => {
    const { dir } = await ranOnce();
    const r = await chaos(["report", "journal.json", ".gameday/runs/quick-00000001", "--format", "md"], { cwd: dir });
    expect([r.code, r.stderr, r.stdout]).toEqual([0, "", "report: report.md\n"]);
    const help = await chaos(["report", "--help"], { cwd: dir });
    expect(help.stdout.replace(/\s+/g, " ")).toMatch(/--out-dir <dir>\s+Where the reports go \(default: next to the journal: inside a run's directory given, beside a journal file, a link such as \.\/journal\.json followed to its run's directory; for several journals, one combined report in the working directory\)/);
  });
});

describe("chaos report of a path that does not exist", () => {
  it("says so in words and names the path, not ENOENT", async () => {
    const dir = scratch();
    const r = await chaos(["report", ".gameday/runs/gone"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`.gameday/runs/gone: (file): expected a journal file that can be read, found no such file or directory: ${join(realpathSync(dir), ".gameday", "runs", "gone")}\n`);
    expect(r.stderr).not.toMatch(/ENOENT/);
  });
});

describe("chaos report of JSON that is not a journal", () => {
  it("a package.json: one line naming the file and what a journal is, not an error per missing journal field; nothing written", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "shop", version: "1.0.0", scripts: { test: "vitest" } }, null, 2));
    const r = await chaos(["report", "package.json"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("package.json: (document): expected a gameday run journal (chaos run writes journal.json), found a JSON document without gameday: (its top-level keys: name, version, scripts)\n1 error\n");
    expect(readdirSync(dir)).toEqual(["package.json"]);
  });
});

describe("a file that cannot be read: gameday.yaml, a runbook, an experiment, a var file, a suite, a FIS template", () => {
  it("a directory named gameday.yaml is called a directory, not EISDIR", async () => {
    const dir = scratch();
    mkdirSync(join(dir, "gameday.yaml"));
    const r = await chaos(["run", quickExperiment(dir)], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([2, "gameday.yaml: (document): expected a readable YAML or JSON file, found a directory\n1 error\n"]);
  });

  // A file even root may not read (write-only): /proc/sys/vm/drop_caches, on Linux.
  it.runIf(process.platform === "linux")("a runbook the user may not read says so in words, naming it, not EACCES", async () => {
    const r = await chaos(["gameday", "/proc/sys/vm/drop_caches", "--auto"], { cwd: scratch() });
    expect([r.code, r.stderr]).toEqual([2, "/proc/sys/vm/drop_caches: (document): expected a readable YAML or JSON file, found a file that cannot be read: permission denied: /proc/sys/vm/drop_caches\n1 error\n"]);
  });

  it.runIf(process.platform === "linux")("an experiment, a var file, a suite or a FIS template the user may not read says so in words, naming it, not EACCES", async () => {
    const dir = scratch();
    const unreadable = "/proc/sys/vm/drop_caches";
    const why = `a file that cannot be read: permission denied: ${unreadable}\n`;
    const runs: [string[], string][] = [
      [["validate", unreadable], `${unreadable}: (document): expected a readable experiment file, found ${why}1 error in 1 file\n`],
      [["run", quickExperiment(dir), "--var-file", unreadable], `${unreadable}: (document): expected a readable var file, found ${why}1 error\n`],
      [["gate", unreadable], `${unreadable}: (file): expected a suite file that can be read, found ${why}1 error\n`],
      [["run", "--fis-template", unreadable], `${unreadable}: (document): expected a readable FIS experiment template file (JSON or YAML), found ${why}1 error\n`],
    ];
    for (const [args, stderr] of runs) {
      const r = await chaos(args, { cwd: dir });
      expect([r.code, r.stderr], args.join(" ")).toEqual([2, stderr]);
    }
  });
});

describe("chaos run --log-format json", () => {
  it("logs the journal's and each report's path as events in the JSON stream, as plain prints its journal: and report: lines", async () => {
    const dir = scratch();
    const r = await chaos(["run", quickExperiment(dir), "--seed", "1", "--log-format", "json", "--report", "html,junit"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const events = r.stderr
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const runDir = join(realpathSync(dir), ".gameday", "runs", "quick-00000001");
    const verdict = events.find((e) => e.event === "verdict")!;
    expect(events.slice(-3)).toEqual([
      { level: 30, event: "journal", time: verdict.time, path: join(runDir, "journal.json"), link: join(realpathSync(dir), "journal.json") },
      { level: 30, event: "report", time: verdict.time, format: "html", path: join(runDir, "report.html") },
      { level: 30, event: "report", time: verdict.time, format: "junit", path: join(runDir, "junit.xml") },
    ]);
    for (const e of events.slice(-3)) expect(existsSync(e.path as string)).toBe(true);
  });
});

describe("counts in words", () => {
  it("chaos validate says 1 method step and 1 check, not 1 method steps or 1 checks", async () => {
    const r = await chaos(["validate", "session-cleanup", "capacity-ramp"], { cwd: scratch() });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout.split("\n").map((l) => l.replace(/^ok {2}(\S+): .* \(/, "$1 ("))).toEqual(["session-cleanup (1 method step, 0 faults, 1 check)", "capacity-ramp (1 method step, 0 faults, 2 checks)", ""]);
  });
});

describe("chaos gameday --dry", () => {
  it("ends an announcement cut at its first line with …, and counts the steps in words", async () => {
    const r = await chaos(["gameday", "kinesis-and-spot", "--dry"], { cwd: scratch() });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toContain("announcement: :rotating_light: Game day starting now on the web tier: a spot interruption, then ECS task…");
    expect(lines.at(-1)).toBe("dry run of the day: all 3 steps can run on sandbox as planned; nothing was changed");
  });
});

/// <reference lib="dom" />
/**
 * Reports from journals of real runs of the catalog on the embedded sandbox: the HTML in a real
 * headless browser (Debian's chromium, driven by puppeteer-core), the Markdown through marked's
 * lexer, the JUnit XML through fast-xml-parser against the Ant/Jenkins JUnit schema's structure
 * (https://github.com/windyroad/JUnit-Schema/blob/master/JUnit.xsd).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "puppeteer-core";
import { marked, type Tokens } from "marked";
import { XMLParser } from "fast-xml-parser";
import { chaos, limit, REPO, scratch, type CliResult } from "./cli.js";
import { launchBrowser, openReport, type PageFacts } from "./report-browser.js";
import type { JournalDoc } from "../../src/engine/journal.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

interface Run {
  dir: string;
  result: CliResult;
  journalPath: string;
  journal: JournalDoc;
}

async function run(experiment: string, extra: string[] = []): Promise<Run> {
  const dir = scratch();
  const result = await chaos(["run", experiment, "--seed", "7", "--log-format", "plain", "--report", "html,md", "--report", "junit", ...extra], { cwd: dir });
  const journalPath = join(dir, "journal.json");
  return { dir, result, journalPath, journal: JSON.parse(readFileSync(journalPath, "utf8")) as JournalDoc };
}

let spot: Run;
let taskKill: Run;
let deviated: Run;
let browser: Browser;

beforeAll(async () => {
  const slot = limit(2);
  [spot, taskKill, deviated] = await Promise.all([
    slot(() => run("spot-interrupt")),
    slot(() => run("task-kill")),
    slot(() => run("spot-interrupt", ["--stack", join(REPO, "fixtures", "stacks", "dereg-300.yaml")])),
  ]);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

function reportPaths(r: Run): string[] {
  return [...r.result.stdout.matchAll(/^report: (.+)$/gm)].map((m) => join(r.dir, m[1]!));
}

/** Loads a report in chromium (see report-browser.ts). */
function open(file: string): Promise<PageFacts> {
  return openReport(browser, file);
}

function seriesOf(journal: JournalDoc, step: string, mode: string) {
  const record = journal.gameday.probes.find((p) => p.step === step && p.mode === mode);
  expect(record?.series, `${step} [${mode}] has readings over time in the journal`).toBeDefined();
  return record!.series!;
}

describe("chaos run --report", () => {
  it("writes the reports next to the run's journal and prints their paths", () => {
    expect(spot.result.code).toBe(0);
    expect(deviated.result.code).toBe(1);
    const paths = reportPaths(spot);
    expect(paths.map((p) => p.replace(/.*\//, ""))).toEqual(["report.html", "report.md", "junit.xml"]);
    for (const p of paths) {
      expect(existsSync(p)).toBe(true);
      expect(p.startsWith(join(spot.dir, ".gameday", "runs", spot.journal.gameday.runId))).toBe(true);
    }
  });

  it("refuses an unknown format before anything runs (exit 2)", async () => {
    const dir = scratch();
    const r = await chaos(["run", "spot-interrupt", "--report", "html,pdf"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--report: expected a report format \(html, md, junit, json\), found "pdf"/);
    expect(existsSync(join(dir, ".gameday"))).toBe(false);
  });
});

describe("the HTML report, in a headless browser", () => {
  it("loads with no console error and no network request, and charts what the probes recorded against the faults", async () => {
    const page = await open(reportPaths(spot)[0]!);
    expect(page.consoleErrors).toEqual([]);
    expect(page.foreignRequests).toEqual([]);
    // Latency percentiles, availability and running vs desired tasks, one point per kept reading.
    const latency = page.charts.find((c) => c.id === "web-slo-during/on-chaos/ms")!;
    const recorded = seriesOf(spot.journal, "web-slo-during", "on-chaos");
    expect(latency.series.map((s) => s.name)).toEqual(["p50", "p95", "p99", "max"]);
    // The window the probe was asked for is a constant 30,000 ms: named beside the chart, not drawn.
    expect(latency.constants).toBe("(windowMs = 30000 throughout)");
    for (const s of latency.series) expect(s.points).toBe(recorded.points.filter((p) => p.values[s.name] !== undefined).length);
    expect(page.charts.find((c) => c.id === "web-slo-during/on-chaos/ratio")!.series.map((s) => s.name)).toEqual(["availability"]);
    const tasks = page.charts.find((c) => c.id === "web-keeps-capacity/continuous/count")!;
    expect(tasks.series.map((s) => s.name)).toEqual(expect.arrayContaining(["desired", "running"]));
    expect(tasks.series.find((s) => s.name === "running")!.points).toBe(seriesOf(spot.journal, "web-keeps-capacity", "continuous").points.length);
    // DRAINING instances, with the fault's start and end and the rollbacks marked.
    const draining = page.charts.find((c) => c.id === "drained-in-time/on-chaos/count")!;
    expect(draining.series.map((s) => s.name)).toContain("drained");
    expect(draining.events).toEqual(expect.arrayContaining(["fault-start", "fault-end", "rollback"]));
    // The spot notice (PT2M) is in force until FIS completes the action, two minutes after it was
    // sent; the chaos window runs on to the method's end (a 3-minute pause past the notice).
    const [fault] = spot.journal.gameday.faults;
    const sinceStart = (iso: string) => Date.parse(iso) - Date.parse(spot.journal.start);
    expect(Date.parse(fault!.endedAt!) - Date.parse(fault!.startedAt)).toBeGreaterThanOrEqual(120_000);
    expect(Date.parse(fault!.endedAt!) - Date.parse(fault!.startedAt)).toBeLessThan(125_000);
    expect(Math.abs(sinceStart(fault!.endedAt!) - 178_000)).toBeLessThan(5_000);
    const window = spot.journal.gameday.chaosWindow!;
    expect(sinceStart(window.end!) - sinceStart(fault!.endedAt!)).toBeGreaterThan(50_000);
    const shading = draining.shading;
    expect(shading.faults).toEqual([expect.objectContaining({ step: fault!.step, start: sinceStart(fault!.startedAt), end: sinceStart(fault!.endedAt!) })]);
    expect(shading.faults[0]!.x + shading.faults[0]!.width).toBeLessThan(shading.window!.x + shading.window!.width - 20);
    expect(page.seeds).toEqual(["7"]);
    expect(page.replay).toBe("chaos run spot-interrupt --seed 7");
    expect(page.templates).toBe(1);
    // A PNG: its eight-byte signature, then more than a header's worth of image.
    expect(page.screenshot.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(page.screenshot.length).toBeGreaterThan(10_000);
  });

  it("marks the readings that missed their tolerance in a deviating run", async () => {
    const page = await open(reportPaths(deviated)[0]!);
    expect(page.consoleErrors).toEqual([]);
    const draining = page.charts.find((c) => c.id === "drained-in-time/on-chaos/count")!;
    const killed = draining.series.find((s) => s.name === "tasksKilledByTermination")!;
    const failedInJournal = seriesOf(deviated.journal, "drained-in-time", "on-chaos").points.filter((p) => !p.ok).length;
    expect(failedInJournal).toBeGreaterThan(0);
    expect(killed.failed).toBe(failedInJournal);
  });

  it("gives several journals one page with an overview", async () => {
    const out = scratch();
    const r = await chaos(["report", spot.journalPath, taskKill.journalPath, deviated.journalPath, "--format", "html,md,junit,json", "--out-dir", out], { cwd: out });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const page = await open(join(out, "report.html"));
    expect(page.consoleErrors).toEqual([]);
    expect(page.foreignRequests).toEqual([]);
    expect(page.overviewRows).toBe(3);
    expect(page.seeds).toEqual(["7", "7", "7"]);
  });
});

describe("the Markdown report", () => {
  function tables(md: string): Tokens.Table[] {
    return marked.lexer(md).filter((t): t is Tokens.Table => t.type === "table");
  }

  it("has a row per probe verdict and per steady-state check", () => {
    const md = readFileSync(reportPaths(deviated)[1]!, "utf8");
    const [probes, steady] = tables(md);
    expect(probes!.header.map((h) => h.text)).toEqual(["probe", "mode", "verdict", "readings", "failed", "detail"]);
    expect(probes!.rows.map((r) => `${r[0]!.text} ${r[1]!.text} ${r[2]!.text}`)).toEqual(
      deviated.journal.gameday.probes.map((p) => `${p.step} (${p.probe}) ${p.mode} ${p.verdict === "passed" ? "✅ passed" : "❌ failed"}`),
    );
    expect(steady!.rows.map((r) => r[0]!.text)).toEqual(["before", "after", "after rollbacks"]);
  });

  it("says no probe was read, rather than an empty table, for a run with none", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "quick.yaml"), "title: quick\ndescription: d\nmethod:\n  - pause: PT1S\n");
    expect((await chaos(["run", "quick.yaml", "--seed", "1", "--report", "md"], { cwd: dir })).code).toBe(0);
    const md = readFileSync(join(dir, ".gameday", "runs", readdirSync(join(dir, ".gameday", "runs"))[0]!, "report.md"), "utf8");
    expect(md).toMatch(/# Probe verdicts\n\nNo probe was read\.\n/);
    expect(tables(md).some((t) => t.header[0]?.text === "probe")).toBe(false);
  });

  it("opens a suite with an overview row per run", async () => {
    const out = scratch();
    await chaos(["report", spot.journalPath, deviated.journalPath, "--format", "md", "--out-dir", out], { cwd: out });
    const [overview] = tables(readFileSync(join(out, "report.md"), "utf8"));
    expect(overview!.rows.map((r) => r[1]!.text)).toEqual(["✅ held", "❌ deviated"]);
  });
});

describe("the JUnit XML", () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => ["testsuite", "testcase", "property"].includes(name), parseAttributeValue: false, textNodeName: "text" });

  type Attrs = Record<string, string>;
  type Case = Attrs & { failure?: Attrs & { text?: string }; error?: Attrs; skipped?: unknown };

  /** The structure the Ant JUnit XSD requires (attributes, order-free children, counts). */
  function checkSchema(xml: string): { suites: (Attrs & { testcase: Case[]; properties: { property: Attrs[] } })[] } {
    const doc = parser.parse(xml);
    const suites = doc.testsuites.testsuite as (Attrs & { testcase: Case[]; properties: { property: Attrs[] }; "system-out"?: unknown; "system-err"?: unknown })[];
    suites.forEach((s, i) => {
      for (const a of ["name", "package", "id", "timestamp", "hostname", "tests", "failures", "errors", "time"]) expect(s[a], `testsuite ${i} @${a}`).toBeDefined();
      expect(s.id).toBe(String(i));
      expect(s.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
      expect(s.time).toMatch(/^\d+(\.\d+)?$/);
      expect(s.properties).toBeDefined();
      expect("system-out" in s && "system-err" in s).toBe(true);
      for (const p of s.properties.property) expect((p.name ?? "").length > 0 && typeof p.value === "string").toBe(true);
      for (const c of s.testcase) {
        expect(c.name && c.classname && /^\d+(\.\d+)?$/.test(c.time ?? "")).toBeTruthy();
        expect(["failure", "error", "skipped"].filter((k) => k in c).length).toBeLessThanOrEqual(1);
        if (c.failure) expect(c.failure.type).toBeDefined();
        if (c.error) expect(c.error.type).toBeDefined();
      }
      expect(Number(s.tests)).toBe(s.testcase.length);
      expect(Number(s.failures)).toBe(s.testcase.filter((c) => c.failure).length);
      expect(Number(s.errors)).toBe(s.testcase.filter((c) => c.error).length);
    });
    return { suites };
  }

  it("follows the schema, with a testcase per probe verdict and the deviation as the failure message", () => {
    const { suites } = checkSchema(readFileSync(reportPaths(deviated)[2]!, "utf8"));
    const [suite] = suites;
    const names = suite!.testcase.map((c) => c.name);
    for (const p of deviated.journal.gameday.probes) expect(names).toContain(`${p.step} [${p.mode}]`);
    const failed = suite!.testcase.find((c) => c.name === "drained-in-time [on-chaos]")!;
    expect(failed.failure!.message).toMatch(/readings failed; first: tasksKilledByTermination was 1, expected 0/);
    expect(failed.failure!.text).toMatch(/replay: chaos run spot-interrupt --seed 7 --stack \S+dereg-300\.yaml/);
    expect(suite!.properties.property.find((p) => p.name === "seed")!.value).toBe("7");
    const held = checkSchema(readFileSync(reportPaths(spot)[2]!, "utf8")).suites[0]!;
    expect(held.failures).toBe("0");
  });

  it("says when the run really happened and how long it took (wall clock), not the sandbox's virtual time", () => {
    // The embedded sandbox runs in virtual time: minutes of the run's clock, seconds of real time.
    const wall = spot.journal.gameday.wallClock!;
    expect(spot.journal.duration).toBeGreaterThan(240);
    expect(wall.duration).toBeGreaterThan(0);
    expect(wall.duration).toBeLessThan(60);
    expect(Date.parse(wall.end!) - Date.parse(wall.start)).toBe(Math.round(wall.duration! * 1000));
    const suite = checkSchema(readFileSync(reportPaths(spot)[2]!, "utf8")).suites[0]!;
    expect(suite.timestamp).toBe(wall.start.slice(0, 19));
    expect(suite.time).toBe(wall.duration!.toFixed(3));
    const property = (name: string) => suite.properties.property.find((p) => p.name === name)?.value;
    expect([property("runStart"), property("runDuration"), property("runClock")]).toEqual([spot.journal.start, spot.journal.duration!.toFixed(3), "virtual"]);
  });

  it("carries a replay command that reproduces the deviation", async () => {
    const xml = readFileSync(reportPaths(deviated)[2]!, "utf8");
    const replay = checkSchema(xml).suites[0]!.properties.property.find((p) => p.name === "replay")!.value;
    const [command, ...args] = replay!.split(" ");
    expect(command).toBe("chaos");
    const r = await chaos(args, { cwd: scratch() });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/drained-in-time \[on-chaos\] failed/);
  });
});

describe("chaos report refuses what is not a journal", () => {
  it("names the file, line and field (exit 2), and writes nothing", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "other.json"), JSON.stringify({ start: "x", status: "completed", deviated: false, experiment: {}, gameday: { runId: "r" } }, null, 2));
    const r = await chaos(["report", "other.json", spot.journalPath, "--out-dir", dir], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^other\.json:\d+:\d+: gameday\.seed: expected a number/m);
    expect(existsSync(join(dir, "report.html"))).toBe(false);
  });
});

describe("chaos report --output", () => {
  it("makes the directory it names when missing, as --out-dir does", async () => {
    const dir = scratch();
    const r = await chaos(["report", spot.journalPath, "--format", "md", "--output", "new/sub/spot.md"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("report: new/sub/spot.md\n");
    expect(readFileSync(join(dir, "new", "sub", "spot.md"), "utf8")).toContain(spot.journal.gameday.runId);
  });

  it("refuses a place it cannot write with exit 2 and the path, not an internal error", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "a-file"), "");
    const r = await chaos(["report", spot.journalPath, "--format", "md", "--output", "a-file/spot.md"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^chaos: --output: cannot write the report at .*a-file\/spot\.md: (a file is in the way|not a directory): .*a-file/m);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});

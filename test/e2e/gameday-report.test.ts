/**
 * A game day's reports: the step journals of a rehearsal on the embedded sandbox rendered beside
 * the record (report.html always, `--report` adds formats), the HTML opened in headless chromium.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "puppeteer-core";
import { marked, type Tokens } from "marked";
import { chaos, scratch, type CliResult } from "./cli.js";
import { launchBrowser, openReport } from "./report-browser.js";
import { writeGamedayReports } from "../../src/schedule/gameday-report.js";
import { abortedRecord } from "../schedule/gameday-aborted-record.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const RUNBOOK = `title: Spot drill
roles: { facilitator: Ana }
steps:
  - experiment: spot-interrupt
  - experiment: task-kill
`;

function rehearsal(): string {
  const dir = scratch();
  mkdirSync(join(dir, "experiments", "gamedays"), { recursive: true });
  writeFileSync(join(dir, "experiments", "gamedays", "drill.yaml"), RUNBOOK);
  return dir;
}

let dir: string;
let result: CliResult;
let browser: Browser;

beforeAll(async () => {
  dir = rehearsal();
  result = await chaos(["gameday", "drill", "--auto", "--seed", "7", "--report", "md,junit"], { cwd: dir });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

function printedReports(): string[] {
  return [...result.stdout.matchAll(/^report: (.+)$/gm)].map((m) => join(dir, m[1]!));
}

describe("chaos gameday --report", () => {
  it("writes report.html and the asked-for formats beside record.json and prints their paths", () => {
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const record = /record: (\S+)\/record\.json/.exec(result.stdout)![1]!;
    const paths = printedReports();
    expect(paths).toEqual(["report.html", "report.md", "junit.xml"].map((f) => join(dir, record, f)));
    for (const p of paths) expect(existsSync(p), p).toBe(true);
  });

  it("gives the game day one HTML page with an overview row per step, which loads in chromium with the charts", async () => {
    const page = await openReport(browser, printedReports()[0]!);
    expect(page.consoleErrors).toEqual([]);
    expect(page.foreignRequests).toEqual([]);
    expect(page.overviewRows).toBe(2);
    // Each step has its own seed, the day's seed plus its index.
    expect(page.seeds).toEqual(["7", "8"]);
    expect(page.charts.map((c) => c.id)).toEqual(expect.arrayContaining(["drained-in-time/on-chaos/count"]));
    expect(page.screenshot.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it("opens the page with the record: pre-checks, steps, the steps not run and why, checkpoint answers, notes; escaped, and valid in chromium", async () => {
    // The rehearsal's first step, in the record of a day the facilitator aborted after it.
    const record = JSON.parse(readFileSync(join(dir, /record: (\S+)\/record\.json/.exec(result.stdout)![1]!, "record.json"), "utf8")) as { steps: { journal: string }[] };
    const out = scratch();
    const [html] = writeGamedayReports(out, abortedRecord(record.steps[0]!.journal), [], dir);
    const page = await openReport(browser, html!);
    expect(page.consoleErrors).toEqual([]);
    expect(page.foreignRequests).toEqual([]);
    const parts = Object.fromEntries(page.gamedayParts.map((p) => [p.part, p]));
    expect(page.gamedayParts.map((p) => [p.part, p.heading])).toEqual([
      ["pre-checks", "Pre-checks"],
      ["steps", "Steps"],
      ["not-run", "Steps not run"],
      ["checkpoints", "Checkpoints"],
      ["notes", "Notes"],
    ]);
    expect(parts["pre-checks"]!.rows).toEqual([
      ["dashboards up", "passed", "exit code 0"],
      ["GET http://127.0.0.1:8080/health", "passed", "HTTP 200 <ok>"],
    ]);
    expect(parts.steps!.rows.map((r) => [r[0], r[4]])).toEqual([["1. spot-interrupt", "held"]]);
    expect(parts["not-run"]!.paragraphs).toEqual(["These steps never ran because the day was aborted at step 1 (spot-interrupt): the facilitator aborted at the checkpoint after spot-interrupt: too many <alarms> & pages"]);
    expect(parts["not-run"]!.rows).toEqual([
      ["2. task-kill", "task-kill", "not run"],
      ["3. kinesis-throttle", "../kinesis-throttle.yaml", "not run"],
    ]);
    expect(parts.checkpoints!.rows).toEqual([["2026-04-01T09:12:00.000Z", "spot-interrupt", "web drained & recovered? continue with task-kill?", "abort", "too many <alarms> & pages"]]);
    // A note's markup is text on the page, not a script that ran (no console error, no alert).
    expect(parts.notes!.rows).toEqual([
      ["2026-04-01T09:04:00.000Z", 'p95 <script>alert(1)</script> went to "900ms"'],
      ["2026-04-01T09:11:30.000Z", "nothing odd on the ALB"],
    ]);
    // The step's run follows the record, with its charts.
    expect(page.seeds).toEqual(["7"]);
    expect(page.charts.length).toBeGreaterThan(0);
  });

  it("titles the Markdown report after the game day and lists both steps in its overview", () => {
    const md = readFileSync(printedReports()[1]!, "utf8");
    expect(md.split("\n")[0]).toBe("# Game day: Spot drill (completed)");
    const overview = marked.lexer(md).find((t): t is Tokens.Table => t.type === "table")!;
    expect(overview.rows).toHaveLength(2);
  });

  it("writes report.html without --report, and no other format", async () => {
    const quick = scratch();
    mkdirSync(join(quick, "experiments", "gamedays"), { recursive: true });
    writeFileSync(join(quick, "quick.yaml"), `title: quick\ndescription: quick\nmethod:\n  - type: action\n    name: touch\n    provider: { type: process, path: ${JSON.stringify(process.execPath)}, arguments: ["-e", "1"] }\n`);
    writeFileSync(join(quick, "experiments", "gamedays", "drill.yaml"), "title: Quick\nroles: { facilitator: Ana }\nsteps:\n  - experiment: ../../quick.yaml\n");
    const r = await chaos(["gameday", "drill", "--auto"], { cwd: quick });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const record = join(quick, /record: (\S+)\/record\.json/.exec(r.stdout)![1]!);
    expect(r.stdout).toContain(`report: ${join(record.slice(quick.length + 1), "report.html")}`);
    expect(readFileSync(join(record, "report.html"), "utf8")).toContain("<title>Game day: Quick (completed)</title>");
    expect(existsSync(join(record, "report.md"))).toBe(false);
  });

  it("refuses an unknown format before anything runs (exit 2)", async () => {
    const bad = rehearsal();
    const r = await chaos(["gameday", "drill", "--auto", "--report", "html,pdf"], { cwd: bad });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--report: expected a report format \(html, md, junit, json\), found "pdf"/);
    expect(existsSync(join(bad, ".gameday"))).toBe(false);
  });
});

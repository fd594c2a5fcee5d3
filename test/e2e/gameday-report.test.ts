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

/**
 * A game day's report.html carries what record.md carries, from the same record: the pre-checks
 * and their results, the steps, the steps that never ran and why, the checkpoints' answers with
 * their reasons, and the notes, every text escaped.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordHtml, writeGamedayReports } from "../../src/schedule/gameday-report.js";
import { recordMarkdown } from "../../src/schedule/gameday-record.js";
import { abortedRecord } from "./gameday-aborted-record.js";

/** The HTML of one part of the record (`data-part`), and its table's rows as text cells. */
function partOf(html: string, name: string): { html: string; rows: string[][] } {
  const m = new RegExp(`<section class="gameday-part" data-part="${name}">(.*?)</section>`, "s").exec(html);
  if (!m) throw new Error(`no ${name} part in:\n${html}`);
  const rows = [...m[1]!.matchAll(/<tbody>(.*?)<\/tbody>/gs)].flatMap((b) => [...b[1]!.matchAll(/<tr>(.*?)<\/tr>/gs)].map((r) => [...r[1]!.matchAll(/<td>(.*?)<\/td>/gs)].map((c) => c[1]!.replace(/<[^>]+>/g, ""))));
  return { html: m[1]!, rows };
}

describe("a game day's report.html", () => {
  const html = recordHtml(abortedRecord("one.journal.json"));

  it("lists the pre-checks with their results", () => {
    expect(partOf(html, "pre-checks").rows).toEqual([
      ["dashboards up", "passed", "exit code 0"],
      ["GET http://127.0.0.1:8080/health", "passed", "HTTP 200 &lt;ok&gt;"],
    ]);
  });

  it("lists the steps that ran, and says which never ran and why: where the day was aborted and its reason", () => {
    expect(partOf(html, "steps").rows).toEqual([["1. spot-interrupt", "spot-interrupt", "2026-04-01T09:00:05.000Z", "2026-04-01T09:10:00.000Z", "held", "20m", "one.journal.json"]]);
    const notRun = partOf(html, "not-run");
    expect(notRun.html).toContain("<h3>Steps not run</h3>");
    expect(notRun.html).toContain(
      "These steps never ran because the day was aborted at step 1 (spot-interrupt): the facilitator aborted at the checkpoint after spot-interrupt: too many &lt;alarms&gt; &amp; pages",
    );
    expect(notRun.rows).toEqual([
      ["2. task-kill", "task-kill", "not run"],
      ["3. kinesis-throttle", "../kinesis-throttle.yaml", "not run"],
    ]);
  });

  it("shows each checkpoint's answer and the reason given with it", () => {
    expect(partOf(html, "checkpoints").rows).toEqual([["2026-04-01T09:12:00.000Z", "spot-interrupt", "web drained &amp; recovered? continue with task-kill?", "abort", "too many &lt;alarms&gt; &amp; pages"]]);
  });

  it("shows the notes with their times, escaped", () => {
    expect(partOf(html, "notes").rows).toEqual([
      ["2026-04-01T09:04:00.000Z", "p95 &lt;script&gt;alert(1)&lt;/script&gt; went to &quot;900ms&quot;"],
      ["2026-04-01T09:11:30.000Z", "nothing odd on the ALB"],
    ]);
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<alarms>");
  });

  it("says who, where and the outcome, as record.md does", () => {
    expect(html).toContain("<td>experiments/gamedays/drill.yaml</td><td>sandbox</td><td>Ana</td><td>Bo, Cy</td>");
    expect(html).toContain('<span class="outcome">aborted: the facilitator aborted at the checkpoint after spot-interrupt: too many &lt;alarms&gt; &amp; pages</span>');
  });

  it("leaves out the parts a record does not have, and says when there is no note", () => {
    const quiet = { ...abortedRecord(), status: "completed" as const, preChecks: [], checkpoints: [], notes: [] };
    delete quiet.notRun;
    delete quiet.abortReason;
    const h = recordHtml(quiet);
    expect(h).not.toContain('data-part="pre-checks"');
    expect(h).not.toContain('data-part="not-run"');
    expect(h).not.toContain('data-part="checkpoints"');
    expect(partOf(h, "notes").html).toContain("<p>(none)</p>");
  });

  it("is written at the top of report.html, under the heading and before the runs", () => {
    const dir = mkdtempSync(join(tmpdir(), "gameday-report-"));
    const [path] = writeGamedayReports(dir, abortedRecord(), [], dir);
    const page = readFileSync(path!, "utf8");
    expect(page).toContain("<title>Game day: Spot &lt;drill&gt; (aborted)</title>");
    expect(page.indexOf('<section class="gameday"')).toBeGreaterThan(page.indexOf("<h1>"));
    expect(page).toContain(recordHtml(abortedRecord()));
  });
});

describe("a game day's record.md", () => {
  it("has the same parts: pre-checks, steps not run and why, the checkpoint's reason, the notes; what was typed or printed is text, not HTML", () => {
    const md = recordMarkdown(abortedRecord("one.journal.json"));
    expect(md).toContain("| GET http://127.0.0.1:8080/health | passed: HTTP 200 &lt;ok&gt; |");
    expect(md).toContain("## Steps not run\n\nThese steps never ran because the day was aborted at step 1 (spot-interrupt): the facilitator aborted at the checkpoint after spot-interrupt: too many &lt;alarms&gt; &amp; pages\n\n- 2. task-kill (task-kill): **not run**\n- 3. kinesis-throttle (../kinesis-throttle.yaml): **not run**\n");
    expect(md).toContain("- 2026-04-01T09:12:00.000Z after spot-interrupt: web drained &amp; recovered? continue with task-kill? **abort**: too many &lt;alarms&gt; &amp; pages");
    expect(md).toContain('- 2026-04-01T09:04:00.000Z: p95 &lt;script&gt;alert(1)&lt;/script&gt; went to "900ms"');
  });
});

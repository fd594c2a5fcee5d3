/// <reference lib="dom" />
/**
 * A report opened as a reader opens it: Debian's headless chromium through puppeteer-core, every
 * request but file: and data: refused, and what the page shows read back (charts, overview rows,
 * seeds, templates) with a full-page screenshot. Shared by the report and game-day e2e tests.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";

const CHROMIUM = "/usr/bin/chromium";

export function launchBrowser(): Promise<Browser> {
  // One clear line instead of puppeteer's spawn error: the tests need the real browser, not a stub.
  if (!existsSync(CHROMIUM)) throw new Error(`the HTML report tests open reports in Debian's chromium, and ${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
}

export interface PageFacts {
  consoleErrors: string[];
  foreignRequests: string[];
  charts: {
    id: string;
    series: { name: string; points: number; failed: number }[];
    events: string[];
    constants: string | null;
    /** The shaded spans as drawn (widths in the SVG's units): the chaos window, and each fault's span in force (ms since the start). */
    shading: { window: { x: number; width: number } | null; faults: { step: string; start: number; end: number; x: number; width: number }[] };
  }[];
  overviewRows: number;
  replay: string | null;
  seeds: string[];
  templates: number;
  /** A game day's record parts (section.gameday-part): their heading, paragraphs and table rows, as shown. */
  gamedayParts: { part: string; heading: string; paragraphs: string[]; rows: string[][] }[];
  screenshot: Buffer;
}

/** Loads a report in chromium with every request intercepted: only file: and data: may load. */
export async function openReport(browser: Browser, file: string): Promise<PageFacts> {
  const page = await browser.newPage();
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const url = request.url();
    if (url.startsWith("file:") || url.startsWith("data:")) return void request.continue();
    foreignRequests.push(url);
    void request.abort();
  });
  await page.setViewport({ width: 1200, height: 900 });
  await page.goto(`file://${file}`, { waitUntil: "load" });
  const facts = await page.evaluate(() => ({
    charts: [...document.querySelectorAll("svg.chart")].map((svg) => ({
      id: svg.getAttribute("data-chart")!,
      series: [...svg.querySelectorAll("g.series")].map((g) => ({ name: g.getAttribute("data-series")!, points: g.querySelectorAll("circle.point").length, failed: g.querySelectorAll("circle.point.failed").length })),
      events: [...svg.querySelectorAll("line.event")].map((l) => l.getAttribute("data-kind")!),
      constants: svg.closest("figure")?.querySelector(".constants")?.textContent ?? null,
      shading: {
        window: ((r) => (r ? { x: Number(r.getAttribute("x")), width: Number(r.getAttribute("width")) } : null))(svg.querySelector("rect.chaos-window")),
        faults: [...svg.querySelectorAll("rect.fault")].map((r) => ({
          step: r.getAttribute("data-step")!,
          start: Number(r.getAttribute("data-start")),
          end: Number(r.getAttribute("data-end")),
          x: Number(r.getAttribute("x")),
          width: Number(r.getAttribute("width")),
        })),
      },
    })),
    overviewRows: document.querySelectorAll("section.overview tbody tr").length,
    replay: document.querySelector("code.replay")?.textContent ?? null,
    seeds: [...document.querySelectorAll(".seed")].map((s) => s.textContent!),
    templates: document.querySelectorAll("pre.fis-template").length,
    gamedayParts: [...document.querySelectorAll("section.gameday > section.gameday-part")].map((s) => ({
      part: s.getAttribute("data-part")!,
      heading: s.querySelector("h3")?.textContent ?? "",
      paragraphs: [...s.querySelectorAll(":scope > p")].map((p) => p.textContent!),
      rows: [...s.querySelectorAll(":scope > table > tbody > tr")].map((tr) => [...(tr as HTMLTableRowElement).cells].map((c) => c.textContent!)),
    })),
  }));
  const dir = mkdtempSync(join(tmpdir(), "gameday-shot-"));
  const shot = join(dir, "report.png");
  await page.screenshot({ path: shot, fullPage: true });
  await page.close();
  return { ...facts, consoleErrors, foreignRequests, screenshot: readFileSync(shot) };
}


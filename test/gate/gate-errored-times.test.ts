/**
 * A run that could not start or left no journal has no times of its own: its JUnit testsuite and
 * testcase take the gate's (when the gate started its `chaos run`, by the gate's clock, and how
 * long it took), not the epoch, which CI would show as a test from 1970.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runGate } from "../../src/gate/gate.js";
import { writeGateOutputs } from "../../src/gate/output.js";
import { RealClock, VirtualClock } from "../../src/time/clock.js";
import { options, suiteOf } from "./fake-runs.js";

const suiteTag = (xml: string, name: string) => new RegExp(`<testsuite name="${name}" [^>]*>`).exec(xml)![0];
const attr = (tag: string, name: string) => new RegExp(` ${name}="([^"]*)"`).exec(tag)![1]!;

describe("the JUnit times of a run that left no journal", () => {
  it("are the gate's: when it started the run, and how long the run took", async () => {
    const start = Date.UTC(2025, 2, 4, 10, 11, 12);
    const clock = new VirtualClock(start);
    const suite = suiteOf(["held", "broken"]);
    const fake = options({ held: { code: 0, verdict: "held", probes: ["passed"] }, broken: { code: 4 } }, { clock });
    // Each `chaos run` takes 2.5 s of the gate's clock: "broken" starts when "held" has ended (--parallel 1).
    const result = await runGate(suite, suite.runs, { ...fake, runChaos: async (args, cwd) => (await clock.sleep(2500), fake.runChaos(args, cwd)) });
    expect(result.outcomes.map((x) => x.report.verdict)).toEqual(["held", "error"]);
    const xml = readFileSync(writeGateOutputs(suite, result, fake.outDir).junit, "utf8");
    const broken = suiteTag(xml, "broken");
    expect(attr(broken, "timestamp")).toBe("2025-03-04T10:11:14");
    expect(attr(broken, "time")).toBe("2.500");
    expect(xml).toMatch(/<testcase name="experiment: broken" classname="gameday.broken" time="2.500">/);
    expect(xml).not.toContain("1970-01-01");
  });

  it("is a real, non-negative duration on the wall clock the CLI gives the gate", async () => {
    const suite = suiteOf(["broken"]);
    const before = Date.now();
    const fake = options({ broken: { code: 4 } }, { clock: new RealClock() });
    const result = await runGate(suite, suite.runs, fake);
    const xml = readFileSync(writeGateOutputs(suite, result, fake.outDir).junit, "utf8");
    const tag = suiteTag(xml, "broken");
    const stamp = Date.parse(`${attr(tag, "timestamp")}Z`);
    // The schema's timestamp has whole seconds.
    expect(stamp).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(stamp).toBeLessThanOrEqual(Date.now());
    const time = Number(attr(tag, "time"));
    expect(Number.isFinite(time)).toBe(true);
    expect(time).toBeGreaterThanOrEqual(0);
    expect(result.outcomes[0]!.report.durationSeconds).toBe(result.outcomes[0]!.seconds);
  });
});

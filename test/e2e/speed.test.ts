/**
 * Scaled real time (--speed) must reach the same verdicts as virtual time. Each scaled run takes real
 * time (the experiment's length divided by 50) but little CPU, so two go side by side; the virtual
 * runs, which are all CPU, go one at a time. bench/speeds.mjs does speeds 1, 10 and 200 by hand.
 */
import { describe, expect, it, vi } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, limit, REPO, scratch } from "./cli.js";

vi.setConfig({ testTimeout: 600_000 });

const SPEED = "50";

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  verdict: string;
  /** Requests in the web-slo window of the steady state before the method. */
  requestsBefore: number | undefined;
}

async function runAt(experiment: string, speed: string | undefined, extra: string[] = []): Promise<Outcome> {
  const dir = scratch();
  const args = ["run", experiment, "--seed", "7", "--log-format", "plain", ...extra, ...(speed ? ["--speed", speed] : [])];
  const r = await chaos(args, { cwd: dir });
  const journal = JSON.parse(readFileSync(join(dir, "journal.json"), "utf8"));
  const slo = journal.steady_states?.before?.probes?.find((p: { activity: { name?: string } }) => p.activity.name === "web-slo");
  return { ...r, verdict: journal.gameday.verdict, requestsBefore: slo?.output?.requests };
}


// A virtual run keeps a core busy, and a scaled run starved of CPU falls behind its clock.
const virtualSlot = limit(1);
const scaledSlot = limit(2);

/** The same experiment in virtual time, then at --speed 50. */
async function bothWays(experiment: string, extra: string[] = []): Promise<{ virtual: Outcome; scaled: Outcome }> {
  const virtual = await virtualSlot(() => runAt(experiment, undefined, extra));
  const scaled = await scaledSlot(() => runAt(experiment, SPEED, extra));
  return { virtual, scaled };
}

function expectSameVerdict({ virtual, scaled }: { virtual: Outcome; scaled: Outcome }, verdict: string, code: number): void {
  expect(virtual.stderr).toBe("");
  expect(scaled.stderr).toBe("");
  expect(scaled.stdout).toMatch(/clock scaled/);
  expect([virtual.verdict, virtual.code]).toEqual([verdict, code]);
  expect([scaled.verdict, scaled.code], scaled.stdout.slice(-3000)).toEqual([verdict, code]);
  // The load generator keeps up: about 100 requests a second over the 30-second window, as in virtual time.
  if (virtual.requestsBefore !== undefined) expect(scaled.requestsBefore).toBeGreaterThan(0.85 * virtual.requestsBefore);
}

describe.concurrent(`catalog experiments at --speed ${SPEED} reach the verdict they reach in virtual time`, () => {
  // The longest first: its scaled run takes about three real minutes.
  it("kinesis-outage holds, shortened to a 2-minute and a 1-minute outage (--var firstOutage, lastOutage; its 2-hour drain stays)", async () => {
    expectSameVerdict(await bothWays("kinesis-outage", ["--var", "firstOutage=PT2M", "--var", "lastOutage=PT1M"]), "held", 0);
  });

  it("spot-interrupt holds", async () => {
    expectSameVerdict(await bothWays("spot-interrupt"), "held", 0);
  });

  it("task-kill holds", async () => {
    expectSameVerdict(await bothWays("task-kill"), "held", 0);
  });

  it("kinesis-throttle holds", async () => {
    expectSameVerdict(await bothWays("kinesis-throttle"), "held", 0);
  });

  it("spot-interrupt still deviates on the dereg-300 stack (AWS's default 300 s deregistration delay)", async () => {
    expectSameVerdict(await bothWays("spot-interrupt", ["--stack", join(REPO, "fixtures", "stacks", "dereg-300.yaml")]), "deviated", 1);
  });
});

describe("--speed boots the stack in virtual time", () => {
  it("at --speed 1 a run starts at once, level with the wall clock, with the stack up (it used to boot for about 90 real seconds first)", async () => {
    const dir = scratch();
    const file = join(dir, "short.yaml");
    writeFileSync(
      file,
      [
        "title: a short look at the web tier in real time",
        "description: steady state over a 5-second window, nothing injected",
        "steady-state-hypothesis:",
        "  title: web serves",
        "  probes:",
        "    - probe: http-slo",
        "      name: web-slo",
        "      with: { service: web, window: PT5S }",
        "method:",
        "  - pause: PT1S",
        "",
      ].join("\n"),
    );
    const before = Date.now();
    const r = await chaos(["run", file, "--speed", "1", "--log-format", "plain"], { cwd: dir });
    const after = Date.now();
    expect(r.stderr).toBe("");
    expect(r.code, r.stdout).toBe(0);
    const journal = JSON.parse(readFileSync(join(dir, "journal.json"), "utf8"));
    expect(journal.gameday.clock).toBe("real");
    // The run's clock is the wall clock's (not back in 2020, not ahead of it), and the run began
    // within seconds of the command, not after the stack's minute and a half of boot in real time.
    const start = Date.parse(journal.start);
    expect(start).toBeGreaterThanOrEqual(before - 5_000);
    expect(start).toBeLessThanOrEqual(after);
    expect(start - before).toBeLessThan(30_000);
    // ... and the stack was up when the run began: a 5-second window of traffic, nothing refused.
    const slo = journal.steady_states.before.probes[0].output;
    expect(slo.requests).toBeGreaterThan(300);
    expect(slo.availability).toBe(1);
  });
});

/**
 * `chaos gate` on a shared target (a sandbox served at --speed 30, as CI would point it at a
 * staging account), and interrupted: SIGINT reaches the running run, which rolls back; no further
 * run starts; the gate exits 130 with the JUnit and Markdown of what it has.
 */
import { afterAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { CLI, markerExperiment, scratch, serveSandbox, start, until, type Served } from "./cli.js";

vi.setConfig({ testTimeout: 240_000 });

// A served run of spot-interrupt takes about 12 real seconds at 30x; a stuck gate is killed.
const WATCHDOG_MS = 150_000;

const serves: Served[] = [];
afterAll(async () => {
  for (const s of serves) {
    s.child.kill("SIGTERM");
    await s.done;
  }
});

async function served(): Promise<Served> {
  const s = await serveSandbox(["--speed", "30", "--seed", "7"]);
  serves.push(s);
  return s;
}

describe("chaos gate --target <served sandbox>", () => {
  it("runs a one-experiment suite through the endpoint and passes, with its JUnit and Markdown", async () => {
    const sandbox = await served();
    const dir = scratch();
    writeFileSync(join(dir, "suite.yaml"), `title: Served gate\nexperiments:\n  - experiment: spot-interrupt\n    seeds: [7]\ngate:\n  allHeld: true\n`);
    const gate = start(["gate", "suite.yaml", "--target", sandbox.endpoint], { cwd: dir });
    const watchdog = setTimeout(() => gate.child.kill("SIGKILL"), WATCHDOG_MS);
    const r = await gate.done.finally(() => clearTimeout(watchdog));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`gate Served gate: 1 run, one at a time on ${sandbox.endpoint}`);
    expect(r.stdout).toMatch(/^\[1\/1\] spot-interrupt \(seed 7\): held in /m);
    const journal = JSON.parse(readFileSync(join(dir, ".gameday", "gate", "journals", "spot-interrupt.json"), "utf8"));
    // The run went through the endpoint on the served sandbox's scaled clock.
    expect(journal.gameday.target.kind).toBe("endpoint");
    expect(journal.gameday.target.clock).toMatch(/^the served sandbox's clock at 30x/);
    const junit = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(dir, ".gameday", "gate", "junit.xml"), "utf8"));
    expect(junit.testsuites).toBeDefined();
    expect(readFileSync(join(dir, ".gameday", "gate", "report.md"), "utf8")).toMatch(/^# Served gate: ✅ gate passed/);
  });

  it.each([
    { signal: "SIGINT" as const, how: "to the process group, as a terminal's Ctrl-C", group: true },
    { signal: "SIGTERM" as const, how: "to the gate alone, as a CI runner cancelling a job", group: false },
    { signal: "SIGHUP" as const, how: "to the gate alone, as a closed terminal or a dropped SSH session", group: false },
  ])("$signal $how reaches the running run, which rolls back; the next run does not start; exit 130 with partial reports", async ({ signal, group }) => {
    const sandbox = await served();
    const dir = scratch();
    const marker = join(dir, "marker");
    markerExperiment(dir, marker);
    writeFileSync(join(dir, "suite.yaml"), `title: Interrupted gate\nexperiments:\n  - experiment: ./marker.yaml\n    seeds: [1]\n  - experiment: spot-interrupt\n    seeds: [7]\ngate:\n  allHeld: true\n`);
    // Its own process group, so that a signal can go to the whole group as a terminal's Ctrl-C does.
    const child = spawn(process.execPath, [CLI, "gate", "suite.yaml", "--target", sandbox.endpoint], { cwd: dir, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    onTestFinished(() => void (child.exitCode === null && process.kill(-child.pid!, "SIGKILL")));
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    const done = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    // The marker experiment pauses PT1H (two real minutes at 30x) after placing its marker.
    await until(() => existsSync(marker), "the first run to place its marker");
    process.kill(group ? -child.pid! : child.pid!, signal);
    expect(await done, stdout).toBe(130);
    expect(stdout).toContain(`${signal}: stopping the gate; the running runs roll back, no further run starts`);
    // The run's declared rollback ran: the marker is gone.
    expect(existsSync(marker)).toBe(false);
    const out = join(dir, ".gameday", "gate");
    const journal = JSON.parse(readFileSync(join(out, "journals", "marker.json"), "utf8"));
    expect(journal.gameday.exitCode).toBe(130);
    expect(existsSync(join(out, "journals", "spot-interrupt.json"))).toBe(false);
    const md = readFileSync(join(out, "report.md"), "utf8");
    expect(md).toMatch(/^# Interrupted gate: ⚠️ gate interrupted \(partial\)/);
    expect(md).toContain(`- spot-interrupt: not run (the gate was interrupted by ${signal})`);
    const junit = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(out, "junit.xml"), "utf8"));
    expect(JSON.stringify(junit)).toContain("marker");
    // The interrupted run could not be judged: it counts 0% in the score (as the README says), not the 100% its probes read.
    expect(stdout).toMatch(/^gate: interrupted \(partial reports\) \(exit 130\)  resilience score 0\.0$/m);
    expect(md).toContain("| marker | 1 | interrupted | — (could not be judged: counts 0%) |");
  });
});

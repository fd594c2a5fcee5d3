import { vi, afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, idleEndpoint, scratch, start, type Running, until, markerExperiment } from "./cli.js";

// Each test runs the CLI as child processes; allow for a busy 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

// An endpoint that accepts connections and answers nothing: these experiments never call AWS, and a
// real-time clock keeps the hour-long pause going until the test ends the run (no sandbox to spend
// the machine's CPU).
let endpoint: { url: string; close: () => Promise<void> };
beforeAll(async () => {
  endpoint = await idleEndpoint();
});
afterAll(() => endpoint.close());

/** Starts the marker experiment and waits until it has changed something and is in its pause. */
async function startMarkerRun(dir: string, seed: string): Promise<{ run: Running; marker: string; runId: string }> {
  const marker = join(dir, "marker");
  const run = start(["run", markerExperiment(dir, marker), "--target", endpoint.url, "--seed", seed, "--log-format", "plain"], { cwd: dir });
  // Never leave an hour-long run behind, whatever the test's outcome.
  onTestFinished(() => void run.child.kill("SIGKILL"));
  await until(() => existsSync(marker), "the marker");
  await run.waitFor(/pause/);
  return { run, marker, runId: `marker-${Number(seed).toString(16).padStart(8, "0")}` };
}

const ledgerLines = (dir: string, runId: string) =>
  readFileSync(join(dir, ".gameday", "runs", runId, "ledger.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { op: string });

describe("chaos recover and a run that is still going", () => {
  it("leaves it alone (its ledger stays open), then recovers it once it was killed", async () => {
    const dir = scratch();
    const { run, marker, runId } = await startMarkerRun(dir, "11");
    const pid = run.child.pid!;

    const scan = await chaos(["recover"], { cwd: dir });
    expect(scan.stderr).toBe("");
    expect(scan.code).toBe(0);
    expect(scan.stdout).toContain(`run ${runId} is still running (pid ${pid} on `);
    expect(scan.stdout).not.toMatch(/declared rollback/);
    expect(existsSync(marker)).toBe(true);
    expect(ledgerLines(dir, runId).some((e) => e.op === "closed" || e.op === "undone")).toBe(false);

    const named = await chaos(["recover", runId], { cwd: dir });
    expect(named.code).toBe(4);
    expect(named.stderr).toMatch(new RegExp(`^chaos: run ${runId} is still running \\(pid ${pid} .*--force`));
    expect(existsSync(marker)).toBe(true);

    // A second run with the same id (same experiment, same seed) must not move the live run's directory.
    const twin = await chaos(["run", join(dir, "marker.yaml"), "--target", endpoint.url, "--seed", "11"], { cwd: dir });
    expect(twin.code).toBe(4);
    expect(twin.stderr).toMatch(new RegExp(`run ${runId} is still going \\(pid ${pid} `));
    expect(readdirSync(join(dir, ".gameday", "runs"))).toEqual([runId]);

    run.child.kill("SIGKILL");
    await run.done;
    const r = await chaos(["recover"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ran 1 declared rollback/);
    expect(existsSync(marker)).toBe(false);
    expect(ledgerLines(dir, runId).at(-1)).toMatchObject({ op: "closed", outcome: "recovered" });
  });

  it("--force recovers a run even though its process looks alive", async () => {
    const dir = scratch();
    const { marker, runId } = await startMarkerRun(dir, "12");
    const r = await chaos(["recover", runId, "--force"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/--force: recovering run .* although the run \(pid \d+ .*\) may still be running it/);
    expect(r.stdout).toMatch(/ran 1 declared rollback/);
    expect(existsSync(marker)).toBe(false);
  });
});

describe("chaos recover after a killed run", () => {
  it("notes the recovery in the killed run's own journal, not in the latest run's", async () => {
    const dir = scratch();
    const { run, marker, runId } = await startMarkerRun(dir, "23");
    run.child.kill("SIGKILL");
    await run.done;
    // Run B: same directory, default journal; journal.json now links to B's.
    const quick = join(dir, "quick.yaml");
    writeFileSync(quick, ["title: quick", "description: d", "method:", "  - pause: PT0.1S", ""].join("\n"));
    const b = await chaos(["run", quick, "--target", endpoint.url, "--seed", "22"], { cwd: dir });
    expect(b.code).toBe(0);
    const before = readFileSync(join(dir, "journal.json"), "utf8");

    const r = await chaos(["recover"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ran 1 declared rollback/);
    expect(readFileSync(join(dir, "journal.json"), "utf8")).toBe(before);
    const own = JSON.parse(readFileSync(join(dir, ".gameday", "runs", runId, "journal.json"), "utf8")) as { status: string; gameday: { recovered?: unknown } };
    expect(own.status).toBe("interrupted");
    expect(own.gameday.recovered).toBeDefined();
    expect(existsSync(marker)).toBe(false);
  });

  it("does not write into a --journal-path that a later run has written to since", async () => {
    const dir = scratch();
    const marker = join(dir, "marker");
    const a = start(["run", markerExperiment(dir, marker), "--target", endpoint.url, "--seed", "21", "--journal-path", "shared.json", "--log-format", "plain"], { cwd: dir });
    onTestFinished(() => void a.child.kill("SIGKILL"));
    await a.waitFor(/pause/);
    a.child.kill("SIGKILL");
    await a.done;
    // Run B: same directory, same journal path (A's lock on it is stale), finishes normally.
    const quick = join(dir, "quick.yaml");
    writeFileSync(quick, ["title: quick", "description: d", "method:", "  - pause: PT0.1S", ""].join("\n"));
    const b = await chaos(["run", quick, "--target", endpoint.url, "--seed", "22", "--journal-path", "shared.json"], { cwd: dir });
    expect(b.code).toBe(0);
    const before = readFileSync(join(dir, "shared.json"), "utf8");

    const r = await chaos(["recover"], { cwd: dir });
    expect(r.code).toBe(0);
    // B's journal says nothing of A's rollbacks; recovery says why it left it alone.
    expect(readFileSync(join(dir, "shared.json"), "utf8")).toBe(before);
    expect(r.stdout).toMatch(/ran 1 declared rollback/);
    expect(r.stdout).toMatch(/journal .*shared\.json is now run quick-00000016's; left as it is/);
    expect(existsSync(marker)).toBe(false);
  });

  it("reports a run directory whose run.json is damaged or missing, and recovers the others", async () => {
    const dir = scratch();
    const { run, marker, runId } = await startMarkerRun(dir, "31");
    run.child.kill("SIGKILL");
    await run.done;
    // Two damaged run directories, sorted before the good one: recovery must go on past them.
    const intent = JSON.stringify({ op: "intent", id: "u1", at: 0, description: "delete FIS experiment template EXT1", undo: { type: "fis-delete-template", templateId: "EXT1" } }) + "\n";
    for (const name of ["broken-a", "broken-b"]) {
      mkdirSync(join(dir, ".gameday", "runs", name), { recursive: true });
      writeFileSync(join(dir, ".gameday", "runs", name, "ledger.jsonl"), intent);
    }
    writeFileSync(join(dir, ".gameday", "runs", "broken-a", "run.json"), '{"runId": "broken-a", "pi');

    const r = await chaos(["recover"], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.stderr).toMatch(/run broken-a: cannot recover: .*broken-a[/\\]run\.json: not valid JSON.*1 undo step is still in/);
    expect(r.stderr).toMatch(/run broken-b: cannot recover: .*broken-b[/\\]run\.json: missing/);
    expect(r.stdout).toContain(`run ${runId} (leaves a marker while it runs), 1 undo step left`);
    expect(r.stdout).toMatch(/ran 1 declared rollback/);
    expect(existsSync(marker)).toBe(false);
  });
});

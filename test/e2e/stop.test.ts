/**
 * `chaos stop --all` against a served sandbox: a run killed with SIGKILL mid-fault leaves its FIS
 * experiment running; the emergency stop finds it by its gameday:run tag and stops it, then
 * recovers the run's ledger here. From another directory (another machine, as far as ledgers go)
 * it stops the experiment all the same.
 */
import { vi, describe, expect, it, onTestFinished } from "vitest";
import { chaos, freePort, scratch, servesForThisFile, start } from "./cli.js";
import { experimentStatus, killedMidDrain } from "./mid-drain.js";

vi.setConfig({ testTimeout: 120_000 });

const serve = servesForThisFile();

describe("chaos stop --all", () => {
  it("stops the FIS experiment of a run killed with SIGKILL, then recovers the run recorded here", async () => {
    const { endpoint, dir, experimentId } = await killedMidDrain(serve, ["--speed", "60", "--seed", "5"]);
    expect(await experimentStatus(endpoint, experimentId)).toBe("running");

    const r = await chaos(["stop", "--all", "--target", endpoint], { cwd: dir });
    // Seen once in CI under load: "1 run(s) not fully recovered"; what failed is on stdout.
    expect(r.stderr, r.stdout).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`stopped FIS experiment ${experimentId}`);
    expect(["stopping", "stopped"]).toContain(await experimentStatus(endpoint, experimentId));
    // The ledger here is finished too: nothing is left for chaos recover.
    const again = await chaos(["recover"], { cwd: dir });
    expect(again.stdout).toContain("nothing to recover");
  });

  it("from a machine without the run's ledger, still stops its experiment", async () => {
    const { endpoint, experimentId } = await killedMidDrain(serve, ["--speed", "60", "--seed", "5"]);
    const r = await chaos(["stop", "--all", "--target", endpoint], { cwd: scratch() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`stopped FIS experiment ${experimentId}`);
    expect(r.stdout).toContain("nothing to recover");
    expect(["stopping", "stopped"]).toContain(await experimentStatus(endpoint, experimentId));
  });

  it("asks for a run id or --all, and for a target", async () => {
    const cwd = scratch();
    const none = await chaos(["stop", "--target", "http://127.0.0.1:9"], { cwd });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--all");
    const noTarget = await chaos(["stop", "--all"], { cwd });
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain("--target aws or an endpoint URL");
    const badRegion = await chaos(["stop", "--all", "--target", "aws", "--region", "us-eest-1"], { cwd });
    expect([badRegion.code, badRegion.stderr]).toEqual([2, expect.stringMatching(/^chaos: stop: --region: expected a region such as "us-east-1".*found "us-eest-1"\n$/)]);
  });

  it("an endpoint nobody listens on is said to be unreachable (exit 4), not the SDK's 'UnknownError'", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await chaos(["stop", "--all", "--target", url], { cwd: scratch() });
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(`chaos: stop: could not list FIS experiments: nothing is listening on ${url} — is \`chaos sandbox serve\` running?\n`);
  });

  it("a run id with no experiment in the account and no ledger here is no such run (exit 2), not a stop", async () => {
    const s = await serve(["--seed", "5"]);
    const r = await chaos(["stop", "spot-interupt-0000002a", "--target", s.endpoint], { cwd: scratch() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^chaos: stop: no such run: no FIS experiment tagged gameday:run=spot-interupt-0000002a is going, and no ledger of it is here/m);
  });
});

describe("chaos recover --orphans", () => {
  it("finds by tag what a run without a ledger here left, stops its experiment and deletes its template", async () => {
    const { endpoint, experimentId } = await killedMidDrain(serve, ["--speed", "60", "--seed", "5"]);
    const elsewhere = scratch();
    const r = await chaos(["recover", "--orphans", "--target", endpoint], { cwd: elsewhere });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`stopped FIS experiment ${experimentId}`);
    expect(r.stdout).toMatch(/deleted FIS experiment template EXT\w+ of run/);
    expect(["stopping", "stopped"]).toContain(await experimentStatus(endpoint, experimentId));
  });

  it("without --target is refused before anything is recovered: the ledgers here are left for a recover that can finish", async () => {
    const { endpoint, dir, experimentId } = await killedMidDrain(serve, ["--speed", "60", "--seed", "5"]);
    const r = await chaos(["recover", "--orphans"], { cwd: dir });
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toMatch(/^chaos: recover --orphans: --target aws or an endpoint URL/);
    expect(await experimentStatus(endpoint, experimentId)).toBe("running");
  });

  it("leaves runs with a ledger here to their ledger", async () => {
    const { endpoint, dir, experimentId } = await killedMidDrain(serve, ["--speed", "60", "--seed", "5"]);
    const r = await chaos(["recover", "--orphans", "--target", endpoint], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/stopped FIS experiment EXP/);
    expect(r.stdout).not.toContain("no ledger here)");
    expect(["stopping", "stopped"]).toContain(await experimentStatus(endpoint, experimentId));
  });
});

describe("chaos stop while the run is still going", () => {
  it("the run notices its fault's experiment was stopped, rolls back and ends aborted (exit 3), not held", async () => {
    const s = await serve(["--speed", "20", "--seed", "5"]);
    const dir = scratch();
    const run = start(["run", "kinesis-throttle", "--target", s.endpoint, "--seed", "78", "--log-format", "plain"], { cwd: dir });
    onTestFinished(() => void run.child.kill("SIGKILL"));
    await run.waitFor(/throttle-app-logs landed/);
    const stop = await chaos(["stop", "--all", "--target", s.endpoint], { cwd: dir });
    expect(stop.code, stop.stdout + stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(/stopped FIS experiment EXP\w+/);
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(/fault throttle-app-logs: FIS experiment EXP\w+ was stopped at \S+, before its planned end/);
    expect(r.stdout).toMatch(/verdict: aborted \(exit 3\)/);
    expect(r.stdout).not.toMatch(/verdict: held/);
  });
});

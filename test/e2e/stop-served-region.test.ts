/**
 * `chaos stop` and `chaos recover --orphans` against a sandbox served in another region than
 * us-east-1 take its region as `chaos run --target` does (it publishes it at /_gameday/clock): they
 * look where the run put its experiment, and a --region or AWS_REGION the sandbox would refuse is
 * refused up front, naming the region it serves, before anything is stopped or recovered.
 */
import { vi, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, chaos, ledgerOf, scratch, servesForThisFile } from "./cli.js";
import { experimentStatus, killedMidDrain } from "./mid-drain.js";

vi.setConfig({ testTimeout: 120_000 });

const serve = servesForThisFile();
/** The default stack moved to eu-west-1 (its Availability Zones with it). */
let euStack = "";
beforeAll(() => {
  const stack = readFileSync(join(REPO, "fixtures/stacks/default.yaml"), "utf8");
  expect(stack).toMatch(/^region: us-east-1$/m);
  euStack = join(scratch(), "eu.yaml");
  writeFileSync(euStack, stack.replaceAll("us-east-1", "eu-west-1"));
});

/** No region from the environment running the tests: the served one is what is taken. */
const noRegion = { AWS_REGION: "", AWS_DEFAULT_REGION: "" };

describe("against a sandbox served in eu-west-1", () => {
  it("chaos stop --all, given no region, stops the run's experiment there", async () => {
    const { endpoint, experimentId } = await killedMidDrain(serve, ["--speed", "60", "--seed", "5", "--stack", euStack], noRegion);
    expect(await experimentStatus(endpoint, experimentId, "eu-west-1")).toBe("running");
    const r = await chaos(["stop", "--all", "--target", endpoint], { cwd: scratch(), env: noRegion });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`stopped FIS experiment ${experimentId}`);
    expect(["stopping", "stopped"]).toContain(await experimentStatus(endpoint, experimentId, "eu-west-1"));
  });

  it("chaos recover --orphans, given no region, stops the experiment and deletes the template there", async () => {
    const { endpoint, experimentId } = await killedMidDrain(serve, ["--speed", "60", "--seed", "5", "--stack", euStack], noRegion);
    const r = await chaos(["recover", "--orphans", "--target", endpoint], { cwd: scratch(), env: noRegion });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`stopped FIS experiment ${experimentId}`);
    expect(r.stdout).toMatch(/deleted FIS experiment template EXT\w+ of run/);
    expect(["stopping", "stopped"]).toContain(await experimentStatus(endpoint, experimentId, "eu-west-1"));
  });

  it("AWS_REGION or --region for another region is refused (exit 4) naming the region served, and nothing is stopped or recovered", async () => {
    const { endpoint, dir, experimentId } = await killedMidDrain(serve, ["--speed", "60", "--seed", "5", "--stack", euStack], noRegion);
    const ledger = ledgerOf(dir);
    const stop = await chaos(["stop", "--all", "--target", endpoint], { cwd: dir, env: { ...noRegion, AWS_REGION: "us-east-1" } });
    expect([stop.code, stop.stdout]).toEqual([4, ""]);
    expect(stop.stderr).toBe(
      `chaos: stop: AWS_REGION us-east-1: the sandbox served at ${endpoint} serves eu-west-1 (its stack's region), and refuses calls signed for another region as AWS does. ` +
        "Run with --region eu-west-1 (or unset AWS_REGION), or serve a stack whose region: is us-east-1.\n",
    );
    const orphans = await chaos(["recover", "--orphans", "--target", endpoint, "--region", "us-east-1"], { cwd: dir, env: noRegion });
    expect([orphans.code, orphans.stdout]).toEqual([4, ""]);
    expect(orphans.stderr).toMatch(/^chaos: recover --orphans: --region us-east-1: the sandbox served at .* serves eu-west-1 .*Run with --region eu-west-1, or/);
    expect(await experimentStatus(endpoint, experimentId, "eu-west-1")).toBe("running");
    // The ledger here was left for a recover that can finish.
    expect(ledgerOf(dir)).toEqual(ledger);
  });
});

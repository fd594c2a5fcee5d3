/**
 * `chaos stop` and `chaos recover --orphans` against a sandbox served in another region than
 * us-east-1 take its region as `chaos run --target` does (it publishes it at /_gameday/clock): they
 * look where the run put its experiment, and a --region or AWS_REGION the sandbox would refuse is
 * refused up front, naming the region it serves, before anything is stopped or recovered.
 */
import { vi, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FisClient, GetExperimentCommand } from "@aws-sdk/client-fis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { REPO, chaos, ledgerOf, scratch, servesForThisFile, start } from "./cli.js";

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

/** A eu-west-1 sandbox and a run against it, SIGKILLed once its drain (a FIS experiment) has landed. */
async function killedMidDrain(): Promise<{ endpoint: string; dir: string; experimentId: string }> {
  const s = await serve(["--speed", "60", "--seed", "5", "--stack", euStack]);
  const dir = scratch();
  const file = join(dir, "drain.yaml");
  writeFileSync(file, ["title: drain half of prod", "method:", "  - fault: drain", "    target: { cluster: prod }", "    with: { percentage: 50, duration: PT2H }", "  - pause: PT10M", ""].join("\n"));
  writeFileSync(join(dir, "gameday.yaml"), "guardrails:\n  maxTargets: { drain: 50% }\n");
  const run = start(["run", file, "--target", s.endpoint, "--log-format", "plain"], { cwd: dir, env: noRegion });
  onTestFinished(() => void run.child.kill("SIGKILL"));
  await run.waitFor(/drain landed/);
  run.child.kill("SIGKILL");
  await run.done;
  const experimentId = ledgerOf(dir).find((e) => e.undo?.type === "fis-stop-experiments" && e.undo.experimentId)!.undo!.experimentId!;
  return { endpoint: s.endpoint, dir, experimentId };
}

async function status(endpoint: string, id: string): Promise<string | undefined> {
  const fis = new FisClient({ region: "eu-west-1", endpoint, credentials: { accessKeyId: "x", secretAccessKey: "x" }, requestHandler: new NodeHttpHandler() });
  try {
    return (await fis.send(new GetExperimentCommand({ id }))).experiment?.state?.status;
  } finally {
    fis.destroy();
  }
}

describe("against a sandbox served in eu-west-1", () => {
  it("chaos stop --all, given no region, stops the run's experiment there", async () => {
    const { endpoint, experimentId } = await killedMidDrain();
    expect(await status(endpoint, experimentId)).toBe("running");
    const r = await chaos(["stop", "--all", "--target", endpoint], { cwd: scratch(), env: noRegion });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`stopped FIS experiment ${experimentId}`);
    expect(["stopping", "stopped"]).toContain(await status(endpoint, experimentId));
  });

  it("chaos recover --orphans, given no region, stops the experiment and deletes the template there", async () => {
    const { endpoint, experimentId } = await killedMidDrain();
    const r = await chaos(["recover", "--orphans", "--target", endpoint], { cwd: scratch(), env: noRegion });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`stopped FIS experiment ${experimentId}`);
    expect(r.stdout).toMatch(/deleted FIS experiment template EXT\w+ of run/);
    expect(["stopping", "stopped"]).toContain(await status(endpoint, experimentId));
  });

  it("AWS_REGION or --region for another region is refused (exit 4) naming the region served, and nothing is stopped or recovered", async () => {
    const { endpoint, dir, experimentId } = await killedMidDrain();
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
    expect(await status(endpoint, experimentId)).toBe("running");
    // The ledger here was left for a recover that can finish.
    expect(ledgerOf(dir)).toEqual(ledger);
  });
});

import { vi, describe, expect, it, onTestFinished } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ECSClient, ListContainerInstancesCommand, UpdateContainerInstancesStateCommand } from "@aws-sdk/client-ecs";
import { FisClient, GetExperimentCommand, StopExperimentCommand } from "@aws-sdk/client-fis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { chaos, ledgerOf, scratch, servesForThisFile, start } from "./cli.js";

// Each test runs the CLI as child processes; allow for a busy 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

const sandboxes = servesForThisFile();

/** A served sandbox (60x real time) on a free port; returns its endpoint. */
async function serve(): Promise<string> {
  const s = await sandboxes(["--speed", "60", "--seed", "5"]);
  return s.endpoint;
}

const client = { region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, requestHandler: new NodeHttpHandler() };

async function withEcs<T>(endpoint: string, f: (ecs: ECSClient) => Promise<T>): Promise<T> {
  const ecs = new ECSClient({ ...client, endpoint });
  try {
    return await f(ecs);
  } finally {
    ecs.destroy();
  }
}

async function draining(endpoint: string): Promise<number> {
  return withEcs(endpoint, async (ecs) => (await ecs.send(new ListContainerInstancesCommand({ cluster: "prod", status: "DRAINING" }))).containerInstanceArns?.length ?? 0);
}

function drainExperiment(dir: string): string {
  const file = join(dir, "drain.yaml");
  writeFileSync(
    file,
    ["title: drain half of prod", "description: and hold it", "method:", "  - fault: drain", "    target: { cluster: prod }", "    with: { percentage: 50, duration: PT2H }", "  - pause: PT10M", ""].join("\n"),
  );
  // Half the cluster is over the default blast-radius cap: this account allows it.
  writeFileSync(join(dir, "gameday.yaml"), "guardrails:\n  maxTargets: { drain: 50% }\n");
  return file;
}

interface Entry {
  op: string;
  id: string;
  ok?: boolean;
  undo?: { type: string; experimentId?: string; containerInstances?: string[] };
}

/** Intents of `type` that nothing has resolved yet: what recovery will carry out. */
function pendingOf(entries: Entry[], type: string): Entry[] {
  const resolved = new Set(entries.filter((e) => e.op === "undone" && e.ok).map((e) => e.id));
  return entries.filter((e) => e.op === "intent" && e.undo?.type === type && !resolved.has(e.id));
}

/** A served sandbox and a run against it, SIGKILLed once its drain has landed. */
async function killedMidDrain(): Promise<{ endpoint: string; dir: string }> {
  const endpoint = await serve();
  const dir = scratch();
  const run = start(["run", drainExperiment(dir), "--target", endpoint, "--log-format", "plain"], { cwd: dir });
  onTestFinished(() => void run.child.kill("SIGKILL"));
  await run.waitFor(/drain landed/);
  run.child.kill("SIGKILL");
  await run.done;
  return { endpoint, dir };
}

describe("a run against a served sandbox (AWS_ENDPOINT_URL-style target)", () => {
  it("is killed mid-drain; chaos recover stops the FIS experiment and returns the instances to ACTIVE", async () => {
    const { endpoint, dir } = await killedMidDrain();
    expect(await draining(endpoint)).toBeGreaterThan(0);

    const r = await chaos(["recover"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/stopped FIS experiment EXP/);
    expect(await draining(endpoint)).toBe(0);
  });

  it("gameday's own undo reactivates what is still DRAINING when FIS did not put it back", async () => {
    const { endpoint, dir } = await killedMidDrain();

    const entries = ledgerOf(dir);
    const [activate] = pendingOf(entries, "ecs-activate-instances");
    const experimentId = pendingOf(entries, "fis-stop-experiments").find((e) => e.undo?.experimentId)?.undo?.experimentId;
    expect(activate?.undo?.containerInstances?.length).toBeGreaterThan(0);
    expect(experimentId).toMatch(/^EXP/);

    // Someone stops the experiment before recovery does (FIS then returns its drained instances to
    // ACTIVE), and the drain comes back on two of them without FIS: a revert FIS did not make, as
    // far as the cluster shows. The sandbox's FIS always reverts, so the test drains them itself.
    const fis = new FisClient({ ...client, endpoint });
    try {
      await fis.send(new StopExperimentCommand({ id: experimentId }));
      for (let i = 0; i < 200; i++) {
        const status = (await fis.send(new GetExperimentCommand({ id: experimentId }))).experiment?.state?.status;
        if (status === "stopped" && (await draining(endpoint)) === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      fis.destroy();
    }
    expect(await draining(endpoint)).toBe(0);
    const again = activate!.undo!.containerInstances!.slice(0, 2);
    await withEcs(endpoint, (ecs) => ecs.send(new UpdateContainerInstancesStateCommand({ cluster: "prod", containerInstances: again, status: "DRAINING" })));
    expect(await draining(endpoint)).toBe(2);

    const r = await chaos(["recover"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`FIS experiment ${experimentId} had already ended`));
    expect(r.stdout).toMatch(/returned 2 container instance\(s\) in prod to ACTIVE/);
    expect(await draining(endpoint)).toBe(0);
    // The ledger says the reactivation ran and succeeded.
    expect(ledgerOf(dir).some((e) => e.op === "undone" && e.id === activate!.id && e.ok)).toBe(true);
  });
});

/**
 * A run killed with SIGKILL while its drain (a FIS experiment) is in force on a served sandbox,
 * for the tests of what cleans up after it (chaos stop, recover --orphans): the experiment is left
 * running, and the run's ledger in `dir` says what it was.
 */
import { onTestFinished } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { FisClient, GetExperimentCommand } from "@aws-sdk/client-fis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { ledgerOf, scratch, start } from "./cli.js";

type Serve = (args: string[]) => Promise<{ endpoint: string }>;

/** Serves with `serveArgs`, runs a drain of half of prod against it with `env`, and kills the run once the drain landed. */
export async function killedMidDrain(serve: Serve, serveArgs: string[], env: Record<string, string> = {}): Promise<{ endpoint: string; dir: string; experimentId: string }> {
  const s = await serve(serveArgs);
  const dir = scratch();
  const file = join(dir, "drain.yaml");
  writeFileSync(file, ["title: drain half of prod", "method:", "  - fault: drain", "    target: { cluster: prod }", "    with: { percentage: 50, duration: PT2H }", "  - pause: PT10M", ""].join("\n"));
  // Half a cluster is over the default blast radius; the run needs it to have something to stop.
  writeFileSync(join(dir, "gameday.yaml"), "guardrails:\n  maxTargets: { drain: 50% }\n");
  const run = start(["run", file, "--target", s.endpoint, "--log-format", "plain"], { cwd: dir, env });
  onTestFinished(() => void run.child.kill("SIGKILL"));
  await run.waitFor(/drain landed/);
  run.child.kill("SIGKILL");
  await run.done;
  const experimentId = ledgerOf(dir).find((e) => e.undo?.type === "fis-stop-experiments" && e.undo.experimentId)!.undo!.experimentId!;
  return { endpoint: s.endpoint, dir, experimentId };
}

/** The FIS experiment's status as the served sandbox in `region` says it. */
export async function experimentStatus(endpoint: string, id: string, region = "us-east-1"): Promise<string | undefined> {
  const fis = new FisClient({ region, endpoint, credentials: { accessKeyId: "x", secretAccessKey: "x" }, requestHandler: new NodeHttpHandler() });
  try {
    return (await fis.send(new GetExperimentCommand({ id }))).experiment?.state?.status;
  } finally {
    fis.destroy();
  }
}

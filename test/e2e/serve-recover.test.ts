import { vi, afterAll, describe, expect, it } from "vitest";
import { createServer } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ECSClient, ListContainerInstancesCommand } from "@aws-sdk/client-ecs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { chaos, scratch, start, type Running } from "./cli.js";

// Each test runs the CLI as child processes; allow for a busy 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

let served: Running | undefined;
afterAll(async () => {
  served?.child.kill("SIGTERM");
  await served?.done;
});

async function draining(endpoint: string): Promise<number> {
  const ecs = new ECSClient({ region: "us-east-1", endpoint, credentials: { accessKeyId: "x", secretAccessKey: "x" }, requestHandler: new NodeHttpHandler() });
  try {
    const out = await ecs.send(new ListContainerInstancesCommand({ cluster: "prod", status: "DRAINING" }));
    return out.containerInstanceArns?.length ?? 0;
  } finally {
    ecs.destroy();
  }
}

describe("a run against a served sandbox (AWS_ENDPOINT_URL-style target)", () => {
  it("is killed mid-drain; chaos recover stops the FIS experiment and returns the instances to ACTIVE", async () => {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    served = start(["sandbox", "serve", "--port", String(port), "--speed", "60", "--seed", "5"], { cwd: scratch() });
    await served.waitFor(/serving on/);

    const dir = scratch();
    const file = join(dir, "drain.yaml");
    writeFileSync(
      file,
      ["title: drain half of prod", "description: and hold it", "method:", "  - fault: drain", "    target: { cluster: prod }", "    with: { percentage: 50, duration: PT2H }", "  - pause: PT10M", ""].join("\n"),
    );
    const run = start(["run", file, "--target", endpoint, "--log-format", "plain"], { cwd: dir });
    await run.waitFor(/drain landed/);
    run.child.kill("SIGKILL");
    await run.done;
    expect(await draining(endpoint)).toBeGreaterThan(0);

    const r = await chaos(["recover"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/stopped FIS experiment EXP/);
    expect(await draining(endpoint)).toBe(0);
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { DescribeServicesCommand, ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { freePort, scratch, start, type Running } from "./cli.js";

vi.setConfig({ testTimeout: 90_000 });

let running: Running | undefined;
afterEach(async () => {
  running?.child.kill("SIGKILL");
  await running?.done;
  running = undefined;
});

/** Rejects when `p` takes longer than `ms` of real time. */
function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe("chaos sandbox serve --speed 1", () => {
  it("boots the stack in virtual time, says so, and serves it booted at wall-clock time", async () => {
    const port = await freePort();
    running = start(["sandbox", "serve", "--port", String(port), "--speed", "1", "--seed", "3"], { cwd: scratch() });
    // Booting in real time took about 90 s; in virtual time it is a second or two (generous for a busy machine).
    await within(30_000, running.waitFor(/serving on/), "serving");
    // At the default speed a run against it takes real minutes: it says so, with the way out.
    await within(5_000, running.waitFor(/\nat 1x its minutes are real: a catalog experiment takes minutes against it \(--speed 10 rehearses ten times faster\)\n/), "the 1x note");
    expect(running.child.exitCode).toBeNull();
    const ecs = new ECSClient({ endpoint: `http://127.0.0.1:${port}`, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, requestHandler: new NodeHttpHandler() });
    try {
      const { services = [] } = await ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web", "worker"] }));
      expect(services.map((s) => [s.serviceName, s.runningCount])).toEqual(services.map((s) => [s.serviceName, s.desiredCount]));
      expect(services.every((s) => (s.desiredCount ?? 0) > 0)).toBe(true);
      // The served clock went live level with the wall clock: what happens now is stamped now.
      const { tasks = [] } = await ecs.send(new RunTaskCommand({ cluster: "prod", taskDefinition: services[1]!.taskDefinition!, count: 1 }));
      expect(Math.abs(tasks[0]!.createdAt!.getTime() - Date.now())).toBeLessThan(15_000);
    } finally {
      ecs.destroy();
    }
    running.child.kill("SIGINT");
    const r = await within(20_000, running.done, "exit after SIGINT");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/booting stack default\.yaml in virtual time… \d+ instances, \d+ tasks running \([\d.]+ virtual minutes, [\d.]+ s\)/);
  });

  it("stops cleanly on SIGTERM while booting: exit 0 by itself, no trace", async () => {
    running = start(["sandbox", "serve", "--port", "0", "--speed", "1", "--seed", "3"], { cwd: scratch() });
    await running.waitFor(/booting stack/);
    running.child.kill("SIGTERM");
    const r = await within(20_000, running.done, "exit after SIGTERM");
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    // The signal lands during the boot, unless the machine was slow enough to let it finish first.
    expect(r.stdout).toMatch(/ interrupted\n$|SIGTERM: stopping the sandbox…\nstopped\n$/);
    expect(r.stdout).not.toMatch(/ interrupted\n[^]/);
  });
});

describe("chaos sandbox serve at a speed this machine cannot keep", () => {
  it("says it fell behind real time and by how much, rather than pass stretched timings off as the stack's", async () => {
    // A virtual day per wall second: the web service's traffic alone is millions of events a second.
    running = start(["sandbox", "serve", "--port", "0", "--speed", "86400", "--seed", "3"], { cwd: scratch() });
    await within(60_000, running.waitFor(/serving on/), "serving");
    await within(30_000, running.waitFor(/\nsandbox fell behind real time: events ran up to [\d.]+ s late .*try a lower --speed\n/), "the lateness line");
    running.child.kill("SIGTERM");
    const r = await within(20_000, running.done, "exit after SIGTERM");
    expect([r.code, r.stderr]).toEqual([0, ""]);
  });
});

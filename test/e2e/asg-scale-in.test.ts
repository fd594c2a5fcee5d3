/**
 * asg-scale-in as a user runs it: `chaos run` on the embedded sandbox and through `--target` on
 * `chaos sandbox serve`, where the scale-in fault, the drain handler and the lifecycle-drain probe
 * only have the Auto Scaling, SNS and ECS APIs. It holds on the default stack, whose group has the
 * seed's lifecycle hook and drain handler (the handler completes the action once the tasks have
 * stopped), and deviates on asg-lifecycle-short-hook.yaml (the 30 s hook expires while a web task
 * is still stopping).
 */
import { describe, expect, it, vi } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, scratch, serveSandbox, start } from "./cli.js";

vi.setConfig({ testTimeout: 300_000 });

const WATCHDOG_MS = 200_000;

async function run(args: string[], experiment = "asg-scale-in"): Promise<{ code: number | null; stdout: string; stderr: string; verdict: string }> {
  const dir = scratch();
  const child = start(["run", experiment, ...args, "--seed", "7", "--log-format", "plain"], { cwd: dir });
  const watchdog = setTimeout(() => child.child.kill("SIGKILL"), WATCHDOG_MS);
  const r = await child.done.finally(() => clearTimeout(watchdog));
  expect(r.signal, r.stdout.slice(-3000)).toBeNull();
  return { ...r, verdict: JSON.parse(readFileSync(join(dir, "journal.json"), "utf8")).gameday.verdict };
}

const stack = (name: string) => join(REPO, "fixtures", "stacks", name);

describe("asg-scale-in", () => {
  it("holds on the embedded default stack: the instance leaves Terminating:Wait with no task left, before the heartbeat timeout", async () => {
    const r = await run([]);
    expect(r.stderr).toBe("");
    expect([r.verdict, r.code], r.stdout.slice(-3000)).toEqual(["held", 0]);
    expect(r.stdout).toMatch(/drained-before-terminated: i-\w+ left Terminating:Wait after about \d+ s \(Terminating:Proceed\); 0 task\(s\) not yet stopped; before the heartbeat timeout/);
    expect(r.stdout).toMatch(/restored Auto Scaling group prod-ecs's desired capacity 5 -> 6/);
  });

  it("deviates on the embedded short-hook stack: the hook expires and a task still stopping is cut short", async () => {
    const r = await run(["--stack", stack("asg-lifecycle-short-hook.yaml")]);
    expect(r.stderr).toBe("");
    expect([r.verdict, r.code], r.stdout.slice(-3000)).toEqual(["deviated", 1]);
    expect(r.stdout).toMatch(/drained-before-terminated \(on-chaos\) tasksCutShort was 1, expected 0/);
  });

  it.each([
    ["the default stack", [], "held", 0],
    ["asg-lifecycle-short-hook.yaml", ["--stack", stack("asg-lifecycle-short-hook.yaml")], "deviated", 1],
  ] as const)("reaches the same verdict through --target on a sandbox served with %s", async (_name, stackArgs, verdict, code) => {
    const sandbox = await serveSandbox(["--speed", "30", "--seed", "7", ...stackArgs]);
    try {
      const r = await run(["--target", sandbox.endpoint]);
      expect(r.stderr).toBe("");
      expect(r.stdout).toMatch(/target endpoint\s+clock scaled/);
      expect([r.verdict, r.code], r.stdout.slice(-3000)).toEqual([verdict, code]);
    } finally {
      sandbox.child.kill("SIGTERM");
      await sandbox.done;
    }
  });

  it("cluster-scale-in (the seed's periodic clean-up) holds on the scaled-out stack, embedded and served: only idle instances go", async () => {
    // Its own stack (the experiment's gameday extension), as `chaos run cluster-scale-in` runs it.
    const embedded = await run([], "cluster-scale-in");
    expect(embedded.stderr).toBe("");
    expect([embedded.verdict, embedded.code], embedded.stdout.slice(-3000)).toEqual(["held", 0]);
    expect(embedded.stdout).toMatch(/desired capacity of prod-ecs 9 -> 8; leaving: i-\w+ Terminat/);
    const sandbox = await serveSandbox(["--speed", "30", "--seed", "7", "--stack", stack("scaled-out.yaml")]);
    try {
      const served = await run(["--target", sandbox.endpoint], "cluster-scale-in");
      expect(served.stderr).toBe("");
      expect([served.verdict, served.code], served.stdout.slice(-3000)).toEqual(["held", 0]);
    } finally {
      sandbox.child.kill("SIGTERM");
      await sandbox.done;
    }
  });
});

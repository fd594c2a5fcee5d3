/**
 * session-cleanup on the embedded sandbox: login clients (the stack's sessions) start a one-off
 * task per session and half of them are killed before their cleanup. A task that stops itself
 * after an idle timeout leaves no orphan; without one (the seed's tool), the run deviates and
 * names the orphans. A sessions section that names an unknown cluster is a located stack error.
 */
import { describe, expect, it, vi } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { chaos, REPO, scratch, servesForThisFile, start } from "./cli.js";

vi.setConfig({ testTimeout: 240_000 });

const serve = servesForThisFile();

const run = (stack: string, cwd = scratch()) =>
  chaos(["run", join(REPO, "experiments/session-cleanup.yaml"), "--stack", stack, "--seed", "3", "--log-format", "plain"], { cwd });

describe("session-cleanup on the embedded sandbox", () => {
  it("holds when the session task stops itself after its idle timeout", async () => {
    const r = await run(join(REPO, "fixtures/stacks/fargate-login.yaml"));
    expect(r.stdout).toMatch(/client of \w+ was killed mid-session/);
    expect(r.stdout).toMatch(/no-orphaned-sessions \(steady-state after\) running=\d+ orphans=0/);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it("deviates when nothing stops the task of a killed client", async () => {
    const r = await run(join(REPO, "fixtures/stacks/fargate-login-forgetful.yaml"));
    expect(r.stdout).toMatch(/no-orphaned-sessions \(steady-state after\) orphans was [1-9]\d*, expected <= 0/);
    expect(r.code, r.stdout + r.stderr).toBe(1);
  });

  it("reports a session naming an unknown cluster at its line", async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, "bad.yaml"),
      [`extends: ${JSON.stringify(join(REPO, "fixtures/stacks/fargate-login.yaml"))}`, "sessions:", "  - { name: s, cluster: nope, taskDefinition: cli, startedBy: x, every: PT1M, length: PT2M }", ""].join("\n"),
    );
    const r = await run("bad.yaml", dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:3:\d+: sessions\[0\]\.cluster: expected one of the clusters "ops", found "nope"/);
  });
});

describe("session-cleanup through --target on chaos sandbox serve", () => {
  it("holds on the served fargate-login stack: the probe reads ListTasks and DescribeTasks over HTTP", async () => {
    const sandbox = await serve(["--speed", "60", "--seed", "3", "--stack", join(REPO, "fixtures/stacks/fargate-login.yaml")]);
    const dir = scratch();
    try {
      const run = start(["run", "session-cleanup", "--seed", "3", "--log-format", "plain", "--target", sandbox.endpoint], { cwd: dir });
      const watchdog = setTimeout(() => run.child.kill("SIGKILL"), 180_000);
      const r = await run.done.finally(() => clearTimeout(watchdog));
      expect(r.signal).toBeNull();
      expect(r.stdout).toMatch(/target endpoint\s+clock scaled/);
      expect(r.stdout).toMatch(/no-orphaned-sessions \(steady-state after\) running=\d+ orphans=0/);
      expect(r.code, r.stdout.slice(-3000) + r.stderr).toBe(0);
    } finally {
      sandbox.child.kill("SIGTERM");
      await sandbox.done;
    }
  });
});

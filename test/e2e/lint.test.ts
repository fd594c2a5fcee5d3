/**
 * `chaos lint` as a user runs it: on the embedded sandbox's stacks (dereg-300 is flagged before
 * anyone runs it), as JSON, through a served sandbox, and with the exit codes its --help lists.
 */
import { describe, expect, it, vi } from "vitest";
import { chaos, freePort, REPO, scratch, serveSandbox } from "./cli.js";

vi.setConfig({ testTimeout: 60_000 });

describe("chaos lint", () => {
  it("flags dereg-300's deregistration budget with the numbers and the document (exit 1)", async () => {
    const r = await chaos(["lint", "--stack", `${REPO}fixtures/stacks/dereg-300.yaml`], { cwd: scratch() });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ spot-deregistration-budget");
    expect(r.stdout).toContain("service web: deregistration delay 300 s + stopTimeout 30 s = 330 s > 120 s spot notice");
    expect(r.stdout).toContain("see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/load-balancer-connection-draining.html");
    expect(r.stdout).toContain("1 finding (1 error, 0 warnings)");
  });

  it("flags asg-lifecycle-short-hook's terminating hook, naming it and both timeouts (exit 1)", async () => {
    const r = await chaos(["lint", "--stack", `${REPO}fixtures/stacks/asg-lifecycle-short-hook.yaml`], { cwd: scratch() });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ lifecycle-hook-budget");
    expect(r.stdout).toContain("lifecycle hook ecs-drain on group prod-ecs: heartbeat timeout 30 s < 330 s to drain service web on cluster prod");
    expect(r.stdout).toContain("global timeout 3000 s");
    expect(r.stdout).toContain("see https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks.html");
  });

  it("is clean on the default stack (exit 0)", async () => {
    const r = await chaos(["lint"], { cwd: REPO });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("0 findings");
  });

  it("--json lists every check with its document, calls and findings", async () => {
    const r = await chaos(["lint", "--json", "--stack", `${REPO}fixtures/stacks/no-drain.yaml`], { cwd: scratch() });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { checks: { id: string; doc: string; calls: string[] }[]; findings: { check: string; resource: string }[]; exitCode: number };
    expect(doc.checks.map((c) => c.id)).toEqual(["spot-deregistration-budget", "spot-drain-configured", "drain-min-healthy", "producer-retries", "lifecycle-hook-budget"]);
    expect(doc.checks.find((c) => c.id === "spot-drain-configured")!.calls).toContain("events:TestEventPattern");
    expect(doc.findings).toEqual([expect.objectContaining({ check: "spot-drain-configured", resource: "cluster prod" })]);
    expect(doc.exitCode).toBe(1);
  });

  it("reads a served sandbox through its AWS APIs alone, as it would read AWS", async () => {
    const served = await serveSandbox(["--speed", "30", "--seed", "7", "--stack", `${REPO}fixtures/stacks/dereg-300.yaml`]);
    try {
      const r = await chaos(["lint", "--target", served.endpoint], { cwd: scratch() });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("deregistration delay 300 s + stopTimeout 30 s = 330 s > 120 s spot notice");
    } finally {
      served.child.kill("SIGTERM");
      await served.done;
    }
  });

  it("usage errors are exit 2; an endpoint where nothing listens is exit 4", async () => {
    const stackOnAws = await chaos(["lint", "--target", "aws", "--region", "us-east-1", "--stack", "x.yaml"], { cwd: scratch() });
    expect(stackOnAws.code).toBe(2);
    expect(stackOnAws.stderr).toContain("--stack applies only to --target sandbox");
    const nobody = await chaos(["lint", "--target", `http://127.0.0.1:${await freePort()}`], { cwd: scratch() });
    expect(nobody.code).toBe(4);
    expect(nobody.stderr).toContain("nothing is listening");
  });
});

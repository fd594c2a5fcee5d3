/**
 * Each lint check against the sandbox, through the same SDK clients it uses on AWS: it fires on a
 * stack built to trip it, naming the resource and the numbers, and stays quiet on the default stack.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { harness, type Harness } from "../sandbox/harness.js";
import { CHECKS, lint } from "../../src/lint/index.js";
import { agentDrainsSpot } from "../../src/lint/checks/spot-drain-configured.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const stackFile = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

async function lintStack(path: string) {
  const file = stackFile(path);
  const h: Harness = await harness(readFileSync(file, "utf8"), { source: file });
  try {
    return (await lint(h.clients)).findings;
  } finally {
    await h.close();
  }
}

describe("chaos lint on the default stack", () => {
  let findings: Awaited<ReturnType<typeof lintStack>>;
  beforeAll(async () => {
    findings = await lintStack("fixtures/stacks/default.yaml");
  });

  it("finds nothing: 5 s deregistration delay, a drain rule, 100/200 % deployment", () => {
    expect(findings).toEqual([]);
  });
});

describe("each check fires on a stack built to trip it", () => {
  it("spot-deregistration-budget: the default 300 s deregistration delay plus 30 s stopTimeout", async () => {
    const findings = await lintStack("fixtures/stacks/dereg-300.yaml");
    expect(findings).toEqual([
      expect.objectContaining({
        check: "spot-deregistration-budget",
        severity: "error",
        resource: "service prod/web",
        message: expect.stringContaining("service web: deregistration delay 300 s + stopTimeout 30 s = 330 s > 120 s spot notice"),
      }),
    ]);
  });

  it("spot-deregistration-budget: a 60 s delay is fine alone, not with a 90 s stopTimeout", async () => {
    const findings = await lintStack("test/fixtures/stacks/lint/long-stop-timeout.yaml");
    expect(findings.map((f) => f.message)).toEqual([expect.stringContaining("deregistration delay 60 s + stopTimeout 90 s = 150 s > 120 s spot notice")]);
  });

  it("spot-drain-configured: no rule and the agent's draining off", async () => {
    const findings = await lintStack("fixtures/stacks/no-drain.yaml");
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ check: "spot-drain-configured", resource: "cluster prod" });
    expect(findings[0]!.message).toMatch(/^cluster prod: 3 spot container instances \(i-[0-9a-f]+, i-[0-9a-f]+, i-[0-9a-f]+\) without ECS_ENABLE_SPOT_INSTANCE_DRAINING=true/);
  });

  it("spot-drain-configured: quiet when the agent drains (user data) even with no rule", async () => {
    expect(await lintStack("test/fixtures/stacks/lint/agent-drains.yaml")).toEqual([]);
  });

  it("drain-min-healthy: minimumHealthyPercent 0 lets a drain stop every task", async () => {
    const findings = await lintStack("test/fixtures/stacks/lint/min-healthy-zero.yaml");
    expect(findings).toEqual([
      expect.objectContaining({
        check: "drain-min-healthy",
        resource: "service prod/web",
        message: "service web: minimumHealthyPercent 0 % of desiredCount 6 keeps 0 tasks running: a drain may stop all 6 tasks before any replacement starts",
      }),
    ]);
  });

  it("drain-min-healthy: 100 % / 100 % leaves a drain no room", async () => {
    const findings = await lintStack("test/fixtures/stacks/lint/no-room.yaml");
    expect(findings.map((f) => f.message)).toEqual([expect.stringContaining("service web: minimumHealthyPercent 100 % and maximumPercent 100 % of desiredCount 6 leave a drain no room")]);
  });

  it("lifecycle-hook-budget: a 30 s heartbeat timeout against 300 s deregistration delay + 30 s stopTimeout", async () => {
    const findings = (await lintStack("fixtures/stacks/asg-lifecycle-short-hook.yaml")).filter((f) => f.check === "lifecycle-hook-budget");
    expect(findings).toEqual([
      expect.objectContaining({
        severity: "error",
        resource: "lifecycle hook prod-ecs/ecs-drain",
        message: expect.stringContaining("lifecycle hook ecs-drain on group prod-ecs: heartbeat timeout 30 s < 330 s to drain service web on cluster prod (deregistration delay 300 s + stopTimeout 30 s); assuming a handler that does not heartbeat"),
      }),
    ]);
    expect(findings[0]!.message).toContain("up to the global timeout 3000 s");
  });

  it("lifecycle-hook-budget: says when even heartbeats cannot reach the drain (3630 s > 3000 s global timeout)", async () => {
    const findings = (await lintStack("test/fixtures/stacks/lint/hook-beyond-global.yaml")).filter((f) => f.check === "lifecycle-hook-budget");
    expect(findings.map((f) => f.message)).toEqual([expect.stringContaining("heartbeat timeout 30 s < 3630 s to drain service web")]);
    expect(findings[0]!.message).toContain("heartbeats cannot save it either: the global timeout is 3000 s");
  });

  it("lifecycle-hook-budget: quiet on the default stack's 900 s heartbeat timeout", async () => {
    expect((await lintStack("fixtures/stacks/default.yaml")).filter((f) => f.check === "lifecycle-hook-budget")).toEqual([]);
  });
});

describe("every check says what it rests on", () => {
  it("has an id, a title, an AWS documentation URL, a severity and the read-only calls it makes", () => {
    for (const c of CHECKS) {
      expect(c.doc).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      expect(c.calls.length).toBeGreaterThan(0);
      for (const call of c.calls) expect(call).toMatch(/^[a-z0-9]+:(List|Describe|Get|Test)[A-Za-z]+$/);
    }
    expect(new Set(CHECKS.map((c) => c.id)).size).toBe(CHECKS.length);
  });
});

describe("reading the agent's spot draining from user data", () => {
  it("sees it set by echo, a heredoc or quotes, and not when commented out or false", () => {
    expect(agentDrainsSpot("#!/bin/bash\necho ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config\n")).toBe(true);
    expect(agentDrainsSpot("#!/bin/bash\ncat <<'EOF' >> /etc/ecs/ecs.config\nECS_CLUSTER=prod\nECS_ENABLE_SPOT_INSTANCE_DRAINING=true\nEOF\n")).toBe(true);
    expect(agentDrainsSpot('echo "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true" >> /etc/ecs/ecs.config')).toBe(true);
    expect(agentDrainsSpot("# echo ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config")).toBe(false);
    expect(agentDrainsSpot("echo ECS_ENABLE_SPOT_INSTANCE_DRAINING=false >> /etc/ecs/ecs.config")).toBe(false);
    expect(agentDrainsSpot("")).toBe(false);
  });
});

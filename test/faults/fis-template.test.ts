import { describe, expect, it } from "vitest";
import fisTemplate, { templateDurationMs } from "../../src/faults/fis-template.js";
import { allReaching } from "../../src/faults/fis-template-guard.js";

describe("templateDurationMs", () => {
  it("is the longest chain of durations along startAfter", () => {
    expect(
      templateDurationMs({
        interrupt: { actionId: "aws:ec2:send-spot-instance-interruptions", parameters: { durationBeforeInterruption: "PT2M" } },
        settle: { actionId: "aws:fis:wait", parameters: { duration: "PT3M" }, startAfter: ["interrupt"] },
        kill: { actionId: "aws:ecs:stop-task", startAfter: ["settle"] },
        side: { actionId: "aws:fis:wait", parameters: { duration: "PT4M" } },
      }),
    ).toBe(300_000);
  });
});

describe("allReaching", () => {
  const fragment = (targets: Record<string, { resourceType: string; selectionMode: string }>, actions: Record<string, { actionId: string; parameters?: Record<string, string> }>) => ({ description: "d", targets, actions });

  it("names ALL selections and disrupt-connectivity with scope all, given or by FIS's default", () => {
    expect(
      allReaching(
        fragment(
          { subnets: { resourceType: "aws:ec2:subnet", selectionMode: "ALL" }, one: { resourceType: "aws:ec2:spot-instance", selectionMode: "COUNT(1)" } },
          { cut: { actionId: "aws:network:disrupt-connectivity", parameters: { duration: "PT1M" } }, cut2: { actionId: "aws:network:disrupt-connectivity", parameters: { duration: "PT1M", scope: "s3" } } },
        ),
      ),
    ).toEqual(["targets.subnets.selectionMode is ALL: every aws:ec2:subnet it identifies", "actions.cut (aws:network:disrupt-connectivity) has scope all (FIS's default): all traffic of its subnets"]);
  });

  it("finds nothing in a template of COUNT and PERCENT selections", () => {
    expect(allReaching(fragment({ t: { resourceType: "aws:ecs:task", selectionMode: "PERCENT(25)" } }, { kill: { actionId: "aws:ecs:stop-task" } }))).toEqual([]);
  });
});

describe("fis-template permissions", () => {
  it("asks for nothing on the team's FIS role, and fis:GetAction for the runner, which asks FIS about each action first", () => {
    const input = { params: { path: "t.json" }, target: {}, configuration: {}, region: "eu-west-1", accountId: "111122223333" };
    expect(fisTemplate.permissions.fis(input)).toEqual([]);
    expect(fisTemplate.permissions.runner(input)).toEqual([expect.objectContaining({ actions: ["fis:GetAction"], resources: ["arn:aws:fis:eu-west-1:111122223333:action/*"] })]);
  });
});

import { describe, expect, it } from "vitest";
import spotInterrupt from "../../src/faults/spot-interrupt.js";
import { templateFor } from "../../src/faults/fis-runner.js";

function template(target: Record<string, unknown>, params: Record<string, unknown> = {}) {
  const fragment = spotInterrupt.compile({
    params: spotInterrupt.params.parse(params),
    target: spotInterrupt.target.parse(target),
    configuration: {},
    region: "us-east-1",
    accountId: "123456789012",
  });
  return templateFor(fragment, { runId: "r", stepName: "s", accountId: "123456789012", configuration: {}, clientToken: "t" });
}

function problems(target: Record<string, unknown>): string[] {
  const r = spotInterrupt.target.safeParse(target);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("spot-interrupt's FIS target", () => {
  it("interrupts every listed instance when no select is given", () => {
    const t = template({ cluster: "prod", instanceIds: ["i-0aaa", "i-0bbb", "i-0ccc"] });
    expect(t.targets.spotInstances).toEqual({
      resourceType: "aws:ec2:spot-instance",
      resourceArns: ["arn:aws:ec2:us-east-1:123456789012:instance/i-0aaa", "arn:aws:ec2:us-east-1:123456789012:instance/i-0bbb", "arn:aws:ec2:us-east-1:123456789012:instance/i-0ccc"],
      selectionMode: "ALL",
    });
    expect(t.description).toMatch(/ALL spot instance/);
  });

  it("keeps an explicit select with instance ids", () => {
    expect(template({ cluster: "prod", instanceIds: ["i-0aaa", "i-0bbb"], select: "COUNT(1)" }).targets.spotInstances!.selectionMode).toBe("COUNT(1)");
  });

  it("picks one tagged instance by default, and applies az as a FIS filter", () => {
    const t = template({ cluster: "prod", tags: { chaos: "ok" }, az: "us-east-1b" });
    expect(t.targets.spotInstances).toEqual({
      resourceType: "aws:ec2:spot-instance",
      resourceTags: { chaos: "ok" },
      filters: [
        { path: "State.Name", values: ["running"] },
        { path: "Placement.AvailabilityZone", values: ["us-east-1b"] },
      ],
      selectionMode: "COUNT(1)",
    });
  });

  it("refuses az with instance ids rather than dropping it (FIS takes no filters with ARNs)", () => {
    expect(problems({ cluster: "prod", instanceIds: ["i-0aaa"], az: "us-east-1a" })).toEqual([
      "az: no az with instanceIds (FIS takes no filters with instance ARNs; list only the instances in that AZ, or use tags with az)",
    ]);
  });

  it("still needs tags or instance ids, and not both", () => {
    expect(problems({ cluster: "prod" })[0]).toMatch(/^tags: tags or instanceIds/);
    expect(problems({ cluster: "prod", tags: { a: "b" }, instanceIds: ["i-0aaa"] })[0]).toMatch(/^instanceIds: either tags or instanceIds/);
    expect(problems({ cluster: "prod", tags: { a: "b" }, select: "SOME(2)" })[0]).toMatch(/^select: ALL, COUNT\(n\) or PERCENT\(n\)/);
  });
});

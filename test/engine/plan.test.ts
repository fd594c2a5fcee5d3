import { describe, expect, it } from "vitest";
import { parseExperiment } from "../../src/experiment/index.js";
import { InvalidInputError, formatInputError } from "../../src/experiment/model.js";
import { planExperiment } from "../../src/engine/plan.js";
import { probeDirs } from "../../src/engine/probe-loader.js";

async function planErrors(yaml: string): Promise<string[]> {
  const loaded = parseExperiment(yaml, "exp.yaml");
  try {
    await planExperiment(loaded, { probeDirs: probeDirs("/nonexistent"), region: "us-east-1", accountId: "123456789012" });
    return [];
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err;
    return err.errors.map(formatInputError);
  }
}

describe("planning", () => {
  it("reports every bad probe and fault parameter at its line and column, all at once", async () => {
    const errors = await planErrors(
      [
        "title: t",
        "description: d",
        "method:",
        "  - fault: spot-interrupt",
        "    target: { cluster: prod, tags: { chaos: ok }, select: SOME(2) }",
        "    with: { durationBeforeInterruption: PT20M }",
        "  - probe: draining",
        "    with: { within: soon }",
        "  - probe: drainnig",
        "  - fault: dns-outage",
        "",
      ].join("\n"),
    );
    expect(errors).toHaveLength(5);
    expect(errors[0]).toMatch(/^exp\.yaml:5:\d+: method\[0\]\.target\.select: expected ALL, COUNT\(n\) or PERCENT\(n\), found "SOME\(2\)"/);
    expect(errors[1]).toMatch(/^exp\.yaml:6:\d+: method\[0\]\.with\.durationBeforeInterruption: expected .*PT2M and PT15M/);
    expect(errors[2]).toMatch(/^exp\.yaml:8:\d+: method\[1\]\.with\.within: expected an ISO 8601 duration/);
    expect(errors[3]).toMatch(/^exp\.yaml:9:\d+: method\[2\]\.probe: expected a known probe, found "drainnig".*known probes: .*draining/);
    expect(errors[4]).toMatch(/^exp\.yaml:10:\d+: method\[3\]\.fault: expected one of spot-interrupt, task-kill, drain/);
  });

  it("explains FIS's limits instead of sending a template FIS would refuse", async () => {
    const errors = await planErrors(["title: t", "description: d", "method:", "  - fault: kinesis-outage", "    target: { role: log-shipper }", "    with: { duration: PT17H }", ""].join("\n"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/exp\.yaml:6:\d+: method\[0\]\.with\.duration: .*12 hours.*two kinesis-outage steps/);
  });

  it("compiles a fault to the FIS template JSON AWS accepts", async () => {
    const loaded = parseExperiment(
      ["title: t", "description: d", "method:", "  - fault: spot-interrupt", "    target: { cluster: prod, tags: { chaos: ok }, az: us-east-1b, select: PERCENT(50) }", ""].join("\n"),
      "exp.yaml",
    );
    const plan = await planExperiment(loaded, { probeDirs: probeDirs("/nonexistent"), region: "us-east-1", accountId: "123456789012" });
    const fault = [...plan.faults.values()][0]!;
    expect(fault.fragment.targets).toEqual({
      spotInstances: {
        resourceType: "aws:ec2:spot-instance",
        resourceTags: { chaos: "ok" },
        filters: [
          { path: "State.Name", values: ["running"] },
          { path: "Placement.AvailabilityZone", values: ["us-east-1b"] },
        ],
        selectionMode: "PERCENT(50)",
      },
    });
    expect(fault.fragment.actions).toEqual({
      interrupt: { actionId: "aws:ec2:send-spot-instance-interruptions", parameters: { durationBeforeInterruption: "PT2M" }, targets: { SpotInstances: "spotInstances" } },
    });
  });
});

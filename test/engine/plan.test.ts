import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseExperiment } from "../../src/experiment/index.js";
import { InvalidInputError, formatInputError } from "../../src/experiment/model.js";
import { planExperiment, withPlanProblems } from "../../src/engine/plan.js";
import { probeDirs } from "../../src/engine/probe-loader.js";

const OPTIONS = { probeDirs: probeDirs("/nonexistent"), region: "us-east-1", accountId: "123456789012" };

/** Every error one round of load-then-plan reports, as `chaos validate` prints them. */
async function allErrors(yaml: string): Promise<string[]> {
  try {
    await planExperiment(parseExperiment(yaml, "exp.yaml", { env: {} }), OPTIONS);
    return [];
  } catch (err) {
    const reported = await withPlanProblems(err, OPTIONS);
    if (!(reported instanceof InvalidInputError)) throw reported;
    return reported.errors.map(formatInputError);
  }
}

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
  it("refuses a configuration.fisRoleArn that is no IAM role ARN, at its line (FIS would refuse it only at the first fault)", async () => {
    const exp = (role: string) => `title: t\ndescription: d\nconfiguration:\n  fisRoleArn: ${role}\nmethod:\n  - pause: PT1S\n`;
    expect(await planErrors(exp("notanarn"))).toEqual(['exp.yaml:4:15: configuration.fisRoleArn: expected an IAM role ARN such as arn:aws:iam::123456789012:role/gameday-fis, found "notanarn"']);
    expect(await planErrors(exp("arn:aws:iam::111122223333:role/teams/chaos-fis"))).toEqual([]);
    expect(await planErrors(exp("arn:aws-us-gov:iam::111122223333:role/gameday-fis"))).toEqual([]);
    // A template's placeholder for the account, as chaos setup plans with.
    expect(await planErrors(exp('"arn:aws:iam::$${AWS::AccountId}:role/chaos-fis"'))).toEqual([]);
    expect(await planErrors(exp("arn:aws:iam::12345:role/x"))).toHaveLength(1);
  });

  it("blames a bad value given by --var on the --var, and a fault parameter's ${name} on where it was set", async () => {
    const yaml = "title: t\ndescription: d\nconfiguration:\n  notice: PT2M\nmethod:\n  - fault: spot-interrupt\n    target: { cluster: prod, tags: { chaos: ok } }\n    with: { durationBeforeInterruption: \"${notice}\" }\n";
    const loaded = parseExperiment(yaml, "exp.yaml", { env: {}, vars: { fisRoleArn: "bad", notice: "PT1M" } });
    let errors: string[] = [];
    try {
      await planExperiment(loaded, OPTIONS);
    } catch (err) {
      if (!(err instanceof InvalidInputError)) throw err;
      errors = err.errors.map(formatInputError);
    }
    expect(errors).toEqual([
      'exp.yaml:3:1: configuration.fisRoleArn: expected an IAM role ARN such as arn:aws:iam::123456789012:role/gameday-fis, found "bad" (set by --var fisRoleArn)',
      'exp.yaml:8:41: method[0].with.durationBeforeInterruption: expected a duration between PT2M and PT15M (FIS\'s range), found "PT1M" (from ${notice}, set by --var notice)',
    ]);
  });

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
    expect(errors[3]).toMatch(/^exp\.yaml:9:\d+: method\[2\]\.probe: expected a known probe: one of .*`draining`.* \(did you mean `draining`\?\), found "drainnig"/);
    expect(errors[4]).toMatch(/^exp\.yaml:10:\d+: method\[3\]\.fault: expected one of spot-interrupt, task-kill, drain/);
  });

  it("suggests the fault or probe a misspelt name most likely meant", async () => {
    const errors = await planErrors(["title: t", "method:", "  - fault: spot-interupt", "  - probe: http-sol", "  - probe: kinesis-helth", ""].join("\n"));
    expect(errors).toEqual([
      expect.stringMatching(/^exp\.yaml:3:12: method\[0\]\.fault: expected one of .*\(did you mean `spot-interrupt`\?\), found "spot-interupt"$/),
      expect.stringMatching(/^exp\.yaml:4:12: method\[1\]\.probe: expected a known probe: one of .*`http-slo`.* \(did you mean `http-slo`\?\), found "http-sol"/),
      expect.stringMatching(/^exp\.yaml:5:12: method\[2\]\.probe: .*\(did you mean `kinesis-health`\?\)/),
    ]);
  });

  it("checks tolerances against what a built-in probe returns: field names, units and ranges, all at once, where they are written", async () => {
    const errors = await planErrors(
      [
        "title: t",
        "steady-state-hypothesis:",
        "  title: h",
        "  probes:",
        "    - probe: http-slo",
        "      with: { service: web }",
        '      tolerance: { availabilty: ">= 0.999", p95: "<= 300" }',
        "    - probe: http-slo",
        "      with: { service: web }",
        "      tolerance:",
        '        availability: ">= 199.9%"',
        '        p99: ">= 2MiB"',
        "        max: true",
        "method:",
        "  - probe: kinesis-health",
        "    with: { stream: logs }",
        '    tolerance: { throttledRecords: "<= 99999999999999999999999", readComplete: "yes" }',
        "  - probe: draining",
        '    tolerance: { maxSecondsToDraining: "<= 2m", lateDrains: 0.5 }',
        "  - probe: service-recovery",
        "    with: { cluster: c, service: s }",
        '    tolerance: ">= 1"',
        "",
      ].join("\n"),
    );
    expect(errors).toEqual([
      expect.stringMatching(/^exp\.yaml:7:20: steady-state-hypothesis\.probes\[0\]\.tolerance\.availabilty: expected a field http-slo returns: one of `requests`, `availability`.* \(did you mean `availability`\?\), found the unknown field `availabilty`$/),
      expect.stringMatching(/^exp\.yaml:7:\d+: steady-state-hypothesis\.probes\[0\]\.tolerance\.p95: expected a duration with its unit, such as "<= 300ms".*`p95` of http-slo is in milliseconds.*found "<= 300"$/),
      expect.stringMatching(/^exp\.yaml:11:23: steady-state-hypothesis\.probes\[1\]\.tolerance\.availability: expected a value from 0% to 100%.*found ">= 199\.9%"$/),
      expect.stringMatching(/^exp\.yaml:12:14: steady-state-hypothesis\.probes\[1\]\.tolerance\.p99: expected a duration.*found ">= 2MiB"$/),
      expect.stringMatching(/^exp\.yaml:13:14: steady-state-hypothesis\.probes\[1\]\.tolerance\.max: expected a duration.*found true$/),
      expect.stringMatching(/^exp\.yaml:17:36: method\[0\]\.tolerance\.throttledRecords: expected a value from 0 to 9007199254740991 \(`throttledRecords` of kinesis-health is a count, so no reading is 1e\+23\), found "<= 99999999999999999999999"$/),
      expect.stringMatching(/^exp\.yaml:17:\d+: method\[0\]\.tolerance\.readComplete: expected true or false .*found "yes"$/),
      expect.stringMatching(/^exp\.yaml:19:40: method\[1\]\.tolerance\.maxSecondsToDraining: expected a number of seconds, such as "<= 120".*found "<= 2m"$/),
      expect.stringMatching(/^exp\.yaml:19:\d+: method\[1\]\.tolerance\.lateDrains: expected a whole number .*found 0\.5$/),
      expect.stringMatching(/^exp\.yaml:22:16: method\[2\]\.tolerance: expected a map of the fields to judge.*service-recovery returns a map of `desired`, .*found ">= 1"$/),
    ]);
  });

  it("reports a misfit tolerance field together with the fields the loader refused, in one round", async () => {
    const errors = await allErrors(
      ["title: t", "method:", "  - probe: http-slo", "    with: { service: web }", '    tolerance: { availabilty: ">= 0.999", p95: NaN, p99: "*= 300ms" }', ""].join("\n"),
    );
    expect(errors.map((e) => e.replace(/: expected.*/, ""))).toEqual([
      "exp.yaml:5:18: method[0].tolerance.availabilty",
      "exp.yaml:5:48: method[0].tolerance.p95",
      "exp.yaml:5:58: method[0].tolerance.p99",
    ]);
  });

  it("accepts the tolerances the built-in experiments and probe defaults use", async () => {
    expect(
      await planErrors(
        [
          "title: t",
          "method:",
          "  - probe: http-slo",
          "    with: { service: web }",
          '    tolerance: { availability: ">= 99.9%", p95: "<= 300ms", p99: "between 100ms and PT2S", requests: ">= 1", byStatus: { type: jsonpath, path: "$.500", count: 0 } }',
          "  - probe: log-delivery",
          "    with: { stream: s }",
          "    tolerance: { unaccounted: 0, dropped: [0, 5], verified: true, fallbackAfterMs: \"<= 30s\" }",
          "  - probe: draining",
          '    tolerance: { maxSecondsToDraining: "<= -5", byInstance: { type: jsonpath, path: "$[*].killedByTermination", expect: 0 } }',
          "  - probe: draining",
          "    tolerance: { type: range, range: [0, 3], target: lateDrains }",
          "  - probe: service-recovery",
          "    with: { cluster: c, service: s }",
          "  - probe: kinesis-health",
          "    with: { stream: s }",
          "",
        ].join("\n"),
      ),
    ).toEqual([]);
  });

  it("checks a team's own probe's tolerance against the output it declares, and the declaration itself", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gameday-plan-"));
    mkdirSync(join(dir, "probes"));
    const zod = new URL("../../node_modules/zod/index.js", import.meta.url).href;
    const probe = (name: string, output: string) =>
      writeFileSync(join(dir, "probes", `${name}.mjs`), `import { z } from ${JSON.stringify(zod)};\nexport default { name: "${name}", description: "d", params: z.object({}), output: ${output}, async run() { return { value: 1 }; } };\n`);
    probe("queue-depth", '{ value: { unit: "count", max: 1000 } }');
    probe("typo-unit", '{ fields: { depth: { unit: "percent" } } }');
    const loaded = parseExperiment(["title: t", "method:", "  - probe: queue-depth", '    tolerance: "<= 5000"', "  - probe: queue-depth", '    tolerance: "<= 500"', "  - probe: typo-unit", ""].join("\n"), "exp.yaml");
    const errors = await planExperiment(loaded, { ...OPTIONS, probeDirs: probeDirs(dir) }).then(
      () => [],
      (err: InvalidInputError) => err.errors.map(formatInputError),
    );
    expect(errors).toEqual([
      expect.stringMatching(/^exp\.yaml:4:16: method\[0\]\.tolerance: expected a value from 0 to 1000 \(the value of queue-depth is a count, so no reading is 5000\), found "<= 5000"$/),
      expect.stringMatching(/^exp\.yaml:7:12: method\[2\]\.probe: expected a probe that loads, found .*`output\.fields\.depth`\.unit is "percent", not one of ratio, ms/),
    ]);
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

  it("reports schema errors and the plan's parameter errors of the valid steps in one round, by line", async () => {
    const errors = await allErrors(
      [
        "title: t",
        "configuration: { cluster: prod }",
        "method:",
        "  - fault: spot-interrupt",
        "    target:",
        '      cluster: "${cluster}"',
        "      tags: { chaos: ok }",
        "      select: SOME",
        "  - probe: draining",
        "    with: { within: soon }",
        "  - pause: PT3X",
        "  - probe: draining",
        '    with: { within: "${nope}" }',
        "  - fault: task-kill",
        "    target: { cluster: prod, select: ALL }",
        "    whith: {}",
        "runtime: { rollbacks: sometimes }",
        "",
      ].join("\n"),
    );
    expect(errors.map((e) => e.replace(/: expected.*/, ""))).toEqual([
      "exp.yaml:8:15: method[0].target.select",
      "exp.yaml:10:21: method[1].with.within",
      "exp.yaml:11:12: method[2].pause",
      "exp.yaml:13:21: method[3].with.within",
      "exp.yaml:16:5: method[4].whith",
      "exp.yaml:17:23: runtime.rollbacks",
    ]);
    // The step with a failed ${...} is reported once, for the unknown name, not again by its probe.
    expect(errors[3]).toContain("expected a configuration key, secret or ${env:NAME}");
  });

  it("keeps secrets out of the merged report and out of the serialised error", async () => {
    const text = 'title: t\nsecrets: { api: { token: hunter22 } }\nmethod:\n  - probe: draining\n    with: { within: "${token}" }\n  - pause: PT3X\n';
    let error: unknown;
    try {
      parseExperiment(text, "exp.yaml", { env: {} });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(JSON.stringify(error)).not.toContain("hunter22");
    const reported = (await withPlanProblems(error, OPTIONS)) as InvalidInputError;
    expect(reported.errors.map(formatInputError)).toEqual([
      expect.stringMatching(/^exp\.yaml:5:\d+: method\[0\]\.with\.within: expected .*, found "\*\*\*": not a duration \(from \$\{token\}, set at line 2\)$/),
      expect.stringMatching(/^exp\.yaml:6:\d+: method\[1\]\.pause: /),
    ]);
  });

  it("checks a step's with: in the same round as its other fields' errors, which are left out of the plan, not the step", async () => {
    const errors = await allErrors(
      ["title: t", "method:", "  - probe: draining", "    interval: 1000", "    mode: sometimes", "    with: { within: PT30S, widthin: 3 }", "  - probe: draining", "    with: 5", ""].join("\n"),
    );
    expect(errors.map((e) => e.replace(/: expected.*/, ""))).toEqual(["exp.yaml:4:15: method[0].interval", "exp.yaml:5:11: method[0].mode", "exp.yaml:6:28: method[0].with.widthin", "exp.yaml:8:11: method[1].with"]);
    expect(errors[2]).toContain("(did you mean `within`?)");
  });

  it("keeps the load errors when nothing could be planned", async () => {
    const errors = await allErrors("title: t\nmethod: nope\n");
    expect(errors).toEqual(['exp.yaml:2:9: method: expected a list, found "nope"']);
  });

  it("refuses a fault or probe among the rollbacks of an experiment built in code", async () => {
    const loaded = parseExperiment("title: t\nmethod: []\n", "exp.yaml", { env: {} });
    const rollback = { kind: "fault" as const, name: "undo", at: ["rollbacks", 0], background: false, fault: "drain", target: { cluster: "prod" }, with: {} };
    const plan = planExperiment({ ...loaded, experiment: { ...loaded.experiment, rollbacks: [rollback] } }, OPTIONS);
    await expect(plan).rejects.toThrow(/rollbacks\[0\]: expected a rollback that is a Chaos Toolkit activity or a pause/);
  });

  it("reports a bad parameter once, at the step a ref copies", async () => {
    const errors = await planErrors(["title: t", "method:", "  - probe: draining", "    name: d", "    with: { within: soon }", "  - ref: d", ""].join("\n"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^exp\.yaml:5:\d+: method\[0\]\.with\.within: /);
  });

  it("lists the keys a fault or probe accepts when one is unknown", async () => {
    const errors = await planErrors(
      ["title: t", "method:", "  - fault: task-kill", "    target: { cluster: prod, servce: web, select: ALL }", "    with: { force: true }", "  - probe: draining", "    with: { withn: PT1M }", ""].join("\n"),
    );
    expect(errors).toEqual([
      "exp.yaml:4:30: method[0].target.servce: expected one of `cluster`, `service` or `select` (did you mean `service`?), found the unknown key `servce`",
      "exp.yaml:5:13: method[0].with.force: expected no keys here, found the unknown key `force`",
      "exp.yaml:7:13: method[1].with.withn: expected one of `cluster` or `within` (did you mean `within`?), found the unknown key `withn`",
    ]);
  });
});

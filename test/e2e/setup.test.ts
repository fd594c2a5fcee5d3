/** `chaos setup --print`: the FIS role and runner policy a first run on AWS needs, for the whole catalog. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chaos, scratch } from "./cli.js";

interface Statement {
  Action: string[];
  Resource: unknown[];
}

const actionsOf = (doc: { Statement: Statement[] }) => doc.Statement.flatMap((s) => s.Action);

describe("chaos setup --print", () => {
  it("creates the role gameday-fis that FIS may assume, with every catalog fault's FIS permissions", async () => {
    const r = await chaos(["setup", "--print", "cloudformation"], { cwd: scratch() });
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout);
    const role = t.Resources.GamedayFisRole.Properties;
    expect(role.RoleName).toBe("gameday-fis");
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: "Allow", Principal: { Service: "fis.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    const fis = actionsOf(role.Policies[0].PolicyDocument);
    // spot-interrupt, task-kill, kinesis-throttle and kinesis-outage are the built-in catalog.
    for (const a of ["ec2:SendSpotInstanceInterruptions", "ecs:StopTask", "kinesis:InjectApiError", "fis:InjectApiUnavailableError"]) expect(fis).toContain(a);
    const runner = actionsOf(t.Resources.GamedayRunnerPolicy.Properties.PolicyDocument);
    expect(runner).toContain("iam:PassRole");
    expect(runner).toContain("fis:CreateExperimentTemplate");
  });

  it("includes a team's own experiments, names the role as asked, and prints Terraform JSON", async () => {
    const cwd = scratch();
    mkdirSync(join(cwd, "experiments"));
    writeFileSync(
      join(cwd, "experiments", "drain-orders.yaml"),
      ["title: Draining a third of orders", "method:", "  - fault: drain", "    target: { cluster: orders }", "    with: { percentage: 33 }", ""].join("\n"),
    );
    const r = await chaos(["setup", "--print", "terraform", "--role-name", "chaos-fis"], { cwd });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const tf = JSON.parse(r.stdout);
    expect(tf.resource.aws_iam_role.gameday_fis.name).toBe("chaos-fis");
    const fis = JSON.parse(tf.resource.aws_iam_role_policy.gameday_fis.policy);
    const drain = fis.Statement.find((s: Statement & { Condition?: { ArnEquals?: Record<string, string> } }) => s.Action.includes("ecs:UpdateContainerInstancesState"));
    expect(drain.Condition.ArnEquals["ecs:cluster"]).toBe("arn:aws:ecs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:cluster/orders");
    const runner = JSON.parse(tf.resource.aws_iam_policy.gameday_runner.policy);
    const pass = runner.Statement.find((s: Statement) => s.Action.includes("iam:PassRole"));
    expect(pass.Resource).toEqual(["arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/chaos-fis"]);
  });

  it("asks for a format rather than guessing one", async () => {
    const r = await chaos(["setup"], { cwd: scratch() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("chaos: setup: expected --print cloudformation, --print terraform or --print json (gameday prints the stack; you deploy it)\n");
    // A format it does not print is named by the flag the user typed.
    const yaml = await chaos(["setup", "--print", "yaml"], { cwd: scratch() });
    expect([yaml.code, yaml.stderr]).toEqual([2, 'chaos: setup: --print: expected cloudformation, terraform, json, found "yaml"\n']);
  });
});

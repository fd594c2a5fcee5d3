/**
 * The sandbox's IAM (awsQuery) through the pinned IAM client, and the plan's role check on it: a
 * known role is allowed (the sandbox models no policies), an unknown one is NoSuchEntity and a red line.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GetRoleCommand, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { simulateRole } from "../../../src/aws/iam-simulate.js";
import { requirementsFor } from "../../../src/cli/plan-requirements.js";
import { parseExperiment } from "../../../src/experiment/index.js";
import { planExperiment } from "../../../src/engine/plan.js";
import { probeDirs } from "../../../src/engine/probe-loader.js";
import { harness, stackYaml, type Harness } from "../harness.js";


// Planning loads the probe modules; on a loaded machine the first plan takes a while.
vi.setConfig({ testTimeout: 120_000 });
let h: Harness;
beforeAll(async () => {
  h = await harness(stackYaml({}));
});
afterAll(() => h.close());

const fisRole = () => `arn:aws:iam::${h.sandbox.kernel.accountId}:role/gameday-fis`;

describe("IAM", () => {
  it("GetRole and SimulatePrincipalPolicy answer for the FIS role gameday names", async () => {
    const iam = await h.clients.iam();
    expect((await iam.send(new GetRoleCommand({ RoleName: "gameday-fis" }))).Role).toMatchObject({ RoleName: "gameday-fis", Arn: fisRole() });
    const out = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: fisRole(), ActionNames: ["ecs:StopTask", "ecs:ListTasks"] }));
    expect(out.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalDecision])).toEqual([
      ["ecs:StopTask", "allowed"],
      ["ecs:ListTasks", "allowed"],
    ]);
  });

  it("an unknown role is NoSuchEntity, which the role check reports as missing", async () => {
    const iam = await h.clients.iam();
    await expect(iam.send(new GetRoleCommand({ RoleName: "nobody" }))).rejects.toMatchObject({ name: "NoSuchEntityException" });
    const check = await simulateRole(h.clients, `arn:aws:iam::${h.sandbox.kernel.accountId}:role/nobody`, ["ecs:StopTask"]);
    expect(check.status).toBe("no-such-role");
  });
});

describe("the plan's requirements", () => {
  const plan = (configuration: string) =>
    planExperiment(parseExperiment(`title: t\n${configuration}method:\n  - fault: task-kill\n    name: k\n    target: { cluster: prod, service: web }\n`, "exp.yaml", { env: {} }), {
      probeDirs: probeDirs("/nonexistent"),
      region: "us-east-1",
      accountId: h.sandbox.kernel.accountId,
    });

  it("lists the FIS role's permissions, checks them, and estimates the cost", async () => {
    const r = await requirementsFor(await plan(""), { clients: h.clients, accountId: h.sandbox.kernel.accountId, runId: "r" });
    expect(r.permissions).toEqual(["ecs:DescribeTasks", "ecs:ListTasks", "ecs:StopTask"]);
    expect(r.role).toEqual({ status: "checked", denied: [], allowed: ["ecs:DescribeTasks", "ecs:ListTasks", "ecs:StopTask"] });
    expect(r.actionMinutes).toBe(1);
    expect(r.estimatedCostUsd).toBe(0.1);
    expect(r.redLines).toEqual([]);
  });

  it("a configured FIS role that does not exist is a red line (exit 4)", async () => {
    const r = await requirementsFor(await plan("configuration: { fisRoleArn: 'arn:aws:iam::123456789012:role/missing' }\n"), { clients: h.clients, accountId: h.sandbox.kernel.accountId, runId: "r" });
    expect(r.redLines).toEqual([{ message: expect.stringMatching(/the FIS role arn:aws:iam::123456789012:role\/missing does not exist/), exitCode: 4 }]);
  });
});

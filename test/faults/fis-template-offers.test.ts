/**
 * A team's template is checked against what the target's FIS offers (GetAction) before anything
 * runs: an action it lacks is a located input error at the action's `actionId`, saying why and,
 * for gameday's sandbox-only actions, which AWS FIS action to use instead.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { refuseUnofferedTemplateActions, unofferedActions } from "../../src/faults/fis-template-offers.js";
import { loadFisTemplateFile } from "../../src/experiment/fis-template-file.js";
import { fisCatalog, FIS_ACTIONS, isSandboxOnly, awsCounterpart, describedAction } from "../../src/fis/catalog.js";
import { InvalidInputError, formatInputError } from "../../src/experiment/model.js";
import type { RunServicesAws } from "../../src/faults/types.js";

/** A FIS that answers GetAction for `offered` and ResourceNotFoundException for the rest, counting the questions. */
function fisOffering(offered: readonly string[]) {
  const asked: string[] = [];
  const client = {
    async send(command: { input: { id: string } }) {
      asked.push(command.input.id);
      if (offered.includes(command.input.id)) return { action: { id: command.input.id } };
      throw Object.assign(new Error(`Action ${command.input.id} not found`), { name: "ResourceNotFoundException" });
    },
  };
  return { aws: { fis: async () => client } as unknown as RunServicesAws, asked };
}

/** Every action of the catalog that AWS FIS has: what a real account answers. */
const AWS_FIS = FIS_ACTIONS.map((a) => a.actionId).filter((id) => !isSandboxOnly(id));
const SANDBOX_FIS = FIS_ACTIONS.map((a) => a.actionId);

const dir = mkdtempSync(join(tmpdir(), "gameday-offers-"));

/** Fargate Spot tasks interrupted, a wait, then a stop-task of the web service. */
function template(actions: Record<string, unknown>): Record<string, unknown> {
  return {
    description: "team template",
    targets: {
      spotTasks: { resourceType: "aws:ecs:task", parameters: { cluster: "prod", service: "api" }, filters: [{ path: "CapacityProviderName", values: ["FARGATE_SPOT"] }], selectionMode: "COUNT(1)" },
      apiFunctions: { resourceType: "aws:lambda:function", resourceArns: ["arn:aws:lambda:us-east-1:111122223333:function:wordpress"], selectionMode: "ALL" },
    },
    actions,
    stopConditions: [{ source: "none" }],
    roleArn: "arn:aws:iam::111122223333:role/fis",
  };
}

const SPOT = { actionId: "gameday:ecs:fargate-spot-interrupt", targets: { Tasks: "spotTasks" } };
const WAIT = { actionId: "aws:fis:wait", parameters: { duration: "PT1M" } };
const NFS = { actionId: "gameday:efs:nfs-latency", parameters: { duration: "PT1M", fileSystemId: "fs-0123", delayMilliseconds: "50" }, targets: { Functions: "apiFunctions" } };

function load(doc: unknown, name = "team.json") {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return loadFisTemplateFile(file, name, fisCatalog);
}

describe("unofferedActions", () => {
  it("on AWS, locates a sandbox-only action at its actionId, says why, and names the AWS action to use instead", async () => {
    const { aws } = fisOffering(AWS_FIS);
    const problems = await unofferedActions(load(template({ interrupt: SPOT, settle: { ...WAIT, startAfter: ["interrupt"] } })), aws);
    expect(problems).toHaveLength(1);
    const text = formatInputError(problems[0]!);
    expect(text).toMatch(/^team\.json:\d+:\d+: actions\.interrupt\.actionId: expected an action this target's FIS offers: instead of gameday:ecs:fargate-spot-interrupt, use aws:ecs:stop-task with the same Tasks target, the nearest AWS FIS action \(ECS stops the tasks as StopTask does: no two-minute warning event/);
    expect(text).toContain(`found "gameday:ecs:fargate-spot-interrupt", which this target's FIS does not offer (GetAction: ResourceNotFoundException): it is gameday's own action, carried out only by gameday's sandbox`);
    const lines = JSON.stringify(template({ interrupt: SPOT }), null, 2).split("\n");
    expect(problems[0]!.position?.line).toBe(lines.findIndex((l) => l.includes('"gameday:ecs:fargate-spot-interrupt"')) + 1);
  });

  it("on the sandbox, whose FIS offers gameday's actions, finds nothing", async () => {
    const { aws, asked } = fisOffering(SANDBOX_FIS);
    expect(await unofferedActions(load(template({ interrupt: SPOT, nfs: NFS, settle: WAIT })), aws)).toEqual([]);
    expect(asked).toEqual(["gameday:ecs:fargate-spot-interrupt", "gameday:efs:nfs-latency", "aws:fis:wait"]);
  });

  it("asks once per distinct actionId and reports every action that uses an unoffered one", async () => {
    const { aws, asked } = fisOffering(AWS_FIS);
    const problems = await unofferedActions(load(template({ first: SPOT, wait: WAIT, second: { ...SPOT, startAfter: ["wait"] }, nfs: NFS })), aws);
    expect(problems.map((p) => p.path)).toEqual(["actions.first.actionId", "actions.second.actionId", "actions.nfs.actionId"]);
    expect(problems[2]!.expected).toMatch(/instead of gameday:efs:nfs-latency, use aws:lambda:invocation-add-delay with the same Functions target, the nearest AWS FIS action \(it delays the start of whole invocations/);
    expect(asked.filter((id) => id === SPOT.actionId)).toHaveLength(1);
    expect(new Set(asked)).toEqual(new Set([SPOT.actionId, WAIT.actionId, NFS.actionId, "aws:ecs:stop-task", "aws:lambda:invocation-add-delay"]));
  });

  it("an AWS action this FIS lacks (a region without it) is refused without a sandbox story", async () => {
    const { aws } = fisOffering(AWS_FIS.filter((id) => id !== "aws:fis:wait"));
    const [problem, ...rest] = await unofferedActions(load(template({ settle: WAIT })), aws);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ path: "actions.settle.actionId", expected: "an action this target's FIS offers", found: `"aws:fis:wait", which this target's FIS does not offer (GetAction: ResourceNotFoundException)` });
  });

  it("says so when the nearest AWS action is not offered either", async () => {
    const { aws } = fisOffering(AWS_FIS.filter((id) => id !== "aws:ecs:stop-task"));
    const [problem] = await unofferedActions(load(template({ interrupt: SPOT })), aws);
    expect(problem!.expected).toBe("an action this target's FIS offers (the nearest to gameday:ecs:fargate-spot-interrupt, aws:ecs:stop-task, is not offered here either)");
  });

  it("locates the action under experimentTemplate in `aws fis get-experiment-template` output", async () => {
    const { aws } = fisOffering(AWS_FIS);
    const [problem] = await unofferedActions(load({ experimentTemplate: { id: "EXT1", ...template({ interrupt: SPOT }) } }, "got.json"), aws);
    expect(problem).toMatchObject({ file: "got.json", path: "experimentTemplate.actions.interrupt.actionId" });
  });

  it("passes on errors other than ResourceNotFoundException (no silent 'not offered')", async () => {
    const aws = { fis: async () => ({ send: async () => Promise.reject(Object.assign(new Error("denied"), { name: "AccessDeniedException" })) }) } as unknown as RunServicesAws;
    await expect(unofferedActions(load(template({ settle: WAIT })), aws)).rejects.toThrow("denied");
  });
});

describe("refuseUnofferedTemplateActions", () => {
  const planned = (path: string) => ({ step: { fault: "fis-template" }, params: { path } });

  it("throws one InvalidInputError naming every fis-template step's unoffered actions, each in its own file", async () => {
    load(template({ interrupt: SPOT }), "a.json");
    load(template({ nfs: NFS }), "b.json");
    const plan = { loaded: { file: join(dir, "experiment.yaml") }, faults: new Map<string, { step: { fault: string }; params: unknown }>([["a", planned("a.json")], ["other", { step: { fault: "task-kill" }, params: {} }], ["b", planned("b.json")]]) };
    const err = await refuseUnofferedTemplateActions(plan, fisOffering(AWS_FIS).aws).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).errors.map((e) => `${e.file.split("/").pop()} ${e.path}`)).toEqual(["a.json actions.interrupt.actionId", "b.json actions.nfs.actionId"]);
  });

  it("lets a plan through when the target's FIS offers every action", async () => {
    load(template({ interrupt: SPOT }), "a.json");
    const plan = { loaded: { file: join(dir, "experiment.yaml") }, faults: new Map([["a", planned("a.json")]]) };
    await expect(refuseUnofferedTemplateActions(plan, fisOffering(SANDBOX_FIS).aws)).resolves.toBeUndefined();
  });
});

describe("the catalog's sandbox-only actions", () => {
  it("are gameday's own namespace, and each has an AWS counterpart the catalog describes with the same target", () => {
    for (const { actionId } of FIS_ACTIONS) expect(isSandboxOnly(actionId), actionId).toBe(actionId.startsWith("gameday:"));
    for (const id of FIS_ACTIONS.map((a) => a.actionId).filter(isSandboxOnly)) {
      const counterpart = awsCounterpart(id)!;
      expect(isSandboxOnly(counterpart.actionId)).toBe(false);
      if (counterpart.sameTarget) expect(describedAction(counterpart.actionId).target).toMatchObject({ key: describedAction(id).target!.key, resourceType: describedAction(id).target!.resourceType });
    }
  });
});

/**
 * Everything gameday creates in FIS carries the run and the experiment as tags, and the sandbox's
 * FIS keeps them and gives them back, as FIS does (ListTagsForResource, tags in Get*).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { CreateExperimentTemplateCommand, GetExperimentTemplateCommand, ListTagsForResourceCommand } from "@aws-sdk/client-fis";
import { templateFor } from "../../src/faults/fis-runner.js";
import { harness, stackYaml, type Harness } from "../sandbox/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await harness(stackYaml({}));
});
afterAll(() => h.close());

it("a template is tagged gameday:run and gameday:experiment, and FIS returns the tags", async () => {
  const fragment = {
    description: "stop a task",
    targets: { tasks: { resourceType: "aws:ecs:task", parameters: { cluster: "prod" }, selectionMode: "COUNT(1)" } },
    actions: { stopTasks: { actionId: "aws:ecs:stop-task", targets: { Tasks: "tasks" } } },
  };
  const template = templateFor(fragment, { runId: "20261206-abc", stepName: "kill", accountId: h.sandbox.kernel.accountId, configuration: {}, clientToken: "t1", experiment: "Killing web tasks" });
  expect(template.tags).toEqual({ "gameday:run": "20261206-abc", "gameday:experiment": "Killing web tasks", "gameday:step": "kill" });
  const fis = await h.clients.fis();
  const created = await fis.send(new CreateExperimentTemplateCommand(template as never));
  const got = await fis.send(new GetExperimentTemplateCommand({ id: created.experimentTemplate!.id! }));
  expect(got.experimentTemplate!.tags).toMatchObject({ "gameday:run": "20261206-abc", "gameday:experiment": "Killing web tasks" });
  // client-fis 3.523 does not read the template's arn; it is FIS's documented form.
  const arn = `arn:aws:fis:us-east-1:${h.sandbox.kernel.accountId}:experiment-template/${created.experimentTemplate!.id!}`;
  const listed = await fis.send(new ListTagsForResourceCommand({ resourceArn: arn }));
  expect(listed.tags).toMatchObject({ "gameday:run": "20261206-abc", "gameday:experiment": "Killing web tasks" });
});

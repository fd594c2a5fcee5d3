import { describe, expect, it } from "vitest";
import {
  ConflictException,
  CreateExperimentTemplateCommand,
  DeleteExperimentTemplateCommand,
  GetActionCommand,
  GetExperimentCommand,
  GetExperimentTemplateCommand,
  GetTargetResourceTypeCommand,
  ListActionsCommand,
  ListExperimentResolvedTargetsCommand,
  ListExperimentTemplatesCommand,
  ListExperimentsCommand,
  ListTagsForResourceCommand,
  ListTargetResourceTypesCommand,
  ResourceNotFoundException,
  StartExperimentCommand,
  StopExperimentCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateExperimentTemplateCommand,
  ValidationException,
} from "@aws-sdk/client-fis";
import { VIRTUAL_EPOCH } from "../../../src/time/clock.js";
import { createTemplate, fisHarness, rejection, spotTemplate, startExperiment, untilEnded } from "./harness.js";

const templateArn = (id: string) => `arn:aws:fis:us-east-1:123456789012:experiment-template/${id}`;

describe("ResourceNotFoundException", () => {
  it.each([
    ["GetExperimentTemplate", new GetExperimentTemplateCommand({ id: "EXTnope" }), "Experiment template EXTnope not found."],
    ["DeleteExperimentTemplate", new DeleteExperimentTemplateCommand({ id: "EXTnope" }), "Experiment template EXTnope not found."],
    ["StartExperiment", new StartExperimentCommand({ experimentTemplateId: "EXTnope" }), "Experiment template EXTnope not found."],
    ["GetExperiment", new GetExperimentCommand({ id: "EXPnope" }), "Experiment EXPnope not found."],
    ["StopExperiment", new StopExperimentCommand({ id: "EXPnope" }), "Experiment EXPnope not found."],
    ["ListExperimentResolvedTargets", new ListExperimentResolvedTargetsCommand({ experimentId: "EXPnope" }), "Experiment EXPnope not found."],
    ["GetAction", new GetActionCommand({ id: "aws:ec2:nope" }), "Action aws:ec2:nope not found."],
    ["GetTargetResourceType", new GetTargetResourceTypeCommand({ resourceType: "aws:ec2:nope" }), "Target resource type aws:ec2:nope not found."],
    ["ListTagsForResource", new ListTagsForResourceCommand({ resourceArn: templateArn("EXTnope") }), `No experiment template or experiment has the ARN ${templateArn("EXTnope")}.`],
  ])("%s of something that does not exist", async (_, command, message) => {
    const h = await fisHarness();
    const err = await rejection(h.fis.send(command as never));
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.message).toBe(message);
  });
});

describe("templates", () => {
  it("create, get, list and delete, with EXT ids, the template ARN and epoch-second timestamps", async () => {
    const h = await fisHarness();
    const created = (await h.fis.send(new CreateExperimentTemplateCommand(spotTemplate({ tags: { Name: "spot" } })))).experimentTemplate!;
    expect(created.id).toMatch(/^EXT[0-9A-Za-z]{14}$/);
    expect(created.creationTime).toEqual(new Date(VIRTUAL_EPOCH));
    expect(created.experimentOptions).toEqual({ accountTargeting: "single-account", emptyTargetResolutionMode: "fail" });
    expect(created.tags).toEqual({ Name: "spot" });
    const got = (await h.fis.send(new GetExperimentTemplateCommand({ id: created.id! }))).experimentTemplate!;
    expect(got).toEqual(created);
    const listed = (await h.fis.send(new ListExperimentTemplatesCommand({}))).experimentTemplates!;
    expect(listed).toEqual([{ id: created.id, description: created.description, creationTime: created.creationTime, lastUpdateTime: created.lastUpdateTime, tags: { Name: "spot" } }]);
    await h.fis.send(new DeleteExperimentTemplateCommand({ id: created.id! }));
    expect(await rejection(h.fis.send(new GetExperimentTemplateCommand({ id: created.id! })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it("the same seed gives the same ids", async () => {
    const a = await fisHarness({ seed: 5 });
    const b = await fisHarness({ seed: 5 });
    const ids = async (h: typeof a) => {
      const templateId = await createTemplate(h, spotTemplate());
      return [templateId, (await startExperiment(h, { experimentTemplateId: templateId })).id];
    };
    expect(await ids(b)).toEqual(await ids(a));
  });

  it("a repeated clientToken with the same request returns the same template", async () => {
    const h = await fisHarness();
    const first = await createTemplate(h, spotTemplate({ clientToken: "token-1" }));
    const again = await createTemplate(h, spotTemplate({ clientToken: "token-1" }));
    expect(again).toBe(first);
    expect((await h.fis.send(new ListExperimentTemplatesCommand({}))).experimentTemplates).toHaveLength(1);
  });

  it("a repeated clientToken with a different request is a ConflictException", async () => {
    const h = await fisHarness();
    await createTemplate(h, spotTemplate({ clientToken: "token-1" }));
    const err = await rejection(h.fis.send(new CreateExperimentTemplateCommand(spotTemplate({ clientToken: "token-1", description: "something else" }))));
    expect(err).toBeInstanceOf(ConflictException);
    expect(err.message).toBe('The clientToken "token-1" was already used by a different CreateExperimentTemplate request.');
  });

  it("pages ListExperimentTemplates and rejects a bad maxResults or nextToken", async () => {
    const h = await fisHarness();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createTemplate(h, spotTemplate({ description: `t${i}` })));
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const out = await h.fis.send(new ListExperimentTemplatesCommand({ maxResults: 2, ...(nextToken ? { nextToken } : {}) }));
      expect(out.experimentTemplates!.length).toBeLessThanOrEqual(2);
      seen.push(...out.experimentTemplates!.map((t) => t.id!));
      nextToken = out.nextToken;
    } while (nextToken);
    expect(seen).toEqual(ids);
    for (const maxResults of [0, 101]) {
      expect(await rejection(h.fis.send(new ListExperimentTemplatesCommand({ maxResults })))).toBeInstanceOf(ValidationException);
    }
    const err = await rejection(h.fis.send(new ListExperimentTemplatesCommand({ nextToken: "bogus" })));
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.message).toMatch(/^Invalid nextToken "bogus"/);
  });

  it("tags a template, lists and removes its tags", async () => {
    const h = await fisHarness();
    const id = await createTemplate(h, spotTemplate({ tags: { Name: "spot" } }));
    await h.fis.send(new TagResourceCommand({ resourceArn: templateArn(id), tags: { team: "sre" } }));
    expect((await h.fis.send(new ListTagsForResourceCommand({ resourceArn: templateArn(id) }))).tags).toEqual({ Name: "spot", team: "sre" });
    await h.fis.send(new UntagResourceCommand({ resourceArn: templateArn(id), tagKeys: ["Name"] }));
    expect((await h.fis.send(new ListTagsForResourceCommand({ resourceArn: templateArn(id) }))).tags).toEqual({ team: "sre" });
  });
});

describe("experiments", () => {
  it("a repeated StartExperiment clientToken returns the same experiment and runs it once", async () => {
    const h = await fisHarness();
    const templateId = await createTemplate(h, spotTemplate());
    const first = await startExperiment(h, { experimentTemplateId: templateId, clientToken: "run-1" });
    const again = await startExperiment(h, { experimentTemplateId: templateId, clientToken: "run-1" });
    expect(again.id).toBe(first.id);
    await untilEnded(h, first.id!);
    expect(h.log.starts).toHaveLength(1);
    const other = await createTemplate(h, spotTemplate({ description: "other" }));
    const err = await rejection(startExperiment(h, { experimentTemplateId: other, clientToken: "run-1" }));
    expect(err).toBeInstanceOf(ConflictException);
  });

  it("keeps the template as it was at start: updating or deleting it does not change a running experiment", async () => {
    const h = await fisHarness();
    const templateId = await createTemplate(h, spotTemplate());
    const started = await startExperiment(h, { experimentTemplateId: templateId, tags: { run: "1" } });
    await h.fis.send(
      new UpdateExperimentTemplateCommand({ id: templateId, actions: { settle: { actionId: "aws:fis:wait", parameters: { duration: "PT1M" } } } }),
    );
    await h.fis.send(new DeleteExperimentTemplateCommand({ id: templateId }));
    const ended = await untilEnded(h, started.id!);
    expect(ended.state!.status).toBe("completed");
    expect(Object.keys(ended.actions!)).toEqual(["interrupt"]);
    expect(h.log.starts.map((s) => s.action)).toEqual(["interrupt"]);
    expect(ended.experimentTemplateId).toBe(templateId);
    expect(ended.tags).toEqual({ run: "1" });
  });

  it("ListExperiments summarises every experiment with its state", async () => {
    const h = await fisHarness();
    const templateId = await createTemplate(h, spotTemplate());
    const a = await startExperiment(h, { experimentTemplateId: templateId });
    await untilEnded(h, a.id!);
    const b = await startExperiment(h, { experimentTemplateId: templateId });
    const listed = (await h.fis.send(new ListExperimentsCommand({}))).experiments!;
    expect(listed.map((e) => [e.id, e.experimentTemplateId, e.state!.status])).toEqual([
      [a.id, templateId, "completed"],
      [b.id, templateId, "initiating"],
    ]);
  });

  it("ListExperiments filters by experimentTemplateId, as newer clients can ask", async () => {
    const h = await fisHarness();
    const first = await createTemplate(h, spotTemplate());
    const second = await createTemplate(h, spotTemplate({ description: "second" }));
    await startExperiment(h, { experimentTemplateId: first });
    const mine = await startExperiment(h, { experimentTemplateId: second });
    const command = new ListExperimentsCommand({});
    // FisClient 3.523.0 has no experimentTemplateId member; put it on the query as newer clients do.
    command.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { query: Record<string, string> };
        request.query = { ...request.query, experimentTemplateId: second };
        return next(args);
      },
      { step: "build", name: "addTemplateFilter" },
    );
    const listed = (await h.fis.send(command)).experiments!;
    expect(listed.map((e) => e.id)).toEqual([mine.id]);
  });
});

describe("catalog", () => {
  it("lists the registered actions, including the built-in aws:fis:wait, with their target keys", async () => {
    const h = await fisHarness();
    const actions = (await h.fis.send(new ListActionsCommand({}))).actions!;
    expect(actions.map((a) => [a.id, a.targets])).toEqual([
      ["aws:ec2:send-spot-instance-interruptions", { SpotInstances: { resourceType: "aws:ec2:spot-instance" } }],
      ["aws:fis:wait", {}],
    ]);
    const wait = (await h.fis.send(new GetActionCommand({ id: "aws:fis:wait" }))).action!;
    expect(wait.parameters!.duration!.required).toBe(true);
  });

  it("lists and describes the registered target resource types", async () => {
    const h = await fisHarness();
    const types = (await h.fis.send(new ListTargetResourceTypesCommand({}))).targetResourceTypes!;
    expect(types.map((t) => t.resourceType)).toEqual(["aws:ec2:spot-instance"]);
    const spot = (await h.fis.send(new GetTargetResourceTypeCommand({ resourceType: "aws:ec2:spot-instance" }))).targetResourceType!;
    expect(spot).toEqual({ resourceType: "aws:ec2:spot-instance", description: "test-only aws:ec2:spot-instance", parameters: {} });
  });
});

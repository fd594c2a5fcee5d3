import { describe, expect, it } from "vitest";
import {
  CreateExperimentTemplateCommand,
  GetExperimentTemplateCommand,
  ServiceQuotaExceededException,
  UpdateExperimentTemplateCommand,
  ValidationException,
  type CreateExperimentTemplateCommandInput,
} from "@aws-sdk/client-fis";
import { ALARM, createTemplate, fakeResourceType, fisHarness, recordingAction, rejection, spotTemplate, type Harness } from "./harness.js";

/** The spot harness plus types that exercise parameter rules: ECS tasks and EKS-pod-like targets. */
async function harness(): Promise<Harness> {
  const h = await fisHarness();
  h.registry.addResourceType(
    fakeResourceType("aws:ecs:task", [], {
      parameters: [
        { name: "cluster", required: false },
        { name: "service", required: false },
      ],
    }),
  );
  h.registry.addResourceType(
    fakeResourceType("aws:eks:pod", [], {
      acceptsArns: false,
      acceptsTags: false,
      parameters: [
        { name: "clusterIdentifier", required: true },
        { name: "namespace", required: true },
      ],
    }),
  );
  h.registry.addAction(recordingAction("aws:ecs:stop-task", h.log, { target: { key: "Tasks", resourceType: "aws:ecs:task" }, runMs: 0 }));
  return h;
}

type Template = CreateExperimentTemplateCommandInput;
/** Builds an invalid template from the valid spot template. Values the SDK types forbid go in as `any`. */
type Mutation = (t: any) => void;

interface Rule {
  rule: string;
  mutate: Mutation;
  error?: "ValidationException" | "ServiceQuotaExceededException";
  /** The whole message, or a pattern it must match. */
  message: string | RegExp;
}

const wait = (duration: string, extra: Record<string, unknown> = {}) => ({ actionId: "aws:fis:wait", parameters: { duration }, ...extra });

const rules: Rule[] = [
  // Required members and model constraints.
  { rule: "description is required", mutate: (t) => delete t.description, message: "1 validation error detected: Value null at 'description' failed to satisfy constraint: Member must not be null" },
  { rule: "description is at most 512 characters", mutate: (t) => (t.description = "x".repeat(513)), message: /at 'description' failed to satisfy constraint: Member must have length less than or equal to 512$/ },
  { rule: "stopConditions is required", mutate: (t) => delete t.stopConditions, message: /Value null at 'stopConditions'.*must not be null/ },
  { rule: "actions is required", mutate: (t) => delete t.actions, message: /Value null at 'actions'.*must not be null/ },
  { rule: "roleArn is required", mutate: (t) => delete t.roleArn, message: /Value null at 'roleArn'.*must not be null/ },
  { rule: "roleArn must be an IAM role ARN", mutate: (t) => (t.roleArn = "arn:aws:iam::123456789012:user/bob"), message: /^Invalid roleArn "arn:aws:iam::123456789012:user\/bob": expected an IAM role ARN/ },
  { rule: "target names are at most 64 characters", mutate: (t) => { t.targets = { ["t".repeat(65)]: t.targets.spot }; t.actions.interrupt.targets.SpotInstances = "t".repeat(65); }, message: /at 'targets key'.*less than or equal to 64/ },
  { rule: "action names are at most 64 characters", mutate: (t) => (t.actions = { ["a".repeat(65)]: t.actions.interrupt }), message: /at 'actions key'.*less than or equal to 64/ },
  { rule: "action descriptions are at most 512 characters", mutate: (t) => (t.actions.interrupt.description = "d".repeat(513)), message: /at 'actions.interrupt.description'.*less than or equal to 512/ },
  {
    rule: "resourceArns has at most 5 ARNs",
    mutate: (t) => {
      delete t.targets.spot.resourceTags;
      t.targets.spot.resourceArns = [1, 2, 3, 4, 5, 6].map((i) => `arn:aws:ec2:us-east-1:123456789012:instance/i-${i}`);
    },
    message: /at 'targets.spot.resourceArns' failed to satisfy constraint: Member must have length less than or equal to 5$/,
  },
  { rule: "a template has at most 50 tags", mutate: (t) => (t.tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]))), message: /at 'tags' failed to satisfy constraint: Member must have at most 50 entries$/ },
  { rule: "resourceTags has at most 50 tags", mutate: (t) => (t.targets.spot.resourceTags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]))), message: /at 'targets.spot.resourceTags'.*at most 50 entries$/ },
  {
    rule: "action parameters are strings, not numbers",
    mutate: (t) => (t.actions.interrupt.parameters = { durationBeforeInterruption: 120 }),
    message: "Expected a string at 'actions.interrupt.parameters.durationBeforeInterruption', found number 120; FIS takes it as a string: write \"120\".",
  },
  {
    rule: "action parameters are strings, not booleans",
    mutate: (t) => (t.actions.interrupt.parameters = { durationBeforeInterruption: "PT2M", completeIfInstancesTerminated: true }),
    message: /^Expected a string at 'actions.interrupt.parameters.completeIfInstancesTerminated', found boolean true/,
  },
  { rule: "action parameter values have no whitespace", mutate: (t) => (t.actions.interrupt.parameters.durationBeforeInterruption = "PT2M "), message: /at 'actions.interrupt.parameters.durationBeforeInterruption' failed to satisfy constraint: Member must satisfy regular expression pattern/ },
  { rule: "a filter needs a path", mutate: (t) => (t.targets.spot.filters = [{ values: ["running"] }]), message: /Value null at 'targets.spot.filters\[0\].path'/ },
  { rule: "a filter needs at least one value", mutate: (t) => (t.targets.spot.filters = [{ path: "State.Name", values: [] }]), message: /at 'targets.spot.filters\[0\].values' failed to satisfy constraint: Member must have length greater than or equal to 1$/ },
  { rule: "accountTargeting is single-account or multi-account", mutate: (t) => (t.experimentOptions = { accountTargeting: "every-account" }), message: "1 validation error detected: Value 'every-account' at 'experimentOptions.accountTargeting' failed to satisfy constraint: Member must satisfy enum value set: [single-account, multi-account]" },
  { rule: "emptyTargetResolutionMode is fail or skip", mutate: (t) => (t.experimentOptions = { emptyTargetResolutionMode: "ignore" }), message: /Value 'ignore' at 'experimentOptions.emptyTargetResolutionMode'.*\[fail, skip\]$/ },
  { rule: "logConfiguration needs logSchemaVersion", mutate: (t) => (t.logConfiguration = { s3Configuration: { bucketName: "fis-logs" } }), message: /Value null at 'logConfiguration.logSchemaVersion'/ },

  // Quotas.
  {
    rule: "at most 20 actions",
    mutate: (t) => (t.actions = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`w${i}`, wait("PT1M")]))),
    error: "ServiceQuotaExceededException",
    message: "The template has 21 actions; an experiment template may have at most 20.",
  },
  {
    rule: "at most 5 stop conditions",
    mutate: (t) => (t.stopConditions = Array.from({ length: 6 }, (_, i) => ({ source: "aws:cloudwatch:alarm", value: `${ALARM}-${i}` }))),
    error: "ServiceQuotaExceededException",
    message: "The template has 6 stop conditions; an experiment template may have at most 5.",
  },
  { rule: "at least one action", mutate: (t) => (t.actions = {}), message: "The template has no actions; an experiment template needs at least one action." },

  // Stop conditions.
  { rule: "stop condition source is aws:cloudwatch:alarm or none", mutate: (t) => (t.stopConditions = [{ source: "aws:http:probe" }]), message: 'Invalid stop condition source "aws:http:probe" at stopConditions[0]: expected "aws:cloudwatch:alarm" or "none".' },
  { rule: "an alarm stop condition needs the alarm ARN", mutate: (t) => (t.stopConditions = [{ source: "aws:cloudwatch:alarm" }]), message: /^The stop condition at stopConditions\[0\] has source aws:cloudwatch:alarm but no value/ },
  { rule: "an alarm stop condition's value is an alarm ARN", mutate: (t) => (t.stopConditions = [{ source: "aws:cloudwatch:alarm", value: "arn:aws:sns:us-east-1:123456789012:topic" }]), message: /^Invalid value at stopConditions\[0\].value: expected a CloudWatch alarm ARN/ },

  // Targets.
  { rule: "resourceType is known", mutate: (t) => (t.targets.spot.resourceType = "aws:ec2:spot-fleet"), message: /^Invalid resource type "aws:ec2:spot-fleet" for target "spot"; the sandbox knows: aws:ec2:spot-instance, aws:ecs:task, aws:eks:pod\.$/ },
  { rule: "selectionMode follows ALL | COUNT(n) | PERCENT(n)", mutate: (t) => (t.targets.spot.selectionMode = "SOME(2)"), message: 'Invalid selectionMode for target "spot": expected ALL, COUNT(n) or PERCENT(n), found "SOME(2)".' },
  { rule: "COUNT(n) needs n of at least 1", mutate: (t) => (t.targets.spot.selectionMode = "COUNT(0)"), message: 'Invalid selectionMode for target "spot": COUNT(n) needs a positive whole number, found "COUNT(0)".' },
  { rule: "PERCENT(n) needs n of at least 1", mutate: (t) => (t.targets.spot.selectionMode = "PERCENT(0)"), message: /PERCENT\(n\) needs a whole number from 1 to 100, found "PERCENT\(0\)"/ },
  { rule: "PERCENT(n) needs n of at most 100", mutate: (t) => (t.targets.spot.selectionMode = "PERCENT(101)"), message: /PERCENT\(n\) needs a whole number from 1 to 100, found "PERCENT\(101\)"/ },
  { rule: "selectionMode takes whole numbers", mutate: (t) => (t.targets.spot.selectionMode = "PERCENT(2.5)"), message: /expected ALL, COUNT\(n\) or PERCENT\(n\), found "PERCENT\(2.5\)"/ },
  {
    rule: "resourceArns and resourceTags are exclusive",
    mutate: (t) => (t.targets.spot.resourceArns = ["arn:aws:ec2:us-east-1:123456789012:instance/i-1"]),
    message: "You cannot specify both resource ARNs and resource tags for target spot.",
  },
  {
    rule: "resourceArns and filters are exclusive",
    mutate: (t) => {
      delete t.targets.spot.resourceTags;
      t.targets.spot.resourceArns = ["arn:aws:ec2:us-east-1:123456789012:instance/i-1"];
      t.targets.spot.filters = [{ path: "State.Name", values: ["running"] }];
    },
    message: "You cannot specify both resource ARNs and filters for target spot.",
  },
  {
    rule: "resourceArns only for types that take them",
    mutate: (t) => (t.targets.pods = { resourceType: "aws:eks:pod", resourceArns: ["arn:aws:eks:us-east-1:123456789012:pod/x"], selectionMode: "ALL", parameters: { clusterIdentifier: "c", namespace: "n" } }),
    message: "TargetResourceType aws:eks:pod does not support resourceArns.",
  },
  {
    rule: "resourceTags only for types that take them",
    mutate: (t) => (t.targets.pods = { resourceType: "aws:eks:pod", resourceTags: { app: "web" }, selectionMode: "ALL", parameters: { clusterIdentifier: "c", namespace: "n" } }),
    message: "TargetResourceType aws:eks:pod does not support resourceTags.",
  },
  {
    rule: "target parameters are those the type accepts",
    mutate: (t) => (t.targets.tasks = { resourceType: "aws:ecs:task", selectionMode: "ALL", parameters: { cluster: "prod", launchType: "FARGATE" } }),
    message: 'Unexpected parameter "launchType" found in target "tasks": resource type aws:ecs:task takes cluster, service.',
  },
  {
    rule: "a type's required target parameters are present",
    mutate: (t) => (t.targets.pods = { resourceType: "aws:eks:pod", selectionMode: "ALL", parameters: { clusterIdentifier: "c" } }),
    message: 'Missing required parameter "namespace" in target "pods" (resource type aws:eks:pod).',
  },
  {
    rule: "target parameter values use the allowed characters",
    mutate: (t) => (t.targets.tasks = { resourceType: "aws:ecs:task", selectionMode: "ALL", parameters: { cluster: "prod;rm" } }),
    message: /at 'targets.tasks.parameters.cluster' failed to satisfy constraint: Member must satisfy regular expression pattern/,
  },
  {
    rule: "a target names its resources by ARNs, tags or parameters",
    mutate: (t) => {
      delete t.targets.spot.resourceTags;
      t.targets.spot.filters = [{ path: "State.Name", values: ["running"] }];
    },
    message: 'Target "spot" must identify its resources with resourceArns, resourceTags or parameters; it has none.',
  },

  // Actions.
  { rule: "actionId is known", mutate: (t) => (t.actions.interrupt.actionId = "aws:ec2:send-spot-interruption"), message: /^Unknown actionId "aws:ec2:send-spot-interruption" in action "interrupt"; the sandbox knows: aws:ec2:send-spot-instance-interruptions, aws:ecs:stop-task, aws:fis:wait\.$/ },
  {
    rule: "an action's target key is the action's fixed key",
    mutate: (t) => (t.actions.interrupt.targets = { Instances: "spot" }),
    message: 'Unexpected target "Instances" found in action "interrupt". Expected "SpotInstances" (aws:ec2:spot-instance).',
  },
  {
    rule: "an action takes only its one target key",
    mutate: (t) => (t.actions.interrupt.targets = { SpotInstances: "spot", Tasks: "spot" }),
    message: /^Unexpected target "Tasks" found in action "interrupt"\./,
  },
  {
    rule: "an action without targets takes no target key",
    mutate: (t) => (t.actions.settle = wait("PT3M", { targets: { Instances: "spot" } })),
    message: 'Unexpected target "Instances" found in action "settle". aws:fis:wait takes no targets.',
  },
  {
    rule: "an action's target is defined in targets",
    mutate: (t) => (t.actions.interrupt.targets = { SpotInstances: "spotHosts" }),
    message: 'Action "interrupt" points its "SpotInstances" target at "spotHosts", which is not defined in targets.',
  },
  {
    rule: "an action's target has the resource type the action needs",
    mutate: (t) => {
      t.targets.tasks = { resourceType: "aws:ecs:task", selectionMode: "ALL", parameters: { cluster: "prod" } };
      t.actions.interrupt.targets = { SpotInstances: "tasks" };
    },
    message: 'Action "interrupt" (aws:ec2:send-spot-instance-interruptions) needs a aws:ec2:spot-instance target for "SpotInstances", but target "tasks" has resource type aws:ecs:task.',
  },
  {
    rule: "an action that needs a target has one",
    mutate: (t) => delete t.actions.interrupt.targets,
    message: 'Action "interrupt" (aws:ec2:send-spot-instance-interruptions) requires a target for "SpotInstances" (aws:ec2:spot-instance).',
  },
  {
    rule: "action parameters are those the action takes",
    mutate: (t) => (t.actions.interrupt.parameters.duration = "PT2M"),
    message: 'Unexpected parameter "duration" found in action "interrupt": aws:ec2:send-spot-instance-interruptions takes durationBeforeInterruption.',
  },
  {
    rule: "required action parameters are present",
    mutate: (t) => (t.actions.settle = { actionId: "aws:fis:wait" }),
    message: 'Missing required parameter "duration" in action "settle" (aws:fis:wait).',
  },
  {
    rule: "durations are ISO 8601",
    mutate: (t) => (t.actions.settle = wait("5m")),
    message: 'Invalid value for parameter "duration" in action "settle" (aws:fis:wait): expected an ISO 8601 duration from PT1M to PT12H (for example PT1M), found "5m".',
  },
  {
    rule: "aws:fis:wait lasts at least PT1M",
    mutate: (t) => (t.actions.settle = wait("PT30S")),
    message: 'Invalid value for parameter "duration" in action "settle" (aws:fis:wait): expected an ISO 8601 duration from PT1M to PT12H, found "PT30S".',
  },
  { rule: "aws:fis:wait lasts at most PT12H", mutate: (t) => (t.actions.settle = wait("PT12H1S")), message: /found "PT12H1S"\.$/ },
  {
    rule: "each action checks its own ranges (durationBeforeInterruption PT2M..PT15M)",
    mutate: (t) => (t.actions.interrupt.parameters.durationBeforeInterruption = "PT1M"),
    message: /"durationBeforeInterruption" in action "interrupt" \(aws:ec2:send-spot-instance-interruptions\): expected an ISO 8601 duration from PT2M to PT15M, found "PT1M"\.$/,
  },
  {
    rule: "startAfter names an action of the template",
    mutate: (t) => (t.actions.settle = wait("PT3M", { startAfter: ["interupt"] })),
    message: 'Action "settle" has startAfter "interupt", which is not an action in this template.',
  },
  {
    rule: "startAfter has no cycles",
    mutate: (t) => {
      t.actions.interrupt.startAfter = ["settle"];
      t.actions.settle = wait("PT3M", { startAfter: ["interrupt"] });
    },
    message: "The actions' startAfter lists form a cycle (each starts after the next): interrupt -> settle -> interrupt.",
  },
  {
    rule: "an action cannot start after itself",
    mutate: (t) => (t.actions.interrupt.startAfter = ["interrupt"]),
    message: "The actions' startAfter lists form a cycle (each starts after the next): interrupt -> interrupt.",
  },
];

describe("CreateExperimentTemplate validation", () => {
  it("accepts the valid base template", async () => {
    const h = await harness();
    expect(await createTemplate(h, spotTemplate())).toMatch(/^EXT[0-9A-Za-z]{14}$/);
  });

  it.each(rules)("rejects: $rule", async ({ mutate, error, message }) => {
    const h = await harness();
    const template = structuredClone(spotTemplate()) as Template;
    mutate(template);
    const err = await rejection(h.fis.send(new CreateExperimentTemplateCommand(template)));
    expect(err).toBeInstanceOf(error === "ServiceQuotaExceededException" ? ServiceQuotaExceededException : ValidationException);
    if (typeof message === "string") expect(err.message).toBe(message);
    else expect(err.message).toMatch(message);
  });

  it("reports only the first violation, in the order of the request's members", async () => {
    const h = await harness();
    const template = structuredClone(spotTemplate()) as any;
    template.description = "x".repeat(600);
    template.actions.interrupt.targets = { Instances: "spot" };
    const err = await rejection(h.fis.send(new CreateExperimentTemplateCommand(template)));
    expect(err.message).toMatch(/^1 validation error detected: .* at 'description'/);
  });

  it("accepts the boundaries: 5 ARNs, 50 tags, PT1M and PT12H waits, PERCENT(100), COUNT(1)", async () => {
    const h = await harness();
    const template = structuredClone(spotTemplate()) as any;
    delete template.targets.spot.resourceTags;
    template.targets.spot.resourceArns = [1, 2, 3, 4, 5].map((i) => `arn:aws:ec2:us-east-1:123456789012:instance/i-${i}`);
    template.targets.spot.selectionMode = "PERCENT(100)";
    template.targets.other = { resourceType: "aws:ec2:spot-instance", resourceTags: { a: "" }, selectionMode: "COUNT(1)" };
    template.tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
    template.actions.short = wait("PT1M");
    template.actions.long = wait("PT12H", { startAfter: ["short"] });
    template.stopConditions = Array.from({ length: 5 }, (_, i) => ({ source: "aws:cloudwatch:alarm", value: `${ALARM}-${i}` }));
    expect(await createTemplate(h, template)).toMatch(/^EXT/);
  });

  it("accepts a target that names its resources by parameters only (aws:ecs:task cluster and service)", async () => {
    const h = await harness();
    const template = spotTemplate({
      targets: { webTasks: { resourceType: "aws:ecs:task", parameters: { cluster: "prod", service: "web" }, selectionMode: "PERCENT(25)" } },
      actions: { kill: { actionId: "aws:ecs:stop-task", targets: { Tasks: "webTasks" } } },
    });
    expect(await createTemplate(h, template)).toMatch(/^EXT/);
  });
});

describe("UpdateExperimentTemplate", () => {
  it("validates the updated template with the same rules and leaves the stored one unchanged on error", async () => {
    const h = await harness();
    const id = await createTemplate(h, spotTemplate());
    const err = await rejection(
      h.fis.send(new UpdateExperimentTemplateCommand({ id, actions: { interrupt: { actionId: "aws:ec2:send-spot-instance-interruptions", parameters: { durationBeforeInterruption: "PT2M" }, targets: { Instances: "spot" } } } })),
    );
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.message).toMatch(/^Unexpected target "Instances" found in action "interrupt"\./);
    const stored = (await h.fis.send(new GetExperimentTemplateCommand({ id }))).experimentTemplate!;
    expect(stored.actions!.interrupt!.targets).toEqual({ SpotInstances: "spot" });
  });

  it("replaces each member it is given and keeps the others", async () => {
    const h = await harness();
    const id = await createTemplate(h, spotTemplate({ experimentOptions: { accountTargeting: "single-account", emptyTargetResolutionMode: "fail" } }));
    const before = (await h.fis.send(new GetExperimentTemplateCommand({ id }))).experimentTemplate!;
    await h.clock.sleep(60_000);
    const out = await h.fis.send(
      new UpdateExperimentTemplateCommand({
        id,
        description: "now with a pause",
        actions: { settle: { actionId: "aws:fis:wait", parameters: { duration: "PT3M" } } },
        experimentOptions: { emptyTargetResolutionMode: "skip" },
      }),
    );
    const t = out.experimentTemplate!;
    expect(t.description).toBe("now with a pause");
    expect(Object.keys(t.actions!)).toEqual(["settle"]);
    expect(t.targets).toEqual(before.targets);
    expect(t.roleArn).toBe(before.roleArn);
    expect(t.experimentOptions).toEqual({ accountTargeting: "single-account", emptyTargetResolutionMode: "skip" });
    expect(t.creationTime!.getTime()).toBe(before.creationTime!.getTime());
    expect(t.lastUpdateTime!.getTime() - before.lastUpdateTime!.getTime()).toBe(60_000);
  });
});

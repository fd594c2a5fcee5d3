/**
 * The object-lane codecs compiled from SDK schemas (src/aws/in-process-schema-codec.ts) against
 * the SDK's wire path: two identical sandboxes of the default stack, one read through in-process
 * clients on the lane and one through the same clients with the SDK's own serde, get the same
 * random sequence of steps (a spot interruption, a drain, time passing, alarms changing state) and
 * of reads (DescribeServices, DescribeTasks, ListContainerInstances, DescribeContainerInstances,
 * DescribeAlarmHistory, DescribeAlarms: valid and invalid, known and unknown names, with and
 * without tags, every page) and must answer alike: outputs deep-equal with $metadata and Dates,
 * errors of the same class, name, message, $fault and status, and the sandbox sees the same
 * requests. Also pins the part of @smithy/core's schema API the compiler reads.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { DescribeContainerInstancesCommand, DescribeServicesCommand, DescribeTasksCommand, ListContainerInstancesCommand, ListTasksCommand, UpdateContainerInstancesStateCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { DescribeAlarmHistoryCommand, DescribeAlarmsCommand, PutMetricAlarmCommand, SetAlarmStateCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { AwsClients } from "../../src/aws/clients.js";
import { withoutObjectLane } from "../../src/aws/in-process-lane.js";
import { compileCodec, SCHEMA_CODEC_OPERATIONS } from "../../src/aws/in-process-schema-codec.js";
import { smithyCore } from "../../src/aws/in-process-serde.js";
import type { LocalOutcome, LocalRequest } from "../../src/aws/in-process-handler.js";
import { SeededRandom } from "../../src/random/random.js";
import { harness } from "../sandbox/harness.js";
import { outcome } from "./call-outcome.js";

const defaultStack = readFileSync(join(import.meta.dirname, "../../fixtures/stacks/default.yaml"), "utf8");

const step = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 90_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("interrupt" as const), which: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("drain" as const), which: fc.nat(8) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("alarm" as const), name: fc.constantFrom("a1", "a2"), state: fc.constantFrom("ALARM" as const, "OK" as const, "INSUFFICIENT_DATA" as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("services" as const), names: fc.array(fc.constantFrom("web", "worker", "nope", "arn:aws:ecs:us-east-1:123456789012:service/prod/web"), { maxLength: 3 }), tags: fc.boolean(), cluster: fc.constantFrom("prod", "prod", "nope") }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("tasks" as const), take: fc.integer({ min: 0, max: 8 }), bogus: fc.boolean(), tags: fc.boolean(), desiredStatus: fc.constantFrom("RUNNING" as const, "STOPPED" as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("instances" as const), status: fc.option(fc.constantFrom("ACTIVE" as const, "DRAINING" as const)), maxResults: fc.option(fc.constantFrom(1, 2, 100)), describe: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("history" as const), name: fc.constantFrom("a1", "a2", "none"), type: fc.option(fc.constantFrom("StateUpdate" as const, "ConfigurationUpdate" as const)), ascending: fc.boolean(), max: fc.option(fc.constantFrom(1, 2, 100)), sinceS: fc.integer({ min: -600, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("alarms" as const), names: fc.array(fc.constantFrom("a1", "a2", "none"), { maxLength: 2 }), state: fc.option(fc.constantFrom("ALARM" as const, "OK" as const)) }) },
);
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

/** Every page of a paginated read. */
async function pages(read: (token: string | undefined) => Promise<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  let token: string | undefined;
  do {
    const page = (await outcome(read(token))) as { ok?: { nextToken?: string; NextToken?: string } };
    out.push(page);
    token = page.ok?.nextToken ?? page.ok?.NextToken;
  } while (token && out.length < 20);
  return out;
}

async function play(ecs: ECSClient, cloudwatch: CloudWatchClient, h: Awaited<ReturnType<typeof harness>>, s: Step): Promise<unknown> {
  switch (s.kind) {
    case "advance":
      await h.advance(s.ms);
      return undefined;
    case "interrupt": {
      const spots = h.sandbox.ec2.all().filter((i) => i.lifecycle === "spot" && i.state === "running");
      const spot = spots[s.which % Math.max(1, spots.length)];
      if (spot) h.sandbox.interruptSpot(spot.id, 120_000);
      return spot?.id;
    }
    case "drain": {
      const listed = (await ecs.send(new ListContainerInstancesCommand({ cluster: "prod" }))).containerInstanceArns ?? [];
      const arn = listed[s.which % Math.max(1, listed.length)];
      return arn ? outcome(ecs.send(new UpdateContainerInstancesStateCommand({ cluster: "prod", containerInstances: [arn], status: "DRAINING" }))) : undefined;
    }
    case "alarm":
      return outcome(cloudwatch.send(new SetAlarmStateCommand({ AlarmName: s.name, StateValue: s.state, StateReason: `to ${s.state}` })));
    case "services":
      return outcome(ecs.send(new DescribeServicesCommand({ cluster: s.cluster, services: s.names, ...(s.tags ? { include: ["TAGS"] } : {}) })));
    case "tasks": {
      const arns = (await ecs.send(new ListTasksCommand({ cluster: "prod", desiredStatus: s.desiredStatus }))).taskArns ?? [];
      const tasks = [...arns.slice(0, s.take), ...(s.bogus ? ["arn:aws:ecs:us-east-1:123456789012:task/prod/0000"] : [])];
      return outcome(ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks, ...(s.tags ? { include: ["TAGS"] } : {}) })));
    }
    case "instances": {
      const listed = await pages((nextToken) => ecs.send(new ListContainerInstancesCommand({ cluster: "prod", ...(s.status ? { status: s.status } : {}), ...(s.maxResults ? { maxResults: s.maxResults } : {}), nextToken })));
      const arns = listed.flatMap((p) => (p as { ok?: { containerInstanceArns?: string[] } }).ok?.containerInstanceArns ?? []);
      return s.describe ? [listed, await outcome(ecs.send(new DescribeContainerInstancesCommand({ cluster: "prod", containerInstances: arns })))] : listed;
    }
    case "history":
      return pages((NextToken) =>
        cloudwatch.send(
          new DescribeAlarmHistoryCommand({ AlarmName: s.name, ...(s.type ? { HistoryItemType: s.type } : {}), StartDate: new Date(h.clock.now() + s.sinceS * 1000), ScanBy: s.ascending ? "TimestampAscending" : "TimestampDescending", ...(s.max ? { MaxRecords: s.max } : {}), NextToken }),
        ),
      );
    case "alarms":
      return pages((NextToken) => cloudwatch.send(new DescribeAlarmsCommand({ ...(s.names.length > 0 ? { AlarmNames: s.names } : {}), ...(s.state ? { StateValue: s.state } : {}), NextToken })));
  }
}

/** One side: a sandbox, clients on it that record what the sandbox receives, and the steps' results. */
async function side(lane: boolean, steps: Step[]) {
  const h = await harness(defaultStack, { seed: 4 });
  const seen: string[] = [];
  /** The last object answer of each compiled operation, as the sandbox gave it. */
  const answers = new Map<string, unknown>();
  const dispatch = (request: LocalRequest): LocalOutcome => {
    const target = request.headers["x-amz-target"] ?? "";
    if (SCHEMA_CODEC_OPERATIONS.has(target)) seen.push(`${target} ${JSON.stringify(request.input ?? JSON.parse(request.body))}`);
    const outcome = h.sandbox.dispatcher.dispatch(request as never) as LocalOutcome;
    if (SCHEMA_CODEC_OPERATIONS.has(target) && "output" in outcome && outcome.output !== undefined) answers.set(target, structuredClone(outcome.output));
    return outcome;
  };
  const clients = new AwsClients({ kind: "local", region: "us-east-1", dispatch }, { clock: h.clock, random: new SeededRandom(5) });
  try {
    const ecs = await clients.ecs();
    const cloudwatch = await clients.cloudwatch();
    if (!lane) {
      withoutObjectLane(ecs);
      withoutObjectLane(cloudwatch);
    }
    for (const name of ["a1", "a2"]) {
      await cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: name, Namespace: "AWS/ApplicationELB", MetricName: "HTTPCode_Target_5XX_Count", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold", Dimensions: [{ Name: "LoadBalancer", Value: "app/web/1" }] }));
    }
    const lanesBefore = h.sandbox.dispatcher.objectLaneCalls;
    const results: unknown[] = [];
    for (const s of steps) results.push(await play(ecs, cloudwatch, h, s));
    return { results, seen, answers, at: h.clock.now(), laneCalls: h.sandbox.dispatcher.objectLaneCalls - lanesBefore };
  } finally {
    await clients.destroy();
    await h.close();
  }
}

describe("object-lane codecs compiled from SDK schemas", () => {
  it("answer ECS and CloudWatch reads through a spot interruption exactly as the SDK's wire path does", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        // One side after the other: a sandbox's virtual time runs on while anything waits on real I/O.
        const lane = await side(true, steps);
        const wire = await side(false, steps);
        expect(lane.results).toStrictEqual(wire.results);
        expect(lane.seen).toStrictEqual(wire.seen);
        expect(lane.at).toBe(wire.at);
      }),
      { numRuns: 15 },
    );
  }, 240_000);

  it("take the lane for each compiled operation the sandbox answers", async () => {
    const steps: Step[] = [
      { kind: "services", names: ["web"], tags: true, cluster: "prod" },
      { kind: "tasks", take: 3, bogus: true, tags: false, desiredStatus: "RUNNING" },
      { kind: "instances", status: null, maxResults: null, describe: true },
      { kind: "alarm", name: "a1", state: "ALARM" },
      { kind: "history", name: "a1", type: "StateUpdate", ascending: true, max: null, sinceS: -60 },
      { kind: "alarms", names: ["a1"], state: null },
    ];
    const lane = await side(true, steps);
    // ListTasks (hand-written codec) once, and each of the six compiled operations once.
    expect(lane.laneCalls).toBe(7);
    expect(new Set(lane.seen.map((s) => s.split(" ")[0]))).toEqual(SCHEMA_CODEC_OPERATIONS);
    const services = (lane.results[0] as { ok: { services: { deployments: { createdAt: unknown }[] }[] } }).ok.services;
    expect(services[0]!.deployments[0]!.createdAt).toBeInstanceOf(Date);
    // Each answer is decoded by its compiled codec, not left to the SDK's deserializer.
    const commands = [new DescribeServicesCommand({ services: [] }), new DescribeTasksCommand({ tasks: [] }), new ListContainerInstancesCommand({}), new DescribeContainerInstancesCommand({ containerInstances: [] }), new DescribeAlarmHistoryCommand({}), new DescribeAlarmsCommand({})];
    expect(lane.answers.size).toBe(6);
    for (const command of commands) {
      const [, , name, , input, output] = (command as unknown as { schema: unknown[] }).schema;
      const target = [...lane.answers.keys()].find((t) => t.endsWith(`.${String(name)}`))!;
      expect(compileCodec({ input, output }).decode(lane.answers.get(target)), target).toBeDefined();
    }
  }, 60_000);

  it("read what they compile from through the pinned @smithy/core schema API, and decline the kinds they do not handle", async () => {
    const { NormalizedSchema } = smithyCore<{ NormalizedSchema: { of(s: unknown): Record<string, unknown> } }>("schema");
    const probe = NormalizedSchema.of([3, "ns", "S", 0, ["a"], [0]]);
    for (const method of ["getSchema", "getMergedTraits", "isStructSchema", "isUnionSchema", "isListSchema", "isMapSchema", "isBlobSchema", "isTimestampSchema", "isDocumentSchema", "isStringSchema", "isBooleanSchema", "isNumericSchema", "isBigIntegerSchema", "isBigDecimalSchema", "isIdempotencyToken", "getValueSchema", "structIterator"]) {
      expect(typeof probe[method], method).toBe("function");
    }
    // A struct of a string, a number, a timestamp, a list of booleans, a map and a blob.
    const codec = compileCodec({ input: [3, "ns", "In", 0, ["s", "n", "t", "l", "m", "b"], [0, 1, 4, 64 | 2, 128 | 0, 21]], output: [3, "ns", "Out", 0, ["t", "l"], [4, 64 | 1]] });
    expect(codec.encode({ s: "x", n: -0, t: new Date(1500), l: [true], extra: 1 })).toStrictEqual({ s: "x", n: 0, t: 1.5, l: [true] });
    expect(codec.encode({ m: { k: "v" } })).toBeUndefined();
    expect(codec.encode({ b: new Uint8Array(1) })).toBeUndefined();
    expect(codec.encode({ t: new Date(NaN) })).toBeUndefined();
    expect(codec.encode({ n: Number.NaN })).toBeUndefined();
    expect(codec.encode({ s: 1 })).toBeUndefined();
    expect(codec.encode({ l: [true, null] })).toBeUndefined();
    expect(codec.encode({ s: "x", __type: "T" })).toBeUndefined();
    expect(codec.decode({ t: 1.0005, l: [1, -0], other: "dropped" })).toStrictEqual({ t: new Date(1001), l: [1, 0] });
    expect(codec.decode({ t: Number.NaN, l: undefined })).toStrictEqual({});
    expect(codec.decode({ l: [1, Number.NaN] })).toBeUndefined();
    expect(codec.decode({ t: "2020-01-01" })).toBeUndefined();
  });
});

/**
 * The object lane (src/aws/in-process-lane.ts) against the SDK's wire path: two identical Kinesis
 * sandboxes, one driven by clients on the lane and one by the same clients with the SDK's own
 * serializer and deserializer, get the same random sequences of calls (valid and invalid batches,
 * throttling by load, per-record faults, an outage, API errors by role, expired and invalid
 * iterators, a reshard) and must answer alike: outputs deep-equal including $metadata and the
 * byte type of Data, errors of the same class, name, message, $fault and status, the same request
 * bodies as the sandbox sees them (on the lane a record's Data is its bytes, on the wire their
 * base64), and the same state afterwards.
 */
import { describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  UpdateShardCountCommand,
  type PutRecordsRequestEntry,
} from "@aws-sdk/client-kinesis";
import { ListTasksCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { AwsClients } from "../../src/aws/clients.js";
import { trimForInProcess } from "../../src/aws/in-process-handler.js";
import { withoutObjectLane } from "../../src/aws/in-process-lane.js";
import { IN_PROCESS_CODECS } from "../../src/aws/in-process-codecs.js";
import { clockRetryPlugin } from "../../src/aws/retry-middleware.js";
import { SeededRandom } from "../../src/random/random.js";
import { Kernel } from "../../src/sandbox/kernel.js";
import { Dispatcher } from "../../src/sandbox/protocol/dispatcher.js";
import type { SandboxRequest } from "../../src/sandbox/protocol/types.js";
import { serve } from "../../src/sandbox/serve.js";
import { FisRegistry } from "../../src/sandbox/services/fis/registry.js";
import { KinesisService, type KinesisConfig } from "../../src/sandbox/services/kinesis/index.js";
import { VirtualClock } from "../../src/time/clock.js";
import { startAction, resource, ACCOUNT } from "../sandbox/kinesis/harness.js";
import { SandboxLogShipping } from "../../src/cli/sandbox-logs.js";
import type { LogProducerSpec } from "../../src/sandbox/workload/log-producers.js";
import { harness, stackYaml } from "../sandbox/harness.js";
import { outcome } from "./call-outcome.js";

const PRODUCER_KEY = "AKIDPRODUCER00000001";
const CONFIG: KinesisConfig = {
  streams: [
    { name: "logs", shards: 1 },
    { name: "wide", shards: 2 },
  ],
  roles: [{ name: "log-producer", accessKeyIds: [PRODUCER_KEY] }],
};
const ARN = (name: string) => `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${name}`;

/** One Kinesis sandbox with a default-role client and a producer-role client, both trimmed for in-process use and retrying as gameday does. */
async function kinesisTwin(lane: boolean) {
  const clock = new VirtualClock();
  const random = new SeededRandom(11);
  const kernel = new Kernel({ clock, random, region: "us-east-1", accountId: ACCOUNT });
  const kinesis = new KinesisService(kernel, CONFIG);
  const dispatcher = new Dispatcher();
  dispatcher.addJsonService(kinesis.json);
  dispatcher.intercept(kinesis.interceptor);
  const registry = new FisRegistry();
  kinesis.registerFis(registry);
  /** What the sandbox received for each data-plane call, as canonical JSON text (key order included), bytes as base64. */
  const bodies: string[] = [];
  const bytesAsBase64 = function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Uint8Array ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("base64") : value;
  };
  const requests: SandboxRequest[] = [];
  const dispatch = (request: SandboxRequest) => {
    requests.push(request);
    const target = request.headers["x-amz-target"] ?? "";
    if (IN_PROCESS_CODECS.has(target)) bodies.push(`${target} ${JSON.stringify(request.input ?? JSON.parse(request.body), bytesAsBase64)}`);
    return dispatcher.dispatch(request);
  };
  const policy = { baseMs: 100, capMs: 2_000, maxAttempts: 3 };
  const clients = new AwsClients({ kind: "local", region: "us-east-1", dispatch }, { clock, random: random.fork("clients"), retryPolicy: policy, requestTimeoutMs: 5_000 });
  const client = await clients.kinesis();
  const producer = new KinesisClient({ ...(await clients.baseConfig()), credentials: { accessKeyId: PRODUCER_KEY, secretAccessKey: "x" } });
  trimForInProcess(producer as never);
  producer.middlewareStack.use(clockRetryPlugin({ policy, clock, random: random.fork("producer-retry") }));
  if (!lane) {
    withoutObjectLane(client);
    withoutObjectLane(producer);
  }
  return { clock, kernel, kinesis, dispatcher, dispatch, requests, registry, bodies, client, producer };
}
type Twin = Awaited<ReturnType<typeof kinesisTwin>>;

const entry = fc.record(
  {
    data: fc.oneof({ weight: 12, arbitrary: fc.uint8Array({ maxLength: 48 }) }, { weight: 1, arbitrary: fc.constant("oversize" as const) }),
    key: fc.oneof(
      { weight: 8, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
      { weight: 1, arbitrary: fc.constant("") },
      { weight: 1, arbitrary: fc.constant("k".repeat(257)) },
      { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }) },
    ),
    explicit: fc.option(fc.constantFrom("0", "340282366920938463463374607431768211455", "170141183460469231731687303715884105728", "-1", "12a"), { freq: 4 }),
  },
  { requiredKeys: ["data", "key"] },
);
const stream = fc.constantFrom({ StreamName: "logs" }, { StreamName: "wide" }, { StreamARN: ARN("wide") }, { StreamName: "nope" });
const step = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("put" as const), stream, role: fc.boolean(), records: fc.array(entry, { maxLength: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("load" as const), stream, count: fc.constantFrom(500, 501) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("get" as const),
      stream: fc.constantFrom("logs", "wide"),
      shard: fc.nat(3),
      horizon: fc.boolean(),
      limit: fc.option(fc.integer({ min: 1, max: 4 })),
      staleMs: fc.constantFrom(0, 0, 301_000),
      role: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("bad-iterator" as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 2_500 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("outage" as const), effect: fc.constantFrom("refused" as const, "timeout" as const, undefined) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("api-error" as const),
      action: fc.constantFrom("aws:fis:inject-api-throttle-error", "aws:fis:inject-api-internal-error", "aws:fis:inject-api-unavailable-error"),
      role: fc.constantFrom("log-producer", "gameday-sandbox"),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("record-faults" as const), code: fc.constantFrom("ProvisionedThroughputExceededException" as const, "InternalFailure" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reshard" as const) }) },
);
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

function records(list: { data: Uint8Array | "oversize"; key: string; explicit?: string | null }[]): PutRecordsRequestEntry[] {
  return list.map((r) => ({
    Data: r.data === "oversize" ? new Uint8Array(1024 * 1024) : r.data,
    PartitionKey: r.key,
    ...(r.explicit != null ? { ExplicitHashKey: r.explicit } : {}),
  }));
}

async function play(t: Twin, s: Step): Promise<unknown> {
  const who = (role: boolean) => (role ? t.producer : t.client);
  switch (s.kind) {
    case "put":
      return outcome(who(s.role).send(new PutRecordsCommand({ ...s.stream, Records: records(s.records) })));
    case "load":
      return outcome(t.client.send(new PutRecordsCommand({ ...s.stream, Records: Array.from({ length: s.count }, (_, i) => ({ PartitionKey: `p${i}`, Data: new Uint8Array(100).fill(i % 256) })) })));
    case "get": {
      const listed = (await outcome(t.client.send(new ListShardsCommand({ StreamName: s.stream })))) as { ok?: { Shards?: { ShardId?: string }[] } };
      if (!listed.ok) return listed;
      const ids = listed.ok.Shards!.map((x) => x.ShardId!);
      const ShardId = ids[s.shard % ids.length]!;
      const it = await outcome(t.client.send(new GetShardIteratorCommand({ StreamName: s.stream, ShardId, ShardIteratorType: s.horizon ? "TRIM_HORIZON" : "LATEST" })));
      const iterator = (it as { ok?: { ShardIterator?: string } }).ok?.ShardIterator;
      if (!iterator) return it;
      if (s.staleMs) await t.clock.sleep(s.staleMs);
      return outcome(who(s.role).send(new GetRecordsCommand({ ShardIterator: iterator, ...(s.limit != null ? { Limit: s.limit } : {}) })));
    }
    case "bad-iterator":
      return outcome(t.client.send(new GetRecordsCommand({ ShardIterator: "not-an-iterator" })));
    case "advance":
      await t.clock.sleep(s.ms);
      return undefined;
    case "outage":
      t.kinesis.setOutage(s.effect);
      return undefined;
    case "api-error":
      startAction(t.registry, t.kernel, s.action, { duration: "PT1M", service: "kinesis", percentage: "100", operations: "PutRecords,GetRecords" }, { Roles: [resource(`arn:aws:iam::${ACCOUNT}:role/${s.role}`)] });
      return undefined;
    case "record-faults":
      t.kinesis.injectRecordFailures("wide", { percentage: 50, errorCode: s.code });
      return undefined;
    case "reshard":
      return outcome(t.client.send(new UpdateShardCountCommand({ StreamName: "logs", TargetShardCount: 2, ScalingType: "UNIFORM_SCALING" })));
  }
}

/** Everything both streams hold, read from every shard's trim horizon, with the sandbox's own counters. */
async function finalState(t: Twin): Promise<unknown> {
  t.kinesis.setOutage(undefined);
  await t.clock.sleep(120_000); // past any injected API error, and a fresh read budget
  const state: unknown[] = [t.kinesis.metrics()];
  for (const name of ["logs", "wide"]) {
    const shards = await t.client.send(new ListShardsCommand({ StreamName: name }));
    for (const shard of shards.Shards!) {
      const { ShardIterator } = await t.client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shard.ShardId!, ShardIteratorType: "TRIM_HORIZON" }));
      await t.clock.sleep(1_000);
      state.push(await outcome(t.client.send(new GetRecordsCommand({ ShardIterator: ShardIterator! }))));
    }
  }
  return state;
}

/** A request as the sandbox gets it, without its body. */
const head = ({ method, path, query, headers }: SandboxRequest) => ({ method, path, query, headers });

describe("the in-process object lane", () => {
  it("answers every Kinesis call sequence exactly as the SDK's wire path does, and leaves the sandbox in the same state", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
        const lane = await kinesisTwin(true);
        const wire = await kinesisTwin(false);
        const laneResults: unknown[] = [];
        const wireResults: unknown[] = [];
        for (const s of steps) laneResults.push(await play(lane, s));
        laneResults.push(await finalState(lane));
        for (const s of steps) wireResults.push(await play(wire, s));
        wireResults.push(await finalState(wire));
        expect(laneResults).toStrictEqual(wireResults);
        expect(lane.bodies).toStrictEqual(wire.bodies);
        // Every request the same but for the body: method, path, query and headers (target, credential scope).
        expect(lane.requests.map(head)).toStrictEqual(wire.requests.map(head));
        expect(lane.clock.now()).toBe(wire.clock.now());
        // The lane was taken for every data-plane call that succeeded, and never on the wire path.
        expect(lane.dispatcher.objectLaneCalls).toBeGreaterThan(0);
        expect(wire.dispatcher.objectLaneCalls).toBe(0);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it("answers ECS ListTasks (filters, pagination, errors) exactly as the wire path does", async () => {
    const listTasks = fc.record(
      {
        cluster: fc.constantFrom("prod", "prod", "prod", "nope"),
        serviceName: fc.constantFrom("web", "nope"),
        family: fc.constantFrom("web", "batch"),
        desiredStatus: fc.constantFrom("RUNNING", "STOPPED", "PENDING", "bogus"),
        launchType: fc.constantFrom("EC2", "FARGATE"),
        maxResults: fc.constantFrom(1, 2, 100, 0, 101),
      },
      { requiredKeys: ["cluster"] },
    );
    const steps = fc.array(fc.oneof(fc.record({ list: listTasks }), fc.record({ advanceMs: fc.integer({ min: 0, max: 20_000 }) })), { minLength: 1, maxLength: 6 });
    const run = async (ecs: ECSClient, advance: (ms: number) => Promise<void>, plan: ({ list: object } | { advanceMs: number })[]) => {
      const results: unknown[] = [];
      for (const s of plan) {
        if ("advanceMs" in s) {
          await advance(s.advanceMs);
          continue;
        }
        // Every page, as a caller following nextToken reads them.
        let nextToken: string | undefined;
        do {
          const page = (await outcome(ecs.send(new ListTasksCommand({ ...s.list, ...(nextToken ? { nextToken } : {}) })))) as { ok?: { nextToken?: string } };
          results.push(page);
          nextToken = page.ok?.nextToken;
        } while (nextToken);
      }
      return results;
    };
    await fc.assert(
      fc.asyncProperty(steps, async (plan) => {
        const lane = await harness(stackYaml(), { seed: 5 });
        const wire = await harness(stackYaml(), { seed: 5 });
        try {
          withoutObjectLane(wire.ecs);
          const laneResults = await run(lane.ecs, lane.advance, plan);
          const wireResults = await run(wire.ecs, wire.advance, plan);
          expect(laneResults).toStrictEqual(wireResults);
          // Every page that was answered came over the lane on one side only (the sandboxes' own clients alike on both).
          const answered = laneResults.filter((r) => (r as { ok?: unknown }).ok !== undefined).length;
          expect(lane.sandbox.dispatcher.objectLaneCalls - wire.sandbox.dispatcher.objectLaneCalls).toBe(answered);
        } finally {
          await lane.close();
          await wire.close();
        }
      }),
      { numRuns: 12 },
    );
  }, 120_000);

  it("is never taken by a client on an http endpoint: the served sandbox gets JSON text and answers text", async () => {
    const h = await kinesisTwin(true);
    const served = await serve({ dispatcher: { dispatch: h.dispatch }, imds: () => ({ status: 404, body: "" }) } as never, { port: 0 });
    try {
      const clients = new AwsClients({ kind: "endpoint", region: "us-east-1", endpoint: served.url }, { clock: h.clock, random: new SeededRandom(3) });
      const kinesis = await clients.kinesis();
      const put = await kinesis.send(new PutRecordsCommand({ StreamName: "logs", Records: [{ PartitionKey: "k", Data: new Uint8Array([1, 2, 3]) }] }));
      expect(put.FailedRecordCount).toBe(0);
      const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: "logs", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }));
      const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: ShardIterator! }));
      expect(got.Records!.map((r) => [...r.Data!])).toEqual([[1, 2, 3]]);
      expect(h.bodies).toHaveLength(2);
      expect(h.dispatcher.objectLaneCalls).toBe(0);
      await clients.destroy();
    } finally {
      await served.close();
    }
  });

  it("builds the SDK's request head once per operation and endpoint, then copies it: each call still gets its own request", async () => {
    const h = await kinesisTwin(true);
    // The SDK's serializer writes the body of every request it builds (an empty one here).
    const protocol = (h.client.config as unknown as { protocol: { serializer: { write(...args: unknown[]): unknown } } }).protocol;
    const sdkSerialize = vi.spyOn(protocol.serializer, "write");
    let written: unknown[];
    try {
      for (const key of ["a", "b", "c"]) {
        const out = await h.client.send(new PutRecordsCommand({ StreamName: "logs", Records: [{ PartitionKey: key, Data: new TextEncoder().encode(key) }] }));
        expect(out.FailedRecordCount).toBe(0);
      }
      await h.client.send(new GetRecordsCommand({ ShardIterator: "not-an-iterator" })).catch(() => undefined);
      written = sdkSerialize.mock.calls.map(([, input]) => input);
    } finally {
      sdkSerialize.mockRestore();
    }
    expect(written).toEqual([{}, {}]); // the first PutRecords, the first GetRecords
    const puts = h.requests.filter((r) => r.headers["x-amz-target"] === "Kinesis_20131202.PutRecords");
    expect(puts.map((r) => (r.input as { Records: { PartitionKey: string }[] }).Records[0]!.PartitionKey)).toEqual(["a", "b", "c"]);
    expect(new Set(puts.map((r) => r.headers)).size).toBe(3);
  });

  it("carries a log shipper's PutRecords with the shipper's subnet header and role key, as its wire calls were", async () => {
    const h = await kinesisTwin(true);
    const logs = await SandboxLogShipping.create(h.dispatch, h.clock, new SeededRandom(1));
    const spec: LogProducerSpec = {
      taskId: "0123456789abcdef",
      taskArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/prod/0123456789abcdef`,
      service: "web",
      cluster: "prod",
      instanceId: "i-0123456789abcdef0",
      az: "us-east-1a",
      subnet: "subnet-aaa",
      stream: "logs",
      region: "us-east-1",
      role: "log-producer",
      accessKeyId: PRODUCER_KEY,
      shipper: { spool: {} },
    };
    // The shipper's client is built privately per producer; reach it as the producer would.
    const client = (logs as unknown as { client(spec: LogProducerSpec, clock: VirtualClock): KinesisClient }).client(spec, h.clock);
    try {
      const out = await client.send(new PutRecordsCommand({ StreamName: "logs", Records: [{ PartitionKey: "k", Data: new TextEncoder().encode("line") }] }));
      expect(out.FailedRecordCount).toBe(0);
      const request = h.requests.at(-1)!;
      expect(request.input).toEqual({ Records: [{ Data: Buffer.from("line"), PartitionKey: "k" }], StreamName: "logs" });
      expect(request.body).toBe("");
      expect(request.headers["x-gameday-caller-subnet"]).toBe("subnet-aaa");
      expect(request.headers["authorization"]).toContain(`Credential=${PRODUCER_KEY}/`);
      expect(h.dispatcher.objectLaneCalls).toBe(1);
    } finally {
      client.destroy();
      logs.close();
    }
  });
});

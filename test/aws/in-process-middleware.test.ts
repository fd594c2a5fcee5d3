/**
 * The in-process clients' serde and endpoint middleware (src/aws/in-process-serde.ts,
 * in-process-endpoint.ts) against the SDK's own: the same requests reach the sandbox (path, query,
 * headers with the credential scope the endpoint's auth scheme gives, body) and the same answers
 * and failures come back (outputs with $metadata, API errors, unreadable bodies dressed as the SDK
 * dresses them), over awsJson, awsQuery, ec2Query and restJson; and a call copies no config.
 */
import { describe, expect, it } from "vitest";
import { DescribeStreamSummaryCommand, ListShardsCommand } from "@aws-sdk/client-kinesis";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { GetFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { AwsClients } from "../../src/aws/clients.js";
import type { LocalOutcome, LocalRequest } from "../../src/aws/in-process-handler.js";
import { withoutObjectLane } from "../../src/aws/in-process-lane.js";
import { withSdkMiddleware } from "../../src/aws/in-process-lean.js";
import { ListTasksCommand } from "@aws-sdk/client-ecs";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { SeededRandom } from "../../src/random/random.js";
import { VirtualClock } from "../../src/time/clock.js";

type Answer = { statusCode: number; headers?: Record<string, string>; body: string };

/** A client pair on one recording dispatcher that answers whatever the case says. */
async function pair() {
  const seen: LocalRequest[] = [];
  let answer: Answer = { statusCode: 200, body: "{}" };
  const dispatch = (request: LocalRequest): LocalOutcome => {
    seen.push(request);
    return { statusCode: answer.statusCode, headers: { "x-amzn-requestid": "req-1", ...answer.headers }, body: answer.body };
  };
  const make = () => new AwsClients({ kind: "local", region: "eu-west-1", dispatch }, { clock: new VirtualClock(), random: new SeededRandom(3), retryPolicy: { baseMs: 1, capMs: 1, maxAttempts: 1 } });
  return { seen, answerWith: (a: Answer) => (answer = a), lean: make(), sdk: make() };
}

/** What a caller can see of an outcome: the output, or the error's class, name, message, fault, metadata and raw response. */
async function outcome(call: () => Promise<unknown>) {
  try {
    return { output: await call() };
  } catch (err) {
    const e = err as Error & { $fault?: string; $metadata?: unknown; $response?: { statusCode?: number; body?: unknown } };
    return { error: { class: e.constructor.name, name: e.name, message: e.message, fault: e.$fault, metadata: e.$metadata, status: e.$response?.statusCode, body: e.$response?.body } };
  }
}

const JSON_ERROR = { statusCode: 400, headers: { "content-type": "application/x-amz-json-1.1" }, body: JSON.stringify({ __type: "ResourceNotFoundException", message: "Stream logs not found" }) };
const GARBAGE_200 = { statusCode: 200, body: "{not json <nor xml" };
const GARBAGE_500 = { statusCode: 500, body: "<html>bad gateway" };

const CASES: { what: string; call: (c: AwsClients) => Promise<unknown>; answers: Answer[] }[] = [
  {
    what: "Kinesis ListShards (awsJson)",
    call: async (c) => (await c.kinesis()).send(new ListShardsCommand({ StreamName: "logs" })),
    answers: [{ statusCode: 200, body: JSON.stringify({ Shards: [{ ShardId: "shardId-000000000000", HashKeyRange: { StartingHashKey: "0", EndingHashKey: "9" }, SequenceNumberRange: { StartingSequenceNumber: "1" } }] }) }, JSON_ERROR, GARBAGE_200, GARBAGE_500],
  },
  {
    what: "Kinesis DescribeStreamSummary by ARN (an endpoint context parameter)",
    call: async (c) => (await c.kinesis()).send(new DescribeStreamSummaryCommand({ StreamARN: "arn:aws:kinesis:eu-west-1:123456789012:stream/logs" })),
    answers: [{ statusCode: 200, body: JSON.stringify({ StreamDescriptionSummary: { StreamName: "logs", StreamCreationTimestamp: 1.7e9, OpenShardCount: 1 } }) }, JSON_ERROR, GARBAGE_200],
  },
  {
    what: "STS GetCallerIdentity (awsQuery)",
    call: async (c) => (await c.sts()).send(new GetCallerIdentityCommand({})),
    answers: [
      { statusCode: 200, headers: { "content-type": "text/xml" }, body: `<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/me</Arn><UserId>AID</UserId></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>` },
      { statusCode: 403, headers: { "content-type": "text/xml" }, body: `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error><RequestId>r</RequestId></ErrorResponse>` },
      GARBAGE_200,
    ],
  },
  {
    what: "EC2 DescribeInstances (ec2Query)",
    call: async (c) => (await c.ec2()).send(new DescribeInstancesCommand({ InstanceIds: ["i-1"] })),
    answers: [
      { statusCode: 200, headers: { "content-type": "text/xml" }, body: `<DescribeInstancesResponse><requestId>r</requestId><reservationSet><item><reservationId>r-1</reservationId><instancesSet><item><instanceId>i-1</instanceId></item></instancesSet></item></reservationSet></DescribeInstancesResponse>` },
      { statusCode: 400, headers: { "content-type": "text/xml" }, body: `<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>gone</Message></Error></Errors><RequestID>r</RequestID></Response>` },
      GARBAGE_200,
    ],
  },
  {
    what: "Lambda GetFunctionConfiguration (restJson)",
    call: async (c) => (await c.lambda()).send(new GetFunctionConfigurationCommand({ FunctionName: "wordpress" })),
    answers: [
      { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ FunctionName: "wordpress", MemorySize: 512 }) },
      { statusCode: 404, headers: { "content-type": "application/json", "x-amzn-errortype": "ResourceNotFoundException" }, body: JSON.stringify({ Type: "User", Message: "Function not found" }) },
      GARBAGE_200,
    ],
  },
  {
    what: "CloudWatch ListMetrics",
    call: async (c) => (await c.cloudwatch()).send(new ListMetricsCommand({ Namespace: "gameday/web" })),
    answers: [GARBAGE_200, GARBAGE_500],
  },
];

describe("in-process serde and endpoint middleware", () => {
  it.each(CASES)("$what: the same request reaches the sandbox and the same answer or failure comes back as with the SDK's own middleware", async ({ call, answers }) => {
    const { seen, answerWith, lean, sdk } = await pair();
    // The SDK's own serde and endpoint middleware on one side (the lane too, which these calls do not take).
    for (const name of ["kinesis", "sts", "ec2", "lambda", "cloudwatch"] as const) withoutObjectLane(await sdk[name]());
    for (const answer of answers) {
      answerWith(answer);
      seen.length = 0;
      const ours = await outcome(() => call(lean));
      const theirs = await outcome(() => call(sdk));
      expect(seen).toHaveLength(2);
      expect(seen[0]).toEqual(seen[1]);
      expect(seen[0]!.headers["authorization"]).toMatch(/Credential=\w+\/00000000\/eu-west-1\/\w+\/aws4_request/);
      expect(ours).toEqual(theirs);
      if (answer === GARBAGE_200) expect(ours.error?.message).toContain("inspect the hidden field {error}.$response");
    }
  });

  it("a call copies no entry of the client config (the SDK's middleware copies all of them three times per call)", async () => {
    const { lean, sdk, answerWith } = await pair();
    answerWith({ statusCode: 200, body: JSON.stringify({ Shards: [] }) });
    /** Reads of a config entry over three calls: a copy of the config reads every entry. */
    const readsOver3Calls = async (kinesis: Awaited<ReturnType<AwsClients["kinesis"]>>) => {
      let reads = 0;
      Object.defineProperty(kinesis.config, "countedEntry", { enumerable: true, get: () => ++reads });
      for (let i = 0; i < 3; i++) expect((await kinesis.send(new ListShardsCommand({ StreamName: "logs" }))).Shards).toEqual([]);
      return reads;
    };
    expect(await readsOver3Calls(await lean.kinesis())).toBe(0);
    expect(await readsOver3Calls(withoutObjectLane(await sdk.kinesis()))).toBe(9);
  });

  it("a call reaches the sandbox and returns after as many turns of the microtask queue as with the SDK's middleware, first call and later ones", async () => {
    // Actors meeting in one virtual instant interleave by turns: the same turns keep their order (and the journal).
    let turn = 0;
    let reachedAt = -1;
    const dispatch = (request: LocalRequest): LocalOutcome => {
      reachedAt = turn;
      const op = request.headers["x-amz-target"]?.split(".")[1];
      const output = op === "PutRecords" ? { FailedRecordCount: 0, Records: [{ SequenceNumber: "1", ShardId: "shardId-000000000000" }] } : op === "ListTasks" ? { taskArns: ["t"] } : op === "GetMetricData" ? { MetricDataResults: [], Messages: [] } : { Shards: [] };
      if (request.input) return { statusCode: 200, headers: { "x-amzn-requestid": "r" }, body: "", output };
      if (!op) return { statusCode: 200, headers: { "content-type": "text/xml" }, body: `<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>` };
      return { statusCode: 200, headers: { "x-amzn-requestid": "r" }, body: JSON.stringify(output) };
    };
    const turns = async (call: () => Promise<unknown>) => {
      turn = 0;
      let counting = true;
      const counter = (async () => {
        while (counting) {
          await null;
          turn++;
        }
      })();
      await call();
      const returnedAt = turn;
      counting = false;
      await counter;
      return [reachedAt, returnedAt];
    };
    const play = async (clients: AwsClients, sdk: boolean) => {
      const [ecs, kinesis, cloudwatch, sts] = [await clients.ecs(), await clients.kinesis(), await clients.cloudwatch(), await clients.sts()];
      if (sdk) for (const c of [ecs, kinesis, cloudwatch, sts]) withSdkMiddleware(c);
      const signal = new AbortController().signal;
      const seen: number[][] = [];
      for (let i = 0; i < 3; i++) {
        seen.push(await turns(() => ecs.send(new ListTasksCommand({ cluster: "prod" }))));
        seen.push(await turns(() => ecs.send(new ListTasksCommand({ cluster: "prod" }), { abortSignal: signal as never })));
        seen.push(await turns(() => kinesis.send(new ListShardsCommand({ StreamARN: `arn:aws:kinesis:eu-west-1:123456789012:stream/s${i % 2}` }))));
        seen.push(await turns(() => kinesis.send(new PutRecordsCommand({ StreamName: "logs", Records: [{ PartitionKey: "k", Data: new Uint8Array([i]) }] }))));
        seen.push(await turns(() => cloudwatch.send(new GetMetricDataCommand({ MetricDataQueries: [], StartTime: new Date(0), EndTime: new Date(60_000) }))));
        seen.push(await turns(() => sts.send(new GetCallerIdentityCommand({}))));
      }
      return seen;
    };
    const make = () => new AwsClients({ kind: "local", region: "eu-west-1", dispatch }, { clock: new VirtualClock(), random: new SeededRandom(3) });
    const lean = await play(make(), false);
    const sdk = await play(make(), true);
    expect(lean.every(([reached, returned]) => reached! > 10 && returned! > reached!)).toBe(true);
    expect(lean).toEqual(sdk);
  });

  it("resolves a command's endpoint once per client and endpoint parameters of the input; the SDK's middleware on every call", async () => {
    const { lean, sdk, answerWith } = await pair();
    answerWith({ statusCode: 200, body: JSON.stringify({ Shards: [] }) });
    const resolutions = async (kinesis: Awaited<ReturnType<AwsClients["kinesis"]>>) => {
      const params: unknown[] = [];
      const config = kinesis.config as unknown as { endpointProvider: (p: unknown, c: unknown) => unknown };
      const provider = config.endpointProvider;
      config.endpointProvider = (p, c) => {
        params.push((p as { StreamARN?: string }).StreamARN);
        return provider(p, c);
      };
      for (const arn of ["a", "a", "b", "a", "b", undefined, undefined]) {
        const input = arn ? { StreamARN: `arn:aws:kinesis:eu-west-1:123456789012:stream/${arn}` } : { StreamName: "logs" };
        expect((await kinesis.send(new ListShardsCommand(input))).Shards).toEqual([]);
      }
      return params.map((arn) => (typeof arn === "string" ? arn.split("/")[1] : arn));
    };
    expect(await resolutions(await lean.kinesis())).toEqual(["a", "b", undefined]);
    expect(await resolutions(withSdkMiddleware(await sdk.kinesis()))).toEqual(["a", "a", "b", "a", "b", undefined, undefined]);
  });

  it("keeps no endpoint whose resolution waits on the event loop, and does not keep the microtask queue busy meanwhile", async () => {
    const { lean, answerWith } = await pair();
    answerWith({ statusCode: 200, body: JSON.stringify({ Shards: [] }) });
    const kinesis = await lean.kinesis();
    const config = kinesis.config as unknown as { endpoint: () => Promise<unknown> };
    const endpoint = config.endpoint;
    let resolutions = 0;
    // A provider that waits for a turn of the event loop, as one doing real I/O would.
    config.endpoint = async () => {
      resolutions++;
      await new Promise((resolve) => setImmediate(resolve));
      return endpoint();
    };
    for (let i = 0; i < 2; i++) expect((await kinesis.send(new ListShardsCommand({ StreamName: "logs" }))).Shards).toEqual([]);
    // Two reads a resolution (the Endpoint parameter, then the custom endpoint), on both calls: nothing kept.
    expect(resolutions).toBe(4);
  });
});

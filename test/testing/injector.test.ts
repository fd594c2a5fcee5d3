import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { setupServer } from "msw/node";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { GetRecordsCommand, KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { awsFaults, injectedFailureLog, type AwsCall, type FailureSequence } from "../../src/testing/index.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const client = (maxAttempts = 1) => new KinesisClient({ region: "us-east-1", endpoint: "http://127.0.0.1:9", requestHandler: new NodeHttpHandler(), credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" }, maxAttempts });

/** A stream that accepts every record it is given, for the answers that are not failures. */
function stream() {
  const seen: AwsCall[] = [];
  let seq = 0;
  return {
    seen,
    respond(call: AwsCall) {
      seen.push(call);
      if (call.operation === "PutRecords") return { FailedRecordCount: 0, Records: (call.input.Records as unknown[]).map(() => ({ SequenceNumber: String(++seq), ShardId: "shardId-000000000000" })) };
      return { Records: [], NextShardIterator: "it-2", MillisBehindLatest: 0 };
    },
  };
}

const put = (c: KinesisClient, n: number) => c.send(new PutRecordsCommand({ StreamName: "s", Records: Array.from({ length: n }, (_, i) => ({ Data: new TextEncoder().encode(`r${i}`), PartitionKey: `k${i}` })) }));

function use(sequence: FailureSequence, advance?: (ms: number) => void) {
  const s = stream();
  const faults = awsFaults({ sequence, respond: (c) => s.respond(c), ...(advance ? { advance } : {}) });
  server.use(faults.handler);
  return { s, faults };
}

describe("awsFaults: a failure sequence applied to an AWS SDK v3 client", () => {
  it("fails requests in order as the SDK surfaces AWS's errors, and answers normally past the end of the sequence", async () => {
    const { s, faults } = use([{ kind: "throttling", code: "ProvisionedThroughputExceededException" }, { kind: "server-error", status: 503, code: "ServiceUnavailable" }, null]);
    const c = client();
    await expect(put(c, 1)).rejects.toMatchObject({ name: "ProvisionedThroughputExceededException", $metadata: { httpStatusCode: 400 } });
    await expect(put(c, 1)).rejects.toMatchObject({ name: "ServiceUnavailable", $metadata: { httpStatusCode: 503 } });
    await expect(put(c, 2)).resolves.toMatchObject({ FailedRecordCount: 0 });
    await expect(put(c, 1)).resolves.toMatchObject({ FailedRecordCount: 0 });
    expect(s.seen).toHaveLength(2);
    expect(faults.calls.map((x) => x.operation)).toEqual(["PutRecords", "PutRecords", "PutRecords", "PutRecords"]);
    expect(faults.describe()).toBe("#0 PutRecords: throttling ProvisionedThroughputExceededException; #1 PutRecords: 503 ServiceUnavailable");
  });

  it("refuses a query-protocol request (EC2, IAM...) with a message that says so, not a JSON parse error", async () => {
    const { faults } = use([]);
    const form = new Request("http://127.0.0.1:9/", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=DescribeInstances&Version=2016-11-15" });
    await expect(faults.handler.run({ request: form, requestId: "1" })).rejects.toThrow(/was sent as application\/x-www-form-urlencoded, not the AWS JSON protocol/);
    expect(faults.calls).toEqual([]);
  });

  it("resets and timeouts give no response, with the socket error a real one gives (the SDK's TimeoutError, ECONNRESET or ETIMEDOUT); a timeout's duration goes to the test's clock", async () => {
    const advanced: number[] = [];
    use([{ kind: "connection-reset" }, { kind: "timeout", afterMs: 2_500 }], (ms) => void advanced.push(ms));
    const c = client();
    for (const code of ["ECONNRESET", "ETIMEDOUT"]) {
      const err = await put(c, 1).catch((e: unknown) => e as { $metadata?: { httpStatusCode?: number } });
      expect(err).toBeInstanceOf(Error);
      // What @smithy/node-http-handler makes of a socket's ECONNRESET or ETIMEDOUT: a TimeoutError, which the SDK retries.
      expect(err).toMatchObject({ name: "TimeoutError", code });
      expect((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBeUndefined();
    }
    expect(advanced).toEqual([2_500]);
  });

  it("the SDK's own retry strategy takes an injected reset or timeout for the transient failure a real one is", async () => {
    vi.useFakeTimers();
    try {
      // vi.advanceTimersByTimeAsync is an `advance` as it is (it resolves to vi, which is not used): typechecked with the suite.
      server.use(awsFaults({ sequence: [], respond: () => ({}), advance: vi.advanceTimersByTimeAsync }).handler);
      server.resetHandlers();
      const { faults } = use([{ kind: "connection-reset" }, { kind: "timeout", afterMs: 10 }, null]);
      const sent = put(client(3), 1);
      await vi.runAllTimersAsync();
      await expect(sent).resolves.toMatchObject({ FailedRecordCount: 0, $metadata: { attempts: 3 } });
      expect(faults.calls.map((x) => x.failure?.kind ?? "ok")).toEqual(["connection-reset", "timeout", "ok"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("injectedFailureLog tells msw's prints of the failures it throws on purpose from a genuine exception's", async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void printed.push(args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(" ")));
    try {
      use([{ kind: "connection-reset" }, { kind: "timeout", afterMs: 5 }]);
      for (let i = 0; i < 2; i++) await put(client(), 1).catch(() => undefined);
      server.resetHandlers(awsFaults({ sequence: [], respond: () => { throw new Error("bug in respond"); } }).handler);
      await put(client(), 1).catch(() => undefined);
    } finally {
      spy.mockRestore();
    }
    expect(printed.length).toBeGreaterThanOrEqual(3);
    // What a vitest onConsoleLog filter built on it leaves: the genuine bug, and nothing of the injected failures.
    expect(printed.filter((line) => !injectedFailureLog(line))).toEqual([expect.stringContaining("bug in respond")]);
  });

  it("fails some records of a PutRecords with 200, passing the others to the service; expires a GetRecords iterator", async () => {
    const { s } = use([{ kind: "partial-failure", failed: [false, true], code: "ProvisionedThroughputExceededException" }, { kind: "expired-iterator" }]);
    const c = client();
    const out = await put(c, 4);
    expect(out.FailedRecordCount).toBe(2);
    expect(out.Records!.map((r) => r.ErrorCode ?? "ok")).toEqual(["ok", "ProvisionedThroughputExceededException", "ok", "ProvisionedThroughputExceededException"]);
    expect((s.seen[0]!.input.Records as { PartitionKey: string }[]).map((r) => r.PartitionKey)).toEqual(["k0", "k2"]);
    await expect(c.send(new GetRecordsCommand({ ShardIterator: "it-1" }))).rejects.toMatchObject({ name: "ExpiredIteratorException" });
  });

  it("fails a request whose respond returned nothing (a forgotten return) with an error naming the operation, not an empty 200; neither the SDK's retries nor the caller's get through", async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(" ")));
    try {
      let answered = 0;
      // The fake computes its answer and forgets to return it.
      const faults = awsFaults({ sequence: [], respond: () => void answered++ });
      server.use(faults.handler);
      const c = client(3);
      const message = "awsFaults: respond returned undefined for PutRecords (request #0): it must return the service's output object (e.g. {} for an operation with no output)";
      // A 400 with a code no retry strategy takes for transient: one attempt, though the client allows three.
      await expect(put(c, 1)).rejects.toMatchObject({ name: "GamedayTestingRespondReturnedUndefined", message, $metadata: { httpStatusCode: 400, attempts: 1 } });
      // The caller's own retry fails too, without asking respond again.
      await expect(put(c, 1)).rejects.toMatchObject({ name: "GamedayTestingRespondReturnedUndefined", message: `${message}; request #1 (PutRecords) fails with it too, as every later request does, so that no retry hides it` });
      expect(answered).toBe(1);
      expect(faults.describe()).toBe(message);
      // Printed for code under test that swallows errors; the vitest filter for injected failures keeps it.
      expect(printed).toEqual([message]);
      expect(injectedFailureLog(printed[0]!)).toBe(false);

      // The same through a partial failure's records that go through, and for null.
      server.resetHandlers(awsFaults({ sequence: [{ kind: "partial-failure", failed: [true, false], code: "InternalFailure" }], respond: () => undefined }).handler);
      await expect(put(client(), 2)).rejects.toMatchObject({ name: "GamedayTestingRespondReturnedUndefined", message: "awsFaults: respond returned undefined for PutRecords (request #0): it must return the service's output object (e.g. {} for an operation with no output)" });
      server.resetHandlers(awsFaults({ sequence: [], respond: () => null }).handler);
      await expect(client().send(new GetRecordsCommand({ ShardIterator: "it-1" }))).rejects.toMatchObject({ name: "GamedayTestingRespondReturnedUndefined", message: expect.stringMatching(/^awsFaults: respond returned null for GetRecords \(request #0\): it must return/) });
      expect(printed).toHaveLength(3);
    } finally {
      spy.mockRestore();
    }
  });

  it("counts in FailedRecordCount the records the service's fake fails too, not only the injected ones", async () => {
    let seq = 0;
    // A fake stream that throttles the second record it is given, of its own accord.
    const respond = (call: AwsCall) => {
      const records = call.input.Records as unknown[];
      return { FailedRecordCount: 1, Records: records.map((_, i) => (i === 1 ? { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded" } : { SequenceNumber: String(++seq), ShardId: "shardId-000000000000" })) };
    };
    server.use(awsFaults({ sequence: [{ kind: "partial-failure", failed: [true, false], code: "InternalFailure" }], respond }).handler);
    const out = await put(client(), 4);
    expect(out.Records!.map((r) => r.ErrorCode ?? "ok")).toEqual(["InternalFailure", "ok", "InternalFailure", "ProvisionedThroughputExceededException"]);
    expect(out.FailedRecordCount).toBe(3);
  });
});

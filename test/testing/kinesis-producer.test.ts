/**
 * The example of docs/testing.md: a property test of a user's own retry wrapper around Kinesis
 * PutRecords, with gameday/testing's failure sequences injected through msw, in virtual time (the
 * wrapper's sleep is the test's, and the SDK's own retries are off). Property: whatever AWS does,
 * every record ends up in the stream exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { setupServer } from "msw/node";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { KinesisClient, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { awsFaults, failureSequence, type AwsCall } from "../../src/testing/index.js";
import { putAllNaive, putAllResilient, type ProducerDeps } from "./kinesis-producer.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

const client = new KinesisClient({ region: "us-east-1", endpoint: "http://127.0.0.1:9", requestHandler: new NodeHttpHandler(), credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" }, maxAttempts: 1 });

type PutAll = (c: KinesisClient, stream: string, records: PutRecordsRequestEntry[], d: ProducerDeps) => Promise<void>;

/** Every record exactly once, through any sequence of throttles, 5xx, resets, timeouts and partial failures. */
function exactlyOnce(putAll: PutAll) {
  return fc.asyncProperty(
    failureSequence({ maxLength: 6, kinds: ["throttling", "server-error", "connection-reset", "timeout", "partial-failure"] }),
    fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 10 }),
    async (sequence, keys) => {
      const delivered: string[] = [];
      const respond = (call: AwsCall) => {
        const records = call.input.Records as { PartitionKey: string }[];
        delivered.push(...records.map((r) => r.PartitionKey));
        return { FailedRecordCount: 0, Records: records.map((_, i) => ({ SequenceNumber: String(delivered.length + i), ShardId: "shardId-000000000000" })) };
      };
      let now = 0;
      const faults = awsFaults({ sequence, respond, advance: (ms) => void (now += ms) });
      server.resetHandlers(faults.handler);
      const records = keys.map((k) => ({ PartitionKey: k, Data: new TextEncoder().encode(k) }));
      // Virtual time: sleeping moves the test's clock on and returns at once.
      await putAll(client, "app-logs", records, { sleep: async (ms) => void (now += ms), random: () => 0.5, maxAttempts: sequence.length + 2 });
      expect([...delivered].sort(), faults.describe()).toEqual([...keys].sort());
    },
  );
}

describe("a Kinesis producer's retry wrapper, property-tested with gameday/testing", () => {
  it("finds the naive wrapper's bug, shrunk to one partial failure: resending the whole batch duplicates what was accepted", async () => {
    const result = await fc.check(exactlyOnce(putAllNaive), { seed: 1, numRuns: 200 });
    expect(result.failed).toBe(true);
    const [sequence, keys] = result.counterexample!;
    // The smallest case: one partial failure, and the two records it takes to have one accepted and one failed.
    expect(sequence.filter((f) => f !== null).map((f) => f!.kind)).toEqual(["partial-failure"]);
    expect(keys).toHaveLength(2);
  });

  it("passes with the wrapper that resends only the failed records", async () => {
    await fc.assert(exactlyOnce(putAllResilient), { seed: 1, numRuns: 200 });
  });
});

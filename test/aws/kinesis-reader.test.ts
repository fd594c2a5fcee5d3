import { describe, expect, it } from "vitest";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { kinesisHarness } from "../sandbox/kinesis/harness.js";
import { StreamReader } from "../../src/aws/kinesis-reader.js";

/** One shard with `seconds` x 1,000 records of 300 bytes: more than Kinesis lets one reader take at once. */
async function filledShard(seconds: number) {
  const h = await kinesisHarness({ streams: [{ name: "s", shards: 1 }] });
  const data = new TextEncoder().encode("x".repeat(300));
  for (let s = 0; s < seconds; s++) {
    for (let b = 0; b < 2; b++) {
      const out = await h.client.send(new PutRecordsCommand({ StreamName: "s", Records: Array.from({ length: 500 }, (_, i) => ({ Data: data, PartitionKey: `k${i}` })) }));
      expect(out.FailedRecordCount).toBe(0);
    }
    await h.advance(1_000);
  }
  return h;
}

describe("reading a stream as a consumer", () => {
  it("stops a round when reads stay throttled, saying it is incomplete and how far behind it last was", async () => {
    const h = await filledShard(60);
    let read = 0;
    const report = await new StreamReader(h.client, "s", h.clock).readNew(() => read++);
    expect(report.throttled).toBeGreaterThan(0);
    expect(report.complete).toBe(false);
    expect(read).toBeLessThan(60_000);
    // Behind, and saying so: a throttled round does not report a lag of 0.
    expect(report.millisBehindLatest).toBeGreaterThan(0);
    h.clock.stop();
  });

  it("reads everything when asked to read until complete, pausing on throttling as Kinesis requires", async () => {
    const h = await filledShard(60);
    let read = 0;
    const report = await new StreamReader(h.client, "s", h.clock).readNew(() => read++, undefined, { untilComplete: true });
    expect(report.complete).toBe(true);
    expect(read).toBe(60_000);
    expect(report.millisBehindLatest).toBe(0);
    h.clock.stop();
  });
});

import { describe, expect, it } from "vitest";
import { PutRecordsCommand, UpdateShardCountCommand } from "@aws-sdk/client-kinesis";
import { kinesisHarness } from "../sandbox/kinesis/harness.js";
import { StreamReader } from "../../src/aws/kinesis-reader.js";

/** One shard with `seconds` x 1,000 records of 300 bytes: more than Kinesis lets one reader take at once. */
async function filledShard(seconds: number) {
  const h = await kinesisHarness({ streams: [{ name: "s", shards: 1 }] });
  await fill(h, seconds);
  return h;
}

/** `seconds` x 1,000 records of 300 bytes, one second's worth at a time. */
async function fill(h: Awaited<ReturnType<typeof kinesisHarness>>, seconds: number) {
  const data = new TextEncoder().encode("x".repeat(300));
  for (let s = 0; s < seconds; s++) {
    for (let b = 0; b < 2; b++) {
      const out = await h.client.send(new PutRecordsCommand({ StreamName: "s", Records: Array.from({ length: 500 }, (_, i) => ({ Data: data, PartitionKey: `k${i}` })) }));
      expect(out.FailedRecordCount).toBe(0);
    }
    await h.advance(1_000);
  }
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

  it("reads on into the children a shard names when a reshard closed it during the round, so the round still ends at the tip", async () => {
    const h = await filledShard(120);
    const reader = new StreamReader(h.client, "s", h.clock);
    // The round lists one shard; reading its 120,000 records at Kinesis's 2 MiB a second takes
    // longer than the reshard (10 s), after which new records go to the two children.
    await h.client.send(new UpdateShardCountCommand({ StreamName: "s", TargetShardCount: 2, ScalingType: "UNIFORM_SCALING" }));
    const later = h.clock.sleep(11_000).then(() => fill(h, 1));
    let read = 0;
    const report = await reader.readNew(() => read++, undefined, { untilComplete: true });
    await later;
    expect(report).toMatchObject({ complete: true, shards: 3 });
    expect(read).toBe(121_000);
    h.clock.stop();
  });
});

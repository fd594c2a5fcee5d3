import { describe, expect, it } from "vitest";
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  InvalidArgumentException,
  ListShardsCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilStreamExists,
} from "@aws-sdk/client-kinesis";
import { ACCOUNT, kinesisHarness, rejection } from "./harness.js";

const ARN = (name: string) => `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${name}`;

describe("stream lifecycle", () => {
  it("CreateStream answers at once with the stream CREATING; it becomes ACTIVE 5 s later on the clock, as the SDK waiter sees", async () => {
    const h = await kinesisHarness();
    const created = h.clock.now();
    await h.client.send(new CreateStreamCommand({ StreamName: "logs", ShardCount: 2, Tags: { team: "sre" } }));
    const first = await h.client.send(new DescribeStreamSummaryCommand({ StreamName: "logs" }));
    expect(first.StreamDescriptionSummary).toMatchObject({
      StreamName: "logs",
      StreamARN: ARN("logs"),
      StreamStatus: "CREATING",
      StreamModeDetails: { StreamMode: "PROVISIONED" },
      RetentionPeriodHours: 24,
      OpenShardCount: 2,
      EncryptionType: "NONE",
      MaxRecordSizeInKiB: 1024,
    });
    expect(first.StreamDescriptionSummary!.StreamCreationTimestamp!.getTime()).toBe(created);

    // The waiter sleeps in real time between polls, so let virtual time pass first: its first
    // DescribeStream must then already read ACTIVE.
    await h.advance(5_000);
    const waited = await waitUntilStreamExists({ client: h.client, maxWaitTime: 120 }, { StreamName: "logs" });
    expect(waited.state).toBe("SUCCESS");
    const described = await h.client.send(new DescribeStreamCommand({ StreamARN: ARN("logs") }));
    expect(described.StreamDescription!.StreamStatus).toBe("ACTIVE");
    expect(described.StreamDescription!.Shards!.map((s) => s.ShardId)).toEqual(["shardId-000000000000", "shardId-000000000001"]);
    expect(described.StreamDescription!.HasMoreShards).toBe(false);
  });

  it("lays shards out over [0, 2^128 - 1] in even contiguous ranges", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 3 }] });
    const out = await h.client.send(new ListShardsCommand({ StreamName: "logs" }));
    const ranges = out.Shards!.map((s) => [BigInt(s.HashKeyRange!.StartingHashKey!), BigInt(s.HashKeyRange!.EndingHashKey!)] as const);
    const space = 1n << 128n;
    expect(ranges).toEqual([
      [0n, space / 3n - 1n],
      [space / 3n, (2n * space) / 3n - 1n],
      [(2n * space) / 3n, space - 1n],
    ]);
    for (const s of out.Shards!) expect(s.SequenceNumberRange!.StartingSequenceNumber).toMatch(/^\d{56}$/);
  });

  it("two shards split at 2^127, as AWS lays them out", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 2 }] });
    const out = await h.client.send(new ListShardsCommand({ StreamName: "logs" }));
    expect(out.Shards!.map((s) => s.HashKeyRange)).toEqual([
      { StartingHashKey: "0", EndingHashKey: "170141183460469231731687303715884105727" },
      { StartingHashKey: "170141183460469231731687303715884105728", EndingHashKey: "340282366920938463463374607431768211455" },
    ]);
  });

  it("ListStreams lists names in order with summaries, and pages with HasMoreStreams and NextToken", async () => {
    const h = await kinesisHarness({ streams: [{ name: "b", shards: 1 }, { name: "a", shards: 1 }, { name: "c", mode: "ON_DEMAND" }] });
    const all = await h.client.send(new ListStreamsCommand({}));
    expect(all.StreamNames).toEqual(["a", "b", "c"]);
    expect(all.HasMoreStreams).toBe(false);
    expect(all.StreamSummaries!.map((s) => [s.StreamName, s.StreamARN, s.StreamStatus, s.StreamModeDetails!.StreamMode])).toEqual([
      ["a", ARN("a"), "ACTIVE", "PROVISIONED"],
      ["b", ARN("b"), "ACTIVE", "PROVISIONED"],
      ["c", ARN("c"), "ACTIVE", "ON_DEMAND"],
    ]);
    const page1 = await h.client.send(new ListStreamsCommand({ Limit: 2 }));
    expect(page1.StreamNames).toEqual(["a", "b"]);
    expect(page1.HasMoreStreams).toBe(true);
    const page2 = await h.client.send(new ListStreamsCommand({ Limit: 2, NextToken: page1.NextToken! }));
    expect(page2.StreamNames).toEqual(["c"]);
    expect(page2.HasMoreStreams).toBe(false);
  });

  it("ListShards pages with MaxResults and NextToken, and the token alone names the stream", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 5 }] });
    const ids: string[] = [];
    let out = await h.client.send(new ListShardsCommand({ StreamName: "logs", MaxResults: 2 }));
    ids.push(...out.Shards!.map((s) => s.ShardId!));
    while (out.NextToken) {
      out = await h.client.send(new ListShardsCommand({ NextToken: out.NextToken, MaxResults: 2 }));
      ids.push(...out.Shards!.map((s) => s.ShardId!));
    }
    expect(ids).toEqual([0, 1, 2, 3, 4].map((i) => `shardId-00000000000${i}`));
    const mixed = await rejection(h.client.send(new ListShardsCommand({ StreamName: "logs", NextToken: "abc" })));
    expect(mixed).toBeInstanceOf(InvalidArgumentException);
  });

  it("a ListShards NextToken expires after 300 seconds", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 3 }] });
    const out = await h.client.send(new ListShardsCommand({ StreamName: "logs", MaxResults: 1 }));
    await h.advance(301_000);
    const err = await rejection(h.client.send(new ListShardsCommand({ NextToken: out.NextToken! })));
    expect(err.name).toBe("ExpiredNextTokenException");
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  it("tags: AddTagsToStream merges, ListTagsForStream lists them by key", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1, tags: { team: "sre" } }] });
    await h.client.send(new AddTagsToStreamCommand({ StreamARN: ARN("logs"), Tags: { env: "prod", team: "platform" } }));
    const out = await h.client.send(new ListTagsForStreamCommand({ StreamName: "logs" }));
    expect(out.Tags).toEqual([
      { Key: "env", Value: "prod" },
      { Key: "team", Value: "platform" },
    ]);
    expect(out.HasMoreTags).toBe(false);
    const page = await h.client.send(new ListTagsForStreamCommand({ StreamName: "logs", Limit: 1 }));
    expect(page.Tags).toEqual([{ Key: "env", Value: "prod" }]);
    expect(page.HasMoreTags).toBe(true);
  });

  it("DeleteStream: DELETING, then gone", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    await h.client.send(new DeleteStreamCommand({ StreamName: "logs" }));
    const during = await h.client.send(new DescribeStreamSummaryCommand({ StreamName: "logs" }));
    expect(during.StreamDescriptionSummary!.StreamStatus).toBe("DELETING");
    await h.advance(10_000);
    const err = await rejection(h.client.send(new DescribeStreamSummaryCommand({ StreamName: "logs" })));
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.message).toBe(`Stream logs under account ${ACCOUNT} not found.`);
    expect(err.$metadata.httpStatusCode).toBe(400);
  });
});

describe("stream errors", () => {
  it("an unknown stream is a ResourceNotFoundException, by name or by ARN", async () => {
    const h = await kinesisHarness();
    for (const input of [{ StreamName: "nope" }, { StreamARN: ARN("nope") }]) {
      const err = await rejection(h.client.send(new DescribeStreamSummaryCommand(input)));
      expect(err).toBeInstanceOf(ResourceNotFoundException);
      expect(err.$metadata.httpStatusCode).toBe(400);
    }
  });

  it("a second CreateStream of the same name is a ResourceInUseException", async () => {
    const h = await kinesisHarness({ streams: [{ name: "logs", shards: 1 }] });
    const err = await rejection(h.client.send(new CreateStreamCommand({ StreamName: "logs", ShardCount: 1 })));
    expect(err).toBeInstanceOf(ResourceInUseException);
    expect(err.message).toBe(`Stream logs under account ${ACCOUNT} already exists.`);
  });

  it("CreateStream refuses a missing shard count, a shard count with ON_DEMAND, and bad names", async () => {
    const h = await kinesisHarness();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ StreamName: "a" }, /ShardCount .*PROVISIONED.*found neither/],
      [{ StreamName: "a", StreamModeDetails: { StreamMode: "PROVISIONED" } }, /ShardCount is required/],
      [{ StreamName: "a", ShardCount: 2, StreamModeDetails: { StreamMode: "ON_DEMAND" } }, /must not be given .* found 2/],
      [{ StreamName: "bad name!", ShardCount: 1 }, /Value 'bad name!' at 'streamName'/],
      [{ StreamName: "a", ShardCount: 0 }, /Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1/],
    ];
    for (const [input, message] of cases) {
      const err = await rejection(h.client.send(new CreateStreamCommand(input as never)));
      expect(err, JSON.stringify(input)).toBeInstanceOf(InvalidArgumentException);
      expect(err.message).toMatch(message);
    }
  });

  it("StreamName and StreamARN must name the same stream; one of them is required", async () => {
    const h = await kinesisHarness({ streams: [{ name: "a", shards: 1 }, { name: "b", shards: 1 }] });
    const both = await rejection(h.client.send(new DescribeStreamSummaryCommand({ StreamName: "a", StreamARN: ARN("b") })));
    expect(both).toBeInstanceOf(InvalidArgumentException);
    const none = await rejection(h.client.send(new DescribeStreamSummaryCommand({})));
    expect(none).toBeInstanceOf(InvalidArgumentException);
    expect(none.message).toBe("Either StreamName or StreamARN should be provided.");
  });
});

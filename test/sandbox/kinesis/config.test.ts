import { describe, expect, it } from "vitest";
import { SeededRandom } from "../../../src/random/random.js";
import { Kernel } from "../../../src/sandbox/kernel.js";
import { KinesisService, kinesisConfigSchema, parseKinesisConfig } from "../../../src/sandbox/services/kinesis/index.js";
import { VirtualClock } from "../../../src/time/clock.js";

describe("kinesis configuration", () => {
  it("accepts provisioned and on-demand streams, roles and subnets", () => {
    const parsed = parseKinesisConfig({
      streams: [{ name: "logs", shards: 2, retentionHours: 48 }, { name: "events", mode: "ON_DEMAND", maxRecordSizeKiB: 10240 }],
      roles: [{ name: "producer", accessKeyIds: ["AKIDPRODUCER00000001"] }],
      subnets: [{ id: "subnet-0abc", az: "us-east-1a" }],
    });
    expect(parsed.streams).toHaveLength(2);
    expect(kinesisConfigSchema.safeParse({ streams: [] }).success).toBe(true);
  });

  it("lists every problem with its path, saying what was expected and what was found", () => {
    let message = "";
    try {
      parseKinesisConfig({
        streams: [{ name: "logs" }, { name: "od", mode: "ON_DEMAND", shards: 3 }, { name: "logs", shards: 1 }, { name: "x y", shards: 1 }],
        roles: [{ name: "gameday-sandbox", accessKeyIds: ["AKIDPRODUCER00000001"] }],
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split("\n")).toEqual([
      "invalid kinesis configuration:",
      "  kinesis.streams[0].shards: expected `shards` (a PROVISIONED stream) or `mode: ON_DEMAND`, found neither",
      "  kinesis.streams[1].shards: expected no shard count for an ON_DEMAND stream (it starts with 4 and scales itself), found 3",
      "  kinesis.streams[3].name: a stream name is 1 to 128 of a-z A-Z 0-9 _ . -",
      "  kinesis.streams[2].name: expected unique stream names, found 'logs' twice",
      "  kinesis.roles[0].name: expected unique role names (gameday-sandbox is the default role), found 'gameday-sandbox' twice",
    ]);
  });

  it("the service refuses a bad configuration at construction", () => {
    const kernel = new Kernel({ clock: new VirtualClock(), random: new SeededRandom(1) });
    expect(() => new KinesisService(kernel, { streams: [{ name: "logs", shards: 0 }] })).toThrow(/kinesis\.streams\[0\]\.shards: Too small: expected number to be >=1/);
  });
});

/**
 * Against the sandbox's Kinesis, whose per-shard limit (1,000 records/s) throttles from load
 * alone: a shipper offered more than a shard takes must keep delivering at the shard's capacity,
 * pacing itself by backoff, not stop by opening its breaker (found in review: it delivered a third
 * of the capacity, opening and closing all along).
 */
import { afterEach, describe, expect, it } from "vitest";
import { kinesisHarness } from "../sandbox/kinesis/harness.js";
import { Shipper } from "../../src/pipeline/shipper.js";
import { kinesisPortFromClient } from "../../src/pipeline/kinesis-port.js";
import { SeededRandom } from "../../src/random/random.js";
import { tempDirs } from "./helpers/tmp.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe("a shipper against a shard at its limit", () => {
  it("delivers close to the shard's capacity and never opens its breaker", async () => {
    const h = await kinesisHarness({ streams: [{ name: "s", shards: 1 }] });
    const breakerChanges: string[] = [];
    const shipper = new Shipper({
      clock: h.clock,
      random: new SeededRandom(3),
      kinesis: kinesisPortFromClient(await h.clientAs("AKIAIOSFODNN7EXAMPLE"), "s"),
      host: "h",
      spool: { dir: dirs.make(), fsync: "never" },
      onEvent: (e) => {
        if (e.type === "breaker") breakerChanges.push(`${e.from}->${e.to}`);
      },
    });
    const seconds = 120;
    const offered = 1_100; // records per second: 10% more than the shard takes
    for (let s = 0; s < seconds; s++) {
      for (let tenth = 0; tenth < 10; tenth++) {
        for (let k = 0; k < offered / 10; k++) shipper.write({ msg: "x".repeat(100), s });
        await h.clock.sleep(100);
      }
    }
    const m = shipper.metrics();
    expect(breakerChanges).toEqual([]);
    // The shard takes 1,000 records a second: at least 90% of that reached it.
    expect(m.delivered).toBeGreaterThan(0.9 * 1_000 * seconds);
    expect(m.throttled).toBeGreaterThan(0);
    await shipper.close();
    h.clock.stop();
  });
});

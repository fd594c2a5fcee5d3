/**
 * The sandbox's log producers: each task of a logging service writes its lines into its own
 * shipper. A task's logger hands over what it wrote since the last burst all at once, as pino's
 * transport hands the shipper its buffer (Shipper.writeLines), so a shipper whose breaker is open
 * spools a burst with one append rather than one per line.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SeededRandom } from "../../../src/random/random.js";
import { Sandbox } from "../../../src/sandbox/sandbox.js";
import { parseStack } from "../../../src/sandbox/stack/load.js";
import { VirtualClock } from "../../../src/time/clock.js";
import type { LogProducerFactory, LogProducerSpec } from "../../../src/sandbox/workload/log-producers.js";
import { stackYaml } from "../harness.js";

const LOGGING = `
kinesis:
  streams: [{ name: app-logs, shards: 1 }]
  roles: [{ name: web-task, accessKeyIds: [AKIAWEBTASKSANDBOX01] }]
logging:
  - { service: web, stream: app-logs, role: web-task, linesPerSecond: 3 }
`;

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe("sandbox log producers", () => {
  it("hand each task's shipper its lines in bursts, one writeLines call per burst, numbered without gaps", async () => {
    const bursts = new Map<string, string[][]>();
    const factory: LogProducerFactory = {
      create(spec: LogProducerSpec) {
        const mine: string[][] = [];
        bursts.set(spec.taskId, mine);
        return { writeLines: (lines) => void mine.push([...lines]), sigterm: () => {}, exit: () => {} };
      },
      hostGone: () => {},
    };
    const clock = new VirtualClock();
    const sandbox = await Sandbox.create({ stack: parseStack(stackYaml() + LOGGING, "test-stack.yaml"), clock, random: new SeededRandom(7), logProducers: factory });
    stop = async () => {
      await sandbox.stop();
      clock.stop();
    };
    sandbox.start();
    await sandbox.ready();
    await clock.sleep(60_000);

    expect(bursts.size).toBeGreaterThan(0);
    for (const taskBursts of bursts.values()) {
      expect(taskBursts.length).toBeGreaterThan(5);
      // 3 lines a second, handed over every 5 s: 15 lines a burst, in one call.
      for (const burst of taskBursts) expect(burst).toHaveLength(15);
      const numbers = taskBursts.flat().map((line) => (JSON.parse(line) as { n: number }).n);
      expect(numbers).toEqual(numbers.map((_, i) => i));
      // A pino-shaped line, padded by the stack's lineBytes (256 by default) less 130.
      const line = taskBursts[1]![2]!;
      expect(line).toMatch(/^\{"level":30,"time":\d+,"service":"web","task":"[0-9a-f]{12}","n":17,"msg":"GET \/health 200","pad":"x{126}"\}$/);
    }
  });
});

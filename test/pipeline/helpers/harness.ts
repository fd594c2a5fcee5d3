/** Builds a Shipper over a FakeKinesis and a fresh spool directory, and reads back what happened. */
import * as fs from "node:fs";
import { Shipper, type ShipperOptions } from "../../../src/pipeline/shipper.js";
import type { ShipperEvent } from "../../../src/pipeline/options.js";
import { SeededRandom } from "../../../src/random/random.js";
import { VirtualClock, type Clock } from "../../../src/time/clock.js";
import { FakeKinesis } from "./fake-kinesis.js";

export interface Harness {
  shipper: Shipper;
  fake: FakeKinesis;
  dir: string;
  clock: Clock;
  events: ShipperEvent[];
}

export function makeShipper(
  dir: string,
  options: Partial<ShipperOptions> = {},
  parts: { clock?: Clock; fake?: FakeKinesis; seed?: number } = {},
): Harness {
  const clock = parts.clock ?? new VirtualClock();
  const fake = parts.fake ?? new FakeKinesis();
  const events: ShipperEvent[] = [];
  const shipper = new Shipper({
    clock,
    random: new SeededRandom(parts.seed ?? 7),
    kinesis: fake,
    host: "test-host",
    onEvent: (e) => events.push(e),
    ...options,
    spool: { dir, fsync: "never", ...options.spool },
  });
  return { shipper, fake, dir, clock, events };
}

/** The `i` field of every record the fake stored, in arrival order (duplicates included). */
export function storedIds(fake: FakeKinesis): number[] {
  return fake.storedJson().map((r) => r.i as number);
}

export function spoolFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith(".spool")).sort();
}

export function range(n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, k) => from + k);
}

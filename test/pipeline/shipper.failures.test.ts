import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import * as fs from "node:fs";
import * as path from "node:path";
import { VirtualClock } from "../../src/time/clock.js";
import { FakeKinesis, invalidError, refusedError, serverError, throttleError, type Reply } from "./helpers/fake-kinesis.js";
import { makeShipper, range, storedIds } from "./helpers/harness.js";
import { tempDirs } from "./helpers/tmp.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const idsOf = (entries: { data: Uint8Array }[]) => entries.map((e) => (JSON.parse(Buffer.from(e.data).toString()) as { i: number }).i);

describe("Shipper failure handling", () => {
  it("resends exactly the entries that failed in a partial failure, never the ones that succeeded", async () => {
    // Replay a failure: fc.assert(..., { seed, path, endOnFailure: true }) with the values printed.
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), { minLength: 1, maxLength: 4 }),
        async (n, failMasks) => {
          const dir = dirs.make();
          const fake = new FakeKinesis();
          fake.respond = (call) => {
            const mask = failMasks[call];
            return mask ? { kind: "partial", fail: (i) => mask[i]! } : { kind: "ok" };
          };
          const { shipper } = makeShipper(dir, { retry: { maxAttempts: 10, deadlineMs: 600_000 } }, { fake });
          for (const i of range(n)) shipper.write({ i });
          await shipper.flush();
          for (let c = 1; c < fake.calls.length; c++) {
            const previous = fake.calls[c - 1]!;
            const failedBefore = previous.failed.map((k) => idsOf(previous.entries)[k]);
            expect(idsOf(fake.calls[c]!.entries)).toEqual(failedBefore);
          }
          // Every record stored exactly once: no duplicates from partial failures.
          expect(storedIds(fake).sort((a, b) => a - b)).toEqual(range(n));
          const m = shipper.metrics();
          expect(m.resent).toBe(fake.calls.slice(1).reduce((a, c) => a + c.entries.length, 0));
          expect(m.duplicatesPossible).toBe(0);
          await shipper.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it("retries whole-call throttling and 5xx errors with backoff, and does not retry other client errors", async () => {
    const fake = new FakeKinesis();
    const script: Reply[] = [
      { kind: "throw", error: throttleError },
      { kind: "throw", error: serverError },
      { kind: "ok" },
    ];
    fake.respond = (call) => script[call] ?? { kind: "ok" };
    const retried = makeShipper(dirs.make(), {}, { fake });
    for (const i of range(5)) retried.shipper.write({ i });
    await retried.shipper.flush();
    expect(fake.calls.map((c) => c.reply)).toEqual(["throw", "throw", "ok"]);
    expect(storedIds(fake)).toEqual(range(5));

    const denied = new FakeKinesis();
    denied.respond = () => ({ kind: "throw", error: () => Object.assign(new Error("no"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } }) });
    const notRetried = makeShipper(dirs.make(), {}, { fake: denied });
    for (const i of range(5)) notRetried.shipper.write({ i });
    await notRetried.shipper.flush();
    expect(denied.calls).toHaveLength(1);
    expect(notRetried.shipper.metrics()).toMatchObject({ spooled: 5, resent: 0 });
    expect(notRetried.events).toContainEqual(expect.objectContaining({ type: "gave-up", reason: "not-retryable", records: 5 }));
  });

  it("bisects a batch Kinesis refuses as invalid until the bad record stands alone, dead-letters it and delivers the rest", async () => {
    const dir = dirs.make();
    const fake = new FakeKinesis();
    fake.respond = (_call, entries) =>
      entries.some((e) => Buffer.from(e.data).toString().includes("poison")) ? { kind: "throw", error: invalidError } : { kind: "ok" };
    const { shipper } = makeShipper(dir, {}, { fake });
    for (const i of range(9)) shipper.write(i === 6 ? { i, poison: true } : { i });
    await shipper.flush();
    expect(storedIds(fake).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 7, 8]);
    expect(shipper.metrics().deadLettered).toBe(1);
    const letters = fs.readFileSync(path.join(dir, "dead-letter.ndjson"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { reason: string; record: string; detail: string });
    expect(letters).toHaveLength(1);
    expect(letters[0]!.reason).toBe("invalid");
    expect(letters[0]!.detail).toMatch(/ValidationException/);
    expect(JSON.parse(letters[0]!.record)).toMatchObject({ i: 6, poison: true });
    // log2(9) rounds of halving, not one call per record.
    expect(fake.calls.length).toBeLessThan(2 * 9);
  });

  it("hands a batch to the spool at its deadline instead of retrying forever", async () => {
    const clock = new VirtualClock();
    const fake = new FakeKinesis();
    fake.respond = () => ({ kind: "partial", fail: (i) => i === 0 });
    const start = clock.now();
    const { shipper } = makeShipper(dirs.make(), { retry: { baseMs: 100, capMs: 1_000, maxAttempts: 1_000, deadlineMs: 5_000 } }, { clock, fake });
    for (const i of range(3)) shipper.write({ i });
    await shipper.flush();
    expect(clock.now() - start).toBeLessThanOrEqual(5_000 + 200 + 5_000);
    expect(shipper.metrics()).toMatchObject({ delivered: 2, spooled: 1, inMemory: 0, inFlight: 0 });
  });

  it("stops retrying when the retry budget is empty and spools instead", async () => {
    const fake = new FakeKinesis();
    fake.respond = () => ({ kind: "throw", error: throttleError });
    const { shipper, events } = makeShipper(
      dirs.make(),
      { retry: { budget: { capacity: 10, throttleCost: 5 } }, breaker: { consecutiveFailures: 1_000 } },
      { fake },
    );
    for (const i of range(3)) shipper.write({ i });
    await shipper.flush();
    // Two retries took the 10 tokens; the third failure found the bucket empty.
    expect(fake.calls).toHaveLength(3);
    expect(events).toContainEqual(expect.objectContaining({ type: "gave-up", reason: "budget" }));
    expect(shipper.metrics().spooled).toBe(3);
    // Later batches get no retry at all until successes refill the bucket.
    shipper.write({ i: 3 });
    await shipper.flush();
    expect(fake.calls).toHaveLength(4);
  });

  it("abandons a call that does not answer within requestTimeoutMs and counts the resent records as possible duplicates", async () => {
    const fake = new FakeKinesis();
    fake.respond = (call) => (call === 0 ? { kind: "hang", stored: true } : { kind: "ok" });
    const { shipper } = makeShipper(dirs.make(), { requestTimeoutMs: 2_000 }, { fake });
    for (const i of range(4)) shipper.write({ i });
    await shipper.flush();
    // Kinesis stored the first send although it never answered: each record twice.
    expect(storedIds(fake).sort((a, b) => a - b)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(shipper.metrics()).toMatchObject({ duplicatesPossible: 4, resent: 4, delivered: 4 });
  });

  it("re-draws random partition keys on a resend, so throttled records can move to another shard", async () => {
    const fake = new FakeKinesis();
    fake.respond = (call) => (call === 0 ? { kind: "partial", fail: () => true } : { kind: "ok" });
    const { shipper } = makeShipper(dirs.make(), {}, { fake });
    for (const i of range(20)) shipper.write({ i });
    await shipper.flush();
    const first = fake.calls[0]!.entries.map((e) => e.partitionKey);
    const second = fake.calls[1]!.entries.map((e) => e.partitionKey);
    expect(second.filter((k, i) => k !== first[i]).length).toBeGreaterThan(15);
  });

  it("treats connection refusal (nothing sent) as no duplicate risk", async () => {
    const fake = new FakeKinesis();
    fake.respond = (call) => (call === 0 ? { kind: "throw", error: refusedError } : { kind: "ok" });
    const { shipper } = makeShipper(dirs.make(), {}, { fake });
    for (const i of range(4)) shipper.write({ i });
    await shipper.flush();
    expect(shipper.metrics()).toMatchObject({ duplicatesPossible: 0, resent: 4, delivered: 4 });
  });
});

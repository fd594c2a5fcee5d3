/**
 * The pino transport end to end: pino.transport() starts a real worker thread running
 * src/pipeline/transport.mjs, which ships to a Kinesis endpoint on 127.0.0.1.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { startKinesisHttp, type KinesisHttp } from "./helpers/kinesis-http.js";
import { recordsOnDisk } from "./helpers/disk-oracle.js";
import { tempDirs } from "./helpers/tmp.js";

const target = fileURLToPath(new URL("./fixtures/transport-shim.mjs", import.meta.url));
const dirs = tempDirs();
let kinesis: KinesisHttp;
beforeAll(async () => {
  kinesis = await startKinesisHttp();
});
afterAll(() => kinesis.close());
afterEach(() => dirs.cleanup());

const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" };

/** Logs `count` lines through the transport, ends it the way pino does at exit, and returns its errors. */
async function logThrough(options: Record<string, unknown>, count: number): Promise<Error[]> {
  const transport = pino.transport({ target, options });
  const errors: Error[] = [];
  transport.on("error", (e: Error) => errors.push(e));
  const logger = pino({}, transport);
  for (let i = 0; i < count; i++) logger.info({ i }, "request served");
  // The worker is unref'd: keep the loop alive until it reports 'close'.
  const keepAlive = setInterval(() => {}, 1_000);
  await new Promise<void>((resolve) => {
    transport.once("close", () => resolve());
    transport.end();
  });
  clearInterval(keepAlive);
  return errors;
}

describe("pino transport (gameday/pipeline)", () => {
  it("ships every line to Kinesis with its record id, and flushes on end", async () => {
    await kinesis.setMode("ok");
    const before = (await kinesis.received()).length;
    const errors = await logThrough(
      { streamName: "app-logs", region: "us-east-1", endpoint: kinesis.url, credentials, spool: { dir: dirs.make() }, batch: { lingerMs: 50 } },
      1_200,
    );
    expect(errors).toEqual([]);
    const received = (await kinesis.received()).slice(before);
    expect(received.every((r) => r.stream === "app-logs")).toBe(true);
    const records = received.map((r) => JSON.parse(r.data) as { i: number; msg: string; _gd: { h: string; b: string; s: number } });
    expect(records.map((r) => r.i).sort((a, b) => a - b)).toEqual(Array.from({ length: 1_200 }, (_, i) => i));
    expect(records.every((r) => r.msg === "request served")).toBe(true);
    expect(new Set(records.map((r) => r._gd.s)).size).toBe(1_200);
    expect(new Set(records.map((r) => r._gd.b)).size).toBe(1);
  });

  it("puts every line on disk when Kinesis fails, within pino's exit window", async () => {
    await kinesis.setMode({ status: 500, type: "InternalFailure" });
    const dir = dirs.make();
    const errors = await logThrough(
      {
        streamName: "app-logs",
        region: "us-east-1",
        endpoint: kinesis.url,
        credentials,
        spool: { dir, fsync: "always" },
        retry: { baseMs: 5, capMs: 20, deadlineMs: 200 },
        breaker: { consecutiveFailures: 2 },
        closeGraceMs: 500,
      },
      700,
    );
    expect(errors).toEqual([]);
    const onDisk = recordsOnDisk(dir).map((t) => (JSON.parse(t) as { i: number }).i);
    expect(new Set(onDisk)).toEqual(new Set(Array.from({ length: 700 }, (_, i) => i)));
  });

  it("puts every line on disk within pino's exit window when Kinesis never answers, even past the memory budget", async () => {
    await kinesis.setMode("hang");
    const dir = dirs.make();
    const lines = 15_000; // more than the default memory budget of 10,000 records
    const errors = await logThrough({ streamName: "app-logs", region: "us-east-1", endpoint: kinesis.url, credentials, spool: { dir } }, lines);
    await kinesis.setMode("ok");
    // pino reports "_flushSync took too long (10s)" if the worker does not finish in time.
    expect(errors.map((e) => e.message)).toEqual([]);
    const onDisk = recordsOnDisk(dir).map((t) => (JSON.parse(t) as { i: number }).i);
    expect(new Set(onDisk).size).toBe(lines);
  });

  it("fails to start with a message naming the bad option", async () => {
    const transport = pino.transport({ target, options: { region: "us-east-1", spool: { dir: dirs.make() }, batch: { maxRecords: 900 } } });
    const error = await new Promise<Error>((resolve) => transport.once("error", resolve));
    expect(error.message).toMatch(/streamName/);
    expect(error.message).toMatch(/batch\.maxRecords: Too big: expected number to be <=500, found 900/);
  });
});

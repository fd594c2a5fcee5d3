/**
 * The shipper against a real Kinesis emulator (kinesis-local, kinesis-mock compiled to JS), started
 * once for this file as a child process on 127.0.0.1. It never throttles, so failure handling is
 * tested with the fake and the in-process sandbox; this checks the real wire: every record written
 * comes back from GetRecords with its id.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import * as path from "node:path";
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { Shipper } from "../../src/pipeline/shipper.js";
import { createShipperKinesisClient, kinesisPortFromClient } from "../../src/pipeline/kinesis-port.js";
import { RealClock } from "../../src/time/clock.js";
import { SeededRandom } from "../../src/random/random.js";
import { readRecordId, recordKey } from "../../src/pipeline/envelope.js";
import { tempDirs } from "./helpers/tmp.js";

const STREAM = "gameday-logs";
const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" };
const dirs = tempDirs();
let emulator: ChildProcess;
let endpoint = "";
let reader: KinesisClient;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntilActive(deadline: number): Promise<void> {
  for (;;) {
    try {
      const out = await reader.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }));
      if (out.StreamDescriptionSummary?.StreamStatus === "ACTIVE") return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`stream ${STREAM} not ACTIVE in time`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  const main = createRequire(import.meta.url).resolve("kinesis-local/main.js");
  const [plain, tls] = [await freePort(), await freePort()];
  emulator = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      INITIALIZE_STREAMS: `${STREAM}:2`,
      KINESIS_MOCK_PLAIN_PORT: String(plain),
      KINESIS_MOCK_TLS_PORT: String(tls),
      KINESIS_MOCK_CERT_PATH: path.join(path.dirname(main), "server.json"),
      LOG_LEVEL: "WARN",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  endpoint = `http://127.0.0.1:${plain}`;
  reader = new KinesisClient({ region: "us-east-1", endpoint, credentials, requestHandler: new NodeHttpHandler() });
  await waitUntilActive(Date.now() + 45_000);
}, 60_000);

afterAll(async () => {
  reader?.destroy();
  if (emulator && emulator.exitCode === null) {
    await new Promise<void>((resolve) => {
      emulator.once("exit", () => resolve());
      emulator.kill("SIGTERM");
    });
  }
  dirs.cleanup();
});

async function readAll(): Promise<string[]> {
  const texts: string[] = [];
  const shards = (await reader.send(new ListShardsCommand({ StreamName: STREAM }))).Shards ?? [];
  for (const shard of shards) {
    let iterator = (await reader.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shard.ShardId!, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    for (let page = 0; iterator && page < 100; page++) {
      const out = await reader.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1_000 }));
      for (const r of out.Records ?? []) texts.push(Buffer.from(r.Data!).toString("utf8"));
      if ((out.Records ?? []).length === 0 && (out.MillisBehindLatest ?? 0) === 0) break;
      iterator = out.NextShardIterator;
    }
  }
  return texts;
}

describe("Shipper against kinesis-local", () => {
  it("delivers every record, readable back with GetRecords, ids intact, no loss", async () => {
    const client = createShipperKinesisClient({ region: "us-east-1", endpoint, credentials, requestTimeoutMs: 30_000 });
    const shipper = new Shipper({
      clock: new RealClock(),
      random: new SeededRandom(2020_11_25),
      kinesis: kinesisPortFromClient(client, STREAM),
      host: "kinesis-local-test",
      spool: { dir: dirs.make() },
      // The emulator is slow on big batches (seconds for 500 records): keep calls modest and patient.
      batch: { maxRecords: 100, lingerMs: 50 },
      requestTimeoutMs: 30_000,
      closeGraceMs: 8_000,
    });
    for (let i = 0; i < 300; i++) shipper.write({ i, msg: "order placed", level: 30 });
    await shipper.flush();
    const m = shipper.metrics();
    await shipper.close();
    client.destroy();
    expect(m).toMatchObject({ delivered: 300, spooled: 0, dropped: { total: 0 }, deadLettered: 0 });

    const texts = await readAll();
    const ids = texts.map((t) => readRecordId(t)!);
    expect(ids.every((id) => id.h === "kinesis-local-test" && id.b === shipper.boot)).toBe(true);
    expect(new Set(ids.map(recordKey)).size).toBe(300);
    const written = texts.map((t) => (JSON.parse(t) as { i: number }).i).sort((a, b) => a - b);
    expect([...new Set(written)]).toEqual(Array.from({ length: 300 }, (_, i) => i));
  }, 120_000);
});

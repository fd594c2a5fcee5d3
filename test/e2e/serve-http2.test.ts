/**
 * The served port speaks HTTP/2 as well as HTTP/1.1. The JS SDK v3 KinesisClient's default handler
 * is NodeHttp2Handler, which with an http:// endpoint speaks cleartext HTTP/2 with prior knowledge
 * (h2c); a user's own code built that way must work against `chaos sandbox serve` unchanged, on the
 * same port the AWS CLI and HTTP/1 clients use. And the serve still stops at once on SIGTERM while
 * such a client keeps its HTTP/2 session open.
 */
import { describe, expect, it, vi } from "vitest";
import { connect as connectHttp2 } from "node:http2";
import { connect as connectTcp } from "node:net";
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListStreamsCommand, PutRecordCommand, type _Record } from "@aws-sdk/client-kinesis";
import { NodeHttp2Handler, NodeHttpHandler } from "@smithy/node-http-handler";
import { servesForThisFile } from "./cli.js";

vi.setConfig({ testTimeout: 90_000 });

const serve = servesForThisFile();
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "x" };

/** Rejects when `p` takes longer than `ms` of real time. */
function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe("chaos sandbox serve speaks HTTP/2 (h2c) and HTTP/1.1 on one port", () => {
  it("a KinesisClient with its default (HTTP/2) handler lists, puts and reads back a record; HTTP/1 clients still work", async () => {
    const { endpoint } = await serve(["--speed", "1", "--seed", "7"]);
    // No requestHandler given: the SDK's default for Kinesis, which must be HTTP/2 for this test to mean anything.
    const kinesis = new KinesisClient({ endpoint, region: "us-east-1", credentials });
    const http1 = new KinesisClient({ endpoint, region: "us-east-1", credentials, requestHandler: new NodeHttpHandler() });
    try {
      expect(kinesis.config.requestHandler).toBeInstanceOf(NodeHttp2Handler);
      expect(kinesis.config.requestHandler.constructor.name).toContain("Http2");

      const { StreamNames = [] } = await kinesis.send(new ListStreamsCommand({}));
      expect(StreamNames).toContain("app-logs");
      const put = await kinesis.send(new PutRecordCommand({ StreamName: "app-logs", PartitionKey: "h2-client", Data: Buffer.from("over HTTP/2") }));
      const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: "app-logs", ShardId: put.ShardId, ShardIteratorType: "TRIM_HORIZON" }));
      // The stack's own log shipper writes to app-logs too: read from the horizon until our record.
      let iterator = ShardIterator;
      let found: _Record | undefined;
      for (let i = 0; i < 100 && iterator && !found; i++) {
        const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
        found = got.Records?.find((r) => r.SequenceNumber === put.SequenceNumber);
        iterator = got.NextShardIterator;
        // Kinesis allows 5 GetRecords calls a second per shard.
        if (!found) await new Promise((r) => setTimeout(r, 250));
      }
      expect(found?.PartitionKey).toBe("h2-client");
      expect(Buffer.from(found!.Data!).toString("utf8")).toBe("over HTTP/2");

      // HTTP/1.1 on the same port, at the same time as HTTP/2 calls.
      const [clock, listed1, listed2] = await Promise.all([
        fetch(`${endpoint}/_gameday/clock`).then(async (r) => [r.status, ((await r.json()) as { speed: number }).speed]),
        http1.send(new ListStreamsCommand({})),
        kinesis.send(new ListStreamsCommand({})),
      ]);
      expect(clock).toEqual([200, 1]);
      expect(listed1.StreamNames).toEqual(listed2.StreamNames);
    } finally {
      kinesis.destroy();
      http1.destroy();
    }
  });

  it("exits promptly on SIGTERM while HTTP/2 sessions and a silent connection are open", async () => {
    const served = await serve(["--speed", "1", "--seed", "7"]);
    const kinesis = new KinesisClient({ endpoint: served.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
    const session = connectHttp2(served.endpoint);
    const sessionUp = new Promise<void>((resolve, reject) => session.once("connect", () => resolve()).once("error", reject));
    const sessionClosed = new Promise<void>((resolve) => session.once("close", () => resolve()));
    const silent = connectTcp(served.port, "127.0.0.1");
    const silentUp = new Promise<void>((resolve, reject) => silent.once("connect", () => resolve()).once("error", reject));
    try {
      // The SDK keeps its HTTP/2 session open after a call; a raw session sits idle; a TCP client sends nothing.
      await kinesis.send(new ListStreamsCommand({}));
      await within(5_000, Promise.all([sessionUp, silentUp]), "connecting");
      session.on("error", () => {});
      silent.on("error", () => {});
      const t0 = performance.now();
      served.child.kill("SIGTERM");
      const r = await within(10_000, served.done, "exit after SIGTERM");
      expect([r.code, r.signal, r.stderr]).toEqual([0, null, ""]);
      expect(performance.now() - t0).toBeLessThan(5_000);
      await within(5_000, sessionClosed, "the HTTP/2 session closed by the server");
    } finally {
      kinesis.destroy();
      session.destroy();
      silent.destroy();
    }
  });
});

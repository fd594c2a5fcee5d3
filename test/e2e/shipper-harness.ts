/**
 * The log shipper checked from outside, as a user would: a served sandbox (`chaos sandbox serve`)
 * with one Kinesis stream, the numbered-line logger (test/fixtures/numbered-logger.mjs) shipping to
 * it through gameday/pipeline in a child process, and afterwards the stream and the spool counted.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { freePort, scratch, start, type Running } from "./cli.js";
import { recordsOnDisk } from "../pipeline/helpers/disk-oracle.js";

const LOGGER = fileURLToPath(new URL("../fixtures/numbered-logger.mjs", import.meta.url));
/** A fresh object each time: the SDK marks the credentials object it is given (a "$source" key). */
const credentials = () => ({ accessKeyId: "x", secretAccessKey: "x" });

/**
 * A served sandbox holding only streams numbered-1..numbered-N (no workloads competing for the 2
 * cores), in real time: one stream per test, so counts never mix.
 */
export async function serveStreams(streams: number, shards = 4): Promise<{ endpoint: string; server: Running }> {
  const dir = scratch();
  const stack = join(dir, "streams.yaml");
  const lines = Array.from({ length: streams }, (_, i) => `    - { name: numbered-${i + 1}, shards: ${shards} }`);
  writeFileSync(stack, ["region: us-east-1", 'accountId: "123456789012"', "availabilityZones: [us-east-1a]", "kinesis:", "  streams:", ...lines, ""].join("\n"));
  const port = await freePort();
  const server = start(["sandbox", "serve", "--stack", stack, "--port", String(port), "--seed", "7"], { cwd: dir });
  await server.waitFor(/serving on/);
  return { endpoint: `http://127.0.0.1:${port}`, server };
}

export async function stopServer(server: Running): Promise<void> {
  server.child.kill("SIGTERM");
  await server.done;
}

export interface LoggerConfig {
  transport: Record<string, unknown>;
  count: number;
  rate?: number;
  pad?: number;
  sync?: boolean;
  exitHandlers?: boolean;
  then?: "idle" | "flush";
}

/** The transport options every test starts from: a served stream, a spool in `spoolDir`. */
export function transportTo(endpoint: string, stream: string, spoolDir: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { streamName: stream, region: "us-east-1", endpoint, credentials: credentials(), spool: { dir: spoolDir }, ...extra };
}

export interface LoggerRun {
  child: ChildProcess;
  /** Resolves when stdout has printed a line matching `pattern`; the match. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts the logger; `env` replaces the inherited environment's keys (undefined removes one). */
export function runLogger(config: LoggerConfig, env: Record<string, string | undefined> = {}): LoggerRun {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const child = spawn(process.execPath, [LOGGER, JSON.stringify(config)], { env: childEnv as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    for (const w of waiters.splice(0)) {
      const m = stdout.match(w.pattern);
      if (m) w.resolve(m);
      else waiters.push(w);
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    child,
    done,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const m = stdout.match(pattern);
        if (m) return resolve(m);
        waiters.push({ pattern, resolve });
        void done.then((r) => reject(new Error(`logger exited (${r.code ?? r.signal}) before printing ${pattern}:\n${r.stdout}\n${r.stderr}`)));
      }),
  };
}

/**
 * One GetRecords page, as a consumer reads it: a shard allows 5 reads a second (Kinesis limits;
 * the sandbox enforces them), and a test that polls the stream while a shipper replays can pass
 * that, so a throttled read waits a second and tries again, as the KCL does.
 */
async function readPage(kinesis: KinesisClient, iterator: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
    } catch (err) {
      if (!(err instanceof Error && err.name === "ProvisionedThroughputExceededException") || attempt === 30) throw err;
      await sleep(1_000);
    }
  }
}

/** Every record's `n` in the stream, duplicates included, read until the shards are at their tip. */
export async function numbersInStream(endpoint: string, stream: string): Promise<number[]> {
  const kinesis = new KinesisClient({ region: "us-east-1", endpoint, credentials: credentials(), requestHandler: new NodeHttpHandler() });
  try {
    const shards = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
    const out: number[] = [];
    for (const shard of shards) {
      let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId!, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
      while (iterator) {
        const page = await readPage(kinesis, iterator);
        for (const r of page.Records ?? []) out.push(numberOf(Buffer.from(r.Data!).toString("utf8")));
        if ((page.Records ?? []).length === 0 && page.MillisBehindLatest === 0) break;
        iterator = page.NextShardIterator;
      }
    }
    return out;
  } finally {
    kinesis.destroy();
  }
}

/** Every record's `n` in the spool's segment files (whatever a restart would replay or skip). */
export function numbersInSpool(dir: string): number[] {
  return recordsOnDisk(dir).map(numberOf);
}

function numberOf(line: string): number {
  const n = (JSON.parse(line) as { n?: unknown }).n;
  if (typeof n !== "number") throw new Error(`not a numbered line: ${line.slice(0, 200)}`);
  return n;
}

/** How many of 0..count-1 appear nowhere in `found`. */
export function missing(count: number, ...found: number[][]): number {
  const seen = new Uint8Array(count);
  for (const list of found) for (const n of list) if (n >= 0 && n < count) seen[n] = 1;
  return count - seen.reduce((a, b) => a + b, 0);
}

/** Records beyond the first of each `n`. */
export function duplicates(found: number[]): number {
  return found.length - new Set(found).size;
}

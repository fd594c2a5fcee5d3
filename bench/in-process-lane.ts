// The in-process object lane (src/aws/in-process-lane.ts) against the SDK's wire path it replaces,
// measured in the same run: CPU time per PutRecords of 500 log-sized records (~600 bytes, as the
// outage's shippers send) and per GetRecords of 2,000 records (as the outage's probe reads), each
// through an in-process client as `chaos run` builds it, one sandbox per side, calls interleaved
// lane / wire so both see the same machine. Prints CPU per call and the lane's ratio to the wire
// path, and as the floor the same codecs and dispatcher called with no SDK middleware: what is
// left between the lane and the floor is the SDK's middleware stack.
// Then the lane against the lane of git revision BASE (its src/ checked out into a scratch
// directory in the repository and imported from there), the same calls interleaved: what the
// sandbox's Kinesis and the lane's codecs gained since (default BASE: before records were kept as bytes).
// Run: npx tsx bench/in-process-lane.ts   (CALLS=n, default 200; ROUNDS=n, default 3; BASE=rev, default 5d82dd0)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GetRecordsCommand, GetShardIteratorCommand, PutRecordsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { AwsClients } from "../src/aws/clients.js";
import { withoutObjectLane } from "../src/aws/in-process-lane.js";
import { IN_PROCESS_CODECS } from "../src/aws/in-process-codecs.js";
import { SeededRandom } from "../src/random/random.js";
import { Kernel } from "../src/sandbox/kernel.js";
import { Dispatcher } from "../src/sandbox/protocol/dispatcher.js";
import { KinesisService } from "../src/sandbox/services/kinesis/index.js";
import { VirtualClock } from "../src/time/clock.js";

const CALLS = Number(process.env.CALLS ?? 200);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PER_PUT = 500;
const PER_GET = 2_000;

interface Side {
  name: string;
  clock: VirtualClock;
  client: KinesisClient;
  dispatcher: Dispatcher;
  putUs: number[];
  getUs: number[];
}

/**
 * The floor: the same codecs and the dispatcher, called straight with no SDK middleware at all
 * (what a lane that bypassed the client's middleware stack would cost on success).
 */
function direct(s: Side): Side {
  const client = {
    async send(command: { input: Record<string, unknown>; constructor: { name: string } }) {
      const operation = command.constructor.name.replace(/Command$/, "");
      const codec = IN_PROCESS_CODECS.get(`Kinesis_20131202.${operation}`);
      const input = codec ? codec.encode(command.input)! : command.input;
      const outcome = s.dispatcher.dispatch({ method: "POST", path: "/", query: {}, headers: { "x-amz-target": `Kinesis_20131202.${operation}`, "content-type": "application/x-amz-json-1.1" }, body: "", input });
      if ("failure" in outcome || outcome.statusCode !== 200) throw new Error(`floor: ${operation} failed`);
      return codec ? codec.decode(outcome.output)! : (outcome.output as Record<string, unknown>);
    },
  };
  return { ...s, name: "floor", client: client as never };
}

interface Sources {
  AwsClients: typeof AwsClients;
  withoutObjectLane: typeof withoutObjectLane;
  SeededRandom: typeof SeededRandom;
  Kernel: typeof Kernel;
  Dispatcher: typeof Dispatcher;
  KinesisService: typeof KinesisService;
  VirtualClock: typeof VirtualClock;
}
const current: Sources = { AwsClients, withoutObjectLane, SeededRandom, Kernel, Dispatcher, KinesisService, VirtualClock };

async function side(name: string, lane: boolean, src: Sources = current): Promise<Side> {
  const { AwsClients, withoutObjectLane, SeededRandom, Kernel, Dispatcher, KinesisService, VirtualClock } = src;
  const clock = new VirtualClock();
  const random = new SeededRandom(1);
  const kernel = new Kernel({ clock, random, region: "us-east-1", accountId: "123456789012" });
  const kinesis = new KinesisService(kernel, { streams: [{ name: "logs", shards: 1 }] });
  const dispatcher = new Dispatcher();
  dispatcher.addJsonService(kinesis.json);
  dispatcher.intercept(kinesis.interceptor);
  const clients = new AwsClients({ kind: "local", region: "us-east-1", dispatch: dispatcher.dispatch }, { clock, random: random.fork("clients") });
  const client = await clients.kinesis();
  if (!lane) withoutObjectLane(client);
  return { name, clock, client, dispatcher, putUs: [], getUs: [] };
}

/** A log line as the outage's producers write it: JSON of about 600 bytes. */
function record(i: number): { PartitionKey: string; Data: Uint8Array } {
  const line = JSON.stringify({ level: 30, time: 1_700_000_000_000 + i, service: "web", msg: `request ${i} served`, pad: "x".repeat(480 + (i % 40)) });
  return { PartitionKey: `host-${i % 17}`, Data: new TextEncoder().encode(line) };
}
const batch: { PartitionKey: string; Data: Uint8Array }[] = Array.from({ length: PER_PUT }, (_, i) => record(i));

function cpuUs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return d.user + d.system;
}

async function put(s: Side): Promise<void> {
  const t = process.cpuUsage();
  const out = await s.client.send(new PutRecordsCommand({ StreamName: "logs", Records: batch }));
  s.putUs.push(cpuUs(t));
  if (out.FailedRecordCount !== 0) throw new Error(`${s.name}: ${out.FailedRecordCount} records failed`);
  await s.clock.sleep(1_000); // a shard takes 1,000 records a second
}

async function get(s: Side): Promise<void> {
  const { ShardIterator } = await s.client.send(new GetShardIteratorCommand({ StreamName: "logs", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }));
  const t = process.cpuUsage();
  const out = await s.client.send(new GetRecordsCommand({ ShardIterator: ShardIterator!, Limit: PER_GET }));
  s.getUs.push(cpuUs(t));
  if (out.Records?.length !== PER_GET) throw new Error(`${s.name}: read ${out.Records?.length} records`);
  await s.clock.sleep(1_000); // 2 MiB a second per shard
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const wire = await side("wire", false);
const lane = await side("lane", true);
const floor = direct(await side("floor", true));
// Warm-up: the JIT and the SDK's first-call work, then enough records for the reads.
for (let i = 0; i < Math.max(5, Math.ceil(PER_GET / PER_PUT)); i++) for (const s of [wire, lane, floor]) await put(s);
for (const s of [wire, lane, floor]) {
  s.putUs.length = 0;
  await get(s);
  s.getUs.length = 0;
}
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < CALLS / ROUNDS; i++) for (const s of [wire, lane, floor]) await put(s);
  for (let i = 0; i < CALLS / ROUNDS / 4; i++) for (const s of [wire, lane, floor]) await get(s);
}
if (lane.dispatcher.objectLaneCalls === 0 || wire.dispatcher.objectLaneCalls !== 0) throw new Error("the lane was not taken as configured");

console.log(`in-process Kinesis calls, CPU per call (median of ${wire.putUs.length} PutRecords x ${PER_PUT} records, ${wire.getUs.length} GetRecords x ${PER_GET})`);
const ms = (us: number) => `${(us / 1000).toFixed(2).padStart(6)} ms`;
for (const [what, w, l, f] of [
  ["PutRecords", median(wire.putUs), median(lane.putUs), median(floor.putUs)],
  ["GetRecords", median(wire.getUs), median(lane.getUs), median(floor.getUs)],
] as const) {
  console.log(`  ${what.padEnd(11)} wire path ${ms(w)}   lane ${ms(l)}   floor (no middleware) ${ms(f)}   lane/wire ${(l / w).toFixed(2)}   floor/wire ${(f / w).toFixed(2)}`);
}

// --- The lane now against the lane at BASE.
const BASE = process.env.BASE ?? "5d82dd0";
const root = fileURLToPath(new URL("..", import.meta.url));
// Inside the repository, so the old sources resolve node_modules as the current ones do.
const scratch = mkdtempSync(join(root, ".bench-base-"));
let before: Side;
try {
  execFileSync("sh", ["-c", `git archive ${BASE} src | tar -x -C '${scratch}'`], { cwd: root });
  const load = async <T>(path: string) => (await import(join(scratch, path))) as T;
  const old: Sources = {
    ...(await load<Pick<Sources, "AwsClients">>("src/aws/clients.ts")),
    ...(await load<Pick<Sources, "withoutObjectLane">>("src/aws/in-process-lane.ts")),
    ...(await load<Pick<Sources, "SeededRandom">>("src/random/random.ts")),
    ...(await load<Pick<Sources, "Kernel">>("src/sandbox/kernel.ts")),
    ...(await load<Pick<Sources, "Dispatcher">>("src/sandbox/protocol/dispatcher.ts")),
    ...(await load<Pick<Sources, "KinesisService">>("src/sandbox/services/kinesis/index.ts")),
    ...(await load<Pick<Sources, "VirtualClock">>("src/time/clock.ts")),
  };
  before = await side(`lane at ${BASE}`, true, old);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
const now = await side("lane now", true);
for (let i = 0; i < Math.max(5, Math.ceil(PER_GET / PER_PUT)); i++) for (const s of [before, now]) await put(s);
for (const s of [before, now]) {
  s.putUs.length = 0;
  await get(s);
  s.getUs.length = 0;
}
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < CALLS / ROUNDS; i++) for (const s of [before, now]) await put(s);
  for (let i = 0; i < CALLS / ROUNDS / 4; i++) for (const s of [before, now]) await get(s);
}
console.log(`\nthe lane now against the lane at ${BASE}, CPU per call (medians, calls interleaved)`);
for (const [what, b, n] of [
  ["PutRecords", median(before.putUs), median(now.putUs)],
  ["GetRecords", median(before.getUs), median(now.getUs)],
] as const) {
  console.log(`  ${what.padEnd(11)} at ${BASE} ${ms(b)}   now ${ms(n)}   now/before ${(n / b).toFixed(2)}`);
}

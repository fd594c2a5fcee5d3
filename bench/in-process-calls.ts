// What an in-process SDK call costs the CPU, for the operations spot-interrupt makes by the dozen
// or hundred (ECS ListTasks, DescribeServices, DescribeTasks, CloudWatch GetMetricData,
// DescribeAlarmHistory, Kinesis PutRecords of a shipper's batch). The sandbox is out of the
// measure: each call is answered from a recording of the real sandbox's answer to it, so what is
// left is the client's side (middleware, endpoint, serde, codecs). Sides, calls interleaved so
// that all see the same machine:
//   wire   withoutObjectLane: the SDK's serde and middleware on every call (main's path for the
//          operations that had no codec: DescribeServices, DescribeTasks, GetMetricData, DescribeAlarmHistory)
//   sdk-mw withSdkMiddleware: the object lane with every codec, under the SDK's serde and endpoint
//          middleware (main's path for ListTasks and PutRecords)
//   lean   an in-process client as `chaos run` builds it now
//   floor  the recorded answer's JSON text parsed and nothing else: what no client can go under
// Run it as spot-interrupt runs (no TurboFan; see src/cli/tiering.ts), and optimized:
//   node --no-opt --import tsx bench/in-process-calls.ts     (CALLS=n per operation and side, default 300)
//   node --import tsx bench/in-process-calls.ts
import { readFileSync } from "node:fs";
import { ListTasksCommand, DescribeServicesCommand, DescribeTasksCommand } from "@aws-sdk/client-ecs";
import { GetMetricDataCommand, DescribeAlarmHistoryCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { AwsClients } from "../src/aws/clients.js";
import type { LocalOutcome, LocalRequest } from "../src/aws/in-process-handler.js";
import { withSdkMiddleware } from "../src/aws/in-process-lean.js";
import { withoutObjectLane } from "../src/aws/in-process-lane.js";
import { SeededRandom } from "../src/random/random.js";
import { Sandbox } from "../src/sandbox/sandbox.js";
import { parseStack } from "../src/sandbox/stack/load.js";
import { VirtualClock } from "../src/time/clock.js";
import { SandboxLogShipping } from "../src/cli/sandbox-logs.js";

const CALLS = Number(process.env.CALLS ?? 300);
type Send = { send(command: object): Promise<unknown> };
interface Case {
  what: string;
  client: "ecs" | "cloudwatch" | "kinesis";
  command: () => object;
}

// --- Record the sandbox's answers to the calls, as spot-interrupt's probes make them.
const clock = new VirtualClock();
const stackFile = new URL("../fixtures/stacks/default.yaml", import.meta.url);
let dispatchToSandbox: (request: LocalRequest) => LocalOutcome = () => ({ failure: "refused" });
const logs = await SandboxLogShipping.create((request) => dispatchToSandbox(request), clock, new SeededRandom(7).fork("logs"));
const sandbox = await Sandbox.create({ stack: parseStack(readFileSync(stackFile, "utf8"), "default.yaml"), clock, random: new SeededRandom(7), logProducers: logs });
dispatchToSandbox = sandbox.dispatcher.dispatch as never;
const recorded = new Map<string, LocalOutcome>();
const recorder = (request: LocalRequest): LocalOutcome => {
  const outcome = sandbox.dispatcher.dispatch(request as never) as LocalOutcome;
  recorded.set(request.headers["x-amz-target"] ?? "", outcome);
  return outcome;
};
const live = new AwsClients({ kind: "local", region: "us-east-1", dispatch: recorder }, { clock, random: new SeededRandom(1) });
sandbox.start();
await sandbox.ready();
await clock.sleep(120_000);
const ecs = await live.ecs();
const cloudwatch = await live.cloudwatch();
const taskArns = (await ecs.send(new ListTasksCommand({ cluster: "prod", serviceName: "web" }))).taskArns!;
await cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: "web-5xx", Namespace: "AWS/ApplicationELB", MetricName: "HTTPCode_Target_5XX_Count", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold" }));
for (const state of ["ALARM", "OK", "ALARM"] as const) await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: "web-5xx", StateValue: state, StateReason: `bench ${state}` }));
const now = clock.now();
const window = (name: string) => ({ Namespace: "Gameday/LoadGenerator", MetricName: name, Dimensions: [{ Name: "Service", Value: "web" }] });
const CASES: Case[] = [
  { what: "ECS ListTasks", client: "ecs", command: () => new ListTasksCommand({ cluster: "prod", serviceName: "web", desiredStatus: "RUNNING" }) },
  { what: "ECS DescribeServices", client: "ecs", command: () => new DescribeServicesCommand({ cluster: "prod", services: ["web"] }) },
  { what: "ECS DescribeTasks", client: "ecs", command: () => new DescribeTasksCommand({ cluster: "prod", tasks: taskArns.slice(0, 6) }) },
  {
    what: "CloudWatch GetMetricData",
    client: "cloudwatch",
    command: () =>
      new GetMetricDataCommand({
        MetricDataQueries: ["RequestCount", "HTTPCode_2XX_Count", "HTTPCode_5XX_Count", "TimeoutCount"].map((m, i) => ({ Id: `c${i}`, MetricStat: { Metric: window(m), Period: 30, Stat: "Sum" } })),
        StartTime: new Date(now - 60_000),
        EndTime: new Date(now - 30_000),
      }),
  },
  { what: "CloudWatch DescribeAlarmHistory", client: "cloudwatch", command: () => new DescribeAlarmHistoryCommand({ AlarmName: "web-5xx", HistoryItemType: "StateUpdate", StartDate: new Date(now - 600_000), ScanBy: "TimestampAscending" }) },
  {
    what: "Kinesis PutRecords x 8",
    client: "kinesis",
    command: () => new PutRecordsCommand({ StreamName: "app-logs", Records: Array.from({ length: 8 }, (_, i) => ({ PartitionKey: `k${i}`, Data: new TextEncoder().encode(`{"level":30,"msg":"request ${i} served"}`) })) }),
  },
];
const kinesis = await live.kinesis();
for (const c of CASES) await ({ ecs, cloudwatch, kinesis }[c.client] as Send).send(c.command());
await live.destroy();
await sandbox.stop();
logs.close();
clock.stop();

// --- Replay: every side is answered with a fresh copy of the recording.
function replay(request: LocalRequest): LocalOutcome {
  const answer = recorded.get(request.headers["x-amz-target"] ?? "")!;
  if ("failure" in answer) throw new Error("a recorded call failed");
  if (answer.statusCode !== 200) throw new Error(`a recorded call answered ${answer.statusCode}: ${answer.body}`);
  const text = answer.output !== undefined ? JSON.stringify(answer.output) : answer.body;
  if (request.input) return { statusCode: 200, headers: { ...answer.headers }, body: "", output: JSON.parse(text) };
  return { statusCode: 200, headers: { ...answer.headers }, body: text };
}

async function sideClients(side: "wire" | "sdk-mw" | "lean") {
  const c = new AwsClients({ kind: "local", region: "us-east-1", dispatch: replay }, { clock: new VirtualClock(), random: new SeededRandom(1) });
  const clients = { ecs: await c.ecs(), cloudwatch: await c.cloudwatch(), kinesis: await c.kinesis() };
  for (const client of Object.values(clients)) {
    if (side === "wire") withoutObjectLane(client);
    if (side === "sdk-mw") withSdkMiddleware(client);
  }
  return clients as Record<Case["client"], Send>;
}
const sides = { wire: await sideClients("wire"), "sdk-mw": await sideClients("sdk-mw"), lean: await sideClients("lean") };

/** The floor: the recorded answer's text parsed, nothing else. */
function floor(c: Case): void {
  const name = c.command().constructor.name.replace(/Command$/, "");
  const answer = [...recorded].find(([target]) => target.endsWith(`.${name}`))![1] as { output?: unknown; body: string };
  JSON.parse(answer.output !== undefined ? JSON.stringify(answer.output) : answer.body);
}

function cpuUs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return d.user + d.system;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Calls of each operation in one spot-interrupt run (seed 7), for a weighted total. */
const PER_RUN: Record<string, number> = { "ECS ListTasks": 301, "ECS DescribeServices": 52, "ECS DescribeTasks": 14, "CloudWatch GetMetricData": 53, "CloudWatch DescribeAlarmHistory": 38, "Kinesis PutRecords x 8": 433 };

console.log(`in-process calls, CPU per call in µs, median / mean of ${CALLS} calls per side (interleaved; answers replayed; ${process.execArgv.includes("--no-opt") ? "no TurboFan, as spot-interrupt" : "TurboFan on"})`);
const run: Record<string, number> = { wire: 0, "sdk-mw": 0, lean: 0, floor: 0 };
for (const c of CASES) {
  const us: Record<string, number[]> = { wire: [], "sdk-mw": [], lean: [], floor: [] };
  for (let i = 0; i < CALLS + 5; i++) {
    for (const [name, clients] of Object.entries(sides)) {
      const t = process.cpuUsage();
      await clients[c.client].send(c.command());
      if (i >= 5) us[name]!.push(cpuUs(t));
    }
    const t = process.cpuUsage();
    floor(c);
    if (i >= 5) us.floor!.push(cpuUs(t));
  }
  for (const name of Object.keys(run)) run[name]! += mean(us[name]!) * PER_RUN[c.what]!;
  const f = (xs: number[]) => `${String(Math.round(median(xs))).padStart(4)} / ${String(Math.round(mean(xs))).padStart(4)}`;
  console.log(`  ${c.what.padEnd(32)} wire ${f(us.wire!)}   sdk-mw ${f(us["sdk-mw"]!)}   lean ${f(us.lean!)}   floor ${f(us.floor!)}   lean/wire ${(mean(us.lean!) / mean(us.wire!)).toFixed(2)}   lean/sdk-mw ${(mean(us.lean!) / mean(us["sdk-mw"]!)).toFixed(2)}`);
}
const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;
console.log(`  spot-interrupt's mix of these (${Object.values(PER_RUN).reduce((a, b) => a + b, 0)} calls): wire ${ms(run.wire!)}, sdk-mw ${ms(run["sdk-mw"]!)}, lean ${ms(run.lean!)}, floor ${ms(run.floor!)}`);

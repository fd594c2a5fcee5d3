// npm run bench: every benchmark, one after the other (each prints ratios against a baseline it
// measures in the same run). The TypeScript ones run through tsx; startup needs the built CLI.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsx = fileURLToPath(new URL("../node_modules/tsx/dist/cli.mjs", import.meta.url));
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };

/** @type {[string, string[]][]} */
const benches = [
  ["CLI startup", [fileURLToPath(new URL("./startup.mjs", import.meta.url))]],
  ["sandbox speed", [tsx, "bench/sandbox.ts"]],
  ["virtual clock: CPU per actor wake-up against the pump it replaced", [tsx, "bench/clock-turns.ts"]],
  ["log shipper throughput and memory", ["--expose-gc", tsx, "bench/pipeline.ts"]],
  ["log pipeline parts: the consumer's filing and EMF lines against the code they replaced", [tsx, "bench/pipeline-parts.ts"]],
  ["real-target load generator", [tsx, "bench/load.ts"]],
  ["sandbox web traffic: CPU per simulated request against main", [tsx, "bench/workload.ts"]],
  ["sandbox workload parts: ids, keys, load and ALB metrics against the code they replaced", [tsx, "bench/workload-parts.ts"]],
  ["sandbox web request parts: service time, arrivals, threads, histogram against the code they replaced", [tsx, "bench/web-requests.ts"]],
  ["sandbox CloudWatch: 17 hours of metrics and alarms", ["--expose-gc", "--import", "tsx", "bench/cloudwatch.ts"]],
  ["sandbox CloudWatch: a probe's load-window read", [tsx, "bench/cloudwatch-reads.ts"]],
  ["sandbox CloudWatch: percentiles of a latency window against the comparator sort they replaced", [tsx, "bench/percentiles.ts"]],
  ["sandbox Kinesis records: the 17-hour outage's volume", ["--expose-gc", "--import", "tsx", "bench/kinesis-records.ts"]],
  ["in-process object lane: PutRecords and GetRecords against the SDK's wire path", [tsx, "bench/in-process-lane.ts"]],
  ["in-process SDK calls: spot-interrupt's hot operations, without TurboFan as it runs", ["--no-opt", "--import", "tsx", "bench/in-process-calls.ts"]],
  ["reports: HTML, Markdown and JUnit of a long run", [tsx, "bench/report.ts"]],
  ["sandbox WordPress edge: 200 viewer requests/s", [fileURLToPath(new URL("./wordpress.mjs", import.meta.url))]],
  ["whole process, cold: chaos run <experiment>", [fileURLToPath(new URL("./whole-process.mjs", import.meta.url))]],
];
let failed = 0;
for (const [name, args] of benches) {
  console.log(`\n== ${name}`);
  const r = spawnSync(process.execPath, args, { cwd: root, env, stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
